"""The audit log names the system 系统, not the stored code "system" (A-01; STYLE: never
a code where a name belongs). Found in the Chromium walk-through (#9): 郑强 (审计管理员)
read "system" beside every scheduled send in 审计日志."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.orgs.permissions import SYSTEM
from guanwei.testing.personas import org, person

pytestmark = pytest.mark.django_db


def test_a01_the_audit_log_shows_system_actions_as_xitong() -> None:
    weather = org("demo_weather")
    with transaction.atomic():
        record(
            AuditAction.PACK_LOADED,
            actor=SYSTEM,
            object_type="pack",
            object_id=weather.pk,
            object_repr="系统动作",
            organisation_id=weather.pk,
        )
    c = Client()
    c.force_login(person("gw_auditor"))
    html = c.get("/audit/").content.decode()
    row = next(line for line in html.split("<tr>") if "系统动作" in line)
    assert "<td>系统</td>" in row
    assert "system" not in row
