"""Reports of harmful content (C-10, 第十三条): anyone in the college reports to the opinion
office, which triages, handles by the pack's deadline and closes; the reporter sees the
outcome and gets a notice. The screenshot is typed from its bytes."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.core.errors import DomainError, PermissionDenied
from guanwei.interaction import actions
from guanwei.interaction.models import HarmReport, ReportStatus
from guanwei.notify.models import Notice
from guanwei.testing.personas import org, person

pytestmark = pytest.mark.django_db
C = "demo_college"


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (12, 8), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def test_c10_report_triage_close_and_the_reporter_sees_the_outcome() -> None:
    """C-10: 信息学院's manager reports; the opinion office (col_yq_reviewer) accepts and
    closes it with an outcome; the reporter reads it on the report page and is told."""
    college = org(C)
    reporter, office = person("col_xx_manager"), person("col_yq_reviewer")
    assert actions.may_handle_reports(office, college)
    assert not actions.may_handle_reports(reporter, college)
    r = actions.report_harm(
        college,
        actor=reporter,
        link="https://weibo.com/1234/abcd",
        description="某账号冒用学院名义发布招生诈骗信息。",
    )
    assert r.status == ReportStatus.NEW and r.reporter_unit.key
    assert r.due_at is not None
    assert abs((r.due_at - r.created_at) - timedelta(hours=24)) < timedelta(seconds=5)
    assert Notice.objects.filter(user=office, link=f"/interaction/reports/{r.pk}/").exists()

    with pytest.raises(PermissionDenied):
        actions.accept_report(r, actor=reporter)
    with pytest.raises(DomainError):
        actions.close_report(r, actor=office, outcome="x")  # accept first
    actions.accept_report(r, actor=office)
    with pytest.raises(DomainError, match="处置结果"):
        actions.close_report(r, actor=office, outcome=" ")
    actions.close_report(r, actor=office, outcome="已向平台举报，账号已被封禁。")
    r.refresh_from_db()
    assert r.status == ReportStatus.CLOSED and r.handler == office
    assert Notice.objects.filter(user=reporter, title="您报告的有害信息已办结").exists()
    kinds = set(
        AuditRecord.objects.filter(object_type="harm_report", object_id=str(r.pk)).values_list(
            "action", flat=True
        )
    )
    assert {
        AuditAction.HARM_REPORTED,
        AuditAction.HARM_REPORT_ACCEPTED,
        AuditAction.HARM_REPORT_CLOSED,
    } <= kinds

    c = Client()
    c.force_login(reporter)
    page = c.get(reverse("report_detail", args=[r.pk])).content.decode()
    assert "已向平台举报，账号已被封禁。" in page and "已办结" in page
    assert "受理处置" not in page and "办结</button>" not in page
    c.force_login(person("col_jg_manager"))  # another department: not his report
    assert c.get(reverse("report_detail", args=[r.pk])).status_code == 404


def test_c10_a_dismissal_needs_a_reason_the_reporter_reads() -> None:
    college = org(C)
    r = actions.report_harm(college, actor=person("col_jg_manager"), description="疑似谣言")
    with pytest.raises(DomainError, match="理由"):
        actions.dismiss_report(r, actor=person("col_yq_reviewer"), reason="")
    actions.dismiss_report(r, actor=person("col_yq_reviewer"), reason="系正常的学术讨论。")
    r.refresh_from_db()
    assert r.status == ReportStatus.DISMISSED and r.outcome == "系正常的学术讨论。"
    assert Notice.objects.filter(user=person("col_jg_manager"), title__contains="不予处置")


def test_c10_a_report_past_its_deadline_shows_overdue() -> None:
    r = actions.report_harm(org(C), actor=person("col_jg_manager"), description="有害信息")
    c = Client()
    c.force_login(person("col_yq_reviewer"))
    assert "已超时" not in c.get(reverse("report_detail", args=[r.pk])).content.decode()
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        c.force_login(person("col_yq_reviewer"))
        assert "已超时" in c.get(reverse("report_detail", args=[r.pk])).content.decode()
        assert "已超时" in c.get(reverse("report_list")).content.decode()


def test_c10_the_screenshot_is_typed_from_its_bytes_not_the_browsers_type() -> None:
    """A PNG sent as text/plain is a picture; HTML sent as image/png is refused with a clear
    message and what was typed stays in the form."""
    c = Client()
    c.force_login(person("col_xx_manager"))
    png = SimpleUploadedFile("shot.txt", _png(), content_type="text/plain")
    r = c.post(
        reverse("report_list"),
        {"link": "https://example.com/x", "description": "截图为证", "screenshot": png},
    )
    assert r.status_code == 302
    report = HarmReport.objects.get(description="截图为证")
    assert report.screenshot_type == "image/png"
    assert str(report.screenshot.name).endswith(".png")
    shot = c.get(reverse("report_screenshot", args=[report.pk]))
    assert shot["Content-Type"] == "image/png"
    assert shot["X-Content-Type-Options"] == "nosniff"

    fake = SimpleUploadedFile(
        "shot.png", b"<html><script>alert(1)</script></html>", content_type="image/png"
    )
    r = c.post(
        reverse("report_list"),
        {"link": "https://example.com/y", "description": "第二份说明", "screenshot": fake},
    )
    page = r.content.decode()
    assert r.status_code == 200
    assert "截图须是图片" in page
    assert "第二份说明" in page and "https://example.com/y" in page
    assert not HarmReport.objects.filter(description="第二份说明").exists()


def test_c10_where_the_rule_book_has_no_such_rule_there_is_no_report_page() -> None:
    c = Client()
    c.force_login(person("kj_editor"))
    assert c.get(reverse("report_list")).status_code == 404


class _Refused(Exception):
    pass


def test_c10_a_rolled_back_report_leaves_no_screenshot_file() -> None:
    """C-10 (like E-02's uploads): the caller's transaction fails after the report was
    written: its screenshot file is gone too."""
    import os

    paths: list[str] = []
    upload = SimpleUploadedFile("s.png", _png(), content_type="image/png")
    with pytest.raises(_Refused), transaction.atomic():
        r = actions.report_harm(
            org(C),
            actor=person("col_xx_manager"),
            description="回滚",
            screenshot=actions.check_screenshot(upload),
        )
        paths.append(r.screenshot.path)
        raise _Refused
    assert paths and not os.path.exists(paths[0])


def test_c10_the_propaganda_head_reads_every_report_without_handling_them() -> None:
    """C-10 (第十三条, 党委宣传部 总体监管): col_xcb_head holds report.view over the college: he
    sees 全部报告 and opens each, read only — no 受理处置 / 办结 (on eb24e7f he saw only
    我的报告：还没有报告 and a report's link was 页面不存在)."""
    college = org(C)
    r = actions.report_harm(
        college,
        actor=person("col_xx_manager"),
        link="https://weibo.com/1234/abcd",
        description="某账号冒用学院名义发布招生诈骗信息。",
    )
    head = person("col_xcb_head")
    assert not actions.may_handle_reports(head, college)
    c = Client()
    c.force_login(head)
    listing = c.get(reverse("report_list")).content.decode()
    assert "全部报告" in listing and "冒用学院名义" in listing
    detail = c.get(reverse("report_detail", args=[r.pk]))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "冒用学院名义" in page and "受理处置" not in page and "办结</button>" not in page
    assert c.post(reverse("report_accept", args=[r.pk])).status_code in (302, 403, 404)
    r.refresh_from_db()
    assert r.status == ReportStatus.NEW
