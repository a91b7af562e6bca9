"""The automaton and the exact pass behind lexicon screening (C-06, E-01).

Common path (no hit, nearly every document): the *fast text* — ``lower()``, noise deleted, runs of
a repeated character collapsed (法法轮轮功 → 法轮功) — goes through one daachorse automaton.
Three C-level string passes and one Rust pass; no per-character Python.

The automaton holds:

* each *variant* of each term (the folded term, its opencc traditional spelling, its pinyin
  spellings and initials for marked terms), runs collapsed;
* every character that folds further (full width, traditional, compatibility forms) as a
  one-character pattern: a text containing one takes the candidate path, where it is folded fully;
* for a term that is one repeated character (哈哈, 回回) runs of that character are not collapsed,
  and the doubled character is a pattern, so a doubled ``X`` takes the candidate path too.

Candidate path: the text is folded fully (``F``), the variants found in it (runs collapsed or not)
are confirmed by a regular expression each on the verification text ``V`` — one character per
original character — which enforces the noise cap between two characters, refuses to cross a
clause or sentence end, allows repeated characters and requires a word boundary next to ASCII
letters.  The regex match gives start and end in the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import daachorse

from .normalise import NOISE_MARK, Folding, collapse_re, collapse_runs, runs

KIND_TERM = "term"
KIND_TRADITIONAL = "traditional"
KIND_PINYIN = "pinyin"
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


@dataclass(frozen=True, slots=True)
class Variant:
    """One spelling of a term that the automaton looks for (already folded)."""

    pattern: str
    entry: int  # index of the resolved term
    kind: str


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\U00020000" <= char <= "\U0003134f"


@cache
def _pinyin_module() -> object:
    import pypinyin

    return pypinyin


def pinyin_spellings(term: str, *, mixed_max: int = 4) -> set[str]:
    """Pinyin spellings of a term: full (falungong), initials (flg, 3+ characters), and for short
    terms the mixed forms an evader writes (法lun功, fa轮功).  Computed with pypinyin at build
    time only; screening never calls pypinyin."""
    if not any(_is_cjk(c) for c in term):
        return set()
    pypinyin = _pinyin_module()
    style = pypinyin.Style.NORMAL  # type: ignore[attr-defined]
    phrase = [p[0] for p in pypinyin.pinyin(term, style=style, errors=list)]  # type: ignore[attr-defined]
    per_char = [
        p[0]
        for p in pypinyin.pinyin(list(term), style=style, errors=list)  # type: ignore[attr-defined]
    ]
    readings = [phrase] if phrase == per_char else [phrase, per_char]
    out: set[str] = set()
    for syllables in readings:
        if len(syllables) != len(term):
            continue
        syllables = [s.lower() if _is_cjk(c) else c for s, c in zip(syllables, term, strict=True)]
        out.add("".join(syllables))
        cjk_count = sum(1 for c in term if _is_cjk(c))
        if cjk_count >= 3:
            out.add(
                "".join(s[0] if _is_cjk(c) else c for s, c in zip(syllables, term, strict=True))
            )
        if 2 <= len(term) <= mixed_max:
            for mask in range(1, 2 ** len(term) - 1):
                out.add(
                    "".join(
                        syllables[i] if (mask >> i) & 1 and _is_cjk(term[i]) else term[i]
                        for i in range(len(term))
                    )
                )
    out.discard(term)
    return {s for s in out if s}


def variant_regex(pattern: str, max_noise: int) -> re.Pattern[str]:
    """The exact pass for one variant, on the verification text ``V``."""
    gap = f"{re.escape(NOISE_MARK)}{{0,{max_noise}}}"
    parts = []
    for char, count in runs(pattern):
        c = re.escape(char)
        repeat = "*" if count == 1 else f"{{{count - 1},}}"
        parts.append(f"{c}(?:{gap}{c}){repeat}")
    body = gap.join(parts)
    if pattern[0] in _ASCII_ALNUM:
        body = "(?<![a-z0-9])" + body
    if pattern[-1] in _ASCII_ALNUM:
        body += "(?![a-z0-9])"
    return re.compile(body)


class Matcher:
    """Finds verified lexicon occurrences; offsets index the original text."""

    def __init__(self, variants: list[Variant], folding: Folding, max_noise: int) -> None:
        self.variants = variants
        self.folding = folding
        self.max_noise = max_noise
        # characters that make up a whole term by repetition (哈哈): their runs are kept
        self.kept = frozenset(
            rs[0][0] for rs in (runs(v.pattern) for v in variants) if len(rs) == 1 and rs[0][1] > 1
        )
        self.collapse_fast = collapse_re(self.kept)
        table: dict[str, list[int]] = {}
        for vid, variant in enumerate(variants):
            fast = self.collapse_fast.sub("", variant.pattern)
            table.setdefault(fast, []).append(vid)
            full = collapse_runs(variant.pattern)
            if full != fast and (len(full) > 1 or len(variant.pattern) == 1):
                table.setdefault(full, []).append(vid)
        for char in self.kept:
            table.setdefault(char * 2, [])
        for char in folding.foldable:
            table.setdefault(char, [])
        self.patterns = list(table)
        self._vids: list[tuple[int, ...]] = [tuple(vids) for vids in table.values()]
        self.automaton = (
            daachorse.CharwiseDoubleArrayAhoCorasick(self.patterns) if self.patterns else None
        )
        self._regex: dict[int, re.Pattern[str]] = {}

    @property
    def pattern_count(self) -> int:
        return len(self.patterns)

    def serialized_size(self) -> int:
        return len(self.automaton.serialize()) if self.automaton is not None else 0

    def fast_text(self, text: str) -> str:
        """What the automaton sees on the common path."""
        return self.collapse_fast.sub("", self.folding.noise_re.sub("", text.lower()))

    def regex(self, vid: int) -> re.Pattern[str]:
        found = self._regex.get(vid)
        if found is None:
            found = self._regex[vid] = variant_regex(self.variants[vid].pattern, self.max_noise)
        return found

    def candidates(self, folded: str) -> set[int]:
        """Variant ids that may occur in the folded text ``F`` (runs collapsed or kept)."""
        automaton = self.automaton
        if automaton is None:
            return set()
        vids = self._vids
        found: set[int] = set()
        for text in {self.collapse_fast.sub("", folded), collapse_runs(folded)}:
            for _start, _end, pid in automaton.find_overlapping(text):
                found.update(vids[pid])
        return found

    def verify(self, verify_text: str, vids: set[int]) -> list[tuple[int, int, int]]:
        """Confirm candidate variants on ``V``: (start, end, entry) in original offsets."""
        out: list[tuple[int, int, int]] = []
        for vid in vids:
            entry = self.variants[vid].entry
            for match in self.regex(vid).finditer(verify_text):
                out.append((match.start(), match.end(), entry))
        return out
