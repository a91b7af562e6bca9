"""The website and outbox adapters: files written atomically, once per idempotency key,
read back for reconciliation; the website's RSS 2.0 and Atom feeds are well formed."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from guanwei.publishing.adapters import AdapterError, Media, PublishRequest, get_adapter
from guanwei.publishing.adapters.base import placeholder_png
from guanwei.publishing.adapters.outbox import OutboxAdapter, post_id
from guanwei.publishing.adapters.website import WebsiteAdapter

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Shadows the project conftest's fixture of this name, which needs Django settings:
    these tests are pure Python and also run with ``-p no:django``."""


@pytest.fixture
def site(tmp_path: Path) -> WebsiteAdapter:
    made = get_adapter(
        "website",
        {
            "site_dir": str(tmp_path / "site"),
            "base_url": "https://www.example.gov.cn/news/",
            "title": "示例气象局",
        },
    )
    assert isinstance(made, WebsiteAdapter)
    return made


@pytest.fixture
def outbox(tmp_path: Path) -> OutboxAdapter:
    made = get_adapter("outbox", {"outbox_dir": str(tmp_path / "outbox")})
    assert isinstance(made, OutboxAdapter)
    return made


def req(
    key: str = "rev7-ch3", text: str = "第一行 <b>粗</b> & 符号\n第二行", **kw: object
) -> PublishRequest:
    return PublishRequest(key=key, text=text, **kw)  # type: ignore[arg-type]


def rss_items(root: Path) -> list[ET.Element]:
    tree = ET.parse(root / "feed.rss").getroot()
    assert tree.tag == "rss" and tree.get("version") == "2.0"
    channel = tree.find("channel")
    assert channel is not None
    for required in ("title", "link", "description"):
        assert (channel.findtext(required) or "").strip(), required
    items = channel.findall("item")
    for item in items:
        assert item.findtext("title") and item.findtext("link") and item.findtext("guid")
        assert item.findtext("pubDate")
    return items


def atom_entries(root: Path) -> list[ET.Element]:
    feed = ET.parse(root / "feed.atom").getroot()
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.findtext(f"{ATOM}{required}"), required
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{required}"), required
        link = entry.find(f"{ATOM}link")
        assert link is not None and link.get("href", "").startswith("https://")
    return entries


def test_the_website_writes_an_escaped_page_and_both_feeds(site: WebsiteAdapter) -> None:
    result = site.publish(
        req(title="标题 <i>", author="办公室", link="https://www.example.gov.cn/a")
    )

    assert result.remote_id == "rev7-ch3"
    assert result.url == "https://www.example.gov.cn/news/posts/rev7-ch3.html"
    page = (site.root / "posts" / "rev7-ch3.html").read_text(encoding="utf-8")
    assert "第一行 &lt;b&gt;粗&lt;/b&gt; &amp; 符号" in page and "<b>" not in page
    assert "<title>标题 &lt;i&gt; - 示例气象局</title>" in page
    items = rss_items(site.root)
    assert [i.findtext("link") for i in items] == [result.url]
    assert [e.findtext(f"{ATOM}title") for e in atom_entries(site.root)] == ["标题 <i>"]
    assert "rev7-ch3.html" in (site.root / "index.html").read_text(encoding="utf-8")


def test_x03_the_website_shows_times_in_asia_shanghai(site: WebsiteAdapter) -> None:
    """The public site's page, index and feeds give Beijing time (Asia/Shanghai, as
    everywhere in guanwei), not UTC."""
    with time_machine.travel(datetime(2026, 12, 1, 0, 30, tzinfo=UTC), tick=False):
        site.publish(req())
    page = (site.root / "posts" / "rev7-ch3.html").read_text(encoding="utf-8")
    assert "2026-12-01 08:30" in page and "UTC" not in page and "00:30" not in page
    assert 'datetime="2026-12-01T08:30:00+08:00"' in page
    index = (site.root / "index.html").read_text(encoding="utf-8")
    assert "2026-12-01 08:30" in index and "00:30" not in index
    (item,) = rss_items(site.root)
    assert item.findtext("pubDate") == "Tue, 01 Dec 2026 08:30:00 +0800"
    (entry,) = atom_entries(site.root)
    assert entry.findtext(f"{ATOM}updated") == "2026-12-01T08:30:00+08:00"


def test_the_website_publishes_a_key_once(site: WebsiteAdapter) -> None:
    first = site.publish(req())
    again = site.publish(req(text="同一个键"))

    assert again.remote_id == first.remote_id
    assert again.raw["created_at"] == first.raw["created_at"]
    assert len(rss_items(site.root)) == 1
    assert site.find_published(req()) == again
    assert site.find_published(req(key="rev8-ch3")) is None


def test_the_website_reads_back_and_deletes(site: WebsiteAdapter) -> None:
    png = placeholder_png(4, 4)
    site.publish(req(key="a", text="甲", media=(Media("../../etc/x.png", "image/png", png),)))
    site.publish(req(key="b", text="乙"))

    assert [p.text for p in site.recent_posts()] == ["乙", "甲"]
    assert (site.root / "posts" / "a" / "1.png").read_bytes() == png  # named by its type
    site.delete("a")

    assert [p.remote_id for p in site.recent_posts()] == ["b"]
    assert not (site.root / "posts" / "a").exists()
    assert len(rss_items(site.root)) == 1 and len(atom_entries(site.root)) == 1
    with pytest.raises(AdapterError) as caught:
        site.delete("a")
    assert caught.value.permanent and caught.value.code == "not_found"


def test_concurrent_website_publishes_all_reach_the_feed(site: WebsiteAdapter) -> None:
    threads = [
        threading.Thread(target=site.publish, args=(req(key=f"k{i}", text=f"第{i}条"),))
        for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(rss_items(site.root)) == 8 and len(atom_entries(site.root)) == 8


def test_the_website_has_no_comments_or_follows(site: WebsiteAdapter) -> None:
    for call in (lambda: site.fetch_comments("a"), site.fetch_follows):
        with pytest.raises(AdapterError) as caught:
            call()
        assert caught.value.permanent and caught.value.code == "unsupported"


def test_the_outbox_writes_one_file_per_key(outbox: OutboxAdapter) -> None:
    first = outbox.publish(req(media=(Media("a.png", "image/png", b"\x89PNG\r\n\x1a\n"),)))
    again = outbox.publish(req(text="不同的正文不会覆盖"))

    path = outbox.root / "rev7-ch3.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["text"] == "第一行 <b>粗</b> & 符号\n第二行" and record["media"][0]["size"] == 8
    assert again == first and first.url == path.resolve().as_uri()
    assert [p.name for p in outbox.root.iterdir()] == ["rev7-ch3.json"]  # no temporary left
    assert [p.remote_id for p in outbox.recent_posts()] == ["rev7-ch3"]
    assert outbox.find_published(req()) == first


def test_outbox_keys_become_safe_file_names(outbox: OutboxAdapter) -> None:
    result = outbox.publish(req(key="../rev 1/ch 2"))
    assert result.remote_id == post_id("../rev 1/ch 2") and "/" not in result.remote_id
    assert (outbox.root / f"{result.remote_id}.json").exists()
    outbox.delete(result.remote_id)
    assert outbox.recent_posts() == []


def test_concurrent_outbox_publishes_of_one_key_write_once(outbox: OutboxAdapter) -> None:
    results = []
    threads = [
        threading.Thread(target=lambda i=i: results.append(outbox.publish(req(text=f"{i}"))))
        for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r.raw["created_at"] for r in results}) == 1
    assert len(list(outbox.root.iterdir())) == 1
