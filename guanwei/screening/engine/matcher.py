"""The automaton and the exact pass behind lexicon screening (C-06, E-01).

Common path (no hit, nearly every document): the *fast text* — ``lower()`` and noise deleted —
goes through one daachorse automaton (overlapping search, so no match hides another): two
C-level string passes and one Rust pass.

The automaton holds:

* each *variant* of each term (the folded term, its opencc traditional spelling, its pinyin
  spellings and initials for marked terms), as written and with runs collapsed;
* every character that folds further (full width, traditional, compatibility forms) as a
  one-character pattern: a text containing one takes the candidate path, where it is folded;
* every character of the variants doubled (``cc``), except the characters ordinary Chinese
  doubles (天天, 妈妈 …: ``REDUPLICATED``), which get context markers instead.  A doubled
  character matters only if the runs around it continue a run-collapsed variant: some window of
  four run characters around it is one of its 4-grams, or a window of two or three is a whole
  short variant (a few set look-ups in :meth:`Matcher.triggered`).  So "今天天气" stays on the
  common path and "法法轮功" takes the candidate path.

Candidate path: the verification text ``V`` (one folded character per original character) is
read once into runs of one character (:class:`DocRuns`: noise marks dropped, a repeat within the
noise cap joins the run), the automaton runs over the run characters, and each variant found is
checked against the runs: each run long enough, at most ``max_noise`` noise characters between two
runs, a word boundary next to ASCII letters.  Clause and sentence ends are characters of their
own, so no occurrence crosses them.  The runs carry original offsets: start and end are exact.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
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


@dataclass(frozen=True, slots=True)
class Shape:
    """A variant as runs: collapsed characters and the least count of each run."""

    collapsed: str
    counts: tuple[int, ...]
    ascii_start: bool
    ascii_end: bool
    simple: bool  # every run is one character

    @classmethod
    def of(cls, pattern: str) -> Shape:
        pairs = runs(pattern)
        return cls(
            "".join(c for c, _n in pairs),
            tuple(n for _c, n in pairs),
            pattern[0] in _ASCII_ALNUM,
            pattern[-1] in _ASCII_ALNUM,
            all(n == 1 for _c, n in pairs),
        )


_NOISE_MARKS = re.compile("(" + re.escape(NOISE_MARK) + "+)")
_DOUBLE = re.compile(r"(.)(?=\1)", re.DOTALL)


class TextMap:
    """A text as the candidate path reads it, with a way back to original offsets.

    ``text`` is folded one character for one (``str.lower()`` when that is enough, otherwise the
    verification text ``V``); ``compact`` is ``text`` without noise; ``collapsed`` is ``compact``
    with runs of one character collapsed.  Noise and runs are few in a text, so both maps are
    kept as short lists of breakpoints, built with C-level regex scans."""

    __slots__ = ("text", "compact", "collapsed", "_seg_compact", "_seg_text", "_deleted", "_gone")

    def __init__(self, text: str, noise: re.Pattern[str]) -> None:
        self.text = text
        pieces = noise.split(text)  # the pattern has one group: text, noise, text, noise …
        seg_compact = [0]
        seg_text = [0]
        if len(pieces) > 1:
            at_compact = at_text = 0
            for i in range(0, len(pieces) - 1, 2):
                at_compact += len(pieces[i])
                at_text += len(pieces[i]) + len(pieces[i + 1])
                seg_compact.append(at_compact)
                seg_text.append(at_text)
            self.compact = compact = "".join(pieces[::2])
        else:
            self.compact = compact = text
        self._seg_compact = seg_compact
        self._seg_text = seg_text
        deleted = [m.start() for m in _DOUBLE.finditer(compact)]
        self._deleted = deleted
        self._gone = frozenset(deleted)
        if deleted:
            kept = [
                compact[a + 1 : b]
                for a, b in zip([-1, *deleted], [*deleted, len(compact)], strict=True)
            ]
            self.collapsed = "".join(kept)
        else:
            self.collapsed = compact

    def position(self, index: int) -> int:
        """Offset in ``text`` of ``compact[index]``."""
        segment = bisect_right(self._seg_compact, index) - 1
        return self._seg_text[segment] + index - self._seg_compact[segment]

    def index_of(self, offset: int) -> int:
        """``compact`` index of ``text[offset]`` (a character that is not noise): the inverse of
        :meth:`position`."""
        segment = bisect_right(self._seg_text, offset) - 1
        return self._seg_compact[segment] + offset - self._seg_text[segment]

    def run(self, index: int) -> tuple[int, int]:
        """First and last ``compact`` index of the run behind ``collapsed[index]``."""
        last = index
        for gone in self._deleted:
            if gone <= last:
                last += 1
            else:
                break
        first = last
        while first - 1 in self._gone:
            first -= 1
        return first, last

    def _pieces(self, index: int, max_noise: int) -> list[list[int]]:
        """The run behind ``collapsed[index]`` cut where two of its characters are more than
        ``max_noise`` apart: [start, end, count, first compact index] in ``text`` offsets."""
        first, last = self.run(index)
        position = self.position
        start = previous = position(first)
        piece = [start, start + 1, 1, first]
        out = [piece]
        for j in range(first + 1, last + 1):
            here = position(j)
            if here - previous - 1 > max_noise:
                piece = [here, here + 1, 0, j]
                out.append(piece)
            piece[1] = here + 1
            piece[2] += 1
            previous = here
        return out

    def match_at(self, index: int, shape: Shape, max_noise: int) -> list[tuple[int, int, int, int]]:
        """Occurrences of ``shape`` whose runs begin at ``collapsed[index]``: (start, end) of the
        whole span and (start, end) of its core — the first and last runs cut to the counts the
        variant needs, so 学习习近平 holds 习近平 at its core and an allow-phrase can mask it."""
        need = shape.counts
        found: list[tuple[int, int, int, int]] = []
        position = self.position
        size = len(need)
        if shape.simple and size > 1:
            # common case: single characters, no repeats, no noise in between
            first, kept = self.run(index)
            deleted = self._deleted
            if first == kept and bisect_left(deleted, kept) == bisect_left(deleted, kept + size):
                start = position(kept)
                end = position(kept + size - 1) + 1
                if end - start == size:
                    found.append((start, end, start, end))
                    return self._bounded(found, shape)
                # noise in between: check each gap against the cap
                places = [position(k) for k in range(kept, kept + size)]
                if all(b - a - 1 <= max_noise for a, b in zip(places, places[1:], strict=False)):
                    found.append((start, end, start, end))
                    return self._bounded(found, shape)
                return []
        if size == 1:
            for start, end, count, first in self._pieces(index, max_noise):
                if count >= need[0]:
                    found.append((start, end, start, position(first + need[0] - 1) + 1))
        else:
            start = end = core_start = -1
            for i, least in enumerate(need):
                pieces = self._pieces(index + i, max_noise)
                if i == 0:
                    piece = pieces[-1]  # the occurrence starts after the last long gap
                elif i == len(need) - 1:
                    piece = pieces[0]
                elif len(pieces) > 1:
                    return []
                else:
                    piece = pieces[0]
                if piece[2] < least or (i and piece[0] - end > max_noise):
                    return []
                if i == 0:
                    start = piece[0]
                    core_start = position(piece[3] + piece[2] - least)
                end = piece[1]
                if i == len(need) - 1:
                    core_end = position(piece[3] + least - 1) + 1
            found.append((start, end, core_start, core_end))
        return self._bounded(found, shape)

    def _bounded(
        self, found: list[tuple[int, int, int, int]], shape: Shape
    ) -> list[tuple[int, int, int, int]]:
        """Keep spans with a word boundary where the variant begins or ends with ASCII."""
        if not (shape.ascii_start or shape.ascii_end):
            return found
        text = self.text
        out = []
        for span in found:
            start, end = span[0], span[1]
            if shape.ascii_start and start and text[start - 1] in _ASCII_ALNUM:
                continue
            if shape.ascii_end and end < len(text) and text[end] in _ASCII_ALNUM:
                continue
            out.append(span)
        return out


CANDIDATE, DOUBLE, FOLDS, MARKER = 0, 1, 2, 3
# Characters that ordinary Chinese doubles (叠字: 天天, 妈妈, 慢慢, 哈哈 …).  A doubled one is not a
# pattern of its own — that would send most comments down the doubled-character check — but part
# of context markers (see _reduplication_markers).
REDUPLICATED = frozenset(
    "天人个家年日月常刚渐慢好看想试谈走听说等谢哈呵嘻嘿妈爸哥姐弟妹爷奶姥舅叔姨宝星娃乖满干净"
    "高兴明偏仅往纷默悄轻静稍深紧牢久多早大小红白绿长短圆胖暖甜香美快乐平安尝晒聊逛玩笑吃喝"
    "转歇瞧摸抱亲拜啦嗯哦噢哇呜嘤吼么啊哒嘛呀哟滴棒赞萌乎呼嘟咚哗啪砰嗒叮当隆巴拉点些片"
)


def _reduplication_markers(variants: list[Variant], chars: frozenset[str] | set[str]) -> set[str]:
    """Markers for a doubled character ``c`` of ``chars`` at position ``i`` of a run-collapsed
    variant ``C``: ``C[i-2] C[i-1] c c`` (``C[0] c c`` when ``i == 1``) and, for the first
    character, ``c c C[1] C[2]`` (``c c C[1]`` for two-character variants).  The leftmost doubled
    run of any occurrence produces one of them contiguously (runs before it are single)."""
    markers: set[str] = set()
    for variant in variants:
        collapsed = collapse_runs(variant.pattern)
        if len(collapsed) < 2:
            continue
        for i, char in enumerate(collapsed):
            if char not in chars:
                continue
            if i == 0:
                markers.add(char * 2 + collapsed[1:3])
            else:
                markers.add(collapsed[max(0, i - 2) : i] + char * 2)
    return markers


class Matcher:
    """Finds verified lexicon occurrences; offsets index the original text."""

    def __init__(self, variants: list[Variant], folding: Folding, max_noise: int) -> None:
        self.variants = variants
        self.folding = folding
        self.max_noise = max_noise
        table: dict[str, list[int]] = {}
        grams: set[str] = set()  # 4-grams of collapsed variants, and whole ones of 2-3 characters
        shorts: set[str] = set()  # trigrams of collapsed variants, and whole two-character ones
        pairs: set[str] = set()  # adjacent pairs of collapsed variants (quick rejection)
        alphabet: set[str] = set()
        for vid, variant in enumerate(variants):
            table.setdefault(variant.pattern, []).append(vid)
            collapsed = collapse_runs(variant.pattern)
            if collapsed != variant.pattern and len(collapsed) > 1:
                table.setdefault(collapsed, []).append(vid)
            alphabet.update(collapsed)
            if 1 < len(collapsed) < 4:
                grams.add(collapsed)
            else:
                grams.update(collapsed[i : i + 4] for i in range(len(collapsed) - 3))
            pairs.update(collapsed[i : i + 2] for i in range(len(collapsed) - 1))
            if len(collapsed) == 2:
                shorts.add(collapsed)
            else:
                shorts.update(collapsed[i : i + 3] for i in range(len(collapsed) - 2))
        kinds: dict[str, int] = {}
        for char in alphabet - REDUPLICATED:
            kinds.setdefault(char * 2, DOUBLE)
            table.setdefault(char * 2, [])
        for marker in _reduplication_markers(variants, alphabet & REDUPLICATED):
            kinds.setdefault(marker, MARKER)
            table.setdefault(marker, [])
        for char in folding.foldable:
            kinds.setdefault(char, FOLDS)
            table.setdefault(char, [])
        self.patterns = list(table)
        self._vids: list[tuple[int, ...]] = [tuple(vids) for vids in table.values()]
        self._kind: list[int] = [
            CANDIDATE if vids else kinds[pattern] for pattern, vids in table.items()
        ]
        self._grams = frozenset(grams)
        self._shorts = frozenset(shorts)
        left: dict[str, set[str]] = {}
        right: dict[str, set[str]] = {}
        for pair in pairs:
            right.setdefault(pair[0], set()).add(pair[1])
            left.setdefault(pair[1], set()).add(pair[0])
        # per automaton pattern: None, or (character, its left and right neighbours in variants)
        self._doubles: list[tuple[str, frozenset[str], frozenset[str]] | None] = [
            (p[0], frozenset(left.get(p[0], ())), frozenset(right.get(p[0], ())))
            if k == DOUBLE
            else None
            for p, k in zip(self.patterns, self._kind, strict=True)
        ]
        self.automaton = (
            daachorse.CharwiseDoubleArrayAhoCorasick(self.patterns) if self.patterns else None
        )
        # overlapping search on the common path: a match can never hide another one
        self.find_all = self.automaton.find_overlapping if self.automaton is not None else None
        self._shapes = [Shape.of(v.pattern) for v in variants]
        # a variant that is one character repeated (回回) is looked up by str.find: its run form,
        # one character, is not an automaton pattern
        self._single_runs = [
            vid
            for vid, shape in enumerate(self._shapes)
            if len(shape.collapsed) == 1 and len(variants[vid].pattern) > 1
        ]

    def triggered(
        self, fast: str, matches: list[tuple[int, int, int]], *, first: bool = False
    ) -> list[int]:
        """Start offsets (in ``fast``) of the automaton matches that need the candidate path:
        variants, characters to fold, context markers, and doubled characters whose
        neighbouring runs continue a variant — some window of four run characters around the
        doubled one is a 4-gram of a run-collapsed variant, or a window of two or three is a
        whole variant."""
        doubles = self._doubles
        grams = self._grams
        shorts = self._shorts
        out = []
        size = len(fast)
        checked = -1  # end of the last run checked (overlapping matches repeat a long run)
        for start, end, pid in matches:
            info = doubles[pid]
            if info is None:
                out.append(start)
                if first:
                    return out
                continue
            if start < checked:
                continue
            char, left, right = info
            j = end
            while j < size and fast[j] == char:
                j += 1
            checked = j
            # quick rejection: a window holding the doubled character holds a neighbour of it
            if not ((start and fast[start - 1] in left) or (j < size and fast[j] in right)):
                continue
            # second rejection: windows of two or three characters around the run, read
            # directly (the leftmost doubled run of an occurrence has single characters before
            # it, and the character right after a run is always exact)
            near = fast[max(0, start - 2) : start] + char + fast[j : j + 2]
            at = min(start, 2)
            if not any(near[a : a + 3] in shorts for a in range(max(0, at - 2), at + 1)) and not (
                near[at : at + 2] in shorts or (at and near[at - 1 : at + 1] in shorts)
            ):
                continue
            before: list[str] = []
            i = start - 1
            while i >= 0 and len(before) < 3:
                prev = fast[i]
                before.append(prev)
                while i >= 0 and fast[i] == prev:
                    i -= 1
            after: list[str] = []
            while j < size and len(after) < 3:
                nxt = fast[j]
                after.append(nxt)
                while j < size and fast[j] == nxt:
                    j += 1
            window = "".join(reversed(before)) + char + "".join(after)
            centre = len(before)
            for lo in range(max(0, centre - 3), centre + 1):
                if (
                    window[lo : lo + 4] in grams
                    or window[lo : lo + 3] in grams
                    or window[lo : lo + 2] in grams
                ):
                    out.append(start)
                    break
        return out

    @property
    def pattern_count(self) -> int:
        return len(self.patterns)

    def serialized_size(self) -> int:
        return len(self.automaton.serialize()) if self.automaton is not None else 0

    def fast_text(self, text: str) -> str:
        """What the automaton sees on the common path."""
        return self.folding.noise_re.sub("", text.lower())

    def text_map(self, text: str) -> TextMap:
        """The candidate path's view of ``text``: lower-cased if that folds it, else ``V``."""
        folding = self.folding
        lowered = text.lower()
        if len(lowered) == len(text) and not folding.fold_re.search(lowered):
            return TextMap(lowered, folding.noise_split)
        return TextMap(text.translate(folding.verify_table), _NOISE_MARKS)

    def hits(self, text: str) -> tuple[list[tuple[int, int, int, int, int]], TextMap]:
        """Candidate path: verified occurrences as (start, end, entry, core start, core end) in
        original offsets."""
        mapped = self.text_map(text)
        out: list[tuple[int, int, int, int, int]] = []
        automaton = self.automaton
        if automaton is None:
            return out, mapped
        collapsed = mapped.collapsed
        shapes, variants, cap = self._shapes, self.variants, self.max_noise
        for start, end, pid in automaton.find_overlapping(collapsed):
            for vid in self._vids[pid]:
                shape = shapes[vid]
                if len(shape.collapsed) != end - start:
                    continue  # the variant as written matched; only its run form counts here
                entry = variants[vid].entry
                out.extend((a, b, entry, c, d) for a, b, c, d in mapped.match_at(start, shape, cap))
        for vid in self._single_runs:
            shape = shapes[vid]
            entry = variants[vid].entry
            index = collapsed.find(shape.collapsed)
            while index != -1:
                out.extend((a, b, entry, c, d) for a, b, c, d in mapped.match_at(index, shape, cap))
                index = collapsed.find(shape.collapsed, index + 1)
        return out, mapped
