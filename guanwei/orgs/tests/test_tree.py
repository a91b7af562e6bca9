"""The organisation tree of any depth (REQ X-01)."""

from __future__ import annotations

import pytest

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.core.errors import InvalidChange
from guanwei.orgs import actions
from guanwei.orgs.models import Membership, Unit
from guanwei.orgs.permissions import SYSTEM
from guanwei.testing.personas import org, person, unit

pytestmark = pytest.mark.django_db


def test_it_loads_province_city_county_from_the_weather_pack() -> None:
    """X-01, W-05: province → city → three county bureaus."""
    county = unit("demo_weather", "county_c")
    names = [u.name for u in county.ancestors()]
    assert names == ["省气象局", "市气象局", "丙县气象局"]
    assert county.depth == 2
    assert unit("demo_weather", "city").subtree().count() == 13


def test_it_builds_trees_of_any_depth() -> None:
    """X-01: nest ten levels and the subtree query still finds them all."""
    admin = person("gw_admin")
    parent = unit("demo_weather", "county_a")
    for level in range(10):
        parent = actions.create_unit(
            parent.organisation,
            actor=admin,
            key=f"deep{level}",
            name=f"第{level}层",
            unit_type="county_bureau",
            parent=parent,
        )
    assert parent.depth == 12
    assert unit("demo_weather", "county_a").subtree().count() == 11
    assert parent.is_within(unit("demo_weather", "province"))


def test_it_moves_a_unit_with_everything_below_it() -> None:
    """X-01: moving re-parents the whole subtree and is audited."""
    admin = person("gw_admin")
    county_a = unit("demo_weather", "county_a")
    station = actions.create_unit(
        county_a.organisation,
        actor=admin,
        key="a_station",
        name="甲县观测站",
        unit_type="radar_station",
        parent=county_a,
    )
    actions.move_unit(county_a, actor=admin, new_parent=unit("demo_weather", "province"))
    station.refresh_from_db()
    county_a.refresh_from_db()
    assert county_a.depth == 1 and station.depth == 2
    assert station.is_within(county_a)
    assert not station.is_within(unit("demo_weather", "city"))
    last = AuditRecord.objects.order_by("-seq").first()
    assert last is not None and last.action == AuditAction.UNIT_MOVED
    assert last.before is not None and last.after is not None
    assert last.before["parent"] == "city" and last.after["parent"] == "province"


def test_it_refuses_moving_a_unit_under_itself() -> None:
    """X-01: no cycles."""
    with pytest.raises(InvalidChange):
        actions.move_unit(
            unit("demo_weather", "city"),
            actor=person("gw_admin"),
            new_parent=unit("demo_weather", "county_b"),
        )


def test_it_refuses_a_second_root() -> None:
    """X-01: one top unit per organisation."""
    with pytest.raises(InvalidChange):
        actions.create_unit(
            org("demo_weather"),
            actor=SYSTEM,
            key="root2",
            name="另一个根",
            unit_type="city_bureau",
            parent=None,
        )


def test_it_refuses_a_unit_type_the_pack_does_not_know() -> None:
    """X-01, W-02: unit types come from the pack."""
    with pytest.raises(InvalidChange):
        actions.create_unit(
            org("demo_weather"),
            actor=SYSTEM,
            key="x",
            name="X",
            unit_type="spaceport",
            parent=unit("demo_weather", "city"),
        )
    assert not Unit.objects.filter(key="x").exists()


def test_it_grants_and_revokes_roles_keeping_history() -> None:
    """X-01, T-03: a role held in a unit; revoking keeps the row (roles are the security
    administrator's, issue #9 §9)."""
    admin = person("gw_security")
    officer = person("xc_officer")
    county_b = unit("demo_weather", "county_b")
    m = actions.grant_role(officer, county_b, "info_officer", actor=admin)
    assert isinstance(m, Membership)
    with pytest.raises(InvalidChange):
        actions.grant_role(officer, county_b, "info_officer", actor=admin)
    actions.revoke_role(m, actor=admin)
    m.refresh_from_db()
    assert m.revoked_at is not None and m.revoked_by == admin
    again = actions.grant_role(officer, county_b, "info_officer", actor=admin)
    assert again.pk != m.pk
    actions_seen = list(
        AuditRecord.objects.filter(object_type="membership")
        .order_by("-seq")
        .values_list("action", flat=True)[:3]
    )
    assert actions_seen == [
        AuditAction.ROLE_GRANTED,
        AuditAction.ROLE_REVOKED,
        AuditAction.ROLE_GRANTED,
    ]


def test_it_refuses_a_role_the_pack_does_not_define() -> None:
    with pytest.raises(InvalidChange):
        actions.grant_role(
            person("xc_officer"), unit("demo_weather", "county_c"), "emperor", actor=SYSTEM
        )
