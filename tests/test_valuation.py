"""Valuation percentiles, class rules, the position table, the weekly strategy and the CLI:
hand-computed fixtures, a brute-force twin, causality by truncation, and bad input.
Published figures: tests/test_position_published.py.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantlib import valuation as v
from quantlib.errors import DataValidationError, DateRangeError, UnknownNameError
from quantlib.valuation import (
    ClassRule,
    PositionModel,
    PositionTableError,
    align_asof,
    position,
    position_state,
    valuation_class,
    valuation_percentile,
)


def _series(values: list[float], start: str = "2024-01-01") -> pd.Series:
    return pd.Series(values, index=pd.bdate_range(start, periods=len(values)), dtype=float)


def _brute(values: list[float], method: str, window: int | None) -> list[float]:
    """Plain-Python twin: count strictly-lower and equal values in the window, by definition."""
    out = []
    for t, x in enumerate(values):
        hist = values[max(0, t - window + 1) if window else 0:t + 1]
        lower = sum(h < x for h in hist)
        equal = sum(h == x for h in hist)
        k = {"mean": lower + equal / 2, "weak": lower + equal, "strict": lower}[method]
        out.append(100.0 * k / len(hist))
    return out


# ---------------------------------------------------------------- hand-computed percentiles ---

# values 3 1 2 2 5 1; L = # lower, E = # equal (today included), n = # so far
#  t  x  L E n   mean=(L+E/2)/n  weak=(L+E)/n  strict=L/n
#  0  3  0 1 1   50              100           0          first day
#  1  1  0 1 2   25              50            0
#  2  2  1 1 3   50              66.67         33.33
#  3  2  1 2 4   50              75            25         tie with t=2 counts half
#  4  5  4 1 5   90              100           80
#  5  1  0 2 6   16.67           33.33         0          tie with t=1
HAND = [3.0, 1, 2, 2, 5, 1]


@pytest.mark.parametrize(("method", "expected"), [
    ("mean", [50, 25, 50, 50, 90, 100 / 6]),
    ("weak", [100, 50, 200 / 3, 75, 100, 100 / 3]),
    ("strict", [0, 0, 100 / 3, 25, 80, 0]),
])
def test_expanding_percentile_by_hand(method: str, expected: list[float]) -> None:
    got = valuation_percentile(_series(HAND), start=None, method=method)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_rolling_window_by_hand() -> None:
    # window 3: t=3 sees [1 2 2] -> (1 + 1) / 3; t=4 sees [2 2 5] -> 2.5 / 3; t=5 [2 5 1] -> .5/3
    got = valuation_percentile(_series(HAND), start=None, window=3)
    np.testing.assert_allclose(got, [50, 25, 50, 200 / 3, 250 / 3, 50 / 3], rtol=1e-12)
    got = valuation_percentile(_series(HAND), start=None, window=3, min_periods=3)
    assert got.iloc[:2].isna().all() and got.iloc[2] == 50


def test_start_excludes_earlier_days() -> None:
    # start on the 3rd day: history restarts at x=2 -> 50; then [2 2] -> 50; [2 2 5] -> 5/6 ...
    s = _series(HAND)
    got = valuation_percentile(s, start=s.index[2])
    assert got.iloc[:2].isna().all()
    np.testing.assert_allclose(got.iloc[2:], [50, 50, 250 / 3, 12.5], rtol=1e-12)
    # a start between two days (a weekend) starts at the next day
    assert valuation_percentile(s, start="2024-01-06").first_valid_index() == s.index[5]


def test_constant_series_is_50_and_pandas_relations() -> None:
    assert (valuation_percentile(_series([2.0] * 5), start=None) == 50).all()
    s = _series([4.0, 1, 4, 3, 3, 3, 9, 1])
    weak = valuation_percentile(s, start=None, method="weak")
    np.testing.assert_allclose(weak, s.expanding().rank(method="max", pct=True) * 100)
    n = np.arange(1, len(s) + 1)
    mean = valuation_percentile(s, start=None)
    np.testing.assert_allclose(mean + 50 / n, s.expanding().rank(pct=True) * 100)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=40),
       st.sampled_from(v.PERCENTILE_METHODS), st.one_of(st.none(), st.integers(1, 7)))
def test_matches_brute_force_twin(values: list[int], method: str, window: int | None) -> None:
    got = valuation_percentile(_series([float(x) for x in values]), start=None,
                               method=method, window=window)
    np.testing.assert_allclose(got, _brute([float(x) for x in values], method, window),
                               rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------- as-of alignment ---

def test_align_asof_carries_last_value_and_stops_when_stale() -> None:
    cal = pd.bdate_range("2024-01-01", periods=8)
    src = pd.Series([1.0, 2.0, 3.0], index=cal[[1, 2, 4]])
    got = align_asof(src, cal, max_stale=2)
    # day0 before data; day3 carries day2; days 5,6 carry day4; day7 is 3 rows old -> NaN
    np.testing.assert_array_equal(got, [np.nan, 1, 2, 2, 3, 3, 3, np.nan])
    assert align_asof(src, cal, max_stale=0).isna().sum() == 5


def test_pb_missing_days_use_the_previous_value() -> None:
    from quantlib.data import load

    pb = load("all_a_pb", start="2022-07-01", end="2022-07-12")["pb_median"]
    cal = load("wind_all_a", start="2022-07-01", end="2022-07-12", columns=["close"]).index
    assert {"2022-07-05", "2022-07-06", "2022-07-07"} & {str(d.date()) for d in pb.index} == set()
    got = align_asof(pb, cal)
    assert (got.loc["2022-07-05":"2022-07-07"] == pb.loc["2022-07-04"]).all()
    assert got.notna().all()


# ------------------------------------------------------------------- class rules and table ---

@pytest.mark.parametrize(("pe", "pb", "rule", "expected"), [
    (60, 20, "mean_30_70", "normal"),     # mean 40
    (40, 20, "mean_30_70", "cheap"),      # mean 30: cheap cut-off inclusive
    (85, 55, "mean_30_70", "expensive"),  # mean 70: expensive cut-off inclusive
    (85, 50, "mean_30_70", "normal"),     # mean 67.5
    (45, 20, "mean_32.5_80", "cheap"),    # mean 32.5: the default's cheap cut-off, inclusive
    (60, 10, "mean_32.5_80", "normal"),   # mean 35
    (90, 50, "mean_32.5_80", "normal"),   # mean 70: PE high alone is not expensive
    (95, 65, "mean_32.5_80", "expensive"),  # mean 80, inclusive
    (10, 95, "pe_20_80", "cheap"),
    (10, 95, "pb_20_80", "expensive"),
    (10, 95, "max_30_70", "expensive"),
    (10, 95, "min_30_70", "cheap"),
    (np.nan, 20, "mean_30_70", None),
    (np.nan, 20, "pb_20_80", "cheap"),    # a single-input rule ignores the other input
])
def test_valuation_class_cells(pe: float, pb: float, rule: str, expected: str | None) -> None:
    assert valuation_class(pe, pb, rule=rule) == expected


def test_valuation_class_series_and_custom_rule() -> None:
    pe = pd.Series([10.0, 50, 90, np.nan], index=pd.bdate_range("2024-01-01", periods=4))
    got = valuation_class(pe, pe * 0 + 50, rule=ClassRule("pe", 10, 90))
    assert got.tolist() == ["cheap", "normal", "expensive", None]
    assert got.index.equals(pe.index)


TABLE_CELLS = [(r, c, w) for r, row in zip(("up", "range", "down"), v.REPORT_TABLE, strict=True)
               for c, w in zip(v.CLASSES, row, strict=True)]


@pytest.mark.parametrize(("regime", "cls", "expected"), TABLE_CELLS)
def test_every_cell_of_the_report_table(regime: str, cls: str, expected: float) -> None:
    code = {"up": 1, "range": 0, "down": -1}[regime]
    assert position(regime, cls) == expected
    assert position(code, cls) == expected
    report = {"up": (90, 80, 70), "range": (60, 50, 40), "down": (30, 20, 10)}
    assert round(100 * expected) == report[regime][v.CLASSES.index(cls)]


def test_position_series_with_missing_and_custom_table() -> None:
    idx = pd.bdate_range("2024-01-01", periods=4)
    reg = pd.Series([1, 0, -1, None], index=idx, dtype="Int8")
    cls = pd.Series(["cheap", None, "expensive", "normal"], index=idx, dtype=object)
    np.testing.assert_array_equal(position(reg, cls), [0.9, np.nan, 0.1, np.nan])
    table = pd.DataFrame([[1.0, 0.5, 0.0]] * 3, index=["down", "up", "range"],
                         columns=["cheap", "normal", "expensive"])
    assert position("down", "normal", table=table) == 0.5


# --------------------------------------------------------------------------- bad input ---

@pytest.mark.parametrize(("values", "kwargs", "error", "match"), [
    ([1.0, 2, 3], {"start": "2030-01-01"}, DateRangeError, "after the data"),
    ([1.0, 0.0, 3], {}, DataValidationError, "non-positive"),
    ([1.0, -2, 3], {}, DataValidationError, "non-positive"),
    ([1.0, np.nan, np.nan, np.nan, 2], {}, DataValidationError, "longest run 3"),
    ([1.0, 2, 3], {"method": "avg"}, UnknownNameError, "percentile method"),
    ([1.0, 2, 3], {"window": 0}, DataValidationError, "window"),
])
def test_bad_percentile_input(values: list[float], kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        valuation_percentile(_series(values), **({"start": None} | kwargs))


def test_unknown_rule_suggests_close_matches() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'mean_30_70'"):
        valuation_class(50, 50, rule="mean_30_7")
    with pytest.raises(UnknownNameError, match="percentile combination"):
        ClassRule("median", 30, 70)
    with pytest.raises(DataValidationError, match="cheap_max < expensive_min"):
        ClassRule("pe", 70, 30)
    with pytest.raises(UnknownNameError, match="regime"):
        position("sideways", "cheap")
    with pytest.raises(UnknownNameError, match="valuation class"):
        position("up", "fair")
    idx = pd.bdate_range("2024-01-01", periods=2)
    with pytest.raises(DataValidationError, match="align"):
        position(pd.Series([1, 0], index=idx), pd.Series(["cheap"] * 2, index=idx[::-1]))


@pytest.mark.parametrize(("table", "match"), [
    (((0.9, 0.8), (0.6, 0.5), (0.3, 0.2)), "3x3"),
    ([[0.9, 0.8, 0.7]] * 4, "3x3"),
    ([[90, 80, 70], [60, 50, 40], [30, 20, 10]], r"\[0, 1\]"),
    ([[0.9, 0.8, -0.1], [0.6, 0.5, 0.4], [0.3, 0.2, 0.1]], r"\[0, 1\]"),
    ([[0.9, 0.8, np.nan], [0.6, 0.5, 0.4], [0.3, 0.2, 0.1]], r"\[0, 1\]"),
    (pd.DataFrame(np.full((3, 3), 0.5), index=["up", "flat", "down"],
                  columns=list(v.CLASSES)), "index"),
])
def test_bad_table(table: object, match: str) -> None:
    with pytest.raises(PositionTableError, match=match):
        position("up", "cheap", table=table)
    with pytest.raises(PositionTableError):
        PositionModel(table=table)  # type: ignore[arg-type]


# ------------------------------------------------------------------- causality, real data ---

@pytest.fixture(scope="module")
def real_inputs() -> tuple[pd.Series, pd.Series, pd.Series]:
    from quantlib.data import load

    close = load("wind_all_a", start="2014-01-01", columns=["close"])["close"]
    pe = load("csi_all_share", columns=["pe_ttm"])["pe_ttm"]
    pb = load("all_a_pb", start="2014-01-01")["pb_median"]
    return close, pe, pb


def test_causality_by_truncation(real_inputs: tuple[pd.Series, pd.Series, pd.Series]) -> None:
    close, pe, pb = real_inputs
    full = position_state(close, pe, pb)
    cols = ["pe_pct", "pb_pct", "pe_date", "pb_date", "valuation_class", "position"]
    rng = np.random.default_rng(20250615)
    days = full.index[full.index >= "2015-06-01"]
    for t in rng.choice(days[:-1], size=50, replace=False):
        t = pd.Timestamp(t)
        cut = position_state(close.loc[:t], pe.loc[:t], pb.loc[:t])
        pd.testing.assert_frame_equal(cut[cols], full.loc[:t, cols])
        for s in (pe, pb):
            pd.testing.assert_series_equal(valuation_percentile(s.loc[:t]),
                                           valuation_percentile(s).loc[:t])


def test_position_state_on_real_data(real_inputs: tuple[pd.Series, pd.Series, pd.Series]) -> None:
    close, pe, pb = real_inputs
    state = position_state(close, pe, pb)
    assert state["position"].first_valid_index() == pd.Timestamp("2015-01-05")
    live = state.loc["2015-01-05":]
    assert set(live["position"].round(2).unique()) <= {w for row in v.REPORT_TABLE for w in row}
    assert live["position"].notna().all()
    # PB rows missing in the source (e.g. 2024-09-23) take the previous day's value and date
    assert state.loc["2024-09-23", "pb_date"] == pd.Timestamp("2024-09-20")
    assert state.loc["2024-09-23", "pb_pct"] == state.loc["2024-09-20", "pb_pct"]


# ------------------------------------------------------------------- strategy and CLI ---

def test_strategy_weekly_rows_and_registry(
        real_inputs: tuple[pd.Series, pd.Series, pd.Series]) -> None:
    from quantlib.schedules import week_ends
    from quantlib.strategies import resolve

    vp, source = resolve("valuation_position")
    assert source.origin == "built-in"
    close, pe, pb = real_inputs
    data = vp.data_from({"close": close, "pe": pe, "pb": pb})
    w = vp.target_weights(data, vp.resolve_params())
    assert list(w.columns) == ["wind_all_a"] and w.index[0] == pd.Timestamp("2015-01-09")
    # one row per week, on the week's last trading day (Thursday before a Friday holiday)
    assert (w.index.to_period("W-SUN").value_counts() == 1).all()
    assert pd.Timestamp("2024-10-01") not in close.index  # National Day week
    assert w.index.isin(week_ends(close.index)).all()
    assert pd.Timestamp("2015-04-03") in w.index  # Qingming: Friday 2015-04-03 traded
    assert pd.Timestamp("2023-06-21") in w.index  # Dragon Boat: 06-22/23 closed -> Wednesday


def test_cash_interest_is_in_the_engine_run() -> None:
    """The run pays cash_rate on the uninvested share in the engine: its daily return minus
    the WIND return times the previous exposure is the cash share times the daily rate (on
    days without a fill, where no cost or trade timing enters)."""
    from quantlib.runner import run_strategy

    out = run_strategy("valuation_position", start="2016-01-04", end="2016-06-30")
    r = out.result
    daily = 1.015 ** (1 / 242) - 1
    close = out.strategy.load().prices["wind_all_a"].loc[r.returns.index]
    fills = set(r.trades["date"])
    prev_w = r.positions["wind_all_a"].shift(1)
    cash = 1.0 - prev_w
    quiet = [d for d in r.returns.index[1:] if d not in fills]
    implied = (r.returns - prev_w * close.pct_change()).loc[quiet]
    np.testing.assert_allclose(implied.to_numpy(), (cash * daily).loc[quiet].to_numpy(),
                               rtol=1e-9, atol=1e-15)
    assert out.spec.cash_rate == 0.015


def test_cli_signal_position_text_and_json() -> None:
    from click.testing import CliRunner

    from quantlib.cli import main

    runner = CliRunner()
    res = runner.invoke(main, ["signal", "position", "--date", "2025-06-15", "--format", "json"])
    assert res.exit_code == 0, res.output
    snap = json.loads(res.output)
    assert snap["date"] == "2025-06-13" and snap["regime"] == "range"
    assert snap["position"] == 0.5 and snap["valuation_class"] == "normal"
    assert snap["proxy"] is True and "CSI All Share" in snap["proxy_note"]
    res = runner.invoke(main, ["signal", "position", "--date", "2025-06-15"])
    assert res.exit_code == 0
    for text in ("PE (TTM)", "percentile", "window", "regime", "50% equity", "PROXY",
                 "median PB"):
        assert text in res.output
    res = runner.invoke(main, ["signal", "position", "--rule", "pe2080"])
    assert res.exit_code == 2 and "Did you mean" in res.output


def test_snapshot_is_pure_and_resolves_weekends() -> None:
    """valuation.snapshot reads one row of position_state; a Saturday resolves to Friday."""
    from quantlib.valuation import load_position_state, snapshot

    _, model, state = load_position_state(None)
    fri = snapshot(state, "2025-06-13", model=model)
    assert snapshot(state, "2025-06-14", model=model) == fri  # Saturday
    row = state.loc["2025-06-13"]
    assert fri["position"] == row["position"] and fri["pe_pct"] == row["pe_pct"]
    assert fri["pe_window_start"] == "2015-01-05" and fri["pb_window_start"] == "2014-10-17"
    with pytest.raises(ValueError, match="no position on 2014-12-31"):
        snapshot(state, "2014-12-31", model=model)
