"""Chinese names of the screening codes (STYLE: the UI shows names, never codes): lexicon
categories, severities, verdicts, allow-lists. One function per kind; the template filters in
``templatetags/screening_labels.py`` call these."""

from __future__ import annotations

from guanwei.screening.engine.lexicon import CATEGORIES

VERDICTS = {"pass": "通过", "review": "需人工审核", "block": "禁止发布"}
SEVERITIES = {"block": "禁止发布", "review": "提交审核"}


def category_label(key: str) -> str:
    """A lexicon category's Chinese name; an organisation's own category name as written."""
    known = CATEGORIES.get(key)
    return known[1] if known else key


def verdict_label(key: str) -> str:
    return VERDICTS.get(key, key)


def severity_label(key: str) -> str:
    return SEVERITIES.get(key, key)
