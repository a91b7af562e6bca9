"""The main menu (issue #10 §6): an entry shows exactly when its page opens for the person.

Each entry names its page and the one function that decides who opens it — the function
the page itself calls before it answers (``may_open_…`` in the owning room's ``access``
module). The entries sit in a few sections (内容, 发布, 互动, 管理), each a dropdown
(``<details>``) of the menu bar; the template loops over ``menu_items`` and holds no copy
of any rule. ``web/tests/test_menu.py`` walks every demo person of three organisations:
every entry answers 200, every page of ``TOP_LEVEL`` that answers 200 has its entry, and
no section is shown empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanwei.audit.access import may_open_audit_log
from guanwei.channels.access import may_open_channel_list, may_open_register
from guanwei.content.access import may_open_asset_library, may_open_dropbox, may_open_post_list
from guanwei.interaction.queries import (
    may_open_activities,
    may_open_feedback,
    may_open_inbox,
    may_open_reports,
    may_open_rules,
    may_open_statistics,
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


# 工作台 first, then the sections in the words of the rule books (issue 11 left the menu over
# two lines at 1280 px; the sections keep it on one). Each person sees the entries their
# gates open; a section with none is not shown.
HOME = Entry("dashboard", _("Dashboard"), may_open_member_page)


@dataclass(frozen=True)
class Section:
    key: str
    label: str | Promise
    entries: tuple[Entry, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        "content",
        _("Content"),
        (
            Entry("post_list", _("Posts"), may_open_post_list),
            Entry("dropbox", _("Drop box"), may_open_dropbox),
            Entry("asset_library", _("Picture library"), may_open_asset_library),
            Entry("screen_page", _("Screening"), may_open_member_page),
        ),
    ),
    Section(
        "publishing",
        _("Publishing"),
        (
            Entry("review_queue", _("Review"), may_open_queue),
            Entry("filings", _("Filings"), may_open_filings),
            Entry("delegations", _("Delegations"), may_open_delegations),
            Entry("calendar", _("Calendar"), may_open_member_page),
            Entry("deadlines", _("Deadlines"), may_open_member_page),
        ),
    ),
    Section(
        "interaction",
        _("Interaction"),
        (
            Entry("inbox", _("Interaction desk"), may_open_inbox),
            Entry("activity_list", _("Activities"), may_open_activities),
            Entry("report_list", _("Harm reports"), may_open_reports),
            Entry("feedback_page", _("Feedback"), may_open_feedback),
            Entry("interaction_statistics", _("Interaction statistics"), may_open_statistics),
            Entry("rule_list", _("Moderation rules"), may_open_rules),
        ),
    ),
    Section(
        "management",
        _("Management"),
        (
            Entry("channel_list", _("Accounts"), may_open_channel_list),
            Entry("follow_list", _("Required follows"), may_open_channel_list),
            Entry("channel_register", _("Register of accounts"), may_open_register),
            Entry("unit_list", _("Units"), may_open_member_page),
            Entry("people_list", _("People"), may_open_people_list),
            Entry("pack_page", _("Rule book"), may_open_member_page),
            Entry("audit_list", _("Audit log"), may_open_audit_log),
        ),
    ),
)

MENU: tuple[Entry, ...] = (HOME, *(e for s in SECTIONS for e in s.entries))
SECTION_OF: dict[str, str] = {e.url_name: s.key for s in SECTIONS for e in s.entries}


@dataclass(frozen=True)
class Link:
    url: str
    label: str | Promise
    url_name: str
    section: str = ""  # the key of its section; "" for 工作台

    is_group = False


@dataclass(frozen=True)
class Group:
    """One section of the menu as a person sees it: only their links, never empty."""

    key: str
    label: str | Promise
    links: tuple[Link, ...]
    current: bool  # the page shown is one of its links

    is_group = True


def menu_for(user: User, organisation: Organisation | None) -> list[Link]:
    """The entries ``user`` may open in ``organisation`` (none without one), in menu order."""
    if organisation is None:
        return [Link(reverse("dashboard"), HOME.label, "dashboard")]
    answers: dict[Gate, bool] = {}  # entries sharing a gate ask it once
    for e in MENU:
        if e.may_open not in answers:
            answers[e.may_open] = e.may_open(user, organisation)
    return [
        Link(reverse(e.url_name), e.label, e.url_name, SECTION_OF.get(e.url_name, ""))
        for e in MENU
        if answers[e.may_open]
    ]


def menu_items(links: list[Link], path: str) -> list[Link | Group]:
    """What the menu bar shows: the links outside any section (工作台), then each section
    that holds one of ``links``, marked current when ``path`` is one of its pages."""
    items: list[Link | Group] = [link for link in links if not link.section]
    for s in SECTIONS:
        mine = tuple(link for link in links if link.section == s.key)
        if mine:
            items.append(Group(s.key, s.label, mine, any(link.url == path for link in mine)))
    return items
