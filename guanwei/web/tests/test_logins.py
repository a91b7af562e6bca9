"""Logins (issue 9 §10; MLPS 2.0 level 3 §8.1.4.1 a/b, OWASP ASVS V2): wrong passwords
lock the login for a while, every login event is in the audit log (X-02), the message is
Chinese (X-06)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.orgs.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "qingtian-duoyun-2026"


@pytest.fixture
def alice() -> User:
    user = User.objects.create(username="alice", display_name="王丽")
    user.set_password(PASSWORD)
    user.save()
    return user


def _post(client: Client, username: str, password: str, path: str = "/login/") -> Any:
    return client.post(path, {"username": username, "password": password})


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _actions(name: str) -> int:
    return AuditRecord.objects.filter(action=AuditAction[name]).count()


def test_x02_thirty_wrong_passwords_lock_the_login_and_the_right_one_is_refused(
    alice: User,
) -> None:
    """§10: today 30 wrong passwords in a row, then the right one logs in. Now the 5th failure
    locks the name for 15 minutes; the right password is refused with a Chinese message that
    says how long is left."""
    client = Client()
    for _ in range(30):
        _post(client, "alice", "wrong-password")
    response = _post(client, "alice", PASSWORD)
    assert not _logged_in(client)
    assert response.status_code == 429
    text = response.content.decode()
    assert "锁定" in text
    assert re.search(r"\d+\s*分钟", text), text


def test_x02_five_failures_per_user_from_different_addresses_lock_the_user(alice: User) -> None:
    for i in range(5):
        _post(Client(REMOTE_ADDR=f"10.0.0.{i + 1}"), "alice", "wrong-password")
    other = Client(REMOTE_ADDR="10.0.0.99")
    assert _post(other, "alice", PASSWORD).status_code == 429
    assert not _logged_in(other)


def test_x02_five_failures_from_one_address_lock_the_address(alice: User) -> None:
    client = Client(REMOTE_ADDR="10.0.1.1")
    for i in range(5):
        _post(client, f"nobody{i}", "wrong-password")
    assert _post(client, "alice", PASSWORD).status_code == 429
    assert not _logged_in(client)
    # alice herself is not locked: from another address she logs in
    elsewhere = Client(REMOTE_ADDR="10.0.1.2")
    _post(elsewhere, "alice", PASSWORD)
    assert _logged_in(elsewhere)


def test_x02_an_unknown_login_name_is_not_kept_in_the_audit(alice: User) -> None:
    """What was typed as a login name may be a password typed into the wrong field."""
    _post(Client(), "qingtian-duoyun-2026!", "x")
    record = AuditRecord.objects.filter(action=AuditAction.LOGIN_FAILED).get()
    assert "qingtian" not in f"{record.object_repr} {record.object_id} {record.after}"
    assert record.organisation_id is None


def test_x02_four_failures_do_not_lock(alice: User) -> None:
    client = Client()
    for _ in range(4):
        _post(client, "alice", "wrong-password")
    _post(client, "alice", PASSWORD)
    assert _logged_in(client)


def test_x02_the_lock_ends_after_fifteen_minutes(alice: User) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        for _ in range(5):
            _post(client, "alice", "wrong-password")
        clock.shift(timedelta(minutes=10))
        response = _post(client, "alice", PASSWORD)
        assert response.status_code == 429
        assert re.search(r"5\s*分钟", response.content.decode())
        clock.shift(timedelta(minutes=5, seconds=1))
        _post(client, "alice", PASSWORD)
        assert _logged_in(client)


def test_x02_the_admin_login_is_locked_too(alice: User) -> None:
    alice.is_staff = True
    alice.save()
    client = Client()
    for _ in range(5):
        _post(client, "alice", "wrong-password", "/admin/login/")
    response = _post(client, "alice", PASSWORD, "/admin/login/")
    assert response.status_code == 429
    assert not _logged_in(client)


def test_x02_failures_lockout_success_and_logout_are_audited(alice: User) -> None:
    client = Client()
    for _ in range(3):
        _post(client, "alice", "wrong-password")
    assert _actions("LOGIN_FAILED") == 3
    record = AuditRecord.objects.filter(action=AuditAction.LOGIN_FAILED).last()
    assert record is not None and record.object_repr == "alice"
    assert record.actor_id is None  # nobody has proved who they are
    _post(client, "alice", PASSWORD)
    assert _actions("LOGIN_SUCCEEDED") == 1
    client.post("/logout/")
    assert _actions("LOGGED_OUT") == 1
    # a success resets nothing: two more failures make five within 15 minutes
    _post(client, "alice", "wrong-password")
    assert _actions("LOGIN_LOCKED") == 0
    _post(client, "alice", "wrong-password")
    assert _actions("LOGIN_FAILED") == 5
    assert _actions("LOGIN_LOCKED") == 1
    _post(client, "alice", PASSWORD)
    assert _actions("LOGIN_REFUSED_LOCKED") == 1
    for _ in range(20):  # a script hammering the locked name: one record a minute
        _post(client, "alice", PASSWORD)
    assert _actions("LOGIN_REFUSED_LOCKED") == 1
    locked = AuditRecord.objects.filter(action=AuditAction.LOGIN_LOCKED).get()
    assert locked.after is not None
    assert locked.after["locked"] == "login name" and locked.after["failures"] == 5
    assert AuditAction.LOGIN_LOCKED.label == "登录锁定"
