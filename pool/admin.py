"""Django admin for the system administrator. Day-to-day work runs through the pool's own pages,
whose services check permissions and write history; here status and seats are read-only."""

from django.contrib import admin

from orgs.crypto import keyed_hash

from .models import (
    Call,
    DocumentCounter,
    IndexChange,
    IndexVersion,
    Instructor,
    InstructorStatusChange,
    Pool,
    RatingSummary,
    Recommendation,
    Review,
    RosterEntry,
    RosterVersion,
    SubArea,
    Suggestion,
    Topic,
)


@admin.register(Pool)
class PoolAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "organization", "quota_min", "quota_max", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "organization__full_name"]
    raw_id_fields = ["organization"]


@admin.register(SubArea)
class SubAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "order"]
    list_filter = ["category"]
    search_fields = ["name", "keywords"]


class TopicInline(admin.TabularInline):
    model = Topic
    extra = 0


class StatusChangeInline(admin.TabularInline):
    model = InstructorStatusChange
    extra = 0
    fields = ["created_at", "from_status", "to_status", "actor", "reason", "override_reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Instructor)
class InstructorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "pool", "category", "status", "fee_grade", "updated_at"]
    list_filter = ["status", "category", "pool__level", "fee_grade", "is_party_member"]
    search_fields = ["code", "name", "employer"]
    raw_id_fields = ["pool", "user"]
    filter_horizontal = ["sub_areas"]
    readonly_fields = ["status", "phone_hash", "letter_number", "created_at", "updated_at"]
    inlines = [TopicInline, StatusChangeInline]

    def save_model(self, request, obj, form, change):
        obj.phone_hash = keyed_hash(obj.phone) if obj.phone else ""
        super().save_model(request, obj, form, change)


@admin.register(InstructorStatusChange)
class InstructorStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["instructor", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]
    raw_id_fields = ["instructor", "actor"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "instructor", "order"]
    search_fields = ["title", "abstract", "instructor__name"]
    raw_id_fields = ["instructor"]


@admin.register(RatingSummary)
class RatingSummaryAdmin(admin.ModelAdmin):
    list_display = ["instructor", "year", "count", "mean", "shrunk_score"]
    list_filter = ["year"]
    raw_id_fields = ["instructor"]


@admin.register(DocumentCounter)
class DocumentCounterAdmin(admin.ModelAdmin):
    list_display = ["pool", "kind", "year", "last"]
    list_filter = ["kind", "year"]


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    raw_id_fields = ["reviewer"]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["title", "pool", "deadline", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    raw_id_fields = ["pool", "created_by"]
    filter_horizontal = ["reviewers"]


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["instructor", "call", "recommending_org", "consent_method", "consent_date", "created_at"]
    raw_id_fields = ["call", "instructor", "recommending_org", "recommended_by"]
    inlines = [ReviewInline]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["recommendation", "reviewer", "score_basic", "score_teaching", "score_research", "created_at"]
    raw_id_fields = ["recommendation", "reviewer"]


class RosterEntryInline(admin.TabularInline):
    model = RosterEntry
    extra = 0
    fields = ["code", "name", "category", "change"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RosterVersion)
class RosterVersionAdmin(admin.ModelAdmin):
    list_display = ["number", "pool", "version", "size", "added_count", "removed_count", "published_at"]
    list_filter = ["pool__level"]
    search_fields = ["number", "title"]
    readonly_fields = ["pool", "version", "number", "size", "added_count", "removed_count", "published_by"]
    inlines = [RosterEntryInline]


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["subject", "instructor", "pool", "about", "status", "created_at"]
    list_filter = ["status", "about"]
    search_fields = ["subject", "body"]
    raw_id_fields = ["instructor", "pool", "answered_by"]


class _ReadOnly(admin.ModelAdmin):
    """The recommender's freshness stamps: written by pool.recommender only, shown for diagnosis."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IndexVersion)
class IndexVersionAdmin(_ReadOnly):
    list_display = ["version", "token", "updated_at"]


@admin.register(IndexChange)
class IndexChangeAdmin(_ReadOnly):
    list_display = ["version", "change", "instructor_ids", "created_at"]
    list_filter = ["change"]
