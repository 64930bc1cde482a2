from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "orgs"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("orgs/", views.org_tree, name="tree"),
    path("orgs/<int:pk>/", views.org_tree, name="tree-node"),
]
