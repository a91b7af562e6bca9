"""Who may see an interaction item: a comment or activity by its account (whoever may see
the account, or holds comment.moderate / question.answer on its unit, or it is assigned to
or escalated to them); a report by its reporter and the opinion office."""

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
from guanwei.orgs.models import User
from guanwei.orgs.permissions import can


def may_see_comment(user: User, c: Comment) -> bool:
    if user.pk in (c.assignee_id, c.escalated_to_id):
        return True
    if can(user, "comment.moderate", c.unit) or can(user, "question.answer", c.unit):
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
    return can(user, "incident.handle", r.organisation)


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
