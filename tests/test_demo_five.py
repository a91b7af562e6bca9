"""The embedded demo holds the five seed organisations (issue #10 §1, REQ X-01): `make run`
(``guanwei demo`` / ``guanwei run`` on an empty var dir) loads every base pack into its own
tenant with a demo person for every role of the pack, and keeps their logins in
``var/demo-logins.txt`` grouped by organisation. Every URL it prints or stores is built from
the address it is served on (``--host`` / ``--port``).

Each case runs the real command in a fresh interpreter on an empty SQLite var dir."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
BASE_PACKS = ["weather-bureau", "college", "tourism-bureau", "real-estate", "edu-software"]

INSPECT = """
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanwei.settings")
import django
django.setup()
from guanwei.orgs.models import Membership, Organisation
from guanwei.publishing.credentials import settings_for
from guanwei.publishing.models import ChannelSettings
out = {"orgs": {}, "settings": {}}
for o in Organisation.objects.order_by("pk"):
    held = {}
    for m in Membership.objects.filter(unit__organisation=o, revoked_at__isnull=True):
        held.setdefault(m.role, []).append(m.user.username)
    out["orgs"][o.key] = {"name": o.name, "held": held}
for s in ChannelSettings.objects.select_related("channel__organisation"):
    out["settings"][f"{s.channel.organisation.key}/{s.channel.key}"] = dict(settings_for(s.channel))
print(json.dumps(out, ensure_ascii=False))
"""


def _env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUANWEI_")}
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    env["GUANWEI_VAR_DIR"] = str(var)
    return env


def _guanwei(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "guanwei", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
        check=True,
    )


def _inspect(env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", INSPECT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        check=True,
    )
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def _pack(name: str) -> dict[str, Any]:
    with open(REPO / "packs" / f"{name}.toml", "rb") as fh:
        return tomllib.load(fh)


def _groups(logins: str) -> dict[str, list[str]]:
    """``# == <organisation name> (<key>)`` headers, then ``username<TAB>password…`` rows."""
    groups: dict[str, list[str]] = {}
    current = ""
    for line in logins.splitlines():
        if line.startswith("# == "):
            current = line.rsplit("(", 1)[-1].rstrip(")").strip()
            groups.setdefault(current, [])
        elif line and not line.startswith("#"):
            groups.setdefault(current, []).append(line.split("\t")[0])
    return groups


@pytest.fixture(scope="module")
def fresh_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, Any]]:
    var = tmp_path_factory.mktemp("demo-var")
    env = _env(var)
    done = _guanwei(env, "demo", "--port", "8123")
    return var, done.stdout, _inspect(env)


def test_x01_the_demo_holds_the_five_organisations_with_a_person_per_role(
    fresh_demo: tuple[Path, str, dict[str, Any]],
) -> None:
    """X-01: from an empty var dir, one tenant per base pack, each with a demo person holding
    every role the pack defines; the logins file lists them grouped by organisation."""
    var, _, data = fresh_demo
    logins = (var / "demo-logins.txt").read_text(encoding="utf-8")
    groups = _groups(logins)
    for name in BASE_PACKS:
        spec = _pack(name)
        key = spec["organisation"]["key"]
        assert key in data["orgs"], f"{name}: no organisation {key}"
        held = data["orgs"][key]["held"]
        for role in spec["roles"]:
            assert held.get(role["key"]), f"{name}: nobody holds {role['key']}"
            assert any(u in groups.get(key, []) for u in held[role["key"]]), (
                f"{name}: no login for {role['key']} under its organisation's heading"
            )
    every = [u for users in groups.values() for u in users]
    assert len(every) == len(set(every)), "a login is listed twice"


def test_x01_port_8123_is_the_address_printed_and_stored(
    fresh_demo: tuple[Path, str, dict[str, Any]],
) -> None:
    """`guanwei demo --port 8123`: the printed logins and the file name
    http://127.0.0.1:8123/; the website accounts are served from :8123, the Weibo and WeChat
    accounts point at the fakes beside it (:8224, :8225); nothing names :8000, :8101, :8102.
    Served again on :8124, every stored address follows and the credentials stay."""
    var, printed, data = fresh_demo
    assert printed.startswith("# guanwei demo logins — http://127.0.0.1:8123/\n")
    header = (var / "demo-logins.txt").read_text(encoding="utf-8").splitlines()[0]
    assert header == "# guanwei demo logins — http://127.0.0.1:8123/"
    stored = data["settings"]
    site = stored["demo_weather/city_website"]
    assert site["base_url"] == "http://127.0.0.1:8123/site/demo_weather/city_website/"
    assert stored["demo_tourism/city_weibo"]["base_url"] == "http://127.0.0.1:8224"
    assert stored["demo_tourism/city_weibo"]["web_url"] == "http://127.0.0.1:8224"
    assert stored["demo_college/school_wechat"]["base_url"] == "http://127.0.0.1:8225"
    for wrong in (":8000", ":8101", ":8102"):
        assert wrong not in json.dumps(stored) + printed
    env = _env(var)
    again = _guanwei(env, "demo", "--port", "8124")
    assert "http://127.0.0.1:8124/" in again.stdout
    moved = _inspect(env)["settings"]
    assert moved["demo_weather/city_website"]["base_url"].startswith("http://127.0.0.1:8124/")
    assert moved["demo_tourism/city_weibo"]["base_url"] == "http://127.0.0.1:8225"
    assert (
        moved["demo_tourism/city_weibo"]["access_token"]
        == stored["demo_tourism/city_weibo"]["access_token"]
    )
    fakes = json.loads((var / "fake-accounts.json").read_text(encoding="utf-8"))["accounts"]
    names = [a["name"] for a in fakes if a["platform"] == "weibo"]
    assert len(names) == len(set(a["uid"] for a in fakes if a["platform"] == "weibo"))
    assert "市旅游局官方微博" in names or any("旅游" in n for n in names)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_x01_run_on_another_port_prints_and_stores_that_address(tmp_path: Path) -> None:
    """`guanwei run --port P --no-fakes` on an empty var dir: the logins it prints and keeps
    name http://127.0.0.1:P/, the website account's address is on P, and no account is
    pointed at fake platforms that were not started (nor at the default port 8000)."""
    port = _free_port()
    env = _env(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "guanwei", "run", "--port", str(port), "--no-worker", "--no-fakes"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO,
    )
    out: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 1)
            if not ready:
                continue
            line = proc.stdout.readline()
            if not line:
                break
            out.append(line)
            if line.startswith("guanwei web on"):
                break
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    printed = "".join(out)
    assert f"guanwei web on http://127.0.0.1:{port}/" in printed
    assert f"http://127.0.0.1:{port}/" in printed.split("guanwei web on")[0]
    assert ":8000" not in printed
    header = (tmp_path / "demo-logins.txt").read_text(encoding="utf-8").splitlines()[0]
    assert f"http://127.0.0.1:{port}/" in header
    stored = json.dumps(_inspect(env)["settings"])
    assert f"127.0.0.1:{port}/site/" in stored
    for wrong in (":8000", ":8101", ":8102"):
        assert wrong not in stored


def test_x01_packs_load_demo_people_prints_and_appends_the_logins(tmp_path: Path) -> None:
    """`guanwei packs load college --demo-people` prints the logins it creates and adds them
    to var/demo-logins.txt under the college's heading."""
    env = _env(tmp_path)
    _guanwei(env, "manage", "migrate", "--verbosity", "0")
    done = _guanwei(env, "packs", "load", "college", "--demo-people")
    people = [p["username"] for p in _pack("college")["organisation"]["people"]]
    for username in people:
        assert username in done.stdout
    groups = _groups((tmp_path / "demo-logins.txt").read_text(encoding="utf-8"))
    assert sorted(groups["demo_college"]) == sorted(people)


def test_x01_the_readme_names_one_login_per_role_per_organisation() -> None:
    """The README's tables: for every base pack, every role of the pack, a login of that
    organisation's people who holds it (names from the pack, never codes)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in BASE_PACKS:
        spec = _pack(name)
        org = spec["organisation"]
        start = readme.index(f"**{org['name']}**")
        block = readme[start:].split("\n\n", 2)[1]  # the table after the heading line
        rows = {}
        for line in block.splitlines()[2:]:
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0]] = cells[1].strip("`")
        for role in spec["roles"]:
            username = rows.get(role["name"])
            assert username, f"{name}: the README names no login for {role['name']}"
            person = next(p for p in org["people"] if p["username"] == username)
            assert role["key"] in [m["role"] for m in person["memberships"]], (
                f"{name}: {username} does not hold {role['name']}"
            )


def test_x01_the_address_is_the_served_one_or_guanwei_base_url(settings: Any) -> None:
    """--host/--port make the address (a wildcard host is shown as 127.0.0.1); with
    GUANWEI_BASE_URL (production, behind the proxy) that is the address."""
    from guanwei.cli import FakeAddresses, served_url

    settings.GUANWEI_BASE_URL = ""
    assert served_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert served_url("0.0.0.0", 8123) == "http://127.0.0.1:8123"
    fakes = FakeAddresses.beside("127.0.0.1", 8123)
    assert (fakes.weibo_url, fakes.wechat_url) == ("http://127.0.0.1:8224", "http://127.0.0.1:8225")
    settings.GUANWEI_BASE_URL = "https://gw.example.gov.cn"
    assert served_url("0.0.0.0", 8000) == "https://gw.example.gov.cn"
