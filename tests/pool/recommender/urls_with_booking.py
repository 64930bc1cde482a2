"""The site as it is once the booking app serves its request form (``booking:request-create``)."""

from django.http import HttpResponse
from django.urls import include, path

from config.urls import urlpatterns as site


def request_form(request):
    return HttpResponse("booking request form")


booking = ([path("requests/new/", request_form, name="request-create")], "booking")
urlpatterns = [path("booking/", include(booking)), *(p for p in site if getattr(p, "namespace", None) != "booking")]
