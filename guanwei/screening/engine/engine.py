"""The screening engine: lexicon hits, allow-list masking, rules, relevance, verdict.

Pure Python, no Django (DESIGN.md: ``screening/engine`` is normalise → automaton → rules →
verdict).  ``build_engine(config)`` resolves the configuration into an immutable :class:`Engine`;
``Engine.screen`` screens one text, ``Engine.screen_many`` a batch (comment streams).  Every
:class:`Result` carries the lexicon version — a hash of the built lexicon, the allow-phrases,
the configuration and the engine version — so a verdict can be explained later (C-06).
"""

from __future__ import annotations

import hashlib
import time
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any, NamedTuple

import daachorse

from .config import IGNORE, AllowRule, EngineConfig, LexiconSource, resolve_file
from .lexicon import (
    BLOCK,
    PASS,
    REVIEW,
    SEVERITY_RANK,
    LexiconError,
    Term,
    load_file,
)
from .matcher import (
    KIND_PINYIN,
    KIND_TERM,
    KIND_TRADITIONAL,
    Matcher,
    TextMap,
    Variant,
    pinyin_spellings,
)
from .normalise import SEPARATOR, Folding, folding
from .relevance import RelevanceChecker
from .rules import Post, RuleFinding, check_rule_specs, evaluate
from .segment import checkable, straddles

ENGINE_VERSION = "guanwei-screening/2"  # 2: segmentation of short terms (issue 10 §5)
SEGMENTATION_LIST = "分词判断"  # what a hit dropped by the segmentation shows as its list


class Hit(NamedTuple):
    """A lexicon term found in the text; ``start``/``end`` index the original text."""

    term: str
    category: str
    start: int
    end: int
    matched: str
    severity: str
    note: str = ""
    allow: str = ""  # for masked hits: the allow-phrase that masked it
    allow_list: str = ""  # … and the name of the allow-list it is on
    own: bool = False  # the term is on the organisation's own lexicon (never masked)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "term": self.term,
            "category": self.category,
            "start": self.start,
            "end": self.end,
            "matched": self.matched,
            "severity": self.severity,
        }
        if self.note:
            data["note"] = self.note
        if self.allow:
            data["allow"] = self.allow
        if self.allow_list:
            data["allow_list"] = self.allow_list
        if self.own:
            data["own"] = True
        return data


@dataclass(frozen=True, slots=True)
class Result:
    """A verdict (block / review / pass) with its reasons and the lexicon version."""

    verdict: str
    hits: tuple[Hit, ...] = ()
    rules: tuple[RuleFinding, ...] = ()
    lexicon_version: str = ""
    masked: tuple[Hit, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The JSON of ``guanwei screen --json`` (DESIGN.md), plus severity and version."""
        return {
            "verdict": self.verdict,
            "hits": [hit.to_json() for hit in self.hits],
            "rules": [finding.to_json() for finding in self.rules],
            "masked": [hit.to_json() for hit in self.masked],
            "lexicon_version": self.lexicon_version,
        }


@dataclass(frozen=True, slots=True)
class Entry:
    """A resolved lexicon term: folded key and effective severity. ``own``: the organisation
    listed this key itself, so no allow-list masks it."""

    term: Term
    key: str
    severity: str
    own: bool = False

    @property
    def category(self) -> str:
        return self.term.category


@dataclass
class BuildStats:
    terms_loaded: int = 0
    entries: int = 0
    variants: int = 0
    patterns: int = 0
    dropped_allowed: int = 0
    dropped_short: int = 0
    seconds: float = 0.0
    automaton_bytes: int = 0
    by_category: dict[str, int] = field(default_factory=dict)


def _rank(severity: str) -> int:
    return SEVERITY_RANK[severity]


def _load_source(source: LexiconSource, base_dir: str) -> list[Term]:
    path = resolve_file(source.file, base_dir)
    try:
        return load_file(
            path, category=source.category, severity=source.severity, pinyin=source.pinyin
        )
    except LexiconError:
        raise
    except OSError as exc:  # pragma: no cover - load_file wraps read errors
        raise LexiconError(f"cannot read lexicon {path}: {exc}") from exc


def _keep(key: str, source: LexiconSource | None) -> bool:
    """Drop entries that cannot be screened sensibly: empty, one ASCII character, one or two
    digits, and one character repeated three or more times (list junk such as 揭揭揭揭揭揭)."""
    if not key or (len(key) == 1 and key.isascii()):
        return False
    if key.isdigit() and len(key) < 3:
        return False
    if len(key) >= 3 and len(set(key)) == 1:
        return False
    if source is None:
        return True
    if len(key) < source.min_length:
        return False
    return not (source.skip_ascii and key.isascii() and key.isalnum())


def own_term_problem(key: str) -> str | None:
    """Why an organisation's term (folded) cannot be screened, or None: one letter or one or
    two digits would match nearly every text.  The lexicon actions refuse such terms."""
    if not key:
        return "词语只有空白或标点，无法筛查。"
    if len(key) == 1 and key.isascii():
        return "单个字母或数字无法筛查，请写完整的词语。"
    if key.isdigit() and len(key) < 3:
        return "一两位数字无法筛查，请写完整的词语。"
    return None


def _keep_own(key: str) -> bool:
    return own_term_problem(key) is None


def allow_list_name(rule: AllowRule) -> str:
    """What the UI calls an allow-list: its ``name``, else its file names, else 白名单."""
    if rule.name:
        return rule.name
    files = [Path(f.removeprefix("builtin:")).name for f in rule.files]
    return "、".join(files) or "白名单"


def _load_allow(config: EngineConfig, fold: Folding) -> list[tuple[str, str, tuple[str, ...], str]]:
    """(folded phrase, phrase as written, categories, list name) for every allow-phrase."""
    out = []
    for rule in config.allow:
        name = allow_list_name(rule)
        phrases = list(rule.phrases)
        for reference in rule.files:
            path = resolve_file(reference, config.base_dir)
            try:
                text = path.read_text(encoding="utf-8-sig")
            except OSError as exc:
                raise LexiconError(f"cannot read allow-list {path}: {exc.strerror}") from exc
            phrases.extend(
                line.split("#", 1)[0].strip() for line in text.splitlines() if line.strip()
            )
        for phrase in phrases:
            key = fold.fold_term(phrase)
            if key:
                out.append((key, phrase, rule.categories, name))
    return out


def _traditional_spellings(texts: list[str]) -> list[set[str]]:
    """opencc s2t, s2tw and s2hk spellings of each text (one conversion call per standard)."""
    import opencc

    out: list[set[str]] = [set() for _ in texts]
    if not texts:
        return out
    joined = "\n".join(t.replace("\n", " ") for t in texts)
    for standard in ("s2t", "s2tw", "s2hk"):
        converted = opencc.OpenCC(standard).convert(joined).split("\n")
        if len(converted) == len(texts):
            for spellings, spelling in zip(out, converted, strict=True):
                spellings.add(spelling)
    return out


class Engine:
    """An immutable, built screening engine; see :func:`build_engine`."""

    def __init__(self, config: EngineConfig) -> None:
        started = time.perf_counter()
        self.config = config
        self.folding = fold = folding()
        self.stats = stats = BuildStats()
        policy = config.category_severity()
        allow = _load_allow(config, fold)
        allow_all: dict[str, tuple[str, str]] = {}
        allow_by_cat: dict[str, dict[str, tuple[str, str]]] = {}
        for key, phrase, cats, name in allow:
            if not cats:
                allow_all.setdefault(key, (phrase, name))
            for cat in cats:
                allow_by_cat.setdefault(cat, {}).setdefault(key, (phrase, name))

        # Shipped and pack lists first, the organisation's own terms last.  Category policies
        # and allow-lists apply to the shipped lists only: an organisation's term is always
        # screened, with the severity the organisation gave it (issue 8 §5).
        loaded: list[tuple[Term, LexiconSource | None, bool]] = []
        for source in config.lexicons:
            loaded.extend((t, source, False) for t in _load_source(source, config.base_dir))
        shipped = len(loaded)
        loaded.extend((t, None, False) for t in config.terms)
        loaded.extend((t, None, True) for t in config.own_terms)
        stats.terms_loaded = len(loaded)

        best: dict[str, Entry] = {}
        # Shipped terms an allow-list dropped at build: key -> (term, phrase, list name), so a
        # reviewer can be told why a word passed (explain_allowed).
        self._allowed: dict[str, tuple[Term, str, str]] = {}
        # A term written in the pack ([screening.terms]) says its own category and severity:
        # it replaces a shipped list's entry of the same key (群体性事件 is review in the
        # college pack although a shipped list blocks it, issue 10 §3).
        pack_keys: set[str] = set()
        for position, (term, origin, own) in enumerate(loaded):
            if own:
                severity = term.severity
                key = fold.fold_term(term.text).replace(SEPARATOR, "")
                if not _keep_own(key):
                    stats.dropped_short += 1
                    continue
            else:
                severity = policy.get(term.category, term.severity)
                if severity == IGNORE:
                    continue
                key = fold.fold_term(term.text).replace(SEPARATOR, "")
                if not _keep(key, origin):
                    stats.dropped_short += 1
                    continue
                allowed = allow_all.get(key) or allow_by_cat.get(term.category, {}).get(key)
                if allowed is not None:
                    stats.dropped_allowed += 1
                    self._allowed.setdefault(key, (term, *allowed))
                    continue
            current = best.get(key)
            if not own and position >= shipped:
                first = key not in pack_keys
                pack_keys.add(key)
                if current is not None and first and not current.own:
                    best[key] = Entry(term, key, severity)
                    continue
            if current is None or _rank(severity) > _rank(current.severity):
                best[key] = Entry(term, key, severity, own or (current is not None and current.own))
            elif own and not current.own:
                best[key] = Entry(current.term, key, current.severity, True)
        self.entries: list[Entry] = list(best.values())
        self._own_keys = frozenset(e.key for e in self.entries if e.own)
        stats.entries = len(self.entries)
        for entry in self.entries:
            stats.by_category[entry.category] = stats.by_category.get(entry.category, 0) + 1

        variants = [Variant(e.key, i, KIND_TERM) for i, e in enumerate(self.entries)]
        seen = {v.pattern for v in variants}
        traditional = _traditional_spellings([e.term.text for e in self.entries])
        for i, spellings in enumerate(traditional):
            for spelling in sorted(spellings):
                key = fold.fold_term(spelling)
                if key and key not in seen:
                    seen.add(key)
                    variants.append(Variant(key, i, KIND_TRADITIONAL))
        for i, entry in enumerate(self.entries):
            if entry.term.pinyin:
                for spelling in sorted(pinyin_spellings(entry.key)):
                    key = fold.fold_term(spelling)
                    if _keep(key, None) and key not in seen and (entry.own or key not in allow_all):
                        seen.add(key)
                        variants.append(Variant(key, i, KIND_PINYIN))
        self.matcher = Matcher(variants, fold, config.max_noise)
        # Short shipped and pack terms are checked against the segmentation (issue 10 §5)
        spec = config.segmentation
        self._segment_checked: frozenset[int] = (
            frozenset(
                i
                for i, e in enumerate(self.entries)
                if not e.own and checkable(e.key, spec.max_length)
            )
            if spec.enabled
            else frozenset()
        )
        stats.variants = len(variants)
        stats.patterns = self.matcher.pattern_count

        self._allow_phrases = [(phrase, cats, name) for _key, phrase, cats, name in allow]
        allow_keys = self._allow_keys = [key for key, _p, _c, _n in allow]
        self._allow_automaton = (
            daachorse.CharwiseDoubleArrayAhoCorasick(allow_keys) if allow_keys else None
        )
        check_rule_specs(config.rules)
        self._rules = tuple(r for r in config.rules if r.enabled)
        self._rules_no_channel = tuple(r for r in self._rules if r.channel is None)
        self._rules_by_channel = {
            channel: tuple(r for r in self._rules if r.channel in (None, channel))
            for channel in {r.channel for r in self._rules if r.channel is not None}
        }
        self._relevance = (
            RelevanceChecker.build(config.relevance, fold, config.base_dir)
            if config.relevance
            else None
        )
        digest = hashlib.sha256()
        digest.update(ENGINE_VERSION.encode())
        digest.update(config.digest().encode())
        for entry in sorted(self.entries, key=lambda e: e.key):
            mark = "\town" if entry.own else ""
            digest.update(f"{entry.key}\t{entry.category}\t{entry.severity}{mark}\n".encode())
        for key in sorted(allow_keys):
            digest.update(f"allow\t{key}\n".encode())
        for pattern in sorted(v.pattern for v in variants):
            digest.update(f"variant\t{pattern}\n".encode())
        self.lexicon_version = digest.hexdigest()[:16]
        self._pass = Result(PASS, lexicon_version=self.lexicon_version)
        self._find = self.matcher.find_all
        self._denoise = fold.noise_re.sub
        self._triggered = self.matcher.triggered
        stats.seconds = time.perf_counter() - started
        stats.automaton_bytes = self.matcher.serialized_size()

    # --- screening ------------------------------------------------------------------------------

    def screen(
        self,
        text: str,
        *,
        kind: str = "post",
        channel_kind: str | None = None,
        has_picture: bool = False,
        source: str = "",
        title: str = "",
    ) -> Result:
        """Screen one text (a post, a drop-box item or a comment)."""
        find = self._find
        hits: tuple[Hit, ...] = ()
        masked: tuple[Hit, ...] = ()
        if find is not None:
            fast = self._denoise("", text.lower())
            matches = find(fast)
            if matches and self._triggered(fast, matches, first=True):
                hits, masked = self._lexicon_hits(text)
        if kind != "post" and channel_kind is None:
            return self._result(hits, [], masked) if hits or masked else self._pass
        findings: list[RuleFinding] = []
        rules = (
            self._rules_by_channel.get(channel_kind, self._rules_no_channel)
            if channel_kind is not None
            else self._rules_no_channel
        )
        if rules:
            findings = evaluate(rules, Post(text, kind, channel_kind, has_picture, source, title))
        if self._relevance is not None and kind == "post":
            finding = self._relevance.check(self.folding.folded_text(text))
            if finding is not None:
                findings.append(finding)
        if not hits and not findings and not masked:
            return self._pass
        return self._result(hits, findings, masked)

    def screen_many(
        self,
        texts: Sequence[str],
        *,
        kind: str = "comment",
        channel_kind: str | None = None,
    ) -> list[Result]:
        """Screen a batch: one pass of each string operation and one automaton pass over all
        texts joined (comment streams); results are the same as ``screen`` one by one."""
        texts = list(texts)
        per_text = kind == "post" and (self._rules or self._relevance is not None)
        find = self._find
        if not texts or per_text or channel_kind is not None or find is None:
            return [self.screen(t, kind=kind, channel_kind=channel_kind) for t in texts]
        joined = SEPARATOR.join(texts)
        if joined.count(SEPARATOR) != len(texts) - 1:  # a text contains the separator itself
            return [self.screen(t, kind=kind) for t in texts]
        fast = self._denoise("", joined.lower())
        results = [self._pass] * len(texts)
        matches = find(fast)
        starts = self._triggered(fast, matches) if matches else []
        if starts:
            bounds = list(accumulate(len(part) + 1 for part in fast.split(SEPARATOR)))
            for i in sorted({bisect_right(bounds, start) for start in starts}):
                hits, masked = self._lexicon_hits(texts[i])
                if hits or masked:
                    results[i] = self._result(hits, [], masked)
        return results

    def terms_filling(self, phrase: str) -> tuple[str, ...]:
        """The shipped and pack terms whose occurrences fill ``phrase`` entirely (every
        character that is not noise), or () when it has words of its own. An allow-phrase
        that is nothing but such terms would pass the terms themselves everywhere (C-06)."""
        found, mapped = self.matcher.hits(phrase)
        covered: set[int] = set()
        terms: list[str] = []
        for start, end, index, _core_start, _core_end in found:
            entry = self.entries[index]
            if entry.own:
                continue
            covered.update(range(start, end))
            terms.append(entry.term.text)
        wanted = {mapped.position(i) for i in range(len(mapped.compact))}
        return tuple(dict.fromkeys(terms)) if wanted and wanted <= covered else ()

    # --- internals ------------------------------------------------------------------------------

    def _result(
        self, hits: Iterable[Hit], findings: list[RuleFinding], masked: Iterable[Hit]
    ) -> Result:
        hits = tuple(hits)
        rank = 0
        for hit in hits:
            rank = max(rank, _rank(hit.severity))
        for finding in findings:
            rank = max(rank, _rank(finding.severity))
        verdict = BLOCK if rank == 2 else REVIEW if rank == 1 else PASS
        return Result(verdict, hits, tuple(findings), self.lexicon_version, tuple(masked))

    def _lexicon_hits(self, text: str) -> tuple[tuple[Hit, ...], tuple[Hit, ...]]:
        found, mapped = self.matcher.hits(text)
        if not found:
            return (), ()
        raw = sorted(set(found))
        spans = self._allow_spans(mapped)
        hits: list[Hit] = []
        masked: list[Hit] = []
        entries = self.entries
        checked = self._segment_checked
        for start, end, index, core_start, core_end in raw:
            entry = entries[index]
            term = entry.term
            matched = text[start:end]
            allowed = (
                None
                if entry.own
                else self._masking_phrase(core_start, core_end, entry.category, spans)
            )
            if allowed is None and index in checked:
                allowed = self._not_a_word(mapped, start, end)
            hit = Hit(
                term.text,
                term.category,
                start,
                end,
                matched,
                entry.severity,
                term.note,
                allowed[0] if allowed else "",
                allowed[1] if allowed else "",
                entry.own,
            )
            (hits if allowed is None else masked).append(hit)
        return tuple(_maximal(hits)), tuple(_maximal(masked))

    def _allow_spans(self, mapped: TextMap) -> list[tuple[int, int, str, tuple[str, ...], str]]:
        """Allow-phrase occurrences as (start, end, phrase, categories, list name) in original
        offsets."""
        automaton = self._allow_automaton
        if automaton is None:
            return []
        phrases = self._allow_phrases
        position = mapped.position
        out = []
        for start, end, pid in automaton.find_overlapping(mapped.compact):
            phrase, categories, name = phrases[pid]
            out.append((position(start), position(end - 1) + 1, phrase, categories, name))
        return out

    @staticmethod
    def _not_a_word(mapped: TextMap, start: int, end: int) -> tuple[str, str] | None:
        """(the words, 分词) when the short term at ``start:end`` straddles a word boundary of
        the segmentation (发情 in 突发|情况), else None.  The whole span is segmented, with its
        repeats (六六六四 is 六六六|四: a word boundary at both ends, kept)."""
        compact = mapped.compact
        words = straddles(compact, mapped.index_of(start), mapped.index_of(end - 1) + 1)
        if words is None:
            return None
        return " | ".join(words), SEGMENTATION_LIST

    @staticmethod
    def _masking_phrase(
        start: int,
        end: int,
        category: str,
        spans: list[tuple[int, int, str, tuple[str, ...], str]],
    ) -> tuple[str, str] | None:
        """(phrase, list name) of the allow-phrase that masks a shipped hit, or None."""
        for a, b, phrase, categories, name in spans:
            if a <= start and end <= b and (not categories or category in categories):
                return phrase, name
        return None

    def explain_allowed(self, text: str) -> tuple[Hit, ...]:
        """The shipped terms that an allow-list passed in ``text``, each with the phrase and the
        list that passed it: the masked hits (a term inside a longer allow-phrase) and the terms
        dropped when the engine was built (a term equal to an allow-phrase).  For the screening
        page (a reviewer sees why a word passed); not on the screening hot path."""
        if self._allow_automaton is None:
            return ()
        found = {(h.start, h.end, h.term): h for h in self.screen(text, kind="comment").masked}
        mapped = self.matcher.text_map(text)
        keys = self._allow_keys
        for pid, (start, end, phrase, categories, name) in zip(
            (pid for _a, _b, pid in self._allow_automaton.find_overlapping(mapped.compact)),
            self._allow_spans(mapped),
            strict=True,
        ):
            dropped = self._allowed.get(keys[pid])
            if dropped is None or keys[pid] in self._own_keys:
                continue
            term = dropped[0]
            if categories and term.category not in categories:
                continue
            found.setdefault(
                (start, end, term.text),
                Hit(
                    term.text,
                    term.category,
                    start,
                    end,
                    text[start:end],
                    term.severity,
                    term.note,
                    phrase,
                    name,
                ),
            )
        return tuple(sorted(found.values(), key=lambda h: (h.start, h.end)))

    def describe(self) -> dict[str, Any]:
        """Build figures for benchmarks and the UI."""
        stats = self.stats
        return {
            "config": self.config.name,
            "lexicon_version": self.lexicon_version,
            "terms_loaded": stats.terms_loaded,
            "entries": stats.entries,
            "variants": stats.variants,
            "patterns": stats.patterns,
            "dropped_allowed": stats.dropped_allowed,
            "dropped_short": stats.dropped_short,
            "build_seconds": round(stats.seconds, 4),
            "automaton_bytes": stats.automaton_bytes,
            "by_category": dict(sorted(stats.by_category.items())),
        }


def _maximal(hits: list[Hit]) -> list[Hit]:
    """Drop a hit that lies inside a longer hit of at least the same severity (an
    organisation's own term only inside a longer own term: it is always reported)."""
    if len(hits) < 2:
        return hits
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: h.start - h.end):  # longest first
        rank = SEVERITY_RANK[hit.severity]
        if not any(
            k.start <= hit.start
            and hit.end <= k.end
            and k.end - k.start > hit.end - hit.start
            and SEVERITY_RANK[k.severity] >= rank
            and (k.own or not hit.own)
            for k in kept
        ):
            kept.append(hit)
    return sorted(kept, key=lambda h: (h.start, h.end))


def build_engine(config: EngineConfig) -> Engine:
    """Build an engine from a configuration (cheap: well under a second for 20,000 terms)."""
    return Engine(config)
