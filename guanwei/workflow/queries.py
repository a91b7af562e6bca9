"""Read-only views of review state: queues, and what may be published (invariant 1)."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from guanwei.content.models import Post, PostRevision, PostStatus
from guanwei.orgs.models import Membership, Organisation, User
from guanwei.orgs.rules import rules_for
from guanwei.packs.schema import DELEGATION_MAX_DAYS
from guanwei.workflow.models import (
    Decision,
    Delegation,
    Eligibility,
    RunStatus,
    StepRun,
    StepStatus,
    WorkflowRun,
)

QUEUE_PAGE = 50


def publishable_revision(post: Post) -> PostRevision | None:
    """The revision that may be scheduled or published, or None. Only when the post's
    current revision is exactly the one an approved run covered, with every step of that
    run approved and the content hash unchanged (DESIGN invariant 1)."""
    return publishable_revisions([post.pk]).get(post.pk)


def publishable_revisions(post_ids: Iterable[int]) -> dict[int, PostRevision]:
    """:func:`publishable_revision` for many posts in three queries: post id → the
    revision that may be published, for those posts that have one."""
    posts = list(
        Post.objects.filter(
            pk__in=list(post_ids),
            # PUBLISHED too: out on the accounts scheduled so far, another unit's account
            # may still be waiting for its own publisher (issue 10, T-01, C-09)
            status__in=(PostStatus.APPROVED, PostStatus.SCHEDULED, PostStatus.PUBLISHED),
            approved_revision__isnull=False,
            approved_revision_id=F("current_revision_id"),
        ).select_related("approved_revision")
    )
    wanted = {p.pk: p.approved_revision for p in posts}
    runs: dict[int, WorkflowRun] = {}
    for run in WorkflowRun.objects.filter(
        post_id__in=list(wanted), status=RunStatus.APPROVED
    ).order_by("post_id", "-finished_at"):
        post_id = run.post_id
        assert post_id is not None  # filtered on post_id above
        revision = wanted[post_id]
        if revision is not None and run.revision_id == revision.pk and post_id not in runs:
            runs[post_id] = run
    steps: dict[int, list[str]] = {}
    for run_id, status in StepRun.objects.filter(
        run_id__in=[r.pk for r in runs.values()]
    ).values_list("run_id", "status"):
        steps.setdefault(run_id, []).append(status)
    out: dict[int, PostRevision] = {}
    for post_id, run in runs.items():
        revision = wanted[post_id]
        assert revision is not None
        got = steps.get(run.pk, [])
        if run.content_hash != revision.content_hash:
            continue
        if len(got) != len(run.chain["steps"]) or any(s != StepStatus.APPROVED for s in got):
            continue
        out[post_id] = revision
    return out


def approved_in_full(
    post: OuterRef | F, revision: OuterRef | F, content_hash: OuterRef | F
) -> Exists:
    """An SQL condition, for use inside another query's filter: an approved run covers
    this (post, revision, content hash) and every one of its steps is approved (every
    step of a chain is created with its run, so "no step that is not approved" is "all
    approved"). The publish gate asks this of the locked rows in the transaction that
    moves an intent to "sending" (DESIGN invariant 1; issue #8 §1)."""
    steps = StepRun.objects.filter(run=OuterRef("pk"))
    runs = (
        WorkflowRun.objects.filter(
            post_id=post, revision_id=revision, content_hash=content_hash, status=RunStatus.APPROVED
        )
        .filter(Exists(steps))
        .exclude(Exists(steps.exclude(status=StepStatus.APPROVED)))
    )
    return Exists(runs)


@dataclass(frozen=True)
class QueueItem:
    step: StepRun
    run: WorkflowRun
    activated_at: datetime
    delegated: bool
    cursor: tuple[datetime, int]

    @property
    def age_hours(self) -> float:
        return (timezone.now() - self.activated_at).total_seconds() / 3600


def _cursor_filter(after: tuple[datetime, int] | None) -> Q:
    """Rows after the keyset cursor. ``activated_at >= at`` is what lets the queue indexes
    seek to the cursor (an index bound); the OR only breaks ties at exactly ``at``. Without
    it PostgreSQL reads the queue from its start and filters, like OFFSET."""
    if after is None:
        return Q()
    at, pk = after
    return Q(activated_at__gte=at) & (Q(activated_at__gt=at) | Q(id__gt=pk))


Row = tuple[int, int, datetime, bool]  # (eligibility id, step id, activated_at, delegated)


def _range(rows: QuerySet[Eligibility], after: tuple[datetime, int] | None, n: int) -> list[Row]:
    """One ordered index range scan, at most ``n`` rows."""
    return list(
        rows.filter(_cursor_filter(after))
        .order_by("activated_at", "id")
        .values_list("id", "step_id", "activated_at", "delegated")[:n]
    )


def _items(rows: Iterable[Row], limit: int) -> list[QueueItem]:
    seen: dict[int, tuple[int, datetime, bool]] = {}
    for pk, step_id, activated_at, delegated in rows:
        seen.setdefault(step_id, (pk, activated_at, delegated))
        if len(seen) == limit:
            break
    step_ids = list(seen)
    steps = {
        s.pk: s
        for s in StepRun.objects.filter(pk__in=step_ids)
        .select_related(
            "run",
            "run__post",
            "run__revision",
            "run__submission",
            "run__authorisation__channel",
            "run__application__channel",
            "unit",
        )
        # E-01, T-05: the queue shows each item's pictures and attachments
        .prefetch_related("run__revision__assets", "run__submission__assets")
    }
    return [
        QueueItem(
            step=steps[sid],
            run=steps[sid].run,
            activated_at=seen[sid][1],
            delegated=seen[sid][2],
            cursor=(seen[sid][1], seen[sid][0]),
        )
        for sid in step_ids
        if sid in steps
    ]


def delegation_max_days(chain: dict[str, Any] | None) -> int:
    """The longest a delegation on ``chain`` may last (R-04; 30 days unless the pack says)."""
    return int(((chain or {}).get("delegation") or {}).get("max_days") or DELEGATION_MAX_DAYS)


def delegation_within_limit(delegation: Delegation) -> bool:
    """R-04, issue #9 §8: a delegation longer than its chain's ``max_days`` (30 by default)
    grants nothing, even one stored before the limit existed."""
    chains = rules_for(delegation.organisation_id).chains
    chain = next((c for c in chains if c["key"] == delegation.chain_key), None)
    limit = timedelta(days=delegation_max_days(chain))
    return delegation.ends_at - delegation.starts_at <= limit


def consent_chains(
    user: User, organisation: Organisation, chains: list[dict[str, Any]]
) -> set[str]:
    """The delegable chains whose consent ``user`` may record: he holds the chain's
    ``consent_role`` in the delegated step's unit (R-04)."""
    held = set(
        Membership.objects.filter(
            user=user, unit__organisation=organisation, revoked_at__isnull=True
        ).values_list("unit__key", "role")
    )
    out = set()
    for chain in chains:
        rule = chain["delegation"]
        step = next((s for s in chain["steps"] if s["key"] == rule["step"]), None)
        if step is not None and (step["unit"], rule["consent_role"]) in held:
            out.add(chain["key"])
    return out


def review_queue(
    user: User, *, after: tuple[datetime, int] | None = None, limit: int = QUEUE_PAGE
) -> list[QueueItem]:
    """What waits for ``user``, oldest first, across units: steps open for a role the user
    holds in the step's unit, steps naming the user, and steps the user may decide as a
    consented deputy. Keyset pagination on (activated_at, id); no COUNT(*).

    One ordered, LIMITed range of a partial index per source (named user, each (unit, role),
    each delegation), merged here: the cost follows the page size, not the queue's length.
    (A single query with OR makes PostgreSQL read every open row of the user's units and
    sort them: 28,000 rows, 12 ms, for one reviewer in the 1,000,000-post benchmark.)"""
    pairs = set(
        Membership.objects.filter(user=user, revoked_at__isnull=True).values_list("unit_id", "role")
    )
    now = timezone.now()
    delegated_steps = [
        (d.unit_id, d.chain_key, d.step_key, d.absent_id)
        for d in Delegation.objects.filter(
            delegate=user, revoked_at__isnull=True, starts_at__lte=now, ends_at__gt=now
        )
        if delegation_within_limit(d)
    ]
    open_rows = Eligibility.objects.filter(open=True)
    sources = [open_rows.filter(user_id_copy=user.pk)]
    sources += [
        open_rows.filter(unit_id_copy=unit_id, role=role, delegated=False)
        for unit_id, role in sorted(pairs)
    ]

    # Distinct deciders (issue 10 §3): a step of a run whose other step the user decided
    # (himself or for someone, or someone for him) is not his to decide (unless the pack
    # allows it), so it is not offered. As a deputy he also counts as the absent person.
    def not_decided_by(rows: QuerySet[Eligibility], persons: set[int]) -> QuerySet[Eligibility]:
        other = Decision.objects.filter(
            Q(actor_id__in=persons) | Q(on_behalf_of_id__in=persons),
            step__run=OuterRef("step__run"),
        ).exclude(step=OuterRef("step"))
        return rows.exclude(Q(step__allow_previous_decider=False) & Exists(other))

    sources = [not_decided_by(rows, {user.pk}) for rows in sources]
    sources += [
        not_decided_by(
            open_rows.filter(
                unit_id_copy=unit_id,
                delegated=True,
                step__key=step_key,
                step__run__chain_key=chain_key,
            ),
            {user.pk, absent_id},
        )
        for unit_id, chain_key, step_key, absent_id in delegated_steps
    ]
    ranges = [_range(rows, after, limit * 3) for rows in sources]
    items = _items(heapq.merge(*ranges, key=lambda row: (row[2], row[0])), limit)
    return [i for i in items if not _reserved_for_later(i, user)]


def _reserved_for_later(item: QueueItem, user: User) -> bool:
    """The user is the only one who could decide a later step of the run: taking this one
    would leave that step without a decider, so it is not offered (the action refuses it
    too). Single-step chains need no query."""
    if item.step.index >= len(item.run.chain.get("steps") or []) - 1:
        return False
    from guanwei.orgs.errors import DomainError
    from guanwei.workflow.actions.decisions import check_distinct_decider

    on_behalf_of = None
    if item.delegated:  # as a deputy he counts as the absent person too
        from guanwei.workflow.actions.delegation import active_delegation

        found = active_delegation(item.step, user)
        on_behalf_of = found.absent if found is not None else None
    try:
        check_distinct_decider(item.step, user, on_behalf_of=on_behalf_of)
    except DomainError:
        return True
    return False


def organisation_queue(
    organisation: Organisation,
    *,
    after: tuple[datetime, int] | None = None,
    limit: int = QUEUE_PAGE,
) -> list[QueueItem]:
    """Everything open in the organisation, oldest first (for the publishing leader)."""
    rows = Eligibility.objects.filter(organisation_id_copy=organisation.pk, open=True)
    return _items(_range(rows, after, limit * 3), limit)


def decisions_of(run: WorkflowRun) -> list[Decision]:
    return list(
        Decision.objects.filter(step__run=run)
        .select_related("step", "actor", "on_behalf_of")
        .order_by("step__index", "created")
    )


def may_decide(step: StepRun | None, user: User) -> bool:
    """Whether ``user`` may decide ``step`` now (the same rule ``approve_step`` enforces),
    so pages offer the buttons only to those who may press them."""
    if step is None:
        return False
    from guanwei.orgs.errors import DomainError
    from guanwei.workflow.actions import check_decider

    try:
        check_decider(step, user)
    except DomainError:
        return False
    return True


# ------------------------------------------------------------------ the post page's review panel


def _column_owner_note(post: Post) -> str:
    """R-02: before submission, the post page says that a post drafted outside the
    column's owning department goes to that department first."""
    from guanwei.workflow.chains import column_owner

    revision = post.current_revision
    if revision is None or not revision.column:
        return ""
    providers = [
        m.provider_unit
        for m in post.materials.filter(provider_unit__isnull=False).select_related("provider_unit")
        if m.provider_unit is not None
    ]
    owner = column_owner(revision, post.unit, providers)
    if owner is None:
        return ""
    column = rules_for(post.organisation_id).column(revision.column) or {}
    label = f"专栏“{column.get('hashtag', '')} {column.get('name', revision.column)}”"
    if not column.get("owner_review"):
        return f"{label}由{owner.name}负责（R-02）：只有{owner.name}可以在该专栏撰稿。"
    return (
        f"{label}由{owner.name}负责（R-02）：本稿件由{post.unit.name}撰写，"
        f"提交后须先经{owner.name}审核。"
    )


def post_review_panel(post: Post, user: User, shared: object = None) -> dict[str, object]:
    """Data of the review panel on the content room's post page (registered at start-up by
    ``WorkflowConfig.ready``): the runs with their steps and decisions, the step waiting,
    whether ``user`` may decide it or submit, and the publishable revision (computed once
    here; the publishing panel reads it from ``shared``)."""
    from guanwei.orgs.permissions import can

    runs = list(post.runs.select_related("revision").order_by("-started_at")[:10])
    current_run = next((r for r in runs if r.status == RunStatus.IN_PROGRESS), None)
    pending = None
    if current_run:
        pending = current_run.steps.filter(status=StepStatus.PENDING).select_related("unit").first()
    writer = can(user, "post.create", post.unit)
    submittable = post.status in (PostStatus.DRAFT, PostStatus.REJECTED, PostStatus.EXPIRED)
    return {
        "column_owner_note": _column_owner_note(post) if submittable else "",
        "runs": [(r, decisions_of(r), list(r.steps.all())) for r in runs],
        "current_run": current_run,
        "pending": pending,
        "can_submit": writer and submittable,
        "publishable": publishable_revision(post),
        "can_decide": may_decide(pending, user),
    }
