"""``core.bulk.insert_many``: a big batch by COPY on PostgreSQL, ``bulk_create`` below it
and elsewhere — the same rows either way, ids set in the order given (issue 11 figure;
W-20 routing stores a batch's deadlines, notices and audit records with it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from guanwei import bulk
from guanwei.audit.actions import record_many
from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.audit.verify import verify_chain
from guanwei.notify.models import Notice
from guanwei.oversight.models import Deadline, DeadlineKind
from guanwei.testing.personas import channel, person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("n", [3, bulk.COPY_FROM + 7])
def test_it_stores_every_row_with_its_id_in_order_whatever_the_size(n: int) -> None:
    """Below and above the COPY threshold: each object gets the id of its own row; JSON,
    choices, an ``auto_now_add`` and hostile text arrive as given."""
    ch = channel("demo_weather", "city_weibo")
    now = timezone.now()
    made = bulk.insert_many(
        Deadline,
        [
            Deadline(
                organisation_id=ch.organisation_id,
                unit_id=ch.unit_id,
                kind=DeadlineKind.REPLY,
                key=f"bulk:{n}:{i}",
                title=f"第{i}条 <script>alert(1)</script>\t\\N\n",
                channel_id=ch.pk,
                starts_at=now,
                due_at=now + timedelta(hours=i),
                owner_ids=[i, i + 1],
                escalate_ids=[],
            )
            for i in range(n)
        ],
    )
    assert [d.pk for d in made] == sorted(d.pk for d in made) and None not in {d.pk for d in made}
    for i, d in enumerate(made):
        row = Deadline.objects.get(pk=d.pk)
        assert row.key == f"bulk:{n}:{i}" and row.owner_ids == [i, i + 1]
        assert row.title == f"第{i}条 <script>alert(1)</script>\t\\N\n"
        assert row.due_at == now + timedelta(hours=i) and row.kind == DeadlineKind.REPLY
    notices = bulk.insert_many(
        Notice, [Notice(user=person("qxt_expert"), title=f"n{i}") for i in range(n)]
    )
    assert all(Notice.objects.get(pk=x.pk).created is not None for x in notices)


def test_it_raises_djangos_integrity_error_on_a_duplicate_key_and_keeps_the_rest() -> None:
    """A racing pass's row: the savepoint is rolled back, the outer transaction lives."""
    ch = channel("demo_weather", "city_weibo")
    now = timezone.now()

    def rows(tag: str) -> list[Deadline]:
        return [
            Deadline(
                organisation_id=ch.organisation_id,
                unit_id=ch.unit_id,
                kind=DeadlineKind.REPLY,
                key=f"dup:{i}" if i == 0 else f"{tag}:{i}",
                title="t",
                starts_at=now,
                due_at=now,
            )
            for i in range(bulk.COPY_FROM)
        ]

    bulk.insert_many(Deadline, rows("a"))
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_many(Deadline, rows("b"))
    assert Deadline.objects.filter(key__startswith="b:").count() == 0
    assert Deadline.objects.filter(key__startswith="a:").count() == bulk.COPY_FROM - 1


def test_it_keeps_the_audit_chain_whole_for_a_batch_written_by_copy() -> None:
    """An audit batch above the threshold is chained and verifies (on PostgreSQL: COPY)."""
    with transaction.atomic():
        record_many(
            [
                {
                    "action": AuditAction.QUESTION_ROUTED,
                    "actor": None,
                    "object_type": "comment",
                    "object_id": i,
                    "object_repr": f"问题{i}",
                    "after": {"i": i},
                }
                for i in range(bulk.COPY_FROM * 2)
            ]
        )
    seqs = list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert verify_chain().ok, connection.vendor


def test_it_writes_a_nullable_json_none_as_sql_null_as_bulk_create_does() -> None:
    """Review of 7401b95: COPY wrote jsonb 'null' for an audit record's ``before=None``,
    so ``before__isnull`` missed the big batches on PostgreSQL only."""
    with transaction.atomic():
        record_many(
            [
                {
                    "action": AuditAction.QUESTION_ROUTED,
                    "actor": None,
                    "object_type": "comment",
                    "object_id": i,
                    "before": None,
                    "after": {"i": i},
                }
                for i in range(bulk.COPY_FROM + 1)
            ]
        )
    batch = AuditRecord.objects.filter(action=AuditAction.QUESTION_ROUTED)
    assert batch.count() == bulk.COPY_FROM + 1
    assert batch.filter(before__isnull=True).count() == bulk.COPY_FROM + 1
