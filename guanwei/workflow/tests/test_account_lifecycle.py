"""Opening an account and changing its people through the 审批表 (issue 12 §1-2, REQ C-02,
C-03, W-04, W-16): the 申请开通官方账号 form from the account list, the pack's chain decided
step by step in each decider's login (the applicant never decides), the account opened by
the last approval, two archived copies recorded; the change of manager/responsible person
from the account's page, the people changed on approval; the PDF in the pack's own
wording with each opinion."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from guanwei.channels.models import Channel, ChannelStatus
from guanwei.documents.tests.samples import pdf_text
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow.models import AccountApplication

pytestmark = pytest.mark.django_db
C, W = "demo_college", "demo_weather"

COLLEGE_STEPS = [
    ("申请部门意见", "col_xx_secretary", "同意开通，学院负责"),
    ("党委宣传部意见", "col_xcb_head", "同意，宣传部备案"),
    ("申请部门主管领导意见", "col_vp_leader", "同意"),
    ("主管领导意见", "col_vp_leader", "同意，按规定管理"),
    ("党委书记意见", "col_party_secretary", "同意开通"),
]


def _client(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def _apply_college(c: Client, **extra: str) -> str:
    data = {
        "unit": str(unit(C, "info_college").pk),
        "applied_on": "2026-12-02",
        "kind": "weibo",
        "account_number": "jvtc_info",
        "name": "信息工程学院官方微博",
        "account_id": "7712345678",
        "other_media": "信息工程学院抖音号",
        "purpose": "发布学院新闻、通知和招生信息，面向本院师生和考生。",
        "manager": str(person("col_xx_manager").pk),
        "manager_title": "",
        "manager_phone": "0579-82200001",
        "manager_qq": "12345678",
        "responsible": str(person("col_xx_secretary").pk),
        "responsible_title": "",
        "responsible_phone": "0579-82200002",
        **extra,
    }
    answer = c.post("/channels/apply/", data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    return str(answer["Location"])


def _decide(detail: str, who: str, opinion: str) -> None:
    page = _client(who).get(detail).content.decode()
    assert 'id="approve-form"' in page, who
    action = page.split('id="approve-form"')[0].rsplit('action="', 1)[1].split('"')[0]
    assert _client(who).post(action, {"comment": opinion}).status_code == 302


def test_c02_the_apply_button_is_shown_only_to_who_the_pack_lets_apply() -> None:
    """C-02: 申请开通官方账号 on the account list for the department's manager (channel.apply),
    not for the Party Secretary or the Propaganda head; the page refuses the others."""
    assert "申请开通官方账号" in _client("col_xx_manager").get("/channels/").content.decode()
    for who in ("col_party_secretary", "col_xcb_head", "col_vp_leader"):
        assert "申请开通官方账号" not in _client(who).get("/channels/").content.decode(), who
        assert _client(who).get("/channels/apply/").status_code == 404, who
    page = _client("col_xx_manager").get("/channels/apply/").content.decode()
    for label in (
        "部门",
        "时间",
        "微信、微博号",
        "微信、微博、网站名称",
        "微信、微博ID",
        "其它新媒体名称",
        "申请说明",
        "管理人姓名",
        "管理人职务",
        "管理人联系电话",
        "管理人QQ号",
        "责任人姓名",
        "责任人职务",
        "责任人联系电话",
    ):
        assert label in page, label
    assert "周杰（信息工程学院党总支书记）" in page  # the title on file, with the name


def test_c02_an_opening_runs_the_five_steps_opens_the_account_and_prints_the_opinions() -> None:
    """C-02 (第四条): the manager fills in the form; the account is 待审批 (pending) and its
    审批表 waits for 申请部门意见; the applicant never decides; each step in its decider's
    login; the last approval opens the account (the action, not the form's status); the
    PDF has the phone, the QQ, the purpose and each opinion; two copies are archived."""
    applicant = _client("col_xx_manager")
    detail = _apply_college(applicant)
    item = AccountApplication.objects.get(pk=int(detail.strip("/").split("/")[-1]))
    ch = item.channel
    assert ch.status == ChannelStatus.PENDING and ch.unit == unit(C, "info_college")
    assert item.manager_qq == "12345678" and item.account_number == "jvtc_info"
    assert item.manager_title == "信息工程学院新媒体管理员"  # prefilled from the person
    # the applicant is never offered a decision, and a forged post is refused
    page = applicant.get(detail).content.decode()
    assert 'id="approve-form"' not in page
    step = item.runs.get().steps.get(index=0)
    applicant.post(f"/review/steps/{step.pk}/approve/", {"comment": "自己同意"})
    step.refresh_from_db()
    assert step.status == "pending"
    # the first decider sees it in his queue
    queue = _client("col_xx_secretary").get("/review/queue/").content.decode()
    assert "信息工程学院官方微博" in queue
    for index, (name, who, opinion) in enumerate(COLLEGE_STEPS):
        assert f"<strong>{name}</strong>" in applicant.get(detail).content.decode()
        _decide(detail, who, opinion)
        ch.refresh_from_db()
        if index < len(COLLEGE_STEPS) - 1:
            assert ch.status == ChannelStatus.PENDING
    assert ch.status == ChannelStatus.ACTIVE
    from guanwei.audit.models import AuditRecord

    assert AuditRecord.objects.filter(object_type="channel", object_id=str(ch.pk)).filter(
        action=221
    )
    html = applicant.get(detail).content.decode()
    assert 'id="application-pdf"' in html
    _, text = pdf_text(applicant.get(detail + "form.pdf").content)
    flat = re.sub(r"\s+", "", text)
    for name, who, opinion in COLLEGE_STEPS:
        assert name in flat and str(person(who)) in flat and opinion in flat
    for value in ("0579-82200001", "12345678", "0579-82200002", "jvtc_info", "7712345678"):
        assert value in flat, value
    assert "发布学院新闻、通知和招生信息" in flat
    assert "信息工程学院抖音号" in flat
    # 此表一式两份: the two copies filed, by whom
    applicant.post(detail + "archive/")
    item.refresh_from_db()
    assert item.archived_copies == 2 and item.archived_by == person("col_xx_manager")
    assert "已存档 2 份" in applicant.get(detail).content.decode()


def test_c02_a_refused_application_leaves_the_account_pending_and_keeps_the_typed_form() -> None:
    """C-02: bad input keeps what was typed; a refused step leaves the account unopened."""
    applicant = _client("col_xx_manager")
    answer = applicant.post(
        "/channels/apply/",
        {
            "unit": str(unit(C, "info_college").pk),
            "kind": "weibo",
            "name": "半截的申请",
            "purpose": "",
            "manager": str(person("col_xx_manager").pk),
            "responsible": str(person("col_xx_secretary").pk),
        },
    )
    assert answer.status_code == 400 and "半截的申请" in answer.content.decode()
    # someone of another unit cannot be named manager
    answer = applicant.post(
        "/channels/apply/",
        {
            "unit": str(unit(C, "info_college").pk),
            "kind": "weibo",
            "name": "错人",
            "purpose": "说明",
            "manager": str(person("col_xx_manager").pk),
            "responsible": str(person("col_jwc_head").pk),
        },
    )
    assert answer.status_code == 400
    assert not Channel.objects.filter(name="错人").exists()
    detail = _apply_college(applicant)
    item = AccountApplication.objects.get(pk=int(detail.strip("/").split("/")[-1]))
    page = _client("col_xx_secretary").get(detail).content.decode()
    action = page.split('id="reject-form"')[0].rsplit('action="', 1)[1].split('"')[0]
    _client("col_xx_secretary").post(action, {"reason": "用途不清，请补充"})
    item.refresh_from_db()
    item.channel.refresh_from_db()
    assert item.status == "rejected" and item.channel.status == ChannelStatus.PENDING


def test_w04_the_business_section_head_sees_the_opening_in_his_queue_and_approves_it() -> None:
    """W-04 (第四条(二)): the tech centre's publisher applies; the centre's leader gives the
    unit's opinion; 业务科 (周杰) sees it in his queue and approves: the account opens; the
    PDF speaks the bureau's words (业务科), never the college's (党委书记, 党委宣传部)."""
    applicant = _client("kj_publisher")
    assert "申请开通官方账号" in applicant.get("/channels/").content.decode()
    tech = unit(W, "city_tech_centre")
    answer = applicant.post(
        "/channels/apply/",
        {
            "unit": str(tech.pk),
            "kind": "weibo",
            "name": "气象科普微博",
            "account_id": "55443322",
            "purpose": "发布气象科普知识和生活指数。",
            "manager": str(person("kj_publisher").pk),
            "manager_qq": "987654",
            "responsible": str(person("kj_leader").pk),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    detail = str(answer["Location"])
    _decide(detail, "kj_leader", "同意开通")
    head = _client("ywk_head")
    queue = head.get("/review/queue/").content.decode()
    assert "气象科普微博" in queue
    _decide(detail, "ywk_head", "业务科同意开通")
    item = AccountApplication.objects.get(pk=int(detail.strip("/").split("/")[-1]))
    item.channel.refresh_from_db()
    assert item.channel.status == ChannelStatus.ACTIVE
    _, text = pdf_text(applicant.get(detail + "form.pdf").content)
    flat = re.sub(r"\s+", "", text)
    assert "业务科" in flat and "业务科同意开通" in flat and "发布气象科普知识和生活指数" in flat
    assert "987654" in flat
    for college_word in ("党委书记", "党委宣传部", "申请部门主管领导"):
        assert college_word not in flat, college_word
    assert flat.count("意见") >= 2 and "主管领导意见" not in flat


def test_c03_w16_a_change_of_people_goes_through_the_chain_and_changes_them_on_approval() -> None:
    """C-03: 申请变更负责人/管理员 on the account's page; the new manager named on the form
    takes over only when the chain has approved; the password is then due (W-16)."""
    ch = channel(C, "info_wechat")
    from django.utils import timezone

    from guanwei.orgs.models import Membership

    newcomer = person("col_jwc_manager")  # 黄丽 joins the info college as manager
    Membership.objects.create(
        user=newcomer, unit=unit(C, "info_college"), role="manager", granted_at=timezone.now()
    )
    manager = _client("col_xx_manager")
    page = manager.get(f"/channels/{ch.pk}/").content.decode()
    assert "申请变更负责人/管理员" in page
    assert (
        "申请变更负责人/管理员"
        not in _client("col_vp_leader").get(f"/channels/{ch.pk}/").content.decode()
    )
    same = manager.post(
        f"/channels/{ch.pk}/change-people/",
        {
            "purpose": "不变",
            "manager": str(ch.manager_id),
            "responsible": str(ch.responsible_id),
        },
    )
    assert same.status_code == 400 and "至少变更一人" in same.content.decode()
    answer = manager.post(
        f"/channels/{ch.pk}/change-people/",
        {
            "purpose": "吴芳调岗，由黄丽接任管理员。",
            "manager": str(newcomer.pk),
            "manager_phone": "13800000000",
            "manager_qq": "424242",
            "responsible": str(ch.responsible_id),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    detail = str(answer["Location"])
    for _, who, opinion in COLLEGE_STEPS:
        ch.refresh_from_db()
        assert ch.manager == person("col_xx_manager")  # not before the last approval
        _decide(detail, who, opinion)
    ch.refresh_from_db()
    assert ch.manager == newcomer
    from guanwei.channels.views import people_history

    assert any(h["new"] == str(newcomer) for h in people_history(ch))
    _, text = pdf_text(manager.get(detail + "form.pdf").content)
    flat = re.sub(r"\s+", "", text)
    assert "黄丽" in flat and "13800000000" in flat and "424242" in flat


def test_w16_the_change_asks_the_vault_for_a_rotation_when_it_is_there(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """W-16: the one call site: ``guanwei.vault.actions.require_rotation`` with a reason."""
    import sys
    import types

    calls: list[tuple[object, str]] = []
    vault = types.ModuleType("guanwei.vault")
    vault_actions = types.ModuleType("guanwei.vault.actions")

    def require_rotation(channel: object, *, reason: str, actor: object) -> None:
        calls.append((channel, reason))

    vault_actions.require_rotation = require_rotation  # type: ignore[attr-defined]
    try:
        import guanwei.vault.actions  # noqa: F401
    except ImportError:
        monkeypatch.setitem(sys.modules, "guanwei.vault", vault)
        monkeypatch.setitem(sys.modules, "guanwei.vault.actions", vault_actions)
    else:
        monkeypatch.setattr("guanwei.vault.actions.require_rotation", require_rotation)
    from guanwei.workflow.actions.application import _require_rotation

    ch = channel(C, "info_wechat")
    item = AccountApplication(pk=99, channel=ch)
    assert _require_rotation(ch, actor=person("col_party_secretary"), application=item)
    assert calls and calls[0][0] == ch and "变更" in calls[0][1]
