"""Show only what a person may do (issue #8 review): the audit log in the menu only for
its keepers; the printed approval form follows the post page's access rule."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.content import actions as content
from guanwei.testing.personas import channel, person, unit

pytestmark = pytest.mark.django_db
W = "demo_weather"


def _as(username: str) -> Client:
    client = Client()
    client.force_login(person(username))
    return client


def test_x01_the_audit_log_is_in_the_menu_only_for_those_who_may_open_it() -> None:
    # 三员分立 (issue #9 §9): the audit administrator reads the log, the system administrator not
    for username, shown in (
        ("gw_auditor", True),
        ("gw_admin", False),
        ("kj_editor", False),
        ("xa_leader", False),
    ):
        html = _as(username).get("/").content.decode()
        assert ('href="/audit/"' in html) is shown, username
        status = _as(username).get("/audit/").status_code
        assert (status == 200) is shown, (username, status)


def test_c09_the_approval_form_pdf_is_refused_to_whoever_may_not_see_the_post() -> None:
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="天气预报",
        body="明天多云转晴，气温12到20摄氏度。",
        category="forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
    )
    assert _as("kj_leader").get(f"/review/posts/{post.pk}/form.pdf").status_code == 200
    for outsider in ("ywk_head", "col_xx_manager"):
        assert _as(outsider).get(f"/content/posts/{post.pk}/").status_code == 404
        assert _as(outsider).get(f"/review/posts/{post.pk}/form.pdf").status_code == 404
