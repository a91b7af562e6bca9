"""Who may see a publication (issue #9 §3): whoever may see its post (``orgs.access``)."""

from __future__ import annotations

from guanwei.content.queries import may_view_post
from guanwei.orgs.access import register
from guanwei.publishing.models import PublishIntent


def register_rules() -> None:
    register(PublishIntent, lambda user, i: may_view_post(user, i.post), name="publishing")
