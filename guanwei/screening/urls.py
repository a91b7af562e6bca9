from django.urls import path

from guanwei.screening import views

urlpatterns = [
    path("", views.screen_page, name="screen_page"),
    path("lexicon/", views.lexicon_page, name="lexicon_page"),
    path("lexicon/add/", views.lexicon_add, name="lexicon_add"),
    path("lexicon/import/", views.lexicon_import, name="lexicon_import"),
    path("lexicon/<int:pk>/remove/", views.lexicon_remove, name="lexicon_remove"),
    path("lexicon/allow/add/", views.lexicon_allow_add, name="lexicon_allow_add"),
    path("lexicon/allow/<int:pk>/remove/", views.lexicon_allow_remove, name="lexicon_allow_remove"),
]
