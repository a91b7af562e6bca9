"""The task worker: a task enqueued on SQLite is run by django-tasks-db's db_worker (REQ X-02)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ENQUEUE = """
import django; django.setup()
from guanwei.audit.tasks import verify_audit_chain
print(verify_audit_chain.enqueue().id)
"""
RESULT = """
import sys, django; django.setup()
from guanwei.audit.tasks import verify_audit_chain
r = verify_audit_chain.get_result(sys.argv[1])
print(r.status, r.return_value["message"] if str(r.status) == "SUCCESSFUL" else "")
"""


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_it_runs_an_enqueued_task_in_db_worker(tmp_path: Path) -> None:
    """X-02: the audit chain is verified by the worker, off the request path."""
    env = {
        **os.environ,
        "GUANWEI_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "guanwei.settings",
    }
    env.pop("DATABASE_URL", None)
    env.pop("GUANWEI_TASKS_IMMEDIATE", None)
    py = sys.executable
    _run([py, "-m", "guanwei", "manage", "migrate", "-v0"], env)
    _run([py, "-m", "guanwei", "packs", "load", "real-estate"], env)
    task_id = _run([py, "-c", ENQUEUE], env)
    assert _run([py, "-c", RESULT, task_id], env).startswith("READY")
    _run([py, "-m", "guanwei", "manage", "db_worker", "--batch", "--no-startup-delay"], env)
    status = _run([py, "-c", RESULT, task_id], env)
    assert status.startswith("SUCCESSFUL OK "), status
