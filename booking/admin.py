"""Django admin for the system administrator. Day-to-day work runs through the booking pages, whose
services check permissions, the schedule and write history; here statuses and fees are read-only.
Fee standards are data: a new standard is a new row with its rates."""

from django.contrib import admin

from .models import (
    BlockedPeriod,
    Booking,
    BookingStatusChange,
    CalendarFeed,
    FeeRate,
    FeeStandard,
    OpenAnswer,
    TimeProposal,
    WeeklyAvailability,
)


class FeeRateInline(admin.TabularInline):
    model = FeeRate
    extra = 0


@admin.register(FeeStandard)
class FeeStandardAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "effective_from", "unit", "max_hours_per_half_day"]
    inlines = [FeeRateInline]


class StatusChangeInline(admin.TabularInline):
    model = BookingStatusChange
    extra = 0
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ProposalInline(admin.TabularInline):
    model = TimeProposal
    extra = 0
    fields = ["starts_at", "ends_at", "status", "note", "decision_note", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AnswerInline(admin.TabularInline):
    model = OpenAnswer
    extra = 0
    fields = ["instructor", "status", "note", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["topic", "branch", "instructor", "starts_at", "status", "fee_amount"]
    list_filter = ["status", "kind", "mode"]
    search_fields = ["topic", "branch__full_name", "instructor__name", "instructor__code"]
    raw_id_fields = ["branch", "instructor", "requested_by"]
    date_hierarchy = "starts_at"
    readonly_fields = [
        "status",
        "kind",
        "fee_standard",
        "fee_rate",
        "fee_units",
        "fee_amount",
        "respond_by",
        "delivered_at",
        "reminded_at",
        "sequence",
        "created_at",
        "updated_at",
    ]
    exclude = ["contact_phone"]
    inlines = [StatusChangeInline, ProposalInline, AnswerInline]


@admin.register(WeeklyAvailability)
class WeeklyAvailabilityAdmin(admin.ModelAdmin):
    list_display = ["instructor", "weekday", "starts", "ends"]
    list_filter = ["weekday"]
    raw_id_fields = ["instructor"]


@admin.register(BlockedPeriod)
class BlockedPeriodAdmin(admin.ModelAdmin):
    list_display = ["instructor", "first_day", "last_day", "reason"]
    raw_id_fields = ["instructor"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["instructor", "created_at", "last_read_at"]
    raw_id_fields = ["instructor"]
    exclude = ["token"]


@admin.register(OpenAnswer)
class OpenAnswerAdmin(admin.ModelAdmin):
    list_display = ["booking", "instructor", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["booking", "instructor", "answered_by"]


@admin.register(BookingStatusChange)
class BookingStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["booking", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]
    readonly_fields = ["booking", "from_status", "to_status", "actor", "reason", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TimeProposal)
class TimeProposalAdmin(admin.ModelAdmin):
    list_display = ["booking", "starts_at", "ends_at", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["booking", "proposed_by"]
    readonly_fields = ["status", "decided_at"]


@admin.register(FeeRate)
class FeeRateAdmin(admin.ModelAdmin):
    list_display = ["standard", "grade", "amount"]
    list_filter = ["standard", "grade"]
