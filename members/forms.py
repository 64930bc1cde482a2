"""Page forms: they check the shape of the input; the services check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.models import Organization, User
from orgs.selectors import jurisdiction_of, org_by_full_name

from .models import (
    DuesCategory,
    Gender,
    Member,
    MobileContact,
    MobileNotice,
    MobileParticipation,
    Partnership,
    PersonalDataAccess,
    ProbationDecision,
    ProbationFeedback,
    RecordExemption,
)

CHOICE_LIMIT = 300


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class StyledForm(forms.Form):
    """Bootstrap classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self) -> None:
        for f in self.fields.values():
            widget = f.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", 3)


class OrganizationNameField(forms.CharField):
    """An organization typed by its full name (the tree is too large for a list)."""

    def __init__(self, *, kinds=Organization.BRANCH_KINDS, **kwargs):
        self.kinds = tuple(kinds)
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("help_text", _("The full name, e.g. 沛城街道汉兴社区党支部."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        org = org_by_full_name(value.strip())
        if org is None or org.kind not in self.kinds:
            raise forms.ValidationError(_("No organization of this kind has this name."))
        return org


def branch_field(actor: User, *, label, required: bool = True, kinds=Organization.BRANCH_KINDS) -> forms.Field:
    """A choice of the branches in the actor's jurisdiction, or a name field when they are too many."""
    j = jurisdiction_of(actor)
    qs = Organization.objects.filter(kind__in=kinds, is_active=True)
    if not j.is_superuser:
        qs = qs.filter(j.q(""))
    qs = qs.order_by("path")
    if qs[: CHOICE_LIMIT + 1].count() <= CHOICE_LIMIT:
        field = forms.ModelChoiceField(queryset=qs, label=label, required=required)
        field.label_from_instance = lambda o: o.full_name
        if required and qs.count() == 1:
            field.initial = qs.first().pk
        return field
    return OrganizationNameField(label=label, required=required, kinds=kinds)


def group_field(actor: User, *, label=None) -> forms.Field:
    label = label or _("party group")
    j = jurisdiction_of(actor)
    qs = Organization.objects.filter(kind=Organization.Kind.GROUP, is_active=True)
    if not j.is_superuser:
        qs = qs.filter(j.q(""))
    qs = qs.select_related("parent").order_by("path")
    if qs[: CHOICE_LIMIT + 1].count() <= CHOICE_LIMIT:
        field = forms.ModelChoiceField(queryset=qs, label=label, required=False)
        field.label_from_instance = lambda o: f"{o.parent.name} · {o.name}" if o.parent_id else o.name
        return field
    return OrganizationNameField(label=label, required=False, kinds=[Organization.Kind.GROUP])


class MemberForm(StyledForm):
    name = forms.CharField(label=_("name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=30)
    gender = forms.ChoiceField(label=_("gender"), choices=[("", "—"), *Gender.choices], required=False)
    phone = forms.CharField(label=_("mobile phone"), max_length=20, required=False)
    joined_on = forms.DateField(label=_("date of joining"), widget=DateInput())
    status = forms.ChoiceField(label=_("membership"), choices=Member.Status.choices)
    is_leading_cadre = forms.BooleanField(label=_("leading cadre"), required=False)
    dues_category = forms.ChoiceField(label=_("dues category"), choices=DuesCategory.choices)
    monthly_income = forms.DecimalField(label=_("monthly income (yuan)"), required=False, min_value=0)

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"branch": branch_field(actor, label=_("branch")), "group": group_field(actor), **self.fields}
        self.style_fields()


class MemberEditForm(StyledForm):
    name = forms.CharField(label=_("name"), max_length=50)
    phone = forms.CharField(label=_("mobile phone (leave empty to keep)"), max_length=20, required=False)
    is_leading_cadre = forms.BooleanField(label=_("leading cadre"), required=False)
    dues_category = forms.ChoiceField(label=_("dues category"), choices=DuesCategory.choices)
    monthly_income = forms.DecimalField(label=_("monthly income (yuan)"), required=False, min_value=0)


class RevealForm(StyledForm):
    field = forms.ChoiceField(
        label=_("data"),
        choices=[
            (PersonalDataAccess.Field.ID_NUMBER.value, _("ID number")),
            (PersonalDataAccess.Field.PHONE.value, _("mobile phone")),
        ],
    )
    reason = forms.CharField(label=_("reason"), max_length=200)


class LeaveForm(StyledForm):
    left_on = forms.DateField(label=_("left on"), widget=DateInput())
    reason = forms.ChoiceField(
        label=_("reason for leaving"),
        choices=[c for c in Member.LeftReason.choices if c[0] != Member.LeftReason.PROBATION_CANCELLED],
    )
    note = forms.CharField(label=_("remarks"), required=False, widget=forms.Textarea)


class ImportForm(StyledForm):
    file = forms.FileField(label=_("roster (.xlsx)"))

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"] = branch_field(actor, label=_("branch of rows without one"), required=False)
        self.style_fields()


class FullExportForm(StyledForm):
    reason = forms.CharField(label=_("reason for exporting full ID numbers and phones"), max_length=200)


class DecisionForm(StyledForm):
    outcome = forms.ChoiceField(label=_("decision"), choices=ProbationDecision.Outcome.choices)
    meeting_on = forms.DateField(label=_("branch meeting date"), widget=DateInput())
    votes_for = forms.IntegerField(label=_("votes for"), min_value=0)
    votes_against = forms.IntegerField(label=_("votes against"), min_value=0, initial=0)
    abstentions = forms.IntegerField(label=_("abstentions"), min_value=0, initial=0)
    extension_months = forms.IntegerField(label=_("extension (months)"), required=False, min_value=6, max_value=12)
    meeting_notes = forms.CharField(label=_("meeting record"), required=False, widget=forms.Textarea)


class ApproveForm(StyledForm):
    approve = forms.TypedChoiceField(
        label=_("answer"), choices=[("1", _("Approve")), ("0", _("Do not approve"))], coerce=lambda v: v == "1"
    )
    approved_on = forms.DateField(label=_("approval date"), widget=DateInput(), required=False)
    approval_ref = forms.CharField(label=_("approval document number"), max_length=100, required=False)
    notes = forms.CharField(label=_("remarks"), required=False, widget=forms.Textarea)


class ExemptionForm(StyledForm):
    reason = forms.ChoiceField(label=_("reason"), choices=RecordExemption.Reason.choices)
    details = forms.CharField(label=_("details"), required=False, widget=forms.Textarea)


class ExemptionAnswerForm(StyledForm):
    approve = forms.TypedChoiceField(
        label=_("answer"), choices=[("1", _("Approve")), ("0", _("Do not approve"))], coerce=lambda v: v == "1"
    )
    notes = forms.CharField(label=_("remarks"), required=False, widget=forms.Textarea)


class ActivistForm(StyledForm):
    name = forms.CharField(label=_("name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=30)
    phone = forms.CharField(label=_("mobile phone"), max_length=20, required=False)
    applied_on = forms.DateField(label=_("application submitted"), widget=DateInput())
    activist_since = forms.DateField(label=_("activist since"), widget=DateInput())
    mentors = forms.CharField(label=_("cultivation contacts"), max_length=100, required=False)

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"branch": branch_field(actor, label=_("branch")), **self.fields}
        self.style_fields()


class ActivistStepForm(StyledForm):
    step = forms.ChoiceField(
        label=_("next step"),
        choices=[
            ("promote", _("Make candidate for admission")),
            ("admit", _("Admit as probationary member")),
            ("drop", _("Stop cultivating")),
        ],
    )
    on = forms.DateField(label=_("date"), widget=DateInput(), required=False)
    reason = forms.CharField(label=_("reason"), required=False, widget=forms.Textarea)


class OutflowForm(StyledForm):
    destination = forms.CharField(label=_("destination"), max_length=200)
    reason = forms.CharField(label=_("reason for going out"), max_length=200, required=False)
    left_on = forms.DateField(label=_("went out on"), widget=DateInput())
    inflow_branch = OrganizationNameField(label=_("inflow branch (when known)"), required=False)
    certificate_number = forms.CharField(
        label=_("mobile member certificate number"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to take the next number of the county organization department."),
    )
    certificate_issued_on = forms.DateField(label=_("certificate issued"), widget=DateInput())
    certificate_valid_until = forms.DateField(label=_("certificate valid until"), widget=DateInput())
    pre_departure_talk = forms.CharField(label=_("pre-departure education"), required=False, widget=forms.Textarea)


class LookupForm(StyledForm):
    certificate_number = forms.CharField(label=_("mobile member certificate number"), max_length=40)
    name = forms.CharField(label=_("name on the certificate"), max_length=50)


class RegisterForm(LookupForm):
    registered_on = forms.DateField(label=_("registered at inflow on"), widget=DateInput())
    certificate_verified = forms.BooleanField(
        label=_("I have checked the certificate and the member's identity"), required=False
    )
    note = forms.CharField(label=_("remarks"), required=False, widget=forms.Textarea)

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"] = branch_field(actor, label=_("place in branch"))
        self.fields["group"] = group_field(actor, label=_("place in party group"))
        self.style_fields()


class ContactForm(StyledForm):
    contacted_on = forms.DateField(label=_("contact date"), widget=DateInput())
    method = forms.ChoiceField(label=_("way of contact"), choices=MobileContact.Method.choices)
    reached = forms.BooleanField(label=_("reached the member"), required=False, initial=True)
    situation = forms.CharField(label=_("thinking, work and life"), required=False, widget=forms.Textarea)
    matters_notified = forms.CharField(label=_("matters notified"), required=False, widget=forms.Textarea)


class NoticeForm(StyledForm):
    kind = forms.ChoiceField(label=_("kind"), choices=MobileNotice.Kind.choices)
    subject = forms.CharField(label=_("subject"), max_length=200)
    body = forms.CharField(label=_("content"), widget=forms.Textarea)


class ParticipationForm(StyledForm):
    kind = forms.ChoiceField(label=_("kind"), choices=MobileParticipation.Kind.choices)
    occurred_on = forms.DateField(label=_("date"), widget=DateInput())
    description = forms.CharField(label=_("description"), max_length=300)
    dues_amount = forms.DecimalField(label=_("amount (yuan)"), required=False, min_value=0, decimal_places=2)
    dues_month = forms.DateField(label=_("dues for month"), required=False, widget=DateInput())


class FeedbackForm(StyledForm):
    opinion = forms.ChoiceField(label=_("opinion on conversion"), choices=ProbationFeedback.Opinion.choices)
    conduct = forms.CharField(label=_("conduct during probation"), widget=forms.Textarea)
    written_on = forms.DateField(label=_("written on"), widget=DateInput())


class ReturnForm(StyledForm):
    returned_on = forms.DateField(label=_("returned on"), widget=DateInput())
    certificate_checked = forms.BooleanField(label=_("certificate checked on return"), required=False)
    conduct = forms.CharField(label=_("conduct while away"), widget=forms.Textarea)
    org_life = forms.CharField(label=_("organizational life while away"), required=False, widget=forms.Textarea)


class RelocateForm(StyledForm):
    destination = forms.CharField(label=_("new destination"), max_length=200)
    inflow_branch = OrganizationNameField(label=_("next inflow branch (when known)"), required=False)
    reason = forms.CharField(label=_("remarks"), required=False, widget=forms.Textarea)


class CensusForm(StyledForm):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        field = forms.ModelChoiceField(queryset=organizations, label=_("organization"))
        field.label_from_instance = lambda o: o.full_name
        self.fields = {"organization": field, **self.fields}
        self.style_fields()


class PartnershipForm(StyledForm):
    kind = forms.ChoiceField(label=_("kind"), choices=Partnership.Kind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    outflow_org = OrganizationNameField(
        label=_("outflow-side organization"), kinds=list(Organization.Kind.values), help_text=""
    )
    inflow_org = OrganizationNameField(
        label=_("inflow-side organization"), kinds=list(Organization.Kind.values), help_text=""
    )
    document_number = forms.CharField(label=_("document number"), max_length=100, required=False)
    signed_on = forms.DateField(label=_("signed on"), widget=DateInput())
    duties = forms.CharField(label=_("duties of each side"), required=False, widget=forms.Textarea)
    targets = forms.CharField(label=_("goals, tasks and methods"), required=False, widget=forms.Textarea)
    safeguards = forms.CharField(label=_("safeguards"), required=False, widget=forms.Textarea)
    review_interval_months = forms.IntegerField(label=_("review every (months)"), min_value=1, max_value=24, initial=6)


class ReviewForm(StyledForm):
    held_on = forms.DateField(label=_("held on"), widget=DateInput())
    summary = forms.CharField(label=_("summary"), widget=forms.Textarea)
