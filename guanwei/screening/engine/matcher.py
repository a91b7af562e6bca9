"""The automaton and the exact pass behind lexicon screening (C-06, E-01).

Common path (no hit, nearly every document): the *fast text* — ``lower()`` and noise deleted —
goes through one daachorse automaton: two C-level string passes and one Rust pass.

The automaton holds:

* each *variant* of each term (the folded term, its opencc traditional spelling, its pinyin
  spellings and initials for marked terms), as written and with runs collapsed;
* every character that folds further (full width, traditional, compatibility forms) as a
  one-character pattern: a text containing one takes the candidate path, where it is folded;
* every character of the variants doubled (``cc``).  A doubled character matters only if the
  runs around it continue a run-collapsed variant: ``x c y`` one of its trigrams, or ``w x c``
  its last trigram, or ``c y z`` its first one (a few set look-ups in :meth:`Matcher.triggered`).
  So "今天天气" stays on the common path, "法法轮功" takes the candidate path.

Candidate path: the text is folded fully (``F``); the variants found in ``F`` and in ``F`` with
runs collapsed are confirmed by a regular expression each on the verification text ``V`` — one
character per original character — which enforces the noise cap between two characters, refuses
to cross a clause or sentence end, allows repeated characters and requires a word boundary next to
ASCII letters.  The regex match gives start and end in the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import daachorse

from .normalise import NOISE_MARK, Folding, collapse_runs, runs

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


CANDIDATE, DOUBLE, FOLDS = 0, 1, 2


class Matcher:
    """Finds verified lexicon occurrences; offsets index the original text."""

    def __init__(self, variants: list[Variant], folding: Folding, max_noise: int) -> None:
        self.variants = variants
        self.folding = folding
        self.max_noise = max_noise
        table: dict[str, list[int]] = {}
        inner: set[str] = set()  # trigrams of collapsed variants
        first: set[str] = set()  # first trigram (or the whole two-character variant)
        last: set[str] = set()  # last trigram (or the whole two-character variant)
        alphabet: set[str] = set()
        for vid, variant in enumerate(variants):
            table.setdefault(variant.pattern, []).append(vid)
            collapsed = collapse_runs(variant.pattern)
            if collapsed != variant.pattern and len(collapsed) > 1:
                table.setdefault(collapsed, []).append(vid)
            alphabet.update(collapsed)
            if len(collapsed) > 1:
                first.add(collapsed[:3])
                last.add(collapsed[-3:])
                inner.update(collapsed[i : i + 3] for i in range(len(collapsed) - 2))
        kinds: dict[str, int] = {}
        for char in alphabet:
            kinds.setdefault(char * 2, DOUBLE)
            table.setdefault(char * 2, [])
        for char in folding.foldable:
            kinds.setdefault(char, FOLDS)
            table.setdefault(char, [])
        self.patterns = list(table)
        self._vids: list[tuple[int, ...]] = [tuple(vids) for vids in table.values()]
        self._kind: list[int] = [
            CANDIDATE if vids else kinds[pattern] for pattern, vids in table.items()
        ]
        self._first = frozenset(first)
        self._last = frozenset(last)
        self._inner = frozenset(inner)
        self.automaton = (
            daachorse.CharwiseDoubleArrayAhoCorasick(self.patterns) if self.patterns else None
        )
        self._regex: dict[int, re.Pattern[str]] = {}

    def triggered(self, fast: str, matches: list[tuple[int, int, int]]) -> list[int]:
        """Start offsets (in ``fast``) of the automaton matches that need the candidate path:
        variants, characters to fold, and doubled characters whose neighbouring runs continue a
        variant (``prev c next`` an inner trigram, ``prev2 prev c`` a last one, ``c next next2``
        a first one; a two-character variant is its own first and last trigram)."""
        kind = self._kind
        inner, first, last = self._inner, self._first, self._last
        out = []
        size = len(fast)
        for start, end, pid in matches:
            if kind[pid] != DOUBLE:
                out.append(start)
                continue
            char = fast[start]
            i = start - 1
            prev = fast[i] if i >= 0 else ""
            while i >= 0 and fast[i] == prev:
                i -= 1
            prev2 = fast[i] if i >= 0 else ""
            j = end
            while j < size and fast[j] == char:
                j += 1
            after = fast[j] if j < size else ""
            while j < size and fast[j] == after:
                j += 1
            after2 = fast[j] if j < size else ""
            if (
                prev + char + after in inner
                or prev2 + prev + char in last
                or prev + char in last
                or char + after + after2 in first
                or char + after in first
            ):
                out.append(start)
        return out

    @property
    def pattern_count(self) -> int:
        return len(self.patterns)

    def serialized_size(self) -> int:
        return len(self.automaton.serialize()) if self.automaton is not None else 0

    def fast_text(self, text: str) -> str:
        """What the automaton sees on the common path."""
        return self.folding.noise_re.sub("", text.lower())

    def regex(self, vid: int) -> re.Pattern[str]:
        found = self._regex.get(vid)
        if found is None:
            found = self._regex[vid] = variant_regex(self.variants[vid].pattern, self.max_noise)
        return found

    def candidates(self, folded: str) -> set[int]:
        """Variant ids that may occur in the folded text ``F`` (as written or runs collapsed)."""
        automaton = self.automaton
        if automaton is None:
            return set()
        vids = self._vids
        found: set[int] = set()
        for text in {folded, collapse_runs(folded)}:
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
