"""The adapter interface itself: the registry, the one error type, the HTTP wrapper's
timeouts, error translation and redaction — and that none of it needs Django."""

from __future__ import annotations

import inspect
import logging
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from guanwei.publishing.adapters import PLATFORMS, AdapterError, adapter_class, get_adapter
from guanwei.publishing.adapters.base import (
    Adapter,
    Media,
    PublishRequest,
    PublishResult,
    RemotePost,
    first_image,
    normalise_text,
    placeholder_png,
    sniff_image,
)
from guanwei.publishing.adapters.http import HttpClient, redact_data, redact_text, redact_url


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Shadows the project conftest's fixture of this name, which needs Django settings:
    these tests are pure Python and also run with ``-p no:django``."""


def test_adapters_and_fakes_import_without_django() -> None:
    code = (
        "import sys\n"
        "import guanwei.publishing.adapters as a, guanwei.publishing.fakes\n"
        "import guanwei.publishing.fakes.__main__\n"
        "for name in ('weibo', 'wechat', 'website', 'outbox'): a.adapter_class(name)\n"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_registry_is_lazy_and_complete() -> None:
    assert set(PLATFORMS) == {"weibo", "wechat", "website", "outbox"}
    for platform in PLATFORMS:
        cls = adapter_class(platform)
        assert issubclass(cls, Adapter) and cls.platform == platform
    with pytest.raises(AdapterError) as caught:
        get_adapter("myspace", {})
    assert caught.value.permanent and caught.value.code == "unsupported"


def test_a_missing_setting_is_a_permanent_config_error() -> None:
    with pytest.raises(AdapterError) as caught:
        get_adapter("outbox", {}).recent_posts()
    assert caught.value.permanent and caught.value.code == "config"
    assert "outbox_dir" in caught.value.user_message


def test_adapter_error_semantics() -> None:
    unknown = AdapterError("t", permanent=True, unknown_outcome=True)
    assert not unknown.permanent and unknown.transient  # unknown is never final
    plain = AdapterError("x", permanent=True, code="auth", platform_code="21327")
    assert str(plain) == "[auth] x" and plain.user_message  # a Chinese default
    plain.unknown_outcome = True  # the dispatcher may mark a bug as unknown
    assert plain.unknown_outcome


def test_redaction_masks_secret_keys_and_known_values() -> None:
    url = "https://api.example.com/x?access_token=abc123&type=image&secret=s3cr3t"
    assert redact_url(url) == "https://api.example.com/x?access_token=***&type=image&secret=***"
    assert redact_data({"appid": "wx1", "secret": "zz", "nested": [{"password": "p"}]}) == {
        "appid": "wx1",
        "secret": "***",
        "nested": [{"password": "***"}],
    }
    text = '{"access_token": "T0K3N", "expires_in": 7200} sign=abc Authorization: OAuth2 T0K3N'
    shown = redact_text(text, {"hunter22"})
    assert "T0K3N" not in shown and "7200" in shown and "sign=***" in shown
    assert redact_text("the value hunter22 leaked", {"hunter22"}) == "the value *** leaked"


def raising(exc: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


@pytest.mark.parametrize(
    ("exc", "code", "unknown_if_write"),
    [
        (httpx.ConnectError("refused"), "network", False),
        (httpx.ConnectTimeout("slow connect"), "timeout", False),
        (httpx.PoolTimeout("pool"), "timeout", False),
        (httpx.ReadTimeout("slow read"), "timeout", True),
        (httpx.WriteTimeout("slow write"), "timeout", True),
        (httpx.RemoteProtocolError("reset mid-response"), "network", True),
        (httpx.ReadError("connection reset"), "network", True),
    ],
)
def test_transport_failures_say_whether_the_request_may_have_landed(
    exc: Exception, code: str, unknown_if_write: bool
) -> None:
    with HttpClient(transport=httpx.MockTransport(raising(exc))) as client:
        with pytest.raises(AdapterError) as write:
            client.post("https://api.example.com/create?access_token=SECRET-TOKEN-1", data={})
        with pytest.raises(AdapterError) as read:
            client.get("https://api.example.com/list")
    assert write.value.code == code and write.value.transient
    assert write.value.unknown_outcome is unknown_if_write
    assert not read.value.unknown_outcome
    assert "SECRET-TOKEN-1" not in str(write.value)


def test_a_non_json_body_is_transient(caplog: pytest.LogCaptureFixture) -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>Bad Gateway</html>")

    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore"):  # off by default (settings.LOGGING)
        caplog.set_level(logging.DEBUG, logger=name)
    with HttpClient(transport=httpx.MockTransport(gateway)) as client:
        response = client.post("https://api.example.com/x", json={"password": "pa55word!"})
        with pytest.raises(AdapterError) as caught:
            response.json()
    assert caught.value.unknown_outcome and caught.value.code == "bad_response"
    assert "pa55word!" not in caplog.text and "***" in caplog.text


def test_timeouts_default_to_5_and_15_seconds() -> None:
    with HttpClient() as client:
        timeout = client._timeout(None)
        assert (timeout.connect, timeout.read) == (5.0, 15.0)
        assert client._timeout(3).read == 3


def test_the_placeholder_is_a_valid_png() -> None:
    data = placeholder_png(3, 2, (10, 20, 30))
    assert sniff_image(data) == "image/png"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (3, 2)
    idat = data.index(b"IDAT")
    length = struct.unpack(">I", data[idat - 4 : idat])[0]
    assert (
        zlib.decompress(data[idat + 4 : idat + 4 + length]) == (b"\x00" + b"\x0a\x14\x1e" * 3) * 2
    )


def test_images_are_recognised_by_their_bytes() -> None:
    jpeg = Media("photo.png", "image/png", b"\xff\xd8\xff\xe0rest")
    assert first_image((Media("doc.pdf", "image/png", b"%PDF"), jpeg)) == Media(
        "photo.png", "image/jpeg", jpeg.data
    )
    assert first_image(()) is None


def test_reconciliation_ignores_whitespace() -> None:
    assert normalise_text("今天 晴\n详见") == normalise_text("今天晴 详见")
    assert normalise_text("ＡＢＣ") == "ABC"


class _Timeline(Adapter):
    """An adapter whose account shows ``posts`` (newest first): the base class's matching."""

    platform = "timeline"

    def __init__(self, posts: list[RemotePost]) -> None:
        super().__init__({}, client=HttpClient())
        self.posts = posts

    def publish(self, req: PublishRequest) -> PublishResult:
        raise NotImplementedError

    def delete(self, remote_id: str) -> None:
        raise NotImplementedError

    def recent_posts(self, limit: int = 50) -> list[RemotePost]:
        return self.posts[:limit]


SENT = datetime(2026, 12, 1, 7, 30, 0, 400000, tzinfo=UTC)
FORECAST = "【天气预报】今天白天晴转多云，最高气温 18℃。详情 https://qx.example.gov.cn/today"


def test_x03_reconciliation_keeps_links_in_the_comparison() -> None:
    """X-03: two posts that differ only in their link are different posts."""
    other = RemotePost("2", FORECAST.replace("/today", "/other"), SENT, "")
    ours = RemotePost("1", FORECAST, SENT, "")
    request = PublishRequest(key="rev1-ch1", text=FORECAST)
    assert _Timeline([other]).find_published(request) is None
    found = _Timeline([other, ours]).find_published(request)
    assert found is not None and found.remote_id == "1"
    # whitespace, full-width forms and a platform's short link (t.cn) still match
    shortened = RemotePost(
        "3", FORECAST.replace("https://qx.example.gov.cn/today", "http://t.cn/A6x"), SENT
    )
    found = _Timeline([shortened]).find_published(request)
    assert found is not None and found.remote_id == "3"
    assert _Timeline([RemotePost("4", FORECAST.replace(" ", "\n"), SENT)]).find_published(request)


def test_x03_yesterdays_identical_forecast_is_not_taken_for_todays() -> None:
    """X-03: only posts created at/after the attempt's ``sent_after`` (a few seconds of
    clock skew allowed) can match; without it, any recent post still may."""
    yesterday = RemotePost("9", FORECAST, SENT - timedelta(days=1), "")
    request = PublishRequest(key="rev2-ch1", text=FORECAST)
    assert _Timeline([yesterday]).find_published(request, sent_after=SENT) is None
    assert _Timeline([yesterday]).find_published(request) is not None  # the old contract
    # the platform's clock a little behind ours, and whole seconds only
    today = RemotePost("10", FORECAST, SENT.replace(microsecond=0) - timedelta(seconds=2), "")
    found = _Timeline([today, yesterday]).find_published(request, limit=10, sent_after=SENT)
    assert found is not None and found.remote_id == "10"
    undated = RemotePost("11", FORECAST, None, "")
    assert _Timeline([undated]).find_published(request, sent_after=SENT) is None
    too_early = RemotePost("12", FORECAST, SENT - timedelta(minutes=1), "")
    assert _Timeline([too_early]).find_published(request, sent_after=SENT) is None


def test_x03_every_adapter_takes_sent_after() -> None:
    """The dispatcher calls ``find_published(request, limit=…, sent_after=…)`` on any
    platform."""
    for name in PLATFORMS:
        parameters = inspect.signature(adapter_class(name).find_published).parameters
        assert parameters["sent_after"].default is None, name


def test_adapters_share_one_client_and_say_how_long_to_wait_before_reconciling() -> None:
    wechat = get_adapter("wechat", {"appid": "wx", "secret": "s"})
    weibo = get_adapter("weibo", {"access_token": "t", "settle_seconds": "5"})
    assert wechat.client is weibo.client
    assert wechat.settle_seconds == 600 and weibo.settle_seconds == 5
    assert get_adapter("outbox", {"outbox_dir": "/tmp/x"}).settle_seconds == 0
