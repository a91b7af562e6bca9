"""The ``guanwei`` console script (also ``python -m guanwei``).

Subcommands: run, serve, demo, packs list|show|validate|load, audit verify|anchor,
screen, bench NAME, token create, mfa reset, manage (Django management passthrough).
"""

from __future__ import annotations

import argparse
import os
import runpy
import signal
import subprocess
import sys
import time
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
        report = apply_pack(pack, actor=SYSTEM, organisation=org)
    except DomainError as e:
        print(e.message, file=sys.stderr)
        return 1
    _print_report(report)
    return 0


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


def ensure_demo(pack_name: str = "weather-bureau", *, quiet: bool = False) -> Path:
    """Migrate, load the demo organisation once, keep its logins in var/demo-logins.txt."""
    from django.conf import settings
    from django.db import transaction

    from guanwei.orgs.models import Organisation, User
    from guanwei.orgs.permissions import SYSTEM
    from guanwei.packs.actions import demo_password, load_pack
    from guanwei.packs.schema import load_pack as read_pack

    _migrate()
    logins = Path(settings.VAR_DIR) / "demo-logins.txt"
    pack = read_pack(pack_name)
    first = (
        pack.organisation is not None
        and not Organisation.objects.filter(key=pack.organisation.key).exists()
    )
    with transaction.atomic():
        report = load_pack(pack, actor=SYSTEM)
        admin_password = None
        if not User.objects.filter(username="admin").exists():
            admin_password = demo_password()
            User.objects.create_superuser("admin", "", admin_password, display_name="系统管理员")
    connect_demo_channels(logins.parent)
    if first or report.logins:
        lines = [
            f"# guanwei demo logins ({pack.name}) — http://127.0.0.1:8000/",
            "# username\tpassword\tname\troles",
        ]
        if admin_password:
            lines.append(f"admin\t{admin_password}\t系统管理员\tsuperuser (Django admin /admin/)")
        lines += [
            f"{n.username}\t{n.password}\t{n.display_name}\t{', '.join(n.roles)}"
            for n in report.logins
        ]
        logins.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT
        flags |= os.O_APPEND if logins.exists() and not first else os.O_TRUNC
        with os.fdopen(os.open(logins, flags, 0o600), "w", encoding="utf-8") as fh:  # §17
            fh.write("\n".join(lines) + "\n")
        logins.chmod(0o600)
        if not quiet:
            print("\n".join(lines))
            print(f"(kept in {logins})")
    elif not quiet:
        print(f"demo organisation ready; logins are in {logins}")
    return logins


FAKE_WEIBO = "http://127.0.0.1:8101"
FAKE_WECHAT = "http://127.0.0.1:8102"


def connect_demo_channels(var_dir: Path, site_url: str = "http://127.0.0.1:8000") -> int:
    """Point every demo account without settings at the local fakes (weibo, wechat) or at
    a site directory under var/ served by guanwei (website), so the demo publishes end to
    end offline. Real accounts get their settings from their custodian instead."""
    from guanwei.channels.models import Channel
    from guanwei.publishing.fakes.wechat import APPID, APPSECRET
    from guanwei.publishing.fakes.weibo import DEMO_TOKEN, SAFE_DOMAIN
    from guanwei.publishing.models import ChannelSettings

    made = 0
    for channel in Channel.objects.filter(settings__isnull=True).select_related("organisation"):
        if channel.platform == "weibo":
            values = {
                "access_token": DEMO_TOKEN,
                "base_url": FAKE_WEIBO,
                "safe_domain": SAFE_DOMAIN,
                "web_url": FAKE_WEIBO,
                "settle_seconds": "2",
            }
        elif channel.platform == "wechat":
            values = {
                "appid": APPID,
                "secret": APPSECRET,
                "base_url": FAKE_WECHAT,
                "settle_seconds": "10",
            }
        elif channel.platform == "website":
            site = var_dir.resolve() / "site" / channel.organisation.key / channel.key
            values = {
                "site_dir": str(site),
                "title": channel.name,
                "base_url": f"{site_url}/site/{channel.organisation.key}/{channel.key}/",
            }
        else:
            values = {"outbox_dir": str(var_dir / "outbox" / channel.key)}
        ChannelSettings.objects.create(channel=channel, values={**values, "demo": "1"})
        made += 1
    return made


def cmd_demo(args: argparse.Namespace) -> int:
    _django()
    ensure_demo(args.pack)
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
    print(f"guanwei web on http://{args.host}:{args.port}/", flush=True)
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
    ensure_demo(args.pack)
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
    if not args.no_fakes:
        children.append(subprocess.Popen([python, "-m", "guanwei", "fakeplatforms"]))
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
    run.add_argument("--pack", default="weather-bureau", help="demo pack loaded on first run")
    run.add_argument("--no-worker", action="store_true", help="no task worker, no dispatcher")
    run.add_argument("--no-fakes", action="store_true", help="do not start the fake platforms")
    run.set_defaults(func=cmd_run)

    serve = sub.add_parser("serve", help="web server only (waitress)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="migrate and load the demo organisation")
    demo.add_argument("--pack", default="weather-bureau")
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
    packs.set_defaults(func=cmd_packs)

    audit = sub.add_parser("audit", help="audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="verify the hash chain (and against the last anchor)")
    audit_sub.add_parser("anchor", help="write the chain's head to the anchor file")
    audit.set_defaults(func=cmd_audit)

    screen = sub.add_parser("screen", help="screen text from stdin", add_help=False)
    screen.add_argument("rest", nargs=argparse.REMAINDER)
    screen.set_defaults(func=cmd_screen)

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

    manage = sub.add_parser("manage", help="Django management commands", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def _passthrough(func: Any) -> Any:
    return lambda rest: func(argparse.Namespace(rest=rest))


def _bench(rest: list[str]) -> int:
    if not rest or rest[0].startswith("-"):
        print(
            "usage: guanwei bench NAME [options]  (NAME: screening, dispatch, pages)",
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
