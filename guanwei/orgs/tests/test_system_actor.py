"""Issue #9 §7: nobody is everybody. ``can(None, …)`` is refused; system work names the
system actor, whose allowed actions are listed (REQ X-01, X-02)."""

from __future__ import annotations

import pytest

from guanwei.core.catalog import PERMISSIONS
from guanwei.core.errors import PermissionDenied
from guanwei.orgs.permissions import can, require
from guanwei.testing.personas import org, unit

pytestmark = pytest.mark.django_db


def test_x01_no_actor_may_do_nothing() -> None:
    """X-01: a missing actor (a forgotten argument, an anonymous path) is not the system."""
    county = unit("demo_weather", "county_a")
    for action in PERMISSIONS:
        assert not can(None, action, county), action
        assert not can(None, action, org("demo_weather")), action
        assert not can(None, action), action
    with pytest.raises(PermissionDenied):
        require(None, "post.publish", county)
