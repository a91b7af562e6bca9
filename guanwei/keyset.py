"""One keyset cursor for every list page and API list (drop box, posts, review queue, notices).

A cursor is "<UTC time with Z>_<id>": nothing in it that a query string reads differently
(an offset's "+" arrives as a space when a link leaves it unencoded). Reading is tolerant: an
offset ("+08:00", or " 08:00" from such a link) is accepted too; anything else is no cursor
(the first page), never an error page."""

from __future__ import annotations

from datetime import UTC, datetime


def cursor_text(at: datetime, pk: int) -> str:
    """URL-safe as is: UTC with "Z", so no "+" that a query string would read as a space."""
    return f"{at.astimezone(UTC).isoformat().replace('+00:00', 'Z')}_{pk}"


def parse_cursor(raw: str) -> tuple[datetime, int] | None:
    at, sep, pk = (raw or "").strip().rpartition("_")
    if not sep or not pk.isdigit():
        return None
    try:
        when = datetime.fromisoformat(at.replace(" ", "+"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when, int(pk))
