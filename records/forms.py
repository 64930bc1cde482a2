"""Page forms: they check the shape of the input; the services check the rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.models import Attendance
from members.forms import DateInput, StyledForm
from orgs.models import Organization

from .models import AppraisalGrade, PointItem, RecordEntry


class CardForm(StyledForm):
    number = forms.CharField(label=_("card number"), max_length=40)
    numbered_by = forms.ModelChoiceField(
        label=_("numbered by"),
        queryset=Organization.objects.none(),
        help_text=_("The organization department (county level or above) that issued the number."),
    )
    stamped_by = forms.ModelChoiceField(
        label=_("stamped by"),
        queryset=Organization.objects.none(),
        help_text=_("The party committee whose seal the card bears."),
    )
    stamped_on = forms.DateField(label=_("stamped on"), widget=DateInput())
    issued_on = forms.DateField(label=_("issued on"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, branch: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        above = branch.lineage(include_self=False)
        self.fields["numbered_by"].queryset = above.filter(
            kind__in=[
                Organization.Kind.PROVINCE,
                Organization.Kind.CITY,
                Organization.Kind.COUNTY,
                Organization.Kind.UNIT,
            ]
        )
        self.fields["stamped_by"].queryset = above.exclude(kind__in=Organization.BRANCH_KINDS)


class MeritForm(StyledForm):
    merit = forms.ChoiceField(label=_("reward or punishment"), choices=RecordEntry.Merit.choices)
    occurred_on = forms.DateField(label=_("date"), widget=DateInput())
    title = forms.CharField(label=_("title"), max_length=200)
    details = forms.CharField(label=_("details"), widget=forms.Textarea, required=False)


class RoleForm(StyledForm):
    year = forms.IntegerField(label=_("year"), min_value=1990, max_value=2100)
    grade = forms.ChoiceField(label=_("democratic appraisal grade"), choices=AppraisalGrade.choices)
    appraised_on = forms.DateField(label=_("appraised on"), widget=DateInput())
    details = forms.CharField(
        label=_("role played"),
        widget=forms.Textarea,
        help_text=_("The member's exemplary role in work, study and social life."),
    )


class DuesForm(StyledForm):
    first_month = forms.DateField(label=_("first month"), widget=DateInput(), help_text=_("Any day of the month."))
    months = forms.IntegerField(label=_("months"), min_value=1, max_value=12, initial=1)
    paid_on = forms.DateField(label=_("paid on"), widget=DateInput(), initial=timezone.localdate)
    amount = forms.DecimalField(
        label=_("amount paid (yuan)"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Leave empty to pay exactly the dues by the rules."),
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class QuarterlyForm(StyledForm):
    reason = forms.CharField(label=_("reason"), max_length=200)
    approved_on = forms.DateField(label=_("approved on"), widget=DateInput(), initial=timezone.localdate)


class ArrearsReasonForm(StyledForm):
    until_month = forms.DateField(label=_("reason holds until month"), widget=DateInput())
    reason = forms.CharField(label=_("reason"), max_length=300)


class DisputeForm(StyledForm):
    reason = forms.CharField(label=_("What is wrong"), widget=forms.Textarea, max_length=1000)


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea, max_length=1000)


class ChangesForm(StyledForm):
    """The fields of an entry a secretary may change (only those of the entry's kind are shown)."""

    title = forms.CharField(label=_("title"), max_length=200, required=False)
    details = forms.CharField(label=_("details"), widget=forms.Textarea, required=False)
    occurred_on = forms.DateField(label=_("date"), widget=DateInput(), required=False)
    attendance_status = forms.ChoiceField(label=_("attendance"), choices=Attendance.Status.choices, required=False)
    dues_amount = forms.DecimalField(
        label=_("amount (yuan)"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    dues_months = forms.IntegerField(label=_("months paid"), min_value=0, max_value=12, required=False)
    merit = forms.ChoiceField(label=_("reward or punishment"), choices=RecordEntry.Merit.choices, required=False)
    appraisal_grade = forms.ChoiceField(label=_("appraisal grade"), choices=AppraisalGrade.choices, required=False)

    FIELDS_BY_KIND = {
        RecordEntry.Kind.ORG_LIFE: ("title", "details", "occurred_on", "attendance_status"),
        RecordEntry.Kind.DUES: ("title", "details", "occurred_on", "dues_amount", "dues_months"),
        RecordEntry.Kind.MERIT: ("title", "details", "occurred_on", "merit"),
        RecordEntry.Kind.ROLE: ("title", "details", "occurred_on", "appraisal_grade"),
    }

    def __init__(self, *args, entry: RecordEntry, **kwargs):
        initial = {name: getattr(entry, name) for name in self.FIELDS_BY_KIND[entry.kind]}
        super().__init__(*args, initial=initial, **kwargs)
        for name in list(self.fields):
            if name not in self.FIELDS_BY_KIND[entry.kind] and name not in ("reason", "reply", "voids"):
                del self.fields[name]
        self.entry = entry

    def changes(self) -> dict:
        """Only what differs from the entry."""
        out = {}
        for name in self.FIELDS_BY_KIND[self.entry.kind]:
            value = self.cleaned_data.get(name)
            if value in (None, "") and name not in ("details",):
                continue
            if value != getattr(self.entry, name):
                out[name] = value
        return out


class AmendForm(ChangesForm):
    reason = forms.CharField(label=_("reason"), max_length=1000, required=False)


class ResolveForm(ChangesForm):
    reply = forms.CharField(label=_("reply to the member"), widget=forms.Textarea, max_length=1000)


class CorrectForm(ChangesForm):
    reason = forms.CharField(label=_("reason for the correction"), widget=forms.Textarea, max_length=1000)
    voids = forms.BooleanField(label=_("The entry should not stand at all"), required=False)


class PointTableForm(StyledForm):
    branch = forms.ModelChoiceField(label=_("branch"), queryset=Organization.objects.none())
    year = forms.IntegerField(
        label=_("year"), min_value=1990, max_value=2100, initial=lambda: timezone.localdate().year
    )

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches


class PointRulesForm(StyledForm):
    """One row per item: points (empty: the item earns nothing) and an optional yearly cap."""

    def __init__(self, *args, rules: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for item, label in PointItem.choices:
            rule = rules.get(item)
            self.fields[f"{item}__points"] = forms.DecimalField(
                label=label, max_digits=6, decimal_places=2, required=False, initial=rule.points if rule else None
            )
            self.fields[f"{item}__cap"] = forms.DecimalField(
                label=_("yearly cap"),
                max_digits=7,
                decimal_places=2,
                min_value=0,
                required=False,
                initial=rule.yearly_cap if rule else None,
            )
        self.style_fields()

    def rows(self):
        for item, label in PointItem.choices:
            yield label, self[f"{item}__points"], self[f"{item}__cap"]

    def rules(self) -> list[dict]:
        return [
            {
                "item": item,
                "points": self.cleaned_data.get(f"{item}__points"),
                "yearly_cap": self.cleaned_data.get(f"{item}__cap"),
            }
            for item in PointItem.values
        ]
