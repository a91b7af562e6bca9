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
