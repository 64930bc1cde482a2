"""Forms of the evaluation pages; the services check the rules again."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pool.models import Instructor, Pool

from .models import DisciplineIncident, Outcome
from .services import MAX_COMMENT

SCORES = [(n, str(n)) for n in range(1, 6)]


class RatingForm(forms.Form):
    content = forms.TypedChoiceField(
        label=_("Content"),
        help_text=_("Is the content accurate, up to date and well organized?"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    delivery = forms.TypedChoiceField(
        label=_("Delivery"),
        help_text=_("Is it clear, lively and easy to follow?"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    practical = forms.TypedChoiceField(
        label=_("Practical value"),
        help_text=_("Does it help with your work and the branch's work?"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("What was good, what could be better (optional)")}),
    )


class LinksForm(forms.Form):
    count = forms.IntegerField(
        label=_("Number of one-time links"),
        min_value=1,
        help_text=_("One card per attendee without an account; each link can be used once."),
    )


class RunStartForm(forms.Form):
    pool = forms.ModelChoiceField(label=_("Pool"), queryset=Pool.objects.none(), empty_label=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000)

    def __init__(self, *args, pools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pool"].queryset = pools if pools is not None else Pool.objects.none()
        self.fields["year"].max_value = timezone.localdate().year
        self.fields["year"].initial = timezone.localdate().year


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Your decision"), choices=Outcome.choices)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.TextInput())


class IncidentForm(forms.Form):
    instructor = forms.ModelChoiceField(label=_("Instructor"), queryset=Instructor.objects.none())
    occurred_on = forms.DateField(label=_("occurred on"), widget=forms.DateInput(attrs={"type": "date"}))
    handling = forms.ChoiceField(label=_("handling"), choices=DisciplineIncident.Handling.choices)
    description = forms.CharField(label=_("what happened"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, instructors=None, **kwargs):
        super().__init__(*args, **kwargs)
        if instructors is not None:
            self.fields["instructor"].queryset = instructors
