"""Telling people things (REQ X-04): an in-app notice per person, written in the caller's
transaction, shown by the bell on every page, the notices page and `GET /api/v1/notices`.
Outside channels (robots, e-mail) are sent after commit by apprise when an organisation has
them configured (a later issue adds the configuration page).

Reading is a person's own act: only the addressee marks a notice read, and the read is
audited (who saw a breach or an escalation, and when, is part of the record)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.bulk import insert_many
from guanwei.core.errors import PermissionDenied
from guanwei.notify.models import Notice
from guanwei.orgs.models import User


def safe_link(link: str) -> str:
    """Only a path on this site: a notice never links out (no "//host", no "javascript:")."""
    link = (link or "").strip()
    if not link.startswith("/") or link.startswith("//") or "\\" in link:
        return ""
    return link[:300]


def notify(
    user_ids: Iterable[int],
    *,
    organisation_id: int | None,
    title: str,
    body: str = "",
    link: str = "",
) -> int:
    rows = [
        Notice(
            user_id=uid,
            organisation_id=organisation_id,
            title=title[:200],
            body=body,
            link=safe_link(link),
        )
        for uid in dict.fromkeys(u for u in user_ids if u)
    ]
    Notice.objects.bulk_create(rows)
    return len(rows)


def notify_many(messages: Iterable[dict[str, Any]]) -> int:
    """Several ``notify`` calls (each a dict of its keyword arguments plus ``user_ids``)
    in one INSERT: a batch of comments escalated by a rule (W-18)."""
    rows = [
        Notice(
            user_id=uid,
            organisation_id=m.get("organisation_id"),
            title=str(m.get("title", ""))[:200],
            body=str(m.get("body", "")),
            link=safe_link(str(m.get("link", ""))),
        )
        for m in messages
        for uid in dict.fromkeys(u for u in m.get("user_ids", ()) if u)
    ]
    insert_many(Notice, rows)  # COPY for a big batch (guanwei.bulk)
    return len(rows)


def _record_read(actor: User, ids: list[int], organisation_ids: set[int | None]) -> None:
    for organisation_id in sorted(organisation_ids, key=lambda o: (o is None, o or 0)):
        record(
            AuditAction.NOTICES_READ,
            actor=actor,
            object_type="notice",
            object_id=ids[0] if len(ids) == 1 else "",
            object_repr=f"{len(ids)} 条通知",
            organisation_id=organisation_id,
            after={"notices": ids},
        )


@transaction.atomic
def mark_read(notice: Notice, *, actor: User) -> bool:
    """The addressee marks one notice read; False when it already was."""
    if notice.user_id != actor.pk:
        raise PermissionDenied("只能处理发给自己的通知。")
    won = Notice.objects.filter(pk=notice.pk, user=actor, read_at=None).update(
        read_at=timezone.now()
    )
    if won:
        _record_read(actor, [notice.pk], {notice.organisation_id})
    notice.refresh_from_db(fields=["read_at"])
    return bool(won)


@transaction.atomic
def mark_all_read(*, actor: User) -> int:
    """The person marks every unread notice of theirs read; returns how many."""
    unread = list(
        Notice.objects.select_for_update()
        .filter(user=actor, read_at=None)
        .values_list("pk", "organisation_id")
    )
    if not unread:
        return 0
    ids = [pk for pk, _ in unread]
    won = Notice.objects.filter(pk__in=ids, read_at=None).update(read_at=timezone.now())
    _record_read(actor, ids, {org for _, org in unread})
    return won
