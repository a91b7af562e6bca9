"""The production profile (GUANWEI_ENV=production) never makes demo logins (issue #10 §1,
found in review): ``guanwei demo`` / ``guanwei run`` would create the ``admin`` superuser
and a person per role with generated passwords written to var/demo-logins.txt, and
``packs load --demo-people`` would give the pack's people such passwords. They refuse;
the login page's 试用账号 list is already off there (X-01)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from guanwei.cli import main
from guanwei.orgs.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    settings.GUANWEI_PRODUCTION = True
    settings.GUANWEI_DEMO_LOGINS = False
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr("guanwei.cli._migrate", lambda verbosity=0: None)
    return tmp_path


def test_x01_packs_load_demo_people_refuses_in_production(production: Path) -> None:
    assert main(["packs", "load", "college", "--demo-people"]) != 0
    assert not (production / "demo-logins.txt").exists()


def test_x01_guanwei_demo_refuses_in_production(production: Path) -> None:
    assert main(["demo", "--no-fakes"]) != 0
    assert not (production / "demo-logins.txt").exists()
    assert not User.objects.filter(username="admin").exists()
