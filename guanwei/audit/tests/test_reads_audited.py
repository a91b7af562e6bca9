"""Issue #9 §19: reads and exports that matter are audited — one record per read, naming
the reader and the object (REQ X-02, W-21) — and the Django admin changes no person or
role behind the actions' back."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.audit.models import AuditRecord
from guanwei.content import actions as content
from guanwei.testing.personas import channel, org, person, unit

pytestmark = pytest.mark.django_db
W = "demo_weather"


def _reads(label: str, reader: str) -> list[AuditRecord]:
    return [
        r
        for r in AuditRecord.objects.filter(actor_name=reader).order_by("seq")
        if r.action_label == label
    ]


def _client(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def test_x02_printing_a_form_is_audited() -> None:
    """X-02 (#9 §19): the post's approval PDF and an account's application and
    authorisation PDFs each leave one record: who printed which form of which object."""
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="天气预报",
        body="今天晴，最高气温二十五度。",
        category="forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
    )
    c = _client("kj_editor")
    assert c.get(f"/review/posts/{post.pk}/form.pdf").status_code == 200
    [printed] = _reads("打印表单", "kj_editor")
    assert printed.object_type == "post" and printed.object_id == str(post.pk)
    assert printed.organisation_id == org(W).pk
    admin = _client("gw_admin")
    weibo = channel(W, "city_weibo")
    assert admin.get(f"/channels/{weibo.pk}/application.pdf").status_code == 200
    [application] = _reads("打印表单", "gw_admin")
    assert (application.object_type, application.object_id) == ("channel", str(weibo.pk))
    assert (application.after or {})["form"] == "account_application"
    # 附二 is the real-estate pack's form (R-06; issue #10 §2)
    re_admin = _client("re_admin")
    company = channel("demo_real_estate", "company_weibo")
    answer = re_admin.post(
        f"/channels/{company.pk}/authorisation/",
        {
            "grantee": "张三",
            "grantee_title": "编辑",
            "scope": "发布",
            "reason": "值班",
            "valid_from": "2026-12-01",
            "valid_until": "2026-12-31",
        },
    )
    # R-06 (issue 10 §4): the request goes through the pack's chain; approved, it prints
    assert answer.status_code == 302
    from guanwei.workflow import actions as wf
    from guanwei.workflow.models import AuthorisationRequest

    item = AuthorisationRequest.objects.get(channel=company, grantee="张三")
    run = item.runs.get()
    wf.approve_step(run.steps.get(index=0), actor=person("re_zz_executive"))
    wf.approve_step(run.steps.get(index=1), actor=person("re_zz_leader"))
    pdf = re_admin.get(f"/review/authorisations/{item.pk}/form.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    [authorisation] = _reads("打印表单", "re_admin")
    assert (authorisation.object_type, authorisation.object_id) == ("authorisation", str(item.pk))
    assert (authorisation.after or {})["form"] == "authorisation"


def test_x02_exports_feeds_and_the_audit_log_itself_are_audited() -> None:
    """X-02 (#9 §19): the filings CSV, the ICS feed and each look at the audit log page
    leave one record each."""
    admin = _client("gw_admin")
    assert admin.get("/review/filings/?format=csv").status_code == 200
    assert len(_reads("导出数据", "gw_admin")) == 1
    assert admin.get("/publishing/calendar.ics").status_code == 200
    assert len(_reads("下载发布日历", "gw_admin")) == 1
    auditor = _client("gw_auditor")
    assert auditor.get("/audit/").status_code == 200
    assert auditor.get("/audit/").status_code == 200
    seen = _reads("查看审计日志", "gw_auditor")
    assert len(seen) == 2 and seen[0].organisation_id == org(W).pk


def test_x02_the_admin_cannot_change_people_or_roles() -> None:
    """X-02 (#9 §19): people and roles change only through the audited actions; the
    Django admin shows them read-only."""
    from guanwei.orgs.models import User

    root = User.objects.create_superuser("root_op", password="x" * 16)
    c = Client()
    c.force_login(root)
    target = person("kj_editor")
    page = c.get(f"/admin/orgs/user/{target.pk}/change/")
    assert page.status_code == 200
    c.post(
        f"/admin/orgs/user/{target.pk}/change/",
        {"username": "kj_editor", "is_superuser": "on", "is_staff": "on", "is_active": "on"},
    )
    target.refresh_from_db()
    assert not target.is_superuser and not target.is_staff
    assert c.get("/admin/orgs/user/add/").status_code == 403
    assert c.get("/admin/auth/group/add/").status_code in (403, 404)
