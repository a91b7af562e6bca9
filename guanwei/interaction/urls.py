from django.urls import path

from guanwei.interaction import activity_views, views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    # activities (W-08, T-06)
    path("activities/", activity_views.activity_list, name="activity_list"),
    path("activities/new/", activity_views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", activity_views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/submit/", activity_views.activity_submit, name="activity_submit"),
    path(
        "activities/<int:pk>/readiness/",
        activity_views.activity_readiness,
        name="activity_readiness",
    ),
    path("activities/<int:pk>/start/", activity_views.activity_start, name="activity_start"),
    path("activities/<int:pk>/finish/", activity_views.activity_finish, name="activity_finish"),
    path("activities/<int:pk>/cancel/", activity_views.activity_cancel, name="activity_cancel"),
    path(
        "activities/steps/<int:pk>/decide/",
        activity_views.activity_step_decide,
        name="activity_step_decide",
    ),
]
