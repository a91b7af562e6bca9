"""`/api/v1/notices`: the caller's own notices (REQ X-04), newest first, keyset-paged;
mark one or all read through the same notify actions the page uses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from guanwei.api.ids import PathId
from guanwei.keyset import cursor_text, parse_cursor
from guanwei.notify import actions, queries
from guanwei.notify.models import Notice
from guanwei.orgs.access import get_for
from guanwei.orgs.models import User

notices_router = Router(tags=["notices"])


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class NoticeOut(Schema):
    id: int
    organisation_id: int | None
    title: str
    body: str
    link: str
    created: datetime
    read_at: datetime | None
    cursor: str


class ReadOut(Schema):
    marked: int
    unread: int


def _out(n: Notice) -> dict[str, Any]:
    return {
        "id": n.pk,
        "organisation_id": n.organisation_id,
        "title": n.title,
        "body": n.body,
        "link": n.link,
        "created": n.created,
        "read_at": n.read_at,
        "cursor": cursor_text(n.created, n.pk),
    }


@notices_router.get("", response=list[NoticeOut])
def notices(request: HttpRequest, unread: bool = False, before: str = "") -> Any:
    """Newest first, 50 a page; pass the last item's ``cursor`` as ``before`` for more."""
    cursor = parse_cursor(before) if before else None
    if before and cursor is None:
        raise HttpError(400, "bad cursor")
    return [_out(n) for n in queries.notices_for(_user(request), unread_only=unread, before=cursor)]


@notices_router.post("/{notice_id}/read", response=ReadOut)
def read(request: HttpRequest, notice_id: PathId) -> Any:
    notice = get_for(_user(request), Notice, notice_id)  # its addressee only
    marked = actions.mark_read(notice, actor=_user(request))
    return {"marked": int(marked), "unread": queries.unread_count(_user(request))}


@notices_router.post("/read-all", response=ReadOut)
def read_all(request: HttpRequest) -> Any:
    marked = actions.mark_all_read(actor=_user(request))
    return {"marked": marked, "unread": queries.unread_count(_user(request))}
