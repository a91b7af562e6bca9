"""Smoke test of the screening benchmark (C-06): ``bench/screening.py --quick --json`` runs and
reports the figures ``guanwei bench screening --json`` promises."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench" / "screening.py"


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Shadows the project conftest's Django-only fixture: engine tests run with -p no:django."""


def test_it_runs_the_quick_benchmark(capsys: pytest.CaptureFixture[str]) -> None:
    """C-06: chars_per_s, baseline_chars_per_s, recall and false_positive_rate are reported;
    recall on the seeded evasion variants is complete and the defaults raise no false alarm."""
    spec = importlib.util.spec_from_file_location("bench_screening", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--quick", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    for key in ("chars_per_s", "single_call_chars_per_s", "baseline_chars_per_s", "recall"):
        assert figures[key] > 0, key
    assert figures["recall"] == 1.0
    assert figures["false_positive_rate"] <= 0.01
    assert figures["single_batch_agreement"] == 1.0
    assert figures["lexicon_terms"] == 20_000
