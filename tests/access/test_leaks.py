"""Issue #9 §3 (X-06): the object-level leaks the security probe found, one test each.
Every page that shows an object fetches it through ``guanwei.orgs.access.get_for``; a
person who may not see it gets 404, the same answer as for an id that does not exist."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from guanwei.content import actions as content
from guanwei.content.models import Post, Submission
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf

pytestmark = pytest.mark.django_db
W = "demo_weather"
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"
SECRET = "内部稿件勿外传"


def _as(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def _post(*, review: bool) -> Post:
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="午后雷阵雨",
        body=f"{TEXT}{SECRET}",
        category="forecast",
        channels=[channel(W, "city_weibo")],
    )
    if review:
        wf.submit_for_review(post, actor=person("kj_editor"))
    return post


def _material() -> Submission:
    return content.submit_material(
        unit(W, "city_observatory"),
        actor=person("qxt_officer"),
        drop_box=unit(W, "city_tech_centre"),
        title="午后雷阵雨",
        body=f"{TEXT}{SECRET}",
        source="市气象台",
    )


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buf, "PNG")
    return SimpleUploadedFile("map.png", buf.getvalue(), content_type="image/png")


@pytest.mark.parametrize("who", ["qxt_officer", "xa_publisher", "bgs_leader"])
def test_x06_a_post_in_review_is_hidden_from_other_units(who: str) -> None:
    """X-06, issue #9 §3: the open step of a review lets its deciders in, not everyone."""
    post = _post(review=True)
    c = _as(who)
    for url in (
        f"/content/posts/{post.pk}/",
        f"/content/posts/{post.pk}/diff/1/1/",
        f"/content/posts/{post.pk}/edit/",
        f"/review/posts/{post.pk}/form.pdf",
    ):
        assert c.get(url).status_code == 404, url


def test_x06_the_reviewer_and_the_writer_still_open_it() -> None:
    post = _post(review=True)
    for who in ("kj_editor", "kj_leader"):
        assert _as(who).get(f"/content/posts/{post.pk}/").status_code == 200, who
        assert _as(who).get(f"/review/posts/{post.pk}/form.pdf").status_code == 200, who


def test_x06_a_draft_cancelled_from_review_is_hidden_and_its_pdf_too() -> None:
    """A post revised while in review is a draft again: nobody outside its unit opens it."""
    post = _post(review=True)
    content.revise_post(post, actor=person("kj_editor"), title="午后雷阵雨（修改）")
    for who in ("qxt_officer", "xa_publisher"):
        c = _as(who)
        assert c.get(f"/review/posts/{post.pk}/form.pdf").status_code == 404, who
        assert c.get(f"/content/posts/{post.pk}/").status_code == 404, who


def test_x06_the_new_post_form_does_not_prefill_someone_elses_material() -> None:
    """/content/posts/new/?material=<id> fills the form only from material the writer may
    open; a county publisher gets an empty form, not the Observatory's text."""
    material = _material()
    page = _as("xa_publisher").get(f"/content/posts/new/?material={material.pk}")
    assert SECRET not in page.content.decode()
    # the drop box's editor still gets it
    page = _as("kj_editor").get(f"/content/posts/new/?material={material.pk}")
    assert SECRET in page.content.decode()


def test_x06_a_units_library_file_is_not_served_to_other_units() -> None:
    asset = content.upload_asset(
        unit(W, "city_tech_centre"), actor=person("kj_editor"), upload=_png(), title="内部图"
    )
    assert _as("kj_editor").get(f"/content/assets/{asset.pk}/file").status_code == 200
    for who in ("qxt_officer", "xa_publisher"):
        assert _as(who).get(f"/content/assets/{asset.pk}/file").status_code == 404, who


def test_x06_people_list_needs_person_view() -> None:
    """The people list (with who holds an account's password) is for person.view."""
    assert _as("qxt_officer").get("/people/").status_code == 404
    assert _as("kj_editor").get("/people/").status_code == 404
    assert _as("gw_admin").get("/people/").status_code == 200


def test_x06_channel_application_pdf_needs_channel_view() -> None:
    """The application form carries the managers' phone numbers: channel.view only."""
    ch = channel(W, "city_weibo")
    for who in ("qxt_officer", "bgs_officer", "xa_publisher"):  # the tech centre's editor
        c = _as(who)  # holds channel.view through its unit's publish duty
        assert c.get(f"/channels/{ch.pk}/application.pdf").status_code == 404, who
        assert c.get(f"/channels/{ch.pk}/").status_code == 404, who
    assert _as("kj_publisher").get(f"/channels/{ch.pk}/application.pdf").status_code == 200
    assert _as("gw_admin").get(f"/channels/{ch.pk}/application.pdf").status_code == 200


def test_x06_unit_page_needs_unit_view() -> None:
    """A county's unit page (its people and roles) is not for the Observatory's officer."""
    county = unit(W, "county_a")
    assert _as("qxt_officer").get(f"/units/{county.pk}/").status_code == 404
    assert _as("xa_leader").get(f"/units/{county.pk}/").status_code == 200
    assert _as("gw_admin").get(f"/units/{county.pk}/").status_code == 200


def test_x06_the_api_does_not_revise_or_attach_what_one_may_not_see() -> None:
    """The API fetches with the same helper: another unit's post in review and another
    unit's material are 404 (not 403: ids are sequential)."""
    post = _post(review=True)
    material = _material()
    c = _as("xa_publisher")
    revised = c.post(f"/api/v1/content/posts/{post.pk}/submit", content_type="application/json")
    assert revised.status_code == 404
    made = c.post(
        "/api/v1/content/posts",
        {
            "unit_id": unit(W, "county_a").pk,
            "title": "x",
            "body": TEXT,
            "category": "forecast",
            "channel_keys": [],
            "material_ids": [material.pk],
        },
        content_type="application/json",
    )
    assert made.status_code == 404
    assert not Post.objects.filter(materials=material).exists()


def test_x06_the_menu_and_the_tree_link_only_what_one_may_open() -> None:
    """Show only what a person may open: no 人员/官方账号 entry without person.view /
    channel.view, and the unit tree names every unit but links only one's own."""
    page = _as("qxt_officer").get("/units/").content.decode()
    assert 'href="/people/"' not in page and 'href="/channels/"' not in page
    assert f'href="/units/{unit(W, "county_a").pk}/"' not in page
    assert f'href="/units/{unit(W, "city_observatory").pk}/"' in page
    admin = _as("gw_admin").get("/units/").content.decode()
    assert 'href="/people/"' in admin and 'href="/channels/"' in admin
    assert f'href="/units/{unit(W, "county_a").pk}/"' in admin
