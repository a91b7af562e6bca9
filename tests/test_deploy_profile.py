"""The production profile (issue #9 §16): `GUANWEI_ENV=production` turns on HSTS, the SSL
redirect and secure cookies, trusts the TLS proxy's X-Forwarded-Proto, refuses to start
without a real secret key and allowed hosts, and `check --deploy` prints no warning under it.

Settings are read once per process, so each case runs in a fresh interpreter."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

SETTINGS = (
    "SECURE_SSL_REDIRECT SECURE_HSTS_SECONDS SECURE_HSTS_INCLUDE_SUBDOMAINS "
    "SESSION_COOKIE_SECURE CSRF_COOKIE_SECURE SECURE_PROXY_SSL_HEADER ALLOWED_HOSTS DEBUG "
    "GUANWEI_PRODUCTION"
).split()


def _env(tmp_path: Path, **values: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUANWEI_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    (tmp_path / "var").mkdir(exist_ok=True)
    env["GUANWEI_VAR_DIR"] = str(tmp_path / "var")
    key_file = tmp_path / "vault-key"  # decision 0031: production needs a vault master key
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    env.update(
        GUANWEI_ENV="production",
        GUANWEI_SECRET_KEY=secrets.token_urlsafe(60),
        GUANWEI_ALLOWED_HOSTS="gw.example.gov.cn",
        GUANWEI_VAULT_KEY_FILE=str(key_file),
    )
    for key, value in values.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "guanwei", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
    )


def _settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = (
        "import json, django, os;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'guanwei.settings');"
        "django.setup();"
        "from django.conf import settings as s;"
        f"print(json.dumps({{k: getattr(s, k, None) for k in {SETTINGS!r}}}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_prints_no_warning_in_the_production_profile(tmp_path: Path) -> None:
    """Issue #9 §16: what `scripts/test.sh` runs, as a test."""
    done = _run(_env(tmp_path), "manage", "check", "--deploy", "--fail-level", "WARNING")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output


def test_the_production_profile_turns_on_https_only_settings(tmp_path: Path) -> None:
    done = _settings(_env(tmp_path))
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout)
    assert values["GUANWEI_PRODUCTION"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["ALLOWED_HOSTS"] == ["gw.example.gov.cn"]
    assert values["DEBUG"] is False


def test_the_embedded_profile_stays_plain_http(tmp_path: Path) -> None:
    """`make run` on loopback has no TLS: no redirect, no HSTS, cookies over http."""
    done = _settings(_env(tmp_path, GUANWEI_ENV=None, GUANWEI_SECRET_KEY=None))
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout)
    assert values["GUANWEI_PRODUCTION"] is False
    assert values["SECURE_SSL_REDIRECT"] is False and values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GUANWEI_SECRET_KEY", None),
        ("GUANWEI_SECRET_KEY", ""),
        ("GUANWEI_SECRET_KEY", "short-key"),
        ("GUANWEI_SECRET_KEY", "django-insecure-" + "x1y2z3" * 10),
        ("GUANWEI_SECRET_KEY", "a" * 60),
        ("GUANWEI_ALLOWED_HOSTS", None),
        ("GUANWEI_ALLOWED_HOSTS", ""),
        ("GUANWEI_ALLOWED_HOSTS", "*"),
        ("GUANWEI_DEBUG", "1"),
    ],
)
def test_the_production_profile_refuses_to_start_without_a_real_key_and_hosts(
    tmp_path: Path, variable: str, value: str | None
) -> None:
    done = _run(_env(tmp_path, **{variable: value}), "manage", "check")
    assert done.returncode != 0
    assert variable in done.stderr, done.stderr
    # and it never falls back to writing a generated key under var/
    assert not (tmp_path / "var" / "secret-key.txt").exists()


def test_guanwei_serve_behind_the_tls_proxy_redirects_http_and_serves_https(
    tmp_path: Path,
) -> None:
    """`guanwei serve` in the production profile, as nginx talks to it: a plain-http request
    is redirected to https, one the proxy marks `X-Forwarded-Proto: https` is served with
    HSTS (waitress must not strip the proxy's header, or every page redirects forever)."""
    import socket
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "guanwei", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base, timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "guanwei serve did not start"
                time.sleep(0.2)
        host = {"host": "gw.example.gov.cn"}
        plain = httpx.get(f"{base}/api/openapi.json", headers=host)
        assert plain.status_code == 301
        assert plain.headers["location"] == "https://gw.example.gov.cn/api/openapi.json"
        proxied = httpx.get(
            f"{base}/api/openapi.json", headers=host | {"x-forwarded-proto": "https"}
        )
        assert proxied.status_code == 200, proxied.headers
        hsts = proxied.headers["strict-transport-security"]
        assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
        # a host name not in GUANWEI_ALLOWED_HOSTS is refused
        wrong_host = httpx.get(f"{base}/api/openapi.json", headers={"host": "evil.example"})
        assert wrong_host.status_code == 400
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_production_profile_refuses_to_run_without_a_vault_key(tmp_path: Path) -> None:
    """Decision 0031 (W-16): under GUANWEI_ENV=production the system check is an error,
    not a warning, when neither GUANWEI_VAULT_KEY nor GUANWEI_VAULT_KEY_FILE is set; no key
    file is made in var/."""
    env = _env(tmp_path, GUANWEI_VAULT_KEY_FILE=None)
    done = _run(env, "manage", "check", "--deploy")
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "guanwei.vault.E001" in output, output
    assert not (tmp_path / "var" / "vault-key.txt").exists()
