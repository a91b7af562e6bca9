"""The documents room's tests are pure Python: no database, no Django settings; they also
run with ``-p no:django``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from guanwei.documents import layout


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Shadows the project conftest's fixture of this name, which needs Django settings:
    these tests are pure Python and also run with ``-p no:django``."""


@pytest.fixture
def fallback_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No font file anywhere: the forms must use the built-in CID font."""
    monkeypatch.setattr(layout, "_font_candidates", lambda: [])
    layout.cjk_font.cache_clear()
    yield
    layout.cjk_font.cache_clear()
