"""Format rules per channel and pack, and relevance (X-03, R-01, E-01, T-05, W-17, C-06)."""

from __future__ import annotations

import pytest

from guanwei.screening.engine import (
    EngineConfig,
    RelevanceSpec,
    RuleSpec,
    build_engine,
    default_config,
)
from guanwei.screening.engine.config import ConfigError
from guanwei.screening.engine.rules import host_allowed, links, weibo_length


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Shadows the project conftest's Django-only fixture: engine tests run with -p no:django."""


def rule(
    name: str, req: str, severity: str = "review", channel: str | None = None, **params: object
) -> RuleSpec:
    values = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    return RuleSpec(name, req, severity, channel, values)


def engine_with(*rules: RuleSpec, relevance: RelevanceSpec | None = None):  # type: ignore[no-untyped-def]
    return build_engine(EngineConfig(name="rules", rules=rules, relevance=relevance))


def ids(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [finding.rule for finding in result.rules]


def test_it_counts_weibo_length_with_half_width_as_half() -> None:
    """X-03: Weibo counts a Chinese character 1 and two ASCII characters 1 (140 limit)."""
    assert weibo_length("天气") == 2
    assert weibo_length("abcd") == 2
    assert weibo_length("天气abc") == 4


def test_it_blocks_a_weibo_post_over_140_characters_by_default() -> None:
    """X-03: the default configuration limits Weibo text to 140 (statuses/share)."""
    engine = build_engine(default_config())
    assert "max_length" in ids(engine.screen("晴" * 141, channel_kind="weibo"))
    assert engine.screen("晴" * 141, channel_kind="weibo").verdict == "block"
    assert engine.screen("晴" * 140, channel_kind="weibo").verdict == "pass"
    assert engine.screen("晴" * 141, channel_kind="website").verdict == "pass"


def test_it_checks_the_topic_form() -> None:
    """R-01: columns are Weibo topics in #topic# form; a lone # or an empty topic is flagged."""
    engine = engine_with(rule("weibo_topics", "R-01", channel="weibo", mode="form"))
    assert engine.screen("#行业资讯# 新政策", channel_kind="weibo").verdict == "pass"
    assert ids(engine.screen("#行业资讯 新政策", channel_kind="weibo")) == ["weibo_topics"]
    assert ids(engine.screen("＃行业资讯＃", channel_kind="weibo")) == ["weibo_topics"]
    share = engine_with(rule("weibo_topics", "X-03", channel="weibo", mode="forbid"))
    assert ids(share.screen("#行业资讯# 新政策", channel_kind="weibo")) == ["weibo_topics"]


def test_it_requires_the_safe_domain_link_for_weibo_share() -> None:
    """X-03: statuses/share needs at least one URL under the app's safe domain."""
    engine = engine_with(
        rule("weibo_safe_link", "X-03", "block", channel="weibo", domains=["qx.example.gov.cn"])
    )
    ok = engine.screen("今天晴 https://qx.example.gov.cn/a/1", channel_kind="weibo")
    assert ok.verdict == "pass"
    missing = engine.screen("今天晴", channel_kind="weibo")
    assert missing.verdict == "block" and ids(missing) == ["weibo_safe_link"]
    assert host_allowed("www.qx.example.gov.cn", ("qx.example.gov.cn",))
    assert not host_allowed("qx.example.gov.cn.evil.com", ("qx.example.gov.cn",))


def test_it_allows_links_only_to_allowed_domains() -> None:
    """C-06: links in a post must point to the pack's allowed domains."""
    engine = engine_with(rule("link_domains", "C-06", domains=["gov.cn"]))
    assert engine.screen("详见 http://www.jh.gov.cn/x").verdict == "pass"
    bad = engine.screen("详见 https://bit.ly/abc 和 www.jh.gov.cn")
    assert ids(bad) == ["link_domains"] and "bit.ly" in bad.rules[0].message
    assert links("看www.a.cn，再看https://b.com/x。") == ["www.a.cn", "https://b.com/x"]


def test_it_limits_the_wechat_title() -> None:
    """X-03: a WeChat article title has at most 32 characters."""
    engine = build_engine(default_config())
    assert engine.screen("正文", channel_kind="wechat", title="标" * 32).verdict == "pass"
    result = engine.screen("正文", channel_kind="wechat", title="标" * 33)
    assert ids(result) == ["title_length"] and result.verdict == "block"


def test_it_requires_a_picture_where_the_pack_asks() -> None:
    """E-01: the edu-software pack wants a picture that matches the text."""
    engine = engine_with(rule("picture_required", "E-01"))
    assert ids(engine.screen("#下课十分钟# 小实验")) == ["picture_required"]
    assert engine.screen("#下课十分钟# 小实验", has_picture=True).verdict == "pass"
    assert engine.screen("好好玩", kind="comment").verdict == "pass"  # comments need none


def test_it_requires_a_source() -> None:
    """T-05: a tourism post needs a source, given as a field or as 来源： in the text."""
    engine = engine_with(rule("source_required", "T-05"))
    result = engine.screen("国庆接待游客268万人次")
    assert result.verdict == "review" and result.rules[0].req == "T-05"
    assert engine.screen("国庆接待游客268万人次", source="市文旅局").verdict == "pass"
    assert engine.screen("国庆接待游客268万人次（来源：市文旅局）").verdict == "pass"


def test_it_sends_off_topic_posts_to_review_with_the_reason() -> None:
    """W-17: the weather pack refuses content unrelated to weather; keyword relevance."""
    engine = engine_with(relevance=RelevanceSpec(vocabularies=("weather",), req="W-17"))
    assert engine.screen("明天多云转小雨，最高气温18℃").verdict == "pass"
    assert engine.screen("明天多雲轉小雨").verdict == "pass"  # traditional still counts
    off = engine.screen("本店新品上市，欢迎选购")
    assert off.verdict == "review"
    assert off.rules[0].req == "W-17" and "主题词" in off.rules[0].message
    assert engine.screen("本店新品上市", kind="comment").verdict == "pass"


def test_it_can_require_more_than_one_topic_word() -> None:
    """W-17: min_hits sets how many distinct vocabulary words a post needs."""
    engine = engine_with(
        relevance=RelevanceSpec(vocabularies=("weather",), words=("观象台",), min_hits=2)
    )
    assert engine.screen("观象台今天开放").verdict == "review"
    assert engine.screen("观象台今天开放，天气晴").verdict == "pass"


def test_it_refuses_an_unknown_rule() -> None:
    """X-03: a typo in a pack's rule name is an error, not a silently ignored rule."""
    with pytest.raises(ConfigError, match="unknown screening rule"):
        engine_with(rule("max_lenght", "X-03"))
