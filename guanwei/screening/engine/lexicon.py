"""Lexicons: terms by category and severity (C-06, E-01).

A :class:`Term` carries a category, a severity (``block`` or ``review``) and an optional note.
Categories are the eight prohibited categories of C-06 (第二篇第九条), the "three don'ts" of E-01
(religion, politics, pornography) and any name a pack defines (``advertising``, ``custom`` …).

Import formats:

* plain text, one term per line (:func:`load_wordlist`); blank lines and lines starting with
  ``#`` are skipped; a UTF-8 BOM is tolerated;
* CSV (:func:`load_csv`), either *long* — a header with a ``term`` column and optional
  ``category``, ``severity``, ``note``, ``pinyin`` columns — or *wide* — one column per category,
  the header cell naming the category, each cell below it a term of that category.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

BLOCK = "block"
REVIEW = "review"
PASS = "pass"
SEVERITIES = (BLOCK, REVIEW)
SEVERITY_RANK = {PASS: 0, REVIEW: 1, BLOCK: 2}

# Category id -> (requirement, Chinese label).  C-06 lists eight prohibited categories, E-01 three
# don'ts; a pack may use any further name (it is shown as given). The E-01 lists ship to every
# pack, so their labels use no one rule book's words (issue #10 §2: not 三不 in the college).
CATEGORIES: dict[str, tuple[str, str]] = {
    "constitution": ("C-06", "反对宪法所规定的基本原则"),
    "state_security": ("C-06", "危害国家安全、泄露国家秘密、颠覆国家政权、破坏国家统一"),
    "national_honour": ("C-06", "损害国家荣誉和利益"),
    "ethnic_hatred": ("C-06", "煽动民族仇恨、民族歧视，破坏民族团结"),
    "cult_superstition": ("C-06", "破坏国家宗教政策，宣扬邪教和封建迷信"),
    "obscenity_violence": ("C-06", "散布淫秽、色情、赌博、暴力、凶杀、恐怖或者教唆犯罪"),
    "insult_defamation": ("C-06", "侮辱或诽谤他人，侵犯他人合法权益"),
    "other_illegal": ("C-06", "其它违反法律法规政策的内容"),
    "religion": ("E-01", "涉及宗教"),
    "politics": ("E-01", "涉及政治"),
    "pornography": ("E-01", "涉及色情"),
    "custom": ("C-06", "自定义词库"),
    "sensitive_event": ("C-07", "敏感事件"),
}
C06_CATEGORIES = (
    "constitution",
    "state_security",
    "national_honour",
    "ethnic_hatred",
    "cult_superstition",
    "obscenity_violence",
    "insult_defamation",
    "other_illegal",
)
E01_CATEGORIES = ("religion", "politics", "pornography")


class LexiconError(ValueError):
    """A lexicon file or entry cannot be used."""


@dataclass(frozen=True, slots=True)
class Term:
    """One lexicon entry."""

    text: str
    category: str
    severity: str = BLOCK
    note: str = ""
    pinyin: bool = False  # also match pinyin spellings and initials (only for marked terms)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise LexiconError(f"term {self.text!r}: severity must be block or review")
        if not self.category:
            raise LexiconError(f"term {self.text!r}: category is empty")


@dataclass
class Lexicon:
    """An ordered collection of terms (duplicates are resolved when the engine is built)."""

    terms: list[Term] = field(default_factory=list)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def add(self, term: Term) -> None:
        self.terms.append(term)

    def extend(self, terms: Iterable[Term]) -> None:
        self.terms.extend(terms)

    def digest(self) -> str:
        """A stable hash of the terms (order-independent)."""
        lines = sorted(
            f"{t.text}\t{t.category}\t{t.severity}\t{t.note}\t{int(t.pinyin)}" for t in self.terms
        )
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LexiconError(f"cannot read lexicon {path}: {exc.strerror}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LexiconError(f"lexicon {path} is not UTF-8 (byte {exc.start})") from exc


def load_wordlist(
    path: Path | str,
    category: str,
    severity: str = BLOCK,
    *,
    note: str = "",
    pinyin: bool = False,
) -> list[Term]:
    """Terms from a plain one-term-per-line file (C-06); the note defaults to the file name."""
    path = Path(path)
    note = note or path.name
    terms: list[Term] = []
    seen: set[str] = set()
    for line in _read_text(path).splitlines():
        text = line.strip()
        if not text or text.startswith("#") or text in seen:
            continue
        seen.add(text)
        terms.append(Term(text, category, severity, note, pinyin))
    return terms


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "y", "是"}


def load_csv(path: Path | str, *, category: str = "custom", severity: str = BLOCK) -> list[Term]:
    """Terms from a CSV file with category columns (long or wide form, see module doc)."""
    path = Path(path)
    rows = list(csv.reader(_read_text(path).splitlines()))
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    terms: list[Term] = []
    if "term" in header:
        col = {name: header.index(name) for name in header}

        def cell(row: list[str], name: str, default: str) -> str:
            i = col.get(name)
            value = row[i].strip() if i is not None and i < len(row) else ""
            return value or default

        for number, row in enumerate(rows[1:], start=2):
            text = cell(row, "term", "")
            if not text or text.startswith("#"):
                continue
            try:
                terms.append(
                    Term(
                        text,
                        cell(row, "category", category),
                        cell(row, "severity", severity).lower(),
                        cell(row, "note", ""),
                        _truthy(cell(row, "pinyin", "")),
                    )
                )
            except LexiconError as exc:
                raise LexiconError(f"{path}:{number}: {exc}") from exc
        return terms
    categories = [cell.strip() for cell in rows[0]]
    for row in rows[1:]:
        for i, value in enumerate(row):
            text = value.strip()
            if text and i < len(categories) and categories[i]:
                terms.append(Term(text, categories[i], severity, path.name))
    return terms


def load_file(
    path: Path | str, *, category: str = "custom", severity: str = BLOCK, pinyin: bool = False
) -> list[Term]:
    """Load by extension: ``.csv`` with :func:`load_csv`, anything else as a word list."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        terms = load_csv(path, category=category, severity=severity)
        if pinyin:
            terms = [Term(t.text, t.category, t.severity, t.note, True) for t in terms]
        return terms
    return load_wordlist(path, category, severity, pinyin=pinyin)
