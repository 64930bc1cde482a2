"""Input and output shapes of the activity API. Input serializers only check types; services check rules."""

from datetime import date, datetime

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.models import Booking
from members.models import Activist, Member
from orgs.api_base import PrimaryKeyRelatedField
from orgs.models import Organization

from .models import (
    Activity,
    Attachment,
    Attendance,
    ContentType,
    DayRule,
    ExcellentCase,
    HolidayCalendar,
    MonthlyReport,
    Question,
)

# YYYY-MM from 2000-01 to 2100-12, the months MonthField takes.
MONTH_SCHEMA = {"type": "string", "pattern": r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$", "example": "2026-10"}


@extend_schema_field(MONTH_SCHEMA)
class MonthField(serializers.Field):
    """A month written ``YYYY-MM`` (a full date is taken as its month); the first day of it."""

    default_error_messages = {"invalid": "YYYY-MM"}

    def to_internal_value(self, data):
        text = str(data or "").strip()
        for fmt in ("%Y-%m", "%Y-%m-%d"):
            try:
                month = datetime.strptime(text, fmt).date().replace(day=1)
            except ValueError:
                continue
            if 2000 <= month.year <= 2100:
                return month
        self.fail("invalid")

    def to_representation(self, value: date):
        return f"{value:%Y-%m}"


def _branches():
    return Organization.objects.filter(kind__in=Organization.BRANCH_KINDS)


# --- calendar and rules -----------------------------------------------------------------------------


class CalendarDayInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class HolidayCalendarWriteSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    document = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    holidays = CalendarDayInputSerializer(many=True)
    workdays = CalendarDayInputSerializer(many=True, required=False, default=list)


class HolidayCalendarSerializer(serializers.ModelSerializer):
    holidays = serializers.SerializerMethodField()
    workdays = serializers.SerializerMethodField()

    class Meta:
        model = HolidayCalendar
        fields = ["year", "document", "holidays", "workdays", "updated_at"]

    def _days(self, obj, kind) -> list[dict]:
        return [{"date": d.day, "name": d.name} for d in obj.days.all() if d.kind == kind]

    @extend_schema_field(CalendarDayInputSerializer(many=True))
    def get_holidays(self, obj):
        return self._days(obj, "holiday")

    @extend_schema_field(CalendarDayInputSerializer(many=True))
    def get_workdays(self, obj):
        return self._days(obj, "workday")


class DayRuleSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.full_name", read_only=True)
    label = serializers.CharField(read_only=True)

    class Meta:
        model = DayRule
        fields = [
            "id",
            "organization",
            "organization_name",
            "kind",
            "day",
            "week",
            "weekday",
            "on_tie",
            "effective_from",
            "label",
            "note",
            "created_at",
        ]


class DayRuleWriteSerializer(serializers.Serializer):
    organization = PrimaryKeyRelatedField(queryset=Organization.objects.all())
    kind = serializers.ChoiceField(choices=DayRule.Kind.choices)
    day = serializers.IntegerField(required=False, allow_null=True)
    week = serializers.ChoiceField(choices=DayRule.Week.choices, required=False, allow_null=True)
    weekday = serializers.ChoiceField(choices=DayRule.Weekday.choices, required=False, allow_null=True)
    on_tie = serializers.ChoiceField(choices=DayRule.Tie.choices, required=False, default=DayRule.Tie.LATER)
    effective_from = MonthField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RuleMonthSerializer(serializers.Serializer):
    month = MonthField()
    nominal = serializers.DateField()
    date = serializers.DateField(allow_null=True)
    shifted = serializers.BooleanField()
    holiday = serializers.CharField()
    missing_year = serializers.IntegerField(allow_null=True)


class RuleDatesSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    calendar_missing = serializers.BooleanField()
    months = RuleMonthSerializer(many=True)


class PlannedDaySerializer(serializers.Serializer):
    branch = serializers.IntegerField(source="branch.pk")
    branch_name = serializers.CharField(source="branch.full_name")
    month = MonthField()
    date = serializers.DateField(allow_null=True)
    date_by_rule = serializers.DateField(source="by_rule.date", allow_null=True, default=None)
    nominal = serializers.DateField(source="by_rule.nominal", allow_null=True, default=None)
    holiday = serializers.CharField(source="by_rule.holiday", default="")
    rule = serializers.CharField(source="rule.label", allow_null=True, default=None)
    moved = serializers.SerializerMethodField()
    move_reason = serializers.CharField(source="move.reason", default="")
    missing_year = serializers.IntegerField(allow_null=True)

    def get_moved(self, obj) -> bool:
        return obj.move is not None


class DayMoveSerializer(serializers.Serializer):
    branch = PrimaryKeyRelatedField(queryset=_branches())
    month = MonthField(required=False, help_text="The month whose day moves; by default the month of moved_to.")
    moved_to = serializers.DateField()
    reason = serializers.CharField(max_length=300)


# --- activities -------------------------------------------------------------------------------------


class LinkedLectureSerializer(serializers.ModelSerializer):
    """The booked lecture given at the activity (booking app)."""

    instructor_name = serializers.CharField(source="instructor.name", read_only=True)

    class Meta:
        model = Booking
        fields = ["id", "topic", "instructor", "instructor_name", "starts_at", "ends_at", "status"]


class ActivitySerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(source="branch.full_name", read_only=True)
    lecture = LinkedLectureSerializer(read_only=True, allow_null=True)
    content_types = serializers.ListField(child=serializers.CharField(), source="content_kinds", read_only=True)
    attendance_rate = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "branch",
            "branch_name",
            "is_activity_day",
            "held_on",
            "starts_at",
            "ends_at",
            "theme",
            "content_types",
            "form",
            "place",
            "host",
            "status",
            "lecturer_kind",
            "lecturer_name",
            "lecture",
            "expected_count",
            "present_count",
            "excused_count",
            "absent_count",
            "attendance_rate",
            "recorded_at",
        ]


class AttendanceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["member", "name", "status", "reason", "is_mobile_guest", "absent_streak", "updated_at"]


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "kind", "content_type", "size", "uploaded_at", "url"]

    def get_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("activity:attachment", args=[obj.pk])


class InviteeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Activist
        fields = ["id", "name", "status"]


class ActivityDetailSerializer(ActivitySerializer):
    invitees = InviteeSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    attendance = AttendanceSerializer(many=True, read_only=True)

    class Meta(ActivitySerializer.Meta):
        fields = [
            *ActivitySerializer.Meta.fields,
            "summary",
            "report_last_month",
            "plan_next_month",
            "lecturer_member",
            "invitees",
            "attachments",
            "attendance",
        ]


class ActivityFieldsMixin(serializers.Serializer):
    theme = serializers.CharField(max_length=200)
    content_types = serializers.MultipleChoiceField(choices=ContentType.choices)
    form = serializers.ChoiceField(choices=Activity.Form.choices, required=False)
    starts_at = serializers.TimeField(required=False, allow_null=True)
    ends_at = serializers.TimeField(required=False, allow_null=True)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    host = serializers.CharField(max_length=50, required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)
    report_last_month = serializers.CharField(required=False, allow_blank=True)
    plan_next_month = serializers.CharField(required=False, allow_blank=True)
    lecturer_kind = serializers.ChoiceField(choices=Activity.Lecturer.choices, required=False, allow_blank=True)
    lecturer_member = PrimaryKeyRelatedField(queryset=Member.objects.all(), required=False, allow_null=True)
    lecturer_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    lecture = serializers.PrimaryKeyRelatedField(
        queryset=Booking.objects.all(),
        required=False,
        allow_null=True,
        help_text="A booked lecture of the branch, accepted or delivered, given on the activity's day.",
    )
    invitees = PrimaryKeyRelatedField(queryset=Activist.objects.all(), many=True, required=False)

    def validate_content_types(self, value):
        return [k for k in ContentType.values if k in value]


class ActivityCreateSerializer(ActivityFieldsMixin):
    branch = PrimaryKeyRelatedField(queryset=_branches())
    held_on = serializers.DateField()
    is_activity_day = serializers.BooleanField(required=False, default=True)
    move_reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ActivityUpdateSerializer(ActivityFieldsMixin):
    held_on = serializers.DateField(required=False)
    move_reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AttendanceEntrySerializer(serializers.Serializer):
    member = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Attendance.Status.choices)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ActivityRecordSerializer(ActivityFieldsMixin):
    """The attendance of every member expected, and optionally the details (and date) at the same time."""

    # A ListField so that the schema says minItems 1 (drf-spectacular does not read allow_empty).
    attendance = serializers.ListField(child=AttendanceEntrySerializer(), allow_empty=False, min_length=1)
    held_on = serializers.DateField(required=False)
    move_reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("theme", "content_types"):
            self.fields[name].required = False


class ActivityReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class ExpectedMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    is_mobile_guest = serializers.BooleanField()
    status = serializers.CharField(allow_null=True)
    reason = serializers.CharField()


# --- questions, reports, cases ------------------------------------------------------------------------


class QuestionSerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(source="branch.full_name", read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = [
            "id",
            "branch",
            "branch_name",
            "activity",
            "asked_by",
            "asker_name",
            "text",
            "asked_on",
            "due_on",
            "status",
            "is_overdue",
            "action",
            "answer",
            "answered_on",
            "closed_on",
        ]

    def get_is_overdue(self, obj) -> bool:
        return obj.is_overdue()


class QuestionAskSerializer(serializers.Serializer):
    text = serializers.CharField()
    branch = PrimaryKeyRelatedField(queryset=_branches(), required=False, allow_null=True)
    asked_by = PrimaryKeyRelatedField(queryset=Member.objects.all(), required=False, allow_null=True)
    asker_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    activity = PrimaryKeyRelatedField(queryset=Activity.objects.all(), required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)


class QuestionActSerializer(serializers.Serializer):
    action = serializers.CharField()


class QuestionAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()


class MonthlyReportSerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(source="branch.full_name", read_only=True)
    month = MonthField(read_only=True)

    class Meta:
        model = MonthlyReport
        fields = [
            "id",
            "branch",
            "branch_name",
            "month",
            "text",
            "figures",
            "due_on",
            "submitted_at",
            "is_late",
            "amended_at",
        ]


class MonthlyReportWriteSerializer(serializers.Serializer):
    branch = PrimaryKeyRelatedField(queryset=_branches())
    month = MonthField()
    text = serializers.CharField()


class ExcellentCaseSerializer(serializers.ModelSerializer):
    theme = serializers.CharField(source="activity.theme", read_only=True)
    held_on = serializers.DateField(source="activity.held_on", read_only=True)
    branch_name = serializers.CharField(source="activity.branch.full_name", read_only=True)
    organization_name = serializers.CharField(source="organization.full_name", read_only=True)

    class Meta:
        model = ExcellentCase
        fields = [
            "id",
            "activity",
            "theme",
            "held_on",
            "branch_name",
            "organization",
            "organization_name",
            "title",
            "commendation",
            "status",
            "marked_at",
            "published_at",
        ]


class ExcellentCaseWriteSerializer(serializers.Serializer):
    activity = PrimaryKeyRelatedField(queryset=Activity.objects.all())
    title = serializers.CharField(max_length=200)
    commendation = serializers.CharField()


class MyAttendanceSerializer(serializers.ModelSerializer):
    activity_theme = serializers.CharField(source="activity.theme")
    branch_name = serializers.CharField(source="activity.branch.full_name")

    class Meta:
        model = Attendance
        fields = ["id", "activity", "activity_theme", "branch_name", "held_on", "status", "reason", "is_mobile_guest"]


# --- supervision --------------------------------------------------------------------------------------


class FiguresSerializer(serializers.Serializer):
    units = serializers.IntegerField(help_text="Branches that hold activity days.")
    branch_months = serializers.IntegerField(help_text="Branches × months of the period begun so far.")
    held = serializers.IntegerField()
    not_held = serializers.IntegerField()
    coverage = serializers.FloatField(allow_null=True)
    expected = serializers.IntegerField()
    present = serializers.IntegerField()
    excused = serializers.IntegerField()
    absent = serializers.IntegerField()
    attendance_rate = serializers.FloatField(allow_null=True)
    reports_due = serializers.IntegerField()
    reports_on_time = serializers.IntegerField()
    reports_late = serializers.IntegerField()
    reports_missing = serializers.IntegerField()
    open_questions = serializers.IntegerField()
    overdue_questions = serializers.IntegerField()
    streak_members = serializers.IntegerField(help_text="Members absent without reason three times in a row.")
    cases = serializers.IntegerField()


class SupervisionChildSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="org.pk")
    name = serializers.CharField(source="org.full_name")
    kind = serializers.CharField(source="org.kind")
    figures = FiguresSerializer()


class SupervisionMonthSerializer(serializers.Serializer):
    month = MonthField()
    figures = FiguresSerializer()


class NotHeldSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    held = serializers.IntegerField()
    missed = serializers.IntegerField()


class StreakSerializer(serializers.Serializer):
    member_id = serializers.IntegerField()
    name = serializers.CharField(source="member__name")
    branch = serializers.CharField(source="activity__branch__full_name")
    streak = serializers.IntegerField()
    last = serializers.DateField()


class OverdueQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    branch = serializers.CharField(source="branch.full_name")
    asker_name = serializers.CharField()
    text = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.CharField()


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    branch = serializers.CharField(required=False)


class CadreAttendanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    branch = serializers.CharField()
    expected = serializers.IntegerField()
    present = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    gave_lecture = serializers.BooleanField()


class SupervisionSerializer(serializers.Serializer):
    org = serializers.IntegerField(source="org.pk")
    org_name = serializers.CharField(source="org.full_name")
    year = serializers.IntegerField()
    month = MonthField(allow_null=True)
    totals = FiguresSerializer()
    children = SupervisionChildSerializer(many=True)
    by_month = serializers.SerializerMethodField()
    not_held = NotHeldSerializer(many=True)
    not_held_total = serializers.IntegerField()
    absent_three_in_a_row = StreakSerializer(many=True, source="streaks")
    overdue_questions = OverdueQuestionSerializer(many=True, source="overdue")
    cadres_without_lecture = NamedSerializer(many=True)
    cadres_without_lecture_total = serializers.IntegerField()
    cadre_attendance = CadreAttendanceSerializer(many=True)
    secretaries_without_lecture = NamedSerializer(many=True)
    secretaries_without_lecture_total = serializers.IntegerField()

    @extend_schema_field(SupervisionMonthSerializer(many=True))
    def get_by_month(self, obj):
        return SupervisionMonthSerializer([{"month": m, "figures": f} for m, f in obj.by_month], many=True).data
