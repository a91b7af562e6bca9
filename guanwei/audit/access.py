"""Who opens the audit log's pages (REQ X-02): its keepers, ``audit.view`` on the whole
organisation. Called by the pages and by the menu (guanwei.web.menu), issue #10 §6."""

from __future__ import annotations

from guanwei.orgs.models import Organisation, User
from guanwei.orgs.permissions import can


def may_open_audit_log(user: User, organisation: Organisation) -> bool:
    return can(user, "audit.view", organisation)
