"""``rows.update_rows``: different values for many rows in one statement, stored as
``save()`` stores them (the dispatcher's answers; REQ X-03), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from guanwei.publishing import actions
from guanwei.publishing.models import PublishIntent
from guanwei.publishing.rows import update_rows
from guanwei.publishing.tests.test_scheduling import _approved
from guanwei.testing.personas import person

pytestmark = pytest.mark.django_db


def _intents(n: int) -> list[PublishIntent]:
    out = []
    for _ in range(n):
        post = _approved()
        out += actions.schedule_post(post, actor=person("kj_publisher"))
    return out


def test_each_row_gets_its_own_values_of_every_type() -> None:
    a, b, c = _intents(3)
    at = datetime(2026, 12, 1, 8, 30, 15, 123456, tzinfo=UTC)
    written = update_rows(
        PublishIntent,
        {
            a.pk: {"remote_id": "5012345678901234", "attempts": 3, "next_attempt_at": at},
            b.pk: {"remote_id": "", "attempts": 0, "next_attempt_at": None},
            # another set of field names: its own statement
            c.pk: {"error_message": "平台说：“内容重复”'; DROP TABLE x; --", "lease_owner": ""},
        },
    )
    assert written == 3
    a.refresh_from_db()
    b.refresh_from_db()
    c.refresh_from_db()
    assert (a.remote_id, a.attempts, a.next_attempt_at) == ("5012345678901234", 3, at)
    assert (b.remote_id, b.attempts, b.next_attempt_at) == ("", 0, None)
    assert c.error_message == "平台说：“内容重复”'; DROP TABLE x; --"


def test_rows_not_named_are_left_alone_and_nothing_is_a_no_op() -> None:
    a, b = _intents(2)
    before = PublishIntent.objects.get(pk=b.pk).remote_id
    assert update_rows(PublishIntent, {}) == 0
    assert update_rows(PublishIntent, {a.pk: {}}) == 0
    update_rows(PublishIntent, {a.pk: {"remote_id": "x1"}})
    assert PublishIntent.objects.get(pk=a.pk).remote_id == "x1"
    assert PublishIntent.objects.get(pk=b.pk).remote_id == before
