"""One lock order for publishing (redfix review): scheduling a post and suspending or
closing an account both lock rows in the order account (channels_channel) → post
(content_post) → publication (publishing_publishintent). Before, ``schedule_post`` locked
the post and then the account while ``change_channel`` locked the account, its waiting
publications and then their posts: the two could deadlock (C-12, E-04, X-03).

PostgreSQL only (SQLite has no row locks: its IMMEDIATE transaction is the one writer)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanwei.channels import actions as channel_actions
from guanwei.channels.models import ChannelStatus
from guanwei.publishing import actions
from guanwei.publishing.tests.test_scheduling_rules import WEDNESDAY, _edu_approved
from guanwei.testing.personas import channel, person

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
ORDER = ["channels_channel", "content_post", "publishing_publishintent"]


def _locked_tables(ctx: CaptureQueriesContext) -> list[str]:
    """The tables in the order their rows are first locked (SELECT … FOR UPDATE or UPDATE;
    a later lock on a table already locked is on rows held or new ones)."""
    out: list[str] = []
    for q in ctx.captured_queries:
        sql = q["sql"]
        if "FOR UPDATE" in sql:
            found = re.search(r'FROM "(\w+)"', sql)
        else:
            found = re.match(r'\s*UPDATE "(\w+)"', sql)
        if found and found.group(1) in ORDER and found.group(1) not in out:
            out.append(found.group(1))
    return out


def _in_order(tables: list[str]) -> bool:
    ranks = [ORDER.index(t) for t in tables]
    return ranks == sorted(ranks)


def test_c12_e04_scheduling_and_suspending_lock_account_post_publication_in_order() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    account = channel("demo_edu_software", "official_weibo")
    with time_machine.travel(WEDNESDAY, tick=False):
        post = _edu_approved(0)
        with CaptureQueriesContext(connection) as scheduling:
            actions.schedule_post(
                post,
                actor=person("edu_yy_operator"),
                at=datetime(2026, 12, 2, 9, 0, tzinfo=TZ) + timedelta(minutes=5),
            )
        with CaptureQueriesContext(connection) as suspending:
            channel_actions.change_channel(
                account, actor=person("edu_admin"), status=ChannelStatus.SUSPENDED
            )
    scheduled, suspended = _locked_tables(scheduling), _locked_tables(suspending)
    assert {"channels_channel", "content_post"} <= set(scheduled), scheduled
    assert {"channels_channel", "content_post"} <= set(suspended), suspended
    assert _in_order(scheduled), scheduled
    assert _in_order(suspended), suspended
