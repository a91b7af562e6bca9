"""Comment ingest benchmark (issue 11 figure; W-18, W-19): fetch, screen, triage, rules, store.

    python bench/comments.py [--json] [--comments N] [--runs R] [--baseline-comments M]
                             [--posts P] [--database-url URL | --sqlite] [--quick]
    guanwei bench comments [same options]

Acceptance (issue 11): comments fetched over real HTTP from the fake Weibo, screened,
triaged, matched by the moderation rules and stored on PostgreSQL at **≥ 2,000
comments/s** end to end on the 2-core machine, and **≥ 5×** a baseline that inserts them
one by one with the straightforward screening pipeline in the same run; no comment
missed, none stored twice (compared with what the fake generated); triage accuracy on the
held-out split of the pack's labelled examples.

* Database: PostgreSQL (``--database-url``, default ``guanwei_bench_comments`` on
  127.0.0.1), dropped and created again on every run (its name must contain "bench"),
  migrated, the weather-bureau pack loaded (its ``[[moderation]]`` rules: delete + escalate
  on a blocking hit, escalate on a review hit, hide link spam). ``--sqlite``: a temporary
  SQLite file instead (the smoke test; not the figure).
* Platform: the fake Weibo (guanwei.publishing.fakes) in this process, on a free port,
  over real HTTP. Posts are written, approved and published through the real actions and
  the dispatcher's ``deliver``; each gets a seeded ``comment_stream`` (thanks, in- and
  out-of-scope questions, abuse, link spam, emoji, payloads, long and 10,000-character
  texts).
* Measured path: ``interaction.fetch.fetch_due`` — what ``guanwei interaction fetch`` and
  the dispatchers' housekeeping run: a cursor per post, pages of ``comments/show``
  (``since_id``/``max_id``, ids as ``idstr``) through the Weibo adapter, each page
  screened in one ``screen_many`` call, triaged in one scikit-learn ``predict_proba`` call
  (``triage.classify_many``), stored with one bulk INSERT and the cursor in one
  transaction (``actions.store_fetched_page``), the rules compiled once per batch and
  carried out through ``interaction.moderation`` (platform delete, escalation notices,
  labels, audit records), then each question routed to its expert with its reply
  deadline (``interaction.experts.route_new``, W-20).
* Baseline, same run, on its own posts with the same kind of stream: the same pages
  through the same adapter, then one comment at a time, each in its own transaction:
  the straightforward screening pipeline of bench/screening.py (NFKC + lower + strip +
  opencc t2s, then pyahocorasick over the organisation's terms), triage of that one text,
  an existence check and ``Comment.objects.create``, the organisation's rules read and
  matched for that comment and carried out through the same moderation actions, the
  question routed to its expert (``experts.route_new``, as ingest does), the cursor saved.
* Runs: R rounds, each on fresh posts, measured path then baseline; the figures are the
  medians of the rounds (``comments_per_s``, ``baseline_per_s``) and ``ratio`` the ratio of
  the medians; ``runs`` lists every round. Throughput is wall time (the fake serves in
  this process, so its CPU is in the figure). ``missed`` / ``duplicates`` compare the
  stored remote ids with the ids the fake generated for those posts, over all rounds.
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import importlib.util
import io
import json
import os
import platform
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/guanwei_bench_comments"
PACK = "weather-bureau"
ORG = "demo_weather"
UNIT = "city_tech_centre"
CHANNEL = "city_weibo"
TARGET_PER_S = 2000.0
TARGET_RATIO = 5.0
QUICK = {"comments": 300, "baseline_comments": 60, "runs": 1, "posts": 2}
FORECASTS = (
    "明天多云转晴，气温{lo}到{hi}摄氏度，偏北风{w}级，请注意早晚温差。",
    "今夜到明天阴有小雨，气温{lo}到{hi}摄氏度，东南风{w}级，出行请带雨具。",
    "未来三天以晴为主，气温{lo}到{hi}摄氏度，西北风{w}级，空气干燥注意防火。",
    "明天白天晴间多云，气温{lo}到{hi}摄氏度，南风{w}级，紫外线较强请注意防晒。",
)


def _log(message: str) -> None:
    print(f"[bench comments] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ database and Django


def _with_dbname(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _conninfo(url: str) -> str:
    parts = urlsplit(url)
    scheme = "postgresql" if parts.scheme.startswith("postgres") else parts.scheme
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, parts.fragment))


def _recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to rebuild {name!r}: the database name must contain 'bench'")
    with psycopg.connect(_conninfo(_with_dbname(url, "postgres")), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _setup_django(url: str) -> Path:
    from django.conf import settings

    if settings.configured:
        raise SystemExit(
            "Django is already configured; run the bench in its own process "
            "(python bench/comments.py or guanwei bench comments)"
        )
    var_dir = Path(tempfile.mkdtemp(prefix="guanwei-bench-comments-"))
    atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    os.environ.pop("GUANWEI_SQLITE_PATH", None)
    os.environ.update(
        GUANWEI_VAR_DIR=str(var_dir),
        GUANWEI_DEBUG="0",  # DEBUG keeps every query in memory: not production
        GUANWEI_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="guanwei.settings",
    )
    if url:
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A stream fetched in an earlier round is not due again during the run.
    settings.GUANWEI_COMMENT_FETCH_SECONDS = 3600
    return var_dir


def _migrate_and_load_pack() -> None:
    from django.core.management import call_command
    from django.db import transaction

    from guanwei.orgs.permissions import SYSTEM
    from guanwei.packs.actions import load_pack
    from guanwei.packs.schema import load_pack as read_pack

    call_command("migrate", verbosity=0, interactive=False)
    with transaction.atomic():
        load_pack(read_pack(PACK), actor=SYSTEM)


# ------------------------------------------------------------------ the fake platforms


def serve_fakes() -> int:
    """``bench/comments.py --serve-fakes``: the fakes' own process. Prints their URLs as a
    JSON line, then answers one JSON line per line read: a Weibo status id → the comment
    ids the fake holds for it (what it generated, not deleted); EOF stops it."""
    from guanwei.publishing.fakes import start_fakes

    fakes = start_fakes(rate_limit_per_hour=100_000)
    print(json.dumps([fakes.weibo_url, fakes.wechat_url]), flush=True)
    try:
        for line in sys.stdin:
            with fakes.weibo.lock:
                ids = [str(c.id) for c in fakes.weibo.data.live_comments(int(line.strip()))]
            print(json.dumps(ids), flush=True)
    finally:
        fakes.stop()
    return 0


class Fakes:
    """The fake platforms, in a process of their own (as a platform is another machine:
    its CPU is not this process's) or, with ``here``, in this process's threads."""

    def __init__(self, *, here: bool = False) -> None:
        import subprocess

        from guanwei.publishing.fakes import _post_json, start_fakes

        self._post_json = _post_json
        self.local = start_fakes(rate_limit_per_hour=100_000) if here else None
        if self.local is not None:
            self.weibo_url, self.wechat_url = self.local.weibo_url, self.local.wechat_url
            return
        self._proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve-fakes"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        assert self._proc.stdout is not None and self._proc.stdin is not None
        self._in, self._out = self._proc.stdin, self._proc.stdout
        self.pid = self._proc.pid
        self.weibo_url, self.wechat_url = json.loads(self._out.readline())

    def control(self, platform: str, **options: Any) -> dict[str, Any]:
        url = self.weibo_url if platform == "weibo" else self.wechat_url
        result: dict[str, Any] = self._post_json(f"{url}/__control__", options)
        return result

    def generated(self, status_id: str) -> list[str]:
        if self.local is not None:
            with self.local.weibo.lock:
                data = self.local.weibo.data
                return [str(c.id) for c in data.live_comments(int(status_id))]
        self._in.write(f"{int(status_id)}\n")
        self._in.flush()
        ids: list[str] = json.loads(self._out.readline())
        return ids

    def stop(self) -> None:
        if self.local is not None:
            self.local.stop()
            return
        if self._proc.poll() is None:
            self._in.close()
            try:
                self._proc.wait(timeout=10)
            except Exception:
                self._proc.kill()


# ------------------------------------------------------------------ posts and streams


class Posts:
    """Publishes posts on city_weibo (pointed at the fake) through the real actions."""

    def __init__(self, fakes: Any) -> None:
        from guanwei.publishing.fakes import demo_settings
        from guanwei.publishing.models import ChannelSettings
        from guanwei.testing.personas import channel

        self.fakes = fakes
        self.n = 0
        self.channel = channel(ORG, CHANNEL)
        ChannelSettings.objects.update_or_create(
            channel=self.channel,
            defaults={"values": {**demo_settings(fakes)["weibo"], "settle_seconds": "0"}},
        )

    def publish(self) -> Any:
        from guanwei.content import actions as content
        from guanwei.publishing import actions, dispatch
        from guanwei.publishing.models import IntentStatus, PublishIntent
        from guanwei.testing.personas import person, unit
        from guanwei.workflow import actions as wf
        from guanwei.workflow.models import StepRun

        i = self.n
        self.n += 1
        post = content.create_post(
            unit(ORG, UNIT),
            actor=person("kj_editor"),
            title=f"天气预报 {i + 1}",
            body=FORECASTS[i % len(FORECASTS)].format(lo=i % 10, hi=12 + i, w=1 + i % 5),
            category="forecast",
            channels=[self.channel],
            source="市气象台",
        )
        wf.submit_for_review(post, actor=post.created_by)
        wf.approve_step(
            StepRun.objects.get(run__post=post, status="pending"), actor=person("kj_leader")
        )
        actions.schedule_post(post, actor=person("kj_publisher"))
        claim = dispatch.claim_due("bench")
        for intent_id in claim.ids:
            dispatch.deliver(intent_id, claim.token)
        intent = PublishIntent.objects.select_related("channel").get(post=post)
        if intent.status != IntentStatus.PUBLISHED:
            raise SystemExit(f"post {post.pk} not published: {intent.status} {intent.error_code}")
        return intent

    def stream(self, intent: Any, n: int, seed: int) -> None:
        """``n`` generated comments on the post (in chunks: one control call each)."""
        left = n
        while left > 0:
            chunk = min(left, 5000)
            self.fakes.control(
                "weibo", comment_stream={"status_id": intent.remote_id, "n": chunk, "seed": seed}
            )
            seed += 7919
            left -= chunk

    def generated(self, intent: Any) -> list[str]:
        """The ids the fake holds for the post (not deleted)."""
        ids: list[str] = self.fakes.generated(intent.remote_id)
        return ids


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


# ------------------------------------------------------------------ the baseline


def _load_baseline_class() -> Any:
    spec = importlib.util.spec_from_file_location("bench_screening", REPO / "bench/screening.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Baseline


class OneByOne:
    """The straightforward pipeline, one comment at a time (see the module docstring)."""

    def __init__(self, organisation: Any) -> None:
        from guanwei.screening.service import engine_for

        entries = engine_for(organisation).entries
        self.entries = entries
        self.screener = _load_baseline_class()([e.term for e in entries])
        self.organisation = organisation

    def screen(self, text: str) -> tuple[str, list[dict[str, Any]]]:
        hits = []
        rank = 0
        for index, end in self.screener.screen(text):
            entry = self.entries[index]
            rank = max(rank, {"block": 2, "review": 1}.get(entry.severity, 0))
            hits.append(
                {"term": entry.term.text, "category": entry.category, "severity": entry.severity}
            )
            del end
        return ("block" if rank == 2 else "review" if rank == 1 else "pass"), hits

    def store_one(self, cursor: Any, rc: Any, new_cursor: str) -> bool:
        from django.db import transaction
        from django.utils import timezone

        from guanwei.interaction import experts, moderation, rules, triage
        from guanwei.interaction.models import Comment, FetchCursor, ModerationRule

        channel, intent = cursor.channel, cursor.intent
        with transaction.atomic():
            verdict, hits = self.screen(rc.text)
            t = triage.classify_many(self.organisation.pk, [rc.text])[0]
            if Comment.objects.filter(
                channel_id=channel.pk, source=cursor.source, remote_id=rc.remote_id
            ).exists():
                return False
            comment = Comment.objects.create(
                organisation_id=channel.organisation_id,
                unit_id=channel.unit_id,
                channel_id=channel.pk,
                intent_id=intent.pk,
                post_id=intent.post_id,
                source=cursor.source,
                remote_id=rc.remote_id,
                remote_post_id=rc.post_id,
                reply_to=rc.reply_to,
                author_id=rc.author_id[:128],
                author_name=rc.author[:200],
                text=rc.text,
                created_at=rc.created_at,
                fetched_at=timezone.now(),
                verdict=verdict,
                hits=hits,
                is_question=t.question,
                scope=t.scope,
                topic=t.topic[:64],
                confidence=t.confidence,
            )
            found = rules.match(
                list(ModerationRule.objects.filter(organisation_id=channel.organisation_id)),
                rules.facts_of(comment, channel.key),
            )
            if found is not None:
                moderation.apply_rule(comment, found)
            experts.route_new([comment])  # W-20: the question's expert and deadline
            FetchCursor.objects.filter(pk=cursor.pk).update(
                cursor=new_cursor, fetched_at=timezone.now()
            )
        return True

    def fetch(self, cursor: Any) -> int:
        """The stream newest first through the adapter, page by page (as fetch does)."""
        from guanwei.interaction.fetch import WEIBO_COUNT
        from guanwei.publishing.dispatch import adapter_for

        adapter = adapter_for(cursor.intent)
        resume, top, stored = 0, 0, 0
        while True:
            page, held = adapter.comments_page(
                cursor.remote_post_id, max_id=str(resume) if resume else "", count=WEIBO_COUNT
            )
            fresh = [c for c in page if not resume or int(c.remote_id) < resume]
            for rc in fresh:
                top = max(top, int(rc.remote_id))
                resume = int(rc.remote_id)
                stored += self.store_one(cursor, rc, f"0:{top}:{resume}")
            if held < WEIBO_COUNT or not fresh:
                return stored


# ------------------------------------------------------------------ CPU seconds


def _ticks(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds; 0 when unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


_BACKEND: list[int] = []


def _cpu(fakes: Any, workers: Workers | None) -> dict[str, float]:
    """CPU seconds so far of the fetchers (``--workers``: those processes; else this
    process, with the fakes too under ``--fake-here``), the fakes' process, and the
    fetchers' PostgreSQL backends (not the server's other users). One fetcher waits for
    the others (one request, one statement at a time): on an idle machine its wall time
    is about the sum."""
    from django.db import connection

    out: dict[str, float] = {}
    if workers is None:
        out["fetcher"] = time.process_time()
    else:
        out["fetcher"] = sum(_ticks(p.pid) for p in workers.procs)
    if fakes.local is None:
        out["fake"] = _ticks(fakes.pid)
    if connection.vendor == "postgresql":
        if workers is None:
            if not _BACKEND:
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_backend_pid()")
                    _BACKEND.append(int(cur.fetchone()[0]))
            out["postgres"] = _ticks(_BACKEND[0])
        else:
            out["postgres"] = sum(_ticks(pid) for pid in workers.backends())
    return out


class Workers:
    """``guanwei interaction fetch`` processes — the product's fetcher as deployed — on
    this database, taking one stream per pass (so that they share the round's posts),
    polling every 50 ms when idle. Each builds its engine and triage model at start."""

    APP = "guanwei-bench-fetch"

    def __init__(self, n: int, fakes: Any) -> None:
        import subprocess

        env = {**os.environ, "PGAPPNAME": self.APP, "GUANWEI_LOG_LEVEL": "WARNING"}
        self.procs = [
            subprocess.Popen(
                [sys.executable, "-m", "guanwei", "interaction", "fetch"]
                + ["--streams", "1", "--idle-sleep", "0.05"],
                env=env,
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(n)
        ]

    def wait_ready(self, timeout: float = 180.0) -> None:
        """Until each has done a pass (warmed up, nothing due yet)."""
        deadline = time.monotonic() + timeout
        for p in self.procs:
            assert p.stdout is not None
            while True:
                line = p.stdout.readline()
                if line.startswith("stored "):
                    break
                if not line or time.monotonic() > deadline:
                    raise SystemExit(f"fetch worker {p.pid} did not start: {line!r}")
        import threading

        for p in self.procs:  # keep their pipes drained
            threading.Thread(target=lambda p=p: p.stdout.read(), daemon=True).start()

    def backends(self) -> list[int]:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [self.APP])
            return [int(r[0]) for r in cur.fetchall()]

    def wait_stored(self, intents: list[Any], total: int, timeout: float) -> int:
        from guanwei.interaction.models import Comment

        deadline = time.monotonic() + timeout
        while True:
            n = Comment.objects.filter(intent__in=intents).count()
            if n >= total or time.monotonic() > deadline:
                return n
            for p in self.procs:
                if p.poll() is not None:
                    raise SystemExit(f"fetch worker {p.pid} exited {p.returncode}")
            time.sleep(0.05)

    def stop(self) -> None:
        import signal

        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except Exception:
                p.kill()


# ------------------------------------------------------------------ where the CPU goes


BREAKDOWN: dict[str, float] = {}


def _install_breakdown() -> None:
    """``--breakdown`` (with ``--workers 0``): CPU seconds of this process spent in each
    step of the measured path (nested steps are inside their callers' figures)."""
    from guanwei.audit import actions as audit
    from guanwei.interaction import actions, ingest, moderation, rules, triage
    from guanwei.publishing.adapters import weibo
    from guanwei.screening.engine.engine import Engine

    def wrap(owner: Any, name: str, label: str) -> None:
        real = getattr(owner, name)

        def timed(*a: Any, **k: Any) -> Any:
            t = time.process_time()
            try:
                return real(*a, **k)
            finally:
                BREAKDOWN[label] = BREAKDOWN.get(label, 0.0) + time.process_time() - t

        setattr(owner, name, timed)

    wrap(weibo.WeiboAdapter, "comments_page", "page fetched and parsed (adapter)")
    wrap(weibo.WeiboAdapter, "_call", "— HTTP request and JSON")
    wrap(ingest, "prepare", "prepare (screen, triage, rows)")
    wrap(Engine, "screen_many", "— screen_many")
    wrap(triage, "classify_many", "— triage")
    wrap(ingest._Maker, "__call__", "— Comment objects")
    wrap(actions, "store_fetched_page", "store_fetched_page (transaction)")
    wrap(ingest, "_insert", "— insert")
    wrap(rules, "apply_many", "— rules")
    wrap(moderation, "apply_rule_many", "—— rule actions")
    wrap(audit, "record_many", "— audit records")


# ------------------------------------------------------------------ one round


def _round(
    r: int, posts: Posts, args: argparse.Namespace, profile: cProfile.Profile | None
) -> dict[str, Any]:
    from datetime import timedelta

    from django.utils import timezone

    from guanwei.interaction import fetch
    from guanwei.interaction.models import Comment, FetchCursor

    measured = [posts.publish() for _ in range(args.posts)]
    baseline = [posts.publish() for _ in range(max(1, args.posts // 2))]
    for i, (intent, n) in enumerate(
        zip(measured, _split(args.comments, len(measured)), strict=True)
    ):
        posts.stream(intent, n, seed=r * 1000 + i)
    for i, (intent, n) in enumerate(
        zip(baseline, _split(args.baseline_comments, len(baseline)), strict=True)
    ):
        posts.stream(intent, n, seed=r * 1000 + 500 + i)
    fetch.sync_cursors()
    # Nothing is due until the measurement starts (streams of earlier rounds never again);
    # the baseline's cursors never: the baseline walks them itself.
    FetchCursor.objects.update(next_fetch_at=timezone.now() + timedelta(days=365))
    generated = {str(i.pk): posts.generated(i) for i in measured}
    total = sum(len(v) for v in generated.values())
    workers = Workers(args.workers, posts.fakes) if args.workers else None
    try:
        if workers is not None:
            workers.wait_ready()
        cpu0 = _cpu(posts.fakes, workers)
        if profile is not None:
            profile.enable()
        t0 = time.perf_counter()
        FetchCursor.objects.filter(intent__in=measured).update(next_fetch_at=None)
        if workers is None:
            reported = 0
            passes = 0
            while True:  # one pass fetches every due stream to its end; the next finds none
                got = fetch.fetch_due(limit=100, max_pages=100_000)
                passes += 1
                reported += got
                if not got or passes > 3:
                    break
        else:
            reported = workers.wait_stored(measured, total, timeout=max(120.0, total / 50))
        seconds = time.perf_counter() - t0
        if profile is not None:
            profile.disable()
        cpu = {k: round(v - cpu0[k], 2) for k, v in _cpu(posts.fakes, workers).items()}
    finally:
        if workers is not None:
            workers.stop()

    measured_breakdown = dict(BREAKDOWN)  # the baseline below calls the same functions
    one = OneByOne(measured[0].channel.organisation)
    base_generated = sum(len(posts.generated(i)) for i in baseline)
    bcpu0 = _cpu(posts.fakes, None)
    t1 = time.perf_counter()
    base_stored = 0
    for cursor in FetchCursor.objects.select_related("channel", "intent").filter(
        intent__in=baseline
    ):
        base_stored += one.fetch(cursor)
    base_seconds = time.perf_counter() - t1
    BREAKDOWN.clear()
    BREAKDOWN.update(measured_breakdown)
    bcpu = {k: round(v - bcpu0[k], 2) for k, v in _cpu(posts.fakes, None).items()}

    stored = list(Comment.objects.filter(intent__in=measured).values_list("intent_id", "remote_id"))
    by_intent: dict[str, list[str]] = {}
    for intent_id, remote_id in stored:
        by_intent.setdefault(str(intent_id), []).append(remote_id)
    missed = duplicates = 0
    for key, want in generated.items():
        got_ids = by_intent.get(key, [])
        counts = Counter(got_ids)
        missed += len(set(want) - set(counts))
        duplicates += sum(n - 1 for n in counts.values()) + len(set(counts) - set(want))
    rules = Counter(Comment.objects.filter(intent__in=measured).values_list("rule_key", flat=True))
    return {
        "round": r + 1,
        "comments": total,
        "stored": len(stored),
        "reported_by_fetch": reported,
        "seconds": round(seconds, 3),
        "comments_per_s": round(total / seconds, 1) if seconds else None,
        "baseline_comments": base_generated,
        "baseline_stored": base_stored,
        "baseline_seconds": round(base_seconds, 3),
        "baseline_per_s": round(base_stored / base_seconds, 1) if base_seconds else None,
        "missed": missed,
        "duplicates": duplicates,
        "rules": {k or "(none)": v for k, v in sorted(rules.items())},
        "cpu_s": cpu,
        "comments_per_cpu_s": _per(total, sum(cpu.values())),
        "baseline_cpu_s": bcpu,
        "baseline_per_cpu_s": _per(base_stored, sum(bcpu.values())),
    }


def _per(n: int, seconds: float) -> float | None:
    return round(n / seconds, 1) if seconds > 0 else None


# ------------------------------------------------------------------ the run


def _warm(intent: Any) -> float:
    """Build what a running fetcher already holds: the organisation's screening engine and
    its pack's triage model (both cached per process)."""
    from guanwei.interaction import triage
    from guanwei.screening.service import engine_for

    t = time.perf_counter()
    org = intent.channel.organisation
    engine_for(org).screen_many(["预热"], kind="comment")
    triage.classify_many(org.pk, ["请问明天会下雨吗？"])
    return time.perf_counter() - t


def run(args: argparse.Namespace) -> dict[str, Any]:
    url = "" if args.sqlite else args.database_url
    t_setup = time.perf_counter()
    if url:
        _log(f"rebuilding {urlsplit(url).path.lstrip('/')}")
        _recreate_database(url)
    _setup_django(url)
    from django.db import connection

    from guanwei.audit.verify import verify_chain
    from guanwei.interaction import triage

    _migrate_and_load_pack()
    fakes = Fakes(here=args.fake_here)
    atexit.register(fakes.stop)
    posts = Posts(fakes)
    warm_s = _warm(posts.publish())
    setup_s = time.perf_counter() - t_setup
    _log(f"setup {setup_s:.1f} s (engine and triage model {warm_s:.2f} s)")

    profile = cProfile.Profile(time.process_time) if args.profile else None
    if args.breakdown:
        _install_breakdown()
    rounds = []
    for r in range(args.runs):
        result = _round(r, posts, args, profile)
        rounds.append(result)
        _log(
            f"round {r + 1}: {result['comments']} comments in {result['seconds']} s = "
            f"{result['comments_per_s']}/s; baseline {result['baseline_stored']} in "
            f"{result['baseline_seconds']} s = {result['baseline_per_s']}/s; "
            f"missed {result['missed']}, duplicates {result['duplicates']}"
        )
    per_s = statistics.median(x["comments_per_s"] for x in rounds)
    base_per_s = statistics.median(x["baseline_per_s"] for x in rounds)
    missed = sum(x["missed"] for x in rounds)
    duplicates = sum(x["duplicates"] for x in rounds)
    ratio = per_s / base_per_s if base_per_s else None
    per_cpu = statistics.median(x["comments_per_cpu_s"] or 0 for x in rounds)
    base_per_cpu = statistics.median(x["baseline_per_cpu_s"] or 0 for x in rounds)
    accuracy = triage.held_out_accuracy(PACK)
    train, held = triage.split(PACK)
    audit = verify_chain()
    vendor = connection.vendor
    with connection.cursor() as cur:
        cur.execute("SHOW server_version" if vendor == "postgresql" else "SELECT sqlite_version()")
        db_version = cur.fetchone()[0]
    figures: dict[str, Any] = {
        "comments": sum(x["comments"] for x in rounds),
        "comments_per_s": round(per_s, 1),
        "baseline_per_s": round(base_per_s, 1),
        "ratio": round(ratio, 2) if ratio else None,
        "missed": missed,
        "duplicates": duplicates,
        "comments_per_cpu_s": per_cpu,
        "baseline_per_cpu_s": base_per_cpu,
        "cpu_ratio": round(per_cpu / base_per_cpu, 2) if base_per_cpu else None,
        "triage_accuracy": round(accuracy, 4),
        "triage_held_out": len(held),
        "triage_trained_on": len(train),
        "runs": rounds,
        "comments_per_round": args.comments,
        "baseline_comments_per_round": args.baseline_comments,
        "posts_per_round": args.posts,
        "workers": args.workers,
        "target_per_s": TARGET_PER_S,
        "target_ratio": TARGET_RATIO,
        "audit_chain_ok": audit.ok,
        "ok": per_s >= TARGET_PER_S
        and (ratio or 0) >= TARGET_RATIO
        and missed == 0
        and duplicates == 0
        and audit.ok,
        "database": f"{vendor} {db_version}",
        "setup_s": round(setup_s, 1),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    if args.breakdown:
        n = sum(x["comments"] for x in rounds)
        figures["cpu_ms_per_comment"] = {k: round(v * 1000 / n, 4) for k, v in BREAKDOWN.items()}
        figures["cpu_ms_per_comment"]["all (fetcher)"] = round(
            sum(x["cpu_s"]["fetcher"] for x in rounds) * 1000 / n, 4
        )
    if profile is not None:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(70)
        _log("profile of the measured path (cumulative):\n" + out.getvalue())
    return figures


def _print_text(f: dict[str, Any]) -> None:
    print(
        f"Comment ingest — {f['comments']:,} comments in {len(f['runs'])} rounds over HTTP "
        f"from the fake Weibo; {f['database']}"
    )
    rows = [
        ("comments/s (median of rounds)", f"{f['comments_per_s']:,} (≥ {TARGET_PER_S:,.0f})"),
        ("baseline one by one (median)", f"{f['baseline_per_s']:,}"),
        ("ratio", f"{f['ratio']}× (target ≥ {TARGET_RATIO:g}×)"),
        ("missed / duplicates", f"{f['missed']} / {f['duplicates']}"),
        (
            "triage accuracy (held out)",
            f"{f['triage_accuracy']:.1%} of {f['triage_held_out']} examples",
        ),
        ("audit chain verifies", str(f["audit_chain_ok"])),
    ]
    for label, value in rows:
        print(f"  {label:32} {value}")
    for x in f["runs"]:
        print(
            f"  round {x['round']}: {x['comments_per_s']:,}/s, baseline {x['baseline_per_s']:,}/s,"
            f" rules {x['rules']}"
        )
    print("  result: " + ("targets met" if f["ok"] else "TARGETS MISSED"))


def main(argv: list[str] | None = None) -> int:
    if list(argv if argv is not None else sys.argv[1:])[:1] == ["--serve-fakes"]:
        return serve_fakes()
    parser = argparse.ArgumentParser(prog="bench/comments.py", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--comments", type=int, default=20_000, help="per round (measured)")
    parser.add_argument(
        "--baseline-comments", type=int, default=2_000, help="per round (one by one)"
    )
    parser.add_argument("--runs", type=int, default=5, help="rounds (medians are reported)")
    parser.add_argument("--posts", type=int, default=4, help="posts per round (measured)")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help=f"PostgreSQL database to recreate (default {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite database")
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="guanwei interaction fetch processes (default 2: one per core); 0: fetch_due in "
        "this process",
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile (CPU time) the measured path"
    )
    parser.add_argument(
        "--breakdown", action="store_true", help="CPU time per step (implies --workers 0)"
    )
    parser.add_argument(
        "--fake-here",
        action="store_true",
        help="run the fake platforms in this process (default: a process of their own)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a few hundred comments, one round (smoke test)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)
    if args.breakdown or args.profile:
        args.workers = 0
    if min(args.comments, args.baseline_comments, args.runs, args.posts) < 1:
        parser.error("--comments, --baseline-comments, --runs and --posts must be >= 1")
    figures = run(args)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        _print_text(figures)
    return 0 if figures["ok"] or args.quick else 1


if __name__ == "__main__":
    raise SystemExit(main())
