"""Filing an approved post (C-07, C-09): what was approved and by whom, frozen."""

from __future__ import annotations

from django.utils import timezone

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.orgs.models import User
from guanwei.workflow.models import Decision, Filing, WorkflowRun


def file_run(run: WorkflowRun, actor: User) -> Filing:
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
