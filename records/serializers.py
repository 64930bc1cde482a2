"""API shapes of the records app. Money leaves as a string with two decimals, never a float."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from members.models import Member
from orgs.api_base import AmountField, DecimalField, PrimaryKeyRelatedField
from orgs.models import Organization
from orgs.serializer_fields import ChoiceLabelField

from .models import (
    ActivityCard,
    AppraisalGrade,
    DuesPayment,
    PointItem,
    PointRule,
    PointScore,
    PointTable,
    RecordEntry,
    RecordEntryChange,
)
from .selectors import point_scores


class RecordsOrgRef(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "full_name"]


class RecordsMemberRef(serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = ["id", "name"]


def _member_field(**kwargs):
    return PrimaryKeyRelatedField(queryset=Member.objects.all(), **kwargs)


def _org_field(**kwargs):
    return PrimaryKeyRelatedField(queryset=Organization.objects.all(), **kwargs)


class EntryChangeSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name", default="", read_only=True)

    class Meta:
        model = RecordEntryChange
        fields = ["from_status", "to_status", "actor", "reason", "changes", "created_at"]
        read_only_fields = fields


class EntrySerializer(serializers.ModelSerializer):
    member = RecordsMemberRef(read_only=True)
    branch = RecordsOrgRef(read_only=True)
    kind_display = ChoiceLabelField("kind")
    status_display = ChoiceLabelField("status")
    is_superseded = serializers.SerializerMethodField()
    # Blank on the entries of the other kinds (read-only model fields would lose ``allow_blank``).
    attendance_status = serializers.ChoiceField(
        choices=RecordEntry._meta.get_field("attendance_status").choices, allow_blank=True, read_only=True
    )
    merit = serializers.ChoiceField(choices=RecordEntry.Merit.choices, allow_blank=True, read_only=True)
    appraisal_grade = serializers.ChoiceField(choices=AppraisalGrade.choices, allow_blank=True, read_only=True)

    class Meta:
        model = RecordEntry
        fields = [
            "id",
            "member",
            "branch",
            "kind",
            "kind_display",
            "occurred_on",
            "title",
            "details",
            "activity",
            "attendance_status",
            "dues_payment",
            "dues_amount",
            "dues_months",
            "merit",
            "appraisal",
            "appraisal_grade",
            "corrects",
            "voids",
            "status",
            "status_display",
            "dispute_reason",
            "created_at",
            "confirmed_at",
            "is_superseded",
        ]
        read_only_fields = fields

    def get_is_superseded(self, obj) -> bool:
        """True when a confirmed correction now stands in this entry's place."""
        value = getattr(obj, "is_superseded", None)
        if value is None:
            value = obj.corrections.filter(status=RecordEntry.Status.CONFIRMED).exists()
        return bool(value)


class EntryDetailSerializer(EntrySerializer):
    history = EntryChangeSerializer(many=True, read_only=True)
    corrections = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(EntrySerializer.Meta):
        fields = [*EntrySerializer.Meta.fields, "history", "corrections"]
        read_only_fields = fields


class EntryCreateSerializer(serializers.Serializer):
    """A reward or punishment (``kind`` merit) or the yearly role played with the appraisal (``kind`` role).
    Org-life entries come from activity attendance and dues entries from payments."""

    kind = serializers.ChoiceField(choices=RecordEntry.Kind.choices, help_text="merit or role")
    member = _member_field()
    occurred_on = serializers.DateField(required=False, help_text="merit: the date decided")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    details = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    merit = serializers.ChoiceField(choices=RecordEntry.Merit.choices, required=False)
    year = serializers.IntegerField(required=False, min_value=1990, max_value=2100, help_text="role: the year")
    grade = serializers.ChoiceField(choices=AppraisalGrade.choices, required=False, help_text="role: appraisal grade")
    appraised_on = serializers.DateField(required=False, help_text="role: the date of the appraisal")

    def validate(self, attrs):
        if attrs["kind"] not in (RecordEntry.Kind.MERIT, RecordEntry.Kind.ROLE):
            raise serializers.ValidationError(
                {"kind": [_("Org-life entries come from attendance and dues entries from payments.")]},
                code="kind_not_typed",
            )
        need = (
            ("occurred_on", "title", "merit")
            if attrs["kind"] == RecordEntry.Kind.MERIT
            else (
                "year",
                "grade",
                "appraised_on",
                "details",
            )
        )
        # Which fields an entry needs depends on its kind: a rule the schema cannot state, so its own code.
        missing = {name: [_("Required for this kind of entry.")] for name in need if not attrs.get(name)}
        if missing:
            raise serializers.ValidationError(missing, code="required_for_kind")
        return attrs


class EntryChangesSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    details = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    occurred_on = serializers.DateField(required=False)
    attendance_status = serializers.ChoiceField(
        choices=RecordEntry._meta.get_field("attendance_status").choices, required=False
    )
    dues_amount = AmountField(max_digits=10, decimal_places=2, required=False)
    dues_months = serializers.IntegerField(min_value=0, max_value=12, required=False)
    merit = serializers.ChoiceField(choices=RecordEntry.Merit.choices, required=False)
    appraisal_grade = serializers.ChoiceField(choices=AppraisalGrade.choices, required=False)


class EntryAmendSerializer(EntryChangesSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class DisputeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class ResolveSerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=1000)
    changes = EntryChangesSerializer(required=False)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class CorrectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
    changes = EntryChangesSerializer(required=False)
    voids = serializers.BooleanField(required=False, default=False)


class CardSerializer(serializers.ModelSerializer):
    member = RecordsMemberRef(read_only=True)
    numbered_by = RecordsOrgRef(read_only=True)
    stamped_by = RecordsOrgRef(read_only=True)
    issued_by = RecordsOrgRef(read_only=True)
    registered_by = serializers.CharField(source="registered_by.display_name", read_only=True)

    class Meta:
        model = ActivityCard
        fields = [
            "id",
            "member",
            "number",
            "numbered_by",
            "stamped_by",
            "stamped_on",
            "issued_by",
            "issued_on",
            "registered_by",
            "registered_at",
        ]
        read_only_fields = fields


class CardCreateSerializer(serializers.Serializer):
    member = _member_field()
    number = serializers.CharField(max_length=40)
    numbered_by = _org_field()
    stamped_by = _org_field()
    stamped_on = serializers.DateField()
    issued_on = serializers.DateField()


class PaymentSerializer(serializers.ModelSerializer):
    member = RecordsMemberRef(read_only=True)
    months_paid = serializers.SerializerMethodField()

    class Meta:
        model = DuesPayment
        fields = ["id", "member", "first_month", "months", "monthly_amount", "amount", "paid_on", "note", "months_paid"]
        read_only_fields = fields

    def get_months_paid(self, obj) -> list[str]:
        return [row.month.strftime("%Y-%m") for row in obj.month_rows.all()]


class PaymentCreateSerializer(serializers.Serializer):
    member = _member_field()
    first_month = serializers.DateField(help_text="Any day of the first month paid for.")
    months = serializers.IntegerField(min_value=1, max_value=12, default=1)
    paid_on = serializers.DateField()
    amount = AmountField(max_digits=10, decimal_places=2, required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class QuarterlyApprovalSerializer(serializers.Serializer):
    member = _member_field()
    reason = serializers.CharField(max_length=200)
    approved_on = serializers.DateField()


class ArrearsReasonCreateSerializer(serializers.Serializer):
    member = _member_field()
    until_month = serializers.DateField()
    reason = serializers.CharField(max_length=300)


class StandingSerializer(serializers.Serializer):
    member = RecordsMemberRef()
    branch = RecordsOrgRef(source="member.branch")
    monthly = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    owed = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    unpaid_months = serializers.ListField(child=serializers.DateField())
    unpaid_streak = serializers.IntegerField()
    flagged = serializers.BooleanField()
    reason = serializers.CharField(source="reason.reason", default="", allow_blank=True)


class PointRuleSerializer(serializers.ModelSerializer):
    organization = RecordsOrgRef(read_only=True)

    class Meta:
        model = PointRule
        fields = ["id", "organization", "item", "points", "yearly_cap", "updated_at"]
        read_only_fields = fields


class PointRuleRowSerializer(serializers.Serializer):
    item = serializers.ChoiceField(choices=PointItem.choices)
    points = DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    yearly_cap = AmountField(max_digits=7, decimal_places=2, required=False, allow_null=True)


class PointRulesSetSerializer(serializers.Serializer):
    organization = _org_field()
    rules = PointRuleRowSerializer(many=True)


class PointScoreSerializer(serializers.ModelSerializer):
    member = RecordsMemberRef(read_only=True)

    class Meta:
        model = PointScore
        fields = ["member", "points", "rank", "breakdown"]
        read_only_fields = fields


class PointTableSerializer(serializers.ModelSerializer):
    branch = RecordsOrgRef(read_only=True)
    rules_from = RecordsOrgRef(read_only=True, allow_null=True)

    class Meta:
        model = PointTable
        fields = ["id", "branch", "year", "rules_from", "computed_at", "published_at"]
        read_only_fields = fields


class PointTableDetailSerializer(PointTableSerializer):
    scores = serializers.SerializerMethodField()

    class Meta(PointTableSerializer.Meta):
        fields = [*PointTableSerializer.Meta.fields, "scores"]
        read_only_fields = fields

    @extend_schema_field(PointScoreSerializer(many=True))
    def get_scores(self, obj):
        return PointScoreSerializer(point_scores(obj), many=True).data


class PointTableComputeSerializer(serializers.Serializer):
    branch = _org_field()
    year = serializers.IntegerField(min_value=1990, max_value=2100)
