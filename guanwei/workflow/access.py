"""Who may see the workflow room's objects, and its part of who may see a post or material:
the person who may decide the open step of its review (issue #9 §3). Registered at start-up
(``WorkflowConfig.ready``) into ``orgs.access``."""

from __future__ import annotations

from guanwei.content.models import Post, Submission
from guanwei.content.queries import may_view_material, may_view_post
from guanwei.orgs.access import register
from guanwei.orgs.models import User
from guanwei.orgs.permissions import can
from guanwei.workflow.models import (
    AuthorisationRequest,
    Decision,
    Delegation,
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
    register(Filing, lambda user, f: may_view_post(user, f.post), name="workflow")
