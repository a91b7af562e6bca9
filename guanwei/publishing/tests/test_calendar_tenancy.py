"""Issue #9 §4: one tenant's rest-day entries never change another tenant's calendar; the
State Council calendar (chinese-calendar) is shared and read-only (REQ E-04, W-10, X-02)."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.db import transaction
from django.test import Client

from guanwei.audit.models import AuditRecord
from guanwei.publishing import actions
from guanwei.publishing.slots import Slot, applies
from guanwei.testing.personas import channel, org, person

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 2)  # a Wednesday, a working day by the State Council calendar
WORKDAY_SLOT = Slot(key="morning", name="早间", at=time(8, 0), days="work")


def test_e04_a_colleges_holiday_is_its_own(client: Client) -> None:
    """E-04, W-10 (#9 §4): the college administrator marks 2026-12-02 a rest day; the
    weather bureau's work-day slots still fall on it, the college's do not; the weather
    bureau's holiday page does not show it; the record has its own audit action."""
    college = org("demo_college")
    with transaction.atomic():
        actions.set_calendar_day(
            actor=person("col_admin"),
            organisation_id=college.pk,
            day=DAY,
            workday=False,
            note="校庆放假",
        )
    assert applies(WORKDAY_SLOT, channel("demo_weather", "city_weibo"), DAY)
    college_channel = channel("demo_college", "school_wechat")
    assert not applies(WORKDAY_SLOT, college_channel, DAY)
    rec = AuditRecord.objects.filter(object_type="calendar_day").order_by("-seq").first()
    assert rec is not None and rec.organisation_id == college.pk
    assert rec.action_label == "调整本单位节假日"
    client.force_login(person("gw_admin"))
    assert "校庆放假" not in client.get("/publishing/holidays/").content.decode()
