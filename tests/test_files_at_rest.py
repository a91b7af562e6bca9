"""Files at rest (issue #9 §17): what guanwei creates under var/ is readable by its own
account only — the SQLite database (and its WAL), the secret key and the demo logins
0600, the media directory (uploaded files) 0700 with 0600 files, even under umask 022."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_x02_a_fresh_demo_keeps_its_secrets_private(tmp_path: Path) -> None:
    """§17: `guanwei demo` (what `make run` does first) under umask 022."""
    var = tmp_path / "var"
    env = {**os.environ, "GUANWEI_VAR_DIR": str(var)}
    for name in ("DATABASE_URL", "GUANWEI_SQLITE_PATH", "GUANWEI_SECRET_KEY"):
        env.pop(name, None)
    subprocess.run(
        [sys.executable, "-m", "guanwei", "demo"],
        env=env,
        check=True,
        capture_output=True,
        umask=0o022,
    )
    modes = {
        name: oct(_mode(var / name))
        for name in ("guanwei.sqlite3", "secret-key.txt", "demo-logins.txt")
    }
    assert modes == dict.fromkeys(modes, oct(0o600))
    for extra in ("guanwei.sqlite3-wal", "guanwei.sqlite3-shm"):
        if (var / extra).exists():
            assert _mode(var / extra) == 0o600, extra
    assert (var / "media").is_dir() and _mode(var / "media") == 0o700


@pytest.mark.django_db
def test_x02_uploaded_files_are_private(settings: Any, tmp_path: Path) -> None:
    """§17: files the storage writes are 0600 in 0700 directories."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path / "media")
    old = os.umask(0o022)
    try:
        name = storage.save("assets/2026/12/x.png", ContentFile(b"\x89PNG\r\n\x1a\n"))
    finally:
        os.umask(old)
    assert _mode(tmp_path / "media" / name) == 0o600
    assert _mode(tmp_path / "media" / "assets" / "2026") == 0o700
