"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser)
against a real `guanwei serve` process with its own demo database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("GUANWEI_CHROMIUM", "/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists():
                item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(
        self, url: str, logins: dict[str, str], var: Path, env: dict[str, str] | None = None
    ) -> None:
        self.url = url
        self.logins = logins
        self.var = var
        self.env = env or {**os.environ, "GUANWEI_VAR_DIR": str(var)}

    def manage(self, *args: str) -> str:
        """Run ``guanwei manage ...`` against the server's database (SQLite or PostgreSQL)."""
        done = subprocess.run(
            [sys.executable, "-m", "guanwei", "manage", *args],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout

    def set_passwords(self, passwords: dict[str, str]) -> None:
        """Give demo people these passwords in the database and in ``logins`` at once, so
        that a later test's ``login`` types the password the database has."""
        self.manage(
            "shell",
            "-c",
            "from guanwei.orgs.models import User\n"
            f"for username, password in {sorted(passwords.items())!r}:\n"
            "    user = User.objects.get(username=username)\n"
            "    user.set_password(password)\n"
            "    user.save()\n",
        )
        self.logins.update(passwords)


def _recreate_database(url: str) -> None:
    """Drop and create the database named in ``url`` (GUANWEI_BROWSER_DATABASE_URL runs the
    browser tests on PostgreSQL; each session starts from an empty database)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    var = tmp_path_factory.mktemp("browser-var")
    env = {**os.environ, "GUANWEI_VAR_DIR": str(var)}
    env.pop("DATABASE_URL", None)
    database_url = os.environ.get("GUANWEI_BROWSER_DATABASE_URL", "")
    if database_url:  # PostgreSQL: a fresh database of that name for the session
        _recreate_database(database_url)
        env["DATABASE_URL"] = database_url
    port = _free_port()
    subprocess.run(  # the five demo organisations, their addresses on the server's port
        [sys.executable, "-m", "guanwei", "demo", "--port", str(port)],
        env=env,
        check=True,
        capture_output=True,
    )
    logins: dict[str, str] = {}
    for line in (var / "demo-logins.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            username, password = line.split("\t")[:2]
            logins[username] = password
    proc = subprocess.Popen(
        [sys.executable, "-m", "guanwei", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "guanwei", "manage", "db_worker", "--interval", "0.5"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield Server(f"http://127.0.0.1:{port}", logins, var, env)
    finally:
        for p in (proc, worker):
            p.terminate()
            p.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    p = context.new_page()
    errors: list[str] = []
    p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    p.csp_errors = errors
    yield p
    context.close()


def login(page: Any, server: Server, username: str) -> None:
    page.goto(server.url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", server.logins[username])
    page.click("button[type=submit].primary")
    page.wait_for_url(server.url + "/")


def open_menu(page: Any, label: str) -> None:
    """Go to the menu entry ``label`` as a person does: open its section (a <details> of the
    menu bar: 内容, 发布, 互动, 管理) by its heading, then click the entry."""
    nav = page.locator("nav.main-nav")
    link = nav.get_by_role("link", name=label, exact=True, include_hidden=True)
    if link.evaluate("a => !!a.closest('details.menu-group:not([open])')"):
        link.locator("xpath=ancestor::details[1]/summary").click()
    link.click()


# Every demo Weibo and WeChat account pointed at the session's fakes, settling at once.
_REPOINT = """
from guanwei.publishing.models import ChannelSettings
for s in ChannelSettings.objects.select_related("channel").filter(
    channel__platform__in=("weibo", "wechat")
):
    if s.values.get("demo") != "1":
        continue
    url = {urls!r}[s.channel.platform]
    extra = {{"web_url": url}} if s.channel.platform == "weibo" else {{}}
    s.values = {{**s.values, "base_url": url, **extra, "settle_seconds": "0"}}
    s.save()
"""


@pytest.fixture(scope="session")
def platforms(server: Server) -> Iterator[Any]:
    """The fake Weibo and WeChat in this process, as `guanwei run` starts them (every demo
    account its own fake account), every demo account pointed at them, and a dispatcher
    (with the scheduler) against the server's database. One for the session: a second fake
    would number its statuses from the start again, and the ids would clash with those the
    first one gave on the same account (one remote id per account)."""
    from guanwei.publishing.fakes import start_fakes

    # The whole browser session posts to the same few demo accounts: at the fakes' default
    # 30 posts per account per hour, the later tests (W-11's correction among them) were
    # answered 10023 and waited out the dispatcher's backoff — they passed alone and failed
    # in the suite. Rate limiting itself is tested with an explicit limit elsewhere.
    fakes = start_fakes(
        publish_delay_s=0.2,
        rate_limit_per_hour=10_000,
        accounts_file=str(server.var / "fake-accounts.json"),
    )
    urls = {"weibo": fakes.weibo_url, "wechat": fakes.wechat_url}
    server.manage("shell", "-c", _REPOINT.format(urls=urls))
    dispatcher = subprocess.Popen(
        [sys.executable, "-m", "guanwei", "dispatcher", "--threads", "2", "--idle-sleep", "0.3"],
        env=server.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield fakes
    finally:
        dispatcher.terminate()
        dispatcher.wait(timeout=15)
        fakes.stop()
