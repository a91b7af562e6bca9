"""The main menu (issue #10 §6): an entry shows exactly when its page opens for the person.

Each entry names its page and the one function that decides who opens it — the function
the page itself calls before it answers (``may_open_…`` in the owning room's ``access``
module). The template loops over ``menu_for``; it holds no copy of any rule.
``web/tests/test_menu.py`` walks every demo person of two organisations: every entry
answers 200, and every page of ``TOP_LEVEL`` that answers 200 has its entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanwei.audit.access import may_open_audit_log
from guanwei.channels.access import may_open_channel_list
from guanwei.content.access import may_open_asset_library, may_open_dropbox, may_open_post_list
from guanwei.interaction.queries import (
    may_open_activities,
    may_open_feedback,
    may_open_inbox,
    may_open_reports,
)
from guanwei.orgs.access import may_open_member_page, may_open_people_list
from guanwei.orgs.models import Organisation, User
from guanwei.workflow.access import may_open_delegations, may_open_filings, may_open_queue

Gate = Callable[[User, Organisation], bool]


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: str | Promise
    may_open: Gate


MENU: tuple[Entry, ...] = (
    Entry("dashboard", _("Dashboard"), may_open_member_page),
    Entry("review_queue", _("Review"), may_open_queue),
    Entry("post_list", _("Posts"), may_open_post_list),
    Entry("dropbox", _("Drop box"), may_open_dropbox),
    Entry("asset_library", _("Picture library"), may_open_asset_library),
    Entry("calendar", _("Calendar"), may_open_member_page),
    Entry("deadlines", _("Deadlines"), may_open_member_page),
    Entry("inbox", _("Interaction desk"), may_open_inbox),
    Entry("activity_list", _("Activities"), may_open_activities),
    Entry("report_list", _("Harm reports"), may_open_reports),
    Entry("feedback_page", _("Feedback"), may_open_feedback),
    Entry("filings", _("Filings"), may_open_filings),
    Entry("delegations", _("Delegations"), may_open_delegations),
    Entry("unit_list", _("Units"), may_open_member_page),
    Entry("people_list", _("People"), may_open_people_list),
    Entry("channel_list", _("Accounts"), may_open_channel_list),
    Entry("follow_list", _("Required follows"), may_open_channel_list),
    Entry("screen_page", _("Screening"), may_open_member_page),
    Entry("pack_page", _("Rule book"), may_open_member_page),
    Entry("audit_list", _("Audit log"), may_open_audit_log),
)


@dataclass(frozen=True)
class Link:
    url: str
    label: str | Promise
    url_name: str


def menu_for(user: User, organisation: Organisation | None) -> list[Link]:
    """The entries ``user`` may open in ``organisation`` (none without one)."""
    if organisation is None:
        return [Link(reverse("dashboard"), MENU[0].label, "dashboard")]
    answers: dict[Gate, bool] = {}  # entries sharing a gate ask it once
    for e in MENU:
        if e.may_open not in answers:
            answers[e.may_open] = e.may_open(user, organisation)
    return [Link(reverse(e.url_name), e.label, e.url_name) for e in MENU if answers[e.may_open]]
