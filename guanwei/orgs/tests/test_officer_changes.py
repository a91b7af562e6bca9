"""T-03 (第七条): "信息员工作变动应及时通知旅游信息服务中心". Granting or revoking an
information officer tells the managing centre (a notice to the holders of the pack's
``officer_register`` duty) and shows on the unit's page, with who changed it and when."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.notify.models import Notice
from guanwei.orgs import actions
from guanwei.orgs.models import Membership
from guanwei.orgs.permissions import SYSTEM
from guanwei.testing.personas import org, person, unit

pytestmark = pytest.mark.django_db
T = "demo_tourism"


def _centre_notices(text: str) -> set[str]:
    return set(Notice.objects.filter(title__contains=text).values_list("user__username", flat=True))


def test_t03_revoking_an_officer_tells_the_centre_and_shows_on_the_units_page() -> None:
    officer = Membership.objects.get(
        user__username="ly_xa_officer", unit__key="county_a", role="info_officer"
    )
    c = Client()
    c.force_login(person("ly_admin"))
    r = c.post(f"/memberships/{officer.pk}/revoke/")
    assert r.status_code == 302
    # the centre's contact and head (who keep the officer register) are told
    told = _centre_notices("信息员")
    assert {"ly_zx_contact", "ly_zx_head"} <= told, told
    notice = Notice.objects.filter(user__username="ly_zx_contact").latest("created")
    assert "赵磊" in notice.title + notice.body and "甲县旅游局" in notice.title + notice.body
    assert "撤销" in notice.title + notice.body
    assert notice.link == f"/units/{unit(T, 'county_a').pk}/"
    # the officer themself and other counties are not told
    assert "ly_xa_officer" not in told and "ly_qb_officer" not in told
    page = c.get(f"/units/{unit(T, 'county_a').pk}/").content.decode()
    assert 'id="officer-changes"' in page
    section = page.split('id="officer-changes"', 1)[1].split("</section>", 1)[0]
    assert "赵磊" in section and "撤销" in section and "王伟" in section


def test_t03_a_confirmed_officer_grant_tells_the_centre() -> None:
    tourism = org(T)
    newcomer = actions.create_person(
        tourism, actor=SYSTEM, username="ly_xa_officer2", display_name="钱进"
    )
    # a second security administrator confirms the sensitive grant (issue #9 §9)
    actions.grant_role(person("ly_city_leader"), unit(T, "city"), "administrator", actor=SYSTEM)
    pending = actions.grant_role(
        newcomer, unit(T, "county_a"), "info_officer", actor=person("ly_admin")
    )
    assert not _centre_notices("钱进")  # nothing yet: the grant waits for a second person
    actions.confirm_grant(pending, actor=person("ly_city_leader"))  # type: ignore[arg-type]
    assert {"ly_zx_contact", "ly_zx_head"} <= _centre_notices("钱进")
    c = Client()
    c.force_login(person("ly_zx_head"))
    page = c.get(f"/units/{unit(T, 'county_a').pk}/").content.decode()
    section = page.split('id="officer-changes"', 1)[1].split("</section>", 1)[0]
    assert "钱进" in section and "授予" in section


def test_t03_other_roles_and_loading_the_pack_tell_nobody() -> None:
    before = Notice.objects.count()
    actions.grant_role(person("ly_xa_officer"), unit(T, "county_a"), "contact", actor=SYSTEM)
    assert Notice.objects.count() == before
