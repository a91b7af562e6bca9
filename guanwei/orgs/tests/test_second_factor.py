"""Two factors (issue #9 §11; MLPS 2.0 level 3 §8.1.4.1 "two or more authentication
techniques"; X-02: every enrolment, use, failure and recovery-code use is audited)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from guanwei.testing.personas import person

pytestmark = pytest.mark.django_db


def test_mfa_required_sends_a_reviewer_to_enrolment_first(client: Client, settings: Any) -> None:
    """§11: with GUANWEI_MFA=required a reviewer (post.review) enrols before anything else."""
    settings.GUANWEI_MFA = "required"
    client.force_login(person("kj_leader"))  # 分管领导 (post.review) and 账号保管人
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/setup/")


def test_mfa_required_keeps_the_admin_behind_the_same_rule(client: Client, settings: Any) -> None:
    """§11: the Django admin is behind the same rule."""
    settings.GUANWEI_MFA = "required"
    admin = person("gw_admin")
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/setup/")


def test_a_person_with_a_device_is_asked_for_the_code_after_the_password(
    client: Client,
) -> None:
    """§11: password → code page → in (also in the demo, where it is optional)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    editor = person("kj_editor")
    TOTPDevice.objects.create(user=editor, name="手机", confirmed=True)
    editor.set_password("correct horse 12")
    editor.save()
    response = client.post("/login/", {"username": "kj_editor", "password": "correct horse 12"})
    assert response.status_code == 302
    assert client.get("/")["Location"].startswith("/login/code/")


def _code(device: Any, steps_ahead: int = 0) -> str:
    """The code the phone shows now (or ``steps_ahead`` periods later), computed here."""
    from django_otp.oath import totp

    t0 = device.t0 - steps_ahead * device.step
    return f"{totp(device.bin_key, step=device.step, t0=t0, digits=device.digits):06d}"


def _enrol(client: Client) -> tuple[Any, list[str]]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page = client.get("/account/two-factor/setup/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "微信" in body and 'id="totp-secret"' in body
    device = TOTPDevice.objects.get(pk=page.context["device"].pk)
    done = client.post("/account/two-factor/setup/", {"device": device.pk, "code": _code(device)})
    assert done.status_code == 200, done.content.decode()
    return TOTPDevice.objects.get(pk=device.pk), list(done.context["codes"])


def test_enrolment_then_login_with_a_code_and_with_a_recovery_code(
    client: Client, settings: Any
) -> None:
    """§11 whole flow (required mode, a reviewer); X-02 every step audited."""
    from guanwei.audit.events import AuditAction
    from guanwei.audit.models import AuditRecord

    settings.GUANWEI_MFA = "required"
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's growing wait after a failure
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    leader = person("kj_leader")
    leader.set_password("correct horse 12")
    leader.save()
    client.force_login(leader)
    device, codes = _enrol(client)
    assert device.confirmed and len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/").status_code == 200  # verified in this session
    client.logout()

    assert client.post("/login/", {"username": "kj_leader", "password": "correct horse 12"})
    assert client.get("/")["Location"].startswith("/login/code/")
    assert client.get("/api/v1/notices").status_code == 403  # the API waits too
    wrong = client.post("/login/code/", {"code": "000000"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    ok = client.post("/login/code/", {"code": _code(device, steps_ahead=1), "next": "/"})
    assert ok.status_code == 302 and client.get("/").status_code == 200
    client.logout()

    client.post("/login/", {"username": "kj_leader", "password": "correct horse 12"})
    assert client.post("/login/code/", {"code": codes[0]}).status_code == 302
    assert client.get("/").status_code == 200
    client.logout()
    client.post("/login/", {"username": "kj_leader", "password": "correct horse 12"})
    assert client.post("/login/code/", {"code": codes[0]}).status_code == 400  # used up

    actions = list(
        AuditRecord.objects.filter(
            object_type="user", object_id=str(leader.pk), action__gte=150, action__lt=160
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.MFA_ENROLLED,
        AuditAction.MFA_FAILED,
        AuditAction.MFA_VERIFIED,
        AuditAction.MFA_RECOVERY_USED,
        AuditAction.MFA_FAILED,
    ]


def test_a_wrong_code_is_throttled(client: Client) -> None:
    """§11: after a wrong code django-otp makes the next attempt wait (growing delay)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    editor = person("kj_editor")
    device = TOTPDevice.objects.create(user=editor, name="手机", confirmed=True)
    client.force_login(editor)
    client.post("/login/code/", {"code": "000000"})
    refused = client.post("/login/code/", {"code": _code(device)})
    assert refused.status_code == 400 and "请稍等" in refused.content.decode()


def test_with_a_device_the_setup_page_cannot_replace_it_before_the_code(
    client: Client,
) -> None:
    """§11: a stolen password alone cannot enrol the thief's phone."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    editor = person("kj_editor")
    TOTPDevice.objects.create(user=editor, name="手机", confirmed=True)
    client.force_login(editor)
    assert client.get("/account/two-factor/setup/")["Location"].startswith("/login/code/")
    assert client.get("/account/tokens/")["Location"].startswith("/login/code/")


def test_optional_mode_offers_but_does_not_force(client: Client, settings: Any) -> None:
    """§11: GUANWEI_MFA=optional (the embedded demo): offered on 账号安全, not forced."""
    settings.GUANWEI_MFA = "optional"
    client.force_login(person("kj_leader"))
    assert client.get("/").status_code == 200
    page = client.get("/account/two-factor/").content.decode()
    assert "启用两步验证" in page and "建议启用" in page


def test_required_mode_does_not_force_an_editor(client: Client, settings: Any) -> None:
    """§11: which roles count is one list (core.catalog.SECOND_FACTOR_PERMISSIONS)."""
    settings.GUANWEI_MFA = "required"
    client.force_login(person("qxt_officer"))  # 信息员: material.submit only
    assert client.get("/").status_code == 200


def test_recovery_codes_are_regenerated_and_the_old_ones_stop_working(
    client: Client, settings: Any
) -> None:
    """§11: regenerate; X-02 audited."""
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    from guanwei.audit.events import AuditAction
    from guanwei.audit.models import AuditRecord
    from guanwei.orgs.actions import verify_second_factor

    client.force_login(person("kj_editor"))
    _device, old = _enrol(client)
    new = client.post("/account/two-factor/codes/").context["codes"]
    assert set(new).isdisjoint(old)
    assert verify_second_factor(person("kj_editor"), old[1]) is None
    assert verify_second_factor(person("kj_editor"), new[1]) is not None
    assert AuditRecord.objects.filter(action=AuditAction.MFA_RECOVERY_CODES_REGENERATED).exists()


def test_a_reviewer_cannot_stop_two_factors_when_required(client: Client, settings: Any) -> None:
    settings.GUANWEI_MFA = "required"
    client.force_login(person("kj_leader"))
    _enrol(client)
    response = client.post("/account/two-factor/remove/", follow=True)
    assert "不能停用" in response.content.decode()
    from guanwei.orgs.second_factor import has_second_factor

    assert has_second_factor(person("kj_leader"))


def test_the_operator_resets_a_lost_phone(client: Client, capsys: Any) -> None:
    """§11: `guanwei mfa reset USER` (audited); the person enrols again."""
    from guanwei.audit.events import AuditAction
    from guanwei.audit.models import AuditRecord
    from guanwei.cli import main
    from guanwei.orgs.second_factor import has_second_factor

    client.force_login(person("kj_leader"))
    _enrol(client)
    assert main(["mfa", "reset", "kj_leader"]) == 0
    assert not has_second_factor(person("kj_leader"))
    removed = AuditRecord.objects.filter(action=AuditAction.MFA_REMOVED, actor_id__isnull=True)
    assert removed.exists()


def test_the_demo_dashboard_offers_two_factors_to_a_reviewer(client: Client) -> None:
    """§11: optional mode offers it on the dashboard to those whose work would need it."""
    client.force_login(person("kj_leader"))
    assert 'id="offer-two-factor"' in client.get("/").content.decode()
    client.force_login(person("qxt_officer"))
    assert 'id="offer-two-factor"' not in client.get("/").content.decode()


def test_the_second_step_pages_show_no_menu_only_a_way_out(client: Client, settings: Any) -> None:
    """Show only what the person may use: before the code (or a forced enrolment) the menu
    would only lead back here."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.GUANWEI_MFA = "required"
    client.force_login(person("kj_leader"))
    setup = client.get("/account/two-factor/setup/").content.decode()
    assert 'class="main-nav"' not in setup and "退出登录" in setup
    editor = person("kj_editor")
    TOTPDevice.objects.create(user=editor, name="手机", confirmed=True)
    client.force_login(editor)
    code = client.get("/login/code/").content.decode()
    assert 'class="main-nav"' not in code and "退出" in code


def test_wrong_codes_count_toward_the_login_lockout(client: Client, settings: Any) -> None:
    """§11 with §10: wrong codes are failed logins for django-axes; at the limit the person
    is logged out and the right password is refused while the lock lasts."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    editor = person("kj_editor")
    editor.set_password("correct horse 12")
    editor.save()
    TOTPDevice.objects.create(user=editor, name="手机", confirmed=True)
    client.post("/login/", {"username": "kj_editor", "password": "correct horse 12"})
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/code/", {"code": "000000"})
    assert "_auth_user_id" not in client.session
    again = client.post("/login/", {"username": "kj_editor", "password": "correct horse 12"})
    assert again.status_code == 429 and "锁定" in again.content.decode()
    assert "_auth_user_id" not in client.session
