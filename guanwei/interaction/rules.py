"""Moderation rules (W-18), Agorapulse-style: conditions → actions, first match wins.

Interface (stable; the ingest pipeline calls it on the comments it stored):
``match(rules, facts) -> ModerationRule | None`` is pure; ``apply_many(comments)`` finds
each comment's first matching rule of its organisation and carries out its actions through
``interaction.actions`` (hide / delete on the platform, escalate, label, assign, mark
reviewed), audited."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from guanwei.interaction.models import Comment, ModerationRule


def match(rules: Sequence[ModerationRule], facts: dict[str, Any]) -> ModerationRule | None:
    return None


def apply_many(comments: Sequence[Comment]) -> None:
    return None
