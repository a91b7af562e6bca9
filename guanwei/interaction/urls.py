from django.urls import path

from guanwei.interaction import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
]
