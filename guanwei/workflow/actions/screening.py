"""Screening at submission (C-06): the revision's text, for every kind of target account,
and the text in its pictures (OCR, when on). A blocked text cannot be submitted."""

from __future__ import annotations

from guanwei.content.models import Post, PostRevision
from guanwei.orgs.models import User
from guanwei.workflow.chains import Screened
from guanwei.workflow.errors import ReviewError


def screen_revision(post: Post, revision: PostRevision, actor: User) -> Screened:
    """Screen the revision for every kind of target account; the worst verdict counts. The
    terms found, by lexicon category, go with it: the pack's chain conditions may read them
    (C-07: a sensitive-event term chooses the prior-approval chain)."""
    from guanwei.screening.actions import screen_object
    from guanwei.screening.queries import block_reasons

    order = {"pass": 0, "review": 1, "block": 2}
    worst, reasons = "pass", []
    terms: dict[str, list[str]] = {}
    kinds: list[str | None] = [*sorted({c.kind for c in revision.channels.all()})] or [None]
    for kind in kinds:
        result, _ = screen_object(
            post.organisation,
            actor=actor,
            object_type="post_revision",
            object_id=revision.pk,
            text=f"{revision.title}\n{revision.body}",
            channel_kind=kind,
            has_picture=bool(revision.asset_hashes),
            source=revision.source,
            title=revision.title,
        )
        if order[result.verdict] > order[worst]:
            worst = result.verdict
        for hit in result.hits:
            found = terms.setdefault(hit.category, [])
            if hit.matched not in found:
                found.append(hit.matched)
        if result.verdict == "block":
            reasons += block_reasons(f"{revision.title}\n{revision.body}", result)
    for kind_, reason in _screen_pictures(post, revision, actor):
        if order[kind_] > order[worst]:
            worst = kind_
        if kind_ == "block":
            reasons.append(reason)
    if worst == "block":
        raise ReviewError("内容筛查未通过，不能提交审核：" + "；".join(dict.fromkeys(reasons)))
    return Screened(worst, {k: tuple(v) for k, v in terms.items()})


def _screen_pictures(post: Post, revision: PostRevision, actor: User) -> list[tuple[str, str]]:
    """C-06: the text in the revision's pictures is screened like the text (when OCR is on).

    The text was read by the OCR task after the upload (``content.tasks``), never here
    (issue #9 §15): this screens the stored text. A picture still being read refuses the
    submission for now (the editor is told to wait a moment); one the task could not read,
    or that no task has read within GUANWEI_OCR_WAIT_MINUTES (the worker is down), goes to
    review for a person to look at — never through unscreened."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from guanwei.content.models import Asset

    if not getattr(settings, "GUANWEI_OCR", False):
        return []
    from guanwei.screening.actions import screen_object

    waited = timezone.now() - timedelta(minutes=settings.GUANWEI_OCR_WAIT_MINUTES)
    out: list[tuple[str, str]] = []
    for asset in revision.assets.filter(kind="image"):
        status = asset.text_status
        if status == Asset.TextStatus.PENDING and asset.created > waited:
            raise ReviewError(
                f"图片“{asset.title}”中的文字正在识别，请稍候（通常不到一分钟）再提交审核。"
            )
        if status != Asset.TextStatus.DONE:  # failed, timed out, or never read
            out.append(("review", f"图片“{asset.title}”无法识别文字，请人工查看"))
            continue
        text = asset.picture_text
        if not text.strip():
            continue
        result, _ = screen_object(
            post.organisation,
            actor=actor,
            object_type="asset",
            object_id=asset.pk,
            text=text,
            channel_kind=None,
        )
        found = "、".join(f"“{h.matched}”" for h in result.hits if h.severity == "block")
        out.append((result.verdict, f"图片“{asset.title}”中的文字{found}"))
    return out
