"""Material is screened when it is sent to the drop box, with the same engine and packs as
posts (REQ C-06, W-03, W-15; issue 8 §5): the provider sees the hits before sending, a
block-severity hit refuses the material and the form keeps what was typed, the provider's
leader and the editor see the hits highlighted on the material page. Overlapping hits show as
one term."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from guanwei.content import actions as content
from guanwei.content.models import Submission
from guanwei.orgs.errors import InvalidChange
from guanwei.orgs.permissions import SYSTEM
from guanwei.screening import actions as screening
from guanwei.screening.models import ScreeningVerdict
from guanwei.testing.personas import org, person, unit

pytestmark = pytest.mark.django_db
W = "demo_weather"
NEW = "/content/materials/new/"
CLEAN = "明天多云转晴，气温12到20摄氏度，偏北风3级，请注意早晚温差。"
BLOCKED = "明天多云转晴，有人借天气宣传法轮功，请勿转发。"


def _form(client: Client, **extra: str) -> dict[str, str]:
    body = client.get(NEW).content.decode()
    provider = re.search(r'name="provider_unit"[^>]*>.*?<option value="(\d+)"', body, re.S)
    assert provider is not None
    data = {
        "provider_unit": str(unit(W, "city_observatory").pk),
        "drop_box": str(unit(W, "city_tech_centre").pk),
        "title": "明日天气提示",
        "body": CLEAN,
        "source": "市气象台",
    }
    data.update(extra)
    return data


def _officer() -> Client:
    client = Client()
    client.force_login(person("qxt_officer"))
    return client


def _review_term() -> None:
    screening.add_term(
        org(W), actor=person("gw_admin"), term="青蛙跳台", category="custom", severity="review"
    )


def _send(body: str) -> Submission:
    return content.submit_material(
        unit(W, "city_observatory"),
        actor=person("qxt_officer"),
        drop_box=unit(W, "city_tech_centre"),
        title="明日天气提示",
        body=body,
        source="市气象台",
    )


def test_c06_w03_material_is_screened_and_the_verdict_is_kept() -> None:
    """C-06: sending material stores a verdict for it, with the hits and lexicon version."""
    _review_term()
    item = _send("明天多云转晴，周末青蛙跳台活动照常举行。")
    verdict = ScreeningVerdict.objects.get(object_type="submission", object_id=str(item.pk))
    assert verdict.verdict == "review"
    assert [h["term"] for h in verdict.hits] == ["青蛙跳台"]


def test_c06_w03_a_block_hit_refuses_the_material_with_a_chinese_reason() -> None:
    """C-06: a block-severity hit refuses the material; nothing lands in the drop box."""
    with pytest.raises(InvalidChange) as caught:
        _send(BLOCKED)
    assert "法轮功" in caught.value.message and "不能报送" in caught.value.message
    assert not Submission.objects.filter(body=BLOCKED).exists()


def test_c06_the_provider_checks_before_sending_and_the_form_keeps_everything() -> None:
    """C-06, W-03: 检查 shows the hits highlighted without sending anything; the form keeps the
    text."""
    _review_term()
    client = _officer()
    text = "明天多云转晴，周末青蛙跳台活动照常举行。"
    page = client.post(NEW, {**_form(client, body=text), "check": "1"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<mark" in html and "青蛙跳台</mark>" in html
    assert "明日天气提示" in html and text in html  # the form is kept
    assert not Submission.objects.filter(body=text).exists()


def test_c06_a_blocked_send_keeps_the_form_and_says_why() -> None:
    """C-06: sending blocked material answers with the reason in Chinese, the hits shown and
    every field still filled in."""
    client = _officer()
    page = client.post(NEW, _form(client, body=BLOCKED, title="周末天气"))
    html = page.content.decode()
    assert page.status_code == 400
    assert "不能报送" in html and "法轮功</mark>" in html
    assert "周末天气" in html and BLOCKED in html and "市气象台" in html
    assert not Submission.objects.filter(body=BLOCKED).exists()


def test_c06_review_hits_are_shown_before_the_material_goes_out() -> None:
    """C-06: material with review hits is not sent blind: the first 发送 shows the hits and asks
    to confirm; sending again (the text unchanged) sends it."""
    _review_term()
    client = _officer()
    text = "明天多云转晴，周末青蛙跳台活动照常举行。"
    data = _form(client, body=text)
    first = client.post(NEW, data)
    html = first.content.decode()
    assert first.status_code == 200 and "青蛙跳台</mark>" in html
    assert not Submission.objects.filter(body=text).exists()
    token = re.search(r'name="checked" value="([0-9a-f]+)"', html)
    assert token is not None
    second = client.post(NEW, {**data, "checked": token.group(1)})
    assert second.status_code == 302
    assert Submission.objects.filter(body=text).count() == 1


def test_w15_the_leader_and_the_editor_see_the_hits_highlighted() -> None:
    """W-15, C-06: the provider's leader (who approves) and the publishing unit's editor (who
    takes it) see the material's hits marked on the material page."""
    _review_term()
    item = _send("明天多云转晴，周末青蛙跳台活动照常举行。")
    for who in ("qxt_leader", "kj_editor"):
        client = Client()
        client.force_login(person(who))
        html = client.get(f"/content/materials/{item.pk}/").content.decode()
        assert re.search(r"<mark[^>]*>青蛙跳台</mark>", html), who


def test_c06_overlapping_hits_show_as_one_term() -> None:
    """C-06: 法轮 and 轮功 found in 法轮功 are shown as one marked term 法轮功 (one row), on the
    screening page and on the material page; the verdict record keeps both hits."""
    screening.add_term(
        org(W), actor=person("gw_admin"), term="法轮", category="custom", severity="review"
    )
    screening.add_term(
        org(W), actor=person("gw_admin"), term="轮功", category="custom", severity="review"
    )
    text = "提醒：谨防法轮功借天气话题传播。"
    client = Client()
    client.force_login(person("kj_editor"))
    html = client.post("/screening/", {"text": text}).content.decode()
    assert re.search(r"<mark[^>]*>法轮功</mark>", html)
    assert not re.search(r"<mark[^>]*>法轮</mark>", html)
    rows = re.findall(r'<tr class="hit-row"><td>([^<]*)</td>', html)
    assert rows == ["法轮功"]
    result, verdict = screening.screen_object(
        org(W), actor=SYSTEM, object_type="probe", object_id=1, text=text
    )
    spans = {(h["start"], h["end"]) for h in verdict.hits}
    assert {(5, 7), (6, 8)} <= spans
