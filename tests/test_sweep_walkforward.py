"""Walk-forward: splits by hand on a short index, selection and stitching against direct runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlib import backtest as bt
from quantlib import metrics
from quantlib.data import load
from quantlib.strategies import resolve
from quantlib.sweep import (
    BacktestOptions,
    Split,
    SplitError,
    expanding_splits,
    rolling_splits,
    splits_frame,
    walk_forward,
)

m = resolve("ma_distance_timing")[0]
MARKET = bt.Market(assets=pd.DataFrame({"kind": ["index"]}, index=["wind_all_a"]))

OPTS = BacktestOptions(costs=bt.CostModel.percentage(0.001), rules=bt.Rules.none(),
                       risk_free=0.0)


def test_rolling_splits_by_hand() -> None:
    # 10 bars, train 4, test 2, step = test: trains [0,4) [2,6) [4,8), tests [4,6) [6,8) [8,10)
    assert rolling_splits(10, train=4, test=2) == (
        Split(0, 4, 4, 6), Split(2, 6, 6, 8), Split(4, 8, 8, 10))
    # step 3: starts 0, 3; a third (6 + 4 + 2 = 12 > 10) does not fit
    assert rolling_splits(10, train=4, test=2, step=3) == (Split(0, 4, 4, 6),
                                                           Split(3, 7, 7, 9))
    assert rolling_splits(10, train=4, test=2, start=3) == (Split(3, 7, 7, 9),)


def test_expanding_splits_by_hand() -> None:
    # train from 0 growing by test: [0,4)->[4,7), [0,7)->[7,10)
    assert expanding_splits(10, train=4, test=3) == (Split(0, 4, 4, 7), Split(0, 7, 7, 10))
    assert expanding_splits(10, train=4, test=3, step=2) == (
        Split(0, 4, 4, 7), Split(0, 6, 6, 9))


def test_splits_frame_dates() -> None:
    idx = pd.bdate_range("2024-01-01", periods=10)  # Mon 1 Jan .. Fri 12 Jan
    frame = splits_frame(rolling_splits(idx, train=4, test=2), idx)
    first = frame.iloc[0]
    assert [d.strftime("%m-%d") for d in first] == ["01-01", "01-04", "01-05", "01-08"]
    assert frame.iloc[-1]["test_last"] == pd.Timestamp("2024-01-12")


@pytest.mark.parametrize(("kw", "match"), [
    ({"train": 8, "test": 3}, "splits longer than the data"),
    ({"train": 4, "test": 0}, "test must be an integer >= 1"),
    ({"train": 1, "test": 2}, "train must be an integer >= 2"),
    ({"train": 4, "test": 2, "step": 0}, "step must be an integer >= 1"),
])
def test_split_bad_input(kw: dict, match: str) -> None:
    for make in (rolling_splits, expanding_splits):
        with pytest.raises(SplitError, match=match):
            make(10, **kw)


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return load("wind_all_a", end="2006-12-31", columns=["close"]).rename(
        columns={"close": "wind_all_a"})


@pytest.fixture(scope="module")
def data(prices: pd.DataFrame):
    return m.data_from({"close": prices["wind_all_a"]})


GRID = {"short": [5, 20], "long": [60, 120], "threshold": [0.0, 0.03], "range_weight": [0.0]}


def _window_targets(data, params: dict, window: pd.DatetimeIndex) -> pd.Series:
    """target_weights on the window: the target in force on its first day, then later rows."""
    tw = m.target_weights(data, m.resolve_params(params))["wind_all_a"]
    carried = tw.loc[:window[0]].iloc[[-1]].set_axis([window[0]])
    return pd.concat([carried, tw.loc[tw.index > window[0]]])


def test_walk_forward_selection_and_stitching(prices: pd.DataFrame, data) -> None:
    start = prices.index[119]  # the sweep's window starts at the longest MA's first bar
    window = prices.loc[start:]
    splits = rolling_splits(window.index, train=726, test=242, start=11)
    wf = walk_forward("ma_distance_timing", GRID, data=data, splits=splits, options=OPTS)
    assert len(wf.splits) == len(splits) == 8
    combos = wf.sweep.table[list(wf.sweep.params)]
    targets = {c: _window_targets(data, combos.loc[c].to_dict(), window.index)
               for c in combos.index}
    runs = {c: bt.run(window, t.to_frame(), costs=OPTS.costs, rules=OPTS.rules, market=MARKET)
            for c, t in targets.items()}
    stitched = np.full(len(window), np.nan)  # NaN: no rebalance (nan_rows="hold")
    for k, s in enumerate(splits):
        # the chosen combination has the best in-sample Sharpe among direct single runs
        ins = {c: metrics.sharpe_ratio(r.returns.iloc[s.train_start:s.train_end], risk_free=0.0)
               for c, r in runs.items()}
        best = max(ins, key=lambda c: (ins[c], -c))
        assert wf.splits.loc[k, "combo"] == best
        assert wf.splits.loc[k, "is_sharpe_ratio"] == pytest.approx(ins[best], rel=1e-12)
        oos = metrics.sharpe_ratio(runs[best].returns.iloc[s.test_start:s.test_end],
                                   risk_free=0.0)
        assert wf.splits.loc[k, "oos_sharpe_ratio"] == pytest.approx(oos, rel=1e-12)
        # from the strategy itself: its own rows in the test window, and on the window's
        # first bar the target it holds then (the switch to the new choice)
        rows = targets[best].reindex(window.index)
        held = rows.ffill().fillna(0.0)
        stitched[s.test_start:s.test_end] = rows.iloc[s.test_start:s.test_end]
        stitched[s.test_start] = held.iloc[s.test_start]
    direct = bt.run(window, pd.DataFrame({"wind_all_a": stitched}, index=window.index),
                    costs=OPTS.costs, rules=OPTS.rules, nan_rows="hold", market=MARKET)
    a, b = splits[0].test_start, splits[-1].test_end
    pd.testing.assert_series_equal(wf.returns, direct.returns.iloc[a:b].rename("oos"))
    assert list(wf.summary.index) == ["in_sample_mean", "out_of_sample_mean",
                                      "out_of_sample_stitched"]
    assert wf.summary.loc["out_of_sample_stitched", "total_return"] == pytest.approx(
        wf.equity.iloc[-1] - 1.0, rel=1e-12)


def test_walk_forward_bad_splits(prices: pd.DataFrame, data) -> None:
    n = len(prices) - 119
    with pytest.raises(SplitError, match="splits longer than the data"):
        rolling_splits(n, train=n, test=10)
    with pytest.raises(SplitError, match="test_end"):
        walk_forward("ma_distance_timing", GRID, data=data,
                     splits=[Split(0, 100, 100, n + 5)], options=OPTS)
    with pytest.raises(SplitError, match="must not overlap"):
        walk_forward("ma_distance_timing", GRID, data=data,
                     splits=[Split(0, 300, 300, 400), Split(0, 350, 350, 450)], options=OPTS)
