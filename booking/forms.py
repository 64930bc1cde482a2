"""Forms of the booking pages: they validate input; the views pass it to one service."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pool.forms import BootstrapMixin, DateInput
from pool.models import Category

from .models import Booking, Weekday
from .services import MAX_CLASS_HOURS


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def combine(day, at) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


class LectureTimeMixin:
    """A date and two times on the page; the services take aware datetimes."""

    def lecture_times(self) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        return combine(data["day"], data["starts"]), combine(data["day"], data["ends"])


class BookingRequestForm(LectureTimeMixin, BootstrapMixin, forms.Form):
    branch = forms.ModelChoiceField(queryset=None, label=_("requesting branch"), empty_label=None)
    instructor = forms.IntegerField(widget=forms.HiddenInput, required=False)
    topic = forms.CharField(label=_("lecture topic"), max_length=120)
    category = forms.ChoiceField(
        label=_("category"), required=False, choices=[("", _("Any category")), *Category.choices]
    )
    description = forms.CharField(
        label=_("what the branch needs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who attends, what they should take away, the room and its equipment."),
    )
    day = forms.DateField(label=_("date"), widget=DateInput())
    starts = forms.TimeField(label=_("from"), widget=TimeInput())
    ends = forms.TimeField(label=_("until"), widget=TimeInput())
    class_hours = forms.IntegerField(label=_("class hours"), min_value=1, max_value=MAX_CLASS_HOURS, initial=2)
    mode = forms.ChoiceField(
        label=_("form"), choices=Booking.Mode.choices, initial=Booking.Mode.ONSITE, widget=forms.RadioSelect
    )
    place = forms.CharField(label=_("place or meeting link"), max_length=200, required=False)
    audience_size = forms.IntegerField(label=_("audience size"), min_value=1, initial=30)
    contact_name = forms.CharField(label=_("contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=20, required=False)

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mode"].widget.attrs["class"] = "form-check-input"
        self.fields["branch"].queryset = branches
        if branches is not None and branches.count() == 1:
            self.fields["branch"].widget = forms.HiddenInput()
            self.fields["branch"].initial = branches.first().pk


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class NoteForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ProposeForm(LectureTimeMixin, BootstrapMixin, forms.Form):
    day = forms.DateField(label=_("date"), widget=DateInput())
    starts = forms.TimeField(label=_("from"), widget=TimeInput())
    ends = forms.TimeField(label=_("until"), widget=TimeInput())
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class WindowForm(BootstrapMixin, forms.Form):
    # a blank first choice, so an untouched extra row stays empty and is skipped
    weekday = forms.TypedChoiceField(label=_("weekday"), choices=[("", "—"), *Weekday.choices], coerce=int)
    starts = forms.TimeField(label=_("from"), widget=TimeInput())
    ends = forms.TimeField(label=_("until"), widget=TimeInput())


WindowFormSet = forms.formset_factory(WindowForm, extra=2, can_delete=True)


class BlockedForm(BootstrapMixin, forms.Form):
    first_day = forms.DateField(label=_("first day"), widget=DateInput())
    last_day = forms.DateField(label=_("last day"), widget=DateInput(), required=False)
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class LimitForm(BootstrapMixin, forms.Form):
    monthly_limit = forms.IntegerField(label=_("lectures per month at most"), min_value=1, max_value=31)
