"""Background work of the audit room (run by the task worker, django.tasks)."""

from __future__ import annotations

from django.tasks import task

from guanwei.audit.verify import verify_chain


@task()
def verify_audit_chain() -> dict[str, object]:
    """Verify the whole chain off the request path (REQ X-02); the dashboard shows the result."""
    result = verify_chain()
    return {
        "ok": result.ok,
        "count": result.count,
        "broken_seq": result.broken_seq,
        "message": str(result),
    }
