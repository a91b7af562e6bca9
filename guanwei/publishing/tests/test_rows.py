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


def test_x03_more_rows_than_sqlite_joins_in_one_compound_select() -> None:
    """X-03: SQLite refuses a compound SELECT of more than 500 terms ("too many terms in
    compound SELECT"); PostgreSQL caps a statement at 65,535 parameters. A large batch
    (an account closed with many sends waiting, a big dispatcher) is written all the same,
    each row its own value."""
    from guanwei.notify.models import Notice

    user = person("kj_publisher")
    notices = Notice.objects.bulk_create(
        [Notice(user=user, organisation_id=None, title=f"n{i}") for i in range(1200)]
    )
    pks = [n.pk for n in Notice.objects.filter(user=user, title__startswith="n").order_by("pk")]
    assert len(pks) == len(notices)
    written = update_rows(
        Notice, {pk: {"title": f"t{i}", "link": f"/x/{i}/"} for i, pk in enumerate(pks)}
    )
    assert written == len(pks)
    rows = dict(Notice.objects.filter(pk__in=pks).values_list("pk", "title"))
    assert all(rows[pk] == f"t{i}" for i, pk in enumerate(pks))


def test_x03_a_value_too_long_for_its_column_is_refused_as_save_refuses_it() -> None:
    """X-03: values are stored "exactly as save() would store them": a remote id longer
    than its column is refused on PostgreSQL (DataError), never silently cut — a cut id
    would be attributed to the wrong remote post. (SQLite keeps any length, as save().)"""
    from django.db import DataError, connection, transaction

    [a] = _intents(1)
    long_id = "9" * 200  # remote_id is varchar(128)
    if connection.vendor != "postgresql":
        update_rows(PublishIntent, {a.pk: {"remote_id": long_id}})
        assert PublishIntent.objects.get(pk=a.pk).remote_id == long_id
        return
    with pytest.raises(DataError), transaction.atomic():
        update_rows(PublishIntent, {a.pk: {"remote_id": long_id}})
    assert PublishIntent.objects.get(pk=a.pk).remote_id == ""
