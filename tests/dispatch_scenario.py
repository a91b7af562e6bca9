"""Helpers for the dispatcher fault tests (tests/test_dispatch_faults.py).

Two halves:

* commands run in a subprocess against the scenario's own database (``GUANWEI_VAR_DIR`` /
  ``DATABASE_URL`` in the environment), with Django set up there::

      python -m tests.dispatch_scenario load-pack weather-bureau
      python -m tests.dispatch_scenario setup --posts 3 --weibo-settings '{...}'

  ``load-pack`` is ``guanwei packs load NAME`` (the same CLI code) with the test suite's
  fast password hasher, as conftest.py uses: the default PBKDF2 costs ~0.4 s per demo
  person, 10 s per load. ``setup`` points city_weibo at the fake Weibo, then has the demo
  personas write, approve and schedule posts due now through the real actions, and prints
  ``{"intents": [{"id", "post", "text"}]}`` (``text`` is what the fake will receive);

* :class:`ScenarioDB`, raw SQL from the test process (sqlite3 / psycopg, no Django
  connection) to watch the intents, read the attempt log and the audit trail, and to
  simulate a dead worker's lease running out (:meth:`ScenarioDB.expire_leases`).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ORG = "demo_weather"
UNIT = "city_tech_centre"
CHANNEL = "city_weibo"
FINAL = ("published", "failed", "cancelled")
WEATHER = [
    "明天多云转晴，气温{lo}到{hi}摄氏度，偏北风{wind}级，请注意早晚温差。",
    "今夜到明天阴有小雨，气温{lo}到{hi}摄氏度，东南风{wind}级，出行请带雨具。",
    "未来三天以晴为主，气温{lo}到{hi}摄氏度，西北风{wind}级，空气干燥注意防火。",
    "明天白天晴间多云，气温{lo}到{hi}摄氏度，南风{wind}级，紫外线较强请注意防晒。",
    "受冷空气影响，明天气温{lo}到{hi}摄氏度，北风{wind}级，请及时添衣保暖。",
]


def weather_text(i: int) -> str:
    """A distinct weather forecast per ``i`` (the fake Weibo refuses similar texts)."""
    return WEATHER[i % len(WEATHER)].format(lo=5 + i % 10, hi=16 + i, wind=2 + i % 4)


# ---------------------------------------------------------------- subprocess commands


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanwei.settings")
    import django

    django.setup()


def cmd_load_pack(name: str) -> int:
    _django()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from guanwei.cli import main

    return main(["packs", "load", name])


def cmd_setup(posts: int, weibo_settings: dict[str, str]) -> int:
    _django()
    from guanwei.content import actions as content
    from guanwei.publishing import actions as publishing
    from guanwei.publishing import dispatch
    from guanwei.publishing.models import ChannelSettings
    from guanwei.testing.personas import channel, person, unit
    from guanwei.workflow import actions as wf
    from guanwei.workflow.models import StepRun

    weibo = channel(ORG, CHANNEL)
    ChannelSettings.objects.update_or_create(
        channel=weibo, defaults={"values": {**weibo_settings, "settle_seconds": "0"}}
    )
    out = []
    for i in range(posts):
        post = content.create_post(
            unit(ORG, UNIT),
            actor=person("kj_editor"),
            title=f"天气预报 {i + 1}",
            body=weather_text(i),
            category="forecast",
            channels=[weibo],
            source="市气象台",
        )
        wf.submit_for_review(post, actor=person("kj_editor"))
        wf.approve_step(
            StepRun.objects.get(run__post=post, status="pending"), actor=person("kj_leader")
        )
        post.refresh_from_db()
        for intent in publishing.schedule_post(post, actor=person("kj_publisher")):
            adapter = dispatch.adapter_for(intent)
            text = adapter.expected_text(dispatch.build_request(intent))
            out.append({"id": intent.pk, "post": post.pk, "text": text})
    print(json.dumps({"intents": out}, ensure_ascii=False))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.dispatch_scenario")
    sub = parser.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load-pack")
    load.add_argument("name")
    setup = sub.add_parser("setup")
    setup.add_argument("--posts", type=int, default=3)
    setup.add_argument("--weibo-settings", required=True, help="JSON object")
    args = parser.parse_args(argv)
    if args.command == "load-pack":
        return cmd_load_pack(args.name)
    return cmd_setup(args.posts, json.loads(args.weibo_settings))


# ---------------------------------------------------------------- raw SQL from the test


@dataclass
class ScenarioDB:
    """The scenario's database seen from the test process: ``sqlite`` (a file) or
    ``postgresql`` (a conninfo string)."""

    vendor: str
    target: str

    def _connect(self) -> Any:
        if self.vendor == "sqlite":
            return sqlite3.connect(self.target, timeout=20, isolation_level=None)
        import psycopg

        return psycopg.connect(self.target, autocommit=True)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.vendor == "sqlite":
            sql = sql.replace("%s", "?")
        conn = self._connect()
        try:
            cur = conn.execute(sql, tuple(params))
            return list(cur.fetchall()) if cur.description else []
        finally:
            conn.close()

    def intents(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        marks = ",".join(["%s"] * len(ids))
        found = self.rows(
            "SELECT id, status, remote_id, attempts, error_code, post_id "
            f"FROM publishing_publishintent WHERE id IN ({marks})",
            ids,
        )
        keys = ("id", "status", "remote_id", "attempts", "error_code", "post")
        return {r[0]: dict(zip(keys, r, strict=True)) for r in found}

    def attempts(self, intent_id: int) -> list[tuple[str, str, bool]]:
        """(outcome, code, finished) per attempt, oldest first."""
        found = self.rows(
            "SELECT outcome, code, finished_at IS NOT NULL FROM publishing_publishattempt "
            "WHERE intent_id = %s ORDER BY started_at, id",
            [intent_id],
        )
        return [(r[0], r[1], bool(r[2])) for r in found]

    def audit_actions(self, intent_id: int) -> list[int]:
        found = self.rows(
            "SELECT action FROM audit_auditrecord WHERE object_type = 'publish_intent' "
            "AND object_id = %s ORDER BY seq",
            [str(intent_id)],
        )
        return [int(r[0]) for r in found]

    def post_status(self, post_id: int) -> str:
        return str(self.rows("SELECT status FROM content_post WHERE id = %s", [post_id])[0][0])

    def expire_leases(self) -> int:
        """Simulate the dead worker's lease running out (``dispatch.lease()``, 120 s by default):
        move every lease of a claimed or sending intent into the past, as if the time had
        passed. What happens next is the dispatcher's own recovery."""
        past = "2000-01-01 00:00:00" if self.vendor == "sqlite" else "2000-01-01 00:00:00+00"
        before = self.rows(
            "SELECT count(*) FROM publishing_publishintent "
            "WHERE status IN ('claimed', 'sending') AND lease_until IS NOT NULL"
        )[0][0]
        self.rows(
            "UPDATE publishing_publishintent SET lease_until = %s "
            "WHERE status IN ('claimed', 'sending') AND lease_until IS NOT NULL",
            [past],
        )
        return int(before)


def sqlite_path(var_dir: Path) -> str:
    return str(var_dir / "guanwei.sqlite3")


if __name__ == "__main__":
    sys.exit(main())
