"""Random review histories in the real-estate demo organisation, checked after every step
(REQ R-04, W-14, X-02; DESIGN invariants 1 and 3).

A Hypothesis state machine drives the real actions with the demo people of
``packs/real-estate.toml``: create a post, submit it, approve or reject its pending step
(or a stale one), edit it, grant and revoke a deputy's delegation. Each call either
succeeds or is refused with a domain error; a small model of the pack says which it
must be, so a wrong refusal fails as surely as a wrong success. After every step the
invariants are checked:

* only a revision approved by every step of its chain, by people who were not its
  author, is publishable — and an approved post always has such a revision;
* an approved post's approved revision is its current revision;
* at most one run in progress per post, bound to the current revision;
* every decision was made by a holder of the step's roles in the step's unit, or by a
  deputy under a delegation the executive leader consented to and had not revoked, at
  most 30 days long, never on text by its granter, the absent leader or the deputy;
* every change wrote audit records, every refusal wrote none, and the chain verifies.

Every example runs inside a savepoint that is rolled back, so examples start from the
packs as loaded and the chain stays short.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from guanwei.audit.models import AuditRecord
from guanwei.audit.verify import verify_chain
from guanwei.channels.models import Channel
from guanwei.content import actions as content
from guanwei.content.models import Post, PostRevision, PostStatus
from guanwei.orgs.errors import DomainError
from guanwei.orgs.models import Membership, Organisation, Unit, User
from guanwei.workflow import actions as wf
from guanwei.workflow.actions.delegation import authors
from guanwei.workflow.models import (
    Decision,
    Delegation,
    RunStatus,
    StepRun,
    StepStatus,
    WorkflowRun,
)
from guanwei.workflow.queries import publishable_revision

R = "demo_real_estate"
T = TypeVar("T")

# ------------------------------------------------------------------ the pack, as a model
# Written out from packs/real-estate.toml rather than asked of the code under test.

PEOPLE = [
    "re_zz_leader",
    "re_zz_executive",
    "re_zz_deputy1",
    "re_zz_deputy2",
    "re_zz_member1",
    "re_zz_member2",
    "re_ch_editor",
    "re_xm_editor",
    "re_admin",
]
# Roles in the management group, the unit of both review steps.
GROUP_ROLES: dict[str, set[str]] = {
    "re_zz_leader": {"group_leader"},
    "re_zz_executive": {"executive_leader"},
    "re_zz_deputy1": {"deputy_leader"},
    "re_zz_deputy2": {"deputy_leader"},
    "re_zz_member1": {"group_member"},
    "re_zz_member2": {"group_member"},
}
UNITS = ["investment_planning", "project_culture_town", "admin_commerce", "management_group"]
# Where each person may write (post.create): column editors in their own unit, the
# operator anywhere in the organisation.
WRITES_IN: dict[str, set[str]] = {
    "re_ch_editor": {"investment_planning"},
    "re_zz_deputy1": {"investment_planning"},
    "re_xm_editor": {"project_culture_town"},
    "re_zz_member2": {"admin_commerce"},
    "re_zz_executive": {"admin_commerce"},
    "re_zz_member1": set(UNITS),
}
AUTHORING = [
    ("re_ch_editor", "investment_planning"),
    ("re_zz_deputy1", "investment_planning"),
    ("re_xm_editor", "project_culture_town"),
    ("re_zz_member2", "admin_commerce"),
    ("re_zz_executive", "admin_commerce"),
    ("re_zz_member1", "admin_commerce"),
]
# Category/column choices and the chain each one must take.
KINDS: dict[str, tuple[dict[str, str], str]] = {
    "creative_architecture": (
        {"category": "column", "column": "creative_architecture", "subtype": ""},
        "review",
    ),
    "news": ({"category": "column", "column": "news", "subtype": ""}, "review"),
    "company_culture": (
        {"category": "column", "column": "company_culture", "subtype": ""},
        "review",
    ),
    "ad_hoc": ({"category": "ad_hoc", "column": "", "subtype": ""}, "ad_hoc"),
    "ad_hoc_proposal": (
        {"category": "ad_hoc", "column": "", "subtype": "department_proposal"},
        "ad_hoc",
    ),
}
# R-02 (issue 10 §4): a column is written by its owning department (项目部 and its project
# groups for #XX新闻#), or written elsewhere and approved by it: the chain then starts with
# a step in the owning unit, decided by its 专栏负责人 (column editors).
COLUMN_WRITERS: dict[str, set[str]] = {
    "news": {"project_culture_town"},
    "creative_architecture": {"investment_planning"},
    "company_culture": {"admin_commerce"},
}
COLUMN_OWNER = {
    "news": "project_team",
    "creative_architecture": "investment_planning",
    "company_culture": "admin_commerce",
}
OWNER_EDITORS: dict[str, set[str]] = {
    "project_team": {"re_zz_deputy2"},
    "investment_planning": {"re_ch_editor", "re_zz_deputy1"},
    "admin_commerce": {"re_zz_executive", "re_zz_member2"},
}
CLEAN = ["介绍一座获奖的创意建筑。", "公司将举办开放日活动，欢迎业主参加。"]
FLAGGED = "文化小镇民俗节邀请算命大师现场表演。"  # screening verdict "review"
BLOCKED = "介绍一座获奖的创意建筑。法*轮功"  # screening verdict "block"
BODIES = [*CLEAN, FLAGGED, BLOCKED]
DELEGABLE_CHAINS = {"review", "ad_hoc"}  # both delegate step group_review to a deputy
CONSENT_ROLE = "executive_leader"
DEPUTY_ROLE = "deputy_leader"
SUBMITTABLE = {PostStatus.DRAFT, PostStatus.REJECTED, PostStatus.EXPIRED}

OUTCOMES: Counter[str] = Counter()  # printed by the test (pytest -s shows it)

AUTHOR = "(author of the current revision)"
STAND_IN = "(a deputy standing in)"
people = st.sampled_from(PEOPLE)
writers = st.one_of(st.just(AUTHOR), people)
deciders = st.one_of(
    st.sampled_from(["re_zz_leader", "re_zz_executive", "re_zz_deputy1", "re_zz_deputy2"]),
    people,
)
reasons = st.sampled_from(["组长出差", "数据待核实", "数据待核实", "", "   "])
consented = st.tuples(
    st.just("re_zz_executive"),
    st.sampled_from(["re_zz_deputy1", "re_zz_deputy2"]),
    st.sampled_from(["re_zz_leader", "re_zz_executive"]),
)
group = st.sampled_from(["re_zz_leader", "re_zz_executive", STAND_IN, STAND_IN])
verdicts = st.sampled_from([True, True, True, False])  # approve, or reject
any_target = st.sampled_from([False, False, False, True])  # True: not only the open ones


@dataclass
class DelegationModel:
    delegate: str
    absent: str
    consent_by: str
    chain_key: str
    revoked: bool = False


# ------------------------------------------------------------------ invariants


Held = set[tuple[int, int, str]]  # (user, unit, role) of every standing membership


def fully_approved(run: WorkflowRun, post: Post) -> bool:
    """Does ``run`` make the post's current revision publishable? Recomputed from the
    rows: approved, for exactly this revision and content hash, every step of its chain
    approved with an approving decision, and no decision by the revision's author."""
    revision = post.current_revision
    assert revision is not None
    steps = list(run.steps.all())
    return (
        run.status == RunStatus.APPROVED
        and run.revision_id == revision.pk
        and run.content_hash == revision.content_hash
        and len(steps) == len(run.chain["steps"])
        and all(s.status == StepStatus.APPROVED for s in steps)
        and all(any(d.verdict == "approve" for d in s.decisions.all()) for s in steps)
        and all(d.actor_id != revision.created_by_id for s in steps for d in s.decisions.all())
    )


def check_post(post: Post, runs: list[WorkflowRun]) -> None:
    published = publishable_revision(post)  # the query under test; refreshes the post
    good_run = next((r for r in runs if fully_approved(r, post)), None)
    ready = post.status in (PostStatus.APPROVED, PostStatus.SCHEDULED)
    assert (published is not None) == (ready and good_run is not None), (
        f"post {post.pk} status={post.status}: publishable_revision={published}, "
        f"fully approved run={good_run}"
    )
    if published is not None:
        assert published.pk == post.current_revision_id
    if ready:
        assert good_run is not None, f"post {post.pk} is {post.status} without a complete run"
    if post.status == PostStatus.APPROVED:
        assert post.approved_revision_id == post.current_revision_id
    if post.status in (PostStatus.DRAFT, PostStatus.REJECTED, PostStatus.IN_REVIEW):
        assert post.approved_revision_id is None
    open_runs = [r for r in runs if r.status == RunStatus.IN_PROGRESS]
    assert len(open_runs) <= 1, f"post {post.pk} has {len(open_runs)} runs in progress"
    assert (post.status == PostStatus.IN_REVIEW) == bool(open_runs), (
        f"post {post.pk} status={post.status} with {len(open_runs)} runs in progress"
    )
    for run in open_runs:
        assert run.revision_id == post.current_revision_id
        pending = [s for s in run.steps.all() if s.status == StepStatus.PENDING]
        assert len(pending) == 1, f"run {run.pk} in progress with {len(pending)} pending steps"


def check_decision(decision: Decision, step: StepRun, run: WorkflowRun, held: Held) -> None:
    assert run.revision is not None
    assert decision.actor_id != run.revision.created_by_id, (
        f"user {decision.actor_id} decided on their own revision (run {run.pk})"
    )
    if any((decision.actor_id, step.unit_id, role) in held for role in step.roles):
        return
    delegation = decision.delegation
    assert delegation is not None, (
        f"user {decision.actor_id} decided {step.name} without the role or a delegation"
    )
    rule_ = run.chain.get("delegation") or {}
    assert rule_.get("step") == step.key == delegation.step_key
    assert delegation.chain_key == run.chain_key and delegation.unit_id == step.unit_id
    assert delegation.delegate_id == decision.actor_id
    assert decision.on_behalf_of_id == delegation.absent_id
    assert rule_.get("consent_role") == CONSENT_ROLE
    assert (delegation.consent_by_id, delegation.unit_id, CONSENT_ROLE) in held, (
        f"delegation {delegation.pk} was consented by someone without {CONSENT_ROLE}"
    )
    assert (decision.actor_id, step.unit_id, rule_["to_role"]) in held
    assert delegation.starts_at <= decision.created < delegation.ends_at
    assert delegation.ends_at - delegation.starts_at <= timedelta(days=30)  # R-04 max_days
    assert not {delegation.consent_by_id, delegation.absent_id, delegation.delegate_id} & (
        authors(run)
    ), f"delegation {delegation.pk} approved its own people's text (issue #9 §8)"
    assert delegation.revoked_at is None or decision.created < delegation.revoked_at, (
        f"user {decision.actor_id} used delegation {delegation.pk} after it was revoked"
    )


def check_invariants(post_ids: list[int], *, audit: bool = True) -> None:
    """Every invariant over the given posts (all their runs, steps and decisions), and the
    audit chain end to end when ``audit``."""
    runs = list(
        WorkflowRun.objects.filter(post_id__in=post_ids)
        .select_related("revision")
        .prefetch_related(
            "steps",
            Prefetch("steps__decisions", queryset=Decision.objects.select_related("delegation")),
        )
    )
    held: Held = set(
        Membership.objects.filter(revoked_at__isnull=True).values_list("user_id", "unit_id", "role")
    )
    for post in Post.objects.filter(pk__in=post_ids).select_related("current_revision"):
        check_post(post, [r for r in runs if r.post_id == post.pk])
    for run in runs:
        for step in run.steps.all():
            for decision in step.decisions.all():
                check_decision(decision, step, run, held)
    if audit:
        result = verify_chain()
        assert result.ok, str(result)


# ------------------------------------------------------------------ the machine


class ReviewMachine(RuleBasedStateMachine):
    posts = Bundle("posts")
    delegations = Bundle("delegations")

    def __init__(self) -> None:
        super().__init__()
        # Each example lives in a savepoint rolled back in teardown().
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.org = Organisation.objects.get(key=R)
        self.units = {u.key: u for u in Unit.objects.filter(organisation=self.org)}
        self.users = {u.username: u for u in User.objects.filter(username__in=PEOPLE)}
        self.channel = Channel.objects.get(organisation=self.org, key="company_weibo")
        self.post_ids: list[int] = []
        self.model: dict[int, DelegationModel] = {}
        self.audited = -1  # audit records when the chain was last verified
        self.checks = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # -------------------------------------------------------------- helpers

    def user(self, username: str) -> User:
        # A fresh instance each time: permissions cache their grants on the object.
        return User.objects.get(pk=self.users[username].pk)

    def attempt(
        self, fn: Callable[[], T], *, expect_ok: bool | None, what: str, label: str
    ) -> tuple[bool, T | None]:
        """Call an action: (succeeded, result). ``expect_ok`` None accepts either outcome.
        A domain error is a refusal; anything else fails the test. A success must write
        audit records, a refusal none (invariant 3)."""
        before = AuditRecord.objects.count()
        try:
            result = fn()
        except DomainError as error:
            assert AuditRecord.objects.count() == before, f"{what}: a refusal left audit records"
            assert expect_ok is not True, f"{what} was refused: {error.message}"
            OUTCOMES[f"{label}: refused"] += 1
            return False, None
        assert AuditRecord.objects.count() > before, f"{what} changed state without an audit"
        assert expect_ok is not False, f"{what} succeeded but must be refused"
        OUTCOMES[f"{label}: done"] += 1
        return True, result

    def author_of(self, post: Post) -> str:
        assert post.current_revision is not None
        return next(
            name for name, u in self.users.items() if u.pk == post.current_revision.created_by_id
        )

    def post(self, pk: int) -> Post:
        return Post.objects.select_related("unit", "current_revision").get(pk=pk)

    def own_text_pending(self, chain_key: str, names: set[str]) -> bool:
        ids = {self.users[n].pk for n in names}
        return any(
            authors(s.run) & ids
            for s in self.pending_steps()
            if s.run.chain_key == chain_key and s.key == "group_review"
        )

    def active_delegations(self, username: str, chain_key: str) -> set[int]:
        return {
            pk
            for pk, d in self.model.items()
            if d.delegate == username and d.chain_key == chain_key and not d.revoked
        }

    def decider_ok(self, step: StepRun, username: str) -> tuple[bool | None, set[int]]:
        """May ``username`` decide ``step`` now (by the model)? Also the delegations that
        would let them, when they decide through one. None where today's behaviour is
        refused since the fixes (the two tests below) — either outcome is accepted here: the
        author of an earlier revision with the same content, and a deputy standing in
        for the revision's own author."""
        run = step.run
        if run.status != RunStatus.IN_PROGRESS or step.status != StepStatus.PENDING:
            return False, set()
        assert run.revision is not None and run.post_id is not None
        user_id = self.users[username].pk
        if user_id == run.revision.created_by_id:
            return False, set()  # W-14: never the author
        if step.key == "column_owner":  # the owning department's column editors
            if username not in OWNER_EDITORS[step.unit.key]:
                return False, set()
            wrote_it = PostRevision.objects.filter(
                post_id=run.post_id, content_hash=run.content_hash, created_by_id=user_id
            ).exists()
            if self.not_distinct(step, username):
                return (None if wrote_it else False), set()
            return (None if wrote_it else True), set()
        if step.unit.key == "management_group" and GROUP_ROLES.get(username, set()) & set(
            step.roles
        ):
            wrote_it = PostRevision.objects.filter(
                post_id=run.post_id, content_hash=run.content_hash, created_by_id=user_id
            ).exists()
            if self.not_distinct(step, username):
                return (None if wrote_it else False), set()
            return (None if wrote_it else True), set()
        if step.key == "group_review":
            # Issue #9 §8: a delegation never covers text by its granter, the person it
            # stands in for or the deputy (any revision of the post).
            wrote = authors(run)
            via = {
                pk
                for pk in self.active_delegations(username, run.chain_key)
                if not {
                    self.users[self.model[pk].consent_by].pk,
                    self.users[self.model[pk].absent].pk,
                    self.users[self.model[pk].delegate].pk,
                }
                & wrote
            }
            absents = {self.model[pk].absent for pk in via}
            if via and any(self.not_distinct(step, username, also=a) for a in absents):
                return False, set()
            return bool(via), via
        return False, set()

    def not_distinct(self, step: StepRun, username: str, also: str | None = None) -> bool:
        """Distinct deciders (issue 10 §3): nobody decides two steps of one run, nor takes the
        group's review of an ad-hoc post when only he could give the company leader's
        approval after it (the pack has one 组长). A deputy counts as the person he decides
        for (``also``) too."""
        from django.db.models import Q

        from guanwei.workflow.models import Decision

        persons = {self.users[username].pk} | ({self.users[also].pk} if also else set())
        if (
            Decision.objects.filter(step__run=step.run)
            .filter(Q(actor_id__in=persons) | Q(on_behalf_of_id__in=persons))
            .exclude(step=step)
            .exists()
        ):
            return True
        if step.run.chain_key == "ad_hoc" and step.key == "group_review":
            assert step.run.revision is not None
            leaders = {
                n
                for n, roles in GROUP_ROLES.items()
                if "group_leader" in roles and self.users[n].pk != step.run.revision.created_by_id
            }
            return bool(leaders) and leaders <= {username, also}
        return False

    def steps_of(self, post_ids: list[int]) -> list[StepRun]:
        return list(
            StepRun.objects.filter(run__post_id__in=post_ids)
            .select_related("run", "run__revision", "unit")
            .order_by("id")
        )

    def pending_steps(self) -> list[StepRun]:
        return [
            s
            for s in self.steps_of(self.post_ids)
            if s.status == StepStatus.PENDING and s.run.status == RunStatus.IN_PROGRESS
        ]

    def pick_step(self, pick: int, any_step: bool) -> StepRun | None:
        """Usually a pending step; sometimes any step of any run (waiting, decided,
        cancelled), which must be refused unless it happens to be pending."""
        steps = ([] if any_step else self.pending_steps()) or self.steps_of(self.post_ids)
        return steps[pick % len(steps)] if steps else None

    def submittable(self) -> list[int]:
        return list(
            Post.objects.filter(pk__in=self.post_ids, status__in=SUBMITTABLE)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    # -------------------------------------------------------------- rules

    @initialize(
        target=posts,
        who=st.sampled_from(AUTHORING),
        kind=st.sampled_from(sorted(KINDS)),
        body=st.integers(0, len(CLEAN) - 1),
        moves=st.lists(st.tuples(group, verdicts), max_size=6),
    )
    def first_post(
        self, who: tuple[str, str], kind: str, body: int, moves: list[tuple[str, bool]]
    ) -> Any:
        """Every history starts with one post already some way along its review."""
        post_id = self.create_post(who, kind, body)
        for actor, approve in moves:
            self.advance(0, actor, approve)
        return post_id

    @initialize(
        target=delegations, who=consented, chain_key=st.sampled_from(sorted(DELEGABLE_CHAINS))
    )
    def first_delegation(self, who: tuple[str, str, str], chain_key: str) -> Any:
        """Every history starts with the leader away and a deputy standing in for one
        chain (the revoke rule takes it back, the grant rule adds others)."""
        return self.grant(who, chain_key, "组长出差", 3)

    @precondition(lambda self: len(self.post_ids) < 4)
    @rule(
        target=posts,
        who=st.one_of(st.sampled_from(AUTHORING), st.tuples(people, st.sampled_from(UNITS))),
        kind=st.sampled_from(sorted(KINDS)),
        body=st.integers(0, len(BODIES) - 1),
    )
    def create_post(self, who: tuple[str, str], kind: str, body: int) -> Any:
        author, unit_key = who
        fields: dict[str, Any] = dict(KINDS[kind][0])
        _, post = self.attempt(
            lambda: content.create_post(
                self.units[unit_key],
                actor=self.user(author),
                title="创意建筑",
                body=BODIES[body],
                channels=[self.channel],
                source="投资策划部",
                **fields,
            ),
            # any column; another department's one is approved by its owner
            expect_ok=unit_key in WRITES_IN.get(author, set()),
            what=f"{author} creates a post in {unit_key}",
            label="create",
        )
        if post is None:
            return multiple()
        assert post.status == PostStatus.DRAFT and post.current_revision is not None
        self.post_ids.append(post.pk)
        return post.pk

    @rule(
        pick=st.integers(0, 9),
        actor=group,
        approve=verdicts,
    )
    def advance(self, pick: int, actor: str, approve: bool) -> None:
        """The usual next move on a post: its author submits it, a member of the group
        decides its open step, or (once approved) its author edits it again."""
        post = self.post(self.post_ids[pick % len(self.post_ids)])
        if post.status in SUBMITTABLE:
            self.try_submit(post.pk, AUTHOR)
        elif post.status == PostStatus.IN_REVIEW:
            step = next(s for s in self.pending_steps() if s.run.post_id == post.pk)
            if step.key == "column_owner":  # the owning department's editor decides
                author = self.author_of(post)
                actor = sorted(OWNER_EDITORS[step.unit.key] - {author})[0]
            if actor == STAND_IN:  # the deputy standing in for this chain, if there is one
                on_duty = sorted(
                    d.delegate
                    for d in self.model.values()
                    if d.chain_key == step.run.chain_key and not d.revoked
                )
                actor = on_duty[0] if on_duty else "re_zz_deputy2"
            if approve:
                self.try_approve(step, actor, acknowledge=True)
            else:
                self.try_reject(step, actor, "请补充图片")
        elif post.status == PostStatus.APPROVED:
            self.try_edit(post.pk, AUTHOR, {"title": "创意建筑（第二版）"})

    @rule(pick=st.integers(0, 9), actor=writers, any_post=any_target)
    def submit(self, pick: int, actor: str, any_post: bool) -> None:
        ids = ([] if any_post else self.submittable()) or self.post_ids
        self.try_submit(ids[pick % len(ids)], actor)

    def try_submit(self, post_id: int, actor: str) -> None:
        post = self.post(post_id)
        revision = post.current_revision
        assert revision is not None
        actor = self.author_of(post) if actor == AUTHOR else actor
        may = post.unit.key in WRITES_IN.get(actor, set())
        expect = may and post.status in SUBMITTABLE and revision.body != BLOCKED
        _, run = self.attempt(
            lambda: wf.submit_for_review(post, actor=self.user(actor)),
            expect_ok=expect,
            what=f"{actor} submits post {post_id} ({post.status})",
            label=f"submit a post {post.status}",
        )
        if run is None:
            return
        kind = next(k for k, (f, _) in KINDS.items() if f["category"] == revision.category)
        assert run.chain_key == KINDS[kind][1]
        first = run.steps.select_related("unit").get(index=0)
        if post.unit.key not in COLUMN_WRITERS.get(revision.column, {post.unit.key}):
            assert first.key == "column_owner"  # the owner approves first
            assert first.unit.key == COLUMN_OWNER[revision.column]
        else:
            assert first.key != "column_owner"
        assert run.revision_id == revision.pk and run.content_hash == revision.content_hash
        assert run.screening_verdict in ("pass", "review")
        if revision.body == FLAGGED:
            assert run.screening_verdict == "review"

    @rule(pick=st.integers(0, 20), actor=deciders, acknowledge=st.booleans(), any_step=any_target)
    def approve(self, pick: int, actor: str, acknowledge: bool, any_step: bool) -> None:
        step = self.pick_step(pick, any_step)
        if step is not None:
            self.try_approve(step, actor, acknowledge)

    def try_approve(self, step: StepRun, actor: str, acknowledge: bool) -> None:
        ok, via = self.decider_ok(step, actor)
        if step.run.screening_verdict == "review" and not acknowledge:
            ok = False
        _, run = self.attempt(
            lambda: wf.approve_step(step, actor=self.user(actor), acknowledge_hits=acknowledge),
            expect_ok=ok,
            what=f"{actor} approves step {step.key} ({step.status}) of run {step.run_id}",
            label=f"approve a {step.status} step" + (" as a deputy" if via else ""),
        )
        if run is None:
            return
        decision = Decision.objects.get(step=step, actor=self.users[actor])
        if via:
            assert decision.delegation_id in via, f"{actor} decided without the delegation"
            absent = self.model[decision.delegation_id].absent
            assert decision.on_behalf_of_id == self.users[absent].pk
        else:
            assert decision.delegation_id is None and decision.on_behalf_of_id is None
        step.refresh_from_db()
        assert step.status == StepStatus.APPROVED
        post = self.post(step.run.post_id or 0)
        following = step.run.steps.filter(index__gt=step.index).order_by("index").first()
        if following is None:
            assert post.status == PostStatus.APPROVED
            assert publishable_revision(post) == post.current_revision
        else:
            assert following.status == StepStatus.PENDING
            assert post.status == PostStatus.IN_REVIEW and publishable_revision(post) is None

    @rule(pick=st.integers(0, 20), actor=deciders, reason=reasons, any_step=any_target)
    def reject(self, pick: int, actor: str, reason: str, any_step: bool) -> None:
        step = self.pick_step(pick, any_step)
        if step is not None:
            self.try_reject(step, actor, reason)

    def try_reject(self, step: StepRun, actor: str, reason: str) -> None:
        ok, via = self.decider_ok(step, actor)
        _, run = self.attempt(
            lambda: wf.reject_step(step, actor=self.user(actor), reason=reason),
            expect_ok=ok if reason.strip() else False,
            what=f"{actor} rejects step {step.key} ({step.status}) of run {step.run_id}",
            label=f"reject a {step.status} step" + (" as a deputy" if via else ""),
        )
        if run is None:
            return
        run.refresh_from_db()
        post = self.post(step.run.post_id or 0)
        assert run.status == RunStatus.REJECTED
        assert post.status == PostStatus.REJECTED and publishable_revision(post) is None

    @rule(
        post_id=posts,
        actor=writers,
        change=st.one_of(
            st.just({}),
            st.sampled_from(["创意建筑（订正）", "开放日"]).map(lambda t: {"title": t}),
            st.sampled_from(BODIES).map(lambda b: {"body": b}),
            st.sampled_from(sorted(KINDS)).map(lambda k: dict(KINDS[k][0])),
        ),
    )
    def edit(self, post_id: int, actor: str, change: dict[str, str]) -> None:
        self.try_edit(post_id, actor, change)

    def try_edit(self, post_id: int, actor: str, change: dict[str, str]) -> None:
        post = self.post(post_id)
        actor = self.author_of(post) if actor == AUTHOR else actor
        old = post.current_revision
        assert old is not None
        may = post.unit.key in WRITES_IN.get(actor, set())
        unchanged = all(getattr(old, k) == v for k, v in change.items())
        _, revision = self.attempt(
            lambda: content.revise_post(post, actor=self.user(actor), **change),
            # A save that changes nothing may reasonably be refused (revise_post refuses it).
            expect_ok=None if may and unchanged else may,
            what=f"{actor} edits post {post_id} ({post.status}) with {change}",
            label=f"edit a post {post.status}",
        )
        if revision is None:
            return
        post.refresh_from_db()
        assert post.current_revision_id == revision.pk and revision.number == old.number + 1
        assert revision.created_by_id == self.users[actor].pk
        assert post.status == PostStatus.DRAFT and post.approved_revision_id is None
        assert publishable_revision(post) is None
        assert not WorkflowRun.objects.filter(post=post, status=RunStatus.IN_PROGRESS).exists()

    @rule(
        target=delegations,
        who=st.one_of(consented, consented, st.tuples(people, people, people)),
        chain_key=st.sampled_from(["review", "ad_hoc", "review", "authorisation"]),
        reason=st.sampled_from(["组长出差", "组长休假", "组长出差", "组长出差", " "]),
        days=st.integers(1, 5),
    )
    def grant(self, who: tuple[str, str, str], chain_key: str, reason: str, days: int) -> Any:
        granter, delegate, absent = who
        expect = (
            chain_key in DELEGABLE_CHAINS
            and CONSENT_ROLE in GROUP_ROLES.get(granter, set())
            and DEPUTY_ROLE in GROUP_ROLES.get(delegate, set())
            and "group_leader" in GROUP_ROLES.get(absent, set())  # for the leader
            and granter != absent
            and delegate not in (granter, absent)
            and bool(reason.strip())
        )
        if expect and self.own_text_pending(chain_key, {granter, delegate, absent}):
            expect = False  # issue #9 §8: not while one's own text waits on that step
        _, delegation = self.attempt(
            lambda: wf.grant_delegation(
                self.org,
                actor=self.user(granter),
                chain_key=chain_key,
                delegate=self.user(delegate),
                absent=self.user(absent),
                ends_at=timezone.now() + timedelta(days=days),
                reason=reason,
            ),
            expect_ok=expect,
            what=f"{granter} lets {delegate} review for {absent} on {chain_key}",
            label="grant",
        )
        if delegation is None:
            return multiple()
        self.model[delegation.pk] = DelegationModel(delegate, absent, granter, chain_key)
        return delegation.pk

    @rule(
        delegation_id=delegations,
        actor=st.one_of(st.sampled_from(["re_zz_executive", "re_zz_leader"]), people),
    )
    def revoke(self, delegation_id: int, actor: str) -> None:
        d = self.model[delegation_id]
        done, _ = self.attempt(
            lambda: wf.revoke_delegation(
                Delegation.objects.get(pk=delegation_id), actor=self.user(actor)
            ),
            expect_ok=actor in (d.consent_by, d.absent) and not d.revoked,
            what=f"{actor} revokes delegation {delegation_id}",
            label="revoke",
        )
        if not done:
            return
        d.revoked = True
        assert Delegation.objects.get(pk=delegation_id).revoked_at is not None

    # -------------------------------------------------------------- after every step

    @invariant()
    def invariants_hold(self) -> None:
        # The whole chain is re-verified whenever it grew (a refusal must not touch it:
        # attempt() checks that), and at least every fifth step.
        count = AuditRecord.objects.count()
        self.checks += 1
        audit = count != self.audited or self.checks % 5 == 0
        check_invariants(self.post_ids, audit=audit)
        self.audited = count if audit else self.audited


@pytest.mark.django_db
def test_it_keeps_review_invariants_through_random_histories() -> None:
    """R-04, W-14, X-02: random submit/approve/reject/edit/delegate sequences never make
    unapproved content publishable, never let the wrong person decide, and keep the
    audit chain whole."""
    run_state_machine_as_test(
        ReviewMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    print("\n".join(f"{n:5d}  {k}" for k, n in sorted(OUTCOMES.items())))


# ------------------------------------------------------------------ found by the machine


@pytest.mark.django_db
def test_it_refuses_a_deputy_approving_on_behalf_of_the_author() -> None:
    """W-14, R-04: the executive leader writes a post, consents to a deputy standing in
    for the executive, and the deputy approves it "代 张敏" — the author's own approval by
    proxy. Either the grant or the approval must be refused."""
    org = Organisation.objects.get(key=R)
    executive = User.objects.get(username="re_zz_executive")
    deputy = User.objects.get(username="re_zz_deputy2")
    post = content.create_post(
        Unit.objects.get(organisation=org, key="admin_commerce"),
        actor=executive,
        title="活力XX",
        body=CLEAN[1],
        category="column",
        column="company_culture",
        channels=[Channel.objects.get(organisation=org, key="company_weibo")],
        source="行政商务部",
    )
    run = wf.submit_for_review(post, actor=executive)
    with pytest.raises(DomainError):
        wf.grant_delegation(
            org,
            actor=executive,
            chain_key=run.chain_key,
            delegate=deputy,
            absent=executive,
            ends_at=timezone.now() + timedelta(days=1),
            reason="本人出差",
        )
        wf.approve_step(run.steps.get(index=0), actor=deputy)
    assert publishable_revision(post) is None


@pytest.mark.django_db
def test_it_refuses_the_author_approving_their_own_text_after_a_colleagues_resave() -> None:
    """W-14: the executive leader writes a post; a colleague saves it again without
    changing anything (same content hash, new revision "by" the colleague); the executive
    then approves exactly the text they wrote. Either the empty save or the approval must
    be refused."""
    org = Organisation.objects.get(key=R)
    executive = User.objects.get(username="re_zz_executive")
    colleague = User.objects.get(username="re_zz_member2")
    post = content.create_post(
        Unit.objects.get(organisation=org, key="admin_commerce"),
        actor=executive,
        title="活力XX",
        body=CLEAN[1],
        category="column",
        column="company_culture",
        channels=[Channel.objects.get(organisation=org, key="company_weibo")],
        source="行政商务部",
    )
    written = post.current_revision
    assert written is not None
    with pytest.raises(DomainError):
        resaved = content.revise_post(post, actor=colleague)
        assert resaved.content_hash == written.content_hash
        run = wf.submit_for_review(post, actor=executive)
        wf.approve_step(run.steps.get(index=0), actor=executive)
    assert publishable_revision(post) is None
