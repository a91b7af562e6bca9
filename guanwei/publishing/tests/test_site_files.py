"""The public website guanwei serves (C-01) is only the directory guanwei made for it
(issue #9 §1, X-02 security: nothing of the installation leaks through /site/).

Every state a website channel can be in — no settings, an empty, relative, ``..`` or
foreign ``site_dir``, a site directory that is a symlink out — is probed for the files an
installation keeps (the database, the secret key, the demo logins) and for the site's own
internals: nothing but 404 outside the published pages, feeds and pictures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from guanwei.publishing.adapters import PublishRequest, get_adapter
from guanwei.publishing.adapters.base import Media, placeholder_png
from guanwei.publishing.models import ChannelSettings
from guanwei.testing.personas import channel

W = "demo_weather"
C = "city_website"
URL = f"/site/{W}/{C}/"
SECRETS = {
    "guanwei.sqlite3": b"SQLite format 3\x00 password hashes",
    "secret-key.txt": b"the-secret-key",
    "demo-logins.txt": b"admin\tpassword",
    "index.html": b"<h1>not the site</h1>",
}
PROBES = [
    "",
    "index.html",
    "guanwei.sqlite3",
    "secret-key.txt",
    "demo-logins.txt",
    "../guanwei.sqlite3",
    "..%2fguanwei.sqlite3",
    "../../../guanwei.sqlite3",
    "%2e%2e/%2e%2e/%2e%2e/guanwei.sqlite3",
    "var/guanwei.sqlite3",
    "site/demo_weather/city_website/index.html",
    ".lock",
    ".guanwei-site",
    "posts/",
    "etc/passwd",
]


@pytest.fixture
def installation(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory full of secrets (as `make run` leaves it) and VAR_DIR inside it."""
    work = tmp_path / "work"
    var = work / "var"
    (var / "site").mkdir(parents=True)
    for name, data in SECRETS.items():
        (work / name).write_bytes(data)
        (var / name).write_bytes(data)
    settings.VAR_DIR = var
    monkeypatch.chdir(work)
    return var


def _set(values: dict[str, str] | None) -> None:
    ch = channel(W, C)
    ChannelSettings.objects.filter(channel=ch).delete()
    if values is not None:
        ChannelSettings.objects.create(channel=ch, values=values)


def _leaks(client: Client, extra: list[str] = ()) -> list[tuple[str, int, bytes]]:  # type: ignore[assignment]
    found = []
    for probe in [*PROBES, *extra]:
        response = client.get(URL + probe)
        if response.status_code != 404:
            body = response.getvalue()
            found.append((probe, response.status_code, body[:40]))
    return found


@pytest.mark.django_db
@pytest.mark.parametrize(
    "state",
    ["no settings", "empty", "relative dot", "relative var", "dotdot", "elsewhere", "symlink out"],
)
def test_c01_no_website_state_serves_anything_of_the_installation(
    installation: Path, state: str, tmp_path: Path
) -> None:
    """Issue #9 §1: whatever the channel's settings say, /site/ answers 404 for every file
    of the installation (database, secret key, demo logins) and of the working directory."""
    proper = installation / "site" / W / C
    if state == "no settings":
        _set(None)
    elif state == "empty":
        _set({"site_dir": ""})
    elif state == "relative dot":
        _set({"site_dir": "."})
    elif state == "relative var":
        _set({"site_dir": "var"})
    elif state == "dotdot":
        _set({"site_dir": str(proper / ".." / ".." / "..")})
    elif state == "elsewhere":
        _set({"site_dir": str(installation)})
    else:  # the site directory guanwei would use is a symlink to the working directory
        proper.parent.mkdir(parents=True)
        proper.symlink_to(installation.parent, target_is_directory=True)
        (installation.parent / ".guanwei-site").write_text("planted")
        _set({"site_dir": str(proper)})
    assert _leaks(Client()) == []


@pytest.mark.django_db
def test_c01_a_published_site_serves_its_pages_and_nothing_else(installation: Path) -> None:
    """Issue #9 §1: the site guanwei wrote under VAR_DIR/site/<org>/<channel>/ serves its
    pages, feeds and pictures; its lock, records, a planted file and a symlink out are 404."""
    proper = installation / "site" / W / C
    _set({"site_dir": str(proper), "title": "市气象局门户网站"})
    adapter = get_adapter("website", {"site_dir": str(proper), "title": "市气象局门户网站"})
    picture = Media(filename="map.html", content_type="image/png", data=placeholder_png())
    result = adapter.publish(PublishRequest(key="rev1-ch1", text="寒潮来了", media=(picture,)))
    client = Client()
    page = f"posts/{result.remote_id}.html"
    served = {p: client.get(URL + p) for p in ("", "index.html", "feed.rss", "feed.atom", page)}
    assert {p: r.status_code for p, r in served.items()} == dict.fromkeys(served, 200)
    assert served[page]["Content-Type"] == "text/html; charset=utf-8"
    for response in served.values():  # §2: the public site's files are never run either
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "sandbox"
    pictures = sorted((proper / "posts" / result.remote_id).iterdir())
    assert [p.suffix for p in pictures] == [".png"]  # the sniffed type names the file
    shown = client.get(f"{URL}posts/{result.remote_id}/{pictures[0].name}")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    # planted next to the published files: a symlink out, a page of the attacker's, a copy
    (proper / "posts" / "evil.sqlite3").symlink_to(installation / "guanwei.sqlite3")
    (proper / "posts" / "evil.html").symlink_to(installation / "index.html")
    (proper / "notes.txt").write_text("internal")
    extra = [
        f"posts/{result.remote_id}.json",
        "posts/evil.sqlite3",
        "posts/evil.html",
        "notes.txt",
        f"posts/{result.remote_id}/../../../guanwei.sqlite3",
    ]
    leaks = [(p, s) for p, s, _ in _leaks(client, extra) if p not in ("", "index.html")]
    assert leaks == []
