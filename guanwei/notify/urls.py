from django.urls import path

from guanwei.notify import views

urlpatterns = [
    path("", views.notice_list, name="notices"),
    path("<int:pk>/open/", views.notice_open, name="notice_open"),
    path("<int:pk>/read/", views.notice_read, name="notice_read"),
    path("read-all/", views.notice_read_all, name="notice_read_all"),
]
