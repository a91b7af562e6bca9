"""The login page of the demo lists 试用账号 (issue #10 §1): one login per role of every
demo organisation, from var/demo-logins.txt — in the demo only, never in the production
profile (GUANWEI_ENV=production)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from guanwei.testing.personas import person

pytestmark = pytest.mark.django_db

LOGINS = """# guanwei demo logins — http://127.0.0.1:8000/
# username\tpassword\tname\troles
admin\tadmin-pass-1234\t系统管理员\tsuperuser
# == 市气象局(演示) (demo_weather)
gw_admin\tpass-gw-admin-1\t王伟\tcity:administrator
qxt_officer\tpass-qxt-officer\t赵敏\tobservatory:info_officer
# == 示范职业学院(演示) (demo_college)
col_admin\tpass-col-admin-1\t管理员\tcollege:administrator
"""


def _write_logins(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    (tmp_path / "demo-logins.txt").write_text(LOGINS, encoding="utf-8")


def test_x01_the_demo_login_page_lists_logins_to_try_per_organisation(
    settings: Any, tmp_path: Path, client: Client
) -> None:
    """X-01: 试用账号, grouped by organisation, role names (not codes); one click logs in."""
    _write_logins(settings, tmp_path)
    page = client.get("/login/").content.decode()
    assert "试用账号" in page
    assert "市气象局(演示)" in page and "示范职业学院(演示)" in page
    assert "gw_admin" in page and "col_admin" in page
    assert "系统管理员" in page and "administrator" not in page
    forms = dict(
        re.findall(
            r'name="username" value="([^"]+)"><input type="hidden" name="password" value="([^"]+)"',
            page,
        )
    )
    assert forms["qxt_officer"] == "pass-qxt-officer"
    user = person("qxt_officer")
    user.set_password(forms["qxt_officer"])
    user.save()
    response = client.post("/login/", {"username": "qxt_officer", "password": forms["qxt_officer"]})
    assert response.status_code == 302 and response["Location"] == "/"


def test_x01_the_production_login_page_never_lists_logins(
    settings: Any, tmp_path: Path, client: Client
) -> None:
    """Not in the production profile, even with a logins file beside the database."""
    _write_logins(settings, tmp_path)
    settings.GUANWEI_PRODUCTION = True
    page = client.get("/login/").content.decode()
    assert "试用账号" not in page and "pass-gw-admin-1" not in page
    settings.GUANWEI_PRODUCTION = False
    settings.GUANWEI_DEMO_LOGINS = False  # GUANWEI_DEMO_LOGINS=0 hides it in the demo too
    assert "试用账号" not in client.get("/login/").content.decode()


def test_x01_guanwei_env_production_turns_the_list_off(tmp_path: Path) -> None:
    """GUANWEI_ENV=production: GUANWEI_DEMO_LOGINS is off whatever the environment says."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUANWEI_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        GUANWEI_ENV="production",
        GUANWEI_SECRET_KEY=secrets.token_urlsafe(60),
        GUANWEI_ALLOWED_HOSTS="gw.example.gov.cn",
        GUANWEI_VAR_DIR=str(tmp_path),
        GUANWEI_DEMO_LOGINS="1",
    )
    code = (
        "import os, django;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'guanwei.settings');"
        "django.setup();"
        "from django.conf import settings as s;"
        "print(s.GUANWEI_DEMO_LOGINS, s.GUANWEI_PRODUCTION)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "True"]
