"""The fake platforms' accounts beyond the seeded 示例气象局: one per demo account of every
demo organisation (issue #10 §5), each with its own uid and token (Weibo) or appid and
secret (WeChat), its own screen name and (Weibo) its own safe domain.

guanwei writes them to a JSON file (``var/fake-accounts.json``, mode 0600) when it points
its demo accounts at the fakes; the fakes read the file when they start, again after a
``reset``, and again when a token or appid they do not know arrives and the file has changed
since (so an organisation loaded while the fakes run is served without a restart). Stdlib
only: the fakes import nothing of guanwei's apps.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class FakeAccount:
    platform: str  # "weibo" | "wechat"
    name: str  # the screen name / the official account's name
    uid: str = ""  # weibo
    token: str = ""  # weibo access_token
    safe_domain: str = ""  # weibo: the app's 安全域名 its statuses must link under
    appid: str = ""  # wechat
    secret: str = ""  # wechat


def read_accounts(path: Path | str | None) -> list[FakeAccount]:
    """The accounts in ``path``; none when there is no such file or it is not readable."""
    if not path:
        return []
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    known = {f.name for f in fields(FakeAccount)}
    accounts = []
    for row in data.get("accounts", []) if isinstance(data, dict) else []:
        if isinstance(row, dict) and row.get("platform") in ("weibo", "wechat"):
            accounts.append(FakeAccount(**{k: str(v) for k, v in row.items() if k in known}))
    return accounts


def write_accounts(path: Path | str, accounts: list[FakeAccount]) -> None:
    """Replace the file (created 0600: it holds the fake tokens and secrets)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    body: dict[str, Any] = {"accounts": [asdict(a) for a in accounts]}
    temporary = target.with_name(f".{target.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(body, fh, ensure_ascii=False, indent=1)
    os.replace(temporary, target)


class AccountsFile:
    """The file a fake reads its accounts from, re-read only when it has changed."""

    def __init__(self, path: Path | str | None) -> None:
        self.path = Path(path) if path else None
        self._stamp: tuple[int, int] | None = None

    def changed(self) -> bool:
        if self.path is None:
            return False
        try:
            stat = self.path.stat()
        except OSError:
            return False
        return (stat.st_mtime_ns, stat.st_size) != self._stamp

    def read(self, platform: str) -> list[FakeAccount]:
        if self.path is None:
            return []
        try:
            stat = self.path.stat()
            self._stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            self._stamp = None
        return [a for a in read_accounts(self.path) if a.platform == platform]
