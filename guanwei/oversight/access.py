"""Who may see a deadline (issue #9 §3): the people it names (owners, whom it escalates
to), whoever may see its post or account, and the unit's report readers."""

from __future__ import annotations

from guanwei.orgs.access import may_see, register
from guanwei.orgs.models import User
from guanwei.orgs.permissions import can
from guanwei.oversight.models import Deadline


def may_see_deadline(user: User, d: Deadline) -> bool:
    if user.pk in (d.owner_ids or []) or user.pk in (d.escalate_ids or []):
        return True
    if d.post is not None and may_see(user, d.post):
        return True
    if d.channel is not None and may_see(user, d.channel):
        return True
    return can(user, "report.view", d.unit)


def register_rules() -> None:
    register(Deadline, may_see_deadline, name="oversight")
