"""What the interaction tests share: the local fake platforms, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from guanwei.publishing.fakes import FakePlatforms, start_fakes


@pytest.fixture
def fakes() -> Iterator[FakePlatforms]:
    """The fake Weibo and WeChat on free ports (a published post settles in 0.1 s)."""
    platforms = start_fakes(publish_delay_s=0.1)
    try:
        yield platforms
    finally:
        platforms.stop()
