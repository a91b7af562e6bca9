from django.urls import path

from guanwei.channels import views

urlpatterns = [
    path("channels/", views.channel_list, name="channel_list"),
    path("channels/<int:pk>/", views.channel_detail, name="channel_detail"),
    path(
        "channels/<int:pk>/application.pdf", views.application_form, name="channel_application_pdf"
    ),
    path("channels/<int:pk>/application/", views.application_page, name="channel_application"),
    path(
        "channels/<int:pk>/authorisation/", views.authorisation_form, name="channel_authorisation"
    ),
    path("follows/", views.follow_list, name="follow_list"),
]
