"""The access matrix (issue #9 §3, X-06): every route of the URL conf and every operation
of the OpenAPI schema, called as every demo role of the weather pack (and the college's
administrator, another tenant) against an object of the tech centre ("own": the unit most
personas work in or next to), of county A ("other") and of the college ("foreign").

Expected: 404 exactly when the person may not see the object — decided here from the
pack's permissions (``can``) by the table ``WHO_SEES`` (object kind → who sees it), never
by ``orgs.access`` itself — and no 5xx ever. A visible object may still answer 403, 400 or
a redirect (the action refuses), never 404. Pages without an object are checked for the
status their permission gives, and no page shows the title of an object the person may
not see. Every request runs in a savepoint that is rolled back, so the POSTs change
nothing. A route or operation without a line in ``ROUTES`` / ``OPERATIONS`` fails
``test_every_route_and_operation_has_an_entry``: add one (docs/security.md, "Who may see
what").
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from guanwei.api.router import api
from guanwei.channels.models import Channel
from guanwei.content import actions as content
from guanwei.content.models import Post, Submission, WeekPlan
from guanwei.interaction import actions as interaction
from guanwei.interaction.models import (
    Activity,
    ActivityStep,
    Comment,
    Feedback,
    HarmReport,
    ModerationRule,
    WatchTopic,
)
from guanwei.notify.models import Notice
from guanwei.orgs.models import ApiToken, Membership, Organisation, PendingGrant, Unit, User
from guanwei.orgs.permissions import can, holds_anywhere, holds_in
from guanwei.oversight.models import Deadline, DeadlineKind
from guanwei.publishing.models import PublishIntent
from guanwei.screening.models import LexiconAllowPhrase, LexiconTerm
from guanwei.testing.personas import channel, org, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import Delegation, StepRun

pytestmark = pytest.mark.django_db
W, C = "demo_weather", "demo_college"
WHERE = ("own", "other", "foreign")
# one person per role of the weather pack, and another tenant's administrator
PERSONAS = [
    "gw_admin",  # administrator
    "kj_leader",  # supervising leader + custodian of the tech centre
    "kj_section_head",  # section head + custodian
    "kj_publisher",  # publisher + custodian
    "kj_editor",  # editor
    "ywk_head",  # the business section's head (organisation-wide duties)
    "qxt_officer",  # info officer (the Observatory)
    "qxt_expert",  # expert
    "xa_publisher",  # county A's publisher, info officer, custodian
    "col_admin",  # the college's administrator
]
MARK = "矩阵标记"  # in every object's title: pages must not show it to those who may not see
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"


# ------------------------------------------------------------------ who sees which kind


def _member(user: User, u: Unit) -> bool:
    return Membership.objects.filter(user=user, unit=u, revoked_at__isnull=True).exists()


def _sees_unit(p: User, u: Unit) -> bool:
    return can(p, "unit.view", u) or _member(p, u)


def _sees_channel(p: User, c: Channel) -> bool:
    return any(can(p, x, c) for x in ("channel.view", "channel.change", "channel.approve"))


def _sees_activity(p: User, a: Activity) -> bool:
    # its deciders, its planners and who sees its account
    return (
        can(p, "activity.approve", a.unit)
        or can(p, "post.create", a.unit)
        or _sees_channel(p, a.channel)
    )


def _sees_post(p: User, post: Post) -> bool:
    # nobody decided yet; the open step is the unit's supervising leader's (post.review)
    return can(p, "post.create", post.unit) or can(p, "post.review", post.unit)


def _sees_material(p: User, m: Submission) -> bool:
    assert m.provider_unit is not None
    return (
        can(p, "dropbox.manage", m.drop_box)
        or m.submitted_by_id == p.pk
        or can(p, "material.submit", m.provider_unit)
        or can(p, "material.approve", m.provider_unit)  # the provider leader's open step
    )


WHO_SEES: dict[str, Callable[[User, Any], bool]] = {
    "organisation": lambda p, o: Membership.objects.filter(
        user=p, unit__organisation=o, revoked_at__isnull=True
    ).exists(),
    "unit": _sees_unit,
    "channel": _sees_channel,
    "post": _sees_post,
    "material": _sees_material,
    "asset": lambda p, a: any(
        can(p, x, a.unit)
        for x in ("post.create", "material.submit", "post.review", "material.approve")
    ),
    "step": lambda p, s: _sees_post(p, s.run.post),
    "membership": lambda p, m: (
        m.user_id == p.pk or (_sees_unit(p, m.unit) and can(p, "person.view", m.unit))
    ),
    "intent": lambda p, i: _sees_post(p, i.post),
    "week_plan": lambda p, w: _sees_post(p, w.posts.get()),
    "deadline": lambda p, d: _sees_post(p, d.post) or can(p, "report.view", d.unit),
    "delegation": lambda p, d: (
        p.pk in (d.delegate_id, d.absent_id, d.consent_by_id)
        or can(p, "role.grant", d.organisation)
    ),
    "notice": lambda p, n: n.user_id == p.pk,
    "authorisation": lambda p, a: p.pk == a.requested_by_id or _sees_channel(p, a.channel),
    "application": lambda p, a: p.pk == a.requested_by_id or _sees_channel(p, a.channel),
    "unregistered": lambda p, r: (
        p.pk == r.reporter_id
        or can(p, "channel.change", r.organisation)
        or can(p, "channel.approve", r.organisation)
    ),
    "lexicon": lambda p, t: can(p, "lexicon.manage", t.organisation),
    "lexicon_allow": lambda p, t: can(p, "lexicon.manage", t.organisation),
    "moderation_rule": lambda p, r: can(p, "comment.moderate", r.organisation),
    "token": lambda p, t: t.user_id == p.pk,
    "pending_grant": lambda p, g: can(p, "role.grant", g.unit) or can(p, "role.confirm", g.unit),
    "activity": _sees_activity,
    "activity_step": lambda p, s: _sees_activity(p, s.activity),
    "harm_report": lambda p, r: (
        p.pk in (r.reporter_id, r.handler_id)
        or can(p, "incident.handle", r.organisation)
        or can(p, "report.view", r.organisation)  # 总体监管: reads every report
    ),
    "feedback": lambda p, f: can(p, "comment.moderate", f.unit) or can(p, "report.view", f.unit),
    "watch_topic": lambda p, t: any(
        holds_anywhere(p, x, t.organisation) for x in ("report.view", "comment.moderate")
    ),
    "comment": lambda p, c: (
        p.pk in (c.assignee_id, c.escalated_to_id)
        or can(p, "comment.moderate", c.unit)
        # W-20: who answers questions through a role held in the account's unit itself;
        # an organisation's expert only the questions given to her (decision 0030)
        or holds_in(p, "question.answer", c.unit)
        or _sees_channel(p, c.channel)
        or _approves_reply(p, c)
    ),
}


def _approves_reply(p: Any, c: Any) -> bool:
    """W-20: a holder of the approval roles in the unit a pending reply names (not its
    drafter) sees the comment it answers."""
    from guanwei.orgs.models import Membership

    return any(
        r.drafted_by_id != p.pk
        and Membership.objects.filter(
            user=p, unit_id=r.approval_unit_id, role__in=r.approval_roles, revoked_at__isnull=True
        ).exists()
        for r in c.replies.filter(status="in_review")
    )


# ------------------------------------------------------------------ the matrix


@dataclass(frozen=True)
class Entry:
    """One route: the kind of object its URL names (None: a page without one), the method,
    and for a page without an object the permission that opens it (None: every member;
    ``"public"``: no login needed). ``also``: a permission on the object the page needs on
    top of seeing it (else 404 too). ``body``: the JSON an API operation needs to reach
    its lookup (validation comes first)."""

    kind: str | None
    method: str = "GET"
    needs: str | None = None
    also: str | None = None
    never: bool = False  # always 404 here (e.g. only returned material is edited)
    body: Callable[[Any], dict[str, Any]] | None = None
    kwargs: Callable[[Any], dict[str, Any]] = field(default=lambda o: {"pk": o.pk})


ROUTES: dict[str, Entry] = {
    # shell
    "dashboard": Entry(None),
    "login": Entry(None, needs="public"),
    "logout": Entry(None, "POST", needs="public"),
    "set_language": Entry(None, "POST", needs="public"),
    # orgs
    "unit_list": Entry(None),
    "unit_detail": Entry("unit"),
    "unit_grant": Entry("unit", "POST"),
    "unit_move": Entry("unit", "POST"),
    "unit_create_child": Entry("unit", "POST"),
    "membership_revoke": Entry("membership", "POST"),
    "grant_confirm": Entry("pending_grant", "POST"),  # §9: the second person's
    "grant_refuse": Entry("pending_grant", "POST"),
    "people_list": Entry(None, needs="person.view"),
    # channels
    "channel_list": Entry(None, needs="channel.view"),
    "channel_detail": Entry("channel"),
    "channel_application_pdf": Entry("channel"),
    # the 审批表 through its chain (C-02, issue 10 §3): the page where the pack has the form
    "channel_application": Entry("channel"),
    # 附二 is the real-estate pack's form (R-06, issue #10 §2): 404 in the weather bureau, college
    "channel_authorisation": Entry("channel", never=True),
    "follow_list": Entry(None, needs="channel.view"),
    # C-02 / W-04: 申请开通官方账号 for who the pack lets apply; C-03: 申请变更负责人/管理员
    # on a visible account answers 403 to who may not fill in its 审批表
    "channel_apply": Entry(None, needs="channel.apply"),
    "channel_change_people": Entry("channel"),
    # C-04: 官方账号名录 for every member; a report for its reporter and the checkers
    "channel_register": Entry(None),
    "unregistered_detail": Entry("unregistered"),
    "unregistered_decide": Entry("unregistered", "POST"),
    # content
    "dropbox": Entry(None),
    "material_new": Entry(None, needs="material.submit"),  # issue 10 §5: none for others
    "material_external": Entry(None, needs="dropbox.manage"),  # E-07
    "material_detail": Entry("material"),
    "material_edit": Entry("material", never=True),  # only returned material, by its provider
    "material_take": Entry("material", "POST"),
    "material_decline": Entry("material", "POST"),
    "post_list": Entry(None),
    "post_new": Entry(None),
    "week_plan_new": Entry(None),
    "week_plan_detail": Entry("week_plan"),
    "post_detail": Entry("post"),
    "post_edit": Entry("post", also="post.create"),
    "post_diff": Entry("post", kwargs=lambda o: {"pk": o.pk, "a": 1, "b": 1}),
    "asset_library": Entry(None),
    "text_library": Entry(None),  # E-02: 404 without a unit library to read
    "asset_file": Entry("asset"),
    # workflow
    "review_queue": Entry(None),
    "step_approve": Entry("step", "POST"),
    "step_reject": Entry("step", "POST"),
    "post_submit": Entry("post", "POST"),
    "week_plan_approve": Entry("week_plan", "POST"),
    "week_plan_submit": Entry("week_plan", "POST"),
    "post_pdf": Entry("post"),
    # 附二 through its chain (R-06, issue 10 §4); the PDF only once approved
    "authorisation_detail": Entry("authorisation"),
    "authorisation_pdf": Entry("authorisation", never=True),
    # the 审批表 through its chain (C-02); the PDF only once approved
    "application_detail": Entry("application"),
    "application_pdf": Entry("application", never=True),
    "application_archive": Entry("application", "POST"),  # 一式两份 (C-02)
    "filings": Entry(None),
    "delegations": Entry(None),
    "delegation_revoke": Entry("delegation", "POST"),
    # publishing
    "post_schedule": Entry("post", "POST"),
    "post_progress": Entry("post"),
    "intent_cancel": Entry("intent", "POST"),
    "intent_retry": Entry("intent", "POST"),
    "calendar": Entry(None),
    "calendar_ics": Entry(None),
    "holidays": Entry(None),
    "holidays_complete": Entry(None, "POST", needs="pack.load"),
    "follows_check": Entry(None),
    "site_index": Entry(None, needs="public"),  # docs/security.md §1: 404 unless published
    "site_file": Entry(None, needs="public"),
    # oversight
    "deadlines": Entry(None),
    "deadline_syndicated": Entry("deadline", "POST"),
    "post_correction": Entry("post", "POST"),
    "correction_new": Entry("deadline", also="post.create"),
    # interaction: moderation rules (W-18): comment.moderate over the whole organisation
    "rule_list": Entry(None),
    "rule_new": Entry(None),
    "rule_edit": Entry("moderation_rule"),
    "rule_toggle": Entry("moderation_rule", "POST"),
    "rule_move": Entry("moderation_rule", "POST"),
    # interaction: activities (W-08, T-06)
    "activity_list": Entry(None),
    "activity_new": Entry(None),  # who writes posts, where the pack has [[activities]]
    "activity_detail": Entry("activity"),
    "activity_submit": Entry("activity", "POST"),
    "activity_readiness": Entry("activity", "POST"),
    "activity_start": Entry("activity", "POST"),
    "activity_finish": Entry("activity", "POST"),
    "activity_cancel": Entry("activity", "POST"),
    "activity_step_decide": Entry("activity_step", "POST"),
    # interaction: reports of harmful content (C-10); the page where the pack has the rule
    "report_list": Entry(None),
    "report_detail": Entry("harm_report"),
    "report_screenshot": Entry("harm_report", never=True),  # these reports have none
    "report_accept": Entry("harm_report", "POST"),
    "report_dismiss": Entry("harm_report", "POST"),
    "report_close": Entry("harm_report", "POST"),
    # interaction: feedback (W-09, W-20)
    "feedback_page": Entry(None),
    "feedback_csv": Entry(None),
    "feedback_tag": Entry("feedback", "POST"),
    "feedback_capture": Entry("comment", "POST"),
    # interaction: statistics (W-20): comment.moderate or report.view somewhere
    "interaction_statistics": Entry(None),
    "interaction_statistics_csv": Entry(None),
    # interaction: representative Q&A (E-05) and the watchlist (E-06)
    "comment_representative": Entry("comment", "POST"),
    "showcase": Entry(None),
    "showcase_post": Entry(None, "POST"),
    "watch": Entry(None),
    "watch_topic_add": Entry(None, "POST"),
    "watch_topic_remove": Entry("watch_topic", "POST"),
    # notify
    "notices": Entry(None),
    "inbox": Entry(None),
    "comment_assign": Entry("comment", "POST"),
    "comment_note": Entry("comment", "POST"),
    "comment_done": Entry("comment", "POST"),
    "comment_moderate": Entry("comment", "POST"),
    "comment_reply": Entry("comment", "POST"),  # W-20
    "notice_open": Entry("notice"),
    "notice_read": Entry("notice", "POST"),
    "notice_read_all": Entry(None, "POST"),
    # screening, packs, audit
    "screen_page": Entry(None),
    "lexicon_page": Entry(None, needs="lexicon.manage"),
    "lexicon_add": Entry(None, "POST"),
    "lexicon_import": Entry(None, "POST"),
    "lexicon_remove": Entry("lexicon", "POST"),
    "lexicon_allow_add": Entry(None, "POST"),
    "lexicon_allow_remove": Entry("lexicon_allow", "POST"),
    "pack_page": Entry(None),
    "audit_list": Entry(None, needs="audit.view"),
    "audit_verify": Entry(None, "POST", needs="audit.view"),
    # one's own account: two factors, API tokens
    "login_code": Entry(None),
    "password_change": Entry(None),
    "account_security": Entry(None),
    "account_mfa_setup": Entry(None),
    "account_mfa_codes": Entry(None, "POST"),
    "account_mfa_remove": Entry(None, "POST"),
    "account_tokens": Entry(None),
    "account_token_revoke": Entry("token", "POST"),
}

_post_body = {"title": "x", "body": TEXT, "category": "forecast", "channel_keys": []}
OPERATIONS: dict[str, Entry] = {
    "guanwei_api_router_list_units": Entry("organisation", kwargs=lambda o: {"key": o.key}),
    "guanwei_api_router_grant": Entry(
        "unit",
        "POST",
        kwargs=lambda o: {"unit_id": o.pk},
        body=lambda o: {  # a person of the unit's own organisation (§5)
            "username": "col_jg_manager" if o.organisation.key == C else "qxt_expert",
            "role": "manager" if o.organisation.key == C else "editor",
        },
    ),
    "guanwei_api_router_list_channels": Entry("organisation", kwargs=lambda o: {"key": o.key}),
    "guanwei_api_router_audit_verify": Entry(
        "organisation", "POST", also="audit.view", kwargs=lambda o: {"key": o.key}
    ),
    # an unknown task: 404 for everyone (a known one only to its organisation's readers)
    "guanwei_api_router_audit_verify_result": Entry(
        None, kwargs=lambda o: {"task_id": "00000000-0000-0000-0000-000000000000"}
    ),
    "guanwei_api_router_screen": Entry(None, "POST", body=lambda o: {"text": TEXT}),
    "guanwei_api_editorial_submit_material": Entry(
        "unit",
        "POST",
        kwargs=lambda o: {},
        body=lambda o: {
            "provider_unit_id": o.pk,
            "drop_box_id": (
                unit(C, "info_college") if o.organisation.key == C else unit(W, "city_tech_centre")
            ).pk,
            "title": "x",
            "body": TEXT,
            "source": "x",
        },
    ),
    "guanwei_api_editorial_create_post": Entry(
        "unit", "POST", kwargs=lambda o: {}, body=lambda o: {**_post_body, "unit_id": o.pk}
    ),
    "guanwei_api_editorial_revise_post": Entry(
        "post", "POST", kwargs=lambda o: {"post_id": o.pk}, body=lambda o: _post_body
    ),
    "guanwei_api_editorial_submit_for_review": Entry(
        "post", "POST", kwargs=lambda o: {"post_id": o.pk}
    ),
    "guanwei_api_editorial_queue": Entry(None),
    "guanwei_api_editorial_approve": Entry(
        "step", "POST", kwargs=lambda o: {"step_id": o.pk}, body=lambda o: {}
    ),
    "guanwei_api_editorial_reject": Entry(
        "step", "POST", kwargs=lambda o: {"step_id": o.pk}, body=lambda o: {"reason": "x"}
    ),
    "guanwei_api_notices_notices": Entry(None),
    "guanwei_api_notices_read": Entry("notice", "POST", kwargs=lambda o: {"notice_id": o.pk}),
    "guanwei_api_notices_read_all": Entry(None, "POST"),
}
# namespaces checked elsewhere: the Django admin is for staff only (none of the personas
# is staff: every admin page redirects to its login), the API through OPERATIONS
NOT_ROUTES = {"admin", "api"}


# ------------------------------------------------------------------ the URL conf, the schema


def url_names() -> Iterator[tuple[str | None, str]]:
    def walk(patterns: list[Any], ns: str | None) -> Iterator[tuple[str | None, str]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or ns)
            elif isinstance(p, URLPattern):
                yield ns, p.name or str(p.pattern)

    yield from walk(get_resolver().url_patterns, None)


def operations() -> Iterator[tuple[str, str, str]]:
    for path, ops in api.get_openapi_schema()["paths"].items():
        for method, op in ops.items():
            yield op["operationId"], method.upper(), path


def test_every_route_and_operation_has_an_entry() -> None:
    """X-06: a new page or API operation without a line in the matrix fails here."""
    missing = sorted(
        name for ns, name in url_names() if ns not in NOT_ROUTES and name not in ROUTES
    )
    assert missing == [], f"add these routes to ROUTES in {__file__}: {missing}"
    ops = {op for op, _, _ in operations()}
    assert sorted(ops - set(OPERATIONS)) == [], f"add these operations to OPERATIONS: {ops}"
    stale = sorted(set(ROUTES) - {n for _, n in url_names()}) + sorted(set(OPERATIONS) - ops)
    assert stale == [], f"these entries name no route or operation any more: {stale}"


# ------------------------------------------------------------------ the objects, built once


def _png(name: str) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 200)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def _in_review(u: Unit, writer: str, ch: Channel, category: str, where: str) -> Post:
    post = content.create_post(
        u,
        actor=person(writer),
        title=f"{MARK}{where}稿件",
        body=TEXT,
        category=category,
        channels=[ch],
    )
    wf.submit_for_review(post, actor=person(writer))
    return post


def _objects() -> dict[str, dict[str, Any]]:
    """kind → where → one object (None: that place has none of the kind)."""
    from guanwei.channels.actions import report_unregistered
    from guanwei.workflow.actions import request_application, request_authorisation

    now = timezone.now()
    tc, ca = unit(W, "city_tech_centre"), unit(W, "county_a")
    info = unit(C, "info_college")
    posts = {
        "own": _in_review(tc, "kj_editor", channel(W, "city_weibo"), "forecast", "own"),
        "other": _in_review(ca, "xa_publisher", channel(W, "county_a_weibo"), "forecast", "oth"),
        "foreign": content.create_post(
            info,
            actor=person("col_xx_manager"),
            title=f"{MARK}foreign稿件",
            body=TEXT,
            category="news",
            channels=[channel(C, "info_wechat")],
        ),
    }
    materials = {
        "own": content.submit_material(
            unit(W, "city_observatory"),
            actor=person("qxt_officer"),
            drop_box=tc,
            title=f"{MARK}own素材",
            body=TEXT,
            source="市气象台",
        ),
        "other": content.submit_material(
            ca,
            actor=person("xa_publisher"),
            drop_box=ca,
            title=f"{MARK}oth素材",
            body=TEXT,
            source="甲县气象局",
        ),
        "foreign": Submission.objects.create(
            organisation=org(C),
            drop_box=info,
            provider_unit=unit(C, "business_college"),
            submitted_by=person("col_jg_manager"),
            title=f"{MARK}foreign素材",
            body=TEXT,
            status="new",
        ),
    }
    assets = {
        where: content.upload_asset(u, actor=person(who), upload=_png(f"{where}.png"), title=t)
        for where, u, who, t in (
            ("own", tc, "kj_editor", f"{MARK}own图"),
            ("other", ca, "xa_publisher", f"{MARK}oth图"),
            ("foreign", info, "col_xx_manager", f"{MARK}foreign图"),
        )
    }

    def intent(post: Post, ch: Channel) -> PublishIntent:
        rev = post.current_revision
        assert rev is not None
        return PublishIntent.objects.create(
            organisation_id=post.organisation_id,
            unit=post.unit,
            post=post,
            revision=rev,
            channel=ch,
            content_hash=rev.content_hash,
            due_at=now + timedelta(days=3),
            status="failed",
        )

    def week_plan(post: Post) -> WeekPlan:
        plan = WeekPlan.objects.create(
            organisation_id=post.organisation_id,
            unit=post.unit,
            column="matrix",
            week_start=now.date(),
            created_by=post.created_by,
        )
        Post.objects.filter(pk=post.pk).update(week_plan=plan)
        return plan

    def deadline(post: Post, where: str) -> Deadline:
        return Deadline.objects.create(
            organisation_id=post.organisation_id,
            unit=post.unit,
            kind=DeadlineKind.CORRECTION,
            key=f"matrix-{where}",
            title=f"{MARK}{where}时限",
            post=post,
            starts_at=now,
            due_at=now + timedelta(hours=2),
        )

    def delegation(o: Organisation, u: Unit, who: tuple[str, str, str]) -> Delegation:
        # outside any chain step and long over: it lets nobody decide anything here
        return Delegation.objects.create(
            organisation=o,
            chain_key="matrix",
            step_key="matrix",
            unit=u,
            delegate=person(who[0]),
            absent=person(who[1]),
            consent_by=person(who[2]),
            reason=MARK,
            starts_at=now - timedelta(days=10),
            ends_at=now - timedelta(days=9),
        )

    def notice(username: str, o: Organisation, where: str) -> Notice:
        return Notice.objects.create(
            user=person(username), organisation_id=o.pk, title=f"{MARK}{where}通知"
        )

    def activity(ch: Channel, who: str, where: str) -> Activity:
        a = interaction.plan_activity(
            ch,
            actor=person(who),
            rule_key="major_weather_activity",
            kind="interview",
            title=f"{MARK}{where}活动",
            starts_at=now,
            ends_at=now + timedelta(hours=2),
            major_weather=True,
        )
        return interaction.submit_activity(a, actor=person(who))

    foreign_activity = Activity.objects.create(
        organisation=org(C),
        unit=info,
        channel=channel(C, "info_wechat"),
        rule_key="matrix",
        kind="topic",
        title=f"{MARK}foreign活动",
        starts_at=now,
        ends_at=now + timedelta(hours=2),
        status="in_review",
        created_by=person("col_xx_manager"),
    )
    activities = {
        "own": activity(channel(W, "city_weibo"), "kj_editor", "own"),
        "other": activity(channel(W, "county_a_weibo"), "xa_publisher", "oth"),
        "foreign": foreign_activity,
    }
    ActivityStep.objects.create(
        activity=foreign_activity, position=1, key="x", name="x", unit=info, roles=["manager"]
    )

    def harm(o: Organisation, u: Unit, who: str, where: str) -> HarmReport:
        return HarmReport.objects.create(
            organisation=o, reporter=person(who), reporter_unit=u, description=f"{MARK}{where}"
        )

    def comment(ch: Channel, where: str) -> Comment:
        return Comment.objects.create(
            organisation_id=ch.organisation_id,
            unit=ch.unit,
            channel=ch,
            remote_id=f"matrix-{where}",
            text=f"{MARK}{where}评论",
            fetched_at=now,
        )

    comments = {
        "own": comment(channel(W, "city_weibo"), "own"),
        "other": comment(channel(W, "county_a_weibo"), "oth"),
        "foreign": comment(channel(C, "info_wechat"), "foreign"),
    }

    return {
        "harm_report": {
            "own": harm(org(W), tc, "kj_editor", "own"),
            "other": harm(org(W), ca, "xa_publisher", "oth"),
            "foreign": harm(org(C), info, "col_xx_manager", "foreign"),
        },
        "comment": comments,
        "feedback": {
            w: Feedback.objects.create(
                organisation_id=c.organisation_id,
                unit=c.unit,
                channel=c.channel,
                text=f"{MARK}{w}反馈",
            )
            for w, c in comments.items()
        },
        "activity": activities,
        "activity_step": {
            w: a.steps.select_related("activity").first() for w, a in activities.items()
        },
        "organisation": {"own": org(W), "other": None, "foreign": org(C)},
        "unit": {"own": tc, "other": ca, "foreign": info},
        "channel": {
            "own": channel(W, "city_weibo"),
            "other": channel(W, "county_a_weibo"),
            "foreign": channel(C, "info_wechat"),
        },
        "post": posts,
        "material": materials,
        "asset": assets,
        "step": {
            w: StepRun.objects.filter(run__post=p).select_related("run__post").first()
            for w, p in posts.items()
        },
        "membership": {
            "own": Membership.objects.get(user=person("kj_editor"), unit=tc),
            "other": Membership.objects.get(user=person("xa_leader"), unit=ca),
            "foreign": Membership.objects.get(user=person("col_xx_manager"), unit=info),
        },
        "intent": {
            "own": intent(posts["own"], channel(W, "city_weibo")),
            "other": intent(posts["other"], channel(W, "county_a_weibo")),
            "foreign": intent(posts["foreign"], channel(C, "info_wechat")),
        },
        "deadline": {w: deadline(p, w) for w, p in posts.items()},
        "week_plan": {w: week_plan(p) for w, p in posts.items()},
        "delegation": {
            "own": delegation(org(W), tc, ("kj_section_head", "kj_leader", "city_leader")),
            "other": delegation(org(W), ca, ("xb_leader", "xa_leader", "city_leader")),
            "foreign": delegation(
                org(C), info, ("col_xx_manager", "col_xx_secretary", "col_vp_leader")
            ),
        },
        "notice": {
            "own": notice("kj_editor", org(W), "own"),
            "other": notice("xa_leader", org(W), "oth"),
            "foreign": notice("col_xx_manager", org(C), "foreign"),
        },
        "pending_grant": {
            w: PendingGrant.objects.create(
                user=person(grantee),
                unit=u,
                role=role,
                requested_by=person(by),
                requested_at=now,
            )
            for w, grantee, u, role, by in (
                ("own", "kj_editor", tc, "publisher", "gw_admin"),
                ("other", "xa_leader", ca, "custodian", "gw_admin"),
                ("foreign", "col_xx_manager", info, "manager", "col_admin"),
            )
        },
        "token": {
            "own": ApiToken.objects.create(user=person("kj_editor"), name=MARK, digest="1" * 64),
            "other": ApiToken.objects.create(user=person("xa_leader"), name=MARK, digest="2" * 64),
            "foreign": ApiToken.objects.create(
                user=person("col_xx_manager"), name=MARK, digest="3" * 64
            ),
        },
        # only the real-estate pack has the 附二 chain: another tenant's, for everyone here
        "authorisation": {
            "own": None,
            "other": None,
            "foreign": request_authorisation(
                channel("demo_real_estate", "company_weibo"),
                actor=person("re_zz_member1"),
                grantee=f"{MARK}授权",
                scope="发布",
                reason="值班",
            ),
        },
        # the college's 审批表 in review: another tenant's, for everyone here
        "application": {
            "own": None,
            "other": None,
            "foreign": request_application(
                channel(C, "info_wechat"),
                actor=person("col_xx_manager"),
                purpose=f"{MARK}学院新闻发布",
            ),
        },
        # C-04: reports of accounts not on the register (kj_editor's, xa_publisher's, the
        # college's manager's)
        "unregistered": {
            w: report_unregistered(org(o), actor=person(who), platform="weibo", name=f"{MARK}{w}号")
            for w, o, who in (
                ("own", W, "kj_editor"),
                ("other", W, "xa_publisher"),
                ("foreign", C, "col_xx_manager"),
            )
        },
        "lexicon": {
            "own": LexiconTerm.objects.create(
                organisation=org(W), term=f"{MARK}甲", category="test", severity="review"
            ),
            "other": None,
            "foreign": LexiconTerm.objects.create(
                organisation=org(C), term=f"{MARK}乙", category="test", severity="review"
            ),
        },
        "lexicon_allow": {
            "own": LexiconAllowPhrase.objects.create(organisation=org(W), phrase=f"{MARK}甲乙"),
            "other": None,
            "foreign": LexiconAllowPhrase.objects.create(organisation=org(C), phrase=f"{MARK}丙丁"),
        },
        "watch_topic": {
            w: WatchTopic.objects.create(
                organisation=o, name=f"{MARK}{w}话题", created_by=person(who)
            )
            for w, o, who in (("own", org(W), "kj_publisher"), ("foreign", org(C), "col_admin"))
        }
        | {"other": None},
        "moderation_rule": {
            w: ModerationRule.objects.create(
                organisation=o, key="matrix-rule", name=f"{MARK}{w}规则", actions=[{"do": "review"}]
            )
            for w, o in (("own", org(W)), ("foreign", org(C)))
        }
        | {"other": None},
    }


# ------------------------------------------------------------------ calling every route


def _call(c: Client, method: str, url: str, body: dict[str, Any] | None, api_call: bool) -> Any:
    """One request in a savepoint rolled back afterwards: a POST changes nothing."""
    with transaction.atomic():
        if method == "GET":
            r = c.get(url)
        elif api_call:
            r = c.post(url, body or {}, content_type="application/json")
        else:
            r = c.post(url, body or {})
        transaction.set_rollback(True)
    return r


def _call_as(who: str, method: str, url: str, body: dict[str, Any] | None, api: bool) -> Any:
    p, c = _persona(who)
    before = c.cookies.get("sessionid")
    r = _call(c, method, url, body, api)
    after = c.cookies.get("sessionid")
    if after is None or before is None or after.value != before.value:
        c.force_login(p)  # logout, login_code: the rolled-back call ended the session
    return r


def _expect_object(entry: Entry, p: User, obj: Any) -> bool:
    assert entry.kind is not None
    if entry.never:
        return False
    sees = WHO_SEES[entry.kind](p, obj)
    if sees and entry.also:
        target = obj.post if isinstance(obj, Deadline) else obj
        sees = can(p, entry.also, target)
    return sees


_personas: dict[str, tuple[User, Client]] = {}


def _persona(who: str) -> tuple[User, Client]:
    """One logged-in client per persona for the whole run (its grants cached once)."""
    if who not in _personas:
        p = person(who)
        c = Client()
        c.force_login(p)
        _personas[who] = (p, c)
    return _personas[who]


def _home(who: str) -> Organisation:
    return org(C) if who.startswith("col_") else org(W)


def _member_anywhere(p: User, o: Organisation, needs: str | None) -> bool:
    if needs in (None, "public"):
        return True
    return any(can(p, needs, u) for u in o.units.all())


def _check(
    failures: list[str],
    who: str,
    name: str,
    entry: Entry,
    objects: dict[str, dict[str, Any]],
    url_for: Callable[[Entry, Any], str],
    api_call: bool,
) -> None:
    p = _persona(who)[0]
    if entry.kind is None:
        url = url_for(entry, None)
        r = _call_as(who, entry.method, url, entry.body(None) if entry.body else None, api_call)
        home = _home(who)
        allowed = _member_anywhere(p, home, entry.needs)
        if r.status_code >= 500:
            failures.append(f"{who} {entry.method} {url}: {r.status_code}")
        elif not allowed and r.status_code not in (302, 403, 404):
            failures.append(f"{who} {entry.method} {url}: {r.status_code}, expected refusal")
        elif allowed and entry.needs not in (None, "public") and r.status_code in (403, 404):
            failures.append(f"{who} {entry.method} {url}: {r.status_code}, expected to open")
        _no_hidden_titles(failures, who, url, r, objects)
        return
    for where in WHERE:
        obj = objects[entry.kind][where]
        if obj is None:
            continue
        url = url_for(entry, obj)
        r = _call_as(who, entry.method, url, entry.body(obj) if entry.body else None, api_call)
        sees = _expect_object(entry, p, obj)
        if r.status_code >= 500:
            failures.append(f"{who} {entry.method} {name} [{where}] {url}: {r.status_code}")
        elif sees and r.status_code == 404:
            failures.append(f"{who} {entry.method} {name} [{where}] {url}: 404, may see it")
        elif not sees and r.status_code != 404:
            failures.append(f"{who} {entry.method} {name} [{where}] {url}: {r.status_code}")
        else:
            _no_hidden_titles(failures, who, url, r, objects)


def _no_hidden_titles(
    failures: list[str], who: str, url: str, r: Any, objects: dict[str, dict[str, Any]]
) -> None:
    """No page shows the title of a post, material, file or deadline the person may not
    see (lists, dashboards, calendars, panels)."""
    if (
        r.status_code != 200
        or "html" not in r.get("Content-Type", "")
        and "json" not in r.get("Content-Type", "")
    ):
        return
    body = r.content.decode(errors="replace")
    if MARK not in body:
        return
    p = _persona(who)[0]
    if url in ("/", "/audit/") and any(can(p, "audit.view", u) for u in _home(who).units.all()):
        return  # the audit log (and the dashboard's latest records) is its readers': all of it
    for kind, attr in (("post", "title"), ("material", "title"), ("asset", "title")):
        for obj in objects[kind].values():
            title = getattr(obj, attr)
            if title in body and not WHO_SEES[kind](p, obj):
                failures.append(f"{who} {url} shows {kind} {title!r}")


def _route_url(name: str) -> Callable[[Entry, Any], str]:
    def url(entry: Entry, obj: Any) -> str:
        if name == "site_index":
            return reverse(name, kwargs={"org": W, "channel": "city_site"})
        if name == "site_file":
            return reverse(name, kwargs={"org": W, "channel": "city_site", "path": "x.db"})
        return reverse(name, kwargs=entry.kwargs(obj)) if obj is not None else reverse(name)

    return url


def _operation_url(path: str) -> Callable[[Entry, Any], str]:
    def url(entry: Entry, obj: Any) -> str:
        return path.format(**entry.kwargs(obj)) if "{" in path else path

    return url


def test_x06_every_route_as_every_role_against_every_place() -> None:
    """X-06, issue #9 §3: 404 exactly when the person may not see the object; no 5xx;
    no page shows another's hidden titles. The objects are built once for all calls."""
    objects = _objects()
    _personas.clear()
    failures: list[str] = []
    names = {n for ns, n in url_names() if ns not in NOT_ROUTES}
    for name in sorted(names):
        entry = ROUTES[name]
        for who in PERSONAS:
            _check(failures, who, name, entry, objects, _route_url(name), api_call=False)
    for op, method, path in operations():
        entry = OPERATIONS[op]
        assert entry.method == method, op
        for who in PERSONAS:
            _check(failures, who, op, entry, objects, _operation_url(path), api_call=True)
    if failures:
        pytest.fail(f"{len(failures)} calls answered otherwise:\n" + "\n".join(failures))


def test_x06_the_django_admin_is_for_staff_only() -> None:
    for who in PERSONAS:
        c = Client()
        c.force_login(person(who))
        assert c.get("/admin/").status_code == 302, who
