from django.urls import path

from guanwei.packs import views

urlpatterns = [
    path("packs/", views.pack_page, name="pack_page"),
]
