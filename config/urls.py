from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# Each app owns its pages (<app>/urls.py) and its API (<app>/api_urls.py).
api_v1 = [
    path("", include("orgs.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("pool.api_urls")),
    path("", include("booking.api_urls")),
    path("", include("evaluation.api_urls")),
    path("", include("members.api_urls")),
    path("", include("activity.api_urls")),
    path("", include("records.api_urls")),
]

urlpatterns = [
    path("", include("orgs.urls")),
    path("notifications/", include("notifications.urls")),
    path("pool/", include("pool.urls")),
    path("booking/", include("booking.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("members/", include("members.urls")),
    path("activity/", include("activity.urls")),
    path("records/", include("records.urls")),
    path("admin/", admin.site.urls),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "orgs.views.bad_request"
handler403 = "orgs.views.permission_denied"
handler404 = "orgs.views.page_not_found"
handler500 = "orgs.views.server_error"
