"""Each pack's chain, walked from material to "approved", and its forbidden paths
(REQ W-03, W-14, W-15, C-07, C-09, T-03, T-04, R-04, E-01, E-02, E-07, X-02)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guanwei.audit.verify import verify_chain
from guanwei.content import actions as content
from guanwei.content.models import Post, PostStatus, Submission, SubmissionStatus
from guanwei.orgs.actions import grant_role
from guanwei.orgs.errors import InvalidChange, PermissionDenied
from guanwei.orgs.permissions import SYSTEM
from guanwei.testing.personas import channel, org, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import Filing, RunStatus, StepRun, WorkflowRun
from guanwei.workflow.queries import publishable_revision, review_queue

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), "skyblue").save(out, format="PNG")
    return out.getvalue()


WEATHER_TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级，请注意早晚温差。"


def _pending(post_or_sub: Post | Submission) -> StepRun:
    field = "post" if isinstance(post_or_sub, Post) else "submission"
    return StepRun.objects.get(
        run__status=RunStatus.IN_PROGRESS, status="pending", **{f"run__{field}": post_or_sub}
    )


def _post(unit_: Any, author: str, channels: list[Any], **extra: Any) -> Post:
    fields: dict[str, Any] = {
        "title": "天气预报",
        "body": WEATHER_TEXT,
        "category": "forecast",
        "subtype": "",
        "channels": channels,
        "source": "市气象台",
    }
    fields.update(extra)
    return content.create_post(unit_, actor=person(author), **fields)


# ------------------------------------------------------------------ weather bureau


def test_weather_material_to_approved_post() -> None:
    """W-03, W-15, W-14: officer → provider leader → drop box → editor's post →
    publishing leader approves; the approved revision is the publishable one."""
    W = "demo_weather"
    material = content.submit_material(
        unit(W, "city_observatory"),
        actor=person("qxt_officer"),
        drop_box=unit(W, "city_tech_centre"),
        title="明日天气",
        body=WEATHER_TEXT,
        source="市气象台",
    )
    assert material.status == SubmissionStatus.AWAITING_LEADER
    assert [i.step.name for i in review_queue(person("qxt_leader"))] == ["提供单位分管领导审定"]
    wf.approve_step(_pending(material), actor=person("qxt_leader"))
    material.refresh_from_db()
    assert material.status == SubmissionStatus.NEW and material.provider_approved_by == person(
        "qxt_leader"
    )
    post = _post(
        unit(W, "city_tech_centre"), "kj_editor", [channel(W, "city_weibo")], materials=[material]
    )
    material.refresh_from_db()
    assert material.status == SubmissionStatus.USED and material.post == post
    wf.submit_for_review(post, actor=person("kj_editor"))
    queue = review_queue(person("kj_leader"))
    assert [q.run.post for q in queue] == [post]
    wf.approve_step(_pending(post), actor=person("kj_leader"), comment="同意发布")
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED
    assert publishable_revision(post) == post.current_revision
    assert verify_chain().ok


def test_weather_provider_leader_returns_material_with_a_reason() -> None:
    """W-15: the provider's leader may return material; it never reaches the box."""
    W = "demo_weather"
    material = content.submit_material(
        unit(W, "city_observatory"),
        actor=person("qxt_officer"),
        drop_box=unit(W, "city_tech_centre"),
        title="x",
        body=WEATHER_TEXT,
        source="台",
    )
    with pytest.raises(InvalidChange):
        wf.reject_step(_pending(material), actor=person("qxt_leader"), reason="")
    wf.reject_step(_pending(material), actor=person("qxt_leader"), reason="数据待核实")
    material.refresh_from_db()
    assert material.status == SubmissionStatus.RETURNED and material.status_reason == "数据待核实"


def test_weather_material_needs_a_source() -> None:
    """T-05 (applied by every pack): material without a source is refused, clearly."""
    with pytest.raises(InvalidChange, match="信息来源"):
        content.submit_material(
            unit("demo_weather", "city_observatory"),
            actor=person("qxt_officer"),
            drop_box=unit("demo_weather", "city_tech_centre"),
            title="x",
            body="y",
            source=" ",
        )


def test_weather_forbidden_paths() -> None:
    """W-14: not the author, not a role outside the step, not another unit's leader."""
    W = "demo_weather"
    post = _post(unit(W, "city_tech_centre"), "kj_editor", [channel(W, "city_weibo")])
    wf.submit_for_review(post, actor=person("kj_editor"))
    step = _pending(post)
    for outsider in ["kj_editor", "kj_publisher", "xa_leader", "qxt_leader"]:
        with pytest.raises(PermissionDenied):
            wf.approve_step(step, actor=person(outsider))
    wf.approve_step(step, actor=person("kj_leader"))
    with pytest.raises(InvalidChange):
        wf.approve_step(step, actor=person("kj_leader"))  # no double decision


def test_no_one_approves_their_own_revision() -> None:
    """W-14: the author is never a reviewer, even holding the reviewing role."""
    W = "demo_weather"
    county = unit(W, "county_a")
    grant_role(person("xb_leader"), county, "supervising_leader", actor=SYSTEM)
    grant_role(person("xa_leader"), county, "publisher", actor=SYSTEM)
    post = _post(county, "xa_leader", [channel(W, "county_a_weibo")])
    wf.submit_for_review(post, actor=person("xa_leader"))
    with pytest.raises(PermissionDenied, match="自己"):
        wf.approve_step(_pending(post), actor=person("xa_leader"))
    wf.approve_step(_pending(post), actor=person("xb_leader"))
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED


def test_an_edit_after_approval_reopens_review() -> None:
    """DESIGN invariant 1: the publishing side cannot edit approved content and keep the
    approval; the old run's steps refuse decisions."""
    W = "demo_weather"
    post = _post(unit(W, "city_tech_centre"), "kj_editor", [channel(W, "city_weibo")])
    wf.submit_for_review(post, actor=person("kj_editor"))
    wf.approve_step(_pending(post), actor=person("kj_leader"))
    content.revise_post(post, actor=person("kj_publisher"), body=WEATHER_TEXT + "（更新）")
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT and publishable_revision(post) is None
    run = wf.submit_for_review(post, actor=person("kj_publisher"))
    content.revise_post(post, actor=person("kj_editor"), title="天气预报（订正）")
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    with pytest.raises(InvalidChange):
        wf.approve_step(run.steps.get(index=0), actor=person("kj_leader"))
    assert post.revisions.count() == 3


def test_the_special_weather_fast_path_is_still_reviewed() -> None:
    """W-12: the emergency chain needs post.emergency and still has a step: the provincial
    publisher, who writes posts without that permission, may not tick the box; the Tech
    Centre's editor, who holds it, takes the fast path, still reviewed by the duty leader."""
    W = "demo_weather"
    with pytest.raises(PermissionDenied, match="特殊天气（随时发布）"):
        _post(unit(W, "province"), "sj_publisher", [channel(W, "province_weibo")], emergency=True)
    plain = _post(unit(W, "province"), "sj_publisher", [channel(W, "province_weibo")])
    with pytest.raises(PermissionDenied):  # nor ask for it later by editing
        content.revise_post(plain, actor=person("sj_publisher"), emergency=True)
    post = _post(
        unit(W, "city_tech_centre"),
        "kj_editor",
        [channel(W, "city_weibo")],
        emergency=True,
        subtype="",
    )
    run = wf.submit_for_review(post, actor=person("kj_editor"))
    assert run.chain_key == "special_weather"
    wf.approve_step(_pending(post), actor=person("kj_leader"))
    assert publishable_revision(post) is not None


def test_a_blocked_text_cannot_be_submitted() -> None:
    """C-06: screening runs before review; a block verdict refuses submission."""
    W = "demo_weather"
    post = _post(
        unit(W, "city_tech_centre"),
        "kj_editor",
        [channel(W, "city_weibo")],
        body=WEATHER_TEXT + "法*轮功",
    )
    with pytest.raises(InvalidChange, match="内容筛查未通过"):
        wf.submit_for_review(post, actor=person("kj_editor"))
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT


# ------------------------------------------------------------------ college


def test_college_main_account_post_goes_to_the_opinion_office_and_is_filed() -> None:
    """C-09, C-07: department leader, then the Opinion Office; the approval is filed."""
    C = "demo_college"
    post = _post(
        unit(C, "academic_affairs"),
        "col_jwc_manager",
        [channel(C, "school_wechat")],
        category="news",
        title="教务处通知",
        body="下周一起开展期末考试安排。",
    )
    run = wf.submit_for_review(post, actor=person("col_jwc_manager"))
    assert run.chain_key == "main_account_post"
    with pytest.raises(PermissionDenied):
        wf.approve_step(_pending(post), actor=person("col_yq_reviewer"))  # not yet their step
    wf.approve_step(_pending(post), actor=person("col_jwc_head"))
    wf.approve_step(_pending(post), actor=person("col_yq_reviewer"))
    filing = Filing.objects.get(post=post)
    assert filing.content_hash == post.current_revision.content_hash  # type: ignore[union-attr]
    assert [a["username"] for a in filing.approvers] == ["col_jwc_head", "col_yq_reviewer"]


def test_college_sensitive_post_needs_the_opinion_office() -> None:
    """C-07: a post flagged sensitive takes the sensitive chain even on a unit account."""
    C = "demo_college"
    post = _post(
        unit(C, "info_college"),
        "col_xx_manager",
        [channel(C, "info_wechat")],
        category="news",
        title="突发事件说明",
        body="关于今日校园停电的情况说明。",
        sensitive=True,
    )
    run = wf.submit_for_review(post, actor=person("col_xx_manager"))
    assert run.chain_key == "sensitive_post"
    assert run.screening_verdict == "review"  # C-07: the pack's sensitive-event terms
    with pytest.raises(InvalidChange, match="核查"):
        wf.approve_step(_pending(post), actor=person("col_xx_secretary"))
    wf.approve_step(_pending(post), actor=person("col_xx_secretary"), acknowledge_hits=True)
    wf.approve_step(_pending(post), actor=person("col_yq_reviewer"), acknowledge_hits=True)
    assert Filing.objects.filter(post=post).exists()


def test_college_unit_post_needs_only_the_responsible_person() -> None:
    """C-08, C-09: the direct responsible person approves the unit's own account post."""
    C = "demo_college"
    post = _post(
        unit(C, "info_college"),
        "col_xx_manager",
        [channel(C, "info_wechat")],
        category="news",
        title="学院新闻",
        body="我院学生在技能大赛中获奖。",
    )
    wf.submit_for_review(post, actor=person("col_xx_manager"))
    with pytest.raises(PermissionDenied):
        wf.approve_step(_pending(post), actor=person("col_jwc_head"))  # another department
    wf.approve_step(_pending(post), actor=person("col_xx_secretary"))
    assert publishable_revision(post) is not None


# ------------------------------------------------------------------ tourism


def test_tourism_officer_submits_and_the_department_head_approves() -> None:
    """T-03, T-04: the information officer applies, the department head approves."""
    T = "demo_tourism"
    post = _post(
        unit(T, "county_a"),
        "ly_xa_officer",
        [channel(T, "county_a_weibo")],
        category="announcement",
        title="景区开放",
        body="本周末景区正常开放，欢迎游客。",
        source="县旅游局",
    )
    wf.submit_for_review(post, actor=person("ly_xa_officer"))
    with pytest.raises(PermissionDenied):
        wf.approve_step(_pending(post), actor=person("ly_xa_leader"))  # bureau leader ≠ head
    wf.approve_step(_pending(post), actor=person("ly_xa_head"))
    assert publishable_revision(post) is not None


# ------------------------------------------------------------------ real estate


def test_real_estate_group_review_and_deputy_with_consent() -> None:
    """R-04: a deputy may review only with the executive leader's recorded consent."""
    R = "demo_real_estate"
    post = _post(
        unit(R, "investment_planning"),
        "re_ch_editor",
        [channel(R, "company_weibo")],
        category="column",
        column="creative_architecture",
        title="创意建筑",
        body="介绍一座获奖的创意建筑。",
    )
    wf.submit_for_review(post, actor=person("re_ch_editor"))
    step = _pending(post)
    with pytest.raises(PermissionDenied):
        wf.approve_step(step, actor=person("re_zz_deputy1"))  # no consent yet
    with pytest.raises(PermissionDenied):
        wf.grant_delegation(
            org(R),
            actor=person("re_zz_deputy2"),
            chain_key="review",
            delegate=person("re_zz_deputy1"),
            absent=person("re_zz_leader"),
            ends_at=timezone.now() + timedelta(days=3),
            reason="组长出差",
        )
    wf.grant_delegation(
        org(R),
        actor=person("re_zz_executive"),
        chain_key="review",
        delegate=person("re_zz_deputy1"),
        absent=person("re_zz_leader"),
        ends_at=timezone.now() + timedelta(days=3),
        reason="组长出差",
    )
    assert [q.step for q in review_queue(person("re_zz_deputy1"))] == [step]
    wf.approve_step(step, actor=person("re_zz_deputy1"), comment="代组长审核")
    decision = step.decisions.get()
    assert decision.on_behalf_of == person("re_zz_leader")
    assert publishable_revision(post) is not None


def test_real_estate_ad_hoc_needs_the_company_leader() -> None:
    """R-01, R-04: ad-hoc posts take two steps."""
    R = "demo_real_estate"
    post = _post(
        unit(R, "investment_planning"),
        "re_ch_editor",
        [channel(R, "company_weibo")],
        category="ad_hoc",
        title="临时通知",
        body="公司将举办开放日活动。",
    )
    run = wf.submit_for_review(post, actor=person("re_ch_editor"))
    assert run.chain_key == "ad_hoc" and run.steps.count() == 2
    wf.approve_step(_pending(post), actor=person("re_zz_executive"))
    with pytest.raises(PermissionDenied):
        wf.approve_step(_pending(post), actor=person("re_zz_executive"))
    wf.approve_step(_pending(post), actor=person("re_zz_leader"))
    assert publishable_revision(post) is not None


# ------------------------------------------------------------------ edu software


def test_edu_contribution_to_approved_post(settings: Any) -> None:
    """E-07, E-01: a department's contribution lands in the box; the ops lead approves."""
    settings.GUANWEI_OCR = False  # the picture's text (C-06) is test_ocr's and test_upload_limits'
    E = "demo_edu_software"
    material = content.submit_material(
        unit(E, "product"),
        actor=person("edu_cp_contributor"),
        drop_box=unit(E, "operations"),
        title="新功能",
        body="优信推出错题本功能，帮助孩子复习。",
        source="产品部",
    )
    assert material.status == SubmissionStatus.NEW  # no provider chain in this pack
    external = content.submit_external(
        unit(E, "operations"),
        actor=SYSTEM,
        name="一位家长",
        contact="私信",
        title="投稿",
        body="孩子很喜欢下课十分钟栏目。",
    )
    assert external.external and external.status == SubmissionStatus.NEW
    # E-02: a picture from the library (E-01: picture matches text, required by the pack).
    picture = content.upload_asset(
        unit(E, "operations"),
        actor=person("edu_yy_editor"),
        title="错题本截图",
        upload=SimpleUploadedFile("shot.png", _png(), content_type="image/png"),
    )
    post = _post(
        unit(E, "operations"),
        "edu_yy_editor",
        [channel(E, "official_weibo")],
        category="product",
        title="错题本上线",
        body="优信推出错题本功能。",
        materials=[material],
        assets=[picture],
    )
    run = wf.submit_for_review(post, actor=person("edu_yy_editor"))
    assert run.screening_verdict == "pass"
    with pytest.raises(PermissionDenied):
        wf.approve_step(_pending(post), actor=person("edu_yy_operator"))
    wf.approve_step(_pending(post), actor=person("edu_yy_lead"))
    assert publishable_revision(post) is not None
    assert WorkflowRun.objects.filter(post=post, status=RunStatus.APPROVED).count() == 1
