"""The fakes' generated comment streams (issue 11 §1, W-18) fetched over real HTTP:
``/__control__ {"comment_stream": …}`` gives abuse, questions, spam, emoji-only, links,
very long texts and script payloads; Weibo and WeChat streams are fetched across pages,
stored verbatim (shown inert by the pages), screened with hits that index the text, and
never stored twice on a re-fetch."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from guanwei.content.models import Post, PostRevision
from guanwei.interaction import fetch
from guanwei.interaction.models import Comment
from guanwei.publishing.adapters import get_adapter
from guanwei.publishing.fakes import FakePlatforms, demo_settings
from guanwei.publishing.fakes.comment_streams import generate
from guanwei.publishing.models import ChannelSettings, IntentStatus, PublishIntent
from guanwei.testing.personas import channel, person

pytestmark = pytest.mark.django_db
W, C = "demo_weather", "demo_college"
_n = itertools.count(1)


def _published(fakes: FakePlatforms, o: str, key: str, platform: str, author: str) -> Any:
    """A published intent on one of the fake's own posts (the publishing room's row, made
    directly: what is tested here is fetching)."""
    ch = channel(o, key)
    values = demo_settings(fakes)[platform]
    ChannelSettings.objects.update_or_create(channel=ch, defaults={"values": values})
    remote = get_adapter(platform, values).recent_posts(5)[0].remote_id
    who, n, now = person(author), next(_n), timezone.now()
    post = Post.objects.create(
        organisation_id=ch.organisation_id, unit_id=ch.unit_id, created_by=who, title=f"稿{n}"
    )
    rev = PostRevision.objects.create(
        post=post, number=1, title=post.title, body="正文", category="forecast", created_by=who
    )
    return PublishIntent.objects.create(
        organisation_id=ch.organisation_id,
        unit_id=ch.unit_id,
        post=post,
        revision=rev,
        channel=ch,
        content_hash=f"{n:064d}",
        due_at=now,
        status=IntentStatus.PUBLISHED,
        remote_id=remote,
        published_at=now,
    )


def test_w18_generated_stream_has_every_kind_of_hostile_and_ordinary_comment() -> None:
    """W-18: the generator's mix (stdlib, deterministic per seed)."""
    items = generate(400, seed=1)
    kinds = {i["kind"] for i in items}
    assert kinds >= {"thanks", "question_in", "question_out", "abuse", "spam", "emoji"}
    texts = [i["text"] for i in items]
    for marker in ("<script>", "onerror", "<svg onload", "\u202e", "http"):
        assert any(marker in t for t in texts), marker
    assert max(len(t) for t in texts) == 10_000
    assert generate(50, seed=3) == generate(50, seed=3)


@pytest.mark.parametrize(
    ("o", "key", "platform", "author", "field"),
    [
        (W, "city_weibo", "weibo", "kj_publisher", "status_id"),
        (C, "info_wechat", "wechat", "col_xx_manager", "msg_data_id"),
    ],
)
def test_w18_stream_fetched_across_pages_stored_verbatim_never_twice(
    fakes: FakePlatforms, o: str, key: str, platform: str, author: str, field: str
) -> None:
    """W-18: 150 generated comments (Weibo: 3 pages of 50; WeChat: 4 pages of 49) fetched
    over HTTP, stored as given (script, SVG, RTL override, 10,000 characters), screened
    (every hit indexes the text) and triaged; a re-fetch stores nothing again."""
    intent = _published(fakes, o, key, platform, author)
    target = intent.remote_id.split(":")[-1] if platform == "wechat" else intent.remote_id
    before = fetch.fetch_due()
    old = set(Comment.objects.filter(intent=intent).values_list("remote_id", flat=True))
    fakes.control(platform, comment_stream={field: target, "n": 150, "seed": 7})
    later = timezone.now() + timedelta(hours=2)
    assert fetch.fetch_due(now=later) == 150
    assert fetch.fetch_due(now=later + timedelta(hours=1)) == 0
    rows = list(Comment.objects.filter(intent=intent))
    assert len(rows) == before + 150 == len({c.remote_id for c in rows})
    want = [i["text"] for i in generate(150, seed=7)]
    assert sorted(c.text for c in rows if c.remote_id not in old) == sorted(want)
    texts = [c.text for c in rows]
    assert any("<script>" in t for t in texts)
    assert max(len(t) for t in texts) == 10_000
    assert all(c.verdict for c in rows)
    assert any(c.is_question for c in rows)
    for c in rows:
        for h in c.hits:
            assert 0 <= h["start"] < h["end"] <= len(c.text)
