"""Issue #10 §2: words come from the pack (or the glossary), never from the weather bureau.

Each test renders a page or a PDF for an organisation of another pack and looks for the
weather bureau's (or another organisation's) term; and checks the organisation that owns
the term still sees it."""

from __future__ import annotations

import io
import sys
from datetime import timedelta
from pathlib import Path

import pypdf
import pytest
from django.test import Client
from django.utils import timezone

from guanwei.content import actions as content
from guanwei.content.models import Post
from guanwei.oversight.models import Deadline, DeadlineKind
from guanwei.testing.personas import channel, person, unit

pytestmark = pytest.mark.django_db
W, C, T, R = "demo_weather", "demo_college", "demo_tourism", "demo_real_estate"
TEXT = "明天多云转晴，气温12到20摄氏度，欢迎关注本单位发布的服务信息。"


def _as(username: str) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(person(username))
    return c


def _main(c: Client, url: str) -> str:
    r = c.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return r.content.decode().split("<main", 1)[-1]


def _pdf_text(data: bytes) -> str:
    return "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_w12_the_fast_path_box_is_the_packs_own() -> None:
    """特殊天气（随时发布） is the weather pack's box (W-12); the college has no fast path,
    so no box; the tourism bureau's is for emergencies (T-10), in its own words."""
    assert "特殊天气（随时发布）" in _main(_as("kj_editor"), "/content/posts/new/")
    college = _main(_as("col_xx_manager"), "/content/posts/new/")
    assert "特殊天气" not in college and 'name="emergency"' not in college
    tourism = _main(_as("ly_zx_contact"), "/content/posts/new/")
    assert "特殊天气" not in tourism
    assert "突发事件（第一时间发布）" in tourism


def test_c07_the_sensitive_box_is_the_colleges_own() -> None:
    """涉及重大事件、突发事件或社会敏感问题 is the college's box (C-07): the weather bureau
    has no such chain and shows no such box."""
    assert "社会敏感问题" in _main(_as("col_xx_manager"), "/content/posts/new/")
    weather = _main(_as("kj_editor"), "/content/posts/new/")
    assert "社会敏感问题" not in weather and 'name="sensitive"' not in weather


def _correction_notice(org_key: str, unit_key: str, writer: str, ch: str) -> Deadline:
    post = content.create_post(
        unit(org_key, unit_key),
        actor=person(writer),
        title="服务提示",
        body=TEXT,
        category=_first_category(org_key),
        channels=[channel(org_key, ch)],
    )
    Post.objects.filter(pk=post.pk).update(status="published")
    now = timezone.now()
    return Deadline.objects.create(
        organisation_id=post.organisation_id,
        unit=post.unit,
        kind=DeadlineKind.CORRECTION,
        key=f"words-{org_key}",
        title="订正",
        post=post,
        starts_at=now,
        due_at=now + timedelta(minutes=10),
    )


def _first_category(org_key: str) -> str:
    from guanwei.orgs.models import Organisation
    from guanwei.orgs.rules import rules_for

    return str(rules_for(Organisation.objects.get(key=org_key).pk).categories[0]["key"])


def test_w11_the_correction_words_are_the_weather_packs() -> None:
    """W-11's correction panel: the weather pack's issuer (气象台) and minutes (10) come from
    its correction rule; an organisation without W-11 is never offered to issue one."""
    d = _correction_notice(W, "city_tech_centre", "kj_editor", "city_weibo")
    page = _main(_as("kj_editor"), f"/oversight/corrections/{d.pk}/")
    assert "气象台" in page
    d = _correction_notice(C, "info_college", "col_xx_manager", "info_wechat")
    page = _main(_as("col_xx_manager"), f"/oversight/corrections/{d.pk}/")
    assert "气象台" not in page
    from guanwei.oversight.queries import may_issue_correction

    post = d.post
    assert post is not None
    assert not any(
        may_issue_correction(p, post) for p in (person("col_xx_manager"), person("col_vp_leader"))
    )


def test_w07_the_follows_page_explains_in_general_words() -> None:
    """The 必须关注 page's explanation names no weather-bureau accounts (县局、省局)."""
    for who in ("col_admin", "ly_admin", "re_admin"):
        page = _main(_as(who), "/follows/")
        assert "县" not in page and "省" not in page, who


def test_r04_the_delegation_page_in_the_packs_words() -> None:
    """副组长代审 is the real-estate group's term (R-04): the weather bureau's page does not
    use it; the real-estate page names its own roles from the pack."""
    assert "副组长" not in _main(_as("gw_admin"), "/review/delegations/")
    page = _main(_as("re_admin"), "/review/delegations/")
    assert "副组长" in page and "执行组长" in page


def test_c02_w04_the_application_form_is_the_packs_own() -> None:
    """The application form prints the pack's own opinion rows and title: the weather
    bureau's (W-04, 业务科) never the college's 党委宣传部 / 党委书记; a pack without an
    application form has no link and no form."""
    weather = _as("gw_admin")
    ch = channel(W, "city_weibo")
    text = _pdf_text(weather.get(f"/channels/{ch.pk}/application.pdf").content)
    assert "党委宣传部" not in text and "党委书记" not in text
    assert "业务科" in text
    college = _as("col_admin")
    ch = channel(C, "info_wechat")
    text = _pdf_text(college.get(f"/channels/{ch.pk}/application.pdf").content)
    assert "党委宣传部意见" in text and "党委书记意见" in text
    tourism = _as("ly_admin")
    ch = channel(T, "city_weibo")
    assert tourism.get(f"/channels/{ch.pk}/application.pdf").status_code == 404
    assert "application.pdf" not in tourism.get(f"/channels/{ch.pk}/").content.decode()


def test_r06_the_authorisation_form_is_the_real_estate_packs() -> None:
    """附二 官方微博授权审批表 is the real-estate pack's form (R-06): its opinion rows are the
    pack's chain steps; an organisation without it has no link and no form."""
    ch = channel(R, "company_weibo")
    r = _as("re_admin").post(
        f"/channels/{ch.pk}/authorisation/",
        {"grantee": "张三", "grantee_title": "组员", "scope": "发布", "reason": "值班"},
    )
    # R-06 (issue 10 §4): the request goes through the chain; approved, it prints
    assert r.status_code == 302, r.content.decode()[:500]
    from guanwei.workflow import actions as wf
    from guanwei.workflow.models import AuthorisationRequest

    run = AuthorisationRequest.objects.get(channel=ch, grantee="张三").runs.get()
    wf.approve_step(run.steps.get(index=0), actor=person("re_zz_executive"))
    wf.approve_step(run.steps.get(index=1), actor=person("re_zz_leader"))
    r = _as("re_admin").get(r["Location"] + "form.pdf")
    assert r.status_code == 200
    text = _pdf_text(r.content)
    assert "执行组长审核" in text and "组长批准" in text
    weather = _as("gw_admin")
    ch = channel(W, "city_weibo")
    assert weather.get(f"/channels/{ch.pk}/authorisation/").status_code == 404
    assert "authorisation/" not in weather.get(f"/channels/{ch.pk}/").content.decode()


def test_w01_the_catalogue_and_the_table_agree_on_title() -> None:
    """msgid "Title" (a post's, a material's, an asset's title) is 标题 in the table
    `make messages` fills the catalogue from; "Job title" (a person's) is 职务. Today the
    table says 职务 and the hand-edited catalogue 标题: the next `make messages` breaks it."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    from translate_zh import ZH

    assert ZH["Title"] == "标题"
    assert ZH["Job title"] == "职务"
