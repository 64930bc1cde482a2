"""Admin: personal numbers appear masked only (the full value goes through the audited reveal)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    Activist,
    ActivistStageChange,
    CertificateSequence,
    Member,
    MemberStatusChange,
    MobileCensus,
    MobileCensusEntry,
    MobileContact,
    MobileMembership,
    MobileNotice,
    MobileParticipation,
    MobileStatusChange,
    Partnership,
    PartnershipReview,
    PersonalDataAccess,
    Probation,
    ProbationDecision,
    ProbationFeedback,
    ProbationStatusChange,
    RecordExemption,
    ReminderSent,
)

PERSONAL = ["id_number", "id_number_hash", "phone", "phone_hash"]


class MaskedPersonalDataAdmin(admin.ModelAdmin):
    exclude = PERSONAL
    readonly_fields = ["masked_id_number", "masked_phone"]

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj):
        return obj.id_number_masked

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj):
        return obj.phone_masked

    def has_add_permission(self, request):
        return False  # created through the pages, API or import, which hash and validate


class HistoryInline(admin.TabularInline):
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "reason", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


class MemberHistoryInline(HistoryInline):
    model = MemberStatusChange


@admin.register(Member)
class MemberAdmin(MaskedPersonalDataAdmin):
    list_display = ["name", "masked_id_number", "branch", "status", "is_leading_cadre", "records_exempt", "left_on"]
    list_filter = ["status", "is_leading_cadre", "records_exempt", "dues_category"]
    search_fields = ["name"]
    raw_id_fields = ["branch", "group", "user"]
    readonly_fields = [*MaskedPersonalDataAdmin.readonly_fields, "status", "records_exempt", "left_on", "left_reason"]
    inlines = [MemberHistoryInline]


class ProbationHistoryInline(HistoryInline):
    model = ProbationStatusChange


@admin.register(Probation)
class ProbationAdmin(admin.ModelAdmin):
    list_display = ["member", "starts_on", "ends_on", "status"]
    list_filter = ["status"]
    search_fields = ["member__name"]
    raw_id_fields = ["member"]
    readonly_fields = ["status"]
    inlines = [ProbationHistoryInline]


@admin.register(ProbationDecision)
class ProbationDecisionAdmin(admin.ModelAdmin):
    list_display = ["probation", "outcome", "meeting_on", "state", "approved_on"]
    list_filter = ["outcome", "state"]
    raw_id_fields = ["probation", "proposed_by", "decided_by", "approving_org"]


@admin.register(RecordExemption)
class RecordExemptionAdmin(admin.ModelAdmin):
    list_display = ["member", "reason", "state", "requested_at", "decided_at"]
    list_filter = ["reason", "state"]
    raw_id_fields = ["member", "requested_by", "decided_by"]


class ActivistHistoryInline(HistoryInline):
    model = ActivistStageChange


@admin.register(Activist)
class ActivistAdmin(MaskedPersonalDataAdmin):
    list_display = ["name", "masked_id_number", "branch", "status", "applied_on", "candidate_since"]
    list_filter = ["status"]
    search_fields = ["name"]
    raw_id_fields = ["branch", "user", "member"]
    inlines = [ActivistHistoryInline]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "field", "member", "activist", "organization", "row_count", "reason"]
    list_filter = ["field"]
    raw_id_fields = ["actor", "member", "activist", "organization"]

    def has_change_permission(self, request, obj=None):
        return False  # an audit trail is not edited

    def has_add_permission(self, request):
        return False


class MobileHistoryInline(HistoryInline):
    model = MobileStatusChange
    readonly_fields = [*HistoryInline.readonly_fields, "inflow_branch"]


@admin.register(MobileMembership)
class MobileMembershipAdmin(admin.ModelAdmin):
    list_display = ["member", "certificate_number", "outflow_branch", "inflow_branch", "status", "left_on"]
    list_filter = ["status"]
    search_fields = ["member__name", "certificate_number"]
    raw_id_fields = [
        "member",
        "outflow_branch",
        "inflow_branch",
        "inflow_group",
        "certificate_issuer",
        "registered_by",
        "created_by",
    ]
    readonly_fields = ["status"]
    inlines = [MobileHistoryInline]


@admin.register(MobileContact)
class MobileContactAdmin(admin.ModelAdmin):
    list_display = ["membership", "contacted_on", "method", "reached"]
    list_filter = ["method", "reached"]
    raw_id_fields = ["membership", "recorded_by"]


@admin.register(MobileNotice)
class MobileNoticeAdmin(admin.ModelAdmin):
    list_display = ["subject", "membership", "from_side", "kind", "sent_at", "read_at"]
    list_filter = ["from_side", "kind"]
    raw_id_fields = ["membership", "sent_by"]


@admin.register(MobileParticipation)
class MobileParticipationAdmin(admin.ModelAdmin):
    list_display = ["membership", "kind", "occurred_on", "dues_amount"]
    list_filter = ["kind"]
    raw_id_fields = ["membership", "recorded_by"]


@admin.register(ProbationFeedback)
class ProbationFeedbackAdmin(admin.ModelAdmin):
    list_display = ["membership", "opinion", "written_on"]
    raw_id_fields = ["membership", "probation", "written_by"]


@admin.register(MobileCensus)
class MobileCensusAdmin(admin.ModelAdmin):
    list_display = ["organization", "year", "taken_on", "outflow_count", "inflow_count", "flagged_count"]
    list_filter = ["year"]
    raw_id_fields = ["organization", "started_by"]


@admin.register(MobileCensusEntry)
class MobileCensusEntryAdmin(admin.ModelAdmin):
    list_display = ["census", "member_name", "direction", "status", "no_contact", "whereabouts_unknown"]
    list_filter = ["direction", "no_contact", "whereabouts_unknown", "not_registered"]
    raw_id_fields = ["census", "membership"]


class PartnershipReviewInline(admin.TabularInline):
    model = PartnershipReview
    extra = 0
    raw_id_fields = ["recorded_by"]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "outflow_org", "inflow_org", "signed_on", "next_review_on", "state"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["outflow_org", "inflow_org", "created_by"]
    inlines = [PartnershipReviewInline]


@admin.register(CertificateSequence)
class CertificateSequenceAdmin(admin.ModelAdmin):
    list_display = ["issuer", "year", "last_number"]
    raw_id_fields = ["issuer"]


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["key", "sent_at"]
    search_fields = ["key"]
