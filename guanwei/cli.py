"""The ``guanwei`` console script (also ``python -m guanwei``).

Subcommands: run, serve, demo, packs list|show|validate|load, audit verify|anchor,
screen, triage --pack NAME, bench NAME, token create, mfa reset,
vault new-key|check|rotate-key, manage (Django
management passthrough).
"""

from __future__ import annotations

import argparse
import os
import runpy
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanwei.settings")
    import django

    django.setup()


# ---------------------------------------------------------------- packs


def cmd_packs(args: argparse.Namespace) -> int:
    from guanwei.packs.schema import (
        PackValidationError,
        available_packs,
        load_pack,
        validate_files,
    )

    if args.packs_command == "list":
        for name, path in available_packs().items():
            try:
                pack = load_pack(name)
            except PackValidationError:
                print(f"{name:18} (invalid: run guanwei packs validate {path})")
                continue
            print(f"{name:18} {pack.version:8} {pack.kind:8} {pack.title}")
        return 0
    if args.packs_command == "validate":
        errors = validate_files(args.files)
        for error in errors:
            print(error, file=sys.stderr)
        if errors:
            print(f"{len(errors)} error(s)", file=sys.stderr)
            return 1
        print(f"OK {len(args.files)} pack(s)")
        return 0
    try:
        pack = load_pack(args.name)
    except PackValidationError as e:
        print(e, file=sys.stderr)
        return 1
    if args.packs_command == "show":
        _show_pack(pack)
        return 0
    # load
    _django()
    if args.demo_people and _refused_in_production("packs load --demo-people"):
        return 2
    from guanwei.orgs.errors import DomainError
    from guanwei.orgs.models import Organisation
    from guanwei.orgs.permissions import SYSTEM
    from guanwei.packs.actions import load_pack as apply_pack

    org = None
    if args.org:
        org = Organisation.objects.filter(key=args.org).first()
        if org is None:
            print(f"no organisation with key {args.org!r}", file=sys.stderr)
            return 1
    try:
        report = apply_pack(pack, actor=SYSTEM, organisation=org, demo_people=args.demo_people)
    except DomainError as e:
        print(e.message, file=sys.stderr)
        return 1
    _print_report(report)
    if args.demo_people:
        _keep_demo_logins(report)
    elif report.created.get("people"):
        print(
            f"{report.created['people']} people have no password yet "
            "(--demo-people gives the pack's people demo logins)"
        )
    return 0


def _keep_demo_logins(report: Any) -> None:
    """``packs load NAME --demo-people``: print the logins made and add them to the demo's
    logins file under the organisation's heading; the organisation's accounts are pointed
    at the demo's platforms at the address the demo already uses (issue #10 §1)."""
    from guanwei.packs import demo

    sections = demo.read_logins()
    base_url = demo.header_url().rstrip("/") or served_url()
    made = _logins(report.logins)
    demo.add_logins(sections, report.organisation, made)
    connect_demo_channels(
        demo.logins_path().parent, site_url=base_url, fakes=_fakes_in_use(base_url)
    )
    path = demo.write_logins(sections, base_url)
    if not made:
        print(f"no new logins; the demo's logins are in {path}")
        return
    print(f"{demo.HEADING}{report.organisation.name} ({report.organisation.key})")
    for x in made:
        print(f"{x.username}\t{x.password}\t{x.name}\t{x.roles}")
    print(f"(added to {path})")


def _fakes_in_use(base_url: str) -> FakeAddresses | None:
    """The fakes the demo's accounts already point at; beside ``base_url`` when none do."""
    from urllib.parse import urlsplit

    from guanwei.publishing.models import ChannelSettings

    ports: dict[str, tuple[str, int]] = {}
    for row in ChannelSettings.objects.filter(
        channel__platform__in=["weibo", "wechat"]
    ).select_related("channel"):
        if row.values.get("demo") == "1" and row.values.get("base_url"):
            parts = urlsplit(row.values["base_url"])
            if parts.port:
                ports.setdefault(row.channel.platform, (parts.hostname or "127.0.0.1", parts.port))
    if "weibo" in ports or "wechat" in ports:
        host, weibo = ports.get("weibo") or (ports["wechat"][0], ports["wechat"][1] - 1)
        wechat = ports.get("wechat", (host, weibo + 1))[1]
        return FakeAddresses(host, weibo, wechat)
    parts = urlsplit(base_url)
    return FakeAddresses.beside(parts.hostname or "127.0.0.1", parts.port or 8000)


def _show_pack(pack: Any) -> None:
    print(f"{pack.name} {pack.version} ({pack.kind}) — {pack.title}")
    if pack.summary:
        print(pack.summary)
    sections = [
        ("principles", [p.text for p in pack.principles]),
        ("roles", [f"{r.key} {r.name} [{r.scope}]" for r in pack.roles]),
        ("unit types", [f"{t.key} {t.name} ({len(t.duties)} duties)" for t in pack.unit_types]),
        ("categories", [f"{c.key} {c.name}: {len(c.subtypes)} sub-types" for c in pack.categories]),
        ("columns", [f"{c.hashtag} {c.name}" for c in pack.columns]),
        ("channel kinds", [f"{k.key} {k.name} ({k.platform})" for k in pack.channel_kinds]),
    ]
    for title, rows in sections:
        if rows:
            print(f"\n{title}:")
            for row in rows:
                print(f"  {row}")
    if pack.organisation:
        o = pack.organisation
        print(
            f"\norganisation: {o.name} — {len(o.units)} units, {len(o.people)} people, "
            f"{len(o.channels)} accounts, {len(o.follows)} required follows"
        )
    if pack.extras:
        print(f"\nother sections: {', '.join(sorted(pack.extras))}")


def _print_report(report: Any) -> None:
    org = report.organisation
    if report.nothing_changed:
        print(f"{org.name} ({org.key}): already up to date")
        return
    parts = [f"{n} {k} created" for k, n in report.created.items()]
    parts += [f"{n} {k} changed" for k, n in report.changed.items()]
    if report.pack_changed:
        parts.append("pack version recorded")
    print(f"{org.name} ({org.key}): " + ", ".join(parts))


# ---------------------------------------------------------------- audit


def cmd_audit(args: argparse.Namespace) -> int:
    """``guanwei audit verify``: the whole chain, then against the last anchor (a deleted
    tail); ``guanwei audit anchor``: write the head outside the database (issue #9 §18)."""
    _django()
    from guanwei.audit.anchor import anchor_path, check_anchor, last_anchor, write_anchor
    from guanwei.audit.verify import verify_chain

    if args.audit_command == "anchor":
        anchor = write_anchor()
        if anchor is None:
            print("the audit log is empty: nothing to anchor")
            return 0
        print(f"anchored seq={anchor.seq} {anchor.hash} to {anchor_path()}")
        return 0
    result = verify_chain()
    print(result)
    if not result.ok:
        return 1
    problem = check_anchor()
    if problem:
        print(f"BROKEN against the last anchor: {problem}")
        return 1
    anchor = last_anchor()
    if anchor is not None:
        print(f"OK against the anchor of {anchor.anchored_at} (seq={anchor.seq})")
    return 0


# ---------------------------------------------------------------- demo and run


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=verbosity, interactive=False)


BASE_PACKS_ORDER = ["weather-bureau", "college", "tourism-bureau", "real-estate", "edu-software"]


def demo_packs() -> list[str]:
    """Every shipped base pack with an organisation: the five seed organisations, the
    weather bureau first (issue #10 §1)."""
    from guanwei.packs.schema import PackValidationError, available_packs
    from guanwei.packs.schema import load_pack as read_pack

    names = []
    for name in available_packs():
        try:
            pack = read_pack(name)
        except PackValidationError:
            continue
        if pack.kind == "base" and pack.organisation is not None:
            names.append(name)
    order = {name: i for i, name in enumerate(BASE_PACKS_ORDER)}
    return sorted(names, key=lambda n: (order.get(n, len(order)), n))


def _shown_host(host: str) -> str:
    if host in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def served_url(host: str = "127.0.0.1", port: int = 8000) -> str:
    """The address people reach the site at: ``GUANWEI_BASE_URL`` when set (production,
    behind its proxy), else the ``--host``/``--port`` guanwei is served on (issue #10 §1)."""
    from django.conf import settings

    return settings.GUANWEI_BASE_URL or f"http://{_shown_host(host)}:{port}"


@dataclass(frozen=True)
class FakeAddresses:
    """Where the demo's fake Weibo and WeChat listen: beside the site, on its port + 101 and
    + 102 (8101 and 8102 for the default 8000), so two demos on two ports do not collide."""

    host: str
    weibo_port: int
    wechat_port: int

    @classmethod
    def beside(cls, host: str, port: int) -> FakeAddresses:
        return cls(host, port + 101, port + 102)

    @property
    def weibo_url(self) -> str:
        return f"http://{_shown_host(self.host)}:{self.weibo_port}"

    @property
    def wechat_url(self) -> str:
        return f"http://{_shown_host(self.host)}:{self.wechat_port}"


def fake_accounts_path() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "fake-accounts.json"


def ensure_demo(
    packs: list[str] | None = None,
    *,
    base_url: str | None = None,
    fakes: FakeAddresses | None = None,
    quiet: bool = False,
) -> Path:
    """Migrate, load the demo organisations (every base pack, or ``packs``) with a demo
    person for every role, point their accounts at the demo's platforms and keep the
    logins in var/demo-logins.txt, one section per organisation (issue #10 §1)."""
    from django.conf import settings
    from django.db import transaction

    from guanwei.orgs.models import User
    from guanwei.orgs.permissions import SYSTEM
    from guanwei.packs import demo
    from guanwei.packs.actions import demo_password, load_pack
    from guanwei.packs.schema import load_pack as read_pack

    if settings.GUANWEI_PRODUCTION:
        raise RuntimeError("the demo is never loaded under GUANWEI_ENV=production")
    base_url = base_url or served_url()
    _migrate()
    sections = demo.read_logins()
    new = 0
    for name in packs or demo_packs():
        with transaction.atomic():
            report = load_pack(read_pack(name), actor=SYSTEM, demo_people=True)
        demo.add_logins(sections, report.organisation, _logins(report.logins))
        new += len(report.logins)
    if not User.objects.filter(username="admin").exists():
        admin_password = demo_password()
        User.objects.create_superuser("admin", "", admin_password, display_name="系统管理员")
        sections[0].logins = [x for x in sections[0].logins if x.username != "admin"] + [
            demo.Login("admin", admin_password, "系统管理员", demo.ADMIN_ROLES)
        ]
        new += 1
    connect_demo_channels(demo.logins_path().parent, site_url=base_url, fakes=fakes)
    logins = demo.write_logins(sections, base_url)
    if quiet:
        return logins
    if new:
        print(logins.read_text(encoding="utf-8"), end="")
        print(f"(kept in {logins})")
    else:
        count = sum(1 for s in sections if s.key)
        print(f"{count} demo organisations ready at {base_url}/; logins are in {logins}")
    return logins


def _logins(created: list[Any]) -> list[Any]:
    from guanwei.packs.demo import Login

    return [Login(n.username, n.password, n.display_name, "、".join(n.roles)) for n in created]


def _slug(key: str) -> str:
    return key.removeprefix("demo_").replace("_", "-").lower()


def connect_demo_channels(
    var_dir: Path,
    site_url: str = "http://127.0.0.1:8000",
    fakes: FakeAddresses | None = None,
) -> int:
    """Point every demo account at the demo's own platforms, built from the address the
    demo is served on, so it publishes end to end offline (issue #10 §1, §5):

    * Weibo and WeChat: each account its own account on the local fakes (``fakes``) — its
      own uid and token or appid and secret, its name as the screen name, its own safe
      domain — listed in var/fake-accounts.json for the fakes to read; ``fakes=None`` (not
      running): not connected;
    * website: a site directory under var/ that guanwei serves at ``site_url``/site/…;
    * anything else: an outbox directory.

    Accounts whose settings a custodian entered are never touched. Returns how many
    settings records changed."""
    import secrets

    from guanwei.channels.models import Channel
    from guanwei.orgs.permissions import SYSTEM
    from guanwei.publishing.actions import set_demo_channel_settings
    from guanwei.publishing.credentials import settings_for
    from guanwei.publishing.fakes.accounts import FakeAccount, write_accounts
    from guanwei.publishing.fakes.weibo import DEMO_TOKEN
    from guanwei.publishing.models import ChannelSettings

    site_url = site_url.rstrip("/")
    changed = 0
    accounts: list[FakeAccount] = []
    rows = {
        s.channel_id: dict(settings_for(s.channel))
        for s in ChannelSettings.objects.select_related("channel")
    }
    for channel in Channel.objects.select_related("organisation").order_by("pk"):
        current = rows.get(channel.pk)
        if current is not None and current.get("demo") != "1":
            continue  # connected by its custodian
        old = current or {}
        values: dict[str, str] | None
        org = channel.organisation
        if channel.platform == "weibo":
            values = None
            if fakes is not None:
                mine = old.get("access_token", "") not in ("", DEMO_TOKEN) and old.get("uid")
                values = {
                    "access_token": old["access_token"]
                    if mine
                    else f"demo-weibo-{secrets.token_urlsafe(18)}",
                    "uid": old["uid"] if mine else str(2000000 + channel.pk),
                    "base_url": fakes.weibo_url,
                    "web_url": fakes.weibo_url,
                    "safe_domain": f"https://{_slug(channel.key)}.{_slug(org.key)}.example.cn",
                    "settle_seconds": "2",
                }
                accounts.append(
                    FakeAccount(
                        "weibo",
                        channel.name,
                        uid=values["uid"],
                        token=values["access_token"],
                        safe_domain=values["safe_domain"],
                    )
                )
        elif channel.platform == "wechat":
            values = None
            if fakes is not None:
                mine = old.get("appid", "").startswith("wxdemo") and old.get("secret")
                values = {
                    "appid": old["appid"] if mine else f"wxdemo{channel.pk:010d}",
                    "secret": old["secret"] if mine else secrets.token_hex(16),
                    "base_url": fakes.wechat_url,
                    "settle_seconds": "10",
                }
                accounts.append(
                    FakeAccount(
                        "wechat", channel.name, appid=values["appid"], secret=values["secret"]
                    )
                )
        elif channel.platform == "website":
            site = var_dir.resolve() / "site" / org.key / channel.key
            values = {
                "site_dir": str(site),
                "title": channel.name,
                "base_url": f"{site_url}/site/{org.key}/{channel.key}/",
            }
        else:
            values = {"outbox_dir": str(var_dir / "outbox" / channel.key)}
        wanted = None if values is None else {**values, "demo": "1"}
        if wanted != current:
            set_demo_channel_settings(channel, actor=SYSTEM, values=values)
            changed += 1
    if fakes is not None or accounts:
        write_accounts(var_dir / "fake-accounts.json", accounts)
    return changed


def _refused_in_production(command: str) -> bool:
    """The demo's commands make the ``admin`` superuser and people with generated passwords
    kept in var/demo-logins.txt: never under the production profile (issue #10 §1)."""
    from django.conf import settings

    if not settings.GUANWEI_PRODUCTION:
        return False
    print(
        f"guanwei {command}: refused under GUANWEI_ENV=production — the demo's logins "
        "(generated passwords in var/demo-logins.txt) are never made there. Load the rule "
        "book with `guanwei packs load NAME` (its people get no password) and create the "
        "administrator with `guanwei manage createsuperuser` (docs/deploy.md).",
        file=sys.stderr,
    )
    return True


def cmd_demo(args: argparse.Namespace) -> int:
    _django()
    if _refused_in_production("demo"):
        return 2
    ensure_demo(
        args.pack,
        base_url=served_url(args.host, args.port),
        fakes=None if args.no_fakes else FakeAddresses.beside(args.host, args.port),
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _django()
    from django.conf import settings
    from waitress import serve

    from guanwei.wsgi import application

    proxy: dict[str, Any] = {}
    if settings.GUANWEI_PRODUCTION:
        # issue #9 §16 (sec-deploy): believe the TLS proxy's X-Forwarded-Proto (https) and
        # X-Forwarded-For (the client's address, for lockouts and the audit log) — only
        # from the proxy's own address; waitress strips them from anyone else.
        proxy = {
            "trusted_proxy": settings.GUANWEI_TRUSTED_PROXY,
            "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-proto", "x-forwarded-for"},
            "clear_untrusted_proxy_headers": True,
        }
    public = served_url(args.host, args.port)
    listening = f"http://{_shown_host(args.host)}:{args.port}"
    shown = public if public == listening else f"{public} (listening on {listening})"
    print(f"guanwei web on {shown}/", flush=True)
    serve(
        application,
        host=args.host,
        port=args.port,
        threads=8,
        ident="guanwei",
        # issue #9 §15: a body over the limit is refused before it is read into memory
        max_request_body_size=settings.GUANWEI_MAX_REQUEST_BYTES,
        **proxy,
    )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Embedded mode: one process group with the web server and the task worker.
    Ctrl-C (SIGINT) or SIGTERM stops every child before this process exits."""
    os.environ.setdefault("GUANWEI_EMBEDDED", "1")  # children: OCR off unless GUANWEI_OCR=1
    _django()
    if _refused_in_production("run"):
        return 2
    fakes = None if args.no_fakes else FakeAddresses.beside(args.host, args.port)
    ensure_demo(args.pack, base_url=served_url(args.host, args.port), fakes=fakes)
    python = sys.executable
    children: list[subprocess.Popen[bytes]] = [
        subprocess.Popen(
            [python, "-m", "guanwei", "serve", "--host", args.host, "--port", str(args.port)]
        )
    ]
    if not args.no_worker:
        children.append(
            subprocess.Popen([python, "-m", "guanwei", "manage", "db_worker", "--interval", "1"])
        )
        children.append(subprocess.Popen([python, "-m", "guanwei", "dispatcher", "--threads", "2"]))
    if fakes is not None:
        children.append(
            subprocess.Popen(
                [
                    python,
                    *("-m", "guanwei", "fakeplatforms", "--host", fakes.host),
                    *("--weibo-port", str(fakes.weibo_port)),
                    *("--wechat-port", str(fakes.wechat_port)),
                    *("--accounts", str(fake_accounts_path())),
                ]
            )
        )
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping and all(c.poll() is None for c in children):
            time.sleep(0.2)
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    print("guanwei stopped", flush=True)
    failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM, -signal.SIGINT)]
    return 1 if failed and not stopping else 0


def cmd_dispatcher(args: argparse.Namespace) -> int:
    _django()
    from guanwei.publishing.worker import main as dispatcher_main

    return dispatcher_main(args.rest)


def cmd_interaction(args: argparse.Namespace) -> int:
    rest = list(args.rest)
    if not rest or rest[0] not in ("fetch", "watch"):
        print("usage: guanwei interaction fetch|watch [--once]", file=sys.stderr)
        return 2
    _django()
    if rest[0] == "watch":  # E-06: the watchlist's readings through the adapters
        from guanwei.interaction.watchlist import main as watch_main

        return watch_main(rest[1:])
    from guanwei.interaction.fetch import main as fetch_main

    return fetch_main(rest[1:])


def cmd_fakeplatforms(args: argparse.Namespace) -> int:
    from guanwei.publishing.fakes.__main__ import main as fakes_main

    return fakes_main(args.rest)


def cmd_manage(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["guanwei manage", *args.rest])
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    """``guanwei token create USER [--name N] [--scope read|write] [--days D]``: the
    operator makes a token through ``orgs.actions.create_api_token`` (audited); the
    plaintext is printed once."""
    _django()
    from guanwei.core.errors import DomainError
    from guanwei.orgs.actions import create_api_token
    from guanwei.orgs.models import User
    from guanwei.orgs.permissions import SYSTEM

    user = User.objects.filter(username=args.username).first()
    if user is None:
        print(f"no user {args.username!r}", file=sys.stderr)
        return 1
    try:
        token, plaintext = create_api_token(
            user, actor=SYSTEM, name=args.name, scope=args.scope, days=args.days
        )
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(
        f"# {token.name} · {token.get_scope_display()} · 有效期至 {token.expires_at:%Y-%m-%d}",
        file=sys.stderr,
    )
    print(plaintext)
    return 0


def cmd_mfa(args: argparse.Namespace) -> int:
    """``guanwei mfa reset USER``: the operator removes a person's authenticator and
    recovery codes (a lost phone); the person enrols again at the next login. Audited."""
    _django()
    from guanwei.core.errors import DomainError
    from guanwei.orgs.actions import remove_second_factor
    from guanwei.orgs.models import User
    from guanwei.orgs.permissions import SYSTEM

    user = User.objects.filter(username=args.username).first()
    if user is None:
        print(f"no user {args.username!r}", file=sys.stderr)
        return 1
    try:
        remove_second_factor(user, actor=SYSTEM)
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(f"{user.get_username()}: 已停用两步验证，下次登录时重新启用。")
    return 0


# ---------------------------------------------------------------- vault (decision 0031)


def cmd_vault(args: argparse.Namespace) -> int:
    """``guanwei vault new-key [--out PATH]``, ``check``, ``rotate-key --new-key-file PATH``."""
    if args.vault_command == "new-key":
        return _vault_new_key(args.out)
    _django()
    from guanwei.vault.keys import VaultKeyError

    try:
        if args.vault_command == "check":
            return _vault_check()
        return _vault_rotate(Path(args.new_key_file))
    except VaultKeyError as e:
        print(str(e), file=sys.stderr)
        return 1


def _vault_new_key(out: str | None) -> int:
    from guanwei.vault import crypto
    from guanwei.vault.keys import encode, write_key_file

    key = crypto.new_key()
    if out is None:
        print(encode(key))
        return 0
    try:
        path = write_key_file(out, key)
    except FileExistsError:
        print(f"{out} 已存在，未覆盖。 / {out} exists: not overwritten.", file=sys.stderr)
        return 1
    print(f"{path}: 新主密钥（0600，key id {crypto.key_id(key)}） / new master key written")
    return 0


def _vault_check() -> int:
    from django.db import transaction

    from guanwei.audit.actions import record
    from guanwei.audit.events import AuditAction
    from guanwei.orgs.permissions import SYSTEM
    from guanwei.vault.keys import master_key
    from guanwei.vault.queries import check_secrets

    master = master_key()
    count, failures = check_secrets(master)
    with transaction.atomic():
        record(
            AuditAction.SECRETS_CHECKED,
            actor=SYSTEM,
            object_type="vault",
            object_id="master-key",
            object_repr="保险库主密钥",
            after={"key_id": master.id, "secrets": count, "failed": len(failures)},
        )
    for f in failures:
        print(
            f"凭据 #{f.secret_id}（账号 #{f.channel_id}，{f.name}，主密钥 {f.key_id}）无法解密 / "
            f"secret {f.secret_id} (channel {f.channel_id}, {f.name}, key {f.key_id}) does "
            f"not open: {f.reason}",
            file=sys.stderr,
        )
    plaintext = _plaintext_settings()
    for where, names in plaintext:
        print(
            f"账号 {where} 的接入设置中仍有明文凭据：{', '.join(names)}（绕过保险库写入） / "
            f"plaintext secrets in the settings of {where} (written around the vault): "
            f"{', '.join(names)}",
            file=sys.stderr,
        )
    if failures or plaintext:
        print(
            f"保险库核验失败：{len(failures)}/{count} 项凭据无法用当前主密钥 {master.id} 解密，"
            f"{len(plaintext)} 个账号有明文凭据。 / Vault check failed: {len(failures)} of "
            f"{count} secrets do not open with the current master key {master.id} "
            f"({master.source}); {len(plaintext)} accounts have plaintext secrets.",
            file=sys.stderr,
        )
        return 1
    print(
        f"保险库核验通过：{count} 项凭据均可用主密钥 {master.id} 解密。 / "
        f"Vault check passed: {count} secrets open with master key {master.id}."
    )
    return 0


def _plaintext_settings() -> list[tuple[str, list[str]]]:
    """Settings records that still hold a secret in their JSON (written around the
    actions): (``org/account``, the names)."""
    from guanwei.publishing.credentials import SECRET_SETTINGS
    from guanwei.publishing.models import ChannelSettings

    found = []
    for row in ChannelSettings.objects.select_related("channel__organisation").order_by("pk"):
        names = sorted(SECRET_SETTINGS & set(row.values))
        if names:
            found.append((f"{row.channel.organisation.key}/{row.channel.key}", names))
    return found


def _vault_rotate(new_file: Path) -> int:
    import shutil

    from guanwei.orgs.permissions import SYSTEM
    from guanwei.vault.actions import VaultKeyMismatch, rotate_master_key
    from guanwei.vault.keys import configured, dev_key_file, master_key, read_key_file

    current = master_key()
    new = read_key_file(new_file)
    if new.id == current.id:
        print("新旧主密钥相同。 / The new key is the current key.", file=sys.stderr)
        return 1
    try:
        count = rotate_master_key(new, actor=SYSTEM, current=current)
    except VaultKeyMismatch as e:
        print(str(e), file=sys.stderr)
        return 1
    print(
        f"已用新主密钥 {new.id} 重新封装 {count} 项凭据的数据密钥（旧密钥 {current.id}）。 / "
        f"Re-wrapped {count} data keys under {new.id} (was {current.id})."
    )
    if configured():
        print(
            f"现在请把 GUANWEI_VAULT_KEY_FILE 设为 {new_file} 并重启所有进程。 / Now set "
            f"GUANWEI_VAULT_KEY_FILE={new_file} and restart every process."
        )
    else:  # the dev key file under var/: the new key takes its place, the old one is kept
        dev = dev_key_file()
        dev.rename(dev.with_name(f"{dev.name}.{current.id}.old"))
        shutil.copyfile(new_file, dev)
        dev.chmod(0o600)
        print(f"{dev} 已换成新主密钥。 / {dev} now holds the new key.")
    return 0


# ---------------------------------------------------------------- screen and bench


def cmd_screen(args: argparse.Namespace) -> int:
    from guanwei.screening.engine.cli import screen_main

    if not any(a == "--org" or a.startswith("--org=") for a in args.rest):
        return screen_main(args.rest)
    _django()

    def org_engine(key: str) -> Any:
        from guanwei.orgs.models import Organisation
        from guanwei.screening.engine.config import ConfigError
        from guanwei.screening.service import engine_for

        organisation = Organisation.objects.filter(key=key).first()
        if organisation is None:
            known = ", ".join(Organisation.objects.order_by("key").values_list("key", flat=True))
            raise ConfigError(f"no organisation {key!r}; known: {known or 'none'}")
        return engine_for(organisation)

    return screen_main(args.rest, org_engine=org_engine)


def _triage_line(line: str) -> str:
    """A --jsonl line: a JSON string, an object's "text", or else the line as it is."""
    import json

    try:
        value = json.loads(line)
    except ValueError:
        return line
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        return value["text"]
    return line


def cmd_triage(args: argparse.Namespace) -> int:
    """W-19: one JSON object per text (a line with --jsonl, else the whole of stdin)."""
    import json

    from guanwei.interaction.triage import EXAMPLES_DIR, classify_pack

    if not (EXAMPLES_DIR / f"{args.pack}.jsonl").is_file():
        known = ", ".join(sorted(p.stem for p in EXAMPLES_DIR.glob("*.jsonl")))
        print(f"no triage examples for pack {args.pack!r}; known: {known}", file=sys.stderr)
        return 2
    data = sys.stdin.read()
    texts = (
        [_triage_line(ln) for ln in data.splitlines() if ln.strip()]
        if args.jsonl
        else [data.strip()]
    )
    for result in classify_pack(args.pack, texts):
        print(json.dumps(result.to_json(), ensure_ascii=False))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    script = REPO_ROOT / "bench" / f"{args.name}.py"
    if not script.exists():
        known = sorted(p.stem for p in (REPO_ROOT / "bench").glob("*.py") if p.stem != "__init__")
        print(f"unknown benchmark {args.name!r}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    sys.argv = [str(script), *args.rest]
    namespace = runpy.run_path(str(script), run_name="guanwei_bench")
    result: int = namespace["main"](args.rest)
    return result


# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="guanwei", description="官微 — official account governance"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="embedded mode: web server + task worker (Ctrl-C stops all)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument(
        "--pack",
        action="append",
        help="load only this demo pack (repeatable; default: the five seed organisations)",
    )
    run.add_argument("--no-worker", action="store_true", help="no task worker, no dispatcher")
    run.add_argument(
        "--no-fakes",
        action="store_true",
        help="do not start the fake platforms (the demo's Weibo/WeChat accounts stay unconnected)",
    )
    run.set_defaults(func=cmd_run)

    serve = sub.add_parser("serve", help="web server only (waitress)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="migrate and load the five demo organisations")
    demo.add_argument("--pack", action="append", help="only this demo pack (repeatable)")
    demo.add_argument("--host", default="127.0.0.1", help="the address it will be served on")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument(
        "--no-fakes", action="store_true", help="leave the Weibo/WeChat accounts unconnected"
    )
    demo.set_defaults(func=cmd_demo)

    packs = sub.add_parser("packs", help="policy packs")
    packs_sub = packs.add_subparsers(dest="packs_command", required=True)
    packs_sub.add_parser("list", help="list the shipped packs")
    show = packs_sub.add_parser("show", help="summarise one pack")
    show.add_argument("name")
    validate = packs_sub.add_parser("validate", help="validate pack files")
    validate.add_argument("files", nargs="+")
    load = packs_sub.add_parser("load", help="create or update an organisation from a pack")
    load.add_argument("name")
    load.add_argument("--org", help="organisation key (required for overlay packs)")
    load.add_argument(
        "--demo-people",
        action="store_true",
        help="give the pack's people generated passwords; print them and add them to "
        "var/demo-logins.txt (without it they have no usable password)",
    )
    packs.set_defaults(func=cmd_packs)

    audit = sub.add_parser("audit", help="audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="verify the hash chain (and against the last anchor)")
    audit_sub.add_parser("anchor", help="write the chain's head to the anchor file")
    audit.set_defaults(func=cmd_audit)

    screen = sub.add_parser("screen", help="screen text from stdin", add_help=False)
    screen.add_argument("rest", nargs=argparse.REMAINDER)
    screen.set_defaults(func=cmd_screen)

    triage = sub.add_parser("triage", help="question triage of text from stdin (W-19)")
    triage.add_argument("--pack", required=True, help="the rule book whose examples to use")
    triage.add_argument("--jsonl", action="store_true", help="one text per line")
    triage.set_defaults(func=cmd_triage)

    bench = sub.add_parser("bench", help="run a benchmark from bench/")
    bench.add_argument("name")
    bench.add_argument("rest", nargs=argparse.REMAINDER)
    bench.set_defaults(func=cmd_bench)

    token = sub.add_parser("token", help="create an API token for a user")
    token.add_argument("action", choices=["create"])
    token.add_argument("username")
    token.add_argument("--name", default="script")
    token.add_argument("--scope", choices=["read", "write"], default="write")
    token.add_argument("--days", type=int, default=None, help="expiry in days (default 90)")
    token.set_defaults(func=cmd_token)

    mfa = sub.add_parser("mfa", help="two factors: reset a person's authenticator")
    mfa.add_argument("action", choices=["reset"])
    mfa.add_argument("username")
    mfa.set_defaults(func=cmd_mfa)

    dispatcher = sub.add_parser(
        "dispatcher", help="publish due posts (exactly once) and run the scheduler", add_help=False
    )
    dispatcher.add_argument("rest", nargs=argparse.REMAINDER)
    dispatcher.set_defaults(func=cmd_dispatcher)

    fakes = sub.add_parser(
        "fakeplatforms", help="local fake Weibo and WeChat servers (demo, tests)", add_help=False
    )
    fakes.add_argument("rest", nargs=argparse.REMAINDER)
    fakes.set_defaults(func=cmd_fakeplatforms)

    vault = sub.add_parser("vault", help="the credential vault's master key (decision 0031)")
    vault_sub = vault.add_subparsers(dest="vault_command", required=True)
    new_key = vault_sub.add_parser("new-key", help="a fresh master key (printed, or --out FILE)")
    new_key.add_argument("--out", help="write it to this file, 0600 (never over one)")
    vault_sub.add_parser("check", help="open every secret with the current master key")
    rotate = vault_sub.add_parser("rotate-key", help="re-wrap every data key under a new key")
    rotate.add_argument("--new-key-file", required=True, help="the new key (guanwei vault new-key)")
    vault.set_defaults(func=cmd_vault)

    manage = sub.add_parser("manage", help="Django management commands", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def _passthrough(func: Any) -> Any:
    return lambda rest: func(argparse.Namespace(rest=rest))


def _bench(rest: list[str]) -> int:
    if not rest or rest[0].startswith("-"):
        print(
            "usage: guanwei bench NAME [options]  (NAME: screening, dispatch, pages, login, "
            "comments)",
            file=sys.stderr,
        )
        return 2
    return cmd_bench(argparse.Namespace(name=rest[0], rest=rest[1:]))


# Commands whose own options follow them verbatim (argparse's REMAINDER drops leading
# options, so these bypass the parser).
PASSTHROUGH: dict[str, Any] = {
    "screen": _passthrough(cmd_screen),
    "dispatcher": _passthrough(cmd_dispatcher),
    "fakeplatforms": _passthrough(cmd_fakeplatforms),
    "interaction": _passthrough(cmd_interaction),
    "manage": _passthrough(cmd_manage),
    "bench": _bench,
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in PASSTHROUGH:
        code: int = PASSTHROUGH[argv[0]](argv[1:])
        return code
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
