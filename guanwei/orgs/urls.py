from django.urls import path

from guanwei.orgs import views

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/grant/", views.unit_grant, name="unit_grant"),
    path("units/<int:pk>/move/", views.unit_move, name="unit_move"),
    path("units/<int:pk>/children/", views.unit_create_child, name="unit_create_child"),
    path("memberships/<int:pk>/revoke/", views.membership_revoke, name="membership_revoke"),
    path("people/", views.people_list, name="people_list"),
    # issue #9 §9: sensitive grants confirmed or refused by a second person
    path("grants/<int:pk>/confirm/", views.grant_confirm, name="grant_confirm"),
    path("grants/<int:pk>/refuse/", views.grant_refuse, name="grant_refuse"),
]
