"""Lexicons by category, import formats, folding tables (C-06, E-01)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanwei.screening.engine import (
    CATEGORIES,
    Lexicon,
    LexiconError,
    Term,
    load_csv,
    load_wordlist,
)
from guanwei.screening.engine.config import DATA_DIR
from guanwei.screening.engine.lexicon import C06_CATEGORIES, E01_CATEGORIES, load_file
from guanwei.screening.engine.normalise import BARRIER_MARK, NOISE_MARK, folding

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "testdata" / "lexicons"


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Shadows the project conftest's Django-only fixture: engine tests run with -p no:django."""


def test_it_knows_the_eight_c06_categories_and_the_three_e01_donts() -> None:
    """C-06: eight prohibited categories (第二篇第九条); E-01: religion, politics, pornography."""
    assert len(C06_CATEGORIES) == 8
    assert all(CATEGORIES[c][0] == "C-06" for c in C06_CATEGORIES)
    assert set(E01_CATEGORIES) <= set(CATEGORIES)


def test_it_imports_a_one_term_per_line_file(tmp_path: Path) -> None:
    """C-06: plain word lists: one term per line, blanks, comments and duplicates skipped."""
    path = tmp_path / "words.txt"
    path.write_text("\ufeff法轮功\n\n# comment\n 六四 \n法轮功\n", encoding="utf-8")
    terms = load_wordlist(path, "state_security", "review")
    assert [t.text for t in terms] == ["法轮功", "六四"]
    assert {t.severity for t in terms} == {"review"}
    assert terms[0].note == "words.txt"


def test_it_imports_csv_in_long_form(tmp_path: Path) -> None:
    """C-06: CSV with a term column and category, severity, note, pinyin columns."""
    path = tmp_path / "terms.csv"
    path.write_text(
        "term,category,severity,note,pinyin\n法轮功,cult_superstition,block,邪教,yes\n"
        "算命,cult_superstition,review,,\n",
        encoding="utf-8",
    )
    terms = load_csv(path)
    assert terms[0] == Term("法轮功", "cult_superstition", "block", "邪教", True)
    assert terms[1].severity == "review" and not terms[1].pinyin


def test_it_imports_csv_with_one_column_per_category(tmp_path: Path) -> None:
    """C-06, E-01: wide CSV: the header names the categories, cells below are their terms."""
    path = tmp_path / "wide.csv"
    path.write_text("religion,politics\n佛经,中共\n圣经,\n", encoding="utf-8")
    terms = load_csv(path, severity="review")
    assert {(t.text, t.category) for t in terms} == {
        ("佛经", "religion"),
        ("圣经", "religion"),
        ("中共", "politics"),
    }


def test_it_refuses_a_bad_severity_and_a_non_utf8_file(tmp_path: Path) -> None:
    """C-06: bad input gets a clear error naming the file and line."""
    bad = tmp_path / "bad.csv"
    bad.write_text("term,severity\n法轮功,maybe\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="bad.csv:2"):
        load_csv(bad)
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("法轮功".encode("gbk"))
    with pytest.raises(LexiconError, match="not UTF-8"):
        load_wordlist(gbk, "custom")


def test_it_loads_every_shipped_list() -> None:
    """C-06: the shipped third-party lists (MIT, see SOURCE.md) all import."""
    folder = DATA_DIR / "lexicons"
    total = 0
    for path in sorted(folder.glob("*.txt")) + sorted(folder.glob("*.csv")):
        terms = load_file(path, category="other_illegal", severity="review")
        assert terms, path.name
        total += len(terms)
    assert total > 30_000
    assert (folder / "SOURCE.md").is_file() and (folder / "LICENSE").is_file()


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared test data not present")
def test_it_imports_the_shared_test_lists() -> None:
    """C-06: the real lists in shared/testdata/lexicons import as category lists."""
    terms = load_wordlist(SHARED / "反动词库.txt", "state_security")
    assert len(terms) > 400


def test_it_hashes_a_lexicon_independently_of_order() -> None:
    """C-06: the lexicon digest (part of the lexicon version) ignores term order."""
    a = Lexicon([Term("甲乙", "custom"), Term("丙丁", "custom")])
    b = Lexicon([Term("丙丁", "custom"), Term("甲乙", "custom")])
    assert a.digest() == b.digest()
    b.add(Term("戊己", "custom"))
    assert a.digest() != b.digest()


def test_it_folds_width_case_and_traditional_characters() -> None:
    """C-06: full-width → half-width, upper → lower, traditional → simplified (opencc)."""
    fold = folding()
    assert fold.fold_term("ＦＡＬＵＮ") == "falun"
    assert fold.fold_term("發輪") == "发轮"
    assert fold.fold_term("法 * 轮\u200b功") == "法轮功"


def test_it_treats_spaces_symbols_and_emoji_as_noise_and_clause_ends_as_barriers() -> None:
    """C-06: noise is skippable, sentence and clause ends are barriers."""
    fold = folding()
    for char in " \u3000\u200b*＊.-_~|/😀“”《》【】":
        assert fold.fold_char(char) == NOISE_MARK, repr(char)
    for char in "。！？!?；;\n，、：":
        assert fold.fold_char(char) == BARRIER_MARK, repr(char)
    for char in "法aA1Ａ發":
        assert fold.fold_char(char) not in (NOISE_MARK, BARRIER_MARK)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_it_keeps_the_verification_text_as_long_as_the_original(text: str) -> None:
    """C-06: the verification text maps one character to one, so offsets need no table."""
    assert len(folding().verify_text(text)) == len(text)


def test_it_folds_the_fast_text_like_the_verification_text() -> None:
    """C-06: for every BMP character, lower() either gives the folded character or leaves a
    character that the automaton sends to the candidate path (so the fast path misses nothing)."""
    fold = folding()
    for cp in range(0x10000):
        char = chr(cp)
        if 0xD800 <= cp <= 0xDFFF or char in fold.noise:
            continue
        folded = fold.fold_char(char)
        if folded in (NOISE_MARK, BARRIER_MARK):
            continue
        lowered = char.lower()
        if len(lowered) != 1:
            continue
        assert lowered == folded or lowered in fold.foldable, (
            hex(cp),
            unicodedata.name(char, "?"),
        )
