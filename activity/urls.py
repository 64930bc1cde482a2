from django.urls import path

from . import views

app_name = "activity"

urlpatterns = [
    path("", views.home, name="home"),
    path("move/", views.day_move, name="move"),
    path("new/", views.activity_new, name="new"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/attendance/", views.activity_attendance, name="attendance"),
    path("<int:pk>/cancel/", views.activity_cancel, name="cancel"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("<int:pk>/case/", views.case_mark, name="case-mark"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment-delete"),
    path("me/", views.my_attendance, name="me"),
    path("questions/", views.question_list, name="questions"),
    path("questions/new/", views.question_new, name="question-new"),
    path("questions/<int:pk>/", views.question_detail, name="question"),
    path("reports/", views.report_list, name="reports"),
    path("reports/submit/", views.report_submit, name="report-submit"),
    path("supervision/", views.supervision, name="supervision"),
    path("supervision/export/", views.supervision_export, name="supervision-export"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/<str:step>/", views.case_action, name="case-action"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_new, name="rule-new"),
    path("calendar/", views.calendar_page, name="calendar"),
]
