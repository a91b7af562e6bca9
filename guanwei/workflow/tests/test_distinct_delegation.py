"""Distinct deciders through delegation (R-04, issue 10 §3, redfix review): a deputy who
decides a step on behalf of X counts as X for the rule "one person decides at most one step
of a run", both ways: X may not decide another step after his deputy decided one for him,
and X's deputy may not decide a step for X after X decided another one himself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from guanwei.content import actions as content
from guanwei.content.models import Post
from guanwei.orgs.errors import PermissionDenied
from guanwei.testing.personas import channel, org, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import Decision, Delegation, RunStatus, StepRun
from guanwei.workflow.queries import publishable_revision, review_queue

pytestmark = pytest.mark.django_db
R = "demo_real_estate"


def _pending(post: Post) -> StepRun:
    return StepRun.objects.get(run__status=RunStatus.IN_PROGRESS, status="pending", run__post=post)


def _ad_hoc_post() -> Post:
    post = content.create_post(
        unit(R, "investment_planning"),
        actor=person("re_ch_editor"),
        title="临时通知",
        body="公司将举办开放日活动。",
        category="ad_hoc",
        channels=[channel(R, "company_weibo")],
        source="投资策划部",
    )
    wf.submit_for_review(post, actor=person("re_ch_editor"))
    return post


def _second_group_leader() -> None:
    from guanwei.orgs.actions import grant_role
    from guanwei.orgs.permissions import SYSTEM

    grant_role(person("re_zz_member2"), unit(R, "management_group"), "group_leader", actor=SYSTEM)


def test_r04_distinct_deciders_x_cannot_decide_after_his_deputy_decided_for_him() -> None:
    """R-04: 陈静 approves the group's review on behalf of 李娜 (consented delegation);
    李娜 may then not give the company leader's approval of the same post: it is neither
    offered nor accepted; the other 组长 gives it."""
    _second_group_leader()
    wf.grant_delegation(
        org(R),
        actor=person("re_zz_executive"),
        chain_key="ad_hoc",
        delegate=person("re_zz_deputy2"),
        absent=person("re_zz_leader"),
        ends_at=timezone.now() + timedelta(days=3),
        reason="组长出差",
    )
    post = _ad_hoc_post()
    wf.approve_step(_pending(post), actor=person("re_zz_deputy2"))
    first = Decision.objects.get(step__run__post=post)
    assert first.on_behalf_of == person("re_zz_leader")
    second = _pending(post)
    assert second.key == "company_leader"
    assert person("re_zz_leader").pk not in second.required_user_ids or second.mode != "all"
    assert second not in [q.step for q in review_queue(person("re_zz_leader"))]
    with pytest.raises(PermissionDenied, match="同一稿件"):
        wf.approve_step(second, actor=person("re_zz_leader"))
    with pytest.raises(PermissionDenied, match="同一稿件"):
        wf.reject_step(second, actor=person("re_zz_leader"), reason="不同意")
    wf.approve_step(second, actor=person("re_zz_member2"))
    assert publishable_revision(post) is not None


def test_r04_distinct_deciders_the_deputy_cannot_decide_for_x_after_x_decided() -> None:
    """R-04, the reverse: 李娜 approves the group's review herself; a deputy consented for
    the company leader's step may not then approve it on her behalf (the run's chain is
    altered so the later step is the delegated one)."""
    _second_group_leader()
    post = _ad_hoc_post()
    wf.approve_step(_pending(post), actor=person("re_zz_leader"))
    second = _pending(post)
    run = second.run
    run.chain = {**run.chain, "delegation": {**run.chain["delegation"], "step": "company_leader"}}
    run.save(update_fields=["chain"])
    now = timezone.now()
    Delegation.objects.create(
        organisation=org(R),
        chain_key="ad_hoc",
        step_key="company_leader",
        unit=unit(R, "management_group"),
        delegate=person("re_zz_deputy2"),
        absent=person("re_zz_leader"),
        consent_by=person("re_zz_executive"),
        reason="组长出差",
        starts_at=now,
        ends_at=now + timedelta(days=3),
    )
    second = _pending(post)
    with pytest.raises(PermissionDenied, match="同一稿件"):
        wf.approve_step(second, actor=person("re_zz_deputy2"))
    wf.approve_step(second, actor=person("re_zz_member2"))
    assert publishable_revision(post) is not None


def test_r04_the_deputy_of_the_only_company_leader_is_not_offered_the_group_review() -> None:
    """R-04 with the pack's people (李娜 the only 组长): 陈静 deciding the group's review
    for 李娜 would leave the company leader's approval without anyone who may give it, so
    it is neither offered to 陈静 nor accepted from her; 张敏 reviews instead."""
    wf.grant_delegation(
        org(R),
        actor=person("re_zz_executive"),
        chain_key="ad_hoc",
        delegate=person("re_zz_deputy2"),
        absent=person("re_zz_leader"),
        ends_at=timezone.now() + timedelta(days=3),
        reason="组长出差",
    )
    post = _ad_hoc_post()
    first = _pending(post)
    assert first not in [q.step for q in review_queue(person("re_zz_deputy2"))]
    with pytest.raises(PermissionDenied, match="同一稿件"):
        wf.approve_step(first, actor=person("re_zz_deputy2"))
    wf.approve_step(first, actor=person("re_zz_executive"))
    wf.approve_step(_pending(post), actor=person("re_zz_leader"))
    assert publishable_revision(post) is not None
