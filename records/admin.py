"""Admin: a confirmed entry can be looked at, never changed or deleted; no entry is deleted at all
(an unconfirmed one is withdrawn, which keeps it in the history)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    ActivityCard,
    Appraisal,
    ArrearsReason,
    DuesMonth,
    DuesPayment,
    PointRule,
    PointScore,
    PointTable,
    QuarterlyDuesApproval,
    RecordEntry,
    RecordEntryChange,
)


class EntryHistoryInline(admin.TabularInline):
    model = RecordEntryChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "reason", "changes", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RecordEntry)
class RecordEntryAdmin(admin.ModelAdmin):
    list_display = ["occurred_on", "member", "kind", "title", "status", "corrects", "voids"]
    list_filter = ["kind", "status", "voids"]
    search_fields = ["member__name", "title"]
    raw_id_fields = ["member", "branch", "activity", "dues_payment", "appraisal", "corrects", "created_by"]
    readonly_fields = [
        "member",
        "branch",
        "kind",
        "activity",
        "dues_payment",
        "appraisal",
        "corrects",
        "voids",
        "status",
        "dispute_reason",
        "created_by",
        "created_at",
        "confirmed_at",
    ]
    inlines = [EntryHistoryInline]

    def has_add_permission(self, request):
        return False  # entries come from the services (attendance, dues, pages and API)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status in (RecordEntry.Status.CONFIRMED, RecordEntry.Status.WITHDRAWN):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            RecordEntryChange.objects.create(
                entry=obj,
                from_status=obj.status,
                to_status=obj.status,
                actor=request.user,
                reason=str(_("Changed in the admin.")),
                changes={name: str(form.cleaned_data.get(name)) for name in form.changed_data},
            )


@admin.register(ActivityCard)
class ActivityCardAdmin(admin.ModelAdmin):
    list_display = ["number", "member", "numbered_by", "stamped_by", "issued_by", "issued_on"]
    search_fields = ["number", "member__name"]
    raw_id_fields = ["member", "numbered_by", "stamped_by", "issued_by", "registered_by"]


@admin.register(Appraisal)
class AppraisalAdmin(admin.ModelAdmin):
    list_display = ["member", "year", "grade", "appraised_on"]
    list_filter = ["year", "grade"]
    search_fields = ["member__name"]
    raw_id_fields = ["member", "branch", "recorded_by"]

    def has_delete_permission(self, request, obj=None):
        return False


class DuesMonthInline(admin.TabularInline):
    model = DuesMonth
    extra = 0
    can_delete = False
    readonly_fields = ["member", "month", "amount"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DuesPayment)
class DuesPaymentAdmin(admin.ModelAdmin):
    list_display = ["member", "first_month", "months", "amount", "paid_on"]
    search_fields = ["member__name"]
    raw_id_fields = ["member", "branch", "recorded_by"]
    inlines = [DuesMonthInline]

    def has_change_permission(self, request, obj=None):
        return False  # a payment stands; a wrong one is corrected through its entry

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuarterlyDuesApproval)
class QuarterlyDuesApprovalAdmin(admin.ModelAdmin):
    list_display = ["member", "approved_on", "reason"]
    raw_id_fields = ["member", "approved_by"]


@admin.register(ArrearsReason)
class ArrearsReasonAdmin(admin.ModelAdmin):
    list_display = ["member", "until_month", "reason"]
    raw_id_fields = ["member", "recorded_by"]


@admin.register(PointRule)
class PointRuleAdmin(admin.ModelAdmin):
    list_display = ["organization", "item", "points", "yearly_cap"]
    list_filter = ["item"]
    raw_id_fields = ["organization", "updated_by"]

    def has_add_permission(self, request):
        return False  # set through the rules page, which recomputes the tables

    def has_change_permission(self, request, obj=None):
        return False


class PointScoreInline(admin.TabularInline):
    model = PointScore
    extra = 0
    can_delete = False
    readonly_fields = ["member", "points", "rank", "breakdown"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PointTable)
class PointTableAdmin(admin.ModelAdmin):
    list_display = ["branch", "year", "computed_at", "published_at"]
    list_filter = ["year"]
    raw_id_fields = ["branch", "rules_from", "published_by"]
    readonly_fields = ["computed_at", "published_at", "published_by", "rules_from"]
    inlines = [PointScoreInline]

    def has_add_permission(self, request):
        return False
