"""The menu shows what the person may use and nothing else (issue #10 §6, X-06).

Every demo person of the weather bureau, the college and the real-estate company (three
organisations, three packs): every menu link answers 200, and every page of ``TOP_LEVEL``
that answers 200 has its menu link, and no section of the menu (内容, 发布, 互动, 管理 — issue
11 grouped the entries so the bar stays on one line) is shown empty. Then the cases the issue
names: the audit log only for its keepers, 备案 and 代审 linked for who may use them, the
account status offered only to who may change it, the consent form only to who may consent.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import resolve, reverse

from guanwei.channels.models import ChannelStatus
from guanwei.orgs.models import User
from guanwei.testing.personas import channel, person
from guanwei.testing.personas import unit as unit_of
from guanwei.web.menu import HOME, MENU, SECTIONS

pytestmark = pytest.mark.django_db

# The app's top-level pages: those one reaches without an object. Pages reached from one
# of these (new post, new material, holidays, lexicon, notices, own security pages) are
# linked from their page, not from the menu.
TOP_LEVEL = (
    "dashboard",
    "review_queue",
    "post_list",
    "dropbox",
    "asset_library",
    "calendar",
    "deadlines",
    "inbox",
    "activity_list",
    "report_list",
    "feedback_page",
    "interaction_statistics",
    "rule_list",
    "filings",
    "delegations",
    "unit_list",
    "people_list",
    "channel_list",
    "follow_list",
    "channel_register",
    "screen_page",
    "pack_page",
    "audit_list",
)
ORGS = ("demo_weather", "demo_college", "demo_real_estate")
NAV = re.compile(r'<nav class="main-nav"[^>]*>(.*?)</nav>', re.S)
SECTION = re.compile(
    r'<details class="menu-group"[^>]*data-menu-group="([a-z]+)"[^>]*>\s*'
    r"<summary>([^<]+)</summary>(.*?)</details>",
    re.S,
)


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _menu(c: Client) -> dict[str, str]:
    r = c.get(reverse("dashboard"))
    assert r.status_code == 200
    nav = NAV.search(r.content.decode())
    assert nav is not None
    links = re.findall(r'<a href="([^"]+)"', nav.group(1))
    for key, label, body in SECTION.findall(nav.group(1)):
        assert re.search(r'<a href="', body), f"the section {label} ({key}) is shown empty"
    return {str(resolve(url).url_name): url for url in links}


def test_x06_the_menu_lists_every_top_level_page() -> None:
    assert {e.url_name for e in MENU} == set(TOP_LEVEL)
    assert len(MENU) == len(TOP_LEVEL)  # each page in one place only


def test_x06_the_menu_is_the_dashboard_then_four_sections_in_the_rule_books_words() -> None:
    """工作台 stands alone; the other pages sit in 内容, 发布, 互动 and 管理 (issue 11)."""
    c = _client(person("re_zz_executive"))
    nav = NAV.search(c.get(reverse("dashboard")).content.decode())
    assert nav is not None
    first = re.search(r"<(a|details)\b[^>]*>", nav.group(1))
    assert first is not None and 'data-menu="dashboard"' in first.group(0)
    assert HOME.url_name == "dashboard"
    shown = [(key, label.strip()) for key, label, _ in SECTION.findall(nav.group(1))]
    assert shown == [
        ("content", "内容"),
        ("publishing", "发布"),
        ("interaction", "互动"),
        ("management", "管理"),
    ]
    assert [s.key for s in SECTIONS] == [key for key, _ in shown]


def test_x06_a_section_shows_only_the_persons_entries_and_none_is_empty() -> None:
    """The weather office's information officer may open no page of 互动: he has no 互动
    section; the technology centre's editor has 互动台 under 互动 (and only there)."""
    shown: dict[str, dict[str, set[str]]] = {}
    for who in ("bgs_officer", "kj_editor", "col_yq_reviewer", "re_ch_editor"):
        html = _client(person(who)).get(reverse("dashboard")).content.decode()
        nav = NAV.search(html)
        assert nav is not None
        shown[who] = {}
        for key, _label, body in SECTION.findall(nav.group(1)):
            names = {str(resolve(u).url_name) for u in re.findall(r'<a href="([^"]+)"', body)}
            section = next(s for s in SECTIONS if s.key == key)
            assert names and names <= {e.url_name for e in section.entries}, (who, key)
            shown[who][key] = names
    assert "interaction" not in shown["bgs_officer"]
    assert "inbox" in shown["kj_editor"]["interaction"]


def test_x06_the_page_shown_is_marked_current_in_its_section() -> None:
    """aria-current on the link of the page shown, data-current on its section."""
    c = _client(person("re_zz_executive"))
    html = c.get(reverse("people_list")).content.decode()
    nav = NAV.search(html)
    assert nav is not None
    tags = re.findall(r'<details class="menu-group"[^>]*>', nav.group(1))
    marked = [t for t in tags if "data-current" in t]
    assert len(marked) == 1 and 'data-menu-group="management"' in marked[0]
    assert re.findall(r'<a [^>]*aria-current="page"[^>]*>', nav.group(1)) == [
        f'<a href="{reverse("people_list")}" data-menu="people_list" aria-current="page">'
    ]


@pytest.mark.parametrize("org_key", ORGS)
def test_x06_every_menu_link_opens_and_every_page_that_opens_is_in_the_menu(org_key: str) -> None:
    people = User.objects.filter(
        memberships__unit__organisation__key=org_key, memberships__revoked_at__isnull=True
    ).distinct()
    failures = []
    for user in people.order_by("username"):
        c = _client(user)
        menu = _menu(c)
        for name in TOP_LEVEL:
            status = c.get(reverse(name)).status_code
            if name in menu and status != 200:
                failures.append(f"{user.username}: menu links {name}, which answers {status}")
            if status == 200 and name not in menu:
                failures.append(f"{user.username}: {name} opens, but the menu has no link")
            if status not in (200, 404):
                failures.append(f"{user.username}: {name} answers {status}")
    assert failures == []


def test_x06_the_audit_log_is_only_in_its_keepers_menu() -> None:
    """Managers, reviewers and editors have no 审计日志 entry (their page would be 404)."""
    for who in ("kj_leader", "kj_editor", "kj_publisher", "col_jwc_manager", "col_jwc_head"):
        assert "audit_list" not in _menu(_client(person(who))), who
    assert "audit_list" in _menu(_client(person("gw_auditor")))


def test_c07_r04_filings_and_delegations_have_menu_links_for_who_may_use_them() -> None:
    """备案 for who files (the business section, the college's public-opinion office); 代审
    where the pack allows a deputy (the real-estate group), never for an editor."""
    assert "filings" in _menu(_client(person("ywk_head")))
    assert "filings" in _menu(_client(person("col_yq_reviewer")))
    assert "filings" not in _menu(_client(person("kj_editor")))
    executive = _menu(_client(person("re_zz_executive")))
    assert "delegations" in executive
    assert _client(person("re_zz_executive")).get(executive["delegations"]).status_code == 200
    assert "delegations" in _menu(_client(person("re_zz_deputy1")))
    assert "delegations" not in _menu(_client(person("re_ch_editor")))
    # the weather pack allows no deputy: no entry, and the page is not there
    assert "delegations" not in _menu(_client(person("kj_leader")))
    assert _client(person("kj_leader")).get(reverse("delegations")).status_code == 404


def test_r04_the_consent_form_is_not_shown_to_a_deputy() -> None:
    page = _client(person("re_zz_deputy1")).get(reverse("delegations")).content.decode()
    assert 'id="delegation-form"' not in page
    page = _client(person("re_zz_executive")).get(reverse("delegations")).content.decode()
    assert 'id="delegation-form"' in page


def _status_options(html: str) -> list[str]:
    select = re.search(r'<select name="status"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    return re.findall(r'<option value="([a-z]+)"', select.group(1))


def test_w04_the_status_dropdown_offers_only_what_the_person_may_set() -> None:
    """The administrator may change the city account but not open or close it (the
    business section approves that, W-04): he is offered its status alone, and saving the
    form changes nothing he may not change — no refusal."""
    ch = channel("demo_weather", "city_weibo")
    admin = _client(person("gw_admin"))
    page = admin.get(reverse("channel_detail", args=[ch.pk])).content.decode()
    assert _status_options(page) == [ch.status]
    r = admin.post(
        reverse("channel_detail", args=[ch.pk]),
        {
            "name": ch.name,
            "account_id": ch.account_id,
            "purpose": "市局官方微博",
            "manager": ch.manager_id or "",
            "responsible": ch.responsible_id or "",
            "status": ChannelStatus.CLOSED,  # a hand-made request: ignored
            "verified": "on" if ch.verified else "",
        },
    )
    assert r.status_code == 302
    ch.refresh_from_db()
    assert (ch.status, ch.purpose) == (ChannelStatus.ACTIVE, "市局官方微博")
    approver = _client(person("ywk_head"))
    page = approver.get(reverse("channel_detail", args=[ch.pk])).content.decode()
    if 'name="status"' in page:  # the business section approves; it may not change details
        assert len(_status_options(page)) == len(ChannelStatus.choices)


def test_x06_the_grant_form_does_not_offer_oneself() -> None:
    """grant_role refuses a role granted to oneself: the form does not offer it."""
    u = unit_of("demo_weather", "city_tech_centre")
    me = person("gw_security")
    page = _client(me).get(reverse("unit_detail", args=[u.pk])).content.decode()
    select = re.search(r'<select name="user"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None
    offered = set(re.findall(r'<option value="(\d+)"', select.group(1)))
    assert str(me.pk) not in offered and str(person("kj_editor").pk) in offered
