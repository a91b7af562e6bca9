"""An organisation's own lexicon (its terms and allow-phrases) is its keepers' (docs/security.md:
"own lexicon term — lexicon.manage"; found in review): the lexicon page lists it to holders of
lexicon.manage only — an editor who read it would know which words to avoid spelling out. Others
get a 404 and the screening page does not link it."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.screening import actions
from guanwei.testing.personas import org, person

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def test_c06_the_lexicon_page_is_for_its_keepers_only() -> None:
    weather = org("demo_weather")
    actions.add_term(weather, actor=person("gw_admin"), term="蛤蟆功夫", category="politics")
    actions.add_allow_phrase(weather, actor=person("gw_admin"), phrase="色界摄影展")
    keeper = _client("gw_admin").get("/screening/lexicon/")
    assert keeper.status_code == 200
    assert "蛤蟆功夫" in keeper.content.decode() and "色界摄影展" in keeper.content.decode()
    editor = _client("kj_editor")
    page = editor.get("/screening/lexicon/")
    assert page.status_code == 404
    assert "蛤蟆功夫" not in page.content.decode() and "色界摄影展" not in page.content.decode()
    assert "/screening/lexicon/" not in editor.get("/screening/").content.decode()
    assert "/screening/lexicon/" in _client("gw_admin").get("/screening/").content.decode()
