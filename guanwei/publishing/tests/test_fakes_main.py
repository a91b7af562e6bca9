"""``guanwei fakeplatforms`` (``python -m guanwei.publishing.fakes``): runs both fakes in
the foreground, prints where and with which demo credentials, stops on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

import httpx
import pytest

from guanwei.publishing.fakes import wechat, weibo


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Shadows the project conftest's fixture of this name, which needs Django settings:
    these tests are pure Python and also run with ``-p no:django``."""


def test_it_serves_until_sigterm() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "guanwei.publishing.fakes",
            "--weibo-port",
            "0",
            "--wechat-port",
            "0",
            "--publish-delay",
            "0.1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline() for _ in range(3)]
        urls = re.findall(r"http://127\.0\.0\.1:\d+", "".join(banner))
        assert len(urls) == 2
        assert weibo.DEMO_TOKEN in banner[0] and wechat.APPID in banner[1]
        assert "示例气象局" in httpx.get(urls[0], timeout=5).text
        assert httpx.get(f"{urls[1]}/__stats__", timeout=5).json()["platform"] == "wechat"
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "stopped" in out


def test_a_busy_port_is_reported() -> None:
    from guanwei.publishing.fakes import start_fakes
    from guanwei.publishing.fakes.__main__ import main

    with start_fakes() as running:
        port = running.weibo_url.rsplit(":", 1)[1]
        assert main(["--weibo-port", port, "--wechat-port", "0"]) == 1
