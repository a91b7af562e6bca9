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


@pytest.fixture(autouse=True)
def _own_audit_anchor_file(settings: Any, tmp_path_factory: Any) -> None:
    """Each test its own anchor file (issue #9 §18): an anchor of records a rolled-back
    test wrote must not make a later test's `audit verify` fail."""
    settings.GUANWEI_AUDIT_ANCHOR_FILE = str(
        tmp_path_factory.mktemp("anchors") / "audit-anchors.jsonl"
    )


@pytest.fixture(autouse=True)
def _fresh_login_state() -> None:
    """Logins (issue 9 §10): django-axes counts failures in the database (each test's
    transaction is rolled back; the browser tests' server is reset with ``axes_reset``), and
    the audit of refusals during a lock is throttled through the cache: a test starts with
    an empty one, so that one test's lock never hides another test's record."""
    from django.core.cache import cache

    cache.clear()
