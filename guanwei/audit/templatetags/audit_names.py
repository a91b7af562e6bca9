"""``{% actor_names records as names %}`` … ``{{ r|actor_display:names }}``: the audit table
names a person as 马骏（qxt_officer）, the record's login kept beside the name (issue 10 §2:
no code where a name belongs). One query for the page's rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from guanwei.orgs.models import User

register = template.Library()


@register.simple_tag
def actor_names(records: Iterable[Any]) -> dict[int, str]:
    ids = {r.actor_id for r in records if r.actor_id is not None}
    return {
        pk: name
        for pk, name in User.objects.filter(pk__in=ids).values_list("pk", "display_name")
        if name
    }


@register.filter
def actor_display(record: Any, names: dict[int, str]) -> str:
    label = str(record.actor_label)
    name = names.get(record.actor_id) if record.actor_id is not None else None
    return f"{name}（{label}）" if name and name != label else label
