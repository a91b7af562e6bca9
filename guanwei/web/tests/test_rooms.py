"""Each page lives in its own room and keeps its address (issue #8, section 7): `web` is the
shell (layout, dashboard, login); units and people are `orgs`' pages, accounts and follows
`channels`', the audit log `audit`'s, the rule book `packs`'."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import resolve, reverse

ADDRESSES = [
    ("login", {}, "/login/", "guanwei.web.logins"),
    ("password_change", {}, "/password/", "guanwei.web.logins"),
    ("logout", {}, "/logout/", "django.contrib.auth"),
    ("dashboard", {}, "/", "guanwei.web.views"),
    ("unit_list", {}, "/units/", "guanwei.orgs.views"),
    ("unit_detail", {"pk": 7}, "/units/7/", "guanwei.orgs.views"),
    ("unit_grant", {"pk": 7}, "/units/7/grant/", "guanwei.orgs.views"),
    ("unit_move", {"pk": 7}, "/units/7/move/", "guanwei.orgs.views"),
    ("unit_create_child", {"pk": 7}, "/units/7/children/", "guanwei.orgs.views"),
    ("membership_revoke", {"pk": 7}, "/memberships/7/revoke/", "guanwei.orgs.views"),
    ("people_list", {}, "/people/", "guanwei.orgs.views"),
    ("channel_list", {}, "/channels/", "guanwei.channels.views"),
    ("channel_detail", {"pk": 7}, "/channels/7/", "guanwei.channels.views"),
    (
        "channel_application_pdf",
        {"pk": 7},
        "/channels/7/application.pdf",
        "guanwei.channels.views",
    ),
    ("channel_authorisation", {"pk": 7}, "/channels/7/authorisation/", "guanwei.channels.views"),
    ("channel_apply", {}, "/channels/apply/", "guanwei.channels.views"),
    (
        "channel_change_people",
        {"pk": 7},
        "/channels/7/change-people/",
        "guanwei.channels.views",
    ),
    (
        "application_archive",
        {"pk": 7},
        "/review/applications/7/archive/",
        "guanwei.workflow.views",
    ),
    ("follow_list", {}, "/follows/", "guanwei.channels.views"),
    ("channel_register", {}, "/channels/register/", "guanwei.channels.register_views"),
    ("pack_page", {}, "/packs/", "guanwei.packs.views"),
    ("audit_list", {}, "/audit/", "guanwei.audit.views"),
    ("audit_verify", {}, "/audit/verify/", "guanwei.audit.views"),
]


@pytest.mark.parametrize(("name", "kwargs", "address", "module"), ADDRESSES)
def test_x01_every_page_keeps_its_address_and_lives_in_its_room(
    name: str, kwargs: dict, address: str, module: str
) -> None:
    """X-01: the same URLs as before the move, each served by its own room's view."""
    assert reverse(name, kwargs=kwargs) == address
    match = resolve(address)
    assert match.url_name == name
    assert match.func.__module__.startswith(module)


def test_web_keeps_only_the_shell() -> None:
    """The shell's templates are the layout, the dashboard, the no-organisation page and
    the error pages' body (``_error.html``, used by ``404.html``, ``403.html``, …)."""
    web = Path(__file__).resolve().parents[1]
    templates = sorted(p.name for p in (web / "templates" / "web").iterdir())
    assert templates == ["_error.html", "base.html", "dashboard.html", "no_org.html"]
    assert not (web / "forms.py").exists()


def test_no_room_imports_the_shell() -> None:
    """The shell sits above every room: rooms' pages take their helpers from
    `guanwei.orgs.pages` and their shared widgets from `guanwei.widgets`, never from
    `guanwei.web` (only settings and the URL conf name it)."""
    import ast

    package = Path(__file__).resolve().parents[2]
    offenders = []
    for path in package.rglob("*.py"):
        rel = path.relative_to(package)
        if rel.parts[0] in {"web", "settings.py", "urls.py"} or "tests" in rel.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            offenders += [f"{rel}: {n}" for n in names if n.startswith("guanwei.web")]
    assert offenders == [], "import guanwei.orgs.pages / guanwei.widgets instead of guanwei.web"
