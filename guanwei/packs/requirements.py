"""The requirement IDs of ../shared/REQUIREMENTS.md that packs, code and tests cite."""

from __future__ import annotations

import re

_RANGES = {"W": 21, "C": 12, "T": 10, "R": 6, "E": 7, "X": 7}

REQUIREMENT_IDS: frozenset[str] = frozenset(
    f"{prefix}-{n:02d}" for prefix, last in _RANGES.items() for n in range(1, last + 1)
)

REQUIREMENT_ID_RE = re.compile(r"^[WCTREX]-\d{2}$")


def is_requirement_id(value: str) -> bool:
    return value in REQUIREMENT_IDS
