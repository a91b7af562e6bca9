"""Who may see a notice (issue #9 §3): its addressee only."""

from __future__ import annotations

from guanwei.notify.models import Notice
from guanwei.orgs.access import register


def register_rules() -> None:
    register(Notice, lambda user, n: n.user_id == user.pk, name="notify")
