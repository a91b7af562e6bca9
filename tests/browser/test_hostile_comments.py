"""Hostile comments on 互动台 in Chromium (issue 11 §Security, W-18: comments are tracked and
the malicious ones handled — they must not act on who handles them).

A post goes out on the city's Weibo account; the fake Weibo then carries comments and
commenters' names holding ``<script>``, HTML (an overlay, an iframe, a style sheet), ``<svg
onload>``, ``<img onerror>``, an attribute break-out, ``javascript:`` links, the U+202E
right-to-left override and 10,000-character texts (one Chinese, one without a break), and
a formula for the spreadsheet. They arrive by fetching, as in production. The publisher
opens 互动台: no script runs (no dialog, no window flag), no element of any payload is in
the page, the page is no wider than the window, hostile text is shown as text and isolated
from its neighbours' direction, and a long text is clamped with 展开全文 to read it whole.
The same holds where comment text travels on: the leader's notice when one is reported
(上报领导), the 意见反馈 page and its CSV export (which carries topics and counts, no
comment text; a formula copied into a topic is defused)."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.browser.conftest import Server, login

TITLE = "互动安全测试：明日天气"
# each payload's element carries an id starting gw- (none may exist in the page) and sets
# window.__pwned when it runs
TEXTS = [
    "<script>window.__pwned='script';alert('script')</script>谢谢提醒",
    '<b id="gw-b">粗体</b><div id="gw-overlay" style="position:fixed;inset:0;'
    'background:red;z-index:9999">覆盖全页</div><iframe id="gw-frame" src="/"></iframe>'
    "<style>body{display:none}</style>",
    '<svg id="gw-svg" onload="window.__pwned=\'svg\'"></svg>SVG',
    "<img id=\"gw-img\" src=x onerror=\"window.__pwned='img';alert('img')\">图片",
    '"><img id="gw-attr" src=x onerror="window.__pwned=\'attr\'"> 属性逃逸',
    '<a id="gw-link" href="javascript:window.__pwned=\'link\'">点我</a> '
    "javascript:window.__pwned='bare'",
    "正常评论\u202e检测反转文字",
    '=HYPERLINK("http://evil.example/","点击领奖")',
    "长" * 10_000,
    "W" * 10_000,
]
# commenters: uid → screen name
NAMES = {
    "3000001": '<img id="gw-name" src=x onerror="window.__pwned=\'name\'">',
    "3000002": "\u202e员理管方官",
    "3000003": "名" * 20 + "N" * 300,
}

PUBLISH = """
import time
from guanwei.content import actions as content
from guanwei.publishing import actions
from guanwei.publishing.models import IntentStatus, PublishIntent
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

ch = channel("demo_weather", "city_weibo")
post = content.create_post(
    unit("demo_weather", "city_tech_centre"), actor=person("kj_editor"), title={title!r},
    body="明天多云转晴，气温12到20摄氏度，欢迎留言提问。", category="forecast",
    channels=[ch], source="市气象台",
)
wf.submit_for_review(post, actor=post.created_by)
wf.approve_step(StepRun.objects.get(run__post=post, status="pending"), actor=person("kj_leader"))
actions.schedule_post(post, actor=person("kj_publisher"))
for _ in range(240):
    intent = PublishIntent.objects.get(post=post)
    if intent.status == IntentStatus.PUBLISHED and intent.remote_id:
        break
    time.sleep(0.25)
print(ch.pk, intent.status, intent.remote_id)
"""
# what the dispatcher's housekeeping does every few seconds, asked now (as if the stream's
# next fetch were due: the housekeeping may have fetched it a moment ago)
FETCH = """
from datetime import timedelta
from django.utils import timezone
from guanwei.interaction import fetch
from guanwei.interaction.models import Comment
fetch.fetch_due(limit=500, now=timezone.now() + timedelta(hours=2))
print(Comment.objects.filter(post__title={title!r}).count())
"""
WHO = """
from guanwei.interaction.models import Comment
c = Comment.objects.get(post__title={title!r}, text__startswith="<img id=\\"gw-img\\"")
print(c.escalated_to.username if c.escalated_to else "")
"""

FOUND = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    if (el.id && el.id.startsWith('gw-')) bad.push('#' + el.id);
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) bad.push(el.tagName + '[' + a.name + ']');
      if (/^\\s*javascript:/i.test(a.value)) bad.push(el.tagName + '[' + a.name + '=javascript:]');
    }
  }
  for (const s of document.scripts) if (s.textContent.includes('__pwned')) bad.push('script');
  for (const e of document.querySelectorAll('main svg, main iframe, main img, main style, main b'))
    bad.push(e.tagName);
  if (getComputedStyle(document.body).display === 'none') bad.push('body hidden');
  return {bad, pwned: window.__pwned === undefined ? null : String(window.__pwned)};
}"""

# the page no wider than the window, and nothing inside a card reaching outside it
OVERFLOW = """(selector) => {
  const root = document.documentElement;
  const out = [];
  if (root.scrollWidth > root.clientWidth) out.push('page ' + root.scrollWidth);
  for (const card of document.querySelectorAll(selector)) {
    const r = card.getBoundingClientRect();
    for (const e of card.querySelectorAll('*')) {
      const b = e.getBoundingClientRect();
      if (b.width && (b.right > r.right + 1 || b.left < r.left - 1))
        out.push(e.tagName + '.' + e.className + ' ' + Math.round(b.right));
    }
  }
  return out;
}"""


def _as(page: Any, server: Server, username: str) -> None:
    page.context.clear_cookies()
    login(page, server, username)


def _assert_inert(page: Any, dialogs: list[str], where: str) -> None:
    found = page.evaluate(FOUND)
    assert found == {"bad": [], "pwned": None}, where
    assert dialogs == [], where


def _isolated(page: Any, selector: str) -> list[str]:
    """The computed unicode-bidi of each element matched: a U+202E inside must not turn
    the text around it."""
    return list(
        page.evaluate(
            "(s) => [...document.querySelectorAll(s)].map(e => getComputedStyle(e).unicodeBidi)",
            selector,
        )
    )


def test_w18_hostile_comments_are_inert_text_on_the_interaction_desk(
    page: Any, server: Server, platforms: Any
) -> None:
    """Issue 11 §Security / W-18: script, HTML, SVG onload, img onerror, javascript: links,
    the RTL override and 10,000-character texts, in comments and in commenters' names,
    fetched from the fake Weibo: inert on 互动台, in the leader's notice, on 意见反馈 and in
    its CSV export; the page keeps its width; long texts are clamped with 展开全文."""
    said = server.manage("shell", "-c", PUBLISH.format(title=TITLE))
    channel_pk, status, remote_id = said.strip().splitlines()[-1].split()
    assert status == "published", status
    for uid, name in NAMES.items():
        platforms.control("weibo", set_user={"uid": uid, "name": name})
    uids = list(NAMES)
    for i, text in enumerate(TEXTS):
        platforms.control(
            "weibo",
            add_comment={"status_id": int(remote_id), "uid": uids[i % len(uids)], "text": text},
        )
    stored = int(server.manage("shell", "-c", FETCH.format(title=TITLE)).split()[-1])
    assert stored == len(TEXTS)

    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _as(page, server, "kj_publisher")
    page.goto(f"{server.url}/interaction/?account={channel_pk}")
    items = page.locator("#inbox-items .inbox-item")
    assert items.count() >= len(TEXTS)
    _assert_inert(page, dialogs, "互动台")
    shown = page.locator("#inbox-items").inner_text()
    for text in TEXTS[:8]:  # shown as text, character for character
        assert text.replace("\u202e", "") in shown.replace("\u202e", ""), text
    assert '<img id="gw-name"' in shown
    assert set(_isolated(page, "#inbox-items .author bdi, #inbox-items .comment-text bdi")) == {
        "isolate"
    }
    assert page.evaluate(OVERFLOW, "#inbox-items .inbox-item") == []

    # the two 10,000-character texts: clamped, with 展开全文 to read them whole
    for head in ("长" * 20, "W" * 20):
        item = items.filter(has_text=head).first
        first = item.locator("p.comment-text").first
        assert len(first.inner_text()) <= 501
        summary = item.locator("details.comment-full summary")
        assert summary.inner_text() == "展开全文（10000 字）"
        summary.click()
        full = item.locator("details.comment-full p.comment-text")
        assert len(full.inner_text().strip()) == 10_000
        box = full.evaluate("e => [e.clientHeight, e.scrollHeight]")
        assert box[0] < 700 and box[1] > box[0]  # a box of its own that scrolls
    assert page.evaluate(OVERFLOW, "#inbox-items .inbox-item") == []
    _assert_inert(page, dialogs, "互动台, texts opened")

    # 上报领导 on the <img onerror> comment: the leader's notice carries its text
    img = items.filter(has_text='<img id="gw-img"').first
    img.locator("button[value=escalate]").click()
    page.wait_for_load_state()
    assert "已上报领导" in page.locator(".messages").inner_text()
    # 记为反馈 on the script and the formula comments (the inbox's POST)
    token = page.evaluate("() => JSON.parse(document.body.getAttribute('hx-headers'))")
    # (the formula comment's text copied as its topic: the export carries topics, not texts)
    for head, topic in (("<script>window.__pwned", "安全测试"), ("=HYPERLINK", TEXTS[7])):
        pk = items.filter(has_text=head).first.get_attribute("data-comment")
        answer = page.request.post(
            f"{server.url}/interaction/comments/{pk}/feedback/",
            form={"topic": topic, "satisfaction": "3"},
            headers=token,
        )
        assert answer.ok, answer.status
    page.goto(server.url + "/interaction/feedback/")
    assert "<script>window.__pwned" in page.locator("#feedback-items").inner_text()
    _assert_inert(page, dialogs, "意见反馈")
    assert page.evaluate(OVERFLOW, "main .card") == []
    export = page.request.get(server.url + "/interaction/feedback.csv")
    assert export.ok
    rows = list(csv.reader(io.StringIO(export.text().lstrip("\ufeff"))))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if "__pwned" in c]  # counts per topic: no comment's text
    formula = [cell for cell in cells if "HYPERLINK" in cell]
    assert formula and all(cell.startswith("'=") for cell in formula), formula

    leader = server.manage("shell", "-c", WHO.format(title=TITLE)).split()[-1]
    _as(page, server, leader)
    page.goto(server.url + "/notices/")
    notice = page.locator("#notices tr", has_text="评论上报").first
    assert '<img id="gw-img"' in notice.inner_text()
    _assert_inert(page, dialogs, "通知")
    assert page.evaluate(OVERFLOW, "main") == []
