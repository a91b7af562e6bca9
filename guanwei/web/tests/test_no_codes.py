"""No code where a name belongs (STYLE; issue 8 §5): every category, sub-type and status the
pages show is its Chinese name from the pack or the glossary — never obscenity_violence,
city_forecast, info_officer, "pass" or "3@2 cancelled". The pages are rendered for the weather
pack with a screened, approved, scheduled and cancelled post, material in the drop box, a post
waiting for review and the audit records all of that wrote."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from guanwei.content import actions as content
from guanwei.content.models import Post
from guanwei.orgs.rules import rules_for
from guanwei.publishing import actions as publishing
from guanwei.screening import actions as screening
from guanwei.screening.engine.lexicon import CATEGORIES
from guanwei.testing.personas import channel, org, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
W = "demo_weather"
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级，周末青蛙跳台活动照常举行。"
STATUS_CODES = {
    "pass",
    "review",
    "block",
    "draft",
    "in_review",
    "approved",
    "published",
    "rejected",
    "expired",
    "withdrawn",
    "new",
    "taken",
    "declined",
    "used",
    "awaiting_leader",
    "returned",
    "scheduled",
    "claimed",
    "sending",
    "sent",
    "cancelled",
    "failed",
    "retry",
    "remote_pending",
    "unknown",
    "transient",
    "permanent",
    "reconciled",
    "pending",
    "open",
    "met",
    "breached",
    "custom",
}


def _codes() -> set[str]:
    rules = rules_for(org(W).pk)
    codes = set(CATEGORIES) | STATUS_CODES | set(rules.roles)
    for category in rules.categories:
        codes.add(category["key"])
        codes.update(s["key"] for s in category.get("subtypes", []))
    return codes


def visible_text(page: str) -> str:
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    return html.unescape(re.sub(r"(?s)<[^>]+>", " ", page))


def _post(title: str) -> Post:
    return content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title=title,
        body=TEXT,
        category="forecast",
        subtype="city_forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
    )


@pytest.fixture
def world() -> dict[str, int]:
    from guanwei.oversight.quotas import ensure_quota_deadlines
    from guanwei.oversight.scheduler import ensure_slot_deadlines

    # deadlines first: their audit records would push the post's off the audit page
    assert ensure_slot_deadlines(timezone.now()) + ensure_quota_deadlines(timezone.now()) > 0
    weather = org(W)
    screening.add_term(
        weather,
        actor=person("gw_admin"),
        term="青蛙跳台",
        category="obscenity_violence",
        severity="review",
    )
    screening.add_term(
        weather, actor=person("gw_admin"), term="蛤蟆功", category="custom", severity="review"
    )
    post = _post("天气预报")
    wf.submit_for_review(post, actor=person("kj_editor"))
    wf.approve_step(
        StepRun.objects.get(run__post=post, status="pending"),
        actor=person("kj_leader"),
        acknowledge_hits=True,
    )
    later = timezone.now() + timedelta(days=1)
    intents = publishing.schedule_post(post, actor=person("kj_editor"), at=later)
    publishing.cancel_intent(intents[0], actor=person("kj_editor"))
    waiting = _post("待审天气预报")
    wf.submit_for_review(waiting, actor=person("kj_editor"))
    material = content.submit_material(
        unit(W, "city_observatory"),
        actor=person("qxt_officer"),
        drop_box=unit(W, "city_tech_centre"),
        title="明日天气提示",
        body=TEXT,
        source="市气象台",
    )
    return {"post": post.pk, "waiting": waiting.pk, "material": material.pk}


def _pages(world: dict[str, int]) -> list[tuple[str, str, str, dict[str, str] | None]]:
    return [
        ("kj_editor", "post", "/screening/", {"text": TEXT + "警惕法轮功，蛤蟆功"}),
        ("gw_admin", "get", "/screening/lexicon/", None),  # its keepers
        ("kj_editor", "get", f"/content/posts/{world['post']}/", None),
        ("kj_editor", "get", f"/content/posts/{world['waiting']}/", None),
        ("kj_editor", "get", "/content/posts/", None),
        ("kj_leader", "get", "/review/queue/", None),
        ("kj_editor", "get", "/content/dropbox/", None),
        ("kj_editor", "get", f"/content/materials/{world['material']}/", None),
        ("qxt_leader", "get", f"/content/materials/{world['material']}/", None),
        ("gw_admin", "get", "/review/filings/", None),
        ("kj_editor", "get", "/publishing/calendar/", None),
        ("kj_editor", "get", "/oversight/deadlines/", None),
        ("gw_auditor", "get", "/audit/", None),  # 审计管理员 (issue #9 §9)
    ]


def test_the_weather_pages_show_names_never_codes(world: dict[str, int]) -> None:
    """STYLE, C-06, W-09: no known code in the text of the screening, post, post list, queue,
    drop box, material, filing, calendar, deadline and audit pages."""
    codes = _codes()
    found: dict[str, set[str]] = {}
    texts: dict[str, str] = {}
    for who, method, url, data in _pages(world):
        client = Client()
        client.force_login(person(who))
        answer = client.post(url, data) if method == "post" else client.get(url)
        assert answer.status_code == 200, (who, url, answer.status_code)
        text = visible_text(answer.content.decode())
        texts[url] = text
        words = set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", text))
        bad = (words & codes) | set(re.findall(r"\d+@\d+", text))
        if bad:
            found[f"{who} {url}"] = bad
    assert found == {}
    # … and the names are there instead of the codes
    violence = CATEGORIES["obscenity_violence"][1]
    post = texts[f"/content/posts/{world['post']}/"]
    assert "最新城市预报" in post and violence in post and "需人工审核" in post
    assert violence in texts[f"/content/materials/{world['material']}/"]
    assert "筛查结论：需人工审核" in texts["/audit/"]
    assert violence in texts["/screening/"]
