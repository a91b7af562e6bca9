"""Read-only queries of the content room: inboxes, post lists, revision diffs."""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from guanwei.content.models import Post, PostRevision, PostStatus, Submission, SubmissionStatus
from guanwei.orgs.access import may_see
from guanwei.orgs.models import Organisation, Unit, User
from guanwei.orgs.permissions import can

PAGE = 50


def units_where(user: User, organisation: Organisation, permission: str) -> list[Unit]:
    return [u for u in organisation.units.all() if can(user, permission, u)]


def drop_boxes(organisation: Organisation) -> QuerySet[Unit]:
    """Publishing units: those running at least one account (their 指定位置)."""
    return organisation.units.filter(channels__isnull=False).distinct().order_by("path")


def inbox(
    units: list[Unit], *, status: str = "", before: tuple[datetime, int] | None = None
) -> list[Submission]:
    qs = Submission.objects.filter(drop_box__in=units).select_related(
        "provider_unit", "drop_box", "submitted_by"
    )
    if status:
        qs = qs.filter(status=status)
    if before:
        qs = qs.filter(Q(created__lt=before[0]) | Q(created=before[0], id__lt=before[1]))
    return list(qs.order_by("-created", "-id")[:PAGE])


def new_material(units: list[Unit]) -> QuerySet[Submission]:
    """What landed in these drop boxes and no one has taken or declined yet (W-03)."""
    return (
        Submission.objects.filter(drop_box__in=units, status=SubmissionStatus.NEW)
        .select_related("provider_unit", "drop_box", "submitted_by")
        .order_by("-created", "-id")
    )


def my_submissions(user: User) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(submitted_by=user)
        .select_related("drop_box")
        .order_by("-created", "-id")
    )


def posts_for(
    organisation: Organisation,
    units: list[Unit],
    *,
    status: str = "",
    before: tuple[datetime, int] | None = None,
    accounts: list[Any] | None = None,
) -> list[Post]:
    """The posts of ``units``, and (issue 10, T-01) the submitted posts of other units
    addressing ``accounts`` (the accounts whose unit the reader speaks for)."""
    where = Q(unit__in=units)
    if accounts:
        where |= Q(current_revision__channels__in=accounts) & ~Q(status=PostStatus.DRAFT)
    qs = (
        Post.objects.filter(where, organisation=organisation)
        .select_related("unit", "created_by")
        .distinct()
    )
    if status:
        qs = qs.filter(status=status)
    if before:
        qs = qs.filter(Q(created__lt=before[0]) | Q(created=before[0], id__lt=before[1]))
    return list(qs.order_by("-created", "-id")[:PAGE])


def provides_material(user: User, post: Post) -> bool:
    """Whether ``user`` speaks for a unit whose drop-box material this published post (or
    the published post it corrects) was made from: the provider's officer or leader sees it,
    read-only (W-11: the Observatory checks its forecast as published)."""
    if post.status != PostStatus.PUBLISHED:
        return False
    origin = [post.pk] + ([post.corrects_id] if post.corrects_id else [])
    providers = {
        u
        for u in Unit.objects.filter(
            submissions__post_id__in=origin, memberships__user=user
        ).distinct()
    }
    return any(
        can(user, "material.submit", u) or can(user, "material.approve", u) for u in providers
    )


def _providers(user: User, organisation: Organisation) -> list[Unit]:
    """The units whose material ``user`` speaks for (provider officer or leader)."""
    return [
        u
        for u in organisation.units.filter(memberships__user=user).distinct()
        if can(user, "material.submit", u) or can(user, "material.approve", u)
    ]


def published_from_material(
    user: User, organisation: Organisation, *, limit: int = 20
) -> list[Post]:
    """Published posts made from drop-box material of the units ``user`` speaks for
    (provider officer or leader), newest first: what the Observatory checks (W-11)."""
    return [
        p
        for p in material_posts(user, organisation, limit=limit * 3)
        if getattr(p, "readable", False)
    ][:limit]


def material_posts(user: User, organisation: Organisation, *, limit: int = 20) -> list[Post]:
    """本单位素材的发布情况 (W-11): the posts made from drop-box material of the units
    ``user`` speaks for, in any status but withdrawn, newest first; each has ``readable``
    — whether the provider may open its (read-only) page, i.e. it is published."""
    providers = _providers(user, organisation)
    if not providers:
        return []
    posts = list(
        Post.objects.filter(organisation=organisation, materials__provider_unit__in=providers)
        .exclude(status=PostStatus.WITHDRAWN)
        .select_related("unit")
        .distinct()
        .order_by("-updated", "-id")[:limit]
    )
    for p in posts:
        p.readable = p.status == PostStatus.PUBLISHED  # type: ignore[attr-defined]
    return posts


def post_facts(post: Post, revision: PostRevision) -> dict[str, Any]:
    """The content room's part of the post page: the revision, its versions, its screening
    verdict, the drop-box material it was made from."""
    from guanwei.screening import queries as screening

    verdict = screening.latest_verdict("post_revision", revision.pk)
    return {
        "post": post,
        "revision": revision,
        "revisions": list(post.revisions.order_by("-number")),
        "verdict": verdict,
        "screened": screening.verdict_view(
            verdict, f"{revision.title}\n{revision.body}", len(revision.title) + 1
        ),
        "materials": list(post.materials.select_related("provider_unit", "provider_approved_by")),
    }


def revision_diff(old: PostRevision, new: PostRevision) -> list[tuple[str, str]]:
    """Line diff of title and body as (op, text) with op in ' ', '-', '+'."""
    a = [f"标题：{old.title}", *old.body.splitlines()]
    b = [f"标题：{new.title}", *new.body.splitlines()]
    out: list[tuple[str, str]] = []
    for line in difflib.ndiff(a, b):
        op, text = line[:1], line[2:]
        if op in (" ", "-", "+"):
            out.append((op, text))
    for field, label in (("category", "类别"), ("column", "专栏"), ("source", "来源")):
        if getattr(old, field) != getattr(new, field):
            out.append(("-", f"{label}：{getattr(old, field)}"))
            out.append(("+", f"{label}：{getattr(new, field)}"))
    if old.channel_keys != new.channel_keys:
        out.append(("-", f"账号：{', '.join(old.channel_keys)}"))
        out.append(("+", f"账号：{', '.join(new.channel_keys)}"))
    return out


def post_rule(user: User, post: Post) -> bool:
    """The content room's part of who may open a post (its page, diff, edit form, printed
    approval form): its unit's editors and reviewers, whoever decided a step of its review,
    the provider of its material once it is published (read-only), and — once submitted —
    the unit of another unit's account it addresses (``on_accounts_of``). Workflow adds the
    deciders of its open step (``workflow.access``); nobody else, whatever the post's
    status (issue #9 §3: an open step used to let every member in)."""
    return bool(
        can(user, "post.create", post.unit)
        or can(user, "post.review", post.unit)
        or post.runs.filter(steps__decisions__actor=user).exists()
        or provides_material(user, post)
        or on_accounts_of(user, post)
    )


def on_accounts_of(user: User, post: Post) -> bool:
    """Issue 10 (T-01, C-09): a post addressing another unit's account is seen by that
    account's unit — its publishers (``channels.scope.may_publish_on``) and those who
    review posts there — once it was submitted (a draft stays its writers'). Any version
    counts: the account's unit keeps seeing a post it published after a later edit."""
    from guanwei.channels.models import Channel
    from guanwei.channels.scope import can_review_in, may_publish_on

    if post.status == PostStatus.DRAFT and not post.runs.exists():
        return False
    ids = PostRevision.channels.through.objects.filter(postrevision__post=post).values_list(
        "channel_id", flat=True
    )
    others = Channel.objects.filter(pk__in=list(ids)).exclude(unit_id=post.unit_id)
    return any(
        may_publish_on(user, c) or can_review_in(user, c.unit)
        for c in others.select_related("unit")
    )


def may_view_post(user: User | None, post: Post) -> bool:
    """Who may open a post: every registered rule (``orgs.access``), inside the post's
    organisation. One rule for every page that shows the post's content."""
    return may_see(user, post)


def material_rule(user: User, item: Submission) -> bool:
    """The content room's part of who may open drop-box material: the drop box's keepers,
    its sender and the provider unit's officers and leaders, whoever decided a step of its
    review, and whoever may open a post made from it (the post page links to its material).
    Workflow adds the deciders of its open step."""
    provider = item.provider_unit
    speaks_for = provider is not None and (
        can(user, "material.submit", provider) or can(user, "material.approve", provider)
    )
    return bool(
        can(user, "dropbox.manage", item.drop_box)
        or item.submitted_by_id == user.pk
        or speaks_for
        or item.runs.filter(steps__decisions__actor=user).exists()
        or (item.post is not None and may_view_post(user, item.post))
    )


def may_view_material(user: User | None, item: Submission) -> bool:
    """Who may open drop-box material: every registered rule (``orgs.access``). One rule
    for every link to a material page."""
    return may_see(user, item)


def may_resubmit_material(user: User | None, item: Submission) -> bool:
    """修改后重新报送: returned material, for its provider unit's officers — not for the
    leader who returned it (they decide on it again, they do not write it)."""
    return bool(
        user is not None
        and item.status == SubmissionStatus.RETURNED
        and item.provider_unit is not None
        and can(user, "material.submit", item.provider_unit)
        and not decided_on_material(user, item)
    )


def decided_on_material(user: User, item: Submission) -> bool:
    """Whether ``user`` decided a step of the material's review (the leader who returned it)."""
    return bool(item.runs.filter(steps__decisions__actor=user).exists())
