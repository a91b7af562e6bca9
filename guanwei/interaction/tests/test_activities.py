"""Activities (互动活动): W-08 (major weather: the provincial publisher's consent, staff and
preparation before start), T-06 (the tourism bureau leader's approval), 第十七条."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.core.errors import DomainError, PermissionDenied
from guanwei.interaction import actions
from guanwei.interaction.models import Activity, ActivityStatus, Comment
from guanwei.interaction.queries import activity_for
from guanwei.testing.personas import channel, person, unit

pytestmark = pytest.mark.django_db
W, T = "demo_weather", "demo_tourism"


def _plan(org: str, account: str, who: str, rule: str, **kw: object) -> Activity:
    now = timezone.now()
    fields: dict[str, object] = {
        "kind": "interview",
        "title": "寒潮天气微访谈",
        "starts_at": now - timedelta(minutes=5),
        "ends_at": now + timedelta(hours=2),
    }
    fields.update(kw)
    return actions.plan_activity(
        channel(org, account),
        actor=person(who),
        rule_key=rule,
        **fields,  # type: ignore[arg-type]
    )


def test_w08_a_major_weather_activity_is_refused_until_checklist_and_provincial_consent() -> None:
    """W-08 (acceptance): a county's interview during a major weather event is refused to
    start, saying exactly what is missing, until the staff on duty are named, the prepared
    answers written and the provincial publisher (李娜, 省局) has consented."""
    a = _plan(W, "county_a_weibo", "xa_publisher", "major_weather_activity", major_weather=True)
    actions.submit_activity(a, actor=person("xa_publisher"))
    a.refresh_from_db()
    assert a.status == ActivityStatus.IN_REVIEW
    [step] = list(a.steps.all())
    assert step.unit == unit(W, "province") and step.roles == ["publisher"]
    assert step.name == "省气象局发布员同意"

    with pytest.raises(actions.ActivityNotReady) as refused:
        actions.start_activity(a, actor=person("xa_publisher"))
    assert refused.value.missing == [
        "省气象局发布员同意：尚未批准（省气象局）",
        "值班人员：尚未指定（须写明姓名）",
        "预备答复口径：尚未填写",
    ]
    # the county's own leader, the city's leader, the planner himself cannot consent
    for who in ("xa_leader", "city_leader", "xa_publisher"):
        with pytest.raises(PermissionDenied):
            actions.decide_activity_step(step, actor=person(who), approve=True)
    actions.decide_activity_step(step, actor=person("sj_publisher"), approve=True)
    a.refresh_from_db()
    assert a.status == ActivityStatus.APPROVED

    with pytest.raises(actions.ActivityNotReady) as refused:
        actions.start_activity(a, actor=person("xa_publisher"))
    assert refused.value.missing == ["值班人员：尚未指定（须写明姓名）", "预备答复口径：尚未填写"]

    actions.update_activity(
        a,
        actor=person("xa_publisher"),
        staff=[person("xa_publisher"), person("xa_leader")],
        prepared_answers="寒潮期间防寒保暖要点；道路结冰提示。",
    )
    actions.start_activity(a, actor=person("xa_publisher"))
    a.refresh_from_db()
    assert a.status == ActivityStatus.RUNNING and a.started_at is not None
    assert AuditRecord.objects.filter(
        action=AuditAction.ACTIVITY_STARTED, object_id=str(a.pk)
    ).exists()


def test_w08_without_a_major_weather_event_no_consent_step_is_needed() -> None:
    a = _plan(W, "county_a_weibo", "xa_publisher", "major_weather_activity")
    actions.submit_activity(a, actor=person("xa_publisher"))
    a.refresh_from_db()
    assert a.status == ActivityStatus.APPROVED and not a.steps.exists()
    assert actions.missing_to_start(a) == [
        "值班人员：尚未指定（须写明姓名）",
        "预备答复口径：尚未填写",
    ]


def test_w08_the_provinces_own_activity_needs_no_consent_of_itself() -> None:
    a = _plan(W, "province_weibo", "sj_publisher", "major_weather_activity", major_weather=True)
    actions.submit_activity(a, actor=person("sj_publisher"))
    a.refresh_from_db()
    assert not a.steps.exists()


def test_w08_a_returned_plan_is_changed_and_submitted_again() -> None:
    a = _plan(W, "county_a_weibo", "xa_publisher", "major_weather_activity", major_weather=True)
    actions.submit_activity(a, actor=person("xa_publisher"))
    step = a.steps.get()
    with pytest.raises(DomainError, match="理由"):
        actions.decide_activity_step(step, actor=person("sj_publisher"), approve=False)
    actions.decide_activity_step(
        step, actor=person("sj_publisher"), approve=False, reason="时间与省局直播冲突"
    )
    a.refresh_from_db()
    assert a.status == ActivityStatus.REJECTED
    assert "审批被退回，须修改后重新提交" in actions.missing_to_start(a)
    actions.update_activity(
        a, actor=person("xa_publisher"), starts_at=a.starts_at + timedelta(minutes=1)
    )
    actions.submit_activity(a, actor=person("xa_publisher"))
    a.refresh_from_db()
    assert a.status == ActivityStatus.IN_REVIEW and a.steps.get().status == "pending"


def test_t06_a_tourism_activity_needs_the_bureau_leaders_approval() -> None:
    """T-06 (第十四条): 甲县's online activity starts only after 甲县旅游局's bureau
    leader (陈静) approved it; the county's office head or the city's leader cannot."""
    a = _plan(
        T,
        "county_a_weibo",
        "ly_xa_officer",
        "online_activity",
        kind="vote",
        title="最美乡村投票",
        staff=[person("ly_xa_officer")],
        prepared_answers="投票规则与奖品说明。",
    )
    actions.submit_activity(a, actor=person("ly_xa_officer"))
    step = a.steps.get()
    assert step.unit == unit(T, "county_a") and step.roles == ["bureau_leader"]
    with pytest.raises(actions.ActivityNotReady, match="本单位局领导批准：尚未批准"):
        actions.start_activity(a, actor=person("ly_xa_officer"))
    for who in ("ly_xa_head", "ly_city_leader", "ly_qb_leader"):
        assert not actions.may_decide_step(person(who), step)
        with pytest.raises(PermissionDenied):
            actions.decide_activity_step(step, actor=person(who), approve=True)
    actions.decide_activity_step(step, actor=person("ly_xa_leader"), approve=True)
    actions.start_activity(a, actor=person("ly_xa_officer"))
    actions.finish_activity(a, actor=person("ly_xa_officer"))
    a.refresh_from_db()
    assert a.status == ActivityStatus.FINISHED


def test_w08_comments_fetched_during_an_activity_are_tagged_with_it() -> None:
    """activity_for(channel, moment): what ingest tags a comment with (W-08)."""
    a = _plan(
        W,
        "county_a_weibo",
        "xa_publisher",
        "major_weather_activity",
        staff=[person("xa_publisher")],
        prepared_answers="口径",
    )
    ch = channel(W, "county_a_weibo")
    assert activity_for(ch.pk, timezone.now()) is None
    actions.submit_activity(a, actor=person("xa_publisher"))
    actions.start_activity(a, actor=person("xa_publisher"))
    assert activity_for(ch.pk, timezone.now()) == a
    assert activity_for(channel(W, "city_weibo").pk, timezone.now()) is None
    actions.finish_activity(a, actor=person("xa_publisher"))
    a.refresh_from_db()
    assert a.finished_at is not None and a.started_at is not None
    assert activity_for(ch.pk, a.started_at) == a
    assert activity_for(ch.pk, a.finished_at) == a
    assert activity_for(ch.pk, a.started_at - timedelta(seconds=1)) is None
    assert activity_for(ch.pk, a.finished_at + timedelta(seconds=1)) is None
    assert Comment._meta.get_field("activity").related_model is Activity


def test_w08_only_who_writes_for_the_account_plans_and_the_pages_show_it() -> None:
    with pytest.raises(PermissionDenied):
        _plan(W, "county_a_weibo", "qxt_officer", "major_weather_activity")
    a = _plan(W, "county_a_weibo", "xa_publisher", "major_weather_activity", major_weather=True)
    actions.submit_activity(a, actor=person("xa_publisher"))
    c = Client()
    c.force_login(person("sj_publisher"))
    page = c.get(reverse("activity_detail", args=[a.pk])).content.decode()
    assert "批准" in page and "开始活动" not in page  # the province consents, never starts
    c.force_login(person("xa_publisher"))
    r = c.post(reverse("activity_start", args=[a.pk]), follow=True)
    text = r.content.decode()
    assert "活动还不能开始" in text and "省气象局发布员同意：尚未批准" in text
    c.force_login(person("qxt_officer"))
    assert c.get(reverse("activity_detail", args=[a.pk])).status_code == 404


def test_t06_no_activities_entry_where_the_rule_book_has_no_activity_rules() -> None:
    """W-08, T-06: the college's rule book provides no activity approval: its managers get
    no 互动活动 menu entry and page that can only say there is nothing to plan (found
    walking the college desk on eb24e7f); the weather bureau's publisher keeps his."""
    from django.test import Client

    from guanwei.interaction.queries import may_open_activities
    from guanwei.testing.personas import org as org_of

    assert not may_open_activities(person("col_xx_manager"), org_of("demo_college"))
    assert may_open_activities(person("kj_publisher"), org_of("demo_weather"))
    c = Client()
    c.force_login(person("col_xx_manager"))
    assert c.get("/interaction/activities/").status_code == 404
    assert "/interaction/activities/" not in c.get("/").content.decode()
