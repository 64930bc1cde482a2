"""The 为我推荐 page's form and the link that starts a booking request from a result."""

from urllib.parse import urlencode

from django import forms
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Organization
from orgs.selectors import branches_led_by, jurisdiction_of

from ..forms import BootstrapMixin, DateInput
from .ranking import RankedInstructor, Recommendations
from .text import MAX_QUERY_CHARS


class NeedForm(BootstrapMixin, forms.Form):
    """A need in the members' own words, the branch it is for and, optionally, the date."""

    q = forms.CharField(
        label=_("What do your members need?"),
        max_length=MAX_QUERY_CHARS,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("e.g. 村里年轻人都出去打工了，想请人讲讲怎么照顾好留守老人")}
        ),
    )
    branch = forms.ModelChoiceField(
        label=_("For the branch"), queryset=Organization.objects.none(), required=False, empty_label=None
    )
    date = forms.DateField(label=_("Lecture date (optional)"), required=False, widget=DateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        branch_ids = list(branches_led_by(user).values_list("pk", flat=True))
        asked = str(self.data.get("branch") or "")
        if asked.isdigit() and int(asked) not in branch_ids:
            # An admin may name any organization of its jurisdiction (e.g. from a link).
            org = Organization.objects.filter(pk=int(asked)).first()
            if org is not None and jurisdiction_of(user).covers(org):
                branch_ids.append(org.pk)
        field = self.fields["branch"]
        field.queryset = Organization.objects.filter(pk__in=branch_ids).order_by("path")
        self.branch_ids = branch_ids
        if branch_ids:
            field.initial = branch_ids[0]
        else:
            field.widget = forms.HiddenInput()

    def clean_q(self):
        value = self.cleaned_data["q"].strip()
        if not value:
            raise forms.ValidationError(_("Describe what your members need."))
        return value

    def clean_date(self):
        value = self.cleaned_data.get("date")
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("The date must not be in the past."))
        return value

    def clean_branch(self):
        # A secretary's link without a branch still ranks for the branch the secretary leads.
        value = self.cleaned_data.get("branch")
        if value is None and self.branch_ids:
            value = Organization.objects.get(pk=self.branch_ids[0])
        return value


#: The booking app's request form; it reads ``?instructor=&q=&date=``. Pool sits below booking, so the
#: link is found by name and falls back to the profile where booking is not installed.
BOOKING_FORM = "booking:new"


def booking_url(result: Recommendations, item: RankedInstructor) -> str:
    """The booking request form for this instructor, the need and the date; while the booking app
    has no such page, the instructor's profile."""
    params = {"instructor": item.id, "q": result.need}
    if result.day is not None:
        params["date"] = result.day.isoformat()
    try:
        return f"{reverse(BOOKING_FORM)}?{urlencode(params)}"
    except NoReverseMatch:
        return reverse("pool:instructor", args=[item.id])
