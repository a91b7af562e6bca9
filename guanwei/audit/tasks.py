"""Background work of the audit room (run by the task worker, django.tasks)."""

from __future__ import annotations

from django.tasks import task

from guanwei.audit.verify import verify_chain


@task()
def verify_audit_chain(organisation_id: int | None = None) -> dict[str, object]:
    """Verify the whole chain off the request path (REQ X-02); the dashboard and the API
    show the result, counted for ``organisation_id`` only (issue #9 §6)."""
    result = verify_chain(organisation_id=organisation_id)
    return {
        "organisation_id": organisation_id,
        "ok": result.ok,
        "count": result.count,
        "broken_seq": result.broken_seq,
        "reason": result.reason,
        "message": str(result),
    }
