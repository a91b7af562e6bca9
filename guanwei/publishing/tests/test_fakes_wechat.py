"""The fake WeChat official-account API speaks the wire format of
reference/platforms.md §4–5 (checked with a bare HTTP client)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from guanwei.publishing.adapters.base import placeholder_png
from guanwei.publishing.fakes import FakePlatforms, start_fakes, wechat

CREDENTIALS = {"grant_type": "client_credential", "appid": wechat.APPID, "secret": wechat.APPSECRET}


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Shadows the project conftest's fixture of this name, which needs Django settings:
    these tests are pure Python and also run with ``-p no:django``."""


@pytest.fixture(scope="module")
def running() -> Iterator[FakePlatforms]:
    with start_fakes(publish_delay_s=0.2) as fakes:
        yield fakes


@pytest.fixture
def fakes(running: FakePlatforms) -> FakePlatforms:
    running.reset()
    return running


@pytest.fixture
def http(fakes: FakePlatforms) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fakes.wechat_url, timeout=5) as client:
        yield client


def stable(http: httpx.Client, force: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = http.post(
        "/cgi-bin/stable_token", json={**CREDENTIALS, "force_refresh": force}
    ).json()
    return body


def call(http: httpx.Client, path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    response = http.post(path, params={"access_token": token}, json=body)
    assert response.status_code == 200  # errors included
    result: dict[str, Any] = response.json()
    return result


def publish(http: httpx.Client, token: str, title: str = "标题") -> dict[str, Any]:
    files = {"media": ("c.png", placeholder_png(), "image/png")}
    thumb = http.post(
        "/cgi-bin/material/add_material",
        params={"access_token": token, "type": "image"},
        files=files,
    ).json()
    article = {"title": title, "content": "<p>正文</p>", "thumb_media_id": thumb["media_id"]}
    draft = call(http, "/cgi-bin/draft/add", token, {"articles": [article]})
    if "media_id" not in draft:
        return draft
    submitted = call(http, "/cgi-bin/freepublish/submit", token, draft)
    return {**submitted, "draft": draft["media_id"]}


def test_stable_token_is_stable_until_forced(http: httpx.Client, fakes: FakePlatforms) -> None:
    first = stable(http)
    assert stable(http)["access_token"] == first["access_token"]
    assert 7000 < first["expires_in"] <= 7200 and "errcode" not in first

    forced = stable(http, force=True)
    assert forced["access_token"] != first["access_token"]
    old = call(http, "/cgi-bin/freepublish/batchget", first["access_token"], {"count": 1})
    assert old["errcode"] == 40001 and "rid:" in old["errmsg"]
    assert stable(http, force=True)["errcode"] == 45009  # 30 s apart

    fakes.control("wechat", expire_tokens=True)
    expired = call(http, "/cgi-bin/freepublish/batchget", forced["access_token"], {"count": 1})
    assert expired["errcode"] == 42001
    assert stable(http)["access_token"] != forced["access_token"]
    assert call(http, "/cgi-bin/draft/get", "garbage", {})["errcode"] == 40014
    assert http.post("/cgi-bin/draft/get", json={}).json()["errcode"] == 41001


def test_bad_credentials(http: httpx.Client) -> None:
    assert (
        http.post("/cgi-bin/stable_token", json={**CREDENTIALS, "appid": "wx1"}).json()["errcode"]
        == 40013
    )
    assert (
        http.post("/cgi-bin/stable_token", json={**CREDENTIALS, "secret": "x"}).json()["errcode"]
        == 40125
    )
    basic = http.get("/cgi-bin/token", params={**CREDENTIALS, "secret": "x"}).json()
    assert basic["errcode"] == 40001


def test_the_basic_token_rotates_with_an_overlap(http: httpx.Client) -> None:
    first = http.get("/cgi-bin/token", params=CREDENTIALS).json()["access_token"]
    second = http.get("/cgi-bin/token", params=CREDENTIALS).json()["access_token"]
    assert first != second
    for token in (first, second):  # the old one still works for 5 minutes
        listed = call(http, "/cgi-bin/freepublish/batchget", token, {"count": 1})
        assert listed["total_count"] == 1 and "errcode" not in listed  # success: no errcode


def test_publish_is_a_job_that_walks_from_1_to_0(http: httpx.Client, fakes: FakePlatforms) -> None:
    token = stable(http)["access_token"]
    submitted = publish(http, token)
    # ids as documented (freepublish_submit: publish_id and msg_data_id are strings)
    assert submitted["errcode"] == 0 and isinstance(submitted["publish_id"], str)
    assert isinstance(submitted["msg_data_id"], str) and submitted["msg_data_id"].isdigit()
    job = {"publish_id": submitted["publish_id"]}

    pending = call(http, "/cgi-bin/freepublish/get", token, job)
    assert pending["publish_status"] == 1 and "article_detail" not in pending
    assert call(http, "/cgi-bin/draft/get", token, {"media_id": submitted["draft"]})["errcode"] == (
        40007
    )  # the draft left the draft box
    time.sleep(0.25)
    done = call(http, "/cgi-bin/freepublish/get", token, job)
    # freepublish_get: publish_id and article_id strings, publish_status a number
    assert done["publish_status"] == 0 and done["publish_id"] == submitted["publish_id"]
    assert isinstance(done["article_id"], str)
    assert done["article_detail"]["item"][0]["idx"] == 1  # 1-based
    assert f"mid={submitted['msg_data_id']}" in done["article_detail"]["item"][0]["article_url"]
    assert fakes.stats("wechat")["posts"] == 1


def test_a_chosen_failure_returns_the_draft(http: httpx.Client, fakes: FakePlatforms) -> None:
    fakes.control("wechat", next_publish_status=3, publish_delay_ms=0)
    token = stable(http)["access_token"]
    submitted = publish(http, token)
    failed = call(http, "/cgi-bin/freepublish/get", token, {"publish_id": submitted["publish_id"]})
    assert failed["publish_status"] == 3 and failed["fail_idx"] == [1]
    assert "news_item" in call(http, "/cgi-bin/draft/get", token, {"media_id": submitted["draft"]})


def test_draft_checks(http: httpx.Client) -> None:
    token = stable(http)["access_token"]
    assert call(http, "/cgi-bin/draft/add", token, {"articles": []})["errcode"] == 44003
    no_thumb = {"title": "t", "content": "<p>x</p>", "thumb_media_id": "nope"}
    assert call(http, "/cgi-bin/draft/add", token, {"articles": [no_thumb]})["errcode"] == 40007
    bad = http.post(
        "/cgi-bin/material/add_material",
        params={"access_token": token, "type": "image"},
        files={"media": ("a.txt", b"text", "text/plain")},
    ).json()
    assert bad["errcode"] == 40005
    assert publish(http, token, title="长" * 33)["errcode"] == 45003


def test_batchget_and_delete_indexes(http: httpx.Client, fakes: FakePlatforms) -> None:
    fakes.control("wechat", publish_delay_ms=0)
    token = stable(http)["access_token"]
    publish(http, token)
    assert call(http, "/cgi-bin/freepublish/batchget", token, {"count": 21})["errcode"] == 40097
    listed = call(http, "/cgi-bin/freepublish/batchget", token, {"count": 20, "no_content": 1})
    assert listed["total_count"] == 2 and listed["item_count"] == 2
    news = listed["item"][0]["content"]["news_item"][0]
    assert "content" not in news and news["is_deleted"] is False
    article = listed["item"][0]["article_id"]
    too_far = {"article_id": article, "index": 2}  # one article: index 1 is the last
    assert call(http, "/cgi-bin/freepublish/delete", token, too_far)["errcode"] == 40097
    assert (
        call(http, "/cgi-bin/freepublish/delete", token, {"article_id": article, "index": 1})[
            "errcode"
        ]
        == 0
    )
    again = call(http, "/cgi-bin/freepublish/batchget", token, {"count": 20})
    assert again["item"][0]["content"]["news_item"][0]["is_deleted"] is True


def test_comment_list_is_0_based_and_capped_below_50(http: httpx.Client) -> None:
    token = stable(http)["access_token"]
    listed = call(http, "/cgi-bin/freepublish/batchget", token, {"count": 20})
    url = listed["item"][0]["content"]["news_item"][0]["url"]
    msg = int(httpx.URL(url).params["mid"])
    base = {"msg_data_id": msg, "index": 0, "begin": 0, "type": 0}
    comments = call(http, "/cgi-bin/comment/list", token, {**base, "count": 49})
    assert comments["total"] == 2 and comments["comment"][0]["user_comment_id"] > 0
    assert call(http, "/cgi-bin/comment/list", token, {**base, "count": 50})["errcode"] == 40097
    assert (
        call(http, "/cgi-bin/comment/list", token, {**base, "index": 1, "count": 5})["errcode"]
        == 40097
    )
    call(http, "/cgi-bin/comment/close", token, {"msg_data_id": msg, "index": 0})
    assert call(http, "/cgi-bin/comment/list", token, {**base, "count": 5})["errcode"] == 88000


def test_injected_errors_come_as_http_200_or_a_gateway_page(
    http: httpx.Client, fakes: FakePlatforms
) -> None:
    token = stable(http)["access_token"]
    fakes.control("wechat", fail_next=1, errcode=-1)
    assert call(http, "/cgi-bin/freepublish/batchget", token, {"count": 1})["errcode"] == -1
    fakes.control("wechat", fail_next=1, status=502)
    gateway = http.post("/cgi-bin/freepublish/batchget", params={"access_token": token}, json={})
    assert gateway.status_code == 502 and "Bad Gateway" in gateway.text


def test_the_rate_limit_is_45009(http: httpx.Client, fakes: FakePlatforms) -> None:
    fakes.control("wechat", rate_limit_per_hour=1)
    token = stable(http)["access_token"]
    assert publish(http, token)["errcode"] == 0
    assert publish(http, token)["errcode"] == 45009


def test_the_timeline_page_escapes_titles(http: httpx.Client, fakes: FakePlatforms) -> None:
    fakes.control("wechat", publish_delay_ms=0)
    publish(http, stable(http)["access_token"], title="<b>加粗</b>")
    page = http.get("/").text
    assert "&lt;b&gt;加粗&lt;/b&gt;" in page and "<b>" not in page


def test_an_unknown_path_is_not_answered_as_an_unauthorised_api(http: httpx.Client) -> None:
    """X-03: a path the platform does not have is a 404, not errcode 48001 ("api
    unauthorized", which tells a person to get the account certified)."""
    token = stable(http)["access_token"]
    response = http.post("/cgi-bin/freepublish/no_such_api", params={"access_token": token})
    assert response.status_code == 404
    assert "48001" not in response.text
    assert http.get("/cgi-bin/draft/nothing_here").status_code == 404
