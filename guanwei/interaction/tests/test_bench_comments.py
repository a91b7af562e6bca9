"""Smoke test of the comment ingest benchmark (issue 11 figure; W-18 fetching, W-19
screening and triage): ``guanwei bench comments --quick`` runs on a tiny stream and
reports the figures it promises, with no comment missed and none stored twice. The
benchmark itself (the throughput) is not a test: docs/benchmarks.md records it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_w18_w19_bench_comments_quick_reports_no_comment_missed_or_twice(tmp_path: Path) -> None:
    """W-18, W-19: a few hundred comments fetched over HTTP from the fake, screened,
    triaged, matched by the rules and stored (SQLite, in the bench's own process and
    database); ``missed`` and ``duplicates`` — against what the fake generated — are 0."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["GUANWEI_VAR_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "guanwei", "bench", "comments", "--quick", "--sqlite"]
        + ["--workers", "0", "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout)
    for key in ("comments", "comments_per_s", "baseline_per_s", "missed", "duplicates"):
        assert key in figures, key
    assert figures["comments"] == 300
    assert figures["missed"] == 0 and figures["duplicates"] == 0
    assert figures["comments_per_s"] > 0 and figures["baseline_per_s"] > 0
    assert 0.5 < figures["triage_accuracy"] <= 1 and figures["triage_held_out"] > 0
    assert figures["audit_chain_ok"] is True
    assert figures["runs"][0]["stored"] == 300
