from django.urls import path

from guanwei.oversight import views

urlpatterns = [
    path("deadlines/", views.deadlines, name="deadlines"),
    path("deadlines/<int:pk>/syndicated/", views.syndicated, name="deadline_syndicated"),
    path("posts/<int:pk>/correction/", views.correction, name="post_correction"),
    path("corrections/<int:pk>/", views.correction_new, name="correction_new"),
]
