"""Question triage (W-19): is a comment a question, and is it in the pack's answer scope?

Interface (stable; the ingest pipeline, the inbox and ``guanwei triage`` call it):
``classify_many(organisation_id, texts) -> list[Triage]``. The keyword floor below is what
the classifier (character n-gram TF-IDF + a linear model, trained from the pack's labelled
examples) falls back to."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

_QUESTION = re.compile(r"[?？]|请问|吗[。！!]*$|怎么|如何|为什么|什么时候|是否|能否|会不会|有没有")


@dataclass(frozen=True)
class Triage:
    question: bool
    scope: str  # "in" | "out" | "none"
    topic: str
    confidence: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def keyword_floor(text: str) -> Triage:
    """A question by its marks and words; scope unknown here ("in" until a pack says)."""
    if _QUESTION.search(text or ""):
        return Triage(True, "in", "", 0.5)
    return Triage(False, "none", "", 0.5)


def classify_many(organisation_id: int, texts: list[str]) -> list[Triage]:
    return [keyword_floor(t) for t in texts]
