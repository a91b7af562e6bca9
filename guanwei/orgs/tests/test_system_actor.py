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


def test_x01_the_system_actor_may_do_only_what_is_listed() -> None:
    """X-01 (#9 §7): pack loading by the operator and the scheduler's work are allowed,
    reading credentials, reviewing, managing lexicons or the audit log are not."""
    from guanwei.orgs.permissions import SYSTEM, SYSTEM_ACTIONS

    county = unit("demo_weather", "county_a")
    assert can(SYSTEM, "pack.load", org("demo_weather"))
    assert can(SYSTEM, "post.schedule", county)
    for refused in ("credential.reveal", "post.review", "lexicon.manage", "audit.view"):
        assert refused not in SYSTEM_ACTIONS
        assert not can(SYSTEM, refused, county), refused
    assert set(SYSTEM_ACTIONS) <= set(PERMISSIONS)


def test_x02_system_work_is_recorded_as_the_system() -> None:
    """X-02: the audit record of system work names the system, not a person."""
    from django.db import transaction

    from guanwei.audit.actions import record
    from guanwei.audit.events import AuditAction
    from guanwei.orgs.permissions import SYSTEM

    with transaction.atomic():
        rec = record(AuditAction.UNIT_CHANGED, actor=SYSTEM, object_type="unit", object_id=1)
    assert rec.actor_id is None and rec.actor_name == "system"


def test_x01_no_module_passes_actor_none() -> None:
    """X-01 (#9 §7): system work names SYSTEM; a call with ``actor=None`` is a bug."""
    import re
    from pathlib import Path

    import guanwei

    root = Path(guanwei.__file__).parent
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bactor=None\b", line)
        and not line.lstrip().startswith(("#", '"'))
        and "``actor=None``" not in line
    ]
    assert offenders == []
