"""R-03 周计划 as one form: a column's week of posts submitted together and reviewed
together (all at once, or the days the reviewer ticks). Each day stays a post with its
own run, so a day can also be returned on its own from its post page."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

from django.db import transaction

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.channels.models import Channel
from guanwei.content import actions as content_actions
from guanwei.content.models import PostStatus, WeekPlan
from guanwei.orgs.errors import DomainError, InvalidChange
from guanwei.orgs.models import Unit, User
from guanwei.workflow.actions.decisions import approve_step
from guanwei.workflow.actions.runs import submit_for_review
from guanwei.workflow.models import RunStatus, StepRun, StepStatus


@transaction.atomic
def submit_week_plan(
    unit: Unit,
    *,
    actor: User,
    column: str,
    week_start: date,
    channels: Sequence[Channel],
    days: Sequence[Mapping[str, Any]],
) -> tuple[WeekPlan, str]:
    """Write the week's seven posts (``content.actions.create_week_plan``) and submit them
    for review together. Returns the plan and "" — or, when a day cannot be submitted yet
    (a picture's text still being read, a screening block), the plan saved with its days
    as drafts and the reason naming the day: nothing typed is lost, and the author submits
    the week from its page (:func:`submit_week_plan_days`)."""
    plan = content_actions.create_week_plan(
        unit, actor=actor, column=column, week_start=week_start, channels=channels, days=days
    )
    try:
        submit_week_plan_days(plan, actor=actor)
    except InvalidChange as e:
        return plan, e.message
    return plan, ""


@transaction.atomic
def submit_week_plan_days(plan: WeekPlan, *, actor: User) -> int:
    """Submit every day of the plan not yet in review (a draft, or one returned and
    edited) — all or nothing, the refusal naming the day."""
    days = [
        p
        for p in plan.posts.order_by("id")
        if p.status in (PostStatus.DRAFT, PostStatus.REJECTED, PostStatus.EXPIRED)
    ]
    if not days:
        raise InvalidChange("周计划中没有待提交审核的稿件。")
    for post in days:
        try:
            submit_for_review(post, actor=actor)
        except DomainError as e:
            raise InvalidChange(f"{post.title}：{e.message}") from e
    return len(days)


def pending_steps(plan: WeekPlan) -> list[StepRun]:
    """The open review step of each day of the plan that has one, Monday first."""
    return list(
        StepRun.objects.filter(
            run__post__week_plan=plan, run__status=RunStatus.IN_PROGRESS, status=StepStatus.PENDING
        )
        .select_related("run__post", "run")
        .order_by("run__post__id")
    )


@transaction.atomic
def approve_week_plan(
    plan: WeekPlan,
    *,
    actor: User,
    post_ids: Collection[int] | None = None,
    comment: str = "",
    acknowledge_hits: bool = False,
) -> int:
    """Approve the week at once (every day waiting for this reviewer) or only the days
    ``post_ids`` names; each is an ordinary ``approve_step`` (who may decide, screening
    hints acknowledged, distinct deciders), all or nothing. Returns how many days."""
    steps = pending_steps(plan)
    if post_ids is not None:
        steps = [s for s in steps if s.run.post_id in set(post_ids)]
    if not steps:
        raise InvalidChange("周计划中没有等待您审核的稿件。")
    for step in steps:
        try:
            approve_step(step, actor=actor, comment=comment, acknowledge_hits=acknowledge_hits)
        except DomainError as e:
            post = step.run.post
            raise InvalidChange(f"{post.title if post else ''}：{e.message}") from e
    record(
        AuditAction.WEEK_PLAN_APPROVED,
        actor=actor,
        object_type="week_plan",
        object_id=plan.pk,
        object_repr=str(plan),
        organisation_id=plan.organisation_id,
        after={"posts": [s.run.post_id for s in steps], "all": post_ids is None},
    )
    return len(steps)
