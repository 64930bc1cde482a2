from django.urls import path

from . import views

app_name = "pool"

urlpatterns = [
    # public
    path("", views.roster, name="roster"),
    path("instructors/<int:pk>/", views.instructor_profile, name="instructor"),
    path("rosters/", views.rosters, name="rosters"),
    path("rosters/<int:pk>/", views.roster_document, name="roster-document"),
    # the instructor
    path("me/", views.me, name="me"),
    path("topics/<int:pk>/edit/", views.topic_edit, name="topic-edit"),
    path("topics/<int:pk>/delete/", views.topic_delete, name="topic-delete"),
    # admins
    path("manage/", views.manage, name="manage"),
    path("manage/import/", views.import_upload, name="import"),
    path("manage/<int:pk>/", views.pool_detail, name="pool"),
    path("manage/<int:pk>/instructors/", views.pool_instructors, name="pool-instructors"),
    path("manage/<int:pk>/export/", views.pool_export, name="pool-export"),
    path("manage/<int:pk>/publish/", views.roster_publish, name="roster-publish"),
    path("manage/<int:pk>/calls/new/", views.call_create, name="call-create"),
    path("manage/instructors/<int:pk>/", views.manage_instructor, name="manage-instructor"),
    path("manage/instructors/<int:pk>/edit/", views.instructor_edit, name="instructor-edit"),
    path("manage/instructors/<int:pk>/letter/", views.letter, name="letter"),
    path("suggestions/", views.suggestions, name="suggestions"),
    # intake
    path("calls/", views.calls, name="calls"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/recommend/", views.recommend, name="call-recommend"),
    # the recommender (为我推荐)
    path("recommend/", views.recommend_instructors, name="recommend"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation"),
]
