"""Review queue page benchmark (issue 4): the queue stays fast with 1,000,000 posts in PostgreSQL.

    python bench/pages.py [--json] [--rows N] [--requests N] [--keep] [--quick] [--verbose]
    guanwei bench pages [same options]

* Database: PostgreSQL (``--database-url``, default the dedicated ``guanwei_bench`` database on
  127.0.0.1; ``guanwei_bench_quick`` with ``--quick``). It is created when missing, migrated,
  and the weather-bureau pack is loaded, so the demo organisation, its units and people exist.
  ``--keep`` reuses a database that already holds at least ``--rows`` posts; otherwise the
  database (its name must contain "bench") is dropped and built again.
* Data: ``--rows`` posts made with set-based SQL (``INSERT … SELECT generate_series``) in one
  transaction, each with one revision (unique content hash), one run of the pack's ``post_review``
  chain, its step, its queue row (Eligibility) and, for decided steps, the decision, shaped like
  ``workflow.actions._create_run``/``_activate``/``_close_step`` leave them. About 7 % of the runs
  are still in review (open queue rows, spread over the seven units with a supervising leader,
  40 % of them in 气象科技服务中心), plus one straggler in 5,000 that has waited for months; the
  rest are approved (most published) or rejected. Foreign-key triggers are off during the load
  (``session_replication_role = replica``, as pg_restore does); the script checks the links
  afterwards with anti-joins, then runs VACUUM ANALYZE.
* Pages, measured in this process with ``django.test.Client`` (real middleware, sessions,
  templates): the reviewer's queue ``/review/queue/`` as kj_leader (supervising leader of
  city_tech_centre), the organisation-wide queue ``/review/queue/?scope=all``, the queue's second
  page through its ``after=`` link, a page 80 % down the organisation-wide queue, and the
  baseline: the Django admin changelist ``/admin/content/post/`` as a superuser, on the same
  data. Pages are requested round-robin after a warm-up, ``--requests`` timings each; median,
  p95 (nearest rank) and min per page.
* The queue's own SQL is run again under EXPLAIN (ANALYZE, BUFFERS): shown on stderr with
  ``--verbose`` (with every query of every page), summarised in every run (indexes used, whether
  it sorts, rows the scans touched). Query counts per page come from CaptureQueriesContext.
"""

from __future__ import annotations

import argparse
import atexit
import html
import json
import math
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/guanwei_bench"
QUICK_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/guanwei_bench_quick"
PACK = "weather-bureau"
REVIEWER = "kj_leader"
REVIEWER_UNIT = "city_tech_centre"
REVIEW_ROLE = "supervising_leader"
SUPERUSER = "bench_admin"
TARGET_MS = 100.0
QUICK_ROWS = 20_000
WARMUP = 3

# Share of posts (percent) per unit. Only units with a supervising leader: a pending step in a
# unit without one could not have been opened (_activate refuses).
UNIT_WEIGHTS = {
    "city_tech_centre": 40,
    "county_a": 15,
    "county_b": 15,
    "province": 10,
    "city": 10,
    "city_office": 5,
    "city_observatory": 5,
}
CATEGORIES = ("forecast", "science", "service", "interaction", "chat")
TITLES = (
    "今日天气预报",
    "暴雨蓝色预警信号",
    "气象科普：台风是怎样形成的",
    "本周天气展望",
    "高温黄色预警信号解除",
    "雷电防护小常识",
    "农业气象旬报",
    "空气质量与大气扩散条件预报",
)
BODY = "市气象台预计，未来三天我市以多云天气为主，气温平稳，请公众合理安排出行，注意防暑降温。"
TABLES = (
    "content_post",
    "content_postrevision",
    "workflow_workflowrun",
    "workflow_steprun",
    "workflow_eligibility",
    "workflow_decision",
)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ database and Django


def _with_dbname(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _dbname(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise SystemExit(f"--database-url has no database name: {url}")
    return name


def _existing_posts(url: str) -> int | None:
    """Posts in the bench database, 0 for an empty schema, None when the database is missing."""
    import psycopg

    try:
        with psycopg.connect(_conninfo(url)) as conn:
            row = conn.execute("SELECT to_regclass('content_post') IS NOT NULL").fetchone()
            if not row or not row[0]:
                return 0
            row = conn.execute("SELECT count(*) FROM content_post").fetchone()
            return int(row[0]) if row else 0
    except psycopg.OperationalError as e:
        if "does not exist" in str(e):
            return None
        raise


def _conninfo(url: str) -> str:
    parts = urlsplit(url)
    scheme = "postgresql" if parts.scheme.startswith("postgres") else parts.scheme
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, parts.fragment))


def _prepare_database(url: str, rows: int, keep: bool) -> bool:
    """Create the database when missing; drop and recreate it unless ``keep`` finds enough
    posts. Returns True when the data must be (re)populated."""
    import psycopg
    from psycopg import sql

    name = _dbname(url)
    existing = _existing_posts(url)
    if keep and existing is not None and existing >= rows:
        _log(f"reusing {name}: {existing:,} posts (--keep)")
        return False
    with psycopg.connect(_conninfo(_with_dbname(url, "postgres")), autocommit=True) as conn:
        if existing is not None:
            if "bench" not in name:
                raise SystemExit(
                    f"refusing to drop database {name!r}: the benchmark only rebuilds databases "
                    "whose name contains 'bench'"
                )
            _log(f"dropping {name} ({existing:,} posts) to rebuild it")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def _setup_django(url: str) -> None:
    from django.conf import settings

    if settings.configured:
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine or settings.DATABASES["default"]["NAME"] != _dbname(url):
            raise SystemExit(
                "Django is already configured for another database; run the bench "
                "in its own process (python bench/pages.py or guanwei bench pages)"
            )
    os.environ["DATABASE_URL"] = url
    var_dir = tempfile.mkdtemp(prefix="guanwei-bench-pages-")
    atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    os.environ["GUANWEI_VAR_DIR"] = var_dir
    os.environ["GUANWEI_DEBUG"] = "0"  # DEBUG keeps every query in memory: not production
    os.environ["DJANGO_SETTINGS_MODULE"] = "guanwei.settings"
    import django

    django.setup()


def _migrate_and_load_pack() -> None:
    from django.core.management import call_command
    from django.db import transaction

    from guanwei.orgs.permissions import SYSTEM
    from guanwei.packs.actions import load_pack
    from guanwei.packs.schema import load_pack as read_pack

    call_command("migrate", verbosity=0, interactive=False)
    with transaction.atomic():
        load_pack(read_pack(PACK), actor=SYSTEM)


# ------------------------------------------------------------------ population


def _org_and_units() -> tuple[Any, dict[str, Any]]:
    from guanwei.orgs.models import Organisation, Unit

    pack_key = _pack_org_key()
    org = Organisation.objects.get(key=pack_key)
    units = {u.key: u for u in Unit.objects.filter(organisation=org)}
    return org, units


def _pack_org_key() -> str:
    from guanwei.packs.schema import load_pack as read_pack

    pack = read_pack(PACK)
    assert pack.organisation is not None
    key: str = pack.organisation.key
    return key


def _unit_people(units: dict[str, Any]) -> list[tuple[int, int, int, int]]:
    """(bucket, unit_id, author_id, leader_id) for the 100 buckets of UNIT_WEIGHTS. The author
    is a member of the unit who is not its supervising leader (nobody approves their own
    revision), else the city's editor; the leader decides finished steps."""
    from guanwei.orgs.models import Membership, User

    fallback_author = User.objects.get(username="kj_editor").pk
    out: list[tuple[int, int, int, int]] = []
    bucket = 0
    for key, weight in UNIT_WEIGHTS.items():
        unit = units[key]
        members = Membership.objects.filter(unit=unit, revoked_at__isnull=True)
        leaders = sorted(m.user_id for m in members if m.role == REVIEW_ROLE)
        if not leaders:
            raise SystemExit(f"unit {key} has no {REVIEW_ROLE}; the pack changed")
        authors = sorted({m.user_id for m in members} - set(leaders))
        author = authors[0] if authors else fallback_author
        for _ in range(weight):
            out.append((bucket, unit.pk, author, leaders[0]))
            bucket += 1
    assert bucket == 100, "UNIT_WEIGHTS must add up to 100"
    return out


def _chain(org_id: int) -> tuple[dict[str, Any], str]:
    from guanwei.orgs.rules import rules_for
    from guanwei.workflow.actions import _pack_version

    chain = next(c for c in rules_for(org_id).chains if c["key"] == "post_review")
    return chain, _pack_version(org_id)


def _offsets(cursor: Any) -> dict[str, int]:
    out = {}
    for table in TABLES:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        out[table] = int(cursor.fetchone()[0])
    return out


def populate(rows: int) -> dict[str, Any]:
    """Insert ``rows`` posts and their review history with set-based SQL; return timings."""
    from django.db import connection, transaction

    org, units = _org_and_units()
    buckets = _unit_people(units)
    chain, pack_version = _chain(org.pk)
    step = chain["steps"][0]
    roles = list(step.get("roles") or [])
    if (
        roles != [REVIEW_ROLE]
        or (step.get("unit") or "post_unit") != "post_unit"
        or step.get("user")
        or chain.get("delegation")
    ):
        raise SystemExit(f"the pack's post_review chain changed shape: {step}")
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def timed(label: str, statement: str, params: Any = None) -> None:
        t0 = time.perf_counter()
        cursor.execute(statement, params)
        timings[label] = round(time.perf_counter() - t0, 2)
        _log(f"  {label}: {timings[label]:.1f} s")

    with transaction.atomic(), connection.cursor() as cursor:
        # Bulk-load mode for this transaction only: no FK trigger per row (checked below).
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        off = _offsets(cursor)
        cursor.execute(
            "CREATE TEMP TABLE bench_units (bucket int PRIMARY KEY, unit_id bigint, "
            "author_id bigint, leader_id bigint) ON COMMIT DROP"
        )
        cursor.executemany("INSERT INTO bench_units VALUES (%s, %s, %s, %s)", buckets)
        # One row per post: unit, people, times and outcome. Hashes (not i mod k) pick unit
        # and outcome so they are independent of each other and of time.
        timed(
            "plan",
            """
            CREATE TEMP TABLE bench_gen ON COMMIT DROP AS
            SELECT g.i, u.unit_id, u.author_id, u.leader_id, g.h, g.outcome, g.created,
                   g.created + (10 + mod(g.h, 50)) * interval '1 minute' AS activated,
                   CASE WHEN g.outcome <> 'pending' THEN least(
                     now() - interval '1 minute',
                     g.created + (15 + mod(g.h, 50) + mod(g.h / 50, 2880)) * interval '1 minute'
                   ) END AS decided
            FROM (
              SELECT i, mod(hashint8extended(i, 11) & 2147483647, 100) AS bucket,
                     hashint8extended(i, 13) & 2147483647 AS h,
                     now() - interval '2 hours'
                       - ((%(n)s - i) * (730 * 86400.0 / %(n)s)) * interval '1 second' AS created,
                     CASE
                       WHEN mod(i, 5000) = 0 THEN 'pending'
                       WHEN i > %(n)s * 0.9
                            AND mod(hashint8extended(i, 17) & 2147483647, 100) < 70 THEN 'pending'
                       WHEN mod(hashint8extended(i, 19) & 2147483647, 100) < 9 THEN 'rejected'
                       ELSE 'approved'
                     END AS outcome
              FROM generate_series(1, %(n)s::bigint) AS i
            ) g JOIN bench_units u ON u.bucket = g.bucket
            """,
            {"n": rows},
        )
        p, r, w, s, e, d = (off[t] for t in TABLES)
        title = "(%(titles)s::text[])[1 + mod(g.h, 8)] || ' 第' || g.i || '期'"
        timed(
            "posts",
            f"""
            INSERT INTO content_post (id, organisation_id, unit_id, created_by_id, title, status,
                                      current_revision_id, approved_revision_id, created, updated)
            SELECT {p} + g.i, %(org)s, g.unit_id, g.author_id, {title},
                   CASE g.outcome WHEN 'pending' THEN 'in_review' WHEN 'rejected' THEN 'rejected'
                        ELSE CASE WHEN mod(g.h, 20) = 0 THEN 'approved' ELSE 'published' END
                   END,
                   {r} + g.i, CASE WHEN g.outcome = 'approved' THEN {r} + g.i END,
                   g.created, coalesce(g.decided, g.activated)
            FROM bench_gen g
            """,
            {"org": org.pk, "titles": list(TITLES)},
        )
        timed(
            "revisions",
            f"""
            INSERT INTO content_postrevision (id, post_id, number, title, body, category, subtype,
                "column", hashtag, channel_keys, asset_hashes, source, sensitive, emergency,
                planned_at, content_hash, created_by_id, created)
            SELECT {r} + g.i, {p} + g.i, 1, t.title, %(body)s, (%(cats)s::text[])[1 + mod(g.h, 5)],
                   '', '', '', '["city_weibo"]'::jsonb, '[]'::jsonb, '', false, false, NULL,
                   encode(sha256(convert_to(t.title || E'\\n' || %(body)s, 'UTF8')), 'hex'),
                   g.author_id, g.created
            FROM bench_gen g CROSS JOIN LATERAL (SELECT {title} AS title) t
            """,
            {"cats": list(CATEGORIES), "titles": list(TITLES), "body": BODY},
        )
        timed(
            "runs",
            f"""
            INSERT INTO workflow_workflowrun (id, organisation_id, subject, post_id, revision_id,
                content_hash, submission_id, chain_key, chain_name, chain, pack_version,
                screening_verdict, status, started_by_id, started_at, finished_at)
            SELECT {w} + g.i, %(org)s, 'post', {p} + g.i, {r} + g.i, rv.content_hash, NULL,
                   %(chain_key)s, %(chain_name)s, %(chain)s::jsonb, %(pack_version)s,
                   CASE WHEN mod(g.h, 10) = 0 THEN 'review' ELSE 'pass' END,
                   CASE g.outcome WHEN 'pending' THEN 'in_progress' ELSE g.outcome END,
                   g.author_id, g.activated, g.decided
            FROM bench_gen g JOIN content_postrevision rv ON rv.id = {r} + g.i
            """,
            {
                "org": org.pk,
                "chain_key": chain["key"],
                "chain_name": chain["name"],
                "chain": json.dumps(chain, ensure_ascii=False),
                "pack_version": pack_version,
            },
        )
        timed(
            "steps",
            f"""
            INSERT INTO workflow_steprun (id, run_id, index, key, name, unit_id, roles, user_id,
                mode, required_user_ids, status, activated_at, decided_at)
            SELECT {s} + g.i, {w} + g.i, 0, %(key)s, %(name)s, g.unit_id, %(roles)s::jsonb, NULL,
                   %(mode)s, '[]'::jsonb, g.outcome, g.activated, g.decided
            FROM bench_gen g
            """,
            {
                "key": step["key"],
                "name": step["name"],
                "roles": json.dumps(roles),
                "mode": step.get("mode") or "any",
            },
        )
        timed(
            "eligibility",
            f"""
            INSERT INTO workflow_eligibility (id, step_id, organisation_id_copy, unit_id_copy,
                role, user_id_copy, delegated, open, activated_at)
            SELECT {e} + g.i, {s} + g.i, %(org)s, g.unit_id, %(role)s, NULL, false,
                   g.outcome = 'pending', g.activated
            FROM bench_gen g
            """,
            {"org": org.pk, "role": REVIEW_ROLE},
        )
        timed(
            "decisions",
            f"""
            INSERT INTO workflow_decision (id, step_id, actor_id, verdict, comment,
                acknowledged_hits, on_behalf_of_id, delegation_id, created)
            SELECT {d} + row_number() OVER (ORDER BY g.i), {s} + g.i, g.leader_id,
                   CASE g.outcome WHEN 'approved' THEN 'approve' ELSE 'reject' END,
                   CASE g.outcome WHEN 'approved' THEN ''
                        ELSE %(reason)s END,
                   false, NULL, NULL, g.decided
            FROM bench_gen g WHERE g.outcome <> 'pending'
            """,
            {"reason": "表述不准确，请修改后重新提交。"},
        )
        for table in TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    t0 = time.perf_counter()
    _check_links()
    timings["check"] = round(time.perf_counter() - t0, 2)
    _log(f"  link check: {timings['check']:.1f} s")
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    timings["vacuum_analyze"] = round(time.perf_counter() - t0, 2)
    _log(f"  vacuum analyze: {timings['vacuum_analyze']:.1f} s")
    return {"seconds": round(time.perf_counter() - started, 1), "steps": timings}


def _check_links() -> None:
    """The load ran without FK triggers: prove every link it wrote points at a row."""
    from django.db import connection

    checks = {
        "post→revision": "SELECT count(*) FROM content_post p LEFT JOIN content_postrevision r "
        "ON r.id = p.current_revision_id WHERE p.current_revision_id IS NOT NULL AND r.id IS NULL",
        "revision→post": "SELECT count(*) FROM content_postrevision r LEFT JOIN content_post p "
        "ON p.id = r.post_id WHERE p.id IS NULL",
        "run→revision": "SELECT count(*) FROM workflow_workflowrun w LEFT JOIN "
        "content_postrevision r ON r.id = w.revision_id AND r.post_id = w.post_id "
        "WHERE r.id IS NULL",
        "step→run": "SELECT count(*) FROM workflow_steprun s LEFT JOIN workflow_workflowrun w "
        "ON w.id = s.run_id WHERE w.id IS NULL",
        "eligibility→step": "SELECT count(*) FROM workflow_eligibility e LEFT JOIN "
        "workflow_steprun s ON s.id = e.step_id WHERE s.id IS NULL",
        "decision→step": "SELECT count(*) FROM workflow_decision d LEFT JOIN workflow_steprun s "
        "ON s.id = d.step_id WHERE s.id IS NULL",
        "user/unit": "SELECT count(*) FROM content_post p LEFT JOIN orgs_user u "
        "ON u.id = p.created_by_id LEFT JOIN orgs_unit t ON t.id = p.unit_id "
        "WHERE u.id IS NULL OR t.id IS NULL",
    }
    with connection.cursor() as cursor:
        for label, statement in checks.items():
            cursor.execute(statement)
            broken = cursor.fetchone()[0]
            if broken:
                raise SystemExit(f"bulk load left {broken} broken {label} links")


# ------------------------------------------------------------------ measuring


def _user(username: str) -> Any:
    from guanwei.orgs.models import User

    return User.objects.get(username=username)


def _superuser() -> Any:
    from guanwei.orgs.models import User

    user = User.objects.filter(username=SUPERUSER).first()
    if user is None:
        user = User.objects.create_superuser(SUPERUSER, "", None, display_name="基准测试管理员")
    return user


def _org_wide_user(org: Any) -> Any:
    """Who sees ``?scope=all``: the reviewer when the pack lets them, else the first member
    with organisation-wide report.view, else the superuser."""
    from guanwei.orgs.models import User
    from guanwei.orgs.permissions import can

    reviewer = _user(REVIEWER)
    if can(reviewer, "report.view", org):
        return reviewer
    for user in User.objects.filter(memberships__unit__organisation=org).distinct().order_by("pk"):
        if can(user, "report.view", org):
            return user
    return _superuser()


_NEXT = re.compile(r'href="(\?scope=[^"]*after=[^"]+)"')
_ROW = re.compile(r"<tr><td>")


def _next_link(body: str) -> str:
    match = _NEXT.search(body)
    return html.unescape(match.group(1)) if match else ""


def _fixed_cursor_link(link: str) -> str:
    """The link with its cursor percent-encoded (what ``|urlencode`` in the template gives)."""
    base, _, cursor = link.partition("after=")
    return f"{base}after={quote(cursor, safe='')}"


def _timed_get(client: Any, path: str) -> tuple[float, Any]:
    t0 = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - t0) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}")
    return elapsed, response


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95, 1),
        "min_ms": round(ordered[0], 1),
    }


def _queries(client: Any, path: str) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(path)
    return [{"sql": q["sql"], "ms": float(q["time"]) * 1000} for q in ctx.captured_queries]


def _queue_sqls(queries: list[dict[str, Any]]) -> list[str]:
    """The page's reads of the queue table (one, or one per source if the queue is split)."""
    return [
        q["sql"]
        for q in queries
        if 'FROM "workflow_eligibility"' in q["sql"] and "ORDER BY" in q["sql"]
    ]


def _explain(sqls: list[str]) -> dict[str, Any]:
    from django.db import connection

    plans = []
    with connection.cursor() as cursor:
        for sql in sqls:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    plan = "\n\n".join(plans)
    indexes = sorted(
        set(
            re.findall(
                r"(?:Index|Index Only|Bitmap Index) Scan (?:Backward )?"
                r"(?:using|on) (\w+)",
                plan,
            )
        )
    )
    sorts = bool(re.search(r"^\s*(?:->\s*)?(?:Incremental )?Sort\b", plan, re.MULTILINE))
    executed = sum(float(x) for x in re.findall(r"Execution Time: ([\d.]+) ms", plan))
    # Rows the table scans touched: what the page's cost grows with.
    touched = sum(
        int(x)
        for x in re.findall(
            r"(?:(?<!Bitmap )Index Scan|Index Only Scan|Bitmap Heap Scan|Seq Scan) "
            r"(?:Backward )?(?:using|on) "
            r"\w+.*?actual time=\S+ rows=(\d+)",
            plan,
        )
    ) + sum(int(x) for x in re.findall(r"Rows Removed by (?:Filter|Index Recheck): (\d+)", plan))
    return {
        "plan": plan,
        "indexes": indexes,
        "sorts": sorts,
        "ms": round(executed, 2),
        "rows_touched": touched,
    }


def measure(requests: int, verbose: bool) -> dict[str, Any]:
    from django.test import Client

    from guanwei.workflow.models import Eligibility

    org, units = _org_and_units()
    reviewer = _user(REVIEWER)
    org_user = _org_wide_user(org)
    admin = _superuser()
    clients = {}
    for label, user in (("reviewer", reviewer), ("org", org_user), ("admin", admin)):
        client = Client()
        client.force_login(user)
        clients[label] = client

    open_rows = Eligibility.objects.filter(open=True)
    mine = open_rows.filter(unit_id_copy=units[REVIEWER_UNIT].pk, role=REVIEW_ROLE).count()
    pending_total = open_rows.count()

    # The second page: follow the first page's "More" link as a browser would.
    _, first = _timed_get(clients["reviewer"], "/review/queue/")
    first_body = first.content.decode()
    link = _next_link(first_body)
    if not link:
        raise SystemExit("the reviewer's queue has no next-page link; is the data there?")
    _, second = _timed_get(clients["reviewer"], "/review/queue/" + link)
    link_works = second.content.decode() != first_body and _first_rows(second) != _first_rows(first)
    second_path = "/review/queue/" + (link if link_works else _fixed_cursor_link(link))
    if not link_works:
        _log(
            "WARNING: the queue's 'More' link returns the first page again: the cursor "
            f"{link.partition('after=')[2]!r} carries '+' unescaped, which the query string "
            "decodes as a space. Measuring the second page with the cursor percent-encoded."
        )
        _, second = _timed_get(clients["reviewer"], second_path)
        if _first_rows(second) == _first_rows(first):
            raise SystemExit("the second page equals the first even with an encoded cursor")

    # A deep page of the organisation-wide queue: keyset pagination should cost the same at
    # 80 % of the queue as on page one.
    org_rows = Eligibility.objects.filter(organisation_id_copy=org.pk, open=True)
    deep_at, deep_pk = org_rows.order_by("activated_at", "id").values_list("activated_at", "id")[
        int(pending_total * 0.8)
    ]
    deep_path = "/review/queue/?scope=all&after=" + quote(f"{deep_at.isoformat()}_{deep_pk}", "")

    pages: dict[str, tuple[Any, str]] = {
        "queue": (clients["reviewer"], "/review/queue/"),
        "org_queue": (clients["org"], "/review/queue/?scope=all"),
        "second_page": (clients["reviewer"], second_path),
        "org_deep_page": (clients["org"], deep_path),
        "admin": (clients["admin"], "/admin/content/post/"),
    }
    rows_shown = {
        label: len(_ROW.findall(_timed_get(c, path)[1].content.decode()))
        for label, (c, path) in pages.items()
        if label != "admin"
    }
    org_scope_ok = b"?scope=all" in _timed_get(*pages["org_queue"])[1].content

    query_log = {label: _queries(c, path) for label, (c, path) in pages.items()}
    plans = {
        label: _explain(_queue_sqls(query_log[label]))
        for label in ("queue", "org_queue", "second_page", "org_deep_page")
    }
    if verbose:
        for label, queries in query_log.items():
            _log(f"\n-- {label}: {len(queries)} queries")
            for q in queries:
                _log(f"  {q['ms']:7.2f} ms  {q['sql'][:300]}")
        for label, plan in plans.items():
            _log(f"\n-- EXPLAIN (ANALYZE, BUFFERS) main query of {label}\n{plan['plan']}")

    for client, path in pages.values():
        for _ in range(WARMUP):
            _timed_get(client, path)
    samples: dict[str, list[float]] = {label: [] for label in pages}
    for _ in range(requests):
        for label, (client, path) in pages.items():  # round-robin: noise hits all alike
            samples[label].append(_timed_get(client, path)[0])
    stats = {label: _stats(values) for label, values in samples.items()}
    return {
        "stats": stats,
        "queries": {label: len(q) for label, q in query_log.items()},
        "queue_sql_ms": {
            label: round(sum(q["ms"] for q in qs), 1) for label, qs in query_log.items()
        },
        "plans": plans,
        "reviewer_pending": mine,
        "pending_total": pending_total,
        "rows_shown": rows_shown,
        "org_user": org_user.username,
        "org_scope_ok": org_scope_ok,
        "next_link_works": link_works,
        "paths": {label: path for label, (_c, path) in pages.items()},
    }


def _first_rows(response: Any) -> list[str]:
    body = response.content.decode()
    return re.findall(r'<a href="(/[^"]+)">', body.split('id="queue"', 1)[-1])[:5]


# ------------------------------------------------------------------ entry point


def run(args: argparse.Namespace) -> dict[str, Any]:
    rows = QUICK_ROWS if args.quick and args.rows is None else (args.rows or 1_000_000)
    # --quick keeps to its own database so a smoke test never drops the 1,000,000-post one.
    url = args.database_url or (QUICK_DATABASE_URL if args.quick else DEFAULT_DATABASE_URL)
    fresh = _prepare_database(url, rows, args.keep)
    _setup_django(url)
    from django.db import connection

    _migrate_and_load_pack()
    populate_s: float | None = None
    populate_steps: dict[str, float] = {}
    if fresh:
        _log(f"populating {rows:,} posts …")
        result = populate(rows)
        populate_s, populate_steps = result["seconds"], result["steps"]
        _log(f"populated in {populate_s:.1f} s")
    from guanwei.content.models import Post

    actual_rows = Post.objects.count()
    measured = measure(args.requests, args.verbose)
    stats = measured["stats"]
    queue, admin = stats["queue"], stats["admin"]
    server = connection.cursor().connection.info.parameter_status("server_version")
    return {
        "rows": actual_rows,
        "median_ms": queue["median_ms"],
        "baseline_median_ms": admin["median_ms"],
        "p95_ms": queue["p95_ms"],
        "org_queue_median_ms": stats["org_queue"]["median_ms"],
        "second_page_median_ms": stats["second_page"]["median_ms"],
        "populate_s": populate_s,
        "database": "postgresql",
        "ratio": round(admin["median_ms"] / queue["median_ms"], 1) if queue["median_ms"] else None,
        "target_ms": TARGET_MS,
        "meets_target": queue["median_ms"] < TARGET_MS,
        "baseline_p95_ms": admin["p95_ms"],
        "org_queue_p95_ms": stats["org_queue"]["p95_ms"],
        "second_page_p95_ms": stats["second_page"]["p95_ms"],
        "org_deep_page_median_ms": stats["org_deep_page"]["median_ms"],
        "org_deep_page_p95_ms": stats["org_deep_page"]["p95_ms"],
        "min_ms": {label: s["min_ms"] for label, s in stats.items()},
        "requests": args.requests,
        "queries": measured["queries"],
        "sql_ms": measured["queue_sql_ms"],
        "reviewer": REVIEWER,
        "reviewer_pending": measured["reviewer_pending"],
        "pending_total": measured["pending_total"],
        "rows_shown": measured["rows_shown"],
        "org_queue_user": measured["org_user"],
        "org_scope_ok": measured["org_scope_ok"],
        "next_link_works": measured["next_link_works"],
        "plans": {
            label: {
                "indexes": p["indexes"],
                "sorts": p["sorts"],
                "execution_ms": p["ms"],
                "rows_touched": p["rows_touched"],
            }
            for label, p in measured["plans"].items()
        },
        "populate_steps_s": populate_steps,
        "postgresql": server,
        "paths": measured["paths"],
    }


def _print_text(f: dict[str, Any]) -> None:
    populated = "reused (--keep)"
    if f["populate_s"] is not None:
        populated = f"populated in {f['populate_s']:.1f} s"
    print(f"Review queue page — {f['rows']:,} posts, PostgreSQL {f['postgresql']} ({populated})")
    print(
        f"open queue rows: {f['pending_total']:,} in the organisation, "
        f"{f['reviewer_pending']:,} for {f['reviewer']}; {f['requests']} requests per page"
    )
    rows = [
        ("queue (mine)", "", f["median_ms"], f["p95_ms"], f["queries"]["queue"]),
        (
            "queue ?scope=all",
            f"as {f['org_queue_user']}",
            f["org_queue_median_ms"],
            f["org_queue_p95_ms"],
            f["queries"]["org_queue"],
        ),
        (
            "queue page 2",
            "after=",
            f["second_page_median_ms"],
            f["second_page_p95_ms"],
            f["queries"]["second_page"],
        ),
        (
            "queue all, deep",
            "80 % down",
            f["org_deep_page_median_ms"],
            f["org_deep_page_p95_ms"],
            f["queries"]["org_deep_page"],
        ),
        (
            "admin changelist",
            "baseline",
            f["baseline_median_ms"],
            f["baseline_p95_ms"],
            f["queries"]["admin"],
        ),
    ]
    print(f"{'page':18} {'':12} {'median ms':>10} {'p95 ms':>9} {'queries':>8}")
    for name, note, median, p95, queries in rows:
        print(f"{name:18} {note:12} {median:10.1f} {p95:9.1f} {queries:8d}")
    verdict = "meets" if f["meets_target"] else "MISSES"
    print(f"baseline / queue = {f['ratio']}x; target median < {f['target_ms']:.0f} ms: {verdict}")
    for label, plan in f["plans"].items():
        print(
            f"plan {label}: indexes {', '.join(plan['indexes']) or '-'}; "
            f"sort node: {'yes' if plan['sorts'] else 'no'}; "
            f"{plan['rows_touched']:,} rows touched, EXPLAIN ANALYZE {plan['execution_ms']} ms"
        )
    if not f["next_link_works"]:
        print(
            "note: the page's 'More' link is broken ('+' in the cursor); page 2 measured with "
            "the cursor percent-encoded"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/pages.py", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--rows", type=int, default=None, help="posts (default 1,000,000)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument(
        "--database-url",
        default=None,
        help=f"PostgreSQL to (re)build (default {DEFAULT_DATABASE_URL}; "
        "with --quick, guanwei_bench_quick)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="reuse the bench database if it has enough posts"
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} posts (smoke test)")
    parser.add_argument(
        "--verbose", action="store_true", help="queries per page and EXPLAIN plans on stderr"
    )
    args = parser.parse_args(argv)
    if args.requests < 1 or (args.rows is not None and args.rows < 1000):
        parser.error("--requests must be >= 1 and --rows >= 1000")
    figures = run(args)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        _print_text(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
