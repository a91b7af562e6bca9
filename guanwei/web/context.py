"""What the shell's layout shows on every page: the bell's unread count (REQ X-04)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from guanwei.notify.queries import unread_count
from guanwei.orgs.models import User


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    from guanwei.orgs.pages import current_org
    from guanwei.orgs.permissions import can

    org = current_org(request)
    # The menu shows only what the person may open (the audit log is for its keepers).
    from guanwei.channels.access import SEES_CHANNEL
    from guanwei.orgs.access import may_anywhere

    return {
        "unread_notices": unread_count(user),
        "may_view_audit": org is not None and can(user, "audit.view", org),
        # issue #9 §3: the people list is for person.view, the accounts for channel.view
        "may_view_people": org is not None and may_anywhere(user, org, "person.view"),
        "may_view_channels": org is not None
        and any(may_anywhere(user, org, p) for p in SEES_CHANNEL),
    }
