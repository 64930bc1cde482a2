"""Forms of the pool's pages: they validate input; the views pass it to one service."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Category, FeeGrade, Gender, Instructor, Recommendation, SubArea, Suggestion


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates render fields with one include."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def sub_area_field(category: str | None = None) -> forms.ModelMultipleChoiceField:
    qs = SubArea.objects.order_by("category", "order", "id")
    if category:
        qs = qs.filter(category=category)
    return forms.ModelMultipleChoiceField(
        queryset=qs, required=False, label=_("sub-areas"), widget=forms.CheckboxSelectMultiple
    )


class PoolCreateForm(BootstrapMixin, forms.Form):
    organization = forms.ModelChoiceField(queryset=None, label=_("organization"))

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class PoolForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("pool name"), max_length=100)
    quota_min = forms.IntegerField(label=_("target size"), min_value=0)
    quota_max = forms.IntegerField(label=_("maximum size"), min_value=0)
    doc_prefix = forms.CharField(label=_("document prefix"), max_length=40)


PROFILE_SELF_FIELDS = ["employer", "title", "phone", "email", "service_area", "monthly_limit", "bio", "sub_areas"]
PROFILE_ADMIN_FIELDS = [
    "name",
    "gender",
    "category",
    "fee_grade",
    "is_party_member",
    *PROFILE_SELF_FIELDS,
    "term_start",
    "term_end",
]


class InstructorProfileForm(BootstrapMixin, forms.Form):
    """The instructor's own profile; ``admin=True`` adds the fields only the pool's admins change."""

    name = forms.CharField(label=_("real name"), max_length=50)
    gender = forms.ChoiceField(label=_("gender"), choices=Gender.choices)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    fee_grade = forms.ChoiceField(label=_("fee grade"), choices=FeeGrade.choices)
    is_party_member = forms.BooleanField(label=_("party member"), required=False)
    employer = forms.CharField(label=_("employer"), max_length=200, required=False)
    title = forms.CharField(label=_("professional title"), max_length=50, required=False)
    phone = forms.CharField(label=_("mobile phone"), max_length=20, required=False)
    email = forms.CharField(label=_("e-mail"), max_length=200, required=False)
    service_area = forms.CharField(label=_("service area"), max_length=200, required=False)
    monthly_limit = forms.IntegerField(label=_("lectures per month at most"), min_value=1, max_value=31)
    bio = forms.CharField(label=_("biography"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    sub_areas = forms.ModelMultipleChoiceField(queryset=SubArea.objects.none(), required=False, label=_("sub-areas"))
    term_start = forms.DateField(label=_("term starts"), required=False, widget=DateInput())
    term_end = forms.DateField(label=_("term ends"), required=False, widget=DateInput())

    def __init__(self, *args, instructor: Instructor, admin: bool, **kwargs):
        initial = {name: getattr(instructor, name) for name in PROFILE_ADMIN_FIELDS if name != "sub_areas"}
        initial["sub_areas"] = list(instructor.sub_areas.all())
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["sub_areas"] = sub_area_field(None if admin else instructor.category)
        keep = PROFILE_ADMIN_FIELDS if admin else PROFILE_SELF_FIELDS
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.fields["sub_areas"].widget.attrs["class"] = "form-check-input"

    def changed(self) -> dict:
        """Only the fields the user changed, in the form the service takes."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.fields}


class TopicForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("topic title"), max_length=100)
    abstract = forms.CharField(label=_("abstract"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class OptionalTopicForm(TopicForm):
    title = forms.CharField(label=_("topic title"), max_length=100, required=False)


TopicFormSet = forms.formset_factory(OptionalTopicForm, extra=3, max_num=10)


class CallForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("call title"), max_length=120)
    requirements = forms.CharField(label=_("requirements"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    deadline = forms.DateField(label=_("deadline"), widget=DateInput())
    weight_basic = forms.IntegerField(label=_("weight of basic information"), min_value=0, max_value=100, initial=30)
    weight_teaching = forms.IntegerField(label=_("weight of teaching ability"), min_value=0, max_value=100, initial=40)
    weight_research = forms.IntegerField(
        label=_("weight of research and practice"), min_value=0, max_value=100, initial=30
    )
    reviewers = forms.CharField(
        label=_("reviewers"),
        required=False,
        help_text=_("User names, separated by spaces or commas."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Category.choices:
            self.fields[f"count_{value}"] = forms.IntegerField(
                label=label, min_value=0, max_value=500, initial=0, required=False
            )
            self.fields[f"count_{value}"].widget.attrs["class"] = "form-control"

    def category_fields(self):
        return [self[f"count_{value}"] for value in Category.values]

    def plain_fields(self):
        return [self[name] for name in self.fields if not name.startswith("count_")]

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline cannot be in the past."))
        return deadline

    def category_counts(self) -> dict[str, int]:
        return {v: self.cleaned_data.get(f"count_{v}") or 0 for v in Category.values}

    def reviewer_names(self) -> list[str]:
        raw = self.cleaned_data.get("reviewers", "").replace("，", ",").replace(",", " ")
        return [name for name in raw.split() if name]


class ReviewersForm(BootstrapMixin, forms.Form):
    reviewers = forms.CharField(
        label=_("reviewers"), required=False, help_text=_("User names, separated by spaces or commas.")
    )

    def reviewer_names(self) -> list[str]:
        raw = self.cleaned_data.get("reviewers", "").replace("，", ",").replace(",", " ")
        return [name for name in raw.split() if name]


class RecommendForm(BootstrapMixin, forms.Form):
    recommending_org = forms.ModelChoiceField(queryset=None, label=_("recommending unit"))
    name = forms.CharField(label=_("real name"), max_length=50)
    gender = forms.ChoiceField(label=_("gender"), choices=Gender.choices)
    category = forms.ChoiceField(label=_("category"), choices=())
    employer = forms.CharField(label=_("employer"), max_length=200)
    title = forms.CharField(label=_("professional title"), max_length=50, required=False)
    is_party_member = forms.BooleanField(label=_("party member"), required=False, initial=True)
    phone = forms.CharField(label=_("mobile phone"), max_length=20, required=False)
    bio = forms.CharField(label=_("biography"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    reason = forms.CharField(
        label=_("reason for the recommendation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    consent_given = forms.BooleanField(
        label=_("The candidate has agreed to be recommended (经本人同意)"),
        required=True,
        error_messages={"required": _("A candidate is recommended only with their consent (经本人同意).")},
    )
    consent_method = forms.ChoiceField(
        label=_("how the candidate consented"), choices=Recommendation.ConsentMethod.choices
    )
    consent_date = forms.DateField(label=_("consent given on"), widget=DateInput())

    def __init__(self, *args, organizations, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommending_org"].queryset = organizations
        self.fields["recommending_org"].empty_label = None
        self.fields["category"].choices = [(v, label) for v, label in Category.choices if v in categories]

    def candidate(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in ("name", "gender", "category", "employer", "title", "is_party_member", "phone", "bio")
        }


class ReviewForm(BootstrapMixin, forms.Form):
    score_basic = forms.IntegerField(label=_("basic information"), min_value=0, max_value=100)
    score_teaching = forms.IntegerField(label=_("teaching ability"), min_value=0, max_value=100)
    score_research = forms.IntegerField(label=_("research or practice results"), min_value=0, max_value=100)
    comment = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class DecisionForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[("approve", _("Approve")), ("reserve", _("Keep as reserve")), ("reject", _("Do not select"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"


class AppointForm(BootstrapMixin, forms.Form):
    agreement_date = forms.DateField(label=_("agreement signed on"), widget=DateInput())
    term_start = forms.DateField(label=_("term starts"), widget=DateInput())
    term_end = forms.DateField(label=_("term ends"), widget=DateInput())
    override_reason = forms.CharField(
        label=_("quota override reason"),
        required=False,
        help_text=_("Only needed when the pool is full."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault(
            "initial",
            {"agreement_date": today, "term_start": today, "term_end": today.replace(year=today.year + 3)},
        )
        super().__init__(*args, **kwargs)


class TransitionForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label=_("new status"), choices=())
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    override_reason = forms.CharField(
        label=_("quota override reason"),
        required=False,
        help_text=_("Only needed when the pool is full."),
    )

    def __init__(self, *args, instructor: Instructor, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Instructor.Status.choices)
        allowed = instructor.allowed_transitions()
        # an appointment goes through the appointment form (agreement, term, letter)
        if instructor.status in (Instructor.Status.APPROVED, Instructor.Status.RESERVE):
            allowed.discard(Instructor.Status.APPOINTED)
        self.fields["status"].choices = [(s, labels[s]) for s in Instructor.Status.values if s in allowed]


class LinkUserForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label=_("user name"), max_length=150)


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("file (.xlsx or .csv)"))
    override_reason = forms.CharField(
        label=_("quota override reason"),
        required=False,
        help_text=_("Only needed when a pool would exceed its maximum."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        return upload


class PublishForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("document title"), max_length=200, required=False)
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SuggestionForm(BootstrapMixin, forms.Form):
    about = forms.ChoiceField(label=_("about"), choices=Suggestion.About.choices)
    subject = forms.CharField(label=_("subject"), max_length=120)
    body = forms.CharField(label=_("suggestion"), widget=forms.Textarea(attrs={"rows": 4}))


class AnswerForm(BootstrapMixin, forms.Form):
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 3}))
