"""E-04 (strict review): the daily maximum is counted under a lock on the account, so two
publishers scheduling on the same account at once cannot both take the tenth place of a
work day (each would count nine and the day would end with eleven). PostgreSQL: while one
scheduling counts, the account's row is locked for every other transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from guanwei.publishing import actions
from guanwei.publishing.tests.test_scheduling_rules import WEDNESDAY, _edu_approved
from guanwei.testing.personas import channel, person

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _locked_elsewhere(channel_id: int) -> bool:
    """Whether another connection is kept from locking the account's row right now."""
    import psycopg

    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        try:
            other.execute(
                "SELECT 1 FROM channels_channel WHERE id = %s FOR UPDATE NOWAIT", (channel_id,)
            )
        except psycopg.errors.LockNotAvailable:
            return True
    return False


def test_e04_the_daily_maximum_is_counted_under_a_lock_on_the_account(monkeypatch: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite's IMMEDIATE transaction is the one writer)")
    account = channel("demo_edu_software", "official_weibo")
    seen: list[bool] = []
    counted = actions.day_full

    def watching(c: Any, day: Any, revision: Any) -> str:
        seen.append(_locked_elsewhere(c.pk))
        return counted(c, day, revision)

    monkeypatch.setattr(actions, "day_full", watching)
    with time_machine.travel(WEDNESDAY, tick=False):
        actions.schedule_post(
            _edu_approved(0),
            actor=person("edu_yy_operator"),
            at=datetime(2026, 12, 2, 9, 0, tzinfo=TZ) + timedelta(minutes=5),
            channels=[account],
        )
    assert seen and all(seen), seen
