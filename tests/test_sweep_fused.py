"""The fused sweep path (signal + simulation + metrics in one numba pass per combination)
against the reference path (batch_weights -> one engine call -> NumPy metrics) and against
quantlib.metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlib import backtest as bt
from quantlib import metrics
from quantlib.data import load
from quantlib.strategies import resolve
from quantlib.sweep import METRIC_KEYS, BacktestOptions, Execution, sweep
from quantlib.sweep._builders import full_combos
from quantlib.sweep._fused import evaluate_fused, fused_signals
from quantlib.sweep._grid import combinations, expand_grid
from quantlib.sweep._run import EvalSpec, evaluate_batch

timing = resolve("ma_distance_timing")[0]
RTOL = 1e-12


@pytest.fixture(scope="module")
def data():
    close = load("wind_all_a", end="2008-12-31", columns=["close"])["close"]
    return timing.data_from({"close": close})


def _assert_close(got: np.ndarray, want: np.ndarray, what: str) -> None:
    got, want = np.asarray(got, float), np.asarray(want, float)
    assert got.shape == want.shape, what
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=what)
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want), err_msg=what)
    ok = np.isfinite(want)
    np.testing.assert_allclose(got[ok], want[ok], rtol=RTOL, atol=RTOL, err_msg=what)


GRID = {"short": [5, 20, 35], "long": [60, 120], "threshold": [0.0, 0.01, 0.04],
        "use_rules": [True, False], "range_weight": [0.0, 0.5],
        "trend_method": ["sma", "ema", "wma"]}


@pytest.mark.parametrize("opts", [
    BacktestOptions(costs=bt.CostModel.percentage(0.001), rules=bt.Rules.none()),
    BacktestOptions(costs=bt.CostModel(commission_rate=0.0003, slippage_bps=5.0),
                    cash_rate=0.02, risk_free=0.03),
], ids=["pct-fees", "declared-kind-slippage-cash"])
def test_fused_table_equals_reference(data, opts) -> None:
    fused = sweep("ma_distance_timing", GRID, data=data, options=opts, n_blocks=8,
                  start="2001-03-01")
    ref = sweep("ma_distance_timing", GRID, data=data, options=opts, n_blocks=8,
                start="2001-03-01", execution=Execution(fused=False))
    assert fused.n_batches == 1 and ref.n_batches >= 1
    assert len(fused.table) == 3 * 2 * 3 * 2 * 2 * 3
    assert list(fused.table.columns) == list(ref.table.columns)
    for col in METRIC_KEYS:
        _assert_close(fused.table[col], ref.table[col], col)
    assert fused.overfitting.pbo == ref.overfitting.pbo
    _assert_close(fused.overfitting.pbo_logits, ref.overfitting.pbo_logits, "logits")
    assert fused.overfitting.deflated_sharpe == pytest.approx(ref.overfitting.deflated_sharpe,
                                                              rel=1e-10)
    # the grid trades: a real check, not 216 idle combinations
    assert fused.table["annual_turnover"].min() > 0


def test_fused_batch_equals_reference_with_windows(data) -> None:
    """Block statistics and walk-forward window values, batch by batch."""
    full = full_combos(timing, combinations(expand_grid(GRID, list(timing.params))), {})
    a, b = 200, len(data.calendar) - 1
    opts = BacktestOptions(costs=bt.CostModel.percentage(0.001), rules=bt.Rules.none())
    for select in ("sharpe_ratio", "max_drawdown", "calmar_ratio", "win_rate"):
        spec = EvalSpec(strategy=timing, data=data, window=(a, b),
                        engine_kwargs=opts.engine_kwargs(timing, data.prices.columns),
                        risk_free=0.015, n_blocks=6, windows=((0, 300), (250, 900)),
                        select=select, fused=False)
        ref = evaluate_batch(spec, full)
        got = evaluate_fused(spec, full)
        assert got is not None
        for key in ("metrics", "block_mean", "block_m2", "windows"):
            _assert_close(got[key], ref[key], f"{select}: {key}")
        assert got["block_len"][0] == ref["block_len"][0]


def test_path_metrics_kernel_equals_quantlib_metrics() -> None:
    from quantlib.sweep._fused_nb import path_metrics_nb

    rng = np.random.default_rng(7)
    r = rng.normal(0.0004, 0.015, 1500)
    r[rng.uniform(size=r.size) < 0.2] = 0.0
    turn = rng.uniform(0, 0.1, r.size)
    expo = rng.uniform(0, 1, r.size)
    out = np.empty(13)
    path_metrics_nb(r, turn, expo, 100, 1400, 0.0001, 250.0, out)
    s = pd.Series(r[100:1400])
    rf, ppy = 1.0001 ** 250 - 1.0, 250.0
    want = {
        "total_return": metrics.total_return(s),
        "annual_return": metrics.annual_return(s, periods_per_year=ppy),
        "annual_volatility": metrics.annual_volatility(s, periods_per_year=ppy),
        "sharpe_ratio": metrics.sharpe_ratio(s, risk_free=rf, periods_per_year=ppy),
        "sortino_ratio": metrics.sortino_ratio(s, risk_free=rf, periods_per_year=ppy),
        "max_drawdown": metrics.max_drawdown(s),
        "calmar_ratio": metrics.calmar_ratio(s, periods_per_year=ppy),
        "win_rate": metrics.win_rate(s),
        "annual_turnover": turn[100:1400].mean() * ppy,
        "mean_exposure": expo[100:1400].mean(),
    }
    x = s - 0.0001
    want["sharpe_per_period"] = x.mean() / x.std(ddof=1)
    want["skew"] = x.skew() * (len(x) - 2) / np.sqrt(len(x) * (len(x) - 1))  # population
    m2 = ((x - x.mean()) ** 2).mean()
    want["kurtosis"] = ((x - x.mean()) ** 4).mean() / m2 ** 2
    for i, key in enumerate(METRIC_KEYS):
        assert out[i] == pytest.approx(float(want[key]), rel=1e-11), key


def test_fused_path_declines(data) -> None:
    full = full_combos(timing, combinations(expand_grid({"short": [5]}, list(timing.params))),
                       {})
    assert fused_signals(timing, data, full) is not None
    gappy = data["close"].copy()
    gappy.iloc[500] = np.nan  # a NaN close: the hook declines, the reference path runs
    assert fused_signals(timing, timing.data_from({"close": gappy}), full) is None
    rotation = resolve("valuation_position")[0]  # no batch_signals hook
    assert getattr(rotation, "batch_signals", None) is None
