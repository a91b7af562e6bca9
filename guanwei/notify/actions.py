"""Telling people things (REQ X-04): an in-app notice per person, written in the caller's
transaction. Outside channels (robots, e-mail) are sent after commit by apprise when an
organisation has them configured (a later issue adds the configuration page)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from guanwei.notify.models import Notice


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
            user_id=uid, organisation_id=organisation_id, title=title[:200], body=body, link=link
        )
        for uid in dict.fromkeys(user_ids)
    ]
    Notice.objects.bulk_create(rows)
    return len(rows)


def mark_read(user_id: int, notice_ids: Iterable[int]) -> int:
    return Notice.objects.filter(user_id=user_id, pk__in=list(notice_ids), read_at=None).update(
        read_at=timezone.now()
    )
