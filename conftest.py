"""Shared test set-up: the five base packs are loaded once per test database,
and each test runs inside a transaction that is rolled back."""

from __future__ import annotations

from typing import Any

import pytest

BASE_PACKS = ["weather-bureau", "college", "tourism-bureau", "real-estate", "edu-software"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from guanwei.orgs.permissions import SYSTEM
    from guanwei.packs.actions import load_pack
    from guanwei.packs.schema import available_packs
    from guanwei.packs.schema import load_pack as read_pack

    with django_db_blocker.unblock():
        for name in BASE_PACKS:
            if name in available_packs():
                load_pack(read_pack(name), actor=SYSTEM)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
