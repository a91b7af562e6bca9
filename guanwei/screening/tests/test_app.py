"""The screening room around the engine: lexicon edits take effect at once and are
audited; verdicts are stored with their lexicon version; page and API (REQ C-06, E-01, W-17)."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.orgs.errors import PermissionDenied
from guanwei.orgs.permissions import SYSTEM
from guanwei.screening import actions
from guanwei.screening.queries import highlight, screen_text
from guanwei.testing.personas import org, person

pytestmark = pytest.mark.django_db
W = "demo_weather"
PROBE = "本周请大家关注青蛙跳台活动"


def test_it_applies_a_new_term_at_once_and_audits_it() -> None:
    """C-06: an editor-added term blocks the next screening; removing it passes again."""
    weather = org(W)
    assert screen_text(weather, PROBE).verdict != "block"
    row = actions.add_term(weather, actor=person("gw_admin"), term="青蛙跳台", category="custom")
    result = screen_text(weather, PROBE)
    assert result.verdict == "block"
    assert [(h.term, PROBE[h.start : h.end]) for h in result.hits] == [("青蛙跳台", "青蛙跳台")]
    last = AuditRecord.objects.order_by("-seq").first()
    assert last is not None and last.action == AuditAction.LEXICON_TERM_ADDED
    actions.remove_term(row, actor=person("gw_admin"))
    assert screen_text(weather, PROBE).verdict != "block"


def test_it_refuses_lexicon_edits_without_the_right() -> None:
    """C-06: only holders of lexicon.manage edit the lexicon."""
    with pytest.raises(PermissionDenied):
        actions.add_term(org(W), actor=person("qxt_officer"), term="某词", category="custom")


def test_it_imports_a_word_list_skipping_duplicates() -> None:
    """C-06: one-term-per-line import into a category."""
    lines = ["\ufeff青蛙跳台", "", "# comment", "青蛙跳台", "蛤蟆功"]
    added = actions.import_terms(org(W), actor=person("gw_admin"), lines=lines, category="custom")
    assert added == 2
    assert (
        actions.import_terms(org(W), actor=person("gw_admin"), lines=lines, category="custom") == 0
    )
    assert screen_text(org(W), "练蛤蟆功").verdict == "block"


def test_it_stores_a_verdict_with_its_lexicon_version() -> None:
    """C-06: every verdict is kept with the lexicon version that produced it."""
    result, verdict = actions.screen_object(
        org(W), actor=SYSTEM, object_type="probe", object_id=1, text="法*轮功"
    )
    assert verdict.verdict == result.verdict == "block"
    assert verdict.lexicon_version == result.lexicon_version != ""
    assert any(h["start"] == 0 and h["end"] == 4 for h in verdict.hits)


def test_it_highlights_hits_in_the_original_text() -> None:
    """C-06: segments cover the text exactly; hits carry their category."""
    text = "注意：法 轮功是邪教"
    result = screen_text(org(W), text)
    segments = highlight(text, result)
    assert "".join(seg for seg, _ in segments) == text
    assert any(hit and seg == "法 轮功" for seg, hit in segments)


def test_the_page_shows_highlights(client: Client) -> None:
    """C-06: an editor pastes text and sees the hit marked."""
    client.force_login(person("kj_editor"))
    assert client.get("/screening/").status_code == 200
    body = client.post("/screening/", {"text": "今天晴。法*轮功"}).content.decode()
    assert 'data-verdict="block"' in body and "<mark" in body and "法*轮功</mark>" in body
    partial = client.post("/screening/", {"text": "今天晴"}, headers={"hx-request": "true"})
    assert "<html" not in partial.content.decode()


def test_the_api_screens_text(client: Client) -> None:
    """C-06: the API returns the DESIGN JSON with offsets into the original text."""
    client.force_login(person("kj_editor"))
    response = client.post(
        "/api/v1/screening/screen",
        {"organisation": W, "text": "今天晴。法 轮 功"},
        content_type="application/json",
    )
    data = response.json()
    assert data["verdict"] == "block"
    assert {"term", "category", "start", "end", "matched"} <= set(data["hits"][0])
    assert (
        data["hits"][0]["matched"]
        == "今天晴。法 轮 功"[data["hits"][0]["start"] : data["hits"][0]["end"]]
    )
