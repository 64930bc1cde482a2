from django.contrib import admin

from .models import (
    Activity,
    ActivityContent,
    ActivityStatusChange,
    Attachment,
    Attendance,
    CalendarDay,
    DayMove,
    DayRule,
    ExcellentCase,
    ExcellentCaseChange,
    HolidayCalendar,
    MonthlyReport,
    Question,
    QuestionStatusChange,
    ReminderSent,
)


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 3


@admin.register(HolidayCalendar)
class HolidayCalendarAdmin(admin.ModelAdmin):
    list_display = ["year", "document", "entered_by", "updated_at"]
    inlines = [CalendarDayInline]
    raw_id_fields = ["entered_by"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "name", "calendar"]
    list_filter = ["kind", "calendar"]


@admin.register(DayRule)
class DayRuleAdmin(admin.ModelAdmin):
    list_display = ["organization", "label", "effective_from", "on_tie", "created_by"]
    list_filter = ["kind"]
    search_fields = ["organization__full_name"]
    raw_id_fields = ["organization", "created_by"]


@admin.register(DayMove)
class DayMoveAdmin(admin.ModelAdmin):
    list_display = ["branch", "month", "original", "moved_to", "reason", "moved_by"]
    search_fields = ["branch__full_name", "reason"]
    raw_id_fields = ["branch", "moved_by"]


class ContentInline(admin.TabularInline):
    model = ActivityContent
    extra = 0


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ["member", "status", "reason", "is_mobile_guest", "absent_streak"]
    readonly_fields = fields
    can_delete = False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["original_name", "kind", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


class ActivityHistoryInline(admin.TabularInline):
    model = ActivityStatusChange
    extra = 0
    fields = ["from_status", "to_status", "actor", "reason", "created_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["theme", "branch", "held_on", "is_activity_day", "status", "expected_count", "present_count"]
    list_filter = ["status", "is_activity_day", "form"]
    search_fields = ["theme", "branch__full_name"]
    date_hierarchy = "held_on"
    raw_id_fields = ["branch", "lecturer_member", "created_by", "recorded_by", "invitees"]
    readonly_fields = ["status", "expected_count", "present_count", "excused_count", "absent_count"]
    inlines = [ContentInline, AttendanceInline, AttachmentInline, ActivityHistoryInline]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["member", "activity", "status", "held_on", "absent_streak", "is_mobile_guest"]
    list_filter = ["status", "is_mobile_guest"]
    raw_id_fields = ["activity", "member"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "activity", "kind", "size", "uploaded_at"]
    raw_id_fields = ["activity", "uploaded_by"]


class QuestionHistoryInline(admin.TabularInline):
    model = QuestionStatusChange
    extra = 0
    fields = ["from_status", "to_status", "actor", "reason", "created_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "branch", "asker_name", "asked_on", "due_on", "status"]
    list_filter = ["status"]
    search_fields = ["text", "asker_name", "branch__full_name"]
    raw_id_fields = ["branch", "activity", "asked_by", "answered_by", "recorded_by"]
    readonly_fields = ["status"]
    inlines = [QuestionHistoryInline]


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    list_display = ["branch", "month", "submitted_at", "is_late", "amended_at"]
    list_filter = ["is_late"]
    raw_id_fields = ["branch", "submitted_by"]


class CaseHistoryInline(admin.TabularInline):
    model = ExcellentCaseChange
    extra = 0
    fields = ["from_status", "to_status", "actor", "reason", "created_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(ExcellentCase)
class ExcellentCaseAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "status", "marked_at", "published_at"]
    list_filter = ["status"]
    raw_id_fields = ["activity", "organization", "marked_by"]
    readonly_fields = ["status"]
    inlines = [CaseHistoryInline]


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["key", "sent_at"]
    search_fields = ["key"]


class HistoryAdmin(admin.ModelAdmin):
    """The history rows: read only, written by the state machines."""

    list_display = ["__str__", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(ActivityStatusChange, HistoryAdmin)
admin.site.register(QuestionStatusChange, HistoryAdmin)
admin.site.register(ExcellentCaseChange, HistoryAdmin)


@admin.register(ActivityContent)
class ActivityContentAdmin(admin.ModelAdmin):
    list_display = ["activity", "kind"]
    list_filter = ["kind"]
    raw_id_fields = ["activity"]
