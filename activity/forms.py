"""Forms of the activity pages: they check input types; the services check the rules."""

import re
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking.models import Booking
from members.models import Activist, Member
from orgs.models import Organization

from .models import Activity, ContentType, DayRule

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M")
MONTH = forms.DateInput(attrs={"type": "month", "class": "form-control"}, format="%Y-%m")


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class MonthFormField(forms.DateField):
    """A month from an ``<input type="month">`` (YYYY-MM), as its first day."""

    widget = MONTH
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        value = super().to_python(value)
        if value and not 2000 <= value.year <= 2100:
            raise forms.ValidationError(_("Enter a month between 2000 and 2100."), code="invalid")
        return value.replace(day=1) if value else value


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ActivityForm(StyledForm):
    """Plan an activity, or edit what it was about (the date of a recorded one changes with its attendance)."""

    theme = forms.CharField(label=gettext_lazy("theme"), max_length=200)
    content_types = forms.MultipleChoiceField(
        label=gettext_lazy("Content"), choices=ContentType.choices, widget=forms.CheckboxSelectMultiple
    )
    is_activity_day = forms.BooleanField(label=gettext_lazy("This is the month's activity day"), required=False)
    held_on = forms.DateField(label=gettext_lazy("date"), widget=DATE)
    move_reason = forms.CharField(
        label=gettext_lazy("Reason for holding it on another day"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Only when the date differs from the branch's activity day of the month."),
    )
    starts_at = forms.TimeField(label=gettext_lazy("starts at"), required=False, widget=TIME)
    ends_at = forms.TimeField(label=gettext_lazy("ends at"), required=False, widget=TIME)
    form = forms.ChoiceField(label=gettext_lazy("form"), choices=Activity.Form.choices)
    place = forms.CharField(label=gettext_lazy("place"), required=False, max_length=200)
    host = forms.CharField(label=gettext_lazy("host"), required=False, max_length=50)
    summary = forms.CharField(
        label=gettext_lazy("what was done"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    report_last_month = forms.CharField(
        label=gettext_lazy("report on last month"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("民主议事: the secretary reports the branch's work of last month."),
    )
    plan_next_month = forms.CharField(
        label=gettext_lazy("plan for next month"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The plan put to the members for discussion."),
    )
    lecturer_kind = forms.ChoiceField(
        label=gettext_lazy("party lecture given by"),
        required=False,
        choices=[("", "—"), *Activity.Lecturer.choices],
        help_text=gettext_lazy("Only for a party lecture."),
    )
    lecturer_member = forms.ModelChoiceField(
        label=gettext_lazy("lecturer (member)"), required=False, queryset=Member.objects.none()
    )
    lecturer_name = forms.CharField(label=gettext_lazy("lecturer"), required=False, max_length=50)
    lecture = forms.ModelChoiceField(
        label=gettext_lazy("booked lecture"),
        required=False,
        queryset=Booking.objects.none(),
        help_text=gettext_lazy("A lecture of the branch's pool bookings given on this day; its audience may rate it."),
    )
    invitees = forms.ModelMultipleChoiceField(
        label=gettext_lazy("invited activists and candidates"),
        required=False,
        queryset=Activist.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, branch: Organization, lecturers, activists, lectures, recorded: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lecture"].queryset = lectures
        self.fields["lecture"].label_from_instance = lambda b: (
            f"{timezone.localtime(b.starts_at):%Y-%m-%d %H:%M} {b.topic}（{b.instructor.name}）"
        )
        self.fields["lecturer_member"].queryset = lecturers
        self.fields["lecturer_member"].label_from_instance = lambda m: f"{m.name}（{m.branch.name}）"
        self.fields["invitees"].queryset = activists
        self.fields["invitees"].label_from_instance = lambda a: f"{a.name}（{a.get_status_display()}）"
        if recorded:
            del self.fields["held_on"]
            del self.fields["move_reason"]
            del self.fields["is_activity_day"]


class AttendanceDateForm(StyledForm):
    held_on = forms.DateField(label=gettext_lazy("date"), widget=DATE)
    move_reason = forms.CharField(
        label=gettext_lazy("Reason for holding it on another day"), required=False, max_length=300
    )


class MoveForm(StyledForm):
    moved_to = forms.DateField(label=gettext_lazy("new date"), widget=DATE)
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(StyledForm):
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(StyledForm):
    file = forms.FileField(label=gettext_lazy("Photo or PDF"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = "image/jpeg,image/png,image/gif,image/webp,application/pdf"


class QuestionForm(StyledForm):
    """A member writes only the question; a secretary also names the asker and may set the due date."""

    text = forms.CharField(label=gettext_lazy("question"), widget=forms.Textarea(attrs={"rows": 4}))
    asked_by = forms.ModelChoiceField(label=gettext_lazy("asked by"), required=False, queryset=Member.objects.none())
    asker_name = forms.CharField(
        label=gettext_lazy("asker (not a member of the branch)"), required=False, max_length=50
    )
    activity = forms.ModelChoiceField(label=gettext_lazy("raised at"), required=False, queryset=Activity.objects.none())
    due_on = forms.DateField(label=gettext_lazy("answer due"), required=False, widget=DATE)

    def __init__(self, *args, members=None, activities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is None:
            for name in ("asked_by", "asker_name", "activity", "due_on"):
                del self.fields[name]
        else:
            self.fields["asked_by"].queryset = members
            self.fields["activity"].queryset = activities
            self.fields["activity"].label_from_instance = lambda a: f"{a.held_on:%Y-%m-%d} {a.theme}"


class QuestionActForm(StyledForm):
    action = forms.CharField(label=gettext_lazy("action taken"), widget=forms.Textarea(attrs={"rows": 3}))


class QuestionAnswerForm(StyledForm):
    answer = forms.CharField(label=gettext_lazy("reply"), widget=forms.Textarea(attrs={"rows": 4}))


class ReportForm(StyledForm):
    month = MonthFormField(label=gettext_lazy("month"))
    text = forms.CharField(label=gettext_lazy("report"), widget=forms.Textarea(attrs={"rows": 10}))


class CaseForm(StyledForm):
    title = forms.CharField(label=gettext_lazy("title"), max_length=200)
    commendation = forms.CharField(label=gettext_lazy("why it is excellent"), widget=forms.Textarea(attrs={"rows": 3}))


class RuleForm(StyledForm):
    organization = forms.ModelChoiceField(label=gettext_lazy("organization"), queryset=Organization.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("rule"), choices=DayRule.Kind.choices, widget=forms.RadioSelect)
    day = forms.IntegerField(label=gettext_lazy("day of the month"), required=False, min_value=1, max_value=31)
    week = forms.TypedChoiceField(
        label=gettext_lazy("week of the month"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *DayRule.Week.choices],
    )
    weekday = forms.TypedChoiceField(
        label=gettext_lazy("weekday"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *DayRule.Weekday.choices],
    )
    on_tie = forms.ChoiceField(
        label=gettext_lazy("when two working days are equally near"), choices=DayRule.Tie.choices
    )
    effective_from = MonthFormField(label=gettext_lazy("in force from"))
    note = forms.CharField(label=gettext_lazy("note"), required=False, max_length=200)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["organization"].label_from_instance = lambda o: o.full_name
        self.fields["kind"].widget.attrs = {}


DAY_LINE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:\.\.|~|至|—|-{2})\s*(\d{4}-\d{1,2}-\d{1,2}))?\s*(.*)$")


def parse_days(text: str, *, field: str) -> list[tuple[date, str]]:
    """Lines ``2027-01-01 元旦`` or ranges ``2027-10-01..2027-10-07 国庆节``; a bad line names its number."""
    out = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = DAY_LINE.match(line)
        try:
            if not match:
                raise ValueError
            first = date.fromisoformat(_pad(match.group(1)))
            last = date.fromisoformat(_pad(match.group(2))) if match.group(2) else first
        except ValueError as exc:
            raise forms.ValidationError(
                _("Line %(n)s (“%(line)s”): write a date as 2027-01-01, or a range as 2027-10-01..2027-10-07.")
                % {"n": number, "line": line[:40]}
            ) from exc
        if last < first or (last - first).days > 31:
            raise forms.ValidationError(
                _("Line %(n)s: the range must run forward and span at most a month.") % {"n": number}
            )
        name = match.group(3).strip()[:50]
        out.extend((first + timedelta(days=i), name) for i in range((last - first).days + 1))
    return out


def _pad(text: str) -> str:
    y, m, d = text.split("-")
    return f"{y}-{int(m):02d}-{int(d):02d}"


class CalendarForm(StyledForm):
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=2000, max_value=2100)
    document = forms.CharField(label=gettext_lazy("notice"), required=False, max_length=200)
    holidays = forms.CharField(
        label=gettext_lazy("Public holidays"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("One date or range a line, with the holiday's name: 2027-10-01..2027-10-07 国庆节"),
    )
    workdays = forms.CharField(
        label=gettext_lazy("Make-up workdays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Weekend days that are working days: 2027-09-26 国庆节调休"),
    )

    def clean_holidays(self):
        return parse_days(self.cleaned_data["holidays"], field="holidays")

    def clean_workdays(self):
        return parse_days(self.cleaned_data.get("workdays") or "", field="workdays")
