"""A dispatcher's name fits the columns it is written to (REQ X-03): the lease owner of a
claim or a reconciliation, the attempt's worker and the scheduler lease. A Kubernetes pod
is named up to 63 characters; with the process id and a claim token that overflowed
varchar(64) on PostgreSQL ("value too long"), so such a dispatcher claimed nothing, ever
(SQLite does not enforce lengths, so only PostgreSQL showed it)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from guanwei.content import actions as content
from guanwei.publishing import actions, dispatch, reconcile, worker
from guanwei.publishing.models import (
    IntentStatus,
    PublishAttempt,
    PublishIntent,
    SchedulerLease,
)
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
W = "demo_weather"
TZ = ZoneInfo("Asia/Shanghai")
POD = "guanwei-dispatcher-provincial-weather-bureau-pr-7d9f8b6c5-x2kqp"  # 63 characters


def _width(model: type, field: str) -> int:
    width = model._meta.get_field(field).max_length  # type: ignore[attr-defined]
    assert isinstance(width, int)
    return width


def _scheduled() -> PublishIntent:
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="天气预报",
        body="明天多云转晴，气温12到20摄氏度。",
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
    return intent


def test_x03_a_dispatcher_on_a_long_host_name_claims_and_records(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    """X-03: on a host named like a 63-character pod, the dispatcher's claim, its attempt
    row, its reconciler's lease and its scheduler lease all fit their columns."""
    assert len(POD) == 63
    monkeypatch.setattr(worker.socket, "gethostname", lambda: POD)
    d = worker.Dispatcher(threads=1, scheduler=False)
    assert worker.take_scheduler_lease(d.name)
    owner = SchedulerLease.objects.get(name="scheduler").owner
    assert owner == d.name and len(owner) <= _width(SchedulerLease, "owner")

    intent = _scheduled()
    PublishIntent.objects.filter(pk=intent.pk).update(
        due_at=datetime.now(TZ) - timedelta(seconds=1)
    )
    claim = dispatch.claim_due(d.name, limit=1)
    assert claim.ids == [intent.pk]
    assert len(claim.token) <= _width(PublishIntent, "lease_owner")
    assert len(claim.token) <= _width(PublishAttempt, "worker")
    intent.refresh_from_db()
    assert intent.lease_owner == claim.token and POD[:16] in claim.token

    PublishIntent.objects.filter(pk=intent.pk).update(
        status=IntentStatus.UNKNOWN, lease_owner="", lease_until=None
    )
    reconcile.reconcile_unknown(d.name)  # leases under the long name (no DataError)
    reconcile.poll_remote_pending(d.name)
