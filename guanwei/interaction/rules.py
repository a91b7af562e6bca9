"""Moderation rules (W-18), Agorapulse-style: conditions → actions, first match wins.

Interface (stable; the ingest pipeline calls it on the comments it stored):
``match(rules, facts) -> ModerationRule | None`` is pure; ``apply_many(comments)`` finds
each comment's first matching rule of its organisation and carries out its actions through
``interaction.moderation`` (hide / delete on the platform, escalate, label, assign, mark
reviewed), audited, the system as the actor — batched per rule (``apply_rule_many``).

A rule's ``conditions`` is a dict; every key present must hold (an empty dict matches
everything). Keys: ``categories`` (any screening hit in one of them), ``verdicts``
(``block`` / ``review``: the screening severity), ``keywords`` (any in the text),
``authors`` (author id or name), ``has_link`` (bool), ``only_emoji`` (bool),
``min_length`` / ``max_length`` (characters), ``posts`` (remote post ids), ``channels``
(account keys), ``sources`` (comment / message / mention), ``scopes`` (question scope:
in / out / none). ``actions`` is a list of ``{"do": ...}``: ``hide``, ``delete``,
``escalate`` (``roles``: who is told, nearest unit up the tree holding them), ``label``
(``label``), ``assign`` (``to``: a username), ``review`` (mark reviewed)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from guanwei.interaction.models import Comment, ModerationRule

CONDITION_KEYS: dict[str, str] = {
    "categories": "筛查类别",
    "verdicts": "筛查结论",
    "keywords": "关键词",
    "authors": "作者",
    "has_link": "含链接",
    "only_emoji": "仅表情",
    "min_length": "最少字数",
    "max_length": "最多字数",
    "posts": "所属稿件",
    "channels": "账号",
    "sources": "来源",
    "scopes": "提问范围",
}
ACTION_NAMES: dict[str, str] = {
    "hide": "隐藏",
    "delete": "在平台删除",
    "escalate": "上报领导",
    "label": "加标签",
    "assign": "分派",
    "review": "标记已审阅",
}

_LINK = re.compile(r"https?://|www\.|\b[a-z0-9-]+\.(?:com|cn|net|org)\b", re.IGNORECASE)
_WEIBO_EMOTICON = re.compile(r"\[[^\[\]\s]{1,8}\]")  # [微笑] [doge]


def only_emoji(text: str) -> bool:
    """Only emoji, Weibo's bracketed emoticons, punctuation and spaces (and not empty)."""
    rest = _WEIBO_EMOTICON.sub("", text or "")
    had = rest != (text or "")
    for ch in rest:
        cat = unicodedata.category(ch)
        if cat in ("So", "Sk", "Mn", "Cf", "Zs", "Cc") or ch in "\ufe0f\u200d":
            had = had or cat == "So"
            continue
        if cat.startswith("P"):
            continue
        return False
    return had


def facts_of(comment: Comment, channel_key: str = "") -> dict[str, Any]:
    text = comment.text or ""
    hits = comment.hits if isinstance(comment.hits, list) else []
    return {
        "text": text,
        "categories": {str(h.get("category", "")) for h in hits if isinstance(h, dict)},
        "verdict": comment.verdict or "",
        "author_id": comment.author_id,
        "author_name": comment.author_name,
        "has_link": bool(_LINK.search(text)),
        "only_emoji": only_emoji(text),
        "length": len(text),
        "post": comment.remote_post_id,
        "channel": channel_key,
        "source": comment.source,
        "scope": comment.scope,
    }


def _holds(conditions: dict[str, Any], f: dict[str, Any]) -> bool:
    for key, want in conditions.items():
        if key == "categories" and not set(want) & set(f["categories"]):
            return False
        if key == "verdicts" and f["verdict"] not in want:
            return False
        if key == "keywords" and not any(k and k in f["text"] for k in want):
            return False
        if key == "authors" and not ({f["author_id"], f["author_name"]} - {""}) & set(want):
            return False
        if key in ("has_link", "only_emoji") and bool(want) != f[key]:
            return False
        if key == "min_length" and f["length"] < int(want):
            return False
        if key == "max_length" and f["length"] > int(want):
            return False
        if key == "posts" and f["post"] not in want:
            return False
        if key == "channels" and f["channel"] not in want:
            return False
        if key == "sources" and f["source"] not in want:
            return False
        if key == "scopes" and f["scope"] not in want:
            return False
    return True


def _in_order(rules: Sequence[ModerationRule]) -> list[ModerationRule]:
    return [r for r in sorted(rules, key=lambda r: (r.position, r.pk or 0)) if r.enabled]


def _first(ordered: Sequence[ModerationRule], facts: dict[str, Any]) -> ModerationRule | None:
    for rule in ordered:
        if _holds(rule.conditions or {}, facts):
            return rule
    return None


def match(rules: Sequence[ModerationRule], facts: dict[str, Any]) -> ModerationRule | None:
    """The first enabled rule, by position then id, whose conditions all hold. Pure."""
    return _first(_in_order(rules), facts)


def apply_many(
    comments: Sequence[Comment],
    *,
    fresh: bool = False,
    audit: list[dict[str, Any]] | None = None,
) -> None:
    """Each comment's first matching rule of its organisation, carried out (W-18): the
    rules read and put in order once per batch, then each rule's actions carried out on
    all the comments it matched at once (``moderation.apply_rule_many``: set-based
    updates, audit records in one INSERT — or appended to ``audit`` for the caller;
    platform calls one per comment). ``fresh``: the caller just inserted these rows."""
    from guanwei.interaction import moderation

    if not comments:
        return
    org_ids = {c.organisation_id for c in comments}
    by_org: dict[int, list[ModerationRule]] = {o: [] for o in org_ids}
    for rule in ModerationRule.objects.filter(organisation_id__in=org_ids, enabled=True):
        by_org[rule.organisation_id].append(rule)
    if not any(by_org.values()):
        return
    ordered = {o: _in_order(rules) for o, rules in by_org.items()}
    keys = _channel_keys(comments)
    matched: dict[int, tuple[ModerationRule, list[Comment]]] = {}
    for comment in comments:
        facts = facts_of(comment, keys[comment.channel_id])
        found = _first(ordered[comment.organisation_id], facts)
        if found is not None:
            matched.setdefault(found.pk, (found, []))[1].append(comment)
    if not matched:
        return
    shared = moderation.RuleBatch(audit)
    for rule, batch in matched.values():
        moderation.apply_rule_many(rule, batch, fresh=fresh, shared=shared)
    if audit is None and shared.audit:
        from guanwei.audit.actions import record_many

        record_many(shared.audit)


def _channel_keys(comments: Sequence[Comment]) -> dict[int, str]:
    """Each comment's account key: from the loaded channel, else one query."""
    keys = {
        c.channel_id: c.channel.key
        for c in comments
        if Comment.channel.is_cached(c)  # type: ignore[attr-defined]
    }
    missing = {c.channel_id for c in comments} - set(keys)
    if missing:
        from guanwei.channels.models import Channel

        keys.update(Channel.objects.filter(pk__in=missing).values_list("pk", "key"))
    return keys


def _req(value: object) -> str:
    return (",".join(map(str, value)) if isinstance(value, list) else str(value))[:32]


def load_pack_rules(sender: object, *, organisation: Any, pack: Any, **_: Any) -> None:
    """``pack_loaded``: the pack's ``[[moderation]]`` rules as rows of the organisation
    (W-18). A rule the pack names is created, or updated while the organisation has not
    changed it (``from_pack``); an organisation's own edits and rules are kept."""
    entries = pack.extras.get("moderation") if isinstance(pack.extras, dict) else None
    if not isinstance(entries, list):
        return
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not entry.get("key"):
            continue
        wanted = {
            "name": str(entry.get("name") or entry["key"]),
            "position": int(entry.get("position") or (i + 1) * 10),
            "conditions": dict(entry.get("conditions") or {}),
            "actions": list(entry.get("actions") or []),
            "enabled": bool(entry.get("enabled", True)),
            "req": _req(entry.get("req", "")),
        }
        found = ModerationRule.objects.filter(organisation=organisation, key=entry["key"]).first()
        if found is None:
            ModerationRule.objects.create(
                organisation=organisation, key=entry["key"], from_pack=True, **wanted
            )
        elif found.from_pack and any(getattr(found, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(found, k, v)
            found.save(update_fields=list(wanted))
