from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("bookings", api.BookingViewSet, basename="booking")
router.register("booking-answers", api.OpenAnswerViewSet, basename="booking-answer")
router.register("schedules", api.ScheduleViewSet, basename="schedule")
router.register("fee-standards", api.FeeStandardViewSet, basename="fee-standard")

urlpatterns = router.urls
