"""API shapes. ID numbers and phones leave the server masked; the full value only through ``reveal``."""

from rest_framework import serializers

from orgs.api_base import DecimalField, PrimaryKeyRelatedField
from orgs.models import Organization
from orgs.serializer_fields import ChoiceLabelField

from .models import (
    Activist,
    Member,
    MobileCensus,
    MobileCensusEntry,
    MobileContact,
    MobileMembership,
    MobileNotice,
    MobileParticipation,
    Partnership,
    PartnershipReview,
    PersonalDataAccess,
    Probation,
    ProbationDecision,
    ProbationFeedback,
    RecordExemption,
)


class OrgRef(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "full_name"]


def _org_field(**kwargs):
    return PrimaryKeyRelatedField(queryset=Organization.objects.all(), **kwargs)


class MemberSerializer(serializers.ModelSerializer):
    """A member as listed: masked ID number and phone."""

    branch = OrgRef(read_only=True)
    group = OrgRef(read_only=True, allow_null=True)
    left_reason = serializers.ChoiceField(choices=Member.LeftReason.choices, allow_blank=True, read_only=True)
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    status_display = ChoiceLabelField("status")
    is_mobile = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "gender",
            "id_number",
            "phone",
            "birth_date",
            "joined_on",
            "status",
            "status_display",
            "full_since",
            "branch",
            "group",
            "is_leading_cadre",
            "records_exempt",
            "is_mobile",
            "left_on",
            "left_reason",
        ]
        read_only_fields = fields

    def get_is_mobile(self, obj) -> bool:
        return bool(getattr(obj, "is_mobile", False))


class MemberDetailSerializer(MemberSerializer):
    """One member, with the dues inputs that the records app computes from."""

    user = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)  # none yet, or gone on leaving

    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "user", "dues_category", "monthly_income"]
        read_only_fields = fields


class MemberWriteSerializer(serializers.Serializer):
    branch = _org_field()
    group = _org_field(required=False, allow_null=True)
    name = serializers.CharField(max_length=50)
    gender = serializers.ChoiceField(choices=Member._meta.get_field("gender").choices, required=False)
    id_number = serializers.CharField(max_length=30, write_only=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, write_only=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    joined_on = serializers.DateField()
    status = serializers.ChoiceField(choices=Member.Status.choices, default=Member.Status.FULL)
    is_leading_cadre = serializers.BooleanField(default=False)
    dues_category = serializers.ChoiceField(choices=Member._meta.get_field("dues_category").choices, required=False)
    monthly_income = DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True)


class MemberUpdateSerializer(serializers.Serializer):
    group = _org_field(required=False, allow_null=True)
    name = serializers.CharField(max_length=50, required=False)
    gender = serializers.ChoiceField(choices=Member._meta.get_field("gender").choices, required=False)
    id_number = serializers.CharField(max_length=30, required=False, write_only=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, write_only=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    is_leading_cadre = serializers.BooleanField(required=False)
    dues_category = serializers.ChoiceField(choices=Member._meta.get_field("dues_category").choices, required=False)
    monthly_income = DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True)


class RevealRequestSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=[PersonalDataAccess.Field.ID_NUMBER, PersonalDataAccess.Field.PHONE])
    reason = serializers.CharField(max_length=200)


class RevealResponseSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class LeaveSerializer(serializers.Serializer):
    left_on = serializers.DateField()
    reason = serializers.ChoiceField(choices=Member.LeftReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    # A form field: leave it out for "the branch named in each row"; a form cannot send null.
    branch = _org_field(required=False)


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    letter = serializers.CharField()
    message = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    error_count = serializers.IntegerField()
    errors = ImportErrorSerializer(many=True)


class ImportRejectedSerializer(serializers.Serializer):
    """A 400 from the import: the rows and columns at fault, or a problem with the upload itself."""

    created = serializers.IntegerField(required=False)
    updated = serializers.IntegerField(required=False)
    error_count = serializers.IntegerField(required=False)
    errors = ImportErrorSerializer(many=True, required=False)
    file = serializers.ListField(child=serializers.CharField(), required=False)
    branch = serializers.ListField(child=serializers.CharField(), required=False)


# --- probation and exemptions -------------------------------------------------------------------------


class ProbationDecisionSerializer(serializers.ModelSerializer):
    outcome_display = ChoiceLabelField("outcome")
    state_display = ChoiceLabelField("state")
    member = serializers.IntegerField(source="probation.member_id", read_only=True)
    member_name = serializers.CharField(source="probation.member.name", read_only=True)

    class Meta:
        model = ProbationDecision
        fields = [
            "id",
            "probation",
            "member",
            "member_name",
            "outcome",
            "outcome_display",
            "extension_months",
            "meeting_on",
            "votes_for",
            "votes_against",
            "abstentions",
            "meeting_notes",
            "state",
            "state_display",
            "approving_org",
            "approved_on",
            "approval_ref",
            "approval_notes",
            "proposed_at",
        ]
        read_only_fields = fields


class ProbationSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="member_id", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    branch = serializers.CharField(source="member.branch.full_name", read_only=True)
    status_display = ChoiceLabelField("status")
    has_pending_decision = serializers.SerializerMethodField()

    class Meta:
        model = Probation
        fields = [
            "id",
            "member",
            "member_name",
            "branch",
            "starts_on",
            "ends_on",
            "extension_months",
            "status",
            "status_display",
            "has_pending_decision",
        ]
        read_only_fields = fields

    def get_has_pending_decision(self, obj) -> bool:
        return bool(getattr(obj, "has_pending_decision", False))


class ProposeDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ProbationDecision.Outcome.choices)
    meeting_on = serializers.DateField()
    votes_for = serializers.IntegerField(min_value=0)
    votes_against = serializers.IntegerField(min_value=0, default=0)
    abstentions = serializers.IntegerField(min_value=0, default=0)
    meeting_notes = serializers.CharField(required=False, allow_blank=True, default="")
    extension_months = serializers.IntegerField(required=False, allow_null=True)


class ApproveDecisionSerializer(serializers.Serializer):
    approved_on = serializers.DateField()
    approval_ref = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class NotesSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ExemptionSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    branch = serializers.CharField(source="member.branch.full_name", read_only=True)
    reason_display = ChoiceLabelField("reason")
    state_display = ChoiceLabelField("state")

    class Meta:
        model = RecordExemption
        fields = [
            "id",
            "member",
            "member_name",
            "branch",
            "reason",
            "reason_display",
            "details",
            "state",
            "state_display",
            "requested_at",
            "decided_at",
            "decision_notes",
        ]
        read_only_fields = ["state", "requested_at", "decided_at", "decision_notes"]
        extra_kwargs = {"member": {"queryset": Member.objects.all()}}


# --- activists --------------------------------------------------------------------------------------


class ActivistSerializer(serializers.ModelSerializer):
    branch = OrgRef(read_only=True)
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    status_display = ChoiceLabelField("status")

    class Meta:
        model = Activist
        fields = [
            "id",
            "name",
            "gender",
            "id_number",
            "phone",
            "branch",
            "applied_on",
            "activist_since",
            "candidate_since",
            "mentors",
            "status",
            "status_display",
            "member",
        ]
        read_only_fields = fields


class ActivistWriteSerializer(serializers.Serializer):
    branch = _org_field()
    name = serializers.CharField(max_length=50)
    gender = serializers.ChoiceField(choices=Activist._meta.get_field("gender").choices, required=False)
    id_number = serializers.CharField(max_length=30, write_only=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, write_only=True)
    applied_on = serializers.DateField()
    activist_since = serializers.DateField()
    mentors = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class PromoteSerializer(serializers.Serializer):
    candidate_since = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AdmitSerializer(serializers.Serializer):
    joined_on = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


# --- mobile members ---------------------------------------------------------------------------------


class MobileSerializer(serializers.ModelSerializer):
    """A mobile membership as both branches see it (no personal numbers)."""

    member = serializers.IntegerField(source="member_id", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    member_status = serializers.CharField(source="member.status", read_only=True)
    outflow_branch = OrgRef(read_only=True)
    inflow_branch = OrgRef(read_only=True, allow_null=True)
    inflow_group = OrgRef(read_only=True, allow_null=True)
    certificate_issuer = OrgRef(read_only=True)
    status_display = ChoiceLabelField("status")
    last_contact_on = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = MobileMembership
        fields = [
            "id",
            "member",
            "member_name",
            "member_status",
            "outflow_branch",
            "inflow_branch",
            "inflow_group",
            "destination",
            "reason",
            "certificate_number",
            "certificate_issuer",
            "certificate_issued_on",
            "certificate_valid_until",
            "left_on",
            "status",
            "status_display",
            "registered_on",
            "returned_on",
            "last_contact_on",
        ]
        read_only_fields = fields


class MobileDetailSerializer(MobileSerializer):
    class Meta(MobileSerializer.Meta):
        fields = [
            *MobileSerializer.Meta.fields,
            "pre_departure_talk",
            "return_certificate_checked",
            "return_conduct",
            "return_org_life",
        ]
        read_only_fields = fields


class OutflowSerializer(serializers.Serializer):
    member = PrimaryKeyRelatedField(queryset=Member.objects.all())
    destination = serializers.CharField(max_length=200)
    left_on = serializers.DateField()
    certificate_issued_on = serializers.DateField()
    certificate_valid_until = serializers.DateField()
    certificate_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    inflow_branch = _org_field(required=False, allow_null=True)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    pre_departure_talk = serializers.CharField(required=False, allow_blank=True, default="")


class LookupSerializer(serializers.Serializer):
    certificate_number = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=50)


class RegisterSerializer(serializers.Serializer):
    branch = _org_field()
    group = _org_field(required=False, allow_null=True)
    registered_on = serializers.DateField()
    certificate_verified = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ContactSerializer(serializers.ModelSerializer):
    method_display = ChoiceLabelField("method")

    class Meta:
        model = MobileContact
        fields = ["id", "contacted_on", "method", "method_display", "reached", "situation", "matters_notified"]


class NoticeSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField("kind")
    from_side = serializers.ChoiceField(choices=MobileNotice.Side.choices, required=False)

    class Meta:
        model = MobileNotice
        fields = ["id", "from_side", "kind", "kind_display", "subject", "body", "sent_at", "read_at"]
        read_only_fields = ["sent_at", "read_at"]


class ParticipationSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField("kind")

    class Meta:
        model = MobileParticipation
        fields = ["id", "kind", "kind_display", "occurred_on", "description", "dues_amount", "dues_month", "source"]
        read_only_fields = ["source"]


class RelocateSerializer(serializers.Serializer):
    destination = serializers.CharField(max_length=200)
    inflow_branch = _org_field(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnSerializer(serializers.Serializer):
    returned_on = serializers.DateField()
    certificate_checked = serializers.BooleanField()
    conduct = serializers.CharField()
    org_life = serializers.CharField(required=False, allow_blank=True, default="")


class FeedbackSerializer(serializers.ModelSerializer):
    opinion_display = ChoiceLabelField("opinion")

    class Meta:
        model = ProbationFeedback
        fields = ["id", "conduct", "opinion", "opinion_display", "written_on", "probation"]
        read_only_fields = ["probation"]


# --- census and partnerships ------------------------------------------------------------------------


class CensusSerializer(serializers.ModelSerializer):
    organization = OrgRef(read_only=True)

    class Meta:
        model = MobileCensus
        fields = ["id", "organization", "year", "taken_on", "outflow_count", "inflow_count", "flagged_count"]
        read_only_fields = fields


class CensusEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = MobileCensusEntry
        fields = [
            "id",
            "membership",
            "direction",
            "member_name",
            "member_status",
            "outflow_branch_name",
            "inflow_branch_name",
            "destination",
            "status",
            "certificate_number",
            "last_contact_on",
            "no_contact",
            "whereabouts_unknown",
            "not_registered",
        ]
        read_only_fields = fields


class CensusRunSerializer(serializers.Serializer):
    organization = _org_field()
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class PartnershipSerializer(serializers.ModelSerializer):
    outflow_org = _org_field()
    inflow_org = _org_field()
    kind_display = ChoiceLabelField("kind")

    class Meta:
        model = Partnership
        fields = [
            "id",
            "kind",
            "kind_display",
            "outflow_org",
            "inflow_org",
            "title",
            "document_number",
            "signed_on",
            "duties",
            "targets",
            "safeguards",
            "review_interval_months",
            "next_review_on",
            "state",
            "ends_on",
        ]
        read_only_fields = ["next_review_on", "state"]


class PartnershipReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnershipReview
        fields = ["id", "held_on", "summary"]


class PartnershipEndSerializer(serializers.Serializer):
    ends_on = serializers.DateField()
