"""Fault tests of the dispatcher (REQ X-03, DESIGN invariant 2), on SQLite and PostgreSQL.

A real ``guanwei dispatcher`` process is SIGKILLed while taking due intents (locked,
not committed), after committing
"sending", and after the platform answered (the ``GUANWEI_TEST_PAUSE_AT`` seam in
publishing/dispatch.py); a second one is started; every post must be on the fake Weibo
exactly once, with the right status, attempt log and audit trail. One more case: the
platform answers 5xx twice (unknown outcome → reconciled as absent → retried).

The killed and the restarted worker share data, and the audit log's triggers refuse the
DELETEs pytest-django's flush does on SQLite, so everything runs in subprocesses against
a database of the scenario's own (a temp ``GUANWEI_VAR_DIR`` with SQLite; a fresh
``guanwei_fault_*`` PostgreSQL database), never the test database. To keep the module
fast, each backend builds one template per module (``guanwei manage migrate``, the
weather-bureau pack, channel settings pointing at the fakes, K posts written, approved
and scheduled by the demo personas) and each case runs on a copy of it (a copied SQLite
file; ``CREATE DATABASE … TEMPLATE`` on PostgreSQL). The fakes run in this process and
are reset before each case.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from guanwei.audit.events import AuditAction
from guanwei.publishing.fakes import FakePlatforms, demo_settings, start_fakes, text_hash
from tests.dispatch_scenario import ScenarioDB, sqlite_path

REPO = Path(__file__).resolve().parents[1]
K = 3  # posts per case
PY = sys.executable
SHARE = "/2/statuses/share.json"
WAIT_S = 40.0
A = AuditAction


# ---------------------------------------------------------------- PostgreSQL server


def _pg_server() -> tuple[str, int]:
    """The server of DATABASE_URL when it is PostgreSQL, else 127.0.0.1:5432."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        return parts.hostname or "127.0.0.1", parts.port or 5432
    return "127.0.0.1", 5432


def _pg_url(name: str) -> str:
    host, port = _pg_server()
    return f"postgres://postgres@{host}:{port}/{name}"


def _pg_conninfo(name: str) -> str:
    host, port = _pg_server()
    return f"host={host} port={port} user=postgres dbname={name} connect_timeout=3"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _pg_reachable() -> str:
    """'' when the server answers, else why not."""
    host, port = _pg_server()
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError as e:
        return f"PostgreSQL not reachable on {host}:{port} ({e})"
    try:
        _pg_admin("SELECT 1")
    except Exception as e:  # no psycopg, auth refused …
        return f"PostgreSQL on {host}:{port} refused us: {e}"
    return ""


# ---------------------------------------------------------------- subprocesses


def _env(var_dir: Path, database_url: str = "", **extra: str) -> dict[str, str]:
    env = {**os.environ, "GUANWEI_VAR_DIR": str(var_dir)}
    env["DJANGO_SETTINGS_MODULE"] = "guanwei.settings"
    for name in (
        "DATABASE_URL",
        "GUANWEI_TASKS_IMMEDIATE",
        "GUANWEI_TEST_PAUSE_AT",
        "GUANWEI_TEST_PAUSE_MARKER",
        "GUANWEI_SQLITE_PATH",
    ):
        env.pop(name, None)
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str], timeout: float = 120) -> str:
    done = subprocess.run(
        [PY, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{done.stderr}"
    return done.stdout


# ---------------------------------------------------------------- fixtures


@dataclass
class Template:
    vendor: str
    var_dir: Path
    intents: list[dict[str, Any]]
    pg_name: str = ""


@dataclass
class Case:
    vendor: str
    var_dir: Path
    database_url: str
    db: ScenarioDB
    intents: list[dict[str, Any]]
    fakes: FakePlatforms
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [i["id"] for i in self.intents]

    def env(self, **extra: str) -> dict[str, str]:
        return _env(self.var_dir, self.database_url, **extra)

    def dispatcher(self, name: str, **extra: str) -> subprocess.Popen[bytes]:
        log = (self.var_dir / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            [PY, "-m", "guanwei", "dispatcher", "--threads", "1", "--no-scheduler"]
            + ["--idle-sleep", "0.1"],
            env=self.env(**extra),
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.procs.append(proc)
        return proc

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.var_dir.glob("*.log"))
        )

    def wait_final(self, proc: subprocess.Popen[bytes]) -> dict[int, dict[str, Any]]:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            found = self.db.intents(self.ids)
            if all(i["status"] in ("published", "failed", "cancelled") for i in found.values()):
                return found
            assert proc.poll() is None, f"dispatcher exited {proc.returncode}\n{self.logs()}"
            time.sleep(0.1)
        raise AssertionError(
            f"not final after {WAIT_S} s: {self.db.intents(self.ids)}\n{self.logs()}"
        )

    def stop(self, proc: subprocess.Popen[bytes]) -> int:
        proc.send_signal(signal.SIGTERM)
        return proc.wait(timeout=20)


@pytest.fixture(scope="module")
def fakes() -> Iterator[FakePlatforms]:
    with start_fakes() as platforms:
        yield platforms


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def template(
    request: pytest.FixtureRequest,
    fakes: FakePlatforms,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Template]:
    vendor: str = request.param
    var_dir = tmp_path_factory.mktemp(f"fault-template-{vendor}")
    pg_name = ""
    url = ""
    if vendor == "postgresql":
        why = _pg_reachable()
        if why:
            pytest.skip(why)
        pg_name = f"guanwei_fault_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{pg_name}"')
        url = _pg_url(pg_name)
    try:
        env = _env(var_dir, url)
        _run(["-m", "guanwei", "manage", "migrate", "-v0"], env)
        _run(["-m", "tests.dispatch_scenario", "load-pack", "weather-bureau"], env)
        settings = json.dumps(demo_settings(fakes)["weibo"])
        out = _run(
            ["-m", "tests.dispatch_scenario", "setup", "--posts", str(K)]
            + ["--weibo-settings", settings],
            env,
        )
        intents = json.loads(out.strip().splitlines()[-1])["intents"]
        assert len(intents) == K
        yield Template(vendor, var_dir, intents, pg_name)
    finally:
        if pg_name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


@pytest.fixture
def case(template: Template, fakes: FakePlatforms, tmp_path: Path) -> Iterator[Case]:
    fakes.reset()
    var_dir = tmp_path / "var"
    shutil.copytree(template.var_dir, var_dir)
    pg_name = ""
    if template.vendor == "sqlite":
        url, db = "", ScenarioDB("sqlite", sqlite_path(var_dir))
    else:
        pg_name = f"{template.pg_name}_{uuid.uuid4().hex[:6]}"
        _pg_admin(f'CREATE DATABASE "{pg_name}" TEMPLATE "{template.pg_name}"')
        url, db = _pg_url(pg_name), ScenarioDB("postgresql", _pg_conninfo(pg_name))
    c = Case(template.vendor, var_dir, url, db, template.intents, fakes)
    try:
        yield c
    finally:
        for proc in c.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        if pg_name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


# ---------------------------------------------------------------- checks


def _check_exactly_once(c: Case, final: dict[int, dict[str, Any]]) -> None:
    """Each text on the platform once, each intent and post published with a remote id,
    and the audit chain intact."""
    stats = c.fakes.stats("weibo")
    assert stats["posts"] == K, stats
    for intent in c.intents:
        assert stats["by_text_hash"].get(text_hash(intent["text"])) == 1, intent["text"]
        row = final[intent["id"]]
        assert row["status"] == "published", row
        assert row["remote_id"], row
        assert c.db.post_status(intent["post"]) == "published"
    remote_ids = [r["remote_id"] for r in final.values()]
    assert len(set(remote_ids)) == K
    verified = subprocess.run(
        [PY, "-m", "guanwei", "audit", "verify"],
        env=c.env(),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _story(c: Case, intent_id: int) -> tuple[list[tuple[str, str, bool]], list[int]]:
    return c.db.attempts(intent_id), c.db.audit_actions(intent_id)


# What the interrupted intent's attempt log and audit trail must say, per kill point.
# Attempt rows: (outcome, code, finished). A row left "sending" and unfinished is the
# attempt the killed worker never got to record.
EXPECTED = {
    # "sending" committed, nothing reached the platform: unknown → reconciled as absent →
    # retried → published.
    "sending": (
        [("unknown", "crash", True), ("reconciled", "", True), ("ok", "", True)],
        [
            A.PUBLISH_SCHEDULED,
            A.PUBLISH_SENDING,
            A.PUBLISH_UNKNOWN,
            A.PUBLISH_RECONCILED,
            A.PUBLISH_SENDING,
            A.PUBLISHED,
        ],
        2,
    ),
    # The platform has it, we never recorded it: unknown → found by reconciliation →
    # published without a second send.
    "answered": (
        [("unknown", "crash", True), ("reconciled", "", True)],
        [
            A.PUBLISH_SCHEDULED,
            A.PUBLISH_SENDING,
            A.PUBLISH_UNKNOWN,
            A.PUBLISH_RECONCILED,
        ],
        1,
    ),
}
PLAIN = (
    [("ok", "", True)],
    [A.PUBLISH_SCHEDULED, A.PUBLISH_SENDING, A.PUBLISHED],
    1,
)


# ---------------------------------------------------------------- the tests


@pytest.mark.parametrize("point", ["claimed", "sending", "answered"])
def test_a_worker_killed_mid_publish_is_recovered_exactly_once(case: Case, point: str) -> None:
    """X-03, invariant 2: SIGKILL while taking (uncommitted) / after committing "sending" /
    after the platform answered, then a restart: every post on the platform exactly once."""
    c = case
    marker = c.var_dir / "paused"
    first = c.dispatcher(
        "first", GUANWEI_TEST_PAUSE_AT=point, GUANWEI_TEST_PAUSE_MARKER=str(marker)
    )
    deadline = time.monotonic() + WAIT_S
    while not marker.exists():
        assert first.poll() is None, f"worker exited {first.returncode}\n{c.logs()}"
        assert time.monotonic() < deadline, f"never reached {point}\n{c.logs()}"
        time.sleep(0.05)
    if point == "answered":
        # The next take's call is on the wire while the first answer is recorded (the loop
        # records a batch's answers during the next batch's calls): let it reach the
        # platform, as the stories below expect, before the kill.
        while c.fakes.stats("weibo")["posts"] < sum(
            1 for r in c.db.intents(c.ids).values() if r["status"] == "sending"
        ):
            assert time.monotonic() < deadline, f"in-flight calls never arrived\n{c.logs()}"
            time.sleep(0.05)
    os.kill(first.pid, signal.SIGKILL)
    assert first.wait(timeout=10) == -signal.SIGKILL

    state = {i: r["status"] for i, r in c.db.intents(c.ids).items()}
    if point == "claimed":
        # Taken and locked in the transaction that moves it to "sending", killed before
        # COMMIT: nothing changed, nothing was sent, no lease to wait for.
        assert set(state.values()) == {"scheduled"}, state
        assert c.fakes.stats("weibo")["posts"] == 0
        assert c.db.expire_leases() == 0
    else:
        # --threads 1 takes one intent at a time (never more than threads): the worker
        # stopped in it; the others wait, scheduled.
        stopped = min(i for i, s in state.items() if s != "scheduled")
        assert state[stopped] == "sending", state
        assert set(state.values()) <= {"scheduled", "sending"}, state
        in_flight = [i for i, s in state.items() if s == "sending"]
        # Only a worker stopped after the platform answered has sent anything.
        assert c.fakes.stats("weibo")["posts"] == (len(in_flight) if point == "answered" else 0)
        assert c.db.expire_leases() == len(in_flight)

    second = c.dispatcher("second")
    final = c.wait_final(second)
    assert c.stop(second) == 0, c.logs()
    _check_exactly_once(c, final)

    for intent_id in c.ids:
        # The story follows from where the intent was when the worker died: not yet sent
        # (scheduled, claimed) → sent once; "sending" → through reconciliation.
        attempts, audit = _story(c, intent_id)
        expected = EXPECTED[point] if state[intent_id] != "scheduled" else PLAIN
        want_attempts, want_audit, want_count = expected
        assert attempts == want_attempts, (intent_id, attempts)
        assert audit == [int(a) for a in want_audit], (intent_id, audit)
        assert final[intent_id]["attempts"] == want_count, final[intent_id]


def test_two_server_errors_are_reconciled_then_retried_once(case: Case) -> None:
    """X-03: share.json answers 500 twice — unknown outcome (the platform may have acted),
    reconciled as absent, sent again — and each post ends on the platform once."""
    c = case
    c.fakes.control("weibo", fail_next=2, status=500, path=SHARE)
    worker = c.dispatcher("worker")
    final = c.wait_final(worker)
    assert c.stop(worker) == 0, c.logs()
    _check_exactly_once(c, final)
    assert c.fakes.stats("weibo")["by_path"][SHARE] == K + 2

    # One claim per thread: the first intent may take both 500s (sent, unknown,
    # reconciled as absent, sent again …) — each unknown attempt tells the same story.
    unknown_round = [("unknown", "server_error", True), ("reconciled", "", True)]
    audit_round = [A.PUBLISH_SENDING, A.PUBLISH_UNKNOWN, A.PUBLISH_RECONCILED]
    stories = {i: _story(c, i) for i in c.ids}
    total_unknown = 0
    for intent_id, (attempts, audit) in stories.items():
        n = sum(1 for a in attempts if a[0] == "unknown")
        total_unknown += n
        assert attempts == unknown_round * n + [("ok", "", True)], attempts
        want = [A.PUBLISH_SCHEDULED, *audit_round * n, *PLAIN[1][1:]]
        assert audit == [int(a) for a in want], audit
        assert final[intent_id]["attempts"] == n + 1
    assert total_unknown == 2, stories


# ---------------------------------------------------------------- slow calls (issue #8 §2)


def _wait_marker(c: Case, proc: subprocess.Popen[bytes], marker: Path) -> None:
    deadline = time.monotonic() + WAIT_S
    while not marker.exists():
        assert proc.poll() is None, f"worker exited {proc.returncode}\n{c.logs()}"
        assert time.monotonic() < deadline, f"marker never written\n{c.logs()}"
        time.sleep(0.05)


@pytest.mark.parametrize("heartbeat", ["1", "0"])
def test_a_call_slower_than_its_lease_is_sent_once_by_two_dispatchers(
    case: Case, heartbeat: str
) -> None:
    """X-03, invariant 2: the platform takes 1.5 × the lease to act on one post while two
    dispatchers run. With heartbeats the live call keeps its lease: every post once. The
    same run without heartbeats (the old protocol) shows what they prevent: the other
    dispatcher takes the call for dead, finds nothing yet, sends again — a duplicate."""
    c = case
    lease = "2"
    c.fakes.control("weibo", slow_next=1, slow_ms=3000, path=SHARE, duplicate_window_s=0)
    env = {"GUANWEI_DISPATCH_LEASE_SECONDS": lease, "GUANWEI_DISPATCH_HEARTBEAT": heartbeat}
    first = c.dispatcher("first", **env)
    second = c.dispatcher("second", **env)
    final = c.wait_final(first)
    time.sleep(3.5)  # let a late platform action land before counting
    assert c.stop(first) == 0 and c.stop(second) == 0, c.logs()
    stats = c.fakes.stats("weibo")
    copies = [stats["by_text_hash"].get(text_hash(i["text"]), 0) for i in c.intents]
    assert all(row["status"] == "published" for row in final.values()), final
    if heartbeat == "1":
        _check_exactly_once(c, final)
    else:
        assert sorted(copies) == [1, 1, 2], copies  # the duplicate heartbeats prevent


def test_a_worker_killed_during_a_heartbeat_renewed_slow_call_is_recovered_once(
    case: Case,
) -> None:
    """X-03: SIGKILL while a slow call is kept alive by heartbeats; the platform acts on
    it afterwards; a second dispatcher reconciles it (found) instead of sending again."""
    c = case
    c.fakes.control("weibo", slow_next=1, slow_ms=2500, path=SHARE, duplicate_window_s=0)
    marker = c.var_dir / "paused"
    first = c.dispatcher(
        "first",
        GUANWEI_DISPATCH_LEASE_SECONDS="1.5",
        GUANWEI_TEST_PAUSE_AT="heartbeat",
        GUANWEI_TEST_PAUSE_MARKER=str(marker),
    )
    _wait_marker(c, first, marker)  # at least one beat renewed the lease
    os.kill(first.pid, signal.SIGKILL)
    assert first.wait(timeout=10) == -signal.SIGKILL
    deadline = time.monotonic() + WAIT_S
    while c.fakes.stats("weibo")["posts"] < 1:  # the platform acts late on the slow call
        assert time.monotonic() < deadline, c.logs()
        time.sleep(0.1)
    c.db.expire_leases()
    second = c.dispatcher("second")
    final = c.wait_final(second)
    assert c.stop(second) == 0, c.logs()
    _check_exactly_once(c, final)
    slow = min(c.ids)
    attempts, audit = _story(c, slow)
    assert attempts == [("unknown", "crash", True), ("reconciled", "", True)], attempts
    assert audit[-2:] == [int(A.PUBLISH_UNKNOWN), int(A.PUBLISH_RECONCILED)], audit


def test_a_call_that_never_ends_is_cut_at_its_total_limit_and_reconciled(case: Case) -> None:
    """X-03, invariant 2: the platform takes the post, then answers a byte every 250 ms
    (no read ever times out, the answer never ends). With
    GUANWEI_DISPATCH_MAX_CALL_SECONDS=2 the call is cut at about 2 s in total: the intent
    goes unknown (not sending for ever under a renewed lease), reconciliation finds the
    post, nothing is sent twice, and the dispatcher goes on with the other posts."""
    c = case
    c.fakes.control("weibo", trickle_next=1, trickle_ms=250, path=SHARE, duplicate_window_s=0)
    worker = c.dispatcher(
        "worker", GUANWEI_DISPATCH_MAX_CALL_SECONDS="2", GUANWEI_DISPATCH_LEASE_SECONDS="3"
    )
    slow = min(c.ids)
    deadline = time.monotonic() + WAIT_S
    while c.fakes.stats("weibo")["posts"] < 1:  # the platform acted on the trickled call
        assert time.monotonic() < deadline, c.logs()
        time.sleep(0.1)
    started = time.monotonic()
    while c.db.intents([slow])[slow]["status"] == "sending":
        assert time.monotonic() - started < 12, f"still sending\n{c.logs()}"
        time.sleep(0.1)
    final = c.wait_final(worker)
    assert c.stop(worker) == 0, c.logs()
    _check_exactly_once(c, final)
    attempts, audit = _story(c, slow)
    assert attempts == [("unknown", "timeout", True), ("reconciled", "", True)], attempts
    assert audit[-2:] == [int(A.PUBLISH_UNKNOWN), int(A.PUBLISH_RECONCILED)], audit
