"""Fitted choices scored out of sample, by a loop written here (not quantlib.calibration).

The calibration scripts count how many printed weeks each candidate rule reproduces (the hits:
the model's output against the report's printed figures). Choosing the best candidate on those
same weeks and quoting its count is in-sample. These tests re-derive, with a plain loop, the
leave-one-out and earlier-half -> later-half figures that docs/timing.md and docs/rotation.md
quote next to the in-sample ones. (The position class rule: test_position_published.py.)
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _best(hits: list[list[bool]], rows: list[int]) -> int:
    """Most hits on ``rows``; ties go to the earlier candidate (the scripts' column order)."""
    scores = [sum(h[i] for i in rows) for h in hits]
    return scores.index(max(scores))


def _scores(frame: pd.DataFrame) -> tuple[str, int, int, str, int]:
    """(in-sample choice, its hits, leave-one-out hits, half choice, its later-half hits)."""
    names = list(frame.columns)
    hits = [[bool(v) for v in frame[c]] for c in names]
    n = len(frame)
    chosen = _best(hits, list(range(n)))
    loo = sum(hits[_best(hits, [j for j in range(n) if j != i])][i] for i in range(n))
    half = _best(hits, list(range(n // 2)))
    return names[chosen], sum(hits[chosen]), loo, names[half], sum(hits[half][n // 2:])


def test_timing_threshold_and_trend_line_out_of_sample() -> None:
    _, hits = _script("calibrate_timing").regime_hits()
    chosen, in_sample, loo, half, later = _scores(hits)
    n = len(hits)
    assert (n, chosen, in_sample, loo, later) == (19, "sma20/th3%", 18, 18, 10)
    doc = (ROOT / "docs" / "timing.md").read_text()
    assert (f"| best fit (ties: the stated rule first) | sma20, 3% | {in_sample}/{n} | "
            f"{loo}/{n} | {later}/{n - n // 2} |") in doc
    assert half  # chosen on the earlier 9 rows


def test_two_beta_rule_out_of_sample() -> None:
    cal = _script("calibrate_two_beta")
    _, hits = cal.candidates(cal.published())
    chosen, in_sample, loo, _, later = _scores(hits)
    n = len(hits)
    assert (n, len(hits.columns), in_sample, loo, later) == (11, 132, 11, 10, 6)
    doc = (ROOT / "docs" / "rotation.md").read_text()
    assert (f"| best fit over all {len(hits.columns)} | {in_sample}/{n} (raw, narrow, 20 d, "
            f"20%) | {loo}/{n} | {later}/{n - n // 2} |") in doc
    assert chosen.startswith("raw")
