from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("instructors", api.InstructorViewSet, basename="instructor")
router.register("instructor-topics", api.TopicViewSet, basename="instructor-topic")
router.register("pools", api.PoolViewSet, basename="pool")
router.register("rosters", api.RosterViewSet, basename="roster")
router.register("calls", api.CallViewSet, basename="call")
router.register("recommendations", api.RecommendationViewSet, basename="recommendation")
router.register("suggestions", api.SuggestionViewSet, basename="suggestion")

urlpatterns = router.urls
