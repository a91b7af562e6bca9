"""Evasion robustness of the screening engine (C-06, E-01): one test per evasion class, offsets in
the original text, and the common path never missing what the candidate path would find."""

from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanwei.screening.engine import Engine, EngineConfig, Term, build_engine


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Shadows the project conftest's Django-only fixture: engine tests run with -p no:django."""


@functools.cache
def engine() -> Engine:
    terms = (
        Term("法轮功", "cult_superstition", "block", pinyin=True),
        Term("六四", "state_security", "block"),
        Term("代开发票", "other_illegal", "review"),
        Term("回回", "ethnic_hatred", "block"),
        Term("flg", "cult_superstition", "block"),
        Term("看着办", "other_illegal", "review"),
        Term("哈哈笑", "insult_defamation", "review"),
    )
    return build_engine(EngineConfig(name="test", terms=terms, max_noise=3))


def hit_terms(text: str) -> list[tuple[str, int, int, str]]:
    return [(h.term, h.start, h.end, h.matched) for h in engine().screen(text, kind="comment").hits]


def test_it_finds_a_plain_term_with_offsets_in_the_original_text() -> None:
    """C-06: a hit reports start and end (Python str indices, end exclusive) of the original."""
    text = "大家好，法轮功是邪教"
    assert hit_terms(text) == [("法轮功", 4, 7, "法轮功")]


def test_it_folds_full_width_and_upper_case() -> None:
    """C-06: full-width and upper-case letters do not hide a term (ＦＬＧ, Flg)."""
    assert hit_terms("看 ＦＬＧ 吧") == [("flg", 2, 5, "ＦＬＧ")]
    assert hit_terms("看 Flg 吧") == [("flg", 2, 5, "Flg")]


def test_it_folds_traditional_characters() -> None:
    """C-06: traditional characters (opencc tables) do not hide a term: 法輪功, 代開發票."""
    assert hit_terms("他說法輪功") == [("法轮功", 2, 5, "法輪功")]
    assert hit_terms("可以代開發票") == [("代开发票", 2, 6, "代開發票")]


def test_it_matches_the_opencc_phrase_spelling_of_a_term() -> None:
    """C-06: a term whose traditional spelling needs phrase-level conversion (看着 → 看著) still
    matches: the engine adds the opencc s2t spelling of each term as an alias."""
    assert hit_terms("你看著辦吧") == [("看着办", 1, 4, "看著辦")]


@pytest.mark.parametrize(
    "text",
    [
        "法*轮功",
        "法 轮 功",
        "法\u200b轮\u200b功",
        "法＊轮＊功",
        "法\u3000轮\u3000功",
        "法😀轮功",
        "法-_-轮功",
    ],
)
def test_it_skips_noise_between_the_characters_of_a_term(text: str) -> None:
    """C-06: noise characters inserted between the characters (法*轮, 法 轮, zero-width space,
    ＊, U+3000, emoji) are skipped; the hit spans the original characters."""
    assert hit_terms(text) == [("法轮功", 0, len(text), text)]


def test_it_caps_the_noise_it_skips() -> None:
    """C-06: at most ``max_noise`` (3) noise characters are skipped between two characters."""
    assert hit_terms("法***轮功") == [("法轮功", 0, 6, "法***轮功")]
    assert hit_terms("法****轮功") == []


@pytest.mark.parametrize("text", ["法。轮功", "法！轮功", "法？轮功", "法\n轮功", "没办法，轮功"])
def test_it_does_not_join_across_sentence_or_clause_ends(text: str) -> None:
    """C-06: a term is never joined across 。！？ or a line break, nor across ，、：."""
    assert [t for t in hit_terms(text) if t[0] == "法轮功"] == []


def test_it_matches_repeated_characters() -> None:
    """C-06: repeated characters (法法轮轮功, 六六六四) are matched; the span covers them."""
    assert hit_terms("法法轮轮功") == [("法轮功", 0, 5, "法法轮轮功")]
    assert hit_terms("说六六六四") == [("六四", 1, 5, "六六六四")]
    assert hit_terms("法 法 轮  轮功") == [("法轮功", 0, 9, "法 法 轮  轮功")]


def test_it_requires_a_doubled_term_to_be_doubled() -> None:
    """C-06: a term that is itself a repetition (回回) needs the repetition; 回家 is fine."""
    assert hit_terms("回家了") == []
    assert hit_terms("回回回") == [("回回", 0, 3, "回回回")]
    assert hit_terms("哈笑") == []
    assert hit_terms("哈哈哈笑") == [("哈哈笑", 0, 4, "哈哈哈笑")]


def test_it_leaves_ordinary_reduplication_alone() -> None:
    """C-06: everyday doubled characters (天天, 妈妈, 哈哈) are not hits by themselves."""
    assert hit_terms("今天天气好，妈妈说天天开心哈哈") == []


def test_it_matches_pinyin_and_initials_only_for_marked_terms() -> None:
    """C-06: a pack-marked term also matches its pinyin (falungong, Fa Lun Gong), initials
    (FLG-like, three or more characters) and mixed spellings (法lun功); unmarked terms do not."""
    assert hit_terms("FaLunGong好") == [("法轮功", 0, 9, "FaLunGong")]
    assert hit_terms("fa lun gong") == [("法轮功", 0, 11, "fa lun gong")]
    assert hit_terms("法lun功") == [("法轮功", 0, 5, "法lun功")]
    assert hit_terms("liusi") == []  # 六四 is not marked for pinyin


def test_it_requires_word_boundaries_next_to_ascii_letters() -> None:
    """C-06: an ASCII term is not found inside an English word (flgx, xflg)."""
    assert hit_terms("xflgx") == []
    assert hit_terms("flg.") == [("flg", 0, 3, "flg")]


def test_it_finds_every_occurrence() -> None:
    """C-06: two occurrences give two hits with their own offsets."""
    assert hit_terms("六四，六 四") == [("六四", 0, 2, "六四"), ("六四", 3, 6, "六 四")]


def test_it_gives_the_same_results_one_by_one_and_in_a_batch() -> None:
    """C-06: ``screen_many`` (comment streams) equals ``screen`` text by text, empty texts and
    texts that are only noise included."""
    texts = ["法 轮 功", "", "***", "今天天气好", "代開發票", "法法轮功", "六四", "", "ok"]
    one_by_one = [engine().screen(t, kind="comment") for t in texts]
    assert engine().screen_many(texts, kind="comment") == one_by_one


_PIECES = st.sampled_from(
    ["法", "轮", "功", "六", "四", "回", "哈", "笑", "代", "开", "發", "票", "看", "着", "办"]
    + ["f", "l", "g", "F", "*", " ", "\u200b", "＊", "\u3000", "。", "，", "天", "的", "😀"]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_it_never_misses_on_the_common_path_what_the_candidate_path_finds(text: str) -> None:
    """C-06: the fast pre-filter is complete: screening equals the exact pass run on every
    text, and every hit's ``matched`` is ``text[start:end]`` of the original."""
    result = engine().screen(text, kind="comment")
    hits, masked = engine()._lexicon_hits(text)
    assert set(result.hits) == set(hits)
    assert set(result.masked) == set(masked)
    for hit in result.hits:
        assert text[hit.start : hit.end] == hit.matched
        assert 0 <= hit.start < hit.end <= len(text)
