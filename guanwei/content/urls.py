from django.urls import path

from guanwei.content import views

urlpatterns = [
    path("dropbox/", views.dropbox, name="dropbox"),
    path("materials/new/", views.material_new, name="material_new"),
    path("materials/external/", views.material_external, name="material_external"),
    path("materials/<int:pk>/", views.material_detail, name="material_detail"),
    path("materials/<int:pk>/edit/", views.material_edit, name="material_edit"),
    path("materials/<int:pk>/take/", views.material_take, name="material_take"),
    path("materials/<int:pk>/decline/", views.material_decline, name="material_decline"),
    path("posts/", views.post_list, name="post_list"),
    path("posts/new/", views.post_new, name="post_new"),
    path("posts/<int:pk>/", views.post_detail, name="post_detail"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/diff/<int:a>/<int:b>/", views.post_diff, name="post_diff"),
    path("weekplans/new/", views.week_plan_new, name="week_plan_new"),
    path("weekplans/<int:pk>/", views.week_plan_detail, name="week_plan_detail"),
    path("assets/", views.asset_library, name="asset_library"),
    path("texts/", views.text_library, name="text_library"),
    path("assets/<int:pk>/file", views.asset_file, name="asset_file"),
]
