from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("orgs", api.OrganizationViewSet, basename="org")

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("health/", api.HealthView.as_view(), name="api-health"),
    *router.urls,
]
