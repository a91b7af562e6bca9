"""Allow-lists, per-category policies, verdicts and the lexicon version (C-06, E-01)."""

from __future__ import annotations

import functools
import json
import time

import pytest

from guanwei.screening.engine import (
    AllowRule,
    CategoryPolicy,
    Engine,
    EngineConfig,
    Term,
    build_engine,
    default_config,
)
from guanwei.screening.engine.corpus import official_posts, sample_posts


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Shadows the project conftest's Django-only fixture: engine tests run with -p no:django."""


TERMS = (
    Term("习近平", "politics", "review"),
    Term("人民", "other_illegal", "review"),
    Term("法轮功", "cult_superstition", "block"),
    Term("下台", "other_illegal", "review"),
)


def make(**changes: object) -> Engine:
    config = EngineConfig(name="t", terms=TERMS)
    return build_engine(config.__class__(**{**config.__dict__, **changes}))


@functools.cache
def default_engine() -> Engine:
    return build_engine(default_config())


def test_it_masks_a_hit_inside_an_allow_phrase() -> None:
    """C-06: an allow-phrase masks hits entirely inside it; the masked hit is still reported
    (``masked``) so an editor can see why the text passed."""
    engine = make(allow=(AllowRule(phrases=("习近平总书记",)),))
    result = engine.screen("习近平总书记强调")
    assert result.verdict == "pass"
    assert [(h.term, h.allow) for h in result.masked] == [("习近平", "习近平总书记")]
    alone = engine.screen("习近平来了")
    assert alone.verdict == "review"
    assert [h.term for h in alone.hits] == ["习近平"]


def test_it_does_not_mask_a_hit_that_only_overlaps_an_allow_phrase() -> None:
    """C-06: 总书记下台 is not masked by 习近平总书记 — only hits wholly inside are."""
    engine = make(allow=(AllowRule(phrases=("习近平总书记",)),))
    result = engine.screen("习近平总书记下台")
    assert [h.term for h in result.hits] == ["下台"]


def test_it_drops_a_term_that_is_itself_an_allowed_word() -> None:
    """C-06: public lists flag ordinary words (人民); allowing the word removes the term."""
    engine = make(allow=(AllowRule(phrases=("人民",)),))
    assert engine.stats.dropped_allowed == 1
    assert engine.screen("为人民服务").verdict == "pass"


def test_it_masks_only_the_categories_an_allow_rule_names() -> None:
    """E-01: an allow rule limited to politics does not mask a cult term inside the phrase."""
    engine = make(allow=(AllowRule(phrases=("法轮功习近平",), categories=("politics",)),))
    result = engine.screen("法轮功习近平")
    assert [h.term for h in result.hits] == ["法轮功"]
    assert [h.term for h in result.masked] == ["习近平"]


def test_it_applies_per_category_policies() -> None:
    """E-01: a pack may raise politics to block (edu-software) or ignore a category."""
    strict = make(categories=(CategoryPolicy("politics", "block", "E-01"),))
    assert strict.screen("习近平来了").verdict == "block"
    lenient = make(categories=(CategoryPolicy("cult_superstition", "ignore", "C-06"),))
    assert lenient.screen("法轮功").verdict == "pass"


def test_it_gives_the_strongest_verdict() -> None:
    """C-06: block beats review beats pass."""
    engine = make()
    assert engine.screen("你好").verdict == "pass"
    assert engine.screen("下台").verdict == "review"
    assert engine.screen("下台，法轮功").verdict == "block"


def test_it_reports_nested_terms_once() -> None:
    """C-06: a hit inside a longer hit of at least the same severity is not repeated."""
    engine = build_engine(
        EngineConfig(terms=(Term("法轮功", "custom", "block"), Term("法轮", "custom", "block")))
    )
    assert [h.term for h in engine.screen("法轮功").hits] == ["法轮功"]


def test_it_puts_the_lexicon_version_in_every_verdict() -> None:
    """C-06: every verdict carries the version (hash of lexicon + configuration)."""
    engine = make()
    version = engine.lexicon_version
    assert len(version) == 16
    assert engine.screen("你好").lexicon_version == version
    assert engine.screen("法轮功").lexicon_version == version
    assert make().lexicon_version == version  # rebuilt: same version
    other = make(allow=(AllowRule(phrases=("法轮功",)),))
    assert other.lexicon_version != version
    assert make(max_noise=2).lexicon_version != version


def test_it_serialises_the_design_json() -> None:
    """C-06: DESIGN.md JSON: verdict, hits (term, category, start, end, matched), rules."""
    data = make().screen("说法 轮功").to_json()
    json.dumps(data, ensure_ascii=False)
    assert data["verdict"] == "block"
    assert data["hits"] == [
        {
            "term": "法轮功",
            "category": "cult_superstition",
            "start": 1,
            "end": 5,
            "matched": "法 轮功",
            "severity": "block",
        }
    ]
    assert data["rules"] == [] and data["lexicon_version"]


def test_it_builds_cheaply() -> None:
    """C-06: rebuilding the default engine (2,000+ terms, pinyin, traditional aliases) is cheap."""
    default_engine()
    started = time.perf_counter()
    build_engine(default_config())
    assert time.perf_counter() - started < 5.0


def test_it_keeps_false_alarms_on_official_posts_rare() -> None:
    """C-06: the shipped default configuration flags at most 1 % of ordinary official posts
    (the shipped sample posts and generated ones)."""
    posts = sample_posts() + official_posts(1500)
    flagged = [p for p in posts if default_engine().screen(p).verdict != "pass"]
    assert len(flagged) <= 0.01 * len(posts), flagged[:5]


def test_it_still_blocks_real_prohibited_content_with_the_defaults() -> None:
    """C-06, E-01: the defaults block a cult, pornography and an attack on the Party."""
    for text in ["法 轮 功好", "出售枪支，联系我", "打倒共产党", "成人电影下载"]:
        assert default_engine().screen(text).verdict == "block", text
    assert default_engine().screen("习近平来了").verdict == "review"
    assert default_engine().screen("学习习近平新时代中国特色社会主义思想").verdict == "pass"
