"""C-06 (issue 10 §5, found in review): an allow-phrase passes a shipped or pack term *inside*
a longer phrase (an exhibition's name, a place name). A phrase that is nothing but such terms
would switch the term off for the whole organisation — the lexicon page refuses it."""

from __future__ import annotations

import pytest

from guanwei.orgs.errors import InvalidChange
from guanwei.screening import actions
from guanwei.screening.models import LexiconAllowPhrase
from guanwei.screening.queries import screen_text
from guanwei.testing.personas import org, person

pytestmark = pytest.mark.django_db

TEXT = "今天晴。法轮功"


@pytest.mark.parametrize("phrase", ["法轮功", "法轮功法轮功", "法 轮 功"])
def test_c06_an_allow_phrase_that_is_only_a_prohibited_term_is_refused(phrase: str) -> None:
    weather = org("demo_weather")
    assert screen_text(weather, TEXT).verdict == "block"
    with pytest.raises(InvalidChange):
        actions.add_allow_phrase(weather, actor=person("gw_admin"), phrase=phrase)
    assert not LexiconAllowPhrase.objects.filter(organisation=weather).exists()
    assert screen_text(weather, TEXT).verdict == "block"


def test_c06_an_allow_phrase_holding_a_term_with_words_of_its_own_is_kept() -> None:
    weather = org("demo_weather")
    actions.add_allow_phrase(weather, actor=person("gw_admin"), phrase="色界摄影展")
    assert screen_text(weather, "色界摄影展今日开幕").verdict != "block"
