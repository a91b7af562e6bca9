"""互动统计 in Chromium (W-20; 第四条(四) 微博气象服务统计分析和效果评价): last month on the city
Weibo made through the actions (two questions in and one out of scope fetched, the pack's
link rule hiding an advert, the forecaster's answer approved by the centre's leader, a
question marked done, a comment hidden by the publisher). The publisher 赵磊 opens
互动统计 from the 互动 menu (this month shown), picks last month and the account, reads the
figures and downloads the CSV (UTF-8 with a BOM, the same figures)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.browser.conftest import SCREENSHOTS, Server, open_menu
from tests.browser.walk import as_, chinese_only

PACK = "weather-bureau"
ACCOUNT = "市气象局官方微博"

# Last month, through the real actions (the set-up, not the walk): ingest (screening,
# triage, the pack's rules, routing), the reply actions, done, hide. The platform's side of
# a reply is a stand-in: the walk reads figures, not the fake Weibo.
_SEED = """
import itertools, json, time_machine
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from guanwei.interaction import actions, ingest, moderation, replies
from guanwei.publishing.adapters.base import RemoteComment
from guanwei.testing.personas import channel, person

class Platform:
    can_hide_comments = False
    ids = itertools.count(1)
    def reply_comment(self, post, comment, text):
        return f"stat-walk-reply-{{next(self.ids)}}"

replies._adapter = lambda comment: Platform()
moderation._adapter = lambda comment: Platform()
t0 = datetime({year}, {month}, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
texts = [
    "想问一下，明天乙县会下雨吗（统计走查）",
    "请问为什么会出现龙卷风？急（统计走查）",
    "结婚登记要多久才能办好呀？（统计走查）",
    "免费领取红包 https://t.example.cn/xyz 点击就送（统计走查）",
    "谢谢提醒！（统计走查）",
]
with time_machine.travel(t0, tick=False):
    stored = ingest.ingest(channel("demo_weather", "city_weibo"), None, "comment", [
        RemoteComment(remote_id=f"stat-walk-{{i}}", post_id="stat-walk", text=t,
                      author=f"网友{{i}}", created_at=None, author_id=f"stat-walk-{{i}}")
        for i, t in enumerate(texts)
    ])
forecast, science, government, spam, thanks = stored
with time_machine.travel(t0 + timedelta(minutes=30), tick=False):
    actions.mark_comment_done(government, actor=person("kj_publisher"))
    moderation.hide_comment(thanks, actor=person("kj_publisher"), reason="无关内容")
with time_machine.travel(t0 + timedelta(hours=2), tick=False):
    r = replies.write_reply(forecast, actor=person("qxt_expert"),
                            text="您好，明天多云转小雨，出门请带伞。", submit=True)
    replies.approve_reply(r, actor=person("kj_leader"))
print(json.dumps([c.scope for c in stored]))
"""


def _last_month() -> tuple[int, int]:
    first = datetime.now(ZoneInfo("Asia/Shanghai")).date().replace(day=1)
    before = first - timedelta(days=1)
    return before.year, before.month


def _figure(row: Any, name: str) -> str:
    return str(row.locator(f'[data-figure="{name}"]').inner_text().strip())


def test_w20_the_publisher_reads_last_months_figures_and_downloads_them(
    page: Any, server: Server, tmp_path: Path
) -> None:
    """W-20: menu 互动 → 互动统计, last month and the city Weibo chosen, the figures the
    actions left, the CSV downloaded with its BOM and the same figures."""
    year, month = _last_month()
    scopes = server.manage("shell", "-c", _SEED.format(year=year, month=month))
    assert scopes.strip().splitlines()[-1] == '["in", "in", "out", "none", "none"]', scopes

    as_(page, server, "kj_publisher")
    open_menu(page, "互动统计")
    page.wait_for_url(server.url + "/interaction/statistics/")
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    assert page.locator("#id_month option:checked").inner_text() == f"{now.year}年{now.month}月"
    assert page.locator("h1").inner_text() == "互动统计"
    chinese_only(page, server, PACK)

    page.select_option("#id_month", f"{year:04d}-{month:02d}")
    page.select_option("#id_account", label=ACCOUNT)
    page.click("#statistics-options button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#id_month option:checked").inner_text() == f"{year}年{month}月"
    heading = page.locator("#statistics-accounts h2").inner_text()
    assert f"{year}年{month}月" in heading and ACCOUNT in heading
    row = page.locator("#account-figures tbody tr")
    assert row.count() == 1 and row.locator("th").inner_text() == ACCOUNT
    got = {
        name: _figure(row, name)
        for name in (
            "received",
            "hidden_by_rule",
            "hidden_by_people",
            "questions_in",
            "questions_out",
            "answered",
            "on_time",
            "median",
        )
    }
    assert got == {
        "received": "5",
        "hidden_by_rule": "1",  # the advert, by the pack's link rule
        "hidden_by_people": "1",  # the thanks, by 赵磊
        "questions_in": "2",
        "questions_out": "1",
        "answered": "1",
        "on_time": "2",  # the answer in 2 hours, the government question done in 30 minutes
        "median": "1 小时 15 分钟",  # of 30 and 120 minutes
    }
    experts = page.locator("#expert-figures").inner_text()
    assert "朱琳" in experts  # the Observatory's forecaster: both in-scope questions
    topics = page.locator("#topic-figures").inner_text()
    assert "天气预报" in topics and "气象科普" in topics and "政务事项" in topics
    chinese_only(page, server, PACK)
    page.locator("main").screenshot(path=str(SCREENSHOTS / "interaction-statistics.png"))

    with page.expect_download() as info:
        page.click("#statistics-csv")
    download = info.value
    assert download.suggested_filename.startswith(f"interaction-statistics-{year:04d}-{month:02d}")
    target = tmp_path / "statistics.csv"
    download.save_as(target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [f"互动统计 {year}年{month}月"]
    city = next(r for r in rows if r and r[0] == ACCOUNT)
    assert city[1:4] == ["5", "1", "1"] and city[6:10] == ["2", "1", "1", "2"]
    assert city[11] == "75"  # the median in minutes
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors
