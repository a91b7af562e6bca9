"""Starting and cancelling review runs (REQ W-14, W-15, T-04): a run is bound to one
immutable revision (its content hash); opening a step fills its queue rows."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.content import actions as content_actions
from guanwei.content.models import Post, PostRevision, PostStatus, Submission
from guanwei.orgs.models import Unit, User
from guanwei.orgs.permissions import Actor, require
from guanwei.workflow.actions.screening import screen_revision
from guanwei.workflow.chains import (
    holders,
    material_chain,
    pack_version,
    resolve_unit,
    select_post_chain,
    why_chain,
    with_account_owners,
    with_column_owner,
)
from guanwei.workflow.errors import ReviewError
from guanwei.workflow.models import (
    AccountApplication,
    AuthorisationRequest,
    Decision,
    Eligibility,
    RunStatus,
    StepRun,
    StepStatus,
    WorkflowRun,
)


def _create_run(
    *,
    organisation_id: int,
    subject: str,
    chain: dict[str, Any],
    actor: User,
    post_unit: Unit,
    provider_unit: Unit,
    author_id: int | None,
    post: Post | None = None,
    revision: PostRevision | None = None,
    submission: Submission | None = None,
    authorisation: AuthorisationRequest | None = None,
    application: AccountApplication | None = None,
    screening_verdict: str = "",
    chain_reason: str = "",
) -> WorkflowRun:
    now = timezone.now()
    run = WorkflowRun.objects.create(
        organisation_id=organisation_id,
        subject=subject,
        post=post,
        revision=revision,
        content_hash=revision.content_hash if revision else "",
        submission=submission,
        authorisation=authorisation,
        application=application,
        chain_key=chain["key"],
        chain_name=chain["name"],
        chain=chain,
        pack_version=pack_version(organisation_id),
        screening_verdict=screening_verdict,
        chain_reason=chain_reason,
        started_by=actor,
        started_at=now,
    )
    for index, spec in enumerate(chain["steps"]):
        unit = resolve_unit(
            spec.get("unit") or "post_unit",
            organisation_id=organisation_id,
            post_unit=post_unit,
            provider_unit=provider_unit,
        )
        named = User.objects.filter(username=spec["user"]).first() if spec.get("user") else None
        StepRun.objects.create(
            run=run,
            index=index,
            key=spec["key"],
            name=spec["name"],
            unit=unit,
            roles=list(spec.get("roles") or []),
            user=named,
            mode=spec.get("mode") or "any",
            allow_previous_decider=bool(spec.get("allow_previous_decider")),
        )
    activate_step(run.steps.get(index=0), author_id=author_id)
    return run


def activate_step(step: StepRun, *, author_id: int | None) -> None:
    """Open a step: snapshot who must decide (mode "all") and fill the queue rows."""
    now = timezone.now()
    eligible = {step.user_id} if step.user_id else holders(step.unit, step.roles)
    eligible.discard(author_id)  # nobody approves their own revision
    if not step.allow_previous_decider:  # distinct deciders (issue 10 §3)
        eligible -= earlier_deciders(step)
    if not eligible:
        raise ReviewError(
            f"“{step.name}”环节没有可以审核的人员（作者本人和已审核前面环节的人员不能审核），"
            f"请先为{step.unit.name}指定相应角色。"
        )
    step.status = StepStatus.PENDING
    step.activated_at = now
    step.required_user_ids = sorted(eligible) if step.mode == "all" else []
    step.save(update_fields=["status", "activated_at", "required_user_ids"])
    org_id = step.run.organisation_id
    rows = [
        Eligibility(
            step=step,
            organisation_id_copy=org_id,
            unit_id_copy=step.unit_id,
            role=role,
            activated_at=now,
        )
        for role in step.roles
    ]
    if step.user_id:
        rows.append(
            Eligibility(
                step=step, organisation_id_copy=org_id, user_id_copy=step.user_id, activated_at=now
            )
        )
    delegation = step.run.chain.get("delegation")
    if delegation and delegation["step"] == step.key:
        rows.append(
            Eligibility(
                step=step,
                organisation_id_copy=org_id,
                unit_id_copy=step.unit_id,
                role=delegation["to_role"],
                delegated=True,
                activated_at=now,
            )
        )
    Eligibility.objects.bulk_create(rows)


def earlier_deciders(step: StepRun) -> set[int]:
    """Who decided another step of the step's run (distinct deciders, issue 10 §3)."""
    # A deputy's decision counts as the absent person's too.
    rows = (
        Decision.objects.filter(step__run_id=step.run_id)
        .exclude(step=step)
        .values_list("actor_id", "on_behalf_of_id")
    )
    return {pk for row in rows for pk in row if pk is not None}


@transaction.atomic
def start_material_review(submission: Submission, *, actor: User) -> WorkflowRun | None:
    """W-15: material waits for the provider's supervising leader before the drop box."""
    chain = material_chain(submission.organisation_id)
    if chain is None or submission.provider_unit is None or not chain["steps"]:
        return None
    content_actions.mark_awaiting_leader(submission)
    run = _create_run(
        organisation_id=submission.organisation_id,
        subject="material",
        chain=chain,
        actor=actor,
        post_unit=submission.drop_box,
        provider_unit=submission.provider_unit,
        author_id=submission.submitted_by_id,
        submission=submission,
    )
    record(
        AuditAction.REVIEW_STARTED,
        actor=actor,
        object_type="submission",
        object_id=submission.pk,
        object_repr=submission.title,
        organisation_id=submission.organisation_id,
        after={"chain": chain["key"], "run": run.pk},
    )
    return run


@transaction.atomic
def submit_for_review(post: Post, *, actor: User) -> WorkflowRun:
    """Start the pack's chain for the post's current revision (T-04: review before
    publishing). Screening runs first: a blocked text cannot be submitted."""
    require(actor, "post.create", post.unit)
    post = Post.objects.select_for_update().select_related("unit", "organisation").get(pk=post.pk)
    if post.status not in (PostStatus.DRAFT, PostStatus.REJECTED, PostStatus.EXPIRED):
        raise ReviewError(f"稿件状态为“{post.get_status_display()}”，不能提交审核。")
    revision = post.current_revision
    assert revision is not None
    screened = screen_revision(post, revision, actor)
    verdict = screened.verdict
    chain = select_post_chain(post.organisation_id, revision, screened)
    chain = with_account_owners(chain, revision, post.unit)  # T-01, C-09 (issue 10)
    materials = list(
        post.materials.filter(provider_unit__isnull=False).select_related("provider_unit")
    )
    providers = [m.provider_unit for m in materials if m.provider_unit is not None]
    chain, owner_reason = with_column_owner(chain, revision, post.unit, providers)
    if chain.get("permission"):
        require(actor, chain["permission"], post.unit)
    provider_unit = providers[0] if providers else post.unit
    run = _create_run(
        organisation_id=post.organisation_id,
        subject="post",
        chain=chain,
        actor=actor,
        post_unit=post.unit,
        provider_unit=provider_unit,
        author_id=revision.created_by_id,
        post=post,
        revision=revision,
        screening_verdict=verdict,
        chain_reason=" ".join(r for r in (why_chain(chain, revision, screened), owner_reason) if r),
    )
    content_actions.mark_in_review(post, revision=revision)
    record(
        AuditAction.REVIEW_STARTED,
        actor=actor,
        object_type="post",
        object_id=post.pk,
        object_repr=post.title,
        organisation_id=post.organisation_id,
        after={
            "chain": chain["key"],
            "run": run.pk,
            "revision": revision.number,
            "content_hash": revision.content_hash,
            "screening": verdict,
            "chain_reason": run.chain_reason,
        },
    )
    return run


@transaction.atomic
def cancel_open_review(post: Post, *, actor: Actor | None, reason: str) -> None:
    """An edit reopens review: the run for the old revision is cancelled (invariant 1)."""
    for run in WorkflowRun.objects.select_for_update().filter(
        post=post, status=RunStatus.IN_PROGRESS
    ):
        WorkflowRun.objects.filter(pk=run.pk).update(
            status=RunStatus.CANCELLED, finished_at=timezone.now()
        )
        StepRun.objects.filter(run=run, status__in=[StepStatus.PENDING, StepStatus.WAITING]).update(
            status=StepStatus.CANCELLED
        )
        Eligibility.objects.filter(step__run=run).update(open=False)
        record(
            AuditAction.REVIEW_CANCELLED,
            actor=actor,
            object_type="post",
            object_id=post.pk,
            object_repr=post.title,
            organisation_id=post.organisation_id,
            after={"run": run.pk, "reason": reason},
        )
