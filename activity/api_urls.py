from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("holiday-calendars", api.HolidayCalendarViewSet, basename="holiday-calendar")
router.register("activity-rules", api.DayRuleViewSet, basename="activity-rule")
router.register("activity-days", api.ActivityDayViewSet, basename="activity-day")
router.register("activities", api.ActivityViewSet, basename="activity")
router.register("my-attendance", api.MyAttendanceViewSet, basename="my-attendance")
router.register("activity-questions", api.QuestionViewSet, basename="activity-question")
router.register("activity-reports", api.MonthlyReportViewSet, basename="activity-report")
router.register("excellent-cases", api.ExcellentCaseViewSet, basename="excellent-case")

urlpatterns = [
    path("activity-supervision/", api.SupervisionView.as_view(), name="activity-supervision"),
    path("activity-supervision/export/", api.SupervisionExportView.as_view(), name="activity-supervision-export"),
    *router.urls,
]
