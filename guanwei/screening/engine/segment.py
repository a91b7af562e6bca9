"""Word segmentation for short terms that straddle a word boundary (issue 10 §5, C-06).

A two- or three-character term of a shipped or pack list is also found where its characters
belong to two different words: 发情 in 突发|情况, 台独 in 平台|独立, 藏独 in 西藏|独特.  Such a hit
is kept only where the segmentation makes the term a word — the term is one segment, or lies
inside one segment, or begins and ends on segment boundaries (支持|台独, 台|独 when jieba does not
know the word).  It is dropped when a boundary falls inside the term and a word on either side
reaches outside it (the term *straddles* a boundary).  An organisation's own terms are never
checked: they are always found (issue 8 §5).

Segmentation is jieba (pinned in ``pyproject.toml``), run without its HMM (deterministic, no new
words guessed), on the folded clause around the hit only — never on the common path.  The
tokenizer is made once per process, lazily (the first text with a short hit pays it, or
:func:`warm`), from jieba's own dictionary plus a fixed vocabulary: the shipped lexicons that
the default configuration screens (at a low frequency, so a term is a word where nothing more
ordinary competes), the shipped allow-lists and the relevance vocabulary (as ordinary words) and
``data/segment/words.txt`` (official-prose words jieba lacks).  The vocabulary does not depend on
which packs a process has built, so a verdict never depends on what was screened before it.

jieba writes its dictionary cache (``jieba.cache``) to the temporary folder the first time; it
never reads the network.
"""

from __future__ import annotations

import logging
import threading
import time
import tomllib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from .normalise import BARRIER_MARK, BARRIERS

DATA_DIR = Path(__file__).resolve().parent / "data"
WORDS_FILE = DATA_DIR / "segment" / "words.txt"
TERM_FREQ = 3  # a listed term: a word where no ordinary word competes for its characters
WORD_FREQ = 2000  # an ordinary word of official prose (allow-lists, relevance, words.txt)
ORDINARY_FREQ = 100  # a dictionary word this frequent is ordinary (the ambiguity rule)
MAX_WORD = 4  # longest word the ambiguity rule looks for on either side of a cut
_CLAUSE_ENDS = frozenset(BARRIERS) | {BARRIER_MARK}

_lock = threading.Lock()
_state: dict[str, Any] = {}


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\U00020000" <= char <= "\U0003134f"


def checkable(key: str, max_length: int) -> bool:
    """A folded term whose hits are checked against the segmentation: 2..max_length CJK
    characters."""
    return 2 <= len(key) <= max_length and all(_is_cjk(c) for c in key)


def _lines(path: Path) -> Iterable[str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError:
        return ()
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line.split(",", 1)[0].split("\t", 1)[0].strip())
    return out


def _vocabulary() -> tuple[list[str], list[str]]:
    """(terms, ordinary words) of the fixed vocabulary: see the module docstring."""
    with (DATA_DIR / "default.toml").open("rb") as handle:
        table = tomllib.load(handle)["screening"]
    terms: list[str] = []
    words: list[str] = []
    for item in table.get("lexicons", []):
        reference = str(item.get("file", ""))
        if reference.startswith("builtin:"):
            path = DATA_DIR / reference.removeprefix("builtin:")
            if path.suffix == ".csv":
                terms.extend(line for line in _lines(path) if line != "term")
            else:
                terms.extend(_lines(path))
    for item in table.get("allow", []):
        for reference in item.get("files", []):
            if str(reference).startswith("builtin:"):
                words.extend(_lines(DATA_DIR / str(reference).removeprefix("builtin:")))
        words.extend(item.get("phrases", []))
    for path in sorted((DATA_DIR / "relevance").glob("*.txt")):
        words.extend(_lines(path))
    words.extend(_lines(WORDS_FILE))
    return terms, words


def tokenizer() -> Any:
    """The process's jieba tokenizer (made on first use; :func:`stats` tells the cost)."""
    made = _state.get("tokenizer")
    if made is not None:
        return made
    with _lock:
        made = _state.get("tokenizer")
        if made is not None:
            return made
        started = time.perf_counter()
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tk = jieba.Tokenizer()
        tk.initialize()
        loaded = time.perf_counter()
        terms, words = _vocabulary()
        freq = tk.FREQ
        added = 0
        from .normalise import folding

        fold = folding()
        for word, weight in [(w, WORD_FREQ) for w in words] + [(t, TERM_FREQ) for t in terms]:
            key = fold.fold_term(word)
            if len(key) < 2 or freq.get(key):
                continue
            tk.add_word(key, weight)
            added += 1
        _state["stats"] = {
            "jieba_load_seconds": round(loaded - started, 3),
            "vocabulary_seconds": round(time.perf_counter() - loaded, 3),
            "words_added": added,
        }
        _state["tokenizer"] = tk
        return tk


def warm() -> dict[str, Any]:
    """Make the tokenizer now (a worker's start, a benchmark) and return its cost."""
    tokenizer()
    return stats()


def stats() -> dict[str, Any]:
    return dict(_state.get("stats", {}))


@lru_cache(maxsize=4096)
def _boundaries(clause: str) -> frozenset[int]:
    """Segment boundaries (offsets into ``clause``, 0 and len included)."""
    out = {0}
    at = 0
    for word in tokenizer().cut(clause, HMM=False):
        at += len(word)
        out.add(at)
    return frozenset(out)


def _two_word_reading(clause: str, a: int, b: int) -> tuple[str, ...] | None:
    """The ambiguity rule: jieba's best path may still join the term (后|台独|有, because 后 and
    有 are frequent characters) where the text reads as two ordinary words around it (后台|独有).
    The term straddles when, at a cut inside it, a dictionary word of at least
    ``ORDINARY_FREQ`` ends at the cut having begun before the term, and another begins at the
    cut and ends after the term.  Listed terms (added at ``TERM_FREQ``) never count as such
    words."""
    freq = tokenizer().FREQ
    size = len(clause)
    for k in range(a + 1, b):
        left = next(
            (
                clause[x:k]
                for x in range(max(0, k - MAX_WORD), a)
                if freq.get(clause[x:k], 0) >= ORDINARY_FREQ
            ),
            None,
        )
        if left is None:
            continue
        right = next(
            (
                clause[k:y]
                for y in range(min(size, k + MAX_WORD), b, -1)
                if freq.get(clause[k:y], 0) >= ORDINARY_FREQ
            ),
            None,
        )
        if right is not None:
            return (left, right)
    return None


def straddles(compact: str, start: int, end: int) -> tuple[str, ...] | None:
    """The words of the segmentation around ``compact[start:end]`` when the term there
    straddles a word boundary (a boundary inside it, and a word on one side reaching outside
    it), else None.  ``compact`` is the folded text without noise."""
    lo = start
    while lo > 0 and compact[lo - 1] not in _CLAUSE_ENDS:
        lo -= 1
    hi = end
    size = len(compact)
    while hi < size and compact[hi] not in _CLAUSE_ENDS:
        hi += 1
    clause = compact[lo:hi]
    bounds = _boundaries(clause)
    a, b = start - lo, end - lo
    inside = any(a < k < b for k in bounds)
    if not inside or (a in bounds and b in bounds):
        return _two_word_reading(clause, a, b)
    # the words that overlap the term, for the explanation
    ordered = sorted(bounds)
    words = []
    for left, right in zip(ordered, ordered[1:], strict=False):
        if left < b and right > a:
            words.append(clause[left:right])
    return tuple(words)
