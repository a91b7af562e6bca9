"""Password hashing (issue 9 §13; MLPS 2.0 level 3 §8.1.4.1, OWASP ASVS V2.4): Argon2id
first, PBKDF2 still read so that existing hashes are upgraded when their owner logs in."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import Client

from guanwei import settings as guanwei_settings
from guanwei.orgs.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "qingtian-duoyun-2026"
HASHERS = getattr(
    guanwei_settings, "PASSWORD_HASHERS", ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)


def test_passwords_are_hashed_with_argon2_first_and_pbkdf2_is_still_read() -> None:
    assert HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in HASHERS


def test_a_pbkdf2_hash_is_upgraded_to_argon2_when_its_owner_logs_in(settings: object) -> None:
    settings.PASSWORD_HASHERS = HASHERS  # type: ignore[attr-defined]
    old = PBKDF2PasswordHasher().encode(PASSWORD, "saltsaltsalt", iterations=1000)
    User.objects.create(username="bob", password=old)
    client = Client()
    client.post("/login/", {"username": "bob", "password": PASSWORD})
    assert "_auth_user_id" in client.session
    assert User.objects.get(username="bob").password.startswith("argon2$argon2id$")
