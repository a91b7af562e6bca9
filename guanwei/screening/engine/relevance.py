"""Relevance screening (W-17): is a post on the pack's topic?

Keyword based, on purpose: a pack names vocabularies (``data/relevance/*.txt``, one word per
line, ``#`` comments) and extra words; a post must contain at least ``min_hits`` distinct
vocabulary words, matched on the folded text (so traditional characters, full-width letters and
inserted noise do not hide a weather word).  Off-topic posts go to review with the reason.

What this cannot judge (also in docs/screening.md): whether the post is *true and accurate*
(W-17 asks for that too — only a person or the Observatory's data can); a post that mentions a
weather word in passing while being about something else (it passes); a weather post written
without any word of the vocabulary (it goes to review); sarcasm, pictures, links' content.
"""

from __future__ import annotations

from dataclasses import dataclass

import daachorse

from .config import RelevanceSpec, resolve_file
from .normalise import Folding
from .rules import RuleFinding


def load_vocabulary(reference: str, base_dir: str = "") -> list[str]:
    if "/" not in reference and not reference.endswith(".txt") and ":" not in reference:
        reference = f"builtin:relevance/{reference}.txt"
    path = resolve_file(reference, base_dir)
    words = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.append(word)
    return words


@dataclass
class RelevanceChecker:
    """Counts distinct vocabulary words in the folded text."""

    spec: RelevanceSpec
    words: list[str]
    automaton: daachorse.CharwiseDoubleArrayAhoCorasick | None

    @classmethod
    def build(cls, spec: RelevanceSpec, folding: Folding, base_dir: str = "") -> RelevanceChecker:
        words: list[str] = []
        for reference in spec.vocabularies:
            words.extend(load_vocabulary(reference, base_dir))
        words.extend(spec.words)
        folded = sorted({w for w in (folding.fold_term(w) for w in words) if w})
        automaton = daachorse.CharwiseDoubleArrayAhoCorasick(folded) if folded else None
        return cls(spec, folded, automaton)

    def distinct_hits(self, folded_text: str) -> set[str]:
        if self.automaton is None:
            return set()
        return {self.words[pid] for _s, _e, pid in self.automaton.find_overlapping(folded_text)}

    def check(self, folded_text: str) -> RuleFinding | None:
        found = self.distinct_hits(folded_text)
        if len(found) >= self.spec.min_hits:
            return None
        if found:
            words = "、".join(sorted(found))
            detail = f"只出现 {len(found)} 个主题词（{words}），需要 {self.spec.min_hits} 个"
        else:
            detail = "未出现任何主题词"
        return RuleFinding(
            "relevance",
            self.spec.req,
            self.spec.severity,
            f"内容可能与本账号主题无关：{detail}（关键词判断，请人工确认）",
        )
