"""The outbox: a dry-run "platform" that writes one JSON file per publish.

Settings: ``outbox_dir``. ``<outbox_dir>/<remote_id>.json`` where the remote id is derived
from the request's idempotency key, created atomically and at most once (a repeat with
the same key returns the first result), so the outbox can stand in for a real platform in
demos and in dispatcher tests that count deliveries.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from guanwei.publishing.adapters.base import (
    Adapter,
    AdapterError,
    PublishRequest,
    PublishResult,
    RemotePost,
)

_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def post_id(key: str) -> str:
    """A file-safe id derived from the idempotency key, the same for the same key."""
    if _SAFE_ID.match(key):
        return key
    return "k" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def atomic_write(path: Path, data: bytes, *, exclusive: bool = False) -> bool:
    """Write ``path`` by renaming a temporary file over it, so readers never see half a
    file. ``exclusive``: never replace an existing file; returns False if one exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if exclusive:
            try:
                os.link(tmp, path)  # atomic, and fails if path exists
            except FileExistsError:
                return False
        else:
            os.replace(tmp, path)
        return True
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def io_error(platform: str, what: str, e: OSError) -> AdapterError:
    return AdapterError(
        f"{platform} {what}: {e}",
        permanent=False,
        code="io",
        user_message=f"写入发布目录失败（{e.strerror or e}），系统稍后自动重试。",
    )


def parse_iso(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


class OutboxAdapter(Adapter):
    platform = "outbox"
    features = frozenset({"publish", "delete"})

    @property
    def root(self) -> Path:
        return Path(self.setting("outbox_dir"))

    def _path(self, remote_id: str) -> Path:
        return self.root / f"{post_id(remote_id)}.json"

    def _read(self, path: Path) -> dict[str, Any] | None:
        try:
            record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:
            raise AdapterError(f"outbox: cannot read {path.name}: {e}", permanent=True) from e
        return record

    def _result(self, record: dict[str, Any]) -> PublishResult:
        return PublishResult(
            remote_id=str(record["remote_id"]),
            url=self._path(str(record["remote_id"])).resolve().as_uri(),
            raw={"key": record.get("key", ""), "created_at": record.get("created_at", "")},
        )

    def publish(self, req: PublishRequest) -> PublishResult:
        remote_id = post_id(req.key)
        path = self._path(remote_id)
        record = {
            "remote_id": remote_id,
            "key": req.key,
            "title": req.title,
            "text": req.text,
            "link": req.link,
            "author": req.author,
            "digest": req.digest,
            "media": [
                {
                    "filename": m.filename,
                    "content_type": m.content_type,
                    "size": len(m.data),
                    "sha256": hashlib.sha256(m.data).hexdigest(),
                }
                for m in req.media
            ],
            "created_at": datetime.now(UTC).isoformat(),
        }
        data = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")
        try:
            created = atomic_write(path, data, exclusive=True)
        except OSError as e:
            raise io_error(self.platform, "publish", e) from e
        if not created:
            existing = self._read(path)
            if existing is not None:
                return self._result(existing)
        return self._result(record)

    def delete(self, remote_id: str) -> None:
        try:
            self._path(remote_id).unlink()
        except FileNotFoundError:
            raise AdapterError(
                f"outbox: {remote_id} not found",
                permanent=True,
                code="not_found",
                user_message="发布记录已不存在。",
            ) from None
        except OSError as e:
            raise io_error(self.platform, "delete", e) from e

    def recent_posts(self, limit: int = 50) -> list[RemotePost]:
        if not self.root.is_dir():
            return []
        records = [r for p in self.root.glob("*.json") if (r := self._read(p)) is not None]
        records.sort(key=lambda r: str(r.get("created_at", "")), reverse=True)
        return [
            RemotePost(
                remote_id=str(r["remote_id"]),
                text=str(r.get("text", "")),
                created_at=parse_iso(r.get("created_at")),
                url=self._path(str(r["remote_id"])).resolve().as_uri(),
            )
            for r in records[:limit]
        ]

    def find_published(
        self, req: PublishRequest, *, limit: int = 50, sent_after: datetime | None = None
    ) -> PublishResult | None:
        """By the idempotency key (the file name): exact, so ``sent_after`` is not needed."""
        record = self._read(self._path(post_id(req.key)))
        return self._result(record) if record is not None else None
