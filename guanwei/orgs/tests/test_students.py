"""C-08 (第十一条 "明确专人负责，严禁交与学生管理"): a person marked as a student never keeps
an account's password nor manages or answers for an account — the security administrator's
grant of a custody role (账号保管人, 管理员 …) and the account page's 管理员 / 直接责任人 are
refused with a Chinese message; a non-custody role is still granted."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.orgs import actions
from guanwei.orgs.models import Membership, PendingGrant, User
from guanwei.orgs.permissions import SYSTEM
from guanwei.testing.personas import channel, org, person, unit

pytestmark = pytest.mark.django_db

W = "demo_weather"


def _student(username: str = "xs_helper") -> User:
    user = actions.create_person(
        org(W), actor=SYSTEM, username=username, display_name="学生小王", student=True
    )
    # a student may help as an information officer (not a custody role)
    actions.grant_role(user, unit(W, "city_tech_centre"), "info_officer", actor=SYSTEM)
    return user


def test_c08_a_student_cannot_be_named_custodian_through_the_unit_page() -> None:
    """C-08: the security administrator grants 账号保管人 to a student on the unit page:
    refused, in Chinese, nothing pending, nothing granted."""
    student = _student()
    tech = unit(W, "city_tech_centre")
    c = Client()
    c.force_login(person("gw_security"))
    response = c.post(f"/units/{tech.pk}/grant/", {"user": student.pk, "role": "custodian"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "是学生，不能担任账号保管人" in page and "C-08" in page
    assert not PendingGrant.objects.filter(user=student).exists()
    assert not Membership.objects.filter(user=student, role="custodian").exists()


def test_c08_a_pending_custody_grant_is_refused_when_the_person_became_a_student() -> None:
    """C-08: a grant asked before the person was marked a student is refused at
    confirmation too."""
    helper = actions.create_person(org(W), actor=SYSTEM, username="xs_later", display_name="小李")
    actions.grant_role(helper, unit(W, "city_tech_centre"), "info_officer", actor=SYSTEM)
    pending = actions.grant_role(
        helper, unit(W, "city_tech_centre"), "custodian", actor=person("gw_security")
    )
    assert isinstance(pending, PendingGrant)
    User.objects.filter(pk=helper.pk).update(is_student=True)
    helper.refresh_from_db()
    pending.refresh_from_db()
    with pytest.raises(actions.InvalidChange, match="学生"):
        actions.confirm_grant(pending, actor=person("gw_admin"))
    assert not Membership.objects.filter(user=helper, role="custodian").exists()


def test_c08_a_student_cannot_be_an_accounts_manager_or_responsible_person() -> None:
    """C-08: on the account page the administrator names a student 管理员 or 直接责任人:
    refused with the reason, the account unchanged, what was typed kept."""
    student = _student()
    account = channel(W, "city_weibo")
    c = Client()
    c.force_login(person("gw_admin"))
    for field in ("manager", "responsible"):
        data = {
            "name": "市气象局官方微博（改）",
            "account_id": account.account_id,
            "purpose": account.purpose,
            "manager": account.manager_id,
            "responsible": account.responsible_id,
            "status": account.status,
            "verified": "on",
            "mailbox": "",
            field: student.pk,
        }
        response = c.post(f"/channels/{account.pk}/", data)
        assert response.status_code == 400, field
        page = response.content.decode()
        assert "不能是学生" in page and "C-08" in page
        assert "市气象局官方微博（改）" in page  # nothing typed is lost
    account.refresh_from_db()
    assert account.manager_id != student.pk and account.responsible_id != student.pk
    assert account.name == "市气象局官方微博"


def test_c08_a_student_may_still_hold_a_role_without_custody() -> None:
    """C-08 refuses custody, not help: the information officer role was granted."""
    student = _student()
    assert Membership.objects.filter(user=student, role="info_officer").exists()
    assert "custodian" in actions.rules_for(org(W).pk).custody_roles
    assert "info_officer" not in actions.rules_for(org(W).pk).custody_roles
