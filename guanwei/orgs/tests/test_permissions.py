"""One function decides (``can``), driven by the pack's roles and duties (REQ W-02, W-14, W-04).

The matrix below is the weather-bureau pack read by a person: who may do what
where. Each row is checked through ``can`` and then through the real action,
which must refuse exactly where ``can`` says no.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from guanwei.channels import actions as channel_actions
from guanwei.core.errors import PermissionDenied
from guanwei.orgs import actions as org_actions
from guanwei.orgs.models import Membership
from guanwei.orgs.permissions import can
from guanwei.testing.personas import channel, org, person, unit

pytestmark = pytest.mark.django_db

W = "demo_weather"
PERSONAS = [
    "gw_admin",
    "gw_security",
    "gw_auditor",
    "ywk_head",
    "xa_leader",
    "qxt_officer",
    "kj_publisher",
]


def _targets() -> dict[str, Any]:
    return {
        "county_a": unit(W, "county_a"),
        "county_b": unit(W, "county_b"),
        "observatory": unit(W, "city_observatory"),
        "tech_centre": unit(W, "city_tech_centre"),
        "county_a_weibo": channel(W, "county_a_weibo"),
        "org": org(W),
    }


# (permission, target) -> personas allowed; everyone else in PERSONAS is refused.
MATRIX: list[tuple[str, str, set[str]]] = [
    ("unit.create", "county_a", {"gw_admin"}),
    ("unit.move", "county_b", {"gw_admin"}),
    # 三员分立 (issue #9 §9): roles are the security administrator's; the system
    # administrator confirms sensitive grants; the audit administrator only reads the log.
    ("role.grant", "county_a", {"gw_security"}),
    ("role.revoke", "county_a", {"gw_security"}),
    ("role.confirm", "county_a", {"gw_security", "gw_admin"}),
    ("channel.create", "county_a", {"gw_admin"}),
    ("channel.change", "county_a_weibo", {"gw_admin"}),
    ("channel.approve", "county_a_weibo", {"ywk_head"}),  # W-04: the Business Section
    ("pack.load", "org", {"gw_admin", "ywk_head"}),  # W-02: 业务科 makes the rules
    ("audit.view", "org", {"gw_auditor"}),
    ("material.submit", "observatory", {"qxt_officer"}),  # W-03
    ("material.submit", "county_a", set()),  # an officer submits for their own unit only
    ("material.approve", "county_a", {"xa_leader"}),  # W-14: the unit's supervising leader
    ("post.review", "county_b", set()),  # county A's leader does not review county B
    ("post.publish", "tech_centre", {"kj_publisher"}),  # W-02: the Tech Service Centre publishes
]


@pytest.mark.parametrize(("permission", "target", "allowed"), MATRIX)
def test_it_decides_by_role_duty_and_scope(permission: str, target: str, allowed: set[str]) -> None:
    """W-02, W-14, W-04: the role × permission matrix of the weather pack."""
    obj = _targets()[target]
    decided = {p for p in PERSONAS if can(person(p), permission, obj)}
    assert decided == allowed


def test_it_refuses_people_of_another_organisation() -> None:
    """X-01: a role in one organisation gives nothing in another."""
    college_admin = (
        next(
            m.user
            for m in Membership.objects.filter(
                unit__organisation__key="demo_college", role="administrator"
            ).select_related("user")
        )
        if Membership.objects.filter(unit__organisation__key="demo_college").exists()
        else None
    )
    if college_admin is None:
        pytest.skip("college pack not loaded")
    assert can(college_admin, "unit.create", org("demo_college"))
    assert not can(college_admin, "unit.create", unit(W, "county_a"))
    assert not can(college_admin, "audit.view", org(W))


def test_it_refuses_inactive_and_anonymous_users() -> None:
    admin = person("gw_admin")
    admin.is_active = False
    assert not can(admin, "unit.create", unit(W, "county_a"))


def _attempts() -> dict[str, Callable[[Any], object]]:
    t = _targets()
    return {
        "unit.create": lambda actor: org_actions.create_unit(
            t["org"],
            actor=actor,
            key="probe",
            name="探测",
            unit_type="radar_station",
            parent=t["county_a"],
        ),
        "unit.move": lambda actor: org_actions.move_unit(
            t["county_b"], actor=actor, new_parent=unit(W, "province")
        ),
        "role.grant": lambda actor: org_actions.grant_role(
            person("xc_officer"), t["county_a"], "info_officer", actor=actor
        ),
        "role.revoke": lambda actor: org_actions.revoke_role(
            Membership.objects.get(user__username="xa_leader", role="supervising_leader"),
            actor=actor,
        ),
        "channel.create": lambda actor: channel_actions.create_channel(
            t["county_a"], actor=actor, key="probe_site", name="探测网站", kind="website"
        ),
        "channel.change": lambda actor: channel_actions.change_channel(
            t["county_a_weibo"], actor=actor, account_id="123456"
        ),
        "channel.approve": lambda actor: channel_actions.change_channel(
            t["county_a_weibo"], actor=actor, status="suspended"
        ),
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_refuses_every_forbidden_action(persona: str) -> None:
    """W-02, W-04, X-01: each action refuses exactly the personas the matrix refuses."""
    actor = person(persona)
    expected = {(p, tg): a for p, tg, a in MATRIX}
    for permission, attempt in _attempts().items():
        target = {
            "unit.create": "county_a",
            "unit.move": "county_b",
            "role.grant": "county_a",
            "role.revoke": "county_a",
            "channel.create": "county_a",
            "channel.change": "county_a_weibo",
            "channel.approve": "county_a_weibo",
        }[permission]
        allowed = persona in expected[(permission, target)]
        if permission == "channel.approve":
            # changing the status needs channel.change AND channel.approve
            allowed = allowed and persona in expected[("channel.change", "county_a_weibo")]
        try:
            with transaction.atomic():
                attempt(actor)
                transaction.set_rollback(True)
        except PermissionDenied:
            assert not allowed, f"{persona} was refused {permission}"
        else:
            assert allowed, f"{persona} was allowed {permission}"


def test_holds_anywhere_is_can_on_some_unit_of_the_organisation() -> None:
    """The menu's fast question (issue #10 §6) gives the same answer as asking ``can`` on
    every unit of the organisation, for every person, permission and organisation."""
    from guanwei.core.catalog import PERMISSIONS
    from guanwei.orgs.models import Organisation, User
    from guanwei.orgs.permissions import can, holds_anywhere

    organisations = list(Organisation.objects.prefetch_related("units"))
    for user in User.objects.filter(memberships__isnull=False).distinct():
        for o in organisations:
            units = list(o.units.all())
            for action in PERMISSIONS:
                assert holds_anywhere(user, action, o) == any(
                    can(user, action, u) for u in units
                ), (user.username, o.key, action)
