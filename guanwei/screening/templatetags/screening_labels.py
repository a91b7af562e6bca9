"""``{% load screening_labels %}``: ``{{ hit.category|category_label }}``,
``{{ verdict|verdict_label }}``, ``{{ hit.severity|severity_label }}``,
``{{ rule.req|own_req:org }}``."""

from __future__ import annotations

import re
from typing import Any

from django import template

from guanwei.screening import labels

register = template.Library()
register.filter("category_label", labels.category_label)
register.filter("verdict_label", labels.verdict_label)
register.filter("severity_label", labels.severity_label)


REQ_ID = re.compile(r"[A-Z]-\d\d")


@register.filter
def own_req(req: Any, org: Any) -> str:
    """The requirement IDs of a screening finding that the organisation's own rule book
    cites (or X-nn, every organisation's): a shipped rule carries the ID of the rule book it
    came from (the secrecy markers W-21), which is another organisation's word elsewhere."""
    text = str(req or "")
    if org is None or not getattr(org, "pk", None):
        return text
    from guanwei.orgs.rules import rules_for

    own = rules_for(org.pk).requirement_ids()
    return "、".join(r for r in REQ_ID.findall(text) if r in own or r.startswith("X-"))
