from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.me, name="me"),
    path("members/<int:pk>/", views.member_record, name="member"),
    path("members/<int:pk>/print/", views.member_print, name="member-print"),
    path("members/<int:pk>/card/", views.card_issue, name="card-issue"),
    path("members/<int:pk>/merit/", views.merit_create, name="merit-create"),
    path("members/<int:pk>/role/", views.role_create, name="role-create"),
    path("members/<int:pk>/dues/", views.dues_pay, name="dues-pay"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/confirm/", views.entry_confirm, name="entry-confirm"),
    path("entries/<int:pk>/dispute/", views.entry_dispute, name="entry-dispute"),
    path("entries/<int:pk>/resolve/", views.entry_resolve, name="entry-resolve"),
    path("entries/<int:pk>/withdraw/", views.entry_withdraw, name="entry-withdraw"),
    path("entries/<int:pk>/correct/", views.entry_correct, name="entry-correct"),
    path("disputes/", views.disputes, name="disputes"),
    path("arrears/", views.arrears, name="arrears"),
    path("branches/<int:pk>/export.xlsx", views.branch_export, name="branch-export"),
    path("points/", views.points, name="points"),
    path("points/rules/<int:pk>/", views.point_rules, name="point-rules"),
    path("points/tables/<int:pk>/", views.points_table, name="points-table"),
]
