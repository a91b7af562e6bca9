"""The shell's URLs: login, logout, dashboard."""

from django.contrib.auth import views as auth_views
from django.urls import path

from guanwei.web import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/code/", views.login_code, name="login_code"),  # sec-mfa: second step
    path("", views.dashboard, name="dashboard"),
]
