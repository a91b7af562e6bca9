"""The dispatcher's loop records a batch's answers while the next batch is on the wire
(issue #8's p99 figure): the threads do not wait for that transaction. What must still
hold (X-01, X-03): a batch is taken only when the previous one's calls have all answered
(never more in flight than threads), every answer is recorded — on the next turn, on an
empty turn, and when the dispatcher stops — and a failure to record leaves the rows
"sending" under their lease, to be reconciled, never sent again blindly."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from guanwei.content import actions as content
from guanwei.publishing import actions, dispatch, worker
from guanwei.publishing.models import ChannelSettings, IntentStatus, PublishAttempt, PublishIntent
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
W = "demo_weather"
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _site(tmp_path: Path) -> None:
    ChannelSettings.objects.update_or_create(
        channel=channel(W, "city_website"),
        defaults={
            "values": {"site_dir": str(tmp_path / "site"), "base_url": "https://qx.example.gov.cn/"}
        },
    )


def _due(n: int) -> PublishIntent:
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title=f"天气预报{n}",
        body=f"明天多云转晴，气温{10 + n}到20摄氏度。",
        category="forecast",
        channels=[channel(W, "city_website")],
        source="市气象台",
    )
    wf.submit_for_review(post, actor=person("kj_editor"))
    wf.approve_step(
        StepRun.objects.get(run__post=post, status="pending"), actor=person("kj_leader")
    )
    post.refresh_from_db()
    [intent] = actions.schedule_post(post, actor=person("kj_publisher"))
    PublishIntent.objects.filter(pk=intent.pk).update(
        due_at=datetime.now(TZ) - timedelta(seconds=10 - n)
    )
    return intent


def _status(intent: PublishIntent) -> str:
    intent.refresh_from_db()
    return intent.status


def test_x03_a_batch_is_recorded_while_the_next_is_on_the_wire() -> None:
    """X-03: turn 1 sends A and holds its answer; turn 2 sends B and records A meanwhile;
    turn 3 finds nothing due and records B. Each was sent once."""
    a, b = _due(1), _due(2)
    d = worker.Dispatcher(threads=1, scheduler=False)
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert d._deliver(pool) == 1
        assert _status(a) == IntentStatus.SENDING and _status(b) == IntentStatus.SCHEDULED
        assert d._deliver(pool) == 2  # B taken and sent, A recorded
        assert _status(a) == IntentStatus.PUBLISHED and _status(b) == IntentStatus.SENDING
        assert d._deliver(pool) == 1  # nothing due: B recorded
        assert d._pending is None
    assert _status(b) == IntentStatus.PUBLISHED
    assert PublishAttempt.objects.filter(intent__in=[a, b]).count() == 2
    assert set(PublishAttempt.objects.values_list("outcome", flat=True)) == {"ok"}


def test_x03_the_last_answers_are_recorded_when_the_dispatcher_stops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """X-03: SIGTERM between two turns: what was answered is written before the process
    ends (``run`` finishes the held batch), not left to the lease and reconciliation."""
    a = _due(1)
    d = worker.Dispatcher(threads=1, scheduler=False)
    monkeypatch.setattr(worker.signal, "signal", lambda *args: None)

    def once_then_stop(pool: ThreadPoolExecutor) -> int:
        # One turn of the loop's delivery, then SIGTERM — whatever the turn did (the test's
        # connection is kept: run_once would close it, and PostgreSQL would lose the test's
        # transaction).
        try:
            return d._deliver(pool)
        finally:
            d.stop()

    monkeypatch.setattr(d, "run_once", once_then_stop)
    assert d.run() == 0
    assert _status(a) == IntentStatus.PUBLISHED


def test_x01_a_failure_to_record_leaves_the_rows_sending_for_reconciliation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """X-01: the answers' transaction fails → the intent stays "sending" under its lease
    (it turns unknown when the lease runs out and is reconciled); the next turn goes on
    and nothing is sent twice."""
    a, b = _due(1), _due(2)
    d = worker.Dispatcher(threads=1, scheduler=False)
    real = dispatch.record_taken
    calls: list[Any] = []

    def failing(taken: dispatch.Taken, answers: list[Any]) -> dict[int, str]:
        calls.append(taken)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return real(taken, answers)

    monkeypatch.setattr(dispatch, "record_taken", failing)
    with ThreadPoolExecutor(max_workers=1) as pool:
        d._deliver(pool)
        d._deliver(pool)  # B sent; recording A fails, logged
        d._deliver(pool)  # B recorded
    assert _status(a) == IntentStatus.SENDING
    assert _status(b) == IntentStatus.PUBLISHED
    assert PublishAttempt.objects.filter(intent=a).count() == 1


def test_x03_an_idle_dispatcher_wakes_when_the_next_intent_falls_due() -> None:
    """X-03: the idle sleep ends at the next due time (a retry's at its next attempt),
    not up to a whole sleep later; nothing due within the sleep → the whole sleep."""
    a = _due(1)
    now = datetime.now(TZ)
    PublishIntent.objects.filter(pk=a.pk).update(due_at=now + timedelta(seconds=0.5))
    assert dispatch.seconds_to_next_due(1.0, now) == pytest.approx(0.5, abs=0.01)
    assert dispatch.seconds_to_next_due(0.2, now) is None
    PublishIntent.objects.filter(pk=a.pk).update(
        status=IntentStatus.RETRY,
        due_at=now - timedelta(seconds=5),
        next_attempt_at=now + timedelta(seconds=0.8),
    )
    assert dispatch.seconds_to_next_due(1.0, now) == pytest.approx(0.8, abs=0.01)
    PublishIntent.objects.filter(pk=a.pk).update(next_attempt_at=None)
    assert dispatch.seconds_to_next_due(1.0, now) == 0.0
    d = worker.Dispatcher(threads=1, scheduler=False, idle_sleep=0.2)
    assert d._idle_wait() == pytest.approx(0.02)  # due now but not taken here: no spin
    PublishIntent.objects.filter(pk=a.pk).update(status=IntentStatus.PUBLISHED)
    assert d._idle_wait() == 0.2
