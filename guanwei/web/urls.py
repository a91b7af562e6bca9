from django.contrib.auth import views as auth_views
from django.urls import path

from guanwei.channels import views as channel_views
from guanwei.web import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/grant/", views.unit_grant, name="unit_grant"),
    path("units/<int:pk>/move/", views.unit_move, name="unit_move"),
    path("units/<int:pk>/children/", views.unit_create_child, name="unit_create_child"),
    path("memberships/<int:pk>/revoke/", views.membership_revoke, name="membership_revoke"),
    path("people/", views.people_list, name="people_list"),
    path("channels/", views.channel_list, name="channel_list"),
    path("channels/<int:pk>/", views.channel_detail, name="channel_detail"),
    path(
        "channels/<int:pk>/application.pdf",
        channel_views.application_form,
        name="channel_application_pdf",
    ),
    path(
        "channels/<int:pk>/authorisation/",
        channel_views.authorisation_form,
        name="channel_authorisation",
    ),
    path("follows/", views.follow_list, name="follow_list"),
    path("packs/", views.pack_page, name="pack_page"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
]
