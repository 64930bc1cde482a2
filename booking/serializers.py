from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orgs.serializer_fields import ChoiceLabelField
from pool.models import Category

from .fees import format_yuan
from .models import BlockedPeriod, Booking, BookingStatusChange, FeeRate, FeeStandard, OpenAnswer, TimeProposal, Weekday
from .permissions import can_see_contact
from .services import MAX_CLASS_HOURS


class FeeSerializer(serializers.Serializer):
    standard = serializers.CharField(help_text="The fee standard's document number, e.g. 财行〔2016〕540号.")
    unit = serializers.ChoiceField(choices=FeeStandard.Unit.choices)
    rate = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="元 per unit, after tax.")
    units = serializers.IntegerField(help_text="Half days or class hours paid.")
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="元, after tax.")
    display = serializers.CharField()


class ProposalSerializer(serializers.ModelSerializer):
    status_name = ChoiceLabelField("status")

    class Meta:
        model = TimeProposal
        fields = ["id", "starts_at", "ends_at", "note", "status", "status_name", "created_at", "decided_at"]


class BookingSerializer(serializers.ModelSerializer):
    """A booking as the caller may see it: the contact phone is full for the two sides, masked for
    supervising admins."""

    status_name = ChoiceLabelField("status")
    kind_name = ChoiceLabelField("kind")
    mode_name = ChoiceLabelField("mode")
    category_name = serializers.SerializerMethodField()
    branch_name = serializers.CharField(source="branch.full_name", read_only=True)
    instructor_name = serializers.CharField(source="instructor.name", read_only=True, default=None, allow_null=True)
    instructor_code = serializers.CharField(source="instructor.code", read_only=True, default=None, allow_null=True)
    fee = serializers.SerializerMethodField()
    contact_phone = serializers.SerializerMethodField()
    pending_proposal = serializers.SerializerMethodField()
    answers_offered = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = [
            "id",
            "kind",
            "kind_name",
            "status",
            "status_name",
            "branch",
            "branch_name",
            "instructor",
            "instructor_name",
            "instructor_code",
            "topic",
            "category",
            "category_name",
            "description",
            "starts_at",
            "ends_at",
            "class_hours",
            "mode",
            "mode_name",
            "place",
            "audience_size",
            "contact_name",
            "contact_phone",
            "respond_by",
            "closing_reason",
            "fee",
            "pending_proposal",
            "answers_offered",
            "created_at",
            "delivered_at",
        ]

    def get_category_name(self, booking) -> str:
        return booking.get_category_display() if booking.category else ""

    @extend_schema_field(FeeSerializer(allow_null=True))
    def get_fee(self, booking):
        if booking.fee_amount is None or booking.fee_standard is None:
            return None
        unit = booking.fee_standard.get_unit_display()
        fee = {
            "standard": booking.fee_standard.number,
            "unit": booking.fee_standard.unit,
            "rate": booking.fee_rate,
            "units": booking.fee_units,
            "amount": booking.fee_amount,
            "display": (
                f"{booking.fee_units} × {format_yuan(booking.fee_rate)}（{unit}）= {format_yuan(booking.fee_amount)}"
            ),
        }
        return FeeSerializer(fee).data

    @extend_schema_field(OpenApiTypes.STR)
    def get_contact_phone(self, booking) -> str:
        if not booking.contact_phone:
            return ""
        user = self.context["request"].user
        return booking.contact_phone if can_see_contact(user, booking) else booking.masked_contact_phone

    @extend_schema_field(ProposalSerializer(allow_null=True))
    def get_pending_proposal(self, booking):
        pending = getattr(booking, "pending_proposals", None)
        if pending is None:
            pending = list(booking.proposals.filter(status=TimeProposal.Status.PENDING))
        return ProposalSerializer(pending[0]).data if pending else None

    def get_answers_offered(self, booking) -> int:
        value = getattr(booking, "offered_answers", None)
        if value is None:
            value = booking.answers.filter(status=OpenAnswer.Status.OFFERED).count()
        return value


class BookingCreateSerializer(serializers.Serializer):
    branch = serializers.IntegerField(
        required=False, help_text="The requesting branch; optional for a secretary of one branch only."
    )
    instructor = serializers.IntegerField(
        required=False, allow_null=True, help_text="Address one instructor; leave out for an open request."
    )
    topic = serializers.CharField(max_length=120)
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    class_hours = serializers.IntegerField(min_value=1, max_value=MAX_CLASS_HOURS)
    mode = serializers.ChoiceField(choices=Booking.Mode.choices, default=Booking.Mode.ONSITE)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    audience_size = serializers.IntegerField(min_value=1)
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class BookingReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ProposeSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AnswerWriteSerializer(serializers.Serializer):
    instructor = serializers.IntegerField(
        required=False, help_text="For a pool admin answering for an instructor without a log-in."
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PickSerializer(serializers.Serializer):
    answer = serializers.IntegerField()


class OpenAnswerSerializer(serializers.ModelSerializer):
    status_name = ChoiceLabelField("status")
    instructor_name = serializers.CharField(source="instructor.name", read_only=True)
    instructor_code = serializers.CharField(source="instructor.code", read_only=True)
    instructor_title = serializers.CharField(source="instructor.title", read_only=True)
    instructor_employer = serializers.CharField(source="instructor.employer", read_only=True)
    level = serializers.CharField(source="instructor.pool.level", read_only=True)

    class Meta:
        model = OpenAnswer
        fields = [
            "id",
            "booking",
            "instructor",
            "instructor_name",
            "instructor_code",
            "instructor_title",
            "instructor_employer",
            "level",
            "note",
            "status",
            "status_name",
            "created_at",
        ]


class BookingStatusChangeSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name", default=None, allow_null=True, read_only=True)
    from_status_name = serializers.CharField(source="from_status_label", read_only=True)
    to_status_name = serializers.CharField(source="to_status_label", read_only=True)

    class Meta:
        model = BookingStatusChange
        fields = ["from_status", "from_status_name", "to_status", "to_status_name", "actor", "reason", "created_at"]


# --- schedules -------------------------------------------------------------------------------------


class WindowSerializer(serializers.Serializer):
    weekday = serializers.ChoiceField(choices=Weekday.choices, help_text="0 = Monday … 6 = Sunday.")
    starts = serializers.TimeField(format="%H:%M")
    ends = serializers.TimeField(format="%H:%M")


class BlockedPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = BlockedPeriod
        fields = ["id", "first_day", "last_day", "reason"]
        extra_kwargs = {"last_day": {"required": False}, "reason": {"required": False}}


class ScheduleSerializer(serializers.Serializer):
    instructor = serializers.IntegerField(source="instructor.pk")
    instructor_name = serializers.CharField(source="instructor.name")
    monthly_limit = serializers.IntegerField(source="instructor.monthly_limit")
    weekly = WindowSerializer(many=True, source="windows")
    blocked = BlockedPeriodSerializer(many=True)
    feed_url = serializers.SerializerMethodField(help_text="The private iCalendar feed; only for the instructor.")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_feed_url(self, schedule) -> str | None:
        request = self.context["request"]
        if schedule.feed is None or schedule.instructor.user_id != request.user.pk:
            return None
        from django.urls import reverse

        return request.build_absolute_uri(reverse("booking:feed", args=[schedule.feed.token]))


class ScheduleUpdateSerializer(serializers.Serializer):
    monthly_limit = serializers.IntegerField(min_value=1, max_value=31, required=False)
    weekly = WindowSerializer(many=True, required=False)


class FeedSerializer(serializers.Serializer):
    feed_url = serializers.URLField()


class FeeRateSerializer(serializers.ModelSerializer):
    grade_name = ChoiceLabelField("grade")

    class Meta:
        model = FeeRate
        fields = ["grade", "grade_name", "amount"]


class FeeStandardSerializer(serializers.ModelSerializer):
    unit_name = ChoiceLabelField("unit")
    rates = FeeRateSerializer(many=True, read_only=True)

    class Meta:
        model = FeeStandard
        fields = [
            "id",
            "number",
            "title",
            "effective_from",
            "unit",
            "unit_name",
            "max_hours_per_half_day",
            "note",
            "rates",
        ]
