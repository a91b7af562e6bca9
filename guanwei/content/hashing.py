"""The content hash a review approves: text, media and targets (DESIGN invariant 1)."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def content_hash(
    *,
    title: str,
    body: str,
    category: str,
    subtype: str,
    column: str,
    hashtag: str,
    channel_keys: list[str],
    asset_hashes: list[str],
    source: str,
) -> str:
    fields: dict[str, Any] = {
        "title": title,
        "body": body,
        "category": category,
        "subtype": subtype,
        "column": column,
        "hashtag": hashtag,
        "channels": sorted(channel_keys),
        "assets": sorted(asset_hashes),
        "source": source,
    }
    blob = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
