"""``quantlib sweep``: text/json output, --out files (CSV, self-contained heatmap HTML),
walk-forward, bad input with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from quantlib.cli import main

BASE = ["sweep", "ma_distance_timing", "--grid", "short=10:20:10", "--grid", "long=60,120",
        "--grid", "threshold=0:0.03:0.03", "--end", "2006-12-31", "--blocks", "4", "--quiet"]


def _invoke(args: list[str]) -> object:
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_sweep_text_and_out(tmp_path: Path) -> None:
    res = _invoke([*BASE, "--out", str(tmp_path), "--top", "3"])
    assert res.exit_code == 0, res.output
    assert "sweep ma_distance_timing: 8 combinations" in res.output
    assert "deflated Sharpe ratio" in res.output and "PBO (CSCV, S=4)" in res.output
    assert (tmp_path / "sweep.csv").read_text().startswith("combo,short,long,threshold,")
    html = (tmp_path / "heatmap.html").read_text()
    assert "data:image/png;base64," in html and "http" not in html


def test_sweep_json_walk_forward() -> None:
    res = _invoke([*BASE, "--format", "json", "--walk-forward", "rolling", "--train", "726",
                   "--test", "484", "--param", "range_weight=0"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["combinations"] == 8 and out["overfitting"]["n_trials"] == 8
    assert set(out["best_params"]) == {"short", "long", "threshold"}
    assert len(out["walk_forward"]["splits"]) == 4
    assert set(out["walk_forward"]["summary"]) == {"in_sample_mean", "out_of_sample_mean",
                                                   "out_of_sample_stitched"}


@pytest.mark.parametrize(("args", "match"), [
    (["sweep", "ma_distance_timin", "--grid", "short=5"], "Did you mean 'ma_distance_timing'"),
    (["sweep", "ma_distance_timing", "--grid", "short=5:20:0"], "the step is zero"),
    (["sweep", "ma_distance_timing", "--grid", "short=20:5:5"], "points away from stop"),
    (["sweep", "ma_distance_timing", "--grid", "shrot=5:20:5"], "Did you mean 'short'"),
    (["sweep", "ma_distance_timing", "--grid", "short=5", "--walk-forward", "rolling",
      "--train", "100000", "--test", "10"], "splits longer than the data"),
    (["sweep", "ma_distance_timing", "--grid", "short=5", "--scheduler",
      "tcp://127.0.0.1:9", "--timeout", "1"], "no Dask scheduler answered"),
])
def test_sweep_cli_bad_input(args: list[str], match: str) -> None:
    res = CliRunner().invoke(main, [*args, "--quiet", "--end", "2004-12-31"])
    assert res.exit_code == 2
    assert match in res.output
