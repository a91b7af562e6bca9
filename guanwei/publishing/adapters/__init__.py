"""Platform adapters behind one interface and a lazy registry.

``get_adapter("weibo", settings)`` imports only the module it needs. Nothing here imports
Django: adapters take plain data and speak HTTP (or write files).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

from guanwei.publishing.adapters.base import (
    Adapter,
    AdapterError,
    Media,
    PublishRequest,
    PublishResult,
    RemoteComment,
    RemotePost,
)

if TYPE_CHECKING:
    from guanwei.publishing.adapters.http import HttpClient

__all__ = [
    "Adapter",
    "AdapterError",
    "Media",
    "PublishRequest",
    "PublishResult",
    "RemoteComment",
    "RemotePost",
    "PLATFORMS",
    "adapter_class",
    "get_adapter",
]

PLATFORMS: dict[str, str] = {
    "weibo": "guanwei.publishing.adapters.weibo:WeiboAdapter",
    "wechat": "guanwei.publishing.adapters.wechat:WeChatAdapter",
    "website": "guanwei.publishing.adapters.website:WebsiteAdapter",
    "outbox": "guanwei.publishing.adapters.outbox:OutboxAdapter",
}


@cache  # the import machinery once per platform, not once per intent sent
def adapter_class(platform: str) -> type[Adapter]:
    try:
        target = PLATFORMS[platform]
    except KeyError:
        raise AdapterError(
            f"no adapter for platform {platform!r}",
            permanent=True,
            code="unsupported",
            user_message=f"系统暂不支持向“{platform}”平台发布。",
        ) from None
    module_name, _, class_name = target.partition(":")
    cls: type[Adapter] = getattr(import_module(module_name), class_name)
    return cls


def get_adapter(
    platform: str, settings: Mapping[str, str], *, client: HttpClient | None = None
) -> Adapter:
    return adapter_class(platform)(settings, client=client)
