"""Restart of the comment fetcher in the middle of fetching (issue 11 acceptance; W-18,
E-06 — fetching is traced under these — with W-19's screening and triage on the way in),
on SQLite and PostgreSQL.

The real ``guanwei interaction fetch`` process walks a long comment stream (2,000
comments, 41 pages) of a post published on the fake Weibo, which answers each page after
25 ms; it is SIGKILLed at an arbitrary moment once a first batch is committed and before
the stream is done; the dead process's lease is let run out (as if its 120 s had
passed); a second process is started and finishes. Every comment the fake generated must
be stored exactly once (remote ids compared with the fake's), the cursor must end at the
newest id, and the audit chain must verify.

Everything runs in subprocesses against a database of the scenario's own (a temp
``GUANWEI_VAR_DIR`` with SQLite; a fresh ``guanwei_fault_*`` PostgreSQL database), as in
tests/test_dispatch_faults.py, whose helpers it uses. No sleep decides the outcome: the
test polls the database with generous deadlines.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from guanwei.publishing.fakes import FakePlatforms, demo_settings, start_fakes
from tests.dispatch_scenario import ScenarioDB, sqlite_path
from tests.test_dispatch_faults import (
    PY,
    REPO,
    _env,
    _pg_admin,
    _pg_conninfo,
    _pg_reachable,
    _pg_url,
    _run,
)

N = 2000  # comments in the stream: 41 pages of comments/show, 4 batches of 500
PAGE_DELAY_MS = 25
WAIT_S = 90.0


@dataclass
class Scenario:
    vendor: str
    var_dir: Path
    database_url: str
    db: ScenarioDB
    intent: int
    remote_id: str

    def env(self) -> dict[str, str]:
        return _env(self.var_dir, self.database_url)

    def fetcher(self, name: str) -> subprocess.Popen[bytes]:
        log = (self.var_dir / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            [PY, "-m", "guanwei", "interaction", "fetch", "--idle-sleep", "0.2"],
            env=self.env(),
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        return proc

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.var_dir.glob("*.log"))
        )

    def stored(self) -> list[str]:
        rows = self.db.rows(
            "SELECT remote_id FROM interaction_comment WHERE intent_id = %s", [self.intent]
        )
        return [str(r[0]) for r in rows]

    def count(self) -> int:
        rows = self.db.rows(
            "SELECT count(*) FROM interaction_comment WHERE intent_id = %s", [self.intent]
        )
        return int(rows[0][0])


@pytest.fixture(scope="module")
def fakes() -> Iterator[FakePlatforms]:
    with start_fakes() as platforms:
        yield platforms


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def scenario(
    request: pytest.FixtureRequest, fakes: FakePlatforms, tmp_path: Path
) -> Iterator[Scenario]:
    vendor: str = request.param
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    pg_name = url = ""
    if vendor == "postgresql":
        why = _pg_reachable()
        if why:
            pytest.skip(why)
        pg_name = f"guanwei_fault_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{pg_name}"')
        url = _pg_url(pg_name)
    try:
        fakes.reset()  # a post of its own (the fake refuses the same text twice)
        env = _env(var_dir, url)
        _run(["-m", "guanwei", "manage", "migrate", "-v0"], env)
        _run(["-m", "tests.dispatch_scenario", "load-pack", "weather-bureau"], env)
        settings = json.dumps(demo_settings(fakes)["weibo"])
        out = _run(["-m", "tests.fetch_scenario", "publish", "--weibo-settings", settings], env)
        published = json.loads(out.strip().splitlines()[-1])
        db = (
            ScenarioDB("sqlite", sqlite_path(var_dir))
            if vendor == "sqlite"
            else ScenarioDB("postgresql", _pg_conninfo(pg_name))
        )
        yield Scenario(vendor, var_dir, url, db, published["intent"], published["remote_id"])
    finally:
        fakes.control("weibo", delay_ms=0)
        if pg_name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def test_w18_fetcher_sigkilled_mid_stream_then_restarted_misses_none_stores_none_twice(
    scenario: Scenario, fakes: FakePlatforms
) -> None:
    """W-18, E-06 (fetching; W-19 screening and triage on the way in), issue 11
    acceptance "restart in the middle of fetching (SIGKILL): no comment missed or stored
    twice": the real fetch process is killed with 2,000 comments partly stored, a second
    one finishes, and the stored remote ids are exactly the fake's, each once."""
    s = scenario
    fakes.control("weibo", comment_stream={"status_id": s.remote_id, "n": N, "seed": 11})
    with fakes.weibo.lock:
        want = [str(c.id) for c in fakes.weibo.data.live_comments(int(s.remote_id))]
    assert len(want) == N
    fakes.control("weibo", delay_ms=PAGE_DELAY_MS)

    first = s.fetcher("first")
    procs = [first]
    try:
        deadline = time.monotonic() + WAIT_S
        while s.count() == 0:  # a first batch committed
            assert first.poll() is None, f"fetcher exited {first.returncode}\n{s.logs()}"
            assert time.monotonic() < deadline, f"nothing stored in {WAIT_S} s\n{s.logs()}"
            time.sleep(0.02)
        assert first.poll() is None, f"fetcher exited {first.returncode}\n{s.logs()}"
        os.kill(first.pid, signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL
        at_kill = s.count()
        assert 0 < at_kill < len(want), f"not killed mid-stream: {at_kill}\n{s.logs()}"

        # The dead fetcher's lease on the stream runs out (as if LEASE had passed).
        past = "2000-01-01 00:00:00" if s.vendor == "sqlite" else "2000-01-01 00:00:00+00"
        s.db.rows(
            "UPDATE interaction_fetchcursor SET next_fetch_at = %s WHERE intent_id = %s",
            [past, s.intent],
        )
        second = s.fetcher("second")
        procs.append(second)
        deadline = time.monotonic() + WAIT_S
        while s.count() < len(want):
            assert second.poll() is None, f"fetcher exited {second.returncode}\n{s.logs()}"
            assert time.monotonic() < deadline, f"{s.count()} of {len(want)}\n{s.logs()}"
            time.sleep(0.05)
        _stop(second)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)

    stored = s.stored()
    assert len(stored) == len(set(stored)), "a comment stored twice"
    assert set(stored) == set(want), (
        f"missed {len(set(want) - set(stored))}, unknown {len(set(stored) - set(want))}"
    )
    cursor = s.db.rows(
        "SELECT cursor FROM interaction_fetchcursor WHERE intent_id = %s", [s.intent]
    )
    assert cursor == [(str(max(int(i) for i in want)),)], cursor
    verified = subprocess.run(
        [PY, "-m", "guanwei", "audit", "verify"],
        env=s.env(),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
