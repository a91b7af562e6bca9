"""Read-only screening helpers for pages and the API.

Display layer: the engine reports every hit it finds (a verdict record keeps them all, with
their offsets); pages merge hits whose spans overlap into one marked term, so 法轮 and 轮功
found in 法轮功 show as one term 法轮功 (issue 8 §5)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from guanwei.orgs.models import Organisation
from guanwei.screening.engine.engine import Hit, Result
from guanwei.screening.engine.lexicon import SEVERITY_RANK
from guanwei.screening.labels import category_label, severity_label, verdict_label
from guanwei.screening.models import ScreeningVerdict
from guanwei.screening.service import engine_for

Segments = list[tuple[str, dict[str, Any] | None]]


def screen_text(
    organisation: Organisation,
    text: str,
    *,
    channel_kind: str | None = None,
    has_picture: bool = False,
    source: str = "",
    title: str = "",
) -> Result:
    """Screen a draft without storing anything (the paste-and-check page, the API)."""
    return engine_for(organisation).screen(
        text, channel_kind=channel_kind, has_picture=has_picture, source=source, title=title
    )


def explain_allowed(organisation: Organisation, text: str) -> tuple[Hit, ...]:
    """The shipped terms an allow-list passed in ``text``, with the phrase and the list."""
    return engine_for(organisation).explain_allowed(text)


def latest_verdict(object_type: str, object_id: object) -> ScreeningVerdict | None:
    return (
        ScreeningVerdict.objects.filter(object_type=object_type, object_id=str(object_id))
        .order_by("-created", "-id")
        .first()
    )


def merge_hits(
    text: str, hits: Iterable[Mapping[str, Any]], masked: Iterable[Mapping[str, Any]] = ()
) -> list[dict[str, Any]]:
    """Hits (JSON form, offsets into ``text``) merged where their spans overlap: one mark per
    stretch of text, with the worst severity, every term and category found in it. A mark made
    only of masked hits (allow-listed) is ``masked``."""
    items = [(dict(h), False) for h in hits] + [(dict(h), True) for h in masked]
    items.sort(key=lambda item: (item[0]["start"], -item[0]["end"]))
    marks: list[dict[str, Any]] = []
    for hit, is_masked in items:
        start, end = int(hit["start"]), int(hit["end"])
        if marks and start < marks[-1]["end"]:
            mark = marks[-1]
            mark["end"] = max(mark["end"], end)
        else:
            mark = {"start": start, "end": end, "parts": [], "masked": True, "severity": "pass"}
            marks.append(mark)
        mark["parts"].append({**hit, "masked": is_masked})
        if not is_masked:
            mark["masked"] = False
            if SEVERITY_RANK[hit["severity"]] > SEVERITY_RANK[mark["severity"]]:
                mark["severity"] = hit["severity"]
    for mark in marks:
        parts = mark["parts"]
        shown = [p for p in parts if not p["masked"]] or parts
        if mark["masked"]:
            mark["severity"] = max((p["severity"] for p in parts), key=SEVERITY_RANK.__getitem__)
        mark["text"] = text[mark["start"] : mark["end"]]
        mark["terms"] = list(dict.fromkeys(p["term"] for p in shown))
        mark["categories"] = list(dict.fromkeys(category_label(p["category"]) for p in shown))
        mark["own"] = any(p.get("own") for p in shown)
        mark["allow"] = next((p["allow"] for p in parts if p.get("allow")), "")
        mark["allow_list"] = next((p["allow_list"] for p in parts if p.get("allow_list")), "")
        mark["severity_label"] = severity_label(mark["severity"])
        mark["title"] = "；".join(mark["categories"]) + (
            f"（白名单“{mark['allow']}”放行）" if mark["masked"] and mark["allow"] else ""
        )
    return marks


def segments(text: str, marks: list[dict[str, Any]], offset: int = 0) -> Segments:
    """Split ``text[offset:]`` into (segment, mark-or-None) for rendering."""
    out: Segments = []
    pos = offset
    for mark in marks:
        start, end = max(mark["start"], offset), mark["end"]
        if end <= pos:
            continue
        if start > pos:
            out.append((text[pos:start], None))
        out.append((text[start:end], mark))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None))
    return out


def highlight(text: str, result: Result) -> Segments:
    """Segments of ``text`` with the result's hits (and masked hits) merged into marks."""
    marks = merge_hits(
        text, [h.to_json() for h in result.hits], [h.to_json() for h in result.masked]
    )
    return segments(text, marks)


def result_view(text: str, result: Result, allowed: Iterable[Hit] = ()) -> dict[str, Any]:
    """What the screening page shows for a result: marks, one row per marked term, the
    rules, and which allow-list passed which shipped hit."""
    marks = merge_hits(
        text, [h.to_json() for h in result.hits], [h.to_json() for h in result.masked]
    )
    return {
        "verdict": result.verdict,
        "verdict_label": verdict_label(result.verdict),
        "segments": segments(text, marks),
        "rows": [m for m in marks if not m["masked"]],
        "rules": [f.to_json() for f in result.rules],
        "allowed": [{**h.to_json(), "category_label": category_label(h.category)} for h in allowed],
        "lexicon_version": result.lexicon_version,
    }


def verdict_view(
    verdict: ScreeningVerdict | None, text: str, offset: int = 0
) -> dict[str, Any] | None:
    """A stored verdict for an object's page: its hits marked in ``text[offset:]`` (the body,
    when the screened text was title + line break + body), one row per marked term."""
    if verdict is None:
        return None
    marks = merge_hits(text, verdict.hits)
    return {
        "verdict": verdict.verdict,
        "verdict_label": verdict_label(verdict.verdict),
        "segments": segments(text, marks, offset),
        "rows": marks,
        "rules": verdict.rules,
        "lexicon_version": verdict.lexicon_version,
    }


def block_reasons(text: str, result: Result) -> list[str]:
    """Why a text is refused, in Chinese: each block-severity term (overlapping hits merged
    into one term) with its category's name, then each block-severity rule's message."""
    blocking = [h.to_json() for h in result.hits if h.severity == "block"]
    terms = [f"“{m['text']}”（{'；'.join(m['categories'])}）" for m in merge_hits(text, blocking)]
    rules = [f.message for f in result.rules if f.severity == "block"]
    return list(dict.fromkeys(terms + rules))
