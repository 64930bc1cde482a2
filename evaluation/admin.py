"""Django admin for the system administrator. Ratings, runs and decisions are written through the
evaluation pages (whose services check who may rate and apply decisions through the pool), so here
they are read-only; discipline incidents are listed for reference."""

from django.contrib import admin

from .models import (
    DisciplineIncident,
    EvaluationRun,
    EvaluationRunStatusChange,
    Proposal,
    Rating,
    RatingLink,
    RatingWindow,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RatingInline(admin.TabularInline):
    model = Rating
    extra = 0
    fields = ["created_at", "source", "member", "content", "delivery", "practical", "comment"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RatingWindow)
class RatingWindowAdmin(ReadOnlyAdmin):
    list_display = ["booking", "instructor", "branch", "lecture_date", "opens_at", "closes_at"]
    list_filter = ["year"]
    search_fields = ["instructor__name", "instructor__code", "branch__full_name", "booking__topic"]
    raw_id_fields = ["booking", "instructor", "branch"]
    inlines = [RatingInline]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["window", "instructor", "year", "source", "content", "delivery", "practical", "created_at"]
    list_filter = ["year", "source"]
    search_fields = ["instructor__name", "instructor__code", "comment"]
    raw_id_fields = ["window", "instructor", "member", "link", "submitted_by"]


@admin.register(RatingLink)
class RatingLinkAdmin(ReadOnlyAdmin):
    list_display = ["window", "serial", "created_at", "used_at"]
    exclude = ["token"]
    raw_id_fields = ["window", "created_by"]


@admin.register(DisciplineIncident)
class DisciplineIncidentAdmin(admin.ModelAdmin):
    list_display = ["instructor", "occurred_on", "handling", "recorded_by", "created_at"]
    list_filter = ["handling"]
    search_fields = ["instructor__name", "instructor__code", "description"]
    raw_id_fields = ["instructor", "booking", "recorded_by"]


class RunHistoryInline(admin.TabularInline):
    model = EvaluationRunStatusChange
    extra = 0
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EvaluationRun)
class EvaluationRunAdmin(ReadOnlyAdmin):
    list_display = ["pool", "year", "status", "progress", "rating_count", "computed_at", "confirmed_at"]
    list_filter = ["status", "year"]
    raw_id_fields = ["pool", "started_by", "confirmed_by", "roster"]
    inlines = [RunHistoryInline]


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ["run", "instructor", "rank", "shrunk_score", "proposed", "decision", "decided_by"]
    list_filter = ["proposed", "decision"]
    search_fields = ["instructor__name", "instructor__code"]
    raw_id_fields = ["run", "instructor", "decided_by"]
