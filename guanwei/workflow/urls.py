from django.urls import path

from guanwei.workflow import views

urlpatterns = [
    path("queue/", views.queue, name="review_queue"),
    path("steps/<int:pk>/approve/", views.step_approve, name="step_approve"),
    path("steps/<int:pk>/reject/", views.step_reject, name="step_reject"),
    path("posts/<int:pk>/submit/", views.post_submit, name="post_submit"),
    path("weekplans/<int:pk>/submit/", views.week_plan_submit, name="week_plan_submit"),
    path("weekplans/<int:pk>/approve/", views.week_plan_approve, name="week_plan_approve"),
    path("posts/<int:pk>/form.pdf", views.post_pdf, name="post_pdf"),
    path("filings/", views.filings, name="filings"),
    path("authorisations/<int:pk>/", views.authorisation_detail, name="authorisation_detail"),
    path("authorisations/<int:pk>/form.pdf", views.authorisation_pdf, name="authorisation_pdf"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/form.pdf", views.application_pdf, name="application_pdf"),
    path("applications/<int:pk>/archive/", views.application_archive, name="application_archive"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/revoke/", views.delegation_revoke, name="delegation_revoke"),
]
