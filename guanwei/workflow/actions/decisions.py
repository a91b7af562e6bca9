"""Deciding a step (REQ W-14, R-04): who may decide, approve, reject, and finishing the
run. Competing reviewers are settled by a conditional UPDATE (exactly one wins); nobody
approves their own text."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.content import actions as content_actions
from guanwei.content.models import PostRevision
from guanwei.core.errors import PermissionDenied
from guanwei.notify.actions import notify
from guanwei.orgs.models import Membership, User
from guanwei.workflow.actions.delegation import active_delegation, covers_own_content
from guanwei.workflow.actions.filing import file_run
from guanwei.workflow.actions.runs import activate_step
from guanwei.workflow.chains import holders
from guanwei.workflow.errors import ReviewError
from guanwei.workflow.models import (
    Decision,
    Delegation,
    Eligibility,
    RunStatus,
    StepRun,
    StepStatus,
    WorkflowRun,
)


def _author_id(run: WorkflowRun) -> int | None:
    if run.revision_id:
        return run.revision.created_by_id if run.revision else None
    if run.authorisation_id:
        return run.authorisation.requested_by_id if run.authorisation else None
    if run.application_id:
        return run.application.requested_by_id if run.application else None
    return run.submission.submitted_by_id if run.submission else None


def check_decider(step: StepRun, actor: User) -> Delegation | None:
    """Who may decide this step: a holder of its roles in its unit, its named person, or
    a deputy with a consented delegation (R-04). Never the author (no self-approval)."""
    run = step.run
    if run.status != RunStatus.IN_PROGRESS or step.status != StepStatus.PENDING:
        raise ReviewError("该审核环节已处理，无需重复审核。")
    if run.post_id and run.post and run.post.current_revision_id != run.revision_id:
        raise ReviewError("稿件已修改，原审核已失效，需重新提交审核。")
    if actor.pk == _author_id(run) or (
        run.post_id
        and PostRevision.objects.filter(
            post_id=run.post_id, content_hash=run.content_hash, created_by=actor
        ).exists()
    ):
        # Also the same text re-saved unchanged by a colleague: still the actor's own text.
        raise PermissionDenied("不能审核自己撰写或报送的内容。")
    if step.user_id:
        if actor.pk != step.user_id:
            raise PermissionDenied(f"“{step.name}”须由指定人员审核。")
        check_distinct_decider(step, actor)
        return None
    holds = Membership.objects.filter(
        user=actor, unit=step.unit, role__in=step.roles, revoked_at__isnull=True
    ).exists()
    if holds:
        if step.mode == "all" and actor.pk not in step.required_user_ids:
            raise PermissionDenied("您不在本环节须会签的人员名单中。")
        check_distinct_decider(step, actor)
        return None
    delegation = active_delegation(step, actor)
    if delegation is not None and covers_own_content(delegation, run):
        # Issue #9 §8: nobody arranges a deputy for their own text.
        raise PermissionDenied(
            "代审授权不能用于同意人、被代审人或代审人本人撰写的内容，请由其他审核人审核。"
        )
    if delegation is None:
        raise PermissionDenied(
            f"您不能审核“{step.name}”环节（不在审核人范围内，也没有经同意的代审授权）。"
        )
    check_distinct_decider(step, actor, on_behalf_of=delegation.absent)
    return delegation


def _subject_word(run: WorkflowRun) -> str:
    return {
        "post": "稿件",
        "material": "素材",
        "credential": "授权申请",
        "application": "审批表",
    }.get(run.subject, "事项")


def check_distinct_decider(step: StepRun, actor: User, *, on_behalf_of: User | None = None) -> None:
    """Distinct deciders (issue 10 §3): one person decides at most one step of a run,
    unless the pack lets this step be decided by a previous decider. Nor may he take an
    earlier step when only he could decide a later one (the run would stand still).

    A deputy's decision counts as the deputy's and as the absent person's (R-04): X may not
    decide a step after his deputy decided another for him, nor the deputy decide for X a
    step after X (or another deputy for X) decided one."""
    run = step.run
    word = _subject_word(run)
    persons = {actor.pk} | ({on_behalf_of.pk} if on_behalf_of is not None else set())
    if not step.allow_previous_decider:
        earlier = (
            Decision.objects.filter(step__run=run)
            .filter(Q(actor_id__in=persons) | Q(on_behalf_of_id__in=persons))
            .exclude(step=step)
            .select_related("step", "actor", "on_behalf_of")
            .first()
        )
        if earlier is not None:
            who = "您" if earlier.actor_id == actor.pk else str(earlier.actor)
            if earlier.on_behalf_of is not None:
                who += f"（代{earlier.on_behalf_of}）"
            raise PermissionDenied(
                f"{who}已审核过本{word}的“{earlier.step.name}”环节：同一{word}的两个环节须由"
                f"不同的人审核（代审视同被代审人本人审核），本环节请由其他审核人处理。"
            )
    author = _author_id(run)
    for later in run.steps.filter(index__gt=step.index).select_related("unit").order_by("index"):
        if later.allow_previous_decider:
            continue
        could = {later.user_id} if later.user_id else holders(later.unit, later.roles)
        could.discard(author)
        if could & persons and not could - persons:
            raise PermissionDenied(
                f"“{later.name}”环节只有{'您' if actor.pk in could else str(on_behalf_of)}"
                f"可以审核：同一{word}的两个环节须由不同的人审核，本环节请由其他审核人处理。"
            )


def _lock_step(step: StepRun) -> StepRun:
    return (
        StepRun.objects.select_for_update(of=("self",))
        .select_related(
            "run",
            "run__revision",
            "run__post",
            "run__submission",
            "run__authorisation",
            "run__application",
            "unit",
        )
        .get(pk=step.pk)
    )


def _close_step(step: StepRun, status: str) -> None:
    """Conditional UPDATE: of two reviewers deciding at once, exactly one wins."""
    now = timezone.now()
    won = StepRun.objects.filter(pk=step.pk, status=StepStatus.PENDING).update(
        status=status, decided_at=now
    )
    if won != 1:
        raise ReviewError("该审核环节已由他人处理。")
    Eligibility.objects.filter(step=step).update(open=False)
    step.status, step.decided_at = status, now


@transaction.atomic
def approve_step(
    step: StepRun, *, actor: User, comment: str = "", acknowledge_hits: bool = False
) -> WorkflowRun:
    step = _lock_step(step)
    delegation = check_decider(step, actor)
    run = step.run
    if run.screening_verdict == "review" and not acknowledge_hits:
        raise ReviewError("内容筛查提示需重点核查：请查看筛查提示，勾选“已核查”后再同意。")
    Decision.objects.create(
        step=step,
        actor=actor,
        verdict=Decision.Verdict.APPROVE,
        comment=comment.strip(),
        acknowledged_hits=acknowledge_hits,
        delegation=delegation,
        on_behalf_of=delegation.absent if delegation else None,
        created=timezone.now(),
    )
    if step.mode == "all":
        approved = set(
            step.decisions.filter(verdict=Decision.Verdict.APPROVE).values_list(
                "actor_id", flat=True
            )
        )
        if not set(step.required_user_ids) <= approved:
            _record_decision(step, actor, "approve", comment, delegation)
            return run
    _close_step(step, StepStatus.APPROVED)
    _record_decision(step, actor, "approve", comment, delegation)
    following = run.steps.filter(index__gt=step.index).order_by("index").first()
    if following is not None:
        activate_step(following, author_id=_author_id(run))
        return run
    _finish(run, RunStatus.APPROVED, actor=actor)
    return run


@transaction.atomic
def reject_step(step: StepRun, *, actor: User, reason: str) -> WorkflowRun:
    """Reject with a reason; the post returns to its editor (the material to its officer)."""
    step = _lock_step(step)
    delegation = check_decider(step, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(_REASON_NEEDED.get(step.run.subject, "请填写不同意的理由。"))
    Decision.objects.create(
        step=step,
        actor=actor,
        verdict=Decision.Verdict.REJECT,
        comment=reason,
        delegation=delegation,
        on_behalf_of=delegation.absent if delegation else None,
        created=timezone.now(),
    )
    _close_step(step, StepStatus.REJECTED)
    _record_decision(step, actor, "reject", reason, delegation)
    run = step.run
    _finish(run, RunStatus.REJECTED, actor=actor, reason=reason)
    _tell_rejected(run, step, actor, reason)
    return run


# Who a refusal sends the work back to, by the run's subject (R-06: a 附二 request goes
# back to its requester, not "to the editor").
_REASON_NEEDED = {
    "post": "请填写不同意的理由，稿件将退回编辑修改。",
    "material": "请填写不同意的理由，素材将退回报送人修改。",
    "credential": "请填写不同意的理由，授权申请将退回申请人。",
}


def _tell_rejected(run: WorkflowRun, step: StepRun, actor: User, reason: str) -> None:
    """X-04: the work goes back to its author (the post's editors, the material's officer)
    with the reason, in their notices."""
    people: list[int | None]
    if run.submission is not None:
        people = [run.submission.submitted_by_id]
        title = f"素材《{run.submission.title}》被退回"
        link = f"/content/materials/{run.submission.pk}/"
    elif run.post is not None:
        people = [run.post.created_by_id]
        if run.revision is not None:
            people.append(run.revision.created_by_id)
        title = f"稿件《{run.post.title}》审核未通过"
        link = f"/content/posts/{run.post.pk}/"
    elif run.authorisation is not None:
        people = [run.authorisation.requested_by_id]
        title = f"授权申请（{run.authorisation.grantee}）未获批准"
        link = f"/review/authorisations/{run.authorisation.pk}/"
    elif run.application is not None:
        people = [run.application.requested_by_id]
        title = f"“{run.application.channel.name}”审批表未获批准"
        link = f"/review/applications/{run.application.pk}/"
    else:
        return
    notify(
        [p for p in people if p and p != actor.pk],
        organisation_id=run.organisation_id,
        title=title,
        body=f"{step.name}：{actor}不同意。理由：{reason}",
        link=link,
    )


def _record_decision(
    step: StepRun, actor: User, verdict: str, comment: str, delegation: Delegation | None
) -> None:
    run = step.run
    record(
        AuditAction.STEP_APPROVED if verdict == "approve" else AuditAction.STEP_REJECTED,
        actor=actor,
        object_type="step_run",
        object_id=step.pk,
        object_repr=f"{run.chain_name} · {step.name}",
        organisation_id=run.organisation_id,
        after={
            "run": run.pk,
            "step": step.key,
            "verdict": verdict,
            "comment": comment,
            "content_hash": run.content_hash,
            "on_behalf_of": delegation.absent.username if delegation else None,
        },
    )


def _finish(run: WorkflowRun, status: str, *, actor: User, reason: str = "") -> None:
    won = WorkflowRun.objects.filter(pk=run.pk, status=RunStatus.IN_PROGRESS).update(
        status=status, finished_at=timezone.now()
    )
    if won != 1:
        raise ReviewError("该审核流程已结束。")
    run.refresh_from_db()
    approved = status == RunStatus.APPROVED
    if run.subject == "material" and run.submission:
        content_actions.mark_provider_decision(
            run.submission, actor=actor, approved=approved, reason=reason
        )
    elif run.post and run.revision:
        content_actions.mark_reviewed(run.post, revision=run.revision, approved=approved)
    elif run.authorisation:
        from guanwei.workflow.actions.authorisation import mark_authorisation_decided

        mark_authorisation_decided(run.authorisation, approved=approved)
    elif run.application:
        from guanwei.workflow.actions.application import mark_application_decided

        mark_application_decided(run.application, approved=approved, actor=actor)
    record(
        AuditAction.REVIEW_APPROVED if approved else AuditAction.REVIEW_REJECTED,
        actor=actor,
        object_type="authorisation" if run.authorisation_id else run.subject,
        object_id=run.post_id or run.submission_id or run.authorisation_id or run.application_id,
        object_repr=run.chain_name,
        organisation_id=run.organisation_id,
        after={"run": run.pk, "status": status, "reason": reason, "content_hash": run.content_hash},
    )
    if approved and run.post and run.chain.get("file_on_approval"):
        file_run(run, actor)
