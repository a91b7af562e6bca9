from django.urls import path

from guanwei.orgs import account_views, views

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
    # sec-mfa (issue #9 §11, §14): the person's own security pages
    path("account/two-factor/", account_views.security, name="account_security"),
    path("account/two-factor/setup/", account_views.setup, name="account_mfa_setup"),
    path("account/two-factor/codes/", account_views.recovery_codes, name="account_mfa_codes"),
    path("account/two-factor/remove/", account_views.remove, name="account_mfa_remove"),
    path("account/tokens/", account_views.tokens, name="account_tokens"),
    path(
        "account/tokens/<int:pk>/revoke/", account_views.token_revoke, name="account_token_revoke"
    ),
]
