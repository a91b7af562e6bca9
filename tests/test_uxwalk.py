"""Findings of the new-user walk in Chromium (issue #10 §6, "everywhere"): each test is a page
as one role of one seed organisation saw it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from guanwei.testing.personas import person

pytestmark = pytest.mark.django_db


def _title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.S)
    assert found is not None
    return found.group(1)


def test_c06_lexicon_page_title_is_only_its_name(client: Client) -> None:
    """C-06: the 敏感词库 page's browser title is its name, not the allow-phrase section's HTML
    (the college's manager saw "敏感词库<section class=…" in the tab)."""
    client.force_login(person("col_admin"))  # its keepers (lexicon.manage)
    page = client.get("/screening/lexicon/").content.decode()
    assert "<" not in _title(page).replace("&lt;", "")
    assert page.count('id="allow-phrases"') == 1


# one person of each organisation whose dashboard linked pages they may not open
WALKERS = [
    "col_jwc_manager",
    "col_yq_reviewer",
    "qxt_officer",
    "ly_xa_officer",
    "re_ch_editor",
    "edu_cp_contributor",
    "gw_auditor",
]


def test_x06_every_dashboard_link_opens_for_every_demo_person(client: Client) -> None:
    """X-06 / issue 10 §6: the dashboard links only to what the person may open (the college's
    管理员 got 页面不存在 from the 待我审核 and 人员 tiles)."""
    refused = []
    for username in WALKERS:
        client.force_login(person(username))
        page = client.get("/").content.decode()
        main = page.split("<main", 1)[-1]
        for href in sorted(set(re.findall(r'href="(/[^"#]*)', main))):
            status = client.get(href).status_code
            if status >= 400:
                refused.append(f"{username} {href} {status}")
    assert refused == []


def test_c04_post_form_has_no_column_field_where_the_pack_has_no_columns(client: Client) -> None:
    """C-04 / issue 10 §2: 专栏 (the real-estate company's #话题# columns, R-02) is not a field of
    the college's post form, whose pack has no columns; the real-estate form keeps it."""
    client.force_login(person("col_jwc_manager"))
    page = client.get("/content/posts/new/").content.decode()
    assert '<select name="column"' not in page
    assert "专栏" not in page
    client.force_login(person("re_ch_editor"))
    page = client.get("/content/posts/new/").content.decode()
    assert '<select name="column"' in page


def test_t05_e01_a_post_written_from_material_keeps_its_pictures(client: Client) -> None:
    """T-05 图文并茂 / E-01 图文相符 (issue 10 §5): the centre's contact writes a post from the
    county's material (据此撰写稿件); the material's picture is offered and ticked on the form,
    the saved post carries it, and the centre's head who reviews the post sees it."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from guanwei.content import actions as content
    from guanwei.content.models import Post
    from guanwei.testing.personas import channel, unit

    png = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 180, 0)).save(png, "PNG")
    county = unit("demo_tourism", "county_a")
    picture = content.upload_asset(
        county,
        actor=person("ly_xa_officer"),
        upload=SimpleUploadedFile("peach.png", png.getvalue(), content_type="image/png"),
        title="桃花谷",
    )
    item = content.submit_material(
        county,
        actor=person("ly_xa_officer"),
        drop_box=unit("demo_tourism", "info_centre"),
        title="甲县桃花节开幕",
        body="3月20日，甲县第十届桃花节在桃花谷景区开幕。",
        source="甲县旅游局",
        assets=[picture],
    )
    client.force_login(person("ly_zx_contact"))
    form = client.get(f"/content/posts/new/?material={item.pk}").content.decode()
    assert re.search(rf'<option value="{picture.pk}" selected>', form), "picture not offered"
    answer = client.post(
        f"/content/posts/new/?material={item.pk}",
        {
            "unit": str(unit("demo_tourism", "info_centre").pk),
            "title": "甲县桃花节开幕",
            "body": "3月20日，甲县第十届桃花节在桃花谷景区开幕。",
            "category": "announcement",
            "channels": [str(channel("demo_tourism", "city_weibo").pk)],
            "assets": [str(picture.pk)],
            "source": "甲县旅游局",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[-3000:]
    post = Post.objects.get(materials=item)
    assert list(post.current_revision.assets.all()) == [picture]
    client.force_login(person("ly_zx_head"))
    assert (
        f"/content/assets/{picture.pk}/file"
        in client.get(f"/content/posts/{post.pk}/").content.decode()
    )
    assert client.get(f"/content/assets/{picture.pk}/file").status_code == 200


def test_e01_material_with_a_picture_is_not_told_to_add_one(client: Client) -> None:
    """E-01 图文相符: the product department's contributor sends material with a screenshot; the
    screening does not say 本制度要求配图 (the warning held the material back for a second
    click, and the stored verdict told the editor the picture was missing)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from guanwei.content import actions as content
    from guanwei.content.models import Submission
    from guanwei.screening.queries import latest_verdict
    from guanwei.testing.personas import unit

    png = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(png, "PNG")
    product = unit("demo_edu_software", "product")
    shot = content.upload_asset(
        product,
        actor=person("edu_cp_contributor"),
        upload=SimpleUploadedFile("homework.png", png.getvalue(), content_type="image/png"),
        title="作业本截图",
    )
    client.force_login(person("edu_cp_contributor"))
    answer = client.post(
        "/content/materials/new/",
        {
            "provider_unit": str(product.pk),
            "drop_box": str(unit("demo_edu_software", "operations").pk),
            "title": "新版作业本功能上线",
            "body": "新版作业本功能今日上线，老师可一键布置分层作业。",
            "source": "产品部",
            "assets": [str(shot.pk)],
        },
    )
    assert "本制度要求配图" not in answer.content.decode()
    assert answer.status_code == 302
    item = Submission.objects.get(title="新版作业本功能上线")
    verdict = latest_verdict("submission", item.pk)
    assert verdict is not None and "配图" not in str(verdict.rules)


def test_e02_material_form_preselects_the_only_unit_and_box(client: Client) -> None:
    """E-02 (供稿同事): the product department's contributor has one unit and one drop box, the
    form starts on them rather than on "— 请选择 —"; the empty library says where pictures come
    from; the look-again warning names the button the page has (报送), in the warning colour."""
    from guanwei.testing.personas import unit

    client.force_login(person("edu_cp_contributor"))
    page = client.get("/content/materials/new/").content.decode()
    product = unit("demo_edu_software", "product")
    box = unit("demo_edu_software", "operations")
    assert f'<option value="{product.pk}" selected>产品部</option>' in page
    assert f'<option value="{box.pk}" selected>新媒体运营组</option>' in page
    assert "请先在素材库上传" in page
    answer = client.post(
        "/content/materials/new/",
        {
            "provider_unit": str(product.pk),
            "drop_box": str(box.pk),
            "title": "新版作业本功能上线",
            "body": "新版作业本功能今日上线，老师可一键布置分层作业。",
            "source": "产品部",
        },
    ).content.decode()
    assert '<li class="warning">' in answer
    assert "发送" not in answer.split('<ul class="messages">', 1)[1].split("</ul>", 1)[0]
    assert "新版作业本功能上线" in answer  # the form keeps what was typed


def test_e01_the_chain_reason_names_the_rule_not_only_its_code() -> None:
    """E-01 / C-07 (the post page says why this chain): a pack chain without a description
    is named by its own name, not by the bare requirement ID (the edu-software company's
    editor read 选用理由：按制度“E-01”)."""
    from guanwei.content import actions as content
    from guanwei.testing.personas import channel, unit
    from guanwei.workflow import actions as wf

    post = content.create_post(
        unit("demo_edu_software", "operations"),
        actor=person("edu_yy_editor"),
        title="家校共育小贴士",
        body="家长每天花十分钟和孩子聊聊学校生活，有助于孩子养成表达习惯。",
        category="education",
        channels=[channel("demo_edu_software", "official_weibo")],
    )
    run = wf.submit_for_review(post, actor=person("edu_yy_editor"))
    assert "按制度“E-01”" not in run.chain_reason
    assert "稿件审核" in run.chain_reason


def test_x02_the_audit_log_names_the_person_not_only_the_login(client: Client) -> None:
    """X-02 / issue 10 §2 (no code where a name belongs): the weather bureau's auditor reads
    who did what as 马骏（qxt_officer）, not as the login qxt_officer alone."""
    from guanwei.content import actions as content
    from guanwei.testing.personas import unit

    content.submit_material(
        unit("demo_weather", "city_observatory"),
        actor=person("qxt_officer"),
        drop_box=unit("demo_weather", "city_tech_centre"),
        title="午后雷阵雨",
        body="今天午后有雷阵雨。",
        source="市气象台",
    )
    client.force_login(person("gw_auditor"))
    page = client.get("/audit/").content.decode()
    assert "<td>马骏（qxt_officer）</td>" in page


def test_r04_the_delegation_form_offers_only_the_packs_roles(client: Client) -> None:
    """R-04 副组长代审: the executive leader's form offers the deputy leaders as 代审人 and the
    group leader as 被代审人, not every person of the company (the others are refused after
    sending); the group leader's page says there is no delegation yet instead of showing an
    empty box."""
    from guanwei.orgs.models import User

    client.force_login(person("re_zz_executive"))
    page = client.get("/review/delegations/").content.decode()

    def options(name: str) -> set[str]:
        select = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        picked = {int(v) for v in re.findall(r'<option value="(\d+)"', select)}
        return {u.username for u in User.objects.filter(pk__in=picked)}

    assert options("delegate") == {"re_zz_deputy1", "re_zz_deputy2"}
    assert options("absent") == {"re_zz_leader"}
    client.force_login(person("re_zz_leader"))
    assert "还没有代审授权" in client.get("/review/delegations/").content.decode()


def test_t01_a_post_without_an_account_says_which_choice_is_missing(client: Client) -> None:
    """T-01 (统一管理): the county officer saves a post without ticking an account; the form
    keeps the text and says to choose an account, not the generic 这个字段是必填项。"""
    from guanwei.testing.personas import unit

    client.force_login(person("ly_xa_officer"))
    page = client.post(
        "/content/posts/new/",
        {
            "unit": str(unit("demo_tourism", "county_a").pk),
            "title": "甲县油菜花节",
            "body": "甲县油菜花节本周六开幕，景区开放时间为8时至18时。",
            "category": "announcement",
            "source": "甲县旅游局",
        },
    ).content.decode()
    assert "请至少选择一个发布账号" in page
    assert "甲县油菜花节本周六开幕" in page


def test_e01_a_rule_hint_is_not_called_marked_words(client: Client) -> None:
    """E-01: the edu-software lead reviews a post without a picture; the only hint is the
    rule 本制度要求配图 (no word is marked), so the box and the refusal speak of the screening's
    hints (筛查提示), not of 标出的词语 the page does not show."""
    from guanwei.content import actions as content
    from guanwei.testing.personas import channel, unit
    from guanwei.workflow import actions as wf

    post = content.create_post(
        unit("demo_edu_software", "operations"),
        actor=person("edu_yy_editor"),
        title="家校共育小贴士",
        body="家长每天花十分钟和孩子聊聊学校生活，有助于孩子养成表达习惯。",
        category="education",
        channels=[channel("demo_edu_software", "official_weibo")],
    )
    run = wf.submit_for_review(post, actor=person("edu_yy_editor"))
    client.force_login(person("edu_yy_lead"))
    page = client.get(f"/content/posts/{post.pk}/").content.decode()
    assert "本制度要求配图" in page
    assert "标出的词语" not in page
    step = run.steps.get(status="pending")
    answer = client.post(f"/review/steps/{step.pk}/approve/", {"comment": ""}, follow=True)
    assert "标出的词语" not in answer.content.decode()
    assert "筛查提示" in answer.content.decode()


def test_c03_the_account_form_offers_only_people_of_the_accounts_unit(client: Client) -> None:
    """C-03 谁主办谁负责: the college admin's form for 经济管理学院's QQ group offers as 管理员 and
    直接责任人 only people of 经济管理学院 (the page says so; any other choice is refused after
    saving)."""
    from guanwei.orgs.models import User
    from guanwei.testing.personas import channel

    qq = channel("demo_college", "business_qq")
    client.force_login(person("col_admin"))
    page = client.get(f"/channels/{qq.pk}/").content.decode()
    for name in ("manager", "responsible"):
        select = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        picked = {int(v) for v in re.findall(r'<option value="(\d+)"', select)}
        offered = set(User.objects.filter(pk__in=picked).values_list("username", flat=True))
        assert offered == {"col_jg_manager", "col_jg_secretary"}, (name, offered)
