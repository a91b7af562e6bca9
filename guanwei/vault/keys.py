"""Where the master key lives (decision 0031): ``GUANWEI_VAULT_KEY`` (base64 of 32 bytes) or
``GUANWEI_VAULT_KEY_FILE`` (a file holding it), never the database. Outside the production
profile, with neither set, ``var/vault-key.txt`` is made once, 0600."""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from guanwei.vault import crypto

DEV_KEY_FILE = "vault-key.txt"


class VaultKeyError(Exception):
    """No usable master key. The message is bilingual and never shows key bytes."""


@dataclass(frozen=True)
class MasterKey:
    key: bytes
    id: str
    source: str  # "GUANWEI_VAULT_KEY", the file's path

    def __repr__(self) -> str:  # never the bytes
        return f"MasterKey(id={self.id!r}, source={self.source!r})"


def encode(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


def decode(text: str, *, source: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != crypto.KEY_BYTES:
        raise VaultKeyError(
            f"保险库主密钥无效：{source} 应为 32 字节密钥的 base64。 / "
            f"Invalid vault master key in {source}: expected base64 of 32 bytes."
        )
    return key


_read: dict[tuple[str, int, int], MasterKey] = {}


def read_key_file(path: str | Path) -> MasterKey:
    """The key in ``path``; read again only when the file changed (size, mtime)."""
    path = Path(path)
    try:
        st = path.stat()
        stamp = (str(path), st.st_mtime_ns, st.st_size)
        if stamp in _read:
            return _read[stamp]
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as e:
        raise VaultKeyError(
            f"无法读取保险库主密钥文件 {path}。 / Cannot read the vault key file {path}: "
            f"{e.__class__.__name__}."
        ) from e
    key = decode(text, source=str(path))
    _read.clear()
    _read[stamp] = MasterKey(key, crypto.key_id(key), str(path))
    return _read[stamp]


def write_key_file(path: str | Path, key: bytes) -> Path:
    """A new key file, 0600 from its first byte; never over an existing one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(encode(key) + "\n")
    return path


def dev_key_file() -> Path:
    return Path(settings.VAR_DIR) / DEV_KEY_FILE


def configured() -> bool:
    return bool(settings.GUANWEI_VAULT_KEY or settings.GUANWEI_VAULT_KEY_FILE)


def master_key() -> MasterKey:
    """The current master key, from the environment, else (not in production) the dev file."""
    if settings.GUANWEI_VAULT_KEY:
        key = decode(settings.GUANWEI_VAULT_KEY, source="GUANWEI_VAULT_KEY")
        return MasterKey(key, crypto.key_id(key), "GUANWEI_VAULT_KEY")
    if settings.GUANWEI_VAULT_KEY_FILE:
        return read_key_file(settings.GUANWEI_VAULT_KEY_FILE)
    if settings.GUANWEI_PRODUCTION:
        raise VaultKeyError(
            "生产环境未配置保险库主密钥：请设置 GUANWEI_VAULT_KEY_FILE（见 docs/deploy.md"
            "“密钥与凭据”）。 / GUANWEI_ENV=production: set GUANWEI_VAULT_KEY_FILE or "
            "GUANWEI_VAULT_KEY (docs/deploy.md)."
        )
    path = dev_key_file()
    if not path.exists():
        try:
            write_key_file(path, crypto.new_key())
        except FileExistsError:  # another process made it first: use that one
            pass
    return read_key_file(path)
