"""Who may see the workflow room's objects, and its part of who may see a post or material:
the person who may decide the open step of its review (issue #9 §3). Registered at start-up
(``WorkflowConfig.ready``) into ``orgs.access``."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from guanwei.content.models import Post, Submission
from guanwei.content.queries import may_view_material, may_view_post
from guanwei.orgs.access import register
from guanwei.orgs.models import Membership, Organisation, User
from guanwei.orgs.permissions import can
from guanwei.orgs.rules import rules_for
from guanwei.workflow.models import (
    AccountApplication,
    AuthorisationRequest,
    Decision,
    Delegation,
    Eligibility,
    Filing,
    RunStatus,
    StepRun,
    StepStatus,
)


def _decides_open_step(user: User, **run: object) -> bool:
    from guanwei.workflow.queries import may_decide

    steps = StepRun.objects.filter(
        status=StepStatus.PENDING,
        run__status=RunStatus.IN_PROGRESS,
        **{f"run__{k}": v for k, v in run.items()},
    ).select_related("run", "unit")
    return any(may_decide(s, user) for s in steps[:10])


def _post(user: User, post: Post) -> bool:
    return _decides_open_step(user, post=post)


def _material(user: User, item: Submission) -> bool:
    return _decides_open_step(user, submission=item)


def _step(user: User, step: StepRun) -> bool:
    run = step.run
    if run.post is not None:
        return may_view_post(user, run.post)
    if run.submission is not None:
        return may_view_material(user, run.submission)
    if run.authorisation is not None:
        return _authorisation(user, run.authorisation)
    if run.application is not None:
        return _application(user, run.application)
    return False


def _authorisation(user: User, item: AuthorisationRequest) -> bool:
    """R-06: its requester, those who see its account, and the people of its chain (who
    decide its open step or decided one)."""
    from guanwei.orgs.access import may_see

    if user.pk == item.requested_by_id or may_see(user, item.channel):
        return True
    if Decision.objects.filter(step__run__authorisation=item, actor=user).exists():
        return True
    return _decides_open_step(user, authorisation=item)


def _application(user: User, item: AccountApplication) -> bool:
    """The 审批表 (C-02): its requester, those who see its account, and the people of its
    chain (who decide its open step or decided one)."""
    from guanwei.orgs.access import may_see

    if user.pk == item.requested_by_id or may_see(user, item.channel):
        return True
    if Decision.objects.filter(step__run__application=item, actor=user).exists():
        return True
    return _decides_open_step(user, application=item)


def _delegation(user: User, row: Delegation) -> bool:
    """The people it names, and the organisation's keepers of roles."""
    return user.pk in (row.delegate_id, row.absent_id, row.consent_by_id) or can(
        user, "role.grant", row.organisation
    )


def register_rules() -> None:
    register(Post, _post, name="workflow")
    register(Submission, _material, name="workflow")
    register(StepRun, _step, name="workflow")
    register(Delegation, _delegation, name="workflow")
    register(AuthorisationRequest, _authorisation, name="workflow")
    register(AccountApplication, _application, name="workflow")
    register(Filing, lambda user, f: may_view_post(user, f.post), name="workflow")


# ------------------------------------------------------------------ who opens which page
# One function per page, called by the page itself and by the menu (guanwei.web.menu): a
# menu entry shows exactly when its page opens (issue #10 §6).


def _chain_roles(organisation: Organisation) -> set[str]:
    return {
        role
        for chain in rules_for(organisation.pk).chains
        for step in chain.get("steps") or []
        for role in step.get("roles") or []
    }


def _active_delegations(user: User, organisation: Organisation) -> bool:
    now = timezone.now()
    return Delegation.objects.filter(
        organisation=organisation,
        delegate=user,
        revoked_at__isnull=True,
        starts_at__lte=now,
        ends_at__gt=now,
    ).exists()


def may_open_queue(user: User, organisation: Organisation) -> bool:
    """审核: who holds a role a review step of the pack's chains names, a consented deputy,
    who is named on an open step, and who sees the whole organisation's queue."""
    if user.is_superuser or can(user, "report.view", organisation):
        return True
    held = set(
        Membership.objects.filter(
            user=user, unit__organisation=organisation, revoked_at__isnull=True
        ).values_list("role", flat=True)
    )
    return (
        bool(held & _chain_roles(organisation))
        or _active_delegations(user, organisation)
        or Eligibility.objects.filter(
            organisation_id_copy=organisation.pk, user_id_copy=user.pk, open=True
        ).exists()
    )


def may_open_filings(user: User, organisation: Organisation) -> bool:
    """备案 (C-07): who files, and who reads the organisation's reports."""
    return can(user, "post.file", organisation) or can(user, "report.view", organisation)


def delegable_chains(organisation: Organisation) -> list[dict[str, Any]]:
    return [c for c in rules_for(organisation.pk).chains if c.get("delegation")]


def may_open_delegations(user: User, organisation: Organisation) -> bool:
    """代审 (R-04): only where the pack allows a deputy; for who consents, who is replaced
    or deputises (the roles the delegation names), who appears on a recorded delegation,
    and who reads the organisation's reports."""
    chains = delegable_chains(organisation)
    if not chains:
        return False
    if user.is_superuser or can(user, "report.view", organisation):
        return True
    roles = {
        r
        for c in chains
        for r in (
            c["delegation"].get("consent_role"),
            c["delegation"].get("for_role"),
            c["delegation"].get("to_role"),
        )
        if r
    }
    if Membership.objects.filter(
        user=user, unit__organisation=organisation, revoked_at__isnull=True, role__in=roles
    ).exists():
        return True
    return (
        Delegation.objects.filter(organisation=organisation)
        .filter(Q(delegate=user) | Q(absent=user) | Q(consent_by=user))
        .exists()
    )
