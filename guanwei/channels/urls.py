from django.urls import path

from guanwei.channels import register_views, views

urlpatterns = [
    path("channels/", views.channel_list, name="channel_list"),
    path("channels/apply/", views.channel_apply, name="channel_apply"),
    path("channels/<int:pk>/", views.channel_detail, name="channel_detail"),
    path(
        "channels/<int:pk>/change-people/",
        views.channel_change_people,
        name="channel_change_people",
    ),
    path(
        "channels/<int:pk>/application.pdf", views.application_form, name="channel_application_pdf"
    ),
    path("channels/<int:pk>/application/", views.application_page, name="channel_application"),
    path(
        "channels/<int:pk>/authorisation/", views.authorisation_form, name="channel_authorisation"
    ),
    path("follows/", views.follow_list, name="follow_list"),
    # C-04: the register of approved accounts and reports of unregistered ones
    path("channels/register/", register_views.register_page, name="channel_register"),
    path(
        "channels/unregistered/<int:pk>/",
        register_views.unregistered_detail,
        name="unregistered_detail",
    ),
    path(
        "channels/unregistered/<int:pk>/decide/",
        register_views.unregistered_decide,
        name="unregistered_decide",
    ),
]
