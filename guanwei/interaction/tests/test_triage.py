"""Question triage (W-19): a character n-gram model per rule book, trained from the
examples the pack ships, with a keyword floor when it is unsure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from guanwei.interaction import triage

PACKS = ["weather-bureau", "college", "tourism-bureau", "real-estate", "edu-software"]
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("pack", PACKS)
def test_w19_held_out_accuracy_per_pack(pack: str) -> None:
    """W-19: each pack ships 150–300 labelled examples, and the model trained on the rest
    gets at least 0.8 of the fixed-seed held-out split right (question, scope and topic)."""
    rows = triage.load_examples(pack)
    assert 150 <= len(rows) <= 300
    assert {r["scope"] for r in rows} == {"in", "out", "none"}
    assert triage.held_out_accuracy(pack) >= 0.8


def test_w19_trains_lazily_and_fast() -> None:
    """W-19: the first call trains the pack's model in under 2 s (scikit-learn imported
    once per process, not counted); later calls reuse it."""
    import sklearn.linear_model  # noqa: F401

    triage.model_for.cache_clear()
    started = time.monotonic()
    triage.classify_pack("college", ["图书馆几点开门？"])
    assert time.monotonic() - started < 2.0
    assert triage.model_for("college") is triage.model_for("college")


@pytest.mark.parametrize("pack", PACKS)
def test_w19_government_affairs_question_is_out_of_scope(pack: str) -> None:
    """W-19: a government-affairs question (社保卡补办) is a question, out of scope."""
    (result,) = triage.classify_pack(pack, ["请问社保卡补办需要什么材料？"])
    assert result.question is True
    assert result.scope == "out"
    assert result.topic == "government"


@pytest.mark.parametrize("pack", PACKS)
def test_w19_non_question_is_none(pack: str) -> None:
    """W-19: thanks and chatter are no question: scope "none"."""
    (result,) = triage.classify_pack(pack, ["谢谢小编，辛苦了！"])
    assert result.question is False
    assert result.scope == "none"


def test_w19_in_scope_questions() -> None:
    """W-19: questions on the rule book's own categories are in scope, with their topic."""
    cases = {
        "weather-bureau": ("明天市区会下雨吗？", "forecast"),
        "college": ("计算机专业去年录取分数线是多少？", "admissions"),
        "tourism-bureau": ("南山景区门票多少钱？", "tickets"),
        "real-estate": ("电梯坏了找谁处理？", "property"),
        "edu-software": ("APP登录不上怎么办？", "product"),
    }
    for pack, (text, topic) in cases.items():
        (result,) = triage.classify_pack(pack, [text])
        assert (result.question, result.scope, result.topic) == (True, "in", topic), pack


def test_w19_unknown_pack_falls_back_to_keyword_floor() -> None:
    """W-19: a pack without examples gets the keyword floor."""
    got = triage.classify_pack("no-such-pack", ["这个怎么办？", "好的"])
    assert [(t.question, t.scope) for t in got] == [(True, "in"), (False, "none")]


@pytest.mark.django_db
def test_w19_classify_many_uses_the_organisations_pack() -> None:
    """W-19: classify_many finds the organisation's base pack (demo weather bureau)."""
    from guanwei.testing.personas import org

    organisation = org("demo_weather")
    assert triage.pack_of(organisation.pk) == "weather-bureau"
    (result,) = triage.classify_many(organisation.pk, ["暴雨预警是几级？"])
    assert (result.scope, result.topic) == ("in", "warning")


def _cli(args: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "guanwei", "triage", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )


def test_w19_cli_prints_one_json_object_per_text() -> None:
    """W-19: `guanwei triage --pack NAME --jsonl` prints one JSON object per line of stdin;
    without --jsonl the whole of stdin is one text."""
    proc = _cli(
        ["--pack", "college", "--jsonl"], "图书馆几点开门？\n谢谢小编\n户口迁移怎么办理？\n"
    )
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 3
    for row in rows:
        assert set(row) == {"question", "scope", "topic", "confidence"}
        assert isinstance(row["confidence"], float)
    assert [r["scope"] for r in rows] == ["in", "none", "out"]
    one = _cli(["--pack", "college"], "图书馆几点开门？\n谢谢小编\n")
    assert one.returncode == 0, one.stderr
    assert len(one.stdout.splitlines()) == 1
    bad = _cli(["--pack", "nope"], "x")
    assert bad.returncode == 2
