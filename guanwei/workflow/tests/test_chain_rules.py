"""Issue 10 §3–§4, the approval chain rules that could be bypassed: C-07 prior approval
chosen by category, sub-type and screening (not only the author's box), distinct deciders
in every chain, R-02 column ownership, C-05 one repost duty per duty, R-06 the 附二
authorisation through its chain."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from guanwei.content import actions as content
from guanwei.content.models import Post
from guanwei.orgs.errors import PermissionDenied
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import RunStatus, StepRun
from guanwei.workflow.queries import publishable_revision, review_queue

pytestmark = pytest.mark.django_db
C = "demo_college"
R = "demo_real_estate"


def _pending(post: Post) -> StepRun:
    return StepRun.objects.get(run__status=RunStatus.IN_PROGRESS, status="pending", run__post=post)


def _college_emergency_post(**extra: Any) -> Post:
    """The issue's scenario: an info-college post in 重大、突发及敏感信息 / 突发事件 whose text
    the screening flags as a sensitive event, the 涉及重大事件 box left unticked."""
    fields: dict[str, Any] = {
        "title": "关于实验楼突发事件的情况说明",
        "body": "今日上午实验楼发生突发事件，学院已妥善处置，教学秩序正常。",
        "category": "sensitive",
        "subtype": "emergency",
        "channels": [channel(C, "info_wechat")],
        "source": "信息工程学院",
        "sensitive": False,
    }
    fields.update(extra)
    return content.create_post(unit(C, "info_college"), actor=person("col_xx_manager"), **fields)


# ------------------------------------------------------------------ C-07


def test_c07_unticked_box_still_takes_the_prior_approval_chain() -> None:
    """C-07 (第十条): category, sub-type and screening choose the Opinion Office's chain even
    when the author leaves 涉及重大事件 unticked; the approved post is filed."""
    post = _college_emergency_post()
    run = wf.submit_for_review(post, actor=person("col_xx_manager"))
    assert run.chain_key == "sensitive_post"
    # the post page says why, in Chinese, naming the rule
    page = Client()
    page.force_login(person("col_xx_manager"))
    html = page.get(f"/content/posts/{post.pk}/").content.decode()
    assert "选用理由" in html and "第十条" in html and "C-07" in html
    assert "信息类别为“重大、突发及敏感信息 · 突发事件”" in run.chain_reason
    assert "“敏感事件”类词语“突发事件”" in run.chain_reason
    assert "作者虽未勾选" in run.chain_reason
    wf.approve_step(_pending(post), actor=person("col_xx_secretary"), acknowledge_hits=True)
    assert publishable_revision(post) is None  # the Opinion Office has not approved yet
    wf.approve_step(_pending(post), actor=person("col_yq_reviewer"), acknowledge_hits=True)
    from guanwei.workflow.models import Filing

    assert Filing.objects.filter(post=post).exists()


def test_c07_the_box_adds_the_chain_and_plain_posts_keep_the_department_chain() -> None:
    """C-07: the author's flag alone chooses the prior-approval chain (it only adds); an
    ordinary news post with nothing sensitive stays on the department's chain, and says so."""
    flagged = _college_emergency_post(
        category="news", subtype="", body="关于今日校园停电的情况说明。", sensitive=True
    )
    run = wf.submit_for_review(flagged, actor=person("col_xx_manager"))
    assert run.chain_key == "sensitive_post"
    assert "作者勾选了" in run.chain_reason
    plain = _college_emergency_post(
        category="news", subtype="", title="学院新闻", body="我院学生在技能大赛中获奖。"
    )
    run = wf.submit_for_review(plain, actor=person("col_xx_manager"))
    assert run.chain_key == "unit_post"
    assert "没有更具体的审核流程适用" in run.chain_reason


# ------------------------------------------------------------------ distinct deciders


def _ad_hoc_post() -> Post:
    return content.create_post(
        unit(R, "investment_planning"),
        actor=person("re_ch_editor"),
        title="临时通知",
        body="公司将举办开放日活动。",
        category="ad_hoc",
        channels=[channel(R, "company_weibo")],
        source="投资策划部",
    )


def test_distinct_deciders_the_first_decider_is_not_offered_the_second_step() -> None:
    """Distinct deciders (R-04, issue 10 §3): with a second company leader in the group,
    李娜 approves the group's review; the company leader's approval is then neither offered
    to her (queue, post page) nor accepted from her; the other leader decides it."""
    from guanwei.orgs.actions import grant_role
    from guanwei.orgs.permissions import SYSTEM

    grant_role(person("re_zz_deputy2"), unit(R, "management_group"), "group_leader", actor=SYSTEM)
    post = _ad_hoc_post()
    wf.submit_for_review(post, actor=person("re_ch_editor"))
    wf.approve_step(_pending(post), actor=person("re_zz_leader"))
    second = _pending(post)
    assert second.key == "company_leader"
    assert second not in [q.step for q in review_queue(person("re_zz_leader"))]
    assert second in [q.step for q in review_queue(person("re_zz_deputy2"))]
    with pytest.raises(PermissionDenied, match="同一稿件"):
        wf.approve_step(second, actor=person("re_zz_leader"))
    with pytest.raises(PermissionDenied, match="同一稿件"):
        wf.reject_step(second, actor=person("re_zz_leader"), reason="不同意")
    wf.approve_step(second, actor=person("re_zz_deputy2"))
    assert publishable_revision(post) is not None


def test_distinct_deciders_the_only_company_leader_leaves_the_group_review_to_others() -> None:
    """Distinct deciders with the pack's people as they are: 李娜 is the only 组长, so the
    company leader's approval is hers; the group's review is then not offered to her and
    refused (she would decide both steps); 张敏 reviews, 李娜 approves."""
    post = _ad_hoc_post()
    wf.submit_for_review(post, actor=person("re_ch_editor"))
    first = _pending(post)
    assert first not in [q.step for q in review_queue(person("re_zz_leader"))]
    with pytest.raises(PermissionDenied, match="同一稿件"):
        wf.approve_step(first, actor=person("re_zz_leader"))
    wf.approve_step(first, actor=person("re_zz_executive"))
    wf.approve_step(_pending(post), actor=person("re_zz_leader"))
    assert publishable_revision(post) is not None


# ------------------------------------------------------------------


def test_r02_a_column_is_written_by_its_owning_department() -> None:
    """R-02 (五): #XX新闻# belongs to 项目部; the project's own editor (文化小镇项目组, under
    项目部) drafts in it and its chain has no extra step; the planning editor's form offers
    its own columns plainly and #XX新闻# as approved by 项目部."""
    post = content.create_post(
        unit(R, "project_culture_town"),
        actor=person("re_xm_editor"),
        title="项目动态",
        body="文化小镇项目一期顺利封顶。",
        category="column",
        column="news",
        channels=[channel(R, "company_weibo")],
        source="项目部",
    )
    run = wf.submit_for_review(post, actor=person("re_xm_editor"))
    assert [s.unit.key for s in run.steps.all()] == ["management_group"]
    assert "R-02" not in run.chain_reason
    page = Client()
    page.force_login(person("re_ch_editor"))
    html = page.get("/content/posts/new/").content.decode()
    assert "#创意建筑# 创意建筑精品专栏<" in html
    assert "#XX新闻# 内部新闻专栏（须经项目部审核）" in html


def _news_by_the_planning_editor() -> Post:
    """黄丽 of 投资策划部 drafts in #XX新闻#, the column 项目部 owns (R-02)."""
    return content.create_post(
        unit(R, "investment_planning"),
        actor=person("re_ch_editor"),
        title="项目动态",
        body="文化小镇项目一期顺利封顶。",
        category="column",
        column="news",
        channels=[channel(R, "company_weibo")],
        source="投资策划部",
    )


def test_r02_another_department_drafts_then_the_owning_department_approves() -> None:
    """R-02 (五, issue 10 §4): a post in #XX新闻# drafted by 投资策划部 is allowed, and its
    chain starts with 项目部's own review (decided in the UI by 项目部's 专栏负责人, not by the
    group), then the group's; the post page says why."""
    post = _news_by_the_planning_editor()
    page = Client()
    page.force_login(person("re_ch_editor"))
    html = page.get(f"/content/posts/{post.pk}/").content.decode()
    assert "项目部" in html and "R-02" in html  # said before submitting
    page.post(f"/review/posts/{post.pk}/submit/")
    run = post.runs.get()
    steps = list(run.steps.order_by("index"))
    assert [s.unit.key for s in steps] == ["project_team", "management_group"]
    assert "R-02" in run.chain_reason and "项目部" in run.chain_reason
    owner = steps[0]
    assert owner not in [q.step for q in review_queue(person("re_zz_leader"))]
    with pytest.raises(PermissionDenied):
        wf.approve_step(owner, actor=person("re_zz_leader"))
    head = Client()
    head.force_login(person("re_zz_deputy2"))  # 陈静, 项目部经理
    assert owner in [q.step for q in review_queue(person("re_zz_deputy2"))]
    html = head.get(f"/content/posts/{post.pk}/").content.decode()
    assert f"/review/steps/{owner.pk}/approve/" in html and "R-02" in html
    head.post(f"/review/steps/{owner.pk}/approve/", {"comment": "内容属实"})
    owner.refresh_from_db()
    assert owner.status == "approved"
    wf.approve_step(_pending(post), actor=person("re_zz_leader"))
    assert publishable_revision(post) is not None


def test_r02_a_post_that_would_skip_the_owning_department_is_refused() -> None:
    """R-02: when 项目部 has nobody to approve it, the planning editor's #XX新闻# post is
    refused at submission with the rule named, and stays a draft."""
    from guanwei.orgs.models import Membership

    post = _news_by_the_planning_editor()
    Membership.objects.filter(unit=unit(R, "project_team")).delete()
    page = Client()
    page.force_login(person("re_ch_editor"))
    answer = page.post(f"/review/posts/{post.pk}/submit/", follow=True)
    html = answer.content.decode()
    assert "R-02" in html and "项目部" in html
    post.refresh_from_db()
    assert post.status == "draft" and not post.runs.exists()


# ------------------------------------------------------------------ C-05


def _college_announcement_published() -> Post:
    """A school announcement on the main WeChat and Weibo accounts, approved and sent."""
    from django.utils import timezone

    from guanwei.publishing import actions as publishing
    from guanwei.publishing.models import IntentStatus, PublishIntent

    post = content.create_post(
        unit(C, "propaganda"),
        actor=person("col_xcb_manager"),
        title="关于寒假放假安排的通知",
        body="根据校历，寒假自1月20日起，请各单位做好安排。",
        category="announcement",
        channels=[channel(C, "school_wechat"), channel(C, "school_weibo")],
        source="党委宣传部",
    )
    wf.submit_for_review(post, actor=person("col_xcb_manager"))
    wf.approve_step(_pending(post), actor=person("col_xcb_head"), acknowledge_hits=True)
    wf.approve_step(_pending(post), actor=person("col_yq_reviewer"), acknowledge_hits=True)
    intents = publishing.schedule_post(post, actor=person("col_xcb_manager"))
    now = timezone.now()
    PublishIntent.objects.filter(pk__in=[i.pk for i in intents]).update(
        status=IntentStatus.PUBLISHED, due_at=now, published_at=now
    )
    return post


def test_c05_one_repost_duty_per_account_and_the_button_only_for_its_department() -> None:
    """C-05 (第八条): published on two school accounts, the announcement is one duty per
    department account; confirming it closes it; the 已转发 form shows only to the account's
    own department."""
    from guanwei.oversight import actions as oversight
    from guanwei.oversight.models import Deadline, DeadlineKind, DeadlineStatus
    from guanwei.oversight.scheduler import ensure_syndication_deadlines

    post = _college_announcement_published()
    from django.utils import timezone

    ensure_syndication_deadlines(timezone.now())
    ensure_syndication_deadlines(timezone.now())  # the scheduler passes again
    duties = Deadline.objects.filter(kind=DeadlineKind.SYNDICATION, post=post)
    keys = sorted(d.channel.key for d in duties if d.channel)
    assert keys == ["academic_site", "business_weibo", "info_site", "info_wechat"]
    duty = duties.get(channel__key="info_wechat")
    oversight.mark_syndicated(
        duty, actor=person("col_xx_manager"), link="https://mp.weixin.qq.com/s/1"
    )
    assert not duties.filter(channel__key="info_wechat", status=DeadlineStatus.OPEN).exists()
    page = Client()
    page.force_login(person("col_jwc_manager"))
    html = page.get("/oversight/deadlines/?status=open").content.decode()
    academic = duties.get(channel__key="academic_site")
    business = duties.get(channel__key="business_weibo")
    assert f"/oversight/deadlines/{academic.pk}/syndicated/" in html
    assert f"/oversight/deadlines/{business.pk}/syndicated/" not in html


# ------------------------------------------------------------------


def test_r06_authorisation_goes_through_its_chain_then_prints_both_opinions() -> None:
    """R-06 附二 官方微博授权审批表: the request is recorded and goes through the pack's
    `authorisation` chain (执行组长审核 → 组长批准); only then the PDF prints, with both
    opinions."""
    from guanwei.documents.tests.samples import pdf_text

    ch = channel(R, "company_weibo")
    page = Client()
    page.force_login(person("re_zz_member1"))  # 杨帆, the account's manager
    answer = page.post(
        f"/channels/{ch.pk}/authorisation/",
        {
            "grantee": "赵磊",
            "grantee_title": "行政商务部专员",
            "scope": "日常发布、评论回复",
            "reason": "运营专员休假期间代为发布行业资讯专栏",
        },
    )
    assert answer.status_code == 302 and answer["Content-Type"] != "application/pdf"
    from guanwei.workflow.models import AuthorisationRequest

    req = AuthorisationRequest.objects.get(channel=ch)
    run = req.runs.get()
    assert run.chain_key == "authorisation"
    assert [s.name for s in run.steps.order_by("index")] == ["执行组长审核", "组长批准"]
    assert page.get(f"/review/authorisations/{req.pk}/form.pdf").status_code == 404
    step = run.steps.get(index=0)
    assert step in [q.step for q in review_queue(person("re_zz_executive"))]
    with pytest.raises(PermissionDenied):
        wf.approve_step(step, actor=person("re_zz_leader"))
    wf.approve_step(step, actor=person("re_zz_executive"), comment="同意授权")
    wf.approve_step(run.steps.get(index=1), actor=person("re_zz_leader"), comment="批准")
    req.refresh_from_db()
    assert req.status == "approved"
    pdf = page.get(f"/review/authorisations/{req.pk}/form.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    _, text = pdf_text(pdf.content)
    for expected in (
        "官方微博授权审批表",
        "赵磊",
        "执行组长审核",
        "张敏",
        "同意授权",
        "组长批准",
        "李娜",
    ):
        assert expected in text, expected
