"""Review along approval chains (REQ W-14, W-15, C-07, C-09, T-04, R-04).

A run is bound to one immutable revision (its content hash). Guards sit at the top of
each action and raise a domain error; competing reviewers are settled by a conditional
UPDATE (exactly one wins). Nothing here writes the content room's tables: it calls the
content actions for status changes.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.content import actions as content_actions
from guanwei.content.models import Post, PostRevision, PostStatus, Submission
from guanwei.notify.actions import notify
from guanwei.orgs.errors import InvalidChange, PermissionDenied
from guanwei.orgs.models import Membership, Organisation, PackApplication, Unit, User
from guanwei.orgs.permissions import require
from guanwei.orgs.rules import rules_for
from guanwei.workflow.models import (
    Decision,
    Delegation,
    Eligibility,
    Filing,
    RunStatus,
    StepRun,
    StepStatus,
    WorkflowRun,
)


class ReviewError(InvalidChange):
    pass


# ------------------------------------------------------------------ choosing a chain


def _matches(chain: dict[str, Any], revision: PostRevision) -> bool:
    when = chain.get("when") or {}
    if when.get("categories") and revision.category not in when["categories"]:
        return False
    if when.get("columns") and revision.column not in when["columns"]:
        return False
    if when.get("channels") and not set(revision.channel_keys) & set(when["channels"]):
        return False
    if when.get("sensitive") and not revision.sensitive:
        return False
    return not (when.get("emergency") and not revision.emergency)


def select_post_chain(organisation_id: int, revision: PostRevision) -> dict[str, Any]:
    """The highest-priority post chain whose conditions hold (ties: first in the pack).
    Emergency chains (W-12) apply only to posts flagged emergency, and the other way round.
    Correction chains (W-11) apply only to posts that correct a published one; a correction
    takes the ordinary chains when the pack has none for it."""
    correction = revision.post.corrects_id is not None
    candidates = [
        c
        for c in rules_for(organisation_id).chains
        if c["applies_to"] == "post"
        and _matches(c, revision)
        and bool((c.get("when") or {}).get("emergency")) == revision.emergency
        and (correction or not (c.get("when") or {}).get("correction"))
    ]
    if not candidates:
        raise ReviewError("制度包没有适用于该稿件的审核流程，不能提交（未经审核的信息不得发布）。")
    return max(candidates, key=lambda c: c.get("priority", 0))


def _material_chain(organisation_id: int) -> dict[str, Any] | None:
    return next(
        (c for c in rules_for(organisation_id).chains if c["applies_to"] == "material"), None
    )


def _pack_version(organisation_id: int) -> str:
    row = (
        PackApplication.objects.filter(
            organisation_id=organisation_id, kind="base", in_force_until__isnull=True
        )
        .values_list("pack_name", "version")
        .first()
    )
    return f"{row[0]} {row[1]}" if row else ""


def _resolve_unit(
    selector: str, *, organisation_id: int, post_unit: Unit, provider_unit: Unit
) -> Unit:
    if selector == "post_unit":
        return post_unit
    if selector == "provider_unit":
        return provider_unit
    if selector == "parent_unit":
        return post_unit.parent or post_unit
    if selector == "root_unit":
        return Unit.objects.get(organisation_id=organisation_id, parent__isnull=True)
    unit = Unit.objects.filter(organisation_id=organisation_id, key=selector).first()
    if unit is None:
        raise ReviewError(f"审核流程引用的部门“{selector}”不存在。")
    return unit


def _holders(unit: Unit, roles: list[str]) -> set[int]:
    return set(
        Membership.objects.filter(
            unit=unit, role__in=roles, revoked_at__isnull=True, user__is_active=True
        ).values_list("user_id", flat=True)
    )


# ------------------------------------------------------------------ starting a run


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
    screening_verdict: str = "",
) -> WorkflowRun:
    now = timezone.now()
    run = WorkflowRun.objects.create(
        organisation_id=organisation_id,
        subject=subject,
        post=post,
        revision=revision,
        content_hash=revision.content_hash if revision else "",
        submission=submission,
        chain_key=chain["key"],
        chain_name=chain["name"],
        chain=chain,
        pack_version=_pack_version(organisation_id),
        screening_verdict=screening_verdict,
        started_by=actor,
        started_at=now,
    )
    for index, spec in enumerate(chain["steps"]):
        unit = _resolve_unit(
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
        )
    _activate(run.steps.get(index=0), author_id=author_id)
    return run


def _activate(step: StepRun, *, author_id: int | None) -> None:
    """Open a step: snapshot who must decide (mode "all") and fill the queue rows."""
    now = timezone.now()
    eligible = {step.user_id} if step.user_id else _holders(step.unit, step.roles)
    eligible.discard(author_id)  # nobody approves their own revision
    if not eligible:
        raise ReviewError(
            f"“{step.name}”环节没有可以审核的人员（作者本人不能审核），请先为{step.unit.name}"
            f"指定相应角色。"
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


@transaction.atomic
def start_material_review(submission: Submission, *, actor: User) -> WorkflowRun | None:
    """W-15: material waits for the provider's supervising leader before the drop box."""
    chain = _material_chain(submission.organisation_id)
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


def _screen(post: Post, revision: PostRevision, actor: User) -> str:
    """Screen the revision for every kind of target account; the worst verdict counts."""
    from guanwei.screening.actions import screen_object
    from guanwei.screening.queries import block_reasons

    order = {"pass": 0, "review": 1, "block": 2}
    worst, reasons = "pass", []
    kinds: list[str | None] = [*sorted({c.kind for c in revision.channels.all()})] or [None]
    for kind in kinds:
        result, _ = screen_object(
            post.organisation,
            actor=actor,
            object_type="post_revision",
            object_id=revision.pk,
            text=f"{revision.title}\n{revision.body}",
            channel_kind=kind,
            has_picture=bool(revision.asset_hashes),
            source=revision.source,
            title=revision.title,
        )
        if order[result.verdict] > order[worst]:
            worst = result.verdict
        if result.verdict == "block":
            reasons += block_reasons(f"{revision.title}\n{revision.body}", result)
    for kind_, reason in _screen_pictures(post, revision, actor):
        if order[kind_] > order[worst]:
            worst = kind_
        if kind_ == "block":
            reasons.append(reason)
    if worst == "block":
        raise ReviewError("内容筛查未通过，不能提交审核：" + "；".join(dict.fromkeys(reasons)))
    return worst


def _screen_pictures(post: Post, revision: PostRevision, actor: User) -> list[tuple[str, str]]:
    """C-06: the text in the revision's pictures is screened like the text (when OCR is on)."""
    from django.conf import settings

    if not getattr(settings, "GUANWEI_OCR", False):
        return []
    from guanwei.screening.actions import screen_object
    from guanwei.screening.ocr import OcrUnavailable, picture_text

    out: list[tuple[str, str]] = []
    for asset in revision.assets.filter(kind="image"):
        try:
            with asset.file.open("rb") as fh:
                text = picture_text(fh.read())
        except OcrUnavailable:
            return []
        except Exception:  # an unreadable picture: a person must look at it
            out.append(("review", f"图片“{asset.title}”无法识别文字，请人工查看"))
            continue
        if not text.strip():
            continue
        result, _ = screen_object(
            post.organisation,
            actor=actor,
            object_type="asset",
            object_id=asset.pk,
            text=text,
            channel_kind=None,
        )
        found = "、".join(f"“{h.matched}”" for h in result.hits if h.severity == "block")
        out.append((result.verdict, f"图片“{asset.title}”中的文字{found}"))
    return out


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
    chain = select_post_chain(post.organisation_id, revision)
    if chain.get("permission"):
        require(actor, chain["permission"], post.unit)
    verdict = _screen(post, revision, actor)
    material = (
        post.materials.filter(provider_unit__isnull=False).select_related("provider_unit").first()
    )
    provider_unit = material.provider_unit if material and material.provider_unit else post.unit
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
        },
    )
    return run


# ------------------------------------------------------------------ deciding


def _active_delegation(step: StepRun, actor: User) -> Delegation | None:
    rule = step.run.chain.get("delegation")
    if not rule or rule["step"] != step.key:
        return None
    if not Membership.objects.filter(
        user=actor, unit=step.unit, role=rule["to_role"], revoked_at__isnull=True
    ).exists():
        return None
    now = timezone.now()
    return Delegation.objects.filter(
        organisation_id=step.run.organisation_id,
        chain_key=step.run.chain_key,
        step_key=step.key,
        unit=step.unit,
        delegate=actor,
        revoked_at__isnull=True,
        starts_at__lte=now,
        ends_at__gt=now,
    ).first()


def _author_id(run: WorkflowRun) -> int | None:
    if run.revision_id:
        return run.revision.created_by_id if run.revision else None
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
        return None
    holds = Membership.objects.filter(
        user=actor, unit=step.unit, role__in=step.roles, revoked_at__isnull=True
    ).exists()
    if holds:
        if step.mode == "all" and actor.pk not in step.required_user_ids:
            raise PermissionDenied("您不在本环节须会签的人员名单中。")
        return None
    delegation = _active_delegation(step, actor)
    if delegation is not None and delegation.absent_id == _author_id(run):
        raise PermissionDenied("不能代作者本人审核其撰写的内容。")
    if delegation is None:
        raise PermissionDenied(
            f"您不能审核“{step.name}”环节（不在审核人范围内，也没有经同意的代审授权）。"
        )
    return delegation


def _lock_step(step: StepRun) -> StepRun:
    return (
        StepRun.objects.select_for_update(of=("self",))
        .select_related("run", "run__revision", "run__post", "run__submission", "unit")
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
        raise ReviewError("内容筛查提示需重点核查，请查看标出的词语并确认后再同意。")
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
        _activate(following, author_id=_author_id(run))
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
        raise ReviewError("请填写不同意的理由，稿件将退回编辑修改。")
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
    record(
        AuditAction.REVIEW_APPROVED if approved else AuditAction.REVIEW_REJECTED,
        actor=actor,
        object_type=run.subject,
        object_id=run.post_id or run.submission_id,
        object_repr=run.chain_name,
        organisation_id=run.organisation_id,
        after={"run": run.pk, "status": status, "reason": reason, "content_hash": run.content_hash},
    )
    if approved and run.post and run.chain.get("file_on_approval"):
        _file(run, actor)


def _file(run: WorkflowRun, actor: User) -> Filing:
    """C-07: freeze what was approved and by whom."""
    assert run.post is not None and run.revision is not None
    approvers = [
        {
            "step": d.step.name,
            "name": str(d.actor),
            "username": d.actor.username,
            "title": d.actor.title,
            "decided_at": d.created.isoformat(),
            "comment": d.comment,
            "on_behalf_of": str(d.on_behalf_of) if d.on_behalf_of else "",
        }
        for d in Decision.objects.filter(step__run=run)
        .select_related("step", "actor", "on_behalf_of")
        .order_by("step__index", "created")
    ]
    filing = Filing.objects.create(
        organisation_id=run.organisation_id,
        post=run.post,
        revision=run.revision,
        run=run,
        content_hash=run.revision.content_hash,
        title=run.revision.title,
        body=run.revision.body,
        chain_name=run.chain_name,
        approvers=approvers,
        filed_at=timezone.now(),
    )
    record(
        AuditAction.POST_FILED,
        actor=actor,
        object_type="filing",
        object_id=filing.pk,
        object_repr=filing.title,
        organisation_id=run.organisation_id,
        after={
            "post": run.post_id,
            "revision": run.revision.number,
            "content_hash": filing.content_hash,
            "approvers": [a["username"] for a in approvers],
        },
    )
    return filing


@transaction.atomic
def cancel_open_review(post: Post, *, actor: User | None, reason: str) -> None:
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


# ------------------------------------------------------------------ delegation


@transaction.atomic
def grant_delegation(
    organisation: Organisation,
    *,
    actor: User,
    chain_key: str,
    delegate: User,
    absent: User,
    ends_at: Any,
    reason: str,
) -> Delegation:
    """The executive leader records consent for a deputy to review in the leader's place."""
    chain = next((c for c in rules_for(organisation.pk).chains if c["key"] == chain_key), None)
    if chain is None or not chain.get("delegation"):
        raise ReviewError("该审核流程不允许代审。")
    rule = chain["delegation"]
    step = next(s for s in chain["steps"] if s["key"] == rule["step"])
    unit = (
        Unit.objects.get(organisation=organisation, key=step["unit"])
        if step["unit"] not in ("post_unit", "provider_unit", "parent_unit", "root_unit")
        else None
    )
    if unit is None:
        raise ReviewError("代审只适用于固定部门的审核环节。")
    if not Membership.objects.filter(
        user=actor, unit=unit, role=rule["consent_role"], revoked_at__isnull=True
    ).exists():
        raise PermissionDenied("只有执行组长可以同意代审。")
    if not Membership.objects.filter(
        user=delegate, unit=unit, role=rule["to_role"], revoked_at__isnull=True
    ).exists():
        raise ReviewError(f"{delegate} 不是可以代审的副组长。")
    if not Membership.objects.filter(
        user=absent, unit=unit, role__in=step["roles"], revoked_at__isnull=True
    ).exists():
        raise ReviewError(f"{absent} 不是该环节的审核人。")
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("请填写代审原因（如组长出差）。")
    now = timezone.now()
    if ends_at <= now:
        raise ReviewError("代审截止时间必须晚于现在。")
    delegation = Delegation.objects.create(
        organisation=organisation,
        chain_key=chain_key,
        step_key=rule["step"],
        unit=unit,
        delegate=delegate,
        absent=absent,
        consent_by=actor,
        reason=reason,
        starts_at=now,
        ends_at=ends_at,
    )
    record(
        AuditAction.DELEGATION_GRANTED,
        actor=actor,
        object_type="delegation",
        object_id=delegation.pk,
        object_repr=str(delegation),
        organisation_id=organisation.pk,
        after={
            "chain": chain_key,
            "step": rule["step"],
            "delegate": delegate.username,
            "absent": absent.username,
            "until": ends_at.isoformat(),
            "reason": reason,
        },
    )
    return delegation


@transaction.atomic
def revoke_delegation(delegation: Delegation, *, actor: User) -> None:
    if actor.pk not in (delegation.consent_by_id, delegation.absent_id):
        raise PermissionDenied("只有同意代审的执行组长或被代审人可以撤销。")
    won = Delegation.objects.filter(pk=delegation.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not won:
        raise ReviewError("该代审授权已撤销。")
    record(
        AuditAction.DELEGATION_REVOKED,
        actor=actor,
        object_type="delegation",
        object_id=delegation.pk,
        object_repr=str(delegation),
        organisation_id=delegation.organisation_id,
    )
