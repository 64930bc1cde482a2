from django.urls import path

from . import views

app_name = "booking"

urlpatterns = [
    path("", views.index, name="index"),
    # the secretary
    path("find/", views.find, name="find"),
    path("new/", views.request_new, name="new"),
    path("requests/", views.booking_list_view, name="list"),
    path("requests/export/", views.export, name="export"),
    path("calendar/", views.calendar_view, name="calendar"),
    # one booking
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/deliver/", views.deliver, name="deliver"),
    path("<int:pk>/propose/", views.propose, name="propose"),
    path("<int:pk>/proposal/accept/", views.proposal_accept, name="proposal-accept"),
    path("<int:pk>/proposal/refuse/", views.proposal_refuse, name="proposal-refuse"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/answer/withdraw/", views.answer_withdraw, name="answer-withdraw"),
    path("<int:pk>/pick/", views.pick, name="pick"),
    path("<int:pk>/lecture.ics", views.lecture_ics, name="ics"),
    # the instructor
    path("inbox/", views.inbox, name="inbox"),
    path("schedule/", views.schedule, name="schedule"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
