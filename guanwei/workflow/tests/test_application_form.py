"""The college's five-step 审批表 as a real approval chain (issue 10 §3, REQ C-02, C-03):
the account application form (第四条 附表) is filled in on the account's page, goes through
申请部门意见 → 党委宣传部意见 → 申请部门主管领导意见 → 主管领导意见 → 党委书记意见, each decided
in the UI by its own role with distinct deciders (the pack lets the same school leader give
both leaders' opinions), and the printed form shows each step's decider, opinion and date
from the run."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.documents.tests.samples import pdf_text
from guanwei.orgs.models import Membership
from guanwei.testing.personas import channel, person, unit

pytestmark = pytest.mark.django_db
C = "demo_college"

# (step, who decides it in the UI, the opinion written)
STEPS = [
    ("申请部门意见", "col_xx_secretary", "同意变更，信息工程学院"),
    ("党委宣传部意见", "col_xcb_head", "同意，报宣传部备案"),
    ("申请部门主管领导意见", "col_vp_leader", "同意"),
    ("主管领导意见", "col_vp_leader", "同意，按规定管理"),
    ("党委书记意见", "col_party_secretary", "同意"),
]


def _client(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def test_c02_c03_the_application_form_runs_its_five_steps_and_prints_the_opinions() -> None:
    """C-02, C-03 (第四条): 吴芳, the info college's WeChat manager, fills in the 审批表 for a
    change of manager; each of the five opinions is given on the application's page by its
    own role; a person who decided one step cannot decide another (distinct deciders) unless
    the pack allows it (主管领导意见 after 申请部门主管领导意见); the PDF prints each decider,
    opinion and date, and only once approved."""
    ch = channel(C, "info_wechat")
    # 刘洋 also holds the Party Secretary's role here: having given the Propaganda
    # Department's opinion, he may not give the Party Secretary's (distinct deciders)
    from django.utils import timezone

    Membership.objects.create(
        user=person("col_xcb_head"),
        unit=unit(C, "school"),
        role="party_secretary",
        granted_at=timezone.now(),
    )
    manager = _client("col_xx_manager")
    page = manager.get(f"/channels/{ch.pk}/").content.decode()
    assert f"/channels/{ch.pk}/application/" in page
    answer = manager.post(
        f"/channels/{ch.pk}/application/",
        {"kind": "change", "purpose": "新媒体管理员调整，微信公众号继续发布学院动态与通知。"},
    )
    assert answer.status_code == 302
    detail = answer["Location"]
    assert detail.startswith("/review/applications/")
    pdf_url = detail + "form.pdf"
    assert manager.get(pdf_url).status_code == 404  # not approved yet: nothing to print
    html = manager.get(detail).content.decode()
    for name, _, _ in STEPS:
        assert name in html
    decided: list[str] = []
    for index, (name, who, opinion) in enumerate(STEPS):
        html = manager.get(detail).content.decode()
        assert f"<strong>{name}</strong>" in html  # waiting for this step
        # nobody else's page offers the decision; the manager (the applicant) never decides
        assert 'id="approve-form"' not in html
        if index == 4:  # 刘洋 decided 党委宣传部意见: refused for 党委书记意见
            refused = _client("col_xcb_head").get(detail).content.decode()
            assert 'id="approve-form"' not in refused
        decider = _client(who)
        page = decider.get(detail).content.decode()
        assert 'id="approve-form"' in page, (name, who)
        action = page.split('id="approve-form"')[0].rsplit('action="', 1)[1].split('"')[0]
        if index == 4:
            answer = _client("col_xcb_head").post(action, {"comment": "同意"}, follow=True)
            assert "不同的人审核" in answer.content.decode()
        decider.post(action, {"comment": opinion})
        decided.append(who)
    html = manager.get(detail).content.decode()
    assert "已批准" in html and 'id="application-pdf"' in html
    _, text = pdf_text(manager.get(pdf_url).content)
    for name, who, opinion in STEPS:
        assert name in text and str(person(who)) in text and opinion in text
    import re

    from guanwei.documents.layout import BLANK_DATE

    assert re.sub(r"\s+", "", BLANK_DATE) not in text  # no empty date row: each is dated
    assert timezone.localdate().strftime("%Y-%m-%d") in text
    assert "吴芳" in text  # the manager, from the account as it stood
    # the account's own 审批表 link prints this approved application
    assert manager.get(f"/channels/{ch.pk}/application.pdf")["Location"] == pdf_url


def test_c02_the_application_form_is_refused_to_others_and_listed_in_the_queue() -> None:
    """C-02: only the account's manager, responsible person or account keepers fill it in;
    the step waiting shows in its decider's queue."""
    ch = channel(C, "info_wechat")
    other = _client("col_jwc_manager")  # 黄丽, 教务处: not this account's
    refused = other.post(f"/channels/{ch.pk}/application/", {"kind": "open", "purpose": "x"})
    assert refused.status_code in (403, 404)
    manager = _client("col_xx_manager")
    manager.post(f"/channels/{ch.pk}/application/", {"kind": "open", "purpose": "学院新闻发布"})
    queue = _client("col_xx_secretary").get("/review/queue/").content.decode()
    assert "审批表" in queue and ch.name in queue
