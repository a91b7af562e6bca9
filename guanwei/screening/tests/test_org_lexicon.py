"""An organisation's own lexicon terms are always found (C-06, E-01; issue 8 §5).

Held-out check: 150 terms an office might add for its own beat (data/held_out_org_terms.tsv),
each embedded in an ordinary official post, screened through the organisation lexicon (the
lexicon page's actions) and through ``guanwei screen --lexicon FILE``. The shipped allow-lists
and per-category policies apply to the shipped lists only; they never drop or mask these.
"""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from guanwei.screening import actions
from guanwei.screening.engine.cli import screen_main
from guanwei.screening.engine.config import DATA_DIR
from guanwei.screening.engine.lexicon import SEVERITY_RANK
from guanwei.screening.queries import screen_text
from guanwei.testing.personas import org, person

W = "demo_weather"
TERMS_FILE = Path(__file__).parent / "data" / "held_out_org_terms.tsv"
PACKS_DIR = Path(__file__).resolve().parents[3] / "packs"


def held_out() -> list[tuple[str, str, str]]:
    rows = []
    for line in TERMS_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            term, category, severity = line.split("\t")
            rows.append((term, category, severity))
    return rows


def official_posts() -> list[str]:
    path = DATA_DIR / "samples" / "official_posts.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def embedded(index: int, term: str) -> tuple[str, int]:
    """An ordinary official post with the term put after its first clause; (text, offset)."""
    posts = official_posts()
    post = posts[index % len(posts)]
    cut = post.find("，")
    cut = cut + 1 if cut > 0 else len(post) // 2
    head = post[:cut] + "近期有关"
    return head + term + "的说法，" + post[cut:], len(head)


def missed(results: list[tuple[str, str, int, dict]]) -> list[str]:
    """The terms whose own span is not reported as a hit at the term's severity or above."""
    out = []
    for term, severity, at, data in results:
        found = [
            h
            for h in data["hits"]
            if h["start"] == at
            and h["end"] == at + len(term)
            and SEVERITY_RANK[h["severity"]] >= SEVERITY_RANK[severity]
        ]
        if not found or SEVERITY_RANK[data["verdict"]] < SEVERITY_RANK[severity]:
            out.append(term)
    return out


def test_held_out_list_is_150_terms_none_inside_another() -> None:
    rows = held_out()
    terms = [t for t, _c, _s in rows]
    assert len(rows) == 150 and len(set(terms)) == 150
    assert not [(a, b) for a in terms for b in terms if a != b and a in b]


@pytest.mark.django_db
def test_c06_every_organisation_lexicon_term_is_found() -> None:
    """C-06/E-01: 150 of 150 terms added on the lexicon page are found in ordinary posts,
    including words on the shipped allow-lists (腐败, 鸦片) and in a category the pack's policy
    ignores (religion) — with the severity the organisation gave them."""
    weather = org(W)
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    rows = held_out()
    for term, category, severity in rows:
        groups[(category, severity)].append(term)
    for (category, severity), terms in groups.items():
        added = actions.import_terms(
            weather, actor=person("gw_admin"), lines=terms, category=category, severity=severity
        )
        assert added == len(terms)
    results = []
    for i, (term, _category, severity) in enumerate(rows):
        text, at = embedded(i, term)
        results.append((term, severity, at, screen_text(weather, text).to_json()))
    assert missed(results) == []


@pytest.mark.django_db
def test_c06_a_term_added_one_by_one_is_found_inside_an_allow_phrase() -> None:
    """C-06: the organisation's 鸦片 is found in 鸦片战争 and its 腐败 in 反腐败 (the shipped
    allow-phrases mask the shipped lists' hits only)."""
    weather = org(W)
    actions.add_term(
        weather, actor=person("gw_admin"), term="鸦片", category="custom", severity="block"
    )
    actions.add_term(
        weather, actor=person("gw_admin"), term="腐败", category="custom", severity="review"
    )
    result = screen_text(weather, "纪念鸦片战争胜利，坚持反腐败斗争。")
    found = {(h.term, h.start, h.end, h.severity) for h in result.hits}
    assert ("鸦片", 2, 4, "block") in found and ("腐败", 12, 14, "review") in found
    assert result.verdict == "block"


def test_c06_every_term_of_a_lexicon_file_is_found(tmp_path: Path) -> None:
    """C-06: ``guanwei screen --pack weather-bureau --lexicon FILE`` finds all 150 terms
    (the file's terms are category custom, severity block)."""
    rows = held_out()
    lexicon = tmp_path / "org.txt"
    lexicon.write_text("\n".join(t for t, _c, _s in rows) + "\n", encoding="utf-8")
    texts = [embedded(i, term) for i, (term, _c, _s) in enumerate(rows)]
    out = io.StringIO()
    code = screen_main(
        [
            "--pack",
            "weather-bureau",
            "--packs-dir",
            str(PACKS_DIR),
            "--jsonl",
            "--lexicon",
            str(lexicon),
        ],
        stdin=io.StringIO("".join(text + "\n" for text, _at in texts)),
        stdout=out,
    )
    assert code == 0
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(answers) == len(rows)
    results = [
        (term, "block", at, data)
        for (term, _c, _s), (_text, at), data in zip(rows, texts, answers, strict=True)
    ]
    assert missed(results) == []


@pytest.mark.django_db
def test_c06_a_term_the_engine_cannot_screen_is_refused_with_a_reason() -> None:
    """C-06: one letter or two digits would match nearly everything; the lexicon page says so
    instead of storing a term that is then silently never screened."""
    from guanwei.orgs.errors import InvalidChange

    for bad in ("A", "12", " ？ "):
        with pytest.raises(InvalidChange) as caught:
            actions.add_term(org(W), actor=person("gw_admin"), term=bad, category="custom")
        assert "无法筛查" in caught.value.message
    lines = ["A", "12", "青蛙跳台"]
    assert actions.import_terms(org(W), actor=person("gw_admin"), lines=lines, category="c") == 1


@pytest.mark.django_db
def test_c06_the_screening_page_says_which_allow_list_passed_which_shipped_hit() -> None:
    """C-06: 腐败 (贪腐词库) passes inside 反腐败 and 鸦片 (暴恐词库) as a word of its own; the page
    names the phrase and the allow-list for each, so a reviewer sees why the word passed; once
    the organisation lists 鸦片 itself it is a hit, not an allowed word."""
    from django.test import Client

    from guanwei.testing.personas import person

    client = Client()
    client.force_login(person("kj_editor"))
    text = "坚持反腐败斗争，纪念鸦片战争胜利。"
    html = client.post("/screening/", {"text": text}).content.decode()
    rows = re.findall(
        r'<tr class="allowed-row"><td>([^<]*)</td><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td>',
        html,
    )
    assert ("腐败", "反腐败", "公文常用词白名单") in rows or (
        "腐败",
        "腐败",
        "公文常用词白名单",
    ) in rows
    assert any(term == "鸦片" and name == "公文常用词白名单" for term, _p, name in rows)
    actions.add_term(
        org(W), actor=person("gw_admin"), term="鸦片", category="custom", severity="review"
    )
    html = client.post("/screening/", {"text": text}).content.decode()
    rows = re.findall(r'<tr class="allowed-row"><td>([^<]*)</td>', html)
    assert "鸦片" not in rows and re.search(r"<mark[^>]*>鸦片</mark>", html)
