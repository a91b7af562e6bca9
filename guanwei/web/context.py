"""What the shell's layout shows on every page: the bell's unread count (REQ X-04) and the
menu of the pages the person may open (issue #10 §6)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from guanwei.notify.queries import unread_count
from guanwei.orgs.models import User


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    from guanwei.orgs.pages import current_org

    org = current_org(request)
    from guanwei.web.menu import menu_for, menu_items

    # The menu shows only what the person may open: one gate per entry, the page's own
    # (issue #10 §6, guanwei.web.menu).
    # Lazy: a partial (a progress poll) never iterates it and never pays for it.
    menu = SimpleLazyObject(lambda: menu_for(user, org))
    # the menu bar: 工作台, then the sections (内容, 发布, 互动, 管理) holding the person's links
    items = SimpleLazyObject(lambda: menu_items(list(menu), request.path))
    return {"unread_notices": unread_count(user), "menu": menu, "menu_items": items}
