"""Local fake Weibo and WeChat servers that speak the real wire formats, for tests, the
benchmark and the offline demo (``guanwei fakeplatforms``). Stdlib only; imports nothing
of guanwei's apps.

>>> fakes = start_fakes()
>>> fakes.weibo_url, fakes.wechat_url  # doctest: +SKIP
>>> fakes.stop()
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from typing import Any

from guanwei.publishing.fakes import wechat, weibo
from guanwei.publishing.fakes.server import FakeServer, text_hash
from guanwei.publishing.fakes.wechat import WeChatFake
from guanwei.publishing.fakes.weibo import WeiboFake

__all__ = ["FakePlatforms", "WeChatFake", "WeiboFake", "demo_settings", "start_fakes", "text_hash"]


@dataclass
class FakePlatforms:
    weibo_server: FakeServer
    wechat_server: FakeServer

    @property
    def weibo(self) -> WeiboFake:
        platform = self.weibo_server.platform
        assert isinstance(platform, WeiboFake)
        return platform

    @property
    def wechat(self) -> WeChatFake:
        platform = self.wechat_server.platform
        assert isinstance(platform, WeChatFake)
        return platform

    @property
    def weibo_url(self) -> str:
        return self.weibo_server.url

    @property
    def wechat_url(self) -> str:
        return self.wechat_server.url

    def control(self, platform: str, **options: Any) -> dict[str, Any]:
        """POST /__control__ over HTTP (what a separate process would do)."""
        return _post_json(f"{self._url(platform)}/__control__", options)

    def stats(self, platform: str) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self._url(platform)}/__stats__", timeout=5) as response:
            data: dict[str, Any] = json.load(response)
        return data

    def reset(self) -> None:
        self.control("weibo", reset=True)
        self.control("wechat", reset=True)

    def _url(self, platform: str) -> str:
        return self.weibo_url if platform == "weibo" else self.wechat_url

    def stop(self) -> None:
        self.weibo_server.stop()
        self.wechat_server.stop()

    def __enter__(self) -> FakePlatforms:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _post_json(url: str, payload: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        data: dict[str, Any] = json.load(response)
    return data


def start_fakes(
    host: str = "127.0.0.1",
    weibo_port: int = 0,
    wechat_port: int = 0,
    *,
    publish_delay_s: float = 1.0,
    rate_limit_per_hour: int = 30,
    accounts_file: str | None = None,
) -> FakePlatforms:
    """Start both fakes in background threads (port 0: any free port), serving the seeded
    示例气象局 and every account of ``accounts_file`` (see ``fakes.accounts``)."""
    weibo_fake = WeiboFake(accounts_file=accounts_file)
    wechat_fake = WeChatFake(publish_delay_s=publish_delay_s, accounts_file=accounts_file)
    for fake in (weibo_fake, wechat_fake):
        fake.default_rate_limit = fake.rate_limit_per_hour = rate_limit_per_hour
    weibo_server = FakeServer(weibo_fake, host, weibo_port).start()
    try:
        wechat_server = FakeServer(wechat_fake, host, wechat_port).start()
    except OSError:
        weibo_server.stop()
        raise
    return FakePlatforms(weibo_server, wechat_server)


def demo_settings(fakes: FakePlatforms) -> dict[str, dict[str, str]]:
    """Channel settings records that point the real adapters at the fakes."""
    return {
        "weibo": {
            "access_token": weibo.DEMO_TOKEN,
            "base_url": fakes.weibo_url,
            "safe_domain": weibo.SAFE_DOMAIN,
            "web_url": fakes.weibo_url,
        },
        "wechat": {
            "appid": wechat.APPID,
            "secret": wechat.APPSECRET,
            "base_url": fakes.wechat_url,
        },
    }
