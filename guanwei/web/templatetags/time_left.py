"""``{% load time_left %}``: ``{{ deadline.due_at|time_left }}`` or ``{{ seconds|time_left }}``
— how long is left, in Chinese days, hours and minutes ("还剩 1 天 2 小时", "还剩 8 分钟",
"已超时 3 分钟"). The one way every page says time left (the live countdowns start from it)."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


def _span(seconds: int) -> str:
    minutes = seconds // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} 天" + (f" {hours} 小时" if hours else "")
    if hours:
        return f"{hours} 小时" + (f" {minutes} 分钟" if minutes else "")
    return f"{minutes} 分钟" if minutes else "不到 1 分钟"


@register.filter
def time_left(value: datetime | int | float | None) -> str:
    """Time left until ``value`` (a due time, or seconds left; negative is overdue)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        seconds = int((value - timezone.now()).total_seconds())
    else:
        seconds = int(value)
    if seconds < 0:
        return "已超时 " + _span(-seconds) if -seconds >= 60 else "已超时不到 1 分钟"
    return "还剩 " + _span(seconds) if seconds >= 60 else "还剩不到 1 分钟"
