"""A post's title reads 标题, a person's title 职务 (STYLE: the right Chinese name, W-01).

Found in the Chromium walk-through (#9): the 撰写稿件 form, the post list and the drop
box labelled the post's title 职务 (a person's job title) because both used msgid "Title"."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.testing.personas import person

pytestmark = pytest.mark.django_db


def _labels(html: str) -> str:
    return html.split("<main", 1)[-1]


def test_w01_the_post_form_and_list_call_the_title_biaoti() -> None:
    c = Client()
    c.force_login(person("kj_editor"))
    for url in ("/content/posts/new/", "/content/posts/"):
        main = _labels(c.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
        assert "标题" in main, url
        assert "职务" not in main, url


def test_w01_the_people_list_still_calls_a_persons_title_zhiwu() -> None:
    c = Client()
    c.force_login(person("gw_admin"))
    main = _labels(c.get("/people/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert "职务" in main
