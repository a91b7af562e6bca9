"""Read-only screening helpers for pages and the API."""

from __future__ import annotations

from typing import Any

from guanwei.orgs.models import Organisation
from guanwei.screening.engine.engine import Result
from guanwei.screening.service import engine_for


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


def highlight(text: str, result: Result) -> list[tuple[str, dict[str, Any] | None]]:
    """Split ``text`` into (segment, hit-or-None) for rendering; hits index the original
    text, overlapping hits are merged into the first one."""
    marks = sorted(
        [(h.start, h.end, {**h.to_json(), "masked": False}) for h in result.hits]
        + [(h.start, h.end, {**h.to_json(), "masked": True}) for h in result.masked],
        key=lambda m: (m[0], -m[1]),
    )
    segments: list[tuple[str, dict[str, Any] | None]] = []
    pos = 0
    for start, end, hit in marks:
        if start < pos:
            continue
        if start > pos:
            segments.append((text[pos:start], None))
        segments.append((text[start:end], hit))
        pos = end
    if pos < len(text):
        segments.append((text[pos:], None))
    return segments
