"""A pack's ``[screening]`` table (C-06, E-01, W-17, T-05) and the engine's isolation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from guanwei.screening.engine import ConfigError, build_engine, config_for_pack, default_config

REPO = Path(__file__).resolve().parents[3]
PACK = """
[pack]
name = "demo"

[screening]
max_noise = 2

[[screening.terms]]
req = "E-01"
category = "religion"
severity = "block"
terms = ["佛经"]

[[screening.lexicons]]
req = "C-06"
file = "words.txt"
category = "custom"
severity = "review"

[[screening.categories]]
req = "E-01"
category = "religion"
severity = "block"

[[screening.categories]]
req = "E-01"
category = "politics"
severity = "block"

[[screening.allow]]
req = "C-06"
phrases = ["北京天气预报"]

[[screening.rules]]
req = "E-01"
rule = "picture_required"
severity = "review"

[[screening.rules]]
req = "T-05"
rule = "source_required"

[screening.relevance]
req = "W-17"
vocabularies = ["weather"]
"""


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Shadows the project conftest's Django-only fixture: engine tests run with -p no:django."""


def write_pack(folder: Path, name: str, body: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_it_gives_a_pack_without_screening_the_shipped_defaults(tmp_path: Path) -> None:
    """C-06: a pack without [screening] gets the shipped default configuration."""
    write_pack(tmp_path, "plain", '[pack]\nname = "plain"\n')
    config = config_for_pack("plain", tmp_path)
    assert config.name == "plain"
    assert config.lexicons == default_config().lexicons
    engine = build_engine(config)
    assert engine.lexicon_version == build_engine(default_config()).lexicon_version


def test_it_reads_a_packs_screening_table_on_top_of_the_defaults(tmp_path: Path) -> None:
    """E-01, T-05, W-17: pack terms, lexicon files, category policies, rules and relevance."""
    (tmp_path / "words.txt").write_text("自定义敏感词\n", encoding="utf-8")
    write_pack(tmp_path, "demo", PACK)
    config = config_for_pack("demo", tmp_path)
    assert config.max_noise == 2
    engine = build_engine(config)
    post = engine.screen("佛经故事", has_picture=True, source="本站")
    assert post.verdict == "block" and post.hits[0].category == "religion"
    assert engine.screen("习近平来了", has_picture=True, source="x").verdict == "block"  # E-01
    assert [h.term for h in engine.screen("有自定义敏感词", kind="comment").hits] == [
        "自定义敏感词"
    ]
    weather = engine.screen("明天晴，气温20℃", has_picture=False)
    assert {f.req for f in weather.rules} == {"E-01", "T-05"}
    off = engine.screen("欢迎选购新品", has_picture=True, source="本站")
    assert [f.rule for f in off.rules] == ["relevance"]
    assert engine.screen("法 轮 功", kind="comment").verdict == "block"  # defaults still apply


def test_it_can_start_from_nothing(tmp_path: Path) -> None:
    """C-06: defaults = false replaces the shipped configuration."""
    write_pack(
        tmp_path,
        "bare",
        '[screening]\ndefaults = false\n[[screening.terms]]\nreq = "C-06"\nterms = ["某词"]\n',
    )
    engine = build_engine(config_for_pack("bare", tmp_path))
    assert len(engine.entries) == 1
    assert engine.screen("法轮功").verdict == "pass"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[screening]\n[[screening.terms]]\nterms = ["x"]\n', "req"),
        ('[screening]\n[[screening.terms]]\nreq = "C-06"\nseverity = "maybe"\n', "severity"),
        ("[screening]\ncolour = 1\n", "unknown key"),
        (
            '[screening]\n[[screening.rules]]\nreq = "X-03"\nrule = "nope"\n',
            "unknown screening rule",
        ),
        ("[screening]\nmax_noise = 99\n", "max_noise"),
        ("[screening\n", "invalid TOML"),
    ],
)
def test_it_explains_a_bad_screening_table(tmp_path: Path, body: str, message: str) -> None:
    """C-06: bad pack data gets a clear error naming the pack and the problem."""
    write_pack(tmp_path, "bad", body)
    with pytest.raises(ConfigError, match=message):
        build_engine(config_for_pack("bad", tmp_path))


def test_it_reports_an_unknown_pack(tmp_path: Path) -> None:
    """C-06: an unknown pack name is an error."""
    with pytest.raises(ConfigError, match="not found"):
        config_for_pack("nope", tmp_path)


def test_it_reads_the_real_packs_when_they_are_there() -> None:
    """C-06, E-01, T-05, W-17: every shipped pack's [screening] table builds an engine."""
    packs = sorted((REPO / "packs").glob("*.toml"))
    if not packs:
        pytest.skip("no packs yet")
    for path in packs:
        engine = build_engine(config_for_pack(path.stem, path.parent))
        assert engine.lexicon_version


def test_it_imports_without_django() -> None:
    """C-06: the engine is pure Python: importing it does not import Django."""
    code = (
        "import sys, guanwei.screening.engine as e; "
        "e.build_engine(e.EngineConfig()); "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
