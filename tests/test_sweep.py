"""quantlib.sweep: grids, the vectorized timing builder, equality with direct single runs,
batch invariance, the generic fallback, bad input."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from quantlib import backtest as bt
from quantlib import metrics
from quantlib.data import load
from quantlib.errors import UnknownNameError
from quantlib.strategies import resolve
from quantlib.strategy import Input, Param, Strategy
from quantlib.sweep import (
    METRIC_KEYS,
    BacktestOptions,
    Execution,
    GridError,
    SweepError,
    auto_batch_size,
    parse_grid_option,
    parse_range,
    sweep,
)
from quantlib.sweep._builders import batch_weights, full_combos
from quantlib.sweep._grid import combinations, expand_grid
from quantlib.sweep._run import simulate_paths

timing = resolve("ma_distance_timing")[0]

OPTS = BacktestOptions(costs=bt.CostModel.percentage(0.001), rules=bt.Rules.none())


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return load("wind_all_a", end="2006-12-31", columns=["close"]).rename(
        columns={"close": "wind_all_a"})


@pytest.fixture(scope="module")
def data(prices: pd.DataFrame):
    return timing.data_from({"close": prices["wind_all_a"]})


# -- grids ---------------------------------------------------------------------------------

def test_parse_range_inclusive_and_rounded() -> None:
    assert parse_range("5:60:5") == list(range(5, 61, 5))
    assert parse_range("1:3") == [1, 2, 3]
    assert parse_range("10:4:-3") == [10, 7, 4]
    th = parse_range("0:0.06:0.005")
    assert len(th) == 13 and th[6] == 0.03 and th[-1] == 0.06  # no 0.030000000000000002
    assert parse_range("0.5:1:0.2") == [0.5, 0.7, 0.9]


@pytest.mark.parametrize(("text", "match"), [
    ("5:60:0", "step is zero"), ("5:60:-5", "points away"), ("60:5:5", "points away"),
    ("a:5:1", "not a number"), ("5", "start:stop"), ("1:2:3:4", "start:stop"),
])
def test_parse_range_bad(text: str, match: str) -> None:
    with pytest.raises(GridError, match=match):
        parse_range(text, "short")


def test_parse_grid_option_lists_and_ranges() -> None:
    grid = parse_grid_option(["short=5:15:5", "use_rules=true,false", "trend_method=sma,ema",
                              "threshold=0.01,0.03"])
    assert grid == {"short": [5, 10, 15], "use_rules": [True, False],
                    "trend_method": ["sma", "ema"], "threshold": [0.01, 0.03]}
    with pytest.raises(GridError, match="name=start:stop:step"):
        parse_grid_option(["short"])
    with pytest.raises(GridError, match="twice"):
        parse_grid_option(["short=5", "short=6"])


def test_expand_grid_bad_input() -> None:
    with pytest.raises(GridError, match="the grid is empty"):
        expand_grid({}, list(timing.params))
    with pytest.raises(UnknownNameError, match="Did you mean 'short'"):
        expand_grid({"shrot": [5]}, list(timing.params))
    with pytest.raises(GridError, match="no values"):
        expand_grid({"short": []}, list(timing.params))
    with pytest.raises(GridError, match="repeats"):
        expand_grid({"short": [5, 5]}, list(timing.params))


def test_combinations_last_varies_fastest() -> None:
    frame = combinations({"a": [1, 2], "b": ["x", "y", "z"]})
    assert frame.to_dict(orient="list") == {"a": [1, 1, 1, 2, 2, 2],
                                            "b": ["x", "y", "z"] * 2}


# -- the vectorized builder ----------------------------------------------------------------

def test_timing_builder_equals_target_weights(prices: pd.DataFrame, data) -> None:
    grid = expand_grid({"short": [5, 20], "long": [60, 120], "threshold": [0.0, 0.03],
                        "use_rules": [True, False], "trend_method": ["sma", "ema", "wma"],
                        "range_weight": [0.5]}, list(timing.params))
    combos = combinations(grid)
    w = batch_weights(timing, data, full_combos(timing, combos, {}))
    for b, row in combos.iterrows():
        tw = timing.target_weights(data, timing.resolve_params(row.to_dict()))
        got = pd.Series(w[:, b, 0], index=prices.index)
        # the targets held on every bar are bitwise equal ...
        held = tw.reindex(prices.index).ffill().fillna(0.0).to_numpy()[:, 0]
        np.testing.assert_array_equal(got.ffill().fillna(0.0).to_numpy(), held,
                                      err_msg=str(row.to_dict()))
        # ... and the rebalance rows are target_weights' rows (NaN = hold elsewhere), except
        # a first row of weight 0, which is a no-op on an all-cash portfolio
        rows = got.dropna()
        expected = tw.iloc[1:, 0] if tw.iloc[0, 0] == 0.0 else tw.iloc[:, 0]
        pd.testing.assert_series_equal(rows, expected, check_names=False, check_freq=False)


def test_simulate_paths_equals_run(prices: pd.DataFrame) -> None:
    two = pd.concat([prices["wind_all_a"], prices["wind_all_a"].pct_change().fillna(0).mul(
        0.5).add(1).cumprod()], axis=1, keys=["a", "b"])
    rng = np.random.default_rng(0)
    w = rng.uniform(0, 0.5, size=(len(two), 3, 2))
    w[rng.uniform(size=w.shape) < 0.3] = 0.0
    rets, turn, expo = simulate_paths(two, w, {"costs": bt.CostModel(), "init_cash": 1e6})
    res = bt.run(two, w, costs=bt.CostModel(), init_cash=1e6)
    np.testing.assert_array_equal(rets, res.returns.to_numpy())
    np.testing.assert_array_equal(turn, res.turnover.to_numpy())
    np.testing.assert_array_equal(expo, res.exposure.to_numpy())


# -- sweep results -------------------------------------------------------------------------

GRID = {"short": "5:25:10", "long": [60, 120], "threshold": "0:0.04:0.02",
        "use_rules": [True, False], "range_weight": [0.0, 1.0]}


@pytest.fixture(scope="module")
def result(data):
    return sweep("ma_distance_timing", GRID, data=data, options=OPTS, n_blocks=8)


def test_sweep_table_shape(result) -> None:
    assert len(result.table) == 3 * 2 * 3 * 2 * 2
    assert list(result.table.columns) == [*GRID, *METRIC_KEYS]
    assert result.params == tuple(GRID)
    assert result.overfitting.n_trials == 72
    assert len(result.overfitting.pbo_logits) == 70  # C(8, 4)


def test_sweep_pbo_by_direct_runs_and_brute_force_cscv(prices: pd.DataFrame, data) -> None:
    """The PBO logits from an independent route: each combination run directly by the engine
    on the sweep's window (not the sweep's vectorized builder), then the brute-force CSCV of
    test_sweep_overfitting.py over 8 blocks, on returns in excess of the daily risk-free rate
    (the Sharpe ratio the sweep selects on; docs/sweep.md)."""
    from test_sweep_overfitting import _brute_pbo

    grid = {"short": [5, 10, 20], "long": [60, 120], "threshold": [0.02, 0.04]}
    res = sweep("ma_distance_timing", grid, data=data, options=OPTS, n_blocks=8)
    window = prices.loc[res.start:]
    market = bt.Market(assets=pd.DataFrame({"kind": ["index"]}, index=["wind_all_a"]))
    columns = []
    for _, row in res.table.iterrows():
        params = {k: (v.item() if hasattr(v, "item") else v) for k, v in row[list(grid)].items()}
        tw = timing.target_weights(data, timing.resolve_params(params))
        carried = tw.loc[:res.start].iloc[[-1]].set_axis([res.start])
        w = pd.concat([carried, tw.loc[tw.index > res.start]])
        run = bt.run(window, w, costs=OPTS.costs, rules=OPTS.rules, market=market)
        columns.append(run.returns.to_numpy())
    rf_day = 1.015 ** (1 / 242) - 1  # the default 1.5% a year
    logits = _brute_pbo(np.column_stack(columns) - rf_day, 8)
    np.testing.assert_allclose(res.overfitting.pbo_logits, logits, rtol=1e-9, atol=1e-12)
    assert res.overfitting.pbo == float(np.mean(logits <= 0.0)) == 59 / 70
    # the raw-return Sharpe would rank differently here: the risk-free rate matters
    assert float(np.mean(_brute_pbo(np.column_stack(columns), 8) <= 0.0)) != 59 / 70


def test_sweep_best_row_equals_direct_run(prices: pd.DataFrame, data, result) -> None:
    """The best row against a plain engine run of target_weights on the sweep's window: the
    window starts in cash and trades the target in force at its first close (written out
    here with pandas, independently of the sweep's array carry)."""
    best = result.best_params()
    tw = timing.target_weights(data, timing.resolve_params(best))
    window = prices.loc[result.start:]
    carried = tw.loc[:result.start].iloc[[-1]].set_axis([result.start])
    w = pd.concat([carried, tw.loc[tw.index > result.start]])
    market = bt.Market(assets=pd.DataFrame({"kind": ["index"]}, index=["wind_all_a"]))
    direct = bt.run(window, w, costs=OPTS.costs, rules=OPTS.rules, market=market)
    want = metrics.summary(direct)
    row = result.best
    for key in ("total_return", "annual_return", "annual_volatility", "sharpe_ratio",
                "sortino_ratio", "max_drawdown", "calmar_ratio", "win_rate", "annual_turnover",
                "mean_exposure"):
        assert row[key] == pytest.approx(float(want[key]), rel=1e-12, abs=1e-15), key
    assert row["sharpe_ratio"] == result.table["sharpe_ratio"].max()


def test_sweep_start_is_after_warmup(prices: pd.DataFrame, data, result) -> None:
    assert result.start == prices.index[119]  # longest window 120: first defined bar
    later = sweep("ma_distance_timing", {"short": [5]}, data=data, options=OPTS,
                  start="2003-01-01", n_blocks=4)
    assert later.start == pd.Timestamp("2003-01-02")


def test_batches_do_not_change_numbers(data, result) -> None:
    small = sweep("ma_distance_timing", GRID, data=data, options=OPTS, n_blocks=8,
                  execution=Execution(batch_size=7))
    assert small.n_batches == 11
    pd.testing.assert_frame_equal(small.table, result.table, check_exact=True)
    assert small.overfitting.pbo == result.overfitting.pbo
    assert small.overfitting.deflated_sharpe == result.overfitting.deflated_sharpe


def test_invalid_combinations_are_dropped(data) -> None:
    res = sweep("ma_distance_timing", {"short": [20, 60, 130], "long": [60, 120]},
                data=data, options=OPTS, n_blocks=4)
    assert sorted(map(tuple, res.table[["short", "long"]].to_numpy().tolist())) == [
        (20, 60), (20, 120), (60, 120)]
    assert set(res.dropped["reason"]) == {"short must be shorter than long"}
    with pytest.raises(SweepError, match="no valid combination"):
        sweep("ma_distance_timing", {"short": [130]}, data=data, options=OPTS)


def test_sweep_bad_input(data) -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'ma_distance_timing'"):
        sweep("ma_distance_timin", {"short": [5]}, data=data)
    with pytest.raises(UnknownNameError, match="selection metric"):
        sweep("ma_distance_timing", {"short": [5]}, data=data, metric="sharpe")
    with pytest.raises(GridError, match="empty"):
        sweep("ma_distance_timing", {}, data=data)
    with pytest.raises(UnknownNameError, match="parameter of strategy ma_distance_timing"):
        sweep("ma_distance_timing", {"window": [5]}, data=data)
    with pytest.raises(GridError, match="step is zero"):
        sweep("ma_distance_timing", {"short": "5:20:0"}, data=data)
    with pytest.raises(SweepError, match="1,000,000,000 combinations, above the limit"):
        sweep("ma_distance_timing", {"short": "1:1000", "long": "1:1000",
                                     "trend_window": "1:1000"}, data=data)
    with pytest.raises(SweepError, match="batch_size must be a positive integer"):
        sweep("ma_distance_timing", {"short": [5]}, data=data,
              execution=Execution(batch_size=-1))


# -- the generic fallback (a strategy without a vectorized builder) -------------------------

class Toy(Strategy):
    """Hold the better of two assets over ``window`` bars, every 5 bars, at ``weight``."""

    name = "toy"
    params = {"window": Param(20, low=1), "weight": Param(0.5, low=0.0, high=1.0)}
    inputs = {"close": Input("wind_all_a", "close")}
    trade = "close"

    def target_weights(self, data, p):
        mom = data.prices.pct_change(p.window)
        top = mom.rank(axis=1, ascending=False).eq(1.0)
        w = top.astype(float).mul(p.weight).where(mom.notna().all(axis=1), 0.0)
        return w.iloc[::5]  # a rebalance every 5 bars, the same dates for every combination


def test_generic_fallback_equals_direct_runs(prices: pd.DataFrame) -> None:
    close = prices["wind_all_a"]
    two = pd.DataFrame({"a": close, "b": close.pct_change().fillna(0).mul(-0.3).add(1.0004)
                        .cumprod() * 100})
    toy = Toy()
    data = dataclasses.replace(toy.data_from({"close": close}), prices=two)
    res = sweep(toy, {"window": [10, 40], "weight": [0.5, 1.0]}, data=data, options=OPTS,
                n_blocks=4, execution=Execution(batch_size=3))
    assert res.start == two.index[0]  # every combination decides from the first bar
    market = bt.Market(assets=pd.DataFrame({"kind": "index"}, index=["a", "b"]))
    for c, row in res.table.iterrows():
        w = toy.target_weights(data, toy.resolve_params({"window": int(row["window"]),
                                                         "weight": float(row["weight"])}))
        direct = bt.run(two, w, costs=OPTS.costs, rules=OPTS.rules, market=market)
        for key in ("sharpe_ratio", "annual_turnover", "max_drawdown"):
            want = getattr(metrics, "turnover" if key == "annual_turnover" else key)(
                direct.turnover if key == "annual_turnover" else direct.returns)
            assert row[key] == pytest.approx(want, rel=1e-12), (c, key)


def test_auto_batch_size() -> None:
    # 1 MiB budget, 1,000 bars, 1 asset: 1,000 * (224 + 24) bytes per combination -> 4
    assert auto_batch_size(1000, 1, 10**6, memory_budget_mb=1.0) == 4
    assert auto_batch_size(1000, 1, 3, memory_budget_mb=1.0) == 3
    assert auto_batch_size(10**9, 1, 10, memory_budget_mb=1.0) == 1
    assert 1 <= auto_batch_size(7272, 1, 10**5) <= 10**5


def test_quantlib_sweep_is_callable_and_import_is_light(data) -> None:
    import quantlib
    import quantlib.sweep
    import quantlib.sweep.walkforward

    res = quantlib.sweep("ma_distance_timing", {"short": [5, 10]}, data=data,
                         options=OPTS, n_blocks=4)
    assert len(res.table) == 2
    code = ("import sys, quantlib, quantlib.sweep, quantlib.commands.sweep; "
            "bad = [m for m in ('dask', 'distributed', 'matplotlib', 'numba') "
            "if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
