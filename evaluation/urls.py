from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    # members
    path("", views.index, name="index"),
    path("rate/<int:booking_id>/", views.rate, name="rate"),
    path("r/<str:token>/", views.link_rate, name="link"),
    # the branch
    path("lectures/", views.lectures, name="lectures"),
    path("lectures/<int:booking_id>/", views.lecture, name="lecture"),
    path("lectures/<int:booking_id>/links/", views.links, name="links"),
    path("lectures/<int:booking_id>/links/print/", views.links_print, name="links-print"),
    # instructors
    path("me/", views.me, name="me"),
    path("instructors/<int:pk>/", views.instructor_ratings_view, name="instructor"),
    # admins
    path("summaries/", views.summaries, name="summaries"),
    path("runs/", views.runs, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run-progress"),
    path("runs/<int:pk>/recompute/", views.run_recompute, name="run-recompute"),
    path("runs/<int:pk>/accept-all/", views.run_accept_all, name="run-accept-all"),
    path("runs/<int:pk>/confirm/", views.run_confirm, name="run-confirm"),
    path("runs/<int:pk>/export/", views.run_export, name="run-export"),
    path("runs/<int:pk>/proposals/<int:proposal_id>/decide/", views.run_decide, name="run-decide"),
    path("incidents/", views.incidents, name="incidents"),
]
