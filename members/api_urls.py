from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("members", api.MemberViewSet, basename="member")
router.register("probations", api.ProbationViewSet, basename="probation")
router.register("probation-decisions", api.ProbationDecisionViewSet, basename="probation-decision")
router.register("record-exemptions", api.ExemptionViewSet, basename="record-exemption")
router.register("activists", api.ActivistViewSet, basename="activist")
router.register("mobile-members", api.MobileViewSet, basename="mobile-member")
router.register("mobile-notices", api.NoticeViewSet, basename="mobile-notice")
router.register("mobile-censuses", api.CensusViewSet, basename="mobile-census")
router.register("partnerships", api.PartnershipViewSet, basename="partnership")

urlpatterns = router.urls
