from django.urls import path

from guanwei.publishing import views

urlpatterns = [
    path("posts/<int:pk>/schedule/", views.schedule, name="post_schedule"),
    path("posts/<int:pk>/progress/", views.progress, name="post_progress"),
    path("intents/<int:pk>/cancel/", views.cancel, name="intent_cancel"),
    path("intents/<int:pk>/retry/", views.retry, name="intent_retry"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar.ics", views.calendar_ics, name="calendar_ics"),
    path("holidays/", views.holidays, name="holidays"),
    path("holidays/complete/", views.holidays_complete, name="holidays_complete"),
    path("follows/check/", views.follows_check, name="follows_check"),
]
