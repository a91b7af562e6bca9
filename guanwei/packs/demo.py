"""The demo's logins (issue #10 §1): ``var/demo-logins.txt``, one section per organisation.

The file is written here only (created 0600; issue #9 §17)::

    # guanwei demo logins — http://127.0.0.1:8000/
    # username<TAB>password<TAB>name<TAB>roles …
    admin<TAB>…<TAB>系统管理员<TAB>superuser (Django admin /admin/)

    # == 市气象局(演示) (demo_weather)
    gw_admin<TAB>…<TAB>王伟<TAB>市气象局·系统管理员

Passwords are generated on the machine that runs the demo and never committed. The login
page of the demo (never the production profile) lists one login per role of every
organisation from it (``try_as``): 试用账号.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from guanwei.orgs.models import Membership, Organisation, User
from guanwei.orgs.rules import rules_for

HEADING = "# == "
ADMIN_ROLES = "superuser (Django admin /admin/)"


@dataclass
class Login:
    username: str
    password: str
    name: str
    roles: str


@dataclass
class Section:
    key: str  # the organisation's key; "" for the lines before any organisation (admin)
    name: str
    logins: list[Login] = field(default_factory=list)


def logins_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-logins.txt"


def read_logins(path: Path | None = None) -> list[Section]:
    """The file's sections in their order (the first is the one without a heading)."""
    path = path or logins_path()
    sections = [Section("", "")]
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return sections
    by_key = {"": sections[0]}
    current = sections[0]
    for line in text.splitlines():
        if line.startswith(HEADING):
            title = line.removeprefix(HEADING).strip()
            name, _, key = title.rpartition(" (")
            key = key.rstrip(")").strip()
            if key not in by_key:
                by_key[key] = Section(key, name.strip() or key)
                sections.append(by_key[key])
            current = by_key[key]
        elif line.strip() and not line.startswith("#"):
            cells = [*line.split("\t"), "", "", ""]
            if cells[0] and cells[1]:
                current.logins.append(Login(cells[0], cells[1], cells[2], cells[3]))
    return sections


def write_logins(sections: list[Section], base_url: str, path: Path | None = None) -> Path:
    """Replace the file; logins whose person no longer exists are left out."""
    path = path or logins_path()
    names = [login.username for s in sections for login in s.logins]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    lines = [
        f"# guanwei demo logins — {base_url.rstrip('/')}/",
        "# username\tpassword\tname\troles — one section per organisation; the passwords "
        "were generated on this machine (never committed)",
    ]
    for section in sections:
        kept = [login for login in section.logins if login.username in existing]
        if section.key:
            if not kept:
                continue
            lines += ["", f"{HEADING}{section.name} ({section.key})"]
        lines += [f"{x.username}\t{x.password}\t{x.name}\t{x.roles}" for x in kept]
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # §17
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    os.replace(temporary, path)
    return path


def add_logins(
    sections: list[Section], organisation: Organisation | None, logins: list[Login]
) -> None:
    """Add ``logins`` under the organisation's section (made when it has none); a login
    already listed keeps its line."""
    key, name = (organisation.key, organisation.name) if organisation else ("", "")
    section = next((s for s in sections if s.key == key), None)
    if section is None:
        section = Section(key, name)
        sections.append(section)
    section.name = name or section.name
    listed = {x.username for s in sections for x in s.logins}
    section.logins += [x for x in logins if x.username not in listed]


def header_url(path: Path | None = None) -> str:
    """The address the file's first line names ("" without a file)."""
    try:
        first = (path or logins_path()).read_text(encoding="utf-8").splitlines()[0]
    except (OSError, IndexError):
        return ""
    return first.rpartition(" — ")[2].strip() if " — " in first else ""


# ---------------------------------------------------------------- the login page


@dataclass
class TryAs:
    role: str  # the pack's name of the role
    name: str  # the person's name
    unit: str
    username: str
    password: str


@dataclass
class TryAsOrganisation:
    name: str
    logins: list[TryAs]


def try_as() -> list[TryAsOrganisation]:
    """试用账号: for every organisation of the logins file, one login per role of its pack
    (in the pack's order), the first listed person who holds it. Empty outside the demo."""
    if not settings.GUANWEI_DEMO_LOGINS or settings.GUANWEI_PRODUCTION:
        return []
    out = []
    for section in read_logins():
        if not section.key:
            continue
        org = Organisation.objects.filter(key=section.key).first()
        if org is None:
            continue
        passwords = {x.username: x.password for x in section.logins}
        held: dict[str, list[Membership]] = {}
        for m in (
            Membership.objects.filter(
                unit__organisation=org, revoked_at__isnull=True, user__username__in=passwords
            )
            .select_related("user", "unit")
            .order_by("pk")
        ):
            held.setdefault(m.role, []).append(m)
        order = {x.username: i for i, x in enumerate(section.logins)}
        rows = []
        for key, role in rules_for(org.pk).roles.items():
            holders = sorted(held.get(key, []), key=lambda m: order[m.user.username])
            if holders:
                m = holders[0]
                rows.append(
                    TryAs(
                        str(role["name"]),
                        m.user.display_name or m.user.username,
                        m.unit.name,
                        m.user.username,
                        passwords[m.user.username],
                    )
                )
        if rows:
            out.append(TryAsOrganisation(org.name, rows))
    return out
