"""Who may see an interaction item: a comment by its account (whoever may see the account,
or is on the staff of its publishing unit, or it is assigned or escalated to them, or its
reply waits for their approval); an activity by its account; a report by its reporter and
the opinion office.

The staff of an account's publishing unit (W-18, W-20): who handles the account's comments
(``comment.moderate`` over its unit: the publisher, the editor, the unit's leader, the
office that gathers opinion) or answers its questions through a role held in that unit
itself (``holds_in``). An expert whose ``question.answer`` comes from a role held
elsewhere (the weather bureau's forecasters and legal advisers answer organisation-wide)
may be given the account's questions and works on those only (decision 0030)."""

from __future__ import annotations

from guanwei.interaction.models import (
    Activity,
    ActivityStep,
    Comment,
    Feedback,
    HarmReport,
    WatchTopic,
)
from guanwei.orgs.access import may_see, register
from guanwei.orgs.models import Unit, User
from guanwei.orgs.permissions import Actor, can, holds_in

# The platforms whose accounts have comments, replies and activities (W-08, W-18): the
# social accounts; a website has none of them.
SOCIAL_PLATFORMS = ("weibo", "wechat")


def on_account_staff(user: Actor | None, unit: Unit) -> bool:
    """Whether ``user`` is on the staff of the publishing unit ``unit`` (see the module
    text): all of 互动台 on its accounts' items is theirs — every comment, hide, delete,
    escalate, assign, feedback, 精选."""
    return can(user, "comment.moderate", unit) or holds_in(user, "question.answer", unit)


def may_be_given(user: Actor | None, unit: Unit) -> bool:
    """Whether an item of an account of ``unit`` may be assigned to ``user``: its staff, and
    whoever answers questions there (an expert of the organisation, W-20)."""
    return can(user, "comment.moderate", unit) or can(user, "question.answer", unit)


def may_see_comment(user: User, c: Comment) -> bool:
    if user.pk in (c.assignee_id, c.escalated_to_id):
        return True
    if on_account_staff(user, c.unit):
        return True
    from guanwei.interaction.replies import awaits

    return may_see(user, c.channel) or awaits(user, c)  # W-20: its reply's approver


def may_see_activity(user: User, a: Activity) -> bool:
    # its deciders (activity.approve over its unit: the province's publisher, the bureau
    # leader) and its planners (who write posts for the account's unit)
    if can(user, "activity.approve", a.unit) or can(user, "post.create", a.unit):
        return True
    return may_see(user, a.channel)


def may_see_activity_step(user: User, s: ActivityStep) -> bool:
    return may_see_activity(user, s.activity)


def may_see_report(user: User, r: HarmReport) -> bool:
    if user.pk == r.reporter_id or user.pk == r.handler_id:
        return True
    # the opinion office handles; who oversees (report.view over the organisation) reads
    return can(user, "incident.handle", r.organisation) or can(user, "report.view", r.organisation)


def may_see_feedback(user: User, f: Feedback) -> bool:
    return can(user, "comment.moderate", f.unit) or can(user, "report.view", f.unit)


def may_see_watch_topic(user: User, t: WatchTopic) -> bool:
    # who reads the organisation's watchlist (E-06): statistics or comments somewhere in it
    from guanwei.interaction.watchlist import may_open_watch

    return may_open_watch(user, t.organisation)


def register_rules() -> None:
    register(Comment, may_see_comment, name="interaction")
    register(Activity, may_see_activity, name="interaction")
    register(ActivityStep, may_see_activity_step, name="interaction")
    register(HarmReport, may_see_report, name="interaction")
    register(Feedback, may_see_feedback, name="interaction")
    register(WatchTopic, may_see_watch_topic, name="interaction")
