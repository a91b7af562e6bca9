"""``guanwei screen`` (C-06): text, JSON and JSON-lines output, extra lexicons, usage errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from guanwei.screening.engine.cli import screen_main


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Shadows the project conftest's Django-only fixture: engine tests run with -p no:django."""


def run(argv: list[str], text: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = screen_main(argv, stdin=io.StringIO(text), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_it_prints_the_design_json_for_one_text() -> None:
    """C-06: --json prints verdict, hits with original offsets, rules; exit 0 even for block."""
    code, out, _err = run(["--pack", "default", "--json"], "他说法 轮 功很好\n")
    assert code == 0
    data = json.loads(out)
    assert data["verdict"] == "block"
    spans = {(h["term"], h["start"], h["end"], h["matched"]) for h in data["hits"]}
    assert ("法轮功", 2, 7, "法 轮 功") in spans
    assert data["rules"] == [] and data["lexicon_version"]


def test_it_screens_one_text_per_line_with_jsonl() -> None:
    """C-06: --jsonl: one text per line in, one JSON object per line out, in order."""
    code, out, _err = run(["--pack", "default", "--jsonl"], "今天天气很好\n法*轮功\n\n")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [line["verdict"] for line in lines] == ["pass", "block", "pass"]


def test_it_adds_lexicon_files_as_custom_block_terms(tmp_path: Path) -> None:
    """C-06: --lexicon FILE (repeatable) adds terms as category custom, severity block."""
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("某某公司\n", encoding="utf-8")
    second.write_text("内部消息\n", encoding="utf-8")
    argv = ["--pack", "default", "--json", "--lexicon", str(first), "--lexicon", str(second)]
    code, out, _err = run(argv, "某某公司的内部消息")
    data = json.loads(out)
    assert code == 0 and data["verdict"] == "block"
    assert {(h["term"], h["category"]) for h in data["hits"]} == {
        ("某某公司", "custom"),
        ("内部消息", "custom"),
    }


def test_it_prints_a_readable_report_without_json() -> None:
    """C-06: the default output is for people: verdict, hits, version."""
    code, out, _err = run(["--pack", "default"], "习近平来了")
    assert code == 0
    assert out.startswith("verdict: 人工审核 review")
    assert "习近平" in out and "lexicon version" in out


def test_it_applies_post_options() -> None:
    """X-03, E-01, T-05: --channel, --title, --has-picture and --source reach the rules."""
    code, out, _err = run(
        ["--pack", "default", "--json", "--channel", "wechat", "--title", "标" * 40], "正文"
    )
    assert code == 0 and json.loads(out)["rules"][0]["rule"] == "title_length"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--json"], "--pack"),
        (["--pack", "default", "--json", "--jsonl"], "not allowed with"),
        (["--pack", "default", "--bogus"], "unrecognized"),
        (["--pack", "no-such-pack"], "not found"),
        (["--pack", "default", "--lexicon", "/no/such/file.txt"], "not found"),
    ],
)
def test_it_exits_2_on_usage_errors(argv: list[str], message: str) -> None:
    """C-06: usage errors exit 2 with a clear message on standard error."""
    code, out, err = run(argv, "文本")
    assert code == 2 and out == ""
    assert message in err
