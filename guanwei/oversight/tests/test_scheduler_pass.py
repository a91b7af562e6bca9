"""The scheduler pass is cheap to repeat (issue #8 §6): slot deadlines that already exist
are not inserted again — no failed INSERT churning SQLite's write lock every pass."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanwei.oversight.scheduler import ensure_slot_deadlines

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_w10_a_second_pass_inserts_nothing() -> None:
    """W-10: one deadline per mandatory slot; the next pass finds them and writes nothing."""
    with time_machine.travel(datetime(2026, 11, 26, 6, 0, tzinfo=TZ), tick=False):
        assert ensure_slot_deadlines(datetime(2026, 11, 26, 6, 0, tzinfo=TZ)) > 0
        with CaptureQueriesContext(connection) as queries:
            assert ensure_slot_deadlines(datetime(2026, 11, 26, 6, 0, tzinfo=TZ)) == 0
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert inserts == []
