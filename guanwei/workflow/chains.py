"""Which approval chain a post or a piece of material goes through, and who holds a step:
read from the pack in force (REQ W-14, W-15, C-07, C-09, T-04, R-04). No state changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guanwei.content.models import PostRevision
from guanwei.orgs.models import Membership, PackApplication, Unit
from guanwei.orgs.rules import rules_for
from guanwei.workflow.errors import ReviewError


@dataclass(frozen=True)
class Screened:
    """What screening found in a revision, as chain selection reads it (C-07): the worst
    verdict and the terms found, by lexicon category."""

    verdict: str = "pass"
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _holds(when: dict[str, Any], revision: PostRevision, screened: Screened) -> bool:
    """Every condition ``when`` gives holds for the revision (empty = always)."""
    if when.get("categories") and revision.category not in when["categories"]:
        return False
    if when.get("subtypes") and revision.subtype not in when["subtypes"]:
        return False
    if when.get("columns") and revision.column not in when["columns"]:
        return False
    if when.get("channels") and not set(revision.channel_keys) & set(when["channels"]):
        return False
    if when.get("screening") and not set(screened.terms) & set(when["screening"]):
        return False
    if when.get("sensitive") and not revision.sensitive:
        return False
    return not (when.get("emergency") and not revision.emergency)


def _matches(chain: dict[str, Any], revision: PostRevision, screened: Screened) -> bool:
    """``when`` holds and, when the chain gives alternatives (``when_any``), one of them does:
    the author's flag can add such a chain, never take it away (C-07)."""
    if not _holds(chain.get("when") or {}, revision, screened):
        return False
    alternatives = chain.get("when_any") or []
    return not alternatives or any(_holds(w, revision, screened) for w in alternatives)


def select_post_chain(
    organisation_id: int, revision: PostRevision, screened: Screened | None = None
) -> dict[str, Any]:
    """The highest-priority post chain whose conditions hold (ties: first in the pack).
    Emergency chains (W-12) apply only to posts flagged emergency, and the other way round.
    Correction chains (W-11) apply only to posts that correct a published one; a correction
    takes the ordinary chains when the pack has none for it."""
    screened = screened or Screened()
    correction = revision.post.corrects_id is not None
    candidates = [
        c
        for c in rules_for(organisation_id).chains
        if c["applies_to"] == "post"
        and _matches(c, revision, screened)
        and bool((c.get("when") or {}).get("emergency")) == revision.emergency
        and (correction or not (c.get("when") or {}).get("correction"))
    ]
    if not candidates:
        raise ReviewError("制度包没有适用于该稿件的审核流程，不能提交（未经审核的信息不得发布）。")
    return max(candidates, key=lambda c: c.get("priority", 0))


def _met(when: dict[str, Any], revision: PostRevision, screened: Screened) -> list[str]:
    """The conditions of ``when`` the revision meets, in words (for the post page)."""
    from guanwei.screening.labels import category_label

    rules = rules_for(revision.post.organisation_id)
    out: list[str] = []
    if when.get("categories"):
        name = rules.category_name(revision.category)
        if revision.subtype:
            name += " · " + rules.subtype_name(revision.category, revision.subtype)
        out.append(f"信息类别为“{name}”")
    elif when.get("subtypes"):
        out.append(f"子类为“{rules.subtype_name(revision.category, revision.subtype)}”")
    if when.get("columns"):
        column = rules.column(revision.column)
        out.append(f"专栏为“{column['name'] if column else revision.column}”")
    if when.get("channels"):
        from guanwei.channels.models import Channel

        names = Channel.objects.filter(
            organisation_id=revision.post.organisation_id,
            key__in=sorted(set(revision.channel_keys) & set(when["channels"])),
        ).values_list("name", flat=True)
        out.append("发布账号含" + "、".join(f"“{n}”" for n in names))
    for category in when.get("screening") or []:
        terms = screened.terms.get(category)
        if terms:
            found = "、".join(f"“{t}”" for t in terms)
            out.append(f"内容筛查在正文中标出“{category_label(category)}”类词语{found}")
    if when.get("sensitive"):
        out.append("作者勾选了“涉及重大事件、突发事件或社会敏感问题”")
    if when.get("emergency"):
        out.append("作者勾选了快速发布")
    if when.get("correction"):
        out.append("本稿件是对已发布信息的订正")
    return out


def why_chain(chain: dict[str, Any], revision: PostRevision, screened: Screened) -> str:
    """Why this chain was chosen, in Chinese, naming the pack's rule (C-07: the post page
    says it): the rule (the chain's description and requirement), the conditions met."""
    reasons = _met(chain.get("when") or {}, revision, screened)
    for alternative in chain.get("when_any") or []:
        if _holds(alternative, revision, screened):
            reasons += [r for r in _met(alternative, revision, screened) if r not in reasons]
    req = chain.get("req") or []
    # a chain the pack does not describe is named by its own name, never by a bare code
    rule = chain.get("description") or chain.get("name") or ""
    if req:
        rule = f"{rule}（{'、'.join(req)}）" if rule else "、".join(req)
    text = f"按制度“{rule}”，" if rule else ""
    if reasons:
        text += "适用本流程：" + "；".join(reasons) + "。"
    else:
        text += "本稿件没有更具体的审核流程适用，按一般流程审核。"
    if (
        chain.get("when_any")
        and not revision.sensitive
        and any(w.get("sensitive") for w in chain["when_any"])
    ):
        text += "作者虽未勾选“涉及重大事件、突发事件或社会敏感问题”，仍须经本流程事前审批。"
    return text


def material_chain(organisation_id: int) -> dict[str, Any] | None:
    return next(
        (c for c in rules_for(organisation_id).chains if c["applies_to"] == "material"), None
    )


def pack_version(organisation_id: int) -> str:
    row = (
        PackApplication.objects.filter(
            organisation_id=organisation_id, kind="base", in_force_until__isnull=True
        )
        .values_list("pack_name", "version")
        .first()
    )
    return f"{row[0]} {row[1]}" if row else ""


def resolve_unit(
    selector: str, *, organisation_id: int, post_unit: Unit, provider_unit: Unit
) -> Unit:
    if selector == "post_unit":
        return post_unit
    if selector == "provider_unit":
        return provider_unit
    if selector == "parent_unit":
        return post_unit.parent or post_unit
    if selector == "root_unit":
        return Unit.objects.get(organisation_id=organisation_id, parent__isnull=True)
    unit = Unit.objects.filter(organisation_id=organisation_id, key=selector).first()
    if unit is None:
        raise ReviewError(f"审核流程引用的部门“{selector}”不存在。")
    return unit


def holders(unit: Unit, roles: list[str]) -> set[int]:
    return set(
        Membership.objects.filter(
            unit=unit, role__in=roles, revoked_at__isnull=True, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def with_account_owners(
    chain: dict[str, Any], revision: PostRevision, post_unit: Unit
) -> dict[str, Any]:
    """Issue 10 (T-01, C-09): a post addressing another unit's account is reviewed by that
    unit too. For each account of ``revision`` whose unit is not the post's, unless a step
    of ``chain`` already sits in that unit, below it (the Opinion Office inside the
    Propaganda Department) or in a unit the pack names to publish on it, a step
    "<unit>审核" is appended, decided by the roles that review posts there (post.review
    through a role in that unit's type). Returns a new chain; ``chain`` is not changed."""
    from guanwei.channels.scope import staff_units

    rules = rules_for(post_unit.organisation_id)
    covered: list[Unit] = [post_unit]
    for spec in chain.get("steps") or []:
        selector = spec.get("unit") or "post_unit"
        if selector in ("post_unit", "provider_unit"):
            continue  # the post's own unit (or its provider): not the account's
        try:
            covered.append(
                resolve_unit(
                    selector,
                    organisation_id=post_unit.organisation_id,
                    post_unit=post_unit,
                    provider_unit=post_unit,
                )
            )
        except ReviewError:
            continue
    extra: list[dict[str, Any]] = []
    for channel in revision.channels.select_related("unit").order_by("unit__path", "key"):
        if channel.unit_id == post_unit.pk:
            continue
        staff = staff_units(channel)
        if any(
            c.pk in {s.pk for s in staff} or c.path.startswith(channel.unit.path) for c in covered
        ):
            continue
        owner = channel.unit
        roles = [
            key
            for key in rules.roles
            if any(g.permission == "post.review" for g in rules.grants_for(key, owner.unit_type))
        ]
        extra.append(
            {
                "key": f"account_owner_{owner.key}",
                "name": f"{owner.name}审核（{channel.name}）",
                "roles": roles,
                "unit": owner.key,
                "mode": "any",
                "account_owner": True,
            }
        )
        covered.append(owner)
    if not extra:
        return chain
    return {**chain, "steps": [*(chain.get("steps") or []), *extra]}


def column_owner(revision: PostRevision, post_unit: Unit, providers: list[Unit]) -> Unit | None:
    """R-02: the owning department of the revision's column when that department neither
    drafted the post (its unit or one under it) nor supplied its material — the post then
    needs that department's approval. None when no such approval is needed."""
    from guanwei.content.actions import column_writers

    if not revision.column:
        return None
    column = rules_for(post_unit.organisation_id).column(revision.column)
    if column is None or column_writers(post_unit, column):
        return None
    if any(column_writers(p, column) for p in providers):
        return None
    return Unit.objects.filter(
        organisation_id=post_unit.organisation_id, key=column["owner_unit"]
    ).first()


def with_column_owner(
    chain: dict[str, Any], revision: PostRevision, post_unit: Unit, providers: list[Unit]
) -> tuple[dict[str, Any], str]:
    """R-02 (real estate 五, issue 10 §4): "a post in a column is drafted by, or approved
    by, the column's owning department". When another department drafted it, the chain
    starts with a step in the owning unit, decided by the roles the column names
    (``owner_review``), unless a step of the chain already sits in that unit. Returns the
    chain (a new one when a step is added) and the sentence the post page shows; refuses
    (ReviewError) a post that would skip the owning department: the column has no
    ``owner_review`` roles, or nobody but the author holds them there."""
    owner = column_owner(revision, post_unit, providers)
    if owner is None:
        return chain, ""
    rules = rules_for(post_unit.organisation_id)
    column = rules.column(revision.column) or {}
    label = f"专栏“{column.get('hashtag', '')} {column.get('name', revision.column)}”"
    for spec in chain.get("steps") or []:
        if spec.get("unit") == owner.key:
            return chain, f"{label}由{owner.name}负责（R-02），本流程已含{owner.name}的审核。"
    roles = list(column.get("owner_review") or [])
    deciders = holders(owner, roles) - {revision.created_by_id} if roles else set()
    if not deciders:
        names = "、".join(rules.role_name(r) for r in roles) or "审核人员"
        raise ReviewError(
            f"{label}由{owner.name}负责（R-02）：{post_unit.name}撰写的稿件须经{owner.name}"
            f"审核，但{owner.name}目前没有可以审核的{names}，不能提交。请由{owner.name}撰稿"
            f"或报送素材，或先为{owner.name}指定{names}。"
        )
    step = {
        "key": "column_owner",
        "name": f"{owner.name}审核（{column.get('hashtag', '')}专栏）",
        "roles": roles,
        "unit": owner.key,
        "mode": "any",
        "column_owner": True,
    }
    reason = (
        f"{label}由{owner.name}负责（R-02）：本稿件由{post_unit.name}撰写，须先经{owner.name}审核。"
    )
    return {**chain, "steps": [step, *(chain.get("steps") or [])]}, reason
