"""The shell's URLs: login, logout, own password, dashboard."""

from django.contrib.auth import views as auth_views
from django.urls import path

from guanwei.web import logins, views

urlpatterns = [
    path("login/", logins.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/code/", views.login_code, name="login_code"),  # sec-mfa: second step
    path("password/", logins.password_change, name="password_change"),
    path("", views.dashboard, name="dashboard"),
]
