from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("rating-summaries", api.RatingSummaryViewSet, basename="rating-summary")
router.register("evaluation-runs", api.EvaluationRunViewSet, basename="evaluation-run")
router.register("evaluation-proposals", api.ProposalViewSet, basename="evaluation-proposal")
router.register("discipline-incidents", api.DisciplineIncidentViewSet, basename="discipline-incident")

urlpatterns = [
    path("bookings/<int:booking_id>/ratings/", api.LectureRatingsView.as_view(), name="booking-ratings"),
    path("bookings/<int:booking_id>/rating-links/", api.RatingLinksView.as_view(), name="booking-rating-links"),
    path("ratings/open/", api.OpenRatingsView.as_view(), name="ratings-open"),
    *router.urls,
]
