"""Lexicon edits and stored verdicts (REQ C-06, E-01, X-02). Every edit bumps the
organisation's lexicon revision, so the next screening uses it at once."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import F

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.orgs.errors import InvalidChange
from guanwei.orgs.models import Organisation
from guanwei.orgs.permissions import Actor, as_user, require
from guanwei.screening.engine.engine import Result, own_term_problem
from guanwei.screening.engine.lexicon import SEVERITIES
from guanwei.screening.engine.normalise import SEPARATOR, folding
from guanwei.screening.labels import category_label, verdict_label
from guanwei.screening.models import (
    LexiconAllowPhrase,
    LexiconRevision,
    LexiconTerm,
    ScreeningVerdict,
)
from guanwei.screening.service import engine_for

MAX_TERM_LENGTH = 64
MAX_IMPORT = 50_000


def _bump(organisation: Organisation) -> None:
    LexiconRevision.objects.get_or_create(organisation=organisation)
    LexiconRevision.objects.filter(organisation=organisation).update(
        revision=F("revision") + 1, token=uuid.uuid4().hex
    )


def _unscreenable(term: str) -> str | None:
    """Why the engine could not screen this term (one letter, one or two digits), or None."""
    return own_term_problem(folding().fold_term(term).replace(SEPARATOR, ""))


def _clean(term: str, category: str, severity: str) -> tuple[str, str]:
    term = term.strip()
    if not term:
        raise InvalidChange("词语不能为空。")
    if len(term) > MAX_TERM_LENGTH:
        raise InvalidChange(f"词语不能超过 {MAX_TERM_LENGTH} 个字。")
    problem = _unscreenable(term)
    if problem:
        raise InvalidChange(f"“{term}”：{problem}")
    return term, _clean_category(category, severity)


def _clean_category(category: str, severity: str) -> str:
    category = category.strip()
    if not category:
        raise InvalidChange("类别不能为空。")
    if severity not in SEVERITIES:
        raise InvalidChange("处理方式只能是“禁止发布”或“提交审核”。")
    return category


@transaction.atomic
def add_term(
    organisation: Organisation,
    *,
    actor: Actor | None,
    term: str,
    category: str,
    severity: str = "block",
    note: str = "",
    pinyin: bool = False,
) -> LexiconTerm:
    """Add one term to the organisation's lexicon (REQ C-06); takes effect at once."""
    require(actor, "lexicon.manage", organisation)
    term, category = _clean(term, category, severity)
    if LexiconTerm.objects.filter(organisation=organisation, term=term, category=category).exists():
        raise InvalidChange(f"“{term}”已在类别“{category}”中。")
    row = LexiconTerm.objects.create(
        organisation=organisation,
        term=term,
        category=category,
        severity=severity,
        note=note.strip(),
        pinyin=pinyin,
        created_by=as_user(actor),
    )
    _bump(organisation)
    record(
        AuditAction.LEXICON_TERM_ADDED,
        actor=actor,
        object_type="lexicon_term",
        object_id=row.pk,
        object_repr=term,
        organisation_id=organisation.pk,
        after={"term": term, "category": category, "severity": severity, "pinyin": pinyin},
    )
    return row


@transaction.atomic
def remove_term(row: LexiconTerm, *, actor: Actor | None) -> None:
    require(actor, "lexicon.manage", row.organisation)
    snapshot = {"term": row.term, "category": row.category, "severity": row.severity}
    pk, organisation = row.pk, row.organisation
    row.delete()
    _bump(organisation)
    record(
        AuditAction.LEXICON_TERM_REMOVED,
        actor=actor,
        object_type="lexicon_term",
        object_id=pk,
        object_repr=snapshot["term"],
        organisation_id=organisation.pk,
        before=snapshot,
    )


@transaction.atomic
def import_terms(
    organisation: Organisation,
    *,
    actor: Actor | None,
    lines: list[str],
    category: str,
    severity: str = "block",
) -> int:
    """Import a one-term-per-line list into one category (REQ C-06); duplicates, blank
    lines and terms the engine cannot screen (one letter, one or two digits) are skipped.
    Returns how many terms were added."""
    require(actor, "lexicon.manage", organisation)
    category = _clean_category(category, severity)
    wanted = []
    seen: set[str] = set()
    unscreenable = 0
    for line in lines:
        term = line.strip().lstrip("\ufeff")
        if term and not term.startswith("#") and term not in seen and len(term) <= MAX_TERM_LENGTH:
            seen.add(term)
            if _unscreenable(term) is not None:
                unscreenable += 1
                continue
            wanted.append(term)
    if len(wanted) > MAX_IMPORT:
        raise InvalidChange(f"一次最多导入 {MAX_IMPORT} 个词语。")
    existing = set(
        LexiconTerm.objects.filter(
            organisation=organisation, category=category, term__in=wanted
        ).values_list("term", flat=True)
    )
    new = [
        LexiconTerm(
            organisation=organisation,
            term=t,
            category=category,
            severity=severity,
            created_by=as_user(actor),
        )
        for t in wanted
        if t not in existing
    ]
    LexiconTerm.objects.bulk_create(new, batch_size=1000)
    _bump(organisation)
    record(
        AuditAction.LEXICON_IMPORTED,
        actor=actor,
        object_type="lexicon",
        object_id=organisation.pk,
        object_repr=f"{category_label(category)} +{len(new)}",
        organisation_id=organisation.pk,
        after={
            "category": category,
            "severity": severity,
            "added": len(new),
            "skipped": len(wanted) - len(new) + unscreenable,
            "unscreenable": unscreenable,
        },
    )
    return len(new)


@transaction.atomic
def add_allow_phrase(
    organisation: Organisation, *, actor: Actor | None, phrase: str, note: str = ""
) -> LexiconAllowPhrase:
    """Add an allow-phrase to the organisation's lexicon (C-06, issue 10 §5): a shipped or pack
    term inside it is passed from now on; the organisation's own terms never are."""
    require(actor, "lexicon.manage", organisation)
    phrase = phrase.strip()
    if not phrase:
        raise InvalidChange("放行词组不能为空。")
    if len(phrase) > MAX_TERM_LENGTH:
        raise InvalidChange(f"放行词组不能超过 {MAX_TERM_LENGTH} 个字。")
    key = folding().fold_term(phrase).replace(SEPARATOR, "")
    if len(key) < 2:
        raise InvalidChange(f"“{phrase}”：放行词组至少要有两个字，否则会放过太多内容。")
    if LexiconAllowPhrase.objects.filter(organisation=organisation, phrase=phrase).exists():
        raise InvalidChange(f"“{phrase}”已是放行词组。")
    filling = engine_for(organisation).terms_filling(phrase)
    if filling:
        # C-06: a phrase that is only screened terms would pass those terms everywhere
        raise InvalidChange(
            f"“{phrase}”只由筛查词“{'、'.join(filling)}”组成，不能作为放行词组："
            "放行词组须是包含该词的更长的名称（如展览名称、地名），放行的是名称，不是该词本身。"
        )
    row = LexiconAllowPhrase.objects.create(
        organisation=organisation, phrase=phrase, note=note.strip(), created_by=as_user(actor)
    )
    _bump(organisation)
    record(
        AuditAction.LEXICON_ALLOW_ADDED,
        actor=actor,
        object_type="lexicon_allow_phrase",
        object_id=row.pk,
        object_repr=phrase,
        organisation_id=organisation.pk,
        after={"phrase": phrase, "note": row.note},
    )
    return row


@transaction.atomic
def remove_allow_phrase(row: LexiconAllowPhrase, *, actor: Actor | None) -> None:
    require(actor, "lexicon.manage", row.organisation)
    snapshot = {"phrase": row.phrase, "note": row.note}
    pk, organisation = row.pk, row.organisation
    row.delete()
    _bump(organisation)
    record(
        AuditAction.LEXICON_ALLOW_REMOVED,
        actor=actor,
        object_type="lexicon_allow_phrase",
        object_id=pk,
        object_repr=snapshot["phrase"],
        organisation_id=organisation.pk,
        before=snapshot,
    )


@transaction.atomic
def screen_object(
    organisation: Organisation,
    *,
    actor: Actor | None,
    object_type: str,
    object_id: object,
    text: str,
    channel_kind: str | None = None,
    has_picture: bool = False,
    source: str = "",
    title: str = "",
) -> tuple[Result, ScreeningVerdict]:
    """Screen the text of an object and keep the verdict with its lexicon version.
    Called by the content and interaction rooms (drop-box items, post revisions,
    comments)."""
    result = engine_for(organisation).screen(
        text, channel_kind=channel_kind, has_picture=has_picture, source=source, title=title
    )
    data = result.to_json()
    verdict = ScreeningVerdict.objects.create(
        organisation=organisation,
        object_type=object_type,
        object_id=str(object_id),
        verdict=result.verdict,
        hits=data["hits"],
        rules=data["rules"],
        lexicon_version=result.lexicon_version,
    )
    record(
        AuditAction.CONTENT_SCREENED,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        object_repr=f"筛查结论：{verdict_label(result.verdict)}",
        organisation_id=organisation.pk,
        after={
            "verdict": result.verdict,
            "hits": len(result.hits),
            "lexicon_version": result.lexicon_version,
        },
    )
    return result, verdict
