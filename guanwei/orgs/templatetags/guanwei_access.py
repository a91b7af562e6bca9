"""``{% load guanwei_access %}`` … ``{% if obj|visible_to:user %}<a …>{% endif %}``: a page
links only to what the person may open (``orgs.access.may_see``, issue #9 §3)."""

from __future__ import annotations

from typing import Any

from django import template

from guanwei.orgs.access import may_see

register = template.Library()


@register.filter
def visible_to(obj: Any, user: Any) -> bool:
    if obj is None:
        return False
    cache: dict[tuple[type, Any], bool] = getattr(user, "_guanwei_seen", None) or {}
    key = (type(obj), obj.pk)
    if key not in cache:
        cache[key] = may_see(user, obj)
        try:
            user._guanwei_seen = cache
        except AttributeError:
            pass
    return cache[key]
