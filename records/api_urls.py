from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("records/entries", api.EntryViewSet, basename="record-entry")
router.register("records/cards", api.CardViewSet, basename="record-card")
router.register("records/dues-payments", api.PaymentViewSet, basename="record-dues-payment")
router.register("records/point-rules", api.PointRuleViewSet, basename="record-point-rule")
router.register("records/point-tables", api.PointTableViewSet, basename="record-point-table")

urlpatterns = router.urls
