from django.urls import path

from guanwei.screening import views

urlpatterns = [
    path("", views.screen_page, name="screen_page"),
    path("lexicon/", views.lexicon_page, name="lexicon_page"),
    path("lexicon/add/", views.lexicon_add, name="lexicon_add"),
    path("lexicon/import/", views.lexicon_import, name="lexicon_import"),
    path("lexicon/<int:pk>/remove/", views.lexicon_remove, name="lexicon_remove"),
]
