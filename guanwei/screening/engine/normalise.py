"""Text folding for the screening engine (C-06, E-01).

Three views of a text are used:

* the *fast text*: ``str.lower()`` and noise characters deleted (two C-level passes).  The
  automaton runs on it (see ``matcher.py``); for most documents nothing else happens.
* the *folded text* ``F``: noise deleted, then one ``str.translate`` that maps full-width to
  half-width, upper to lower case and traditional to simplified characters (candidate path,
  relevance).
* the *verification text* ``V``: the same folding, one character out for one character in (noise
  becomes ``NOISE_MARK``, a clause or sentence end becomes ``BARRIER_MARK``).  ``V`` has the length
  of the original text, so a regular-expression match on ``V`` gives offsets in the original text.

Clause punctuation (，、：) ends a clause like 。！？； do: a term is never joined across it, which
is what keeps "没办法，轮到我了" from reading as 法轮.  Spaces, symbols, brackets, quotes, emoji,
zero-width characters and ASCII punctuation are noise.

The traditional → simplified character table is extracted once per process from opencc's own
``t2s`` conversion, applied to every CJK character one by one; multi-character phrases are handled
by the lexicon (see ``matcher.py``: each term also gets its opencc ``s2t`` spelling as an alias).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

NOISE_MARK = "\x01"
BARRIER_MARK = "\n"
# Characters that end a sentence: a term is never joined across them.
BARRIERS = frozenset("。！？!?；;\n\r\x0b\x0c\u2028\u2029…｡，、：､")
# Unicode categories whose characters are noise (may be skipped between the characters of a term).
NOISE_CATEGORIES = frozenset(
    {"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp"}
    | {"Cc", "Cf", "Mn", "Mc", "Me"}
)
# Astral blocks handled as whole ranges (keeps the regular-expression classes fast).
ASTRAL_NOISE = ((0x1F000, 0x1FBFF),)  # emoji, pictographs, enclosed alphanumerics, symbols
ASTRAL_FOLD = ((0x1D400, 0x1D7FF), (0x2F800, 0x2FA1F))  # math letters, CJK compatibility
TABLE_SIZE = 0x30000
SEPARATOR = "\uffff"  # joins documents in batch mode; neither noise nor foldable


def _opencc_t2s_chars() -> dict[str, str]:
    """Single-character traditional → simplified mappings, as opencc's ``t2s`` converts them."""
    import opencc

    chars = [
        chr(cp)
        for cp in range(0x3400, TABLE_SIZE)
        if unicodedata.category(chr(cp)) == "Lo" and not (0xAC00 <= cp <= 0xD7AF)
    ]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - opencc keeps line breaks
        raise RuntimeError("opencc changed the number of lines")
    return {a: b for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1}


def _char_class(chars: Iterable[str], ranges: tuple[tuple[int, int], ...]) -> str:
    """A regex character class: BMP characters listed, astral ones only as the given ranges."""
    cps = sorted({ord(c) for c in chars if ord(c) < 0x10000})
    parts: list[str] = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        first = re.escape(chr(cps[i]))
        parts.append(first if j == i else f"{first}-{re.escape(chr(cps[j]))}")
        i = j + 1
    for lo, hi in ranges:
        parts.append(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}")
    return "[" + "".join(parts) + "]"


@dataclass(frozen=True)
class Folding:
    """Folding tables, built once per process by :func:`folding`."""

    fold_table: list[str | None]
    verify_table: list[str]
    noise: frozenset[str]
    foldable: frozenset[str]
    noise_re: re.Pattern[str]
    noise_split: re.Pattern[str]  # the same, as one group, for re.split
    fold_re: re.Pattern[str]
    t2s: dict[str, str]

    def folded_text(self, text: str) -> str:
        """``F``: noise deleted, then folded (only if some character needs folding)."""
        folded = self.noise_re.sub("", text)
        if self.fold_re.search(folded):
            folded = folded.translate(self.fold_table)
        return folded

    def verify_text(self, text: str) -> str:
        """``V``: one folded character per original character; noise and barriers marked."""
        return text.translate(self.verify_table)

    def fold_term(self, term: str) -> str:
        """Fold a lexicon term or allow-phrase like text; noise and sentence ends are removed."""
        folded = self.noise_re.sub("", term).translate(self.fold_table)
        return folded.replace(BARRIER_MARK, "")

    def fold_char(self, char: str) -> str:
        """The folded form of one character (noise → ``NOISE_MARK``, barrier → ``BARRIER_MARK``)."""
        return char.translate(self.verify_table)


def _fold_one(char: str, t2s: dict[str, str]) -> str:
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) != 1:
        folded = char
    lowered = folded.lower()
    if len(lowered) == 1:
        folded = lowered
    return t2s.get(folded, folded)


def _in_ranges(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


@functools.cache
def folding() -> Folding:
    """Build (once per process) the tables that fold text for screening."""
    t2s = _opencc_t2s_chars()
    fold_table: list[str | None] = [None] * TABLE_SIZE
    verify_table: list[str] = [""] * TABLE_SIZE
    noise: set[str] = set()
    foldable: set[str] = set()
    for cp in range(TABLE_SIZE):
        char = chr(cp)
        if 0xD800 <= cp <= 0xDFFF:  # lone surrogates (undecodable input): noise
            noise.add(char)
            fold_table[cp] = None
            verify_table[cp] = NOISE_MARK
            continue
        folded = _fold_one(char, t2s)
        if char in BARRIERS or folded in BARRIERS:
            fold_table[cp] = verify_table[cp] = BARRIER_MARK
            continue
        is_noise = (
            unicodedata.category(char) in NOISE_CATEGORIES
            or unicodedata.category(folded) in NOISE_CATEGORIES
            or _in_ranges(cp, ASTRAL_NOISE)
        )
        if cp >= 0x10000 and not _in_ranges(cp, ASTRAL_NOISE):
            is_noise = False  # astral noise only as whole ranges, to match the regex class
            if not _in_ranges(cp, ASTRAL_FOLD):
                folded = char
        if is_noise and char != SEPARATOR:
            noise.add(char)
            fold_table[cp] = None
            verify_table[cp] = NOISE_MARK
            continue
        fold_table[cp] = verify_table[cp] = folded
        if folded != char and cp < 0x10000:
            foldable.add(char)
    noise_class = _char_class(noise, ASTRAL_NOISE)
    # "[N][N]*", not "[N]+": a pattern that starts with a character class lets the regex engine
    # skip ahead with its fast class scan (about twice as fast on Chinese text).
    noise_re = re.compile(noise_class + noise_class + "*")
    fold_re = re.compile(_char_class(foldable, ASTRAL_FOLD))
    foldable.update(
        chr(cp) for lo, hi in ASTRAL_FOLD for cp in range(lo, hi + 1) if fold_table[cp] != chr(cp)
    )
    return Folding(
        fold_table=fold_table,
        verify_table=verify_table,
        noise=frozenset(noise),
        foldable=frozenset(foldable),
        noise_re=noise_re,
        noise_split=re.compile("(" + noise_class + noise_class + "*)"),
        fold_re=fold_re,
        t2s=t2s,
    )


_DOUBLE = re.compile(r"(.)(?=\1)", re.DOTALL)


def collapse_runs(text: str) -> str:
    """Collapse runs of one repeated character to one character (法法轮轮功 → 法轮功)."""
    return _DOUBLE.sub("", text)


def runs(text: str) -> list[tuple[str, int]]:
    """The runs of ``text`` as (character, count) pairs."""
    out: list[tuple[str, int]] = []
    for char in text:
        if out and out[-1][0] == char:
            out[-1] = (char, out[-1][1] + 1)
        else:
            out.append((char, 1))
    return out
