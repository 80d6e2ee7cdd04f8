"""Timing signals: hand-computed fixtures per rule, a plain-Python twin of the numba state
machine, causality by truncation, and bad input. Published figures: tests/test_timing_published.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlib import timing
from quantlib.errors import DataValidationError, UnknownNameError
from quantlib.timing import TimingParams, timing_state

NA = None


def _series(values: list[float]) -> pd.Series:
    return pd.Series(values, index=pd.bdate_range("2024-01-01", periods=len(values)), dtype=float)


def _hand_ma(x: list[float], w: int) -> list[float | None]:
    """Moving average by explicit sums: the independent derivation of the fixtures' MAs."""
    return [None if i < w - 1 else sum(x[i - w + 1:i + 1]) / w for i in range(len(x))]


def _labels(state: pd.DataFrame) -> list[str | None]:
    return [None if pd.isna(v) else v for v in state["regime_label"]]


# ------------------------------------------------------------------ hand-computed fixtures ---

def test_threshold_crossing_with_report_windows_scaled_down() -> None:
    # short=2, long=4, threshold 3%. Hand derivation:
    # close   100 100 100 100 104 110 112 109 103  98
    # MA2      -  100 100 100 102 107 111 110.5 106 100.5
    # MA4      -   -   -  100 101 103.5 106.5 108.75 108.5 105.5
    # d(%)     -   -   -   0  0.990 3.382 4.225 1.609 -2.304 -4.739
    # regime   -   -   -   R   R    U     U     R     R      D
    close = [100, 100, 100, 100, 104, 110, 112, 109, 103, 98]
    p = TimingParams(short=2, long=4, threshold=0.03, fast=1, trend_window=2, confirm_window=2)
    st = timing_state(_series(close), params=p)
    ma2, ma4 = _hand_ma(close, 2), _hand_ma(close, 4)
    expected_d = [np.nan if b is None else a / b - 1 for a, b in zip(ma2, ma4, strict=True)]
    np.testing.assert_allclose(st["distance"], expected_d, rtol=1e-12)
    np.testing.assert_allclose(st["distance"].iloc[5], 107 / 103.5 - 1, rtol=1e-12)
    assert _labels(st) == [NA, NA, NA, "range", "range", "up", "up", "range", "range", "down"]
    assert st["regime_days"].iloc[3:].tolist() == [1, 2, 1, 2, 1, 2, 1]
    # the pure regime() function agrees with the state machine when no override fires
    assert timing.regime(st["distance"], 0.03).iloc[3:].tolist() == [0, 0, 1, 1, 0, 0, -1]


def test_uptrend_break_override_and_confirmation_lock() -> None:
    # short=2, long=6, threshold 2%, fast MA = close (window 1), trend line = MA2,
    # confirmation MA = MA3. Hand derivation:
    #  t   close  MA2    MA3      MA6      d(%)   raw
    #  6   110    105    103.33   101.67   3.279  up   close>MA2: up
    #  7   120    115    110      105      9.524  up   up
    #  8   130    125    120      110     13.636  up   up
    #  9   118    124    122.67   113      9.735  up   close<MA2: broken; close<MA3 and
    #                                                    t8 close 130>=MA3 120: crossed -> lock
    # 10   120    119    122.67   116.33   2.292  up   close>MA2 (not broken) but lock holds
    #                                                    (close 120 < MA3 122.67) -> range
    # 11   135    127.5  124.33   122.17   4.366  up   close > MA2 and > MA3: lock released: up
    close = [100] * 6 + [110, 120, 130, 118, 120, 135]
    p = TimingParams(short=2, long=6, threshold=0.02, fast=1, trend_window=2, confirm_window=3)
    st = timing_state(_series(close), params=p)
    assert _labels(st)[5:] == ["range", "up", "up", "up", "range", "range", "up"]
    assert st["uptrend_broken"].iloc[5:].tolist() == [False, False, False, False, True, False,
                                                      False]
    assert st["break_confirmed"].iloc[5:].tolist() == [False, False, False, False, True, True,
                                                       False]
    assert st["regime_days"].iloc[5:].tolist() == [1, 1, 2, 3, 1, 2, 1]
    np.testing.assert_allclose(st["trend_line"].iloc[9], (130 + 118) / 2)
    np.testing.assert_allclose(st["money_effect"].iloc[9], 118 / 124 - 1)
    # the single-rule helpers
    assert timing.break_confirmation(st["ma_fast"], timing.sma(_series(close), 3)).iloc[9]
    assert timing.uptrend_break(st["ma_fast"], st["trend_line"]).iloc[9]


def test_downtrend_exit_and_relapse() -> None:
    # short=2, long=6, threshold 3%, fast = close, trend = MA2:
    #  t   close  MA2    MA6     d(%)     raw    rule
    #  6    90    95     98.33   -3.390   down   money 90/95-1 < 0: down
    #  7    80    85     95     -10.526   down   down
    #  8    70    75     90     -16.667   down   down
    #  9    75    72.5   85.83  -15.534   down   money 75/72.5-1=+3.45% and close>MA2: exit
    # 10    72    73.5   81.17   -9.446   down   close 72 < MA2 73.5: exit revoked -> down
    # 11    80    76     77.83   -2.355   range  range
    # 12    78    79     75.83   +4.176   up     close 78 < MA2 79: broken -> range
    close = [100] * 6 + [90, 80, 70, 75, 72, 80, 78]
    p = TimingParams(short=2, long=6, threshold=0.03, fast=1, trend_window=2, confirm_window=3)
    st = timing_state(_series(close), params=p)
    assert _labels(st)[6:] == ["down", "down", "down", "range", "down", "range", "range"]
    assert st["downtrend_exited"].iloc[6:].tolist() == [False, False, False, True, False, False,
                                                        False]
    np.testing.assert_allclose(st["money_effect"].iloc[9], 75 / 72.5 - 1, rtol=1e-12)
    assert st["uptrend_broken"].iloc[12]
    assert timing.downtrend_exit(st["money_effect"], st["ma_fast"], st["trend_line"]).iloc[9]


def test_volume_shrink_in_range_after_a_fall() -> None:
    # Range regime throughout (flat MAs); absolute level 50; window 3; needs a 5% fall from the
    # 3-day closing high. Hand derivation of the shrink day:
    #  t  close turnover  below  crossed  3d-high  fell>=5%  shrink
    #  6  100    80        no     -        100      no        no
    #  7   96    60        no     -        100      no (4%)   no
    #  8   94    45        yes    yes      100      yes (6%)  YES
    #  9   95    40        yes    no       96       no        no (already below)
    # 10   97    55        no     -        97       no        no
    # 11   91    48        yes    yes      97       yes (6.2%) YES
    close = [100, 100, 100, 100, 100, 100, 100, 96, 94, 95, 97, 91]
    turnover = [90, 90, 90, 90, 90, 90, 80, 60, 45, 40, 55, 48]
    p = TimingParams(short=2, long=4, threshold=0.5, volume_rule="absolute", volume_level=50.0,
                     volume_window=3, volume_min_fall=0.05)
    st = timing_state(_series(close), _series(turnover), params=p)
    assert st["volume_shrink"].iloc[6:].tolist() == [False, False, True, False, False, True]
    # relative rules: 0.5 x the 3-day peak; and the rolling 3-day median
    peak = timing.volume_level(_series(turnover), "peak_fraction", 0.5, 3)
    assert peak.iloc[8] == 0.5 * 80 and peak.iloc[11] == 0.5 * 55
    q = timing.volume_level(_series(turnover), "quantile", 0.5, 3)
    assert q.iloc[9] == 45 and q.iloc[11] == 48


def test_volume_shrink_is_only_flagged_in_the_range_regime() -> None:
    close = [100] * 6 + [90, 80, 70, 69, 68]
    turnover = [90] * 6 + [80, 60, 45, 40, 30]
    p = TimingParams(short=2, long=6, threshold=0.03, volume_rule="absolute", volume_level=50.0,
                     volume_window=3, volume_min_fall=0.05)
    st = timing_state(_series(close), _series(turnover), params=p)
    assert st["regime_label"].iloc[8] == "down"
    assert not st["volume_shrink"].any()


def test_trend_line_methods_by_hand() -> None:
    s = _series([1.0, 2.0, 3.0, 4.0, 5.0])
    assert timing.trend_line(s, "sma", 3).tolist()[2:] == [2.0, 3.0, 4.0]
    assert timing.trend_line(s, "sma_lag1", 3).tolist()[3:] == [2.0, 3.0]
    # wma weights 1,2,3: (1*1+2*2+3*3)/6
    assert timing.trend_line(s, "wma", 3).iloc[2] == pytest.approx(14 / 6)
    # ema alpha 0.5: 1, 1.5, 2.25, 3.125, 4.0625; NaN for the first window-1 = 2 days
    ema = timing.trend_line(s, "ema", 3)
    assert ema.isna().tolist()[:2] == [True, True]
    np.testing.assert_allclose(ema.iloc[2:], [2.25, 3.125, 4.0625])


# ------------------------------------------------------------------ twin and causality ---

def _reference_state(raw, fast, trend, confirm, money):
    """Plain-Python twin of quantlib._timing_nb.timing_state_nb, written from the docstring."""
    final, broken, confirmed, exited, days = [], [], [], [], []
    lock = out = False
    prev, run = None, 0
    for t, r in enumerate(raw):
        b = c = e = False
        if r == -2:
            lock = out = False
            final.append(0)
            broken.append(b), confirmed.append(c), exited.append(e), days.append(0)
            prev, run = None, 0
            continue
        if r == 1:
            out = False
            if t > 0 and fast[t] < confirm[t] and fast[t - 1] >= confirm[t - 1]:
                lock = True
            elif lock and fast[t] > confirm[t] and fast[t] > trend[t]:
                lock = False
            b, c = bool(fast[t] < trend[t]), lock
            f = 0 if (b or lock) else 1
        elif r == -1:
            lock = False
            if out and fast[t] < trend[t]:
                out = False
            elif not out and money[t] > 0 and fast[t] > trend[t]:
                out = True
            e = out
            f = 0 if out else -1
        else:
            lock = out = False
            f = 0
        run = run + 1 if f == prev else 1
        prev = f
        final.append(f), broken.append(b), confirmed.append(c), exited.append(e), days.append(run)
    return final, broken, confirmed, exited, days


@pytest.mark.parametrize("seed", range(5))
def test_numba_state_machine_matches_plain_python(seed: int) -> None:
    rng = np.random.default_rng(seed)
    close = _series(list(100 * np.exp(np.cumsum(rng.normal(0, 0.02, 1500)))))
    st = timing_state(close)
    raw = st["raw_regime"].fillna(-2).astype(int).tolist()
    ref = _reference_state(raw, st["ma_fast"].tolist(), st["trend_line"].tolist(),
                           st["ma_short"].tolist(), st["money_effect"].tolist())
    valid = np.array(raw) != -2
    assert st["regime"].fillna(0).astype(int).tolist() == ref[0]
    assert st["uptrend_broken"].tolist() == ref[1]
    assert st["break_confirmed"].tolist() == ref[2]
    assert st["downtrend_exited"].tolist() == ref[3]
    assert st["regime_days"].fillna(0).astype(int).tolist() == ref[4]
    assert set(st.loc[valid, "regime_label"]) == {"up", "range", "down"}


def test_causality_by_truncation() -> None:
    rng = np.random.default_rng(7)
    n = 1200
    close = _series(list(100 * np.exp(np.cumsum(rng.normal(0, 0.015, n)))))
    turnover = _series(list(1e11 * np.exp(rng.normal(0, 0.3, n))))
    full = timing_state(close, turnover)
    for t in sorted(rng.choice(np.arange(130, n), size=50, replace=False)):
        part = timing_state(close.iloc[: t + 1], turnover.iloc[: t + 1])
        pd.testing.assert_frame_equal(part, full.iloc[: t + 1])


# ------------------------------------------------------------------ bad input ---

@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"short": 120, "long": 120}, ValueError, "must be shorter than long window"),
        ({"threshold": -0.01}, ValueError, "threshold must be >= 0"),
        ({"trend_method": "emma"}, UnknownNameError, "Did you mean 'ema'"),
        ({"volume_rule": "quantil"}, UnknownNameError, "Did you mean 'quantile'"),
        ({"fast": 0}, ValueError, "fast must be a positive integer"),
    ],
)
def test_bad_params(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        TimingParams(**kwargs)


def test_bad_series() -> None:
    s = _series(list(np.linspace(100, 120, 200)))
    with pytest.raises(DataValidationError, match="fewer than the long window 120"):
        timing_state(s.iloc[:100])
    with_nan = s.copy()
    with_nan.iloc[50] = np.nan
    with pytest.raises(DataValidationError, match=r"1 NaN value\(s\), first on"):
        timing_state(with_nan)
    weekly = pd.Series(np.linspace(1, 2, 200), index=pd.date_range("2000-01-07", periods=200,
                                                                     freq="W-FRI"))
    with pytest.raises(DataValidationError, match="does not look daily"):
        timing_state(weekly)
    with pytest.raises(DataValidationError, match="sorted and unique"):
        timing_state(s.iloc[::-1])
    with pytest.raises(DataValidationError, match="DatetimeIndex"):
        timing_state(s.reset_index(drop=True))


# ------------------------------------------------------------------ snapshot, history, CLI ---

def test_snapshot_and_regime_changes_on_a_fixture() -> None:
    close = [100] * 6 + [110, 120, 130, 118, 120, 135]
    p = TimingParams(short=2, long=6, threshold=0.02, fast=1, trend_window=2, confirm_window=3)
    st = timing_state(_series(close), params=p)
    snap = timing.snapshot(st)
    assert snap["regime"] == "up" and snap["regime_days"] == 1
    assert snap["regime_since"] == str(st.index[11].date())
    assert snap["ma_short"] == 127.5 and snap["trend_line"] == 127.5
    # a weekend date resolves to the Friday before it
    assert st.index[9] == pd.Timestamp("2024-01-12")  # a Friday
    assert timing.snapshot(st, "2024-01-13")["date"] == "2024-01-12"
    with pytest.raises(DataValidationError, match="inside the warm-up"):
        timing.snapshot(st, st.index[2])
    with pytest.raises(DataValidationError, match="before the data"):
        timing.snapshot(st, "1990-01-01")
    changes = timing.regime_changes(st)
    assert changes["regime"].tolist() == ["up", "range", "up"]
    assert changes["previous"].tolist() == ["range", "up", "range"]
    assert changes["previous_lasted_days"].tolist() == [1, 3, 2]


def test_cli_signal_timing_json_and_text() -> None:
    import json

    from click.testing import CliRunner

    from quantlib.cli import main

    res = CliRunner().invoke(main, ["signal", "timing", "--date", "2023-01-22", "--format",
                                    "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["date"] == "2023-01-20" and out["regime"] == "range" and out["proxy"] is False
    assert round(out["ma_short"], 1) == 4946.0 and round(out["ma_long"], 1) == 4952.4
    res = CliRunner().invoke(main, ["signal", "timing"])
    assert res.exit_code == 0 and "PROXY" in res.output and "MA120" in res.output
    res = CliRunner().invoke(main, ["signal", "timing", "--history", "2024-01-01", "2024-12-31",
                                    "--format", "json"])
    changes = json.loads(res.output)["changes"]
    assert changes and all(c["regime"] != c["previous"] for c in changes)
    res = CliRunner().invoke(main, ["signal", "timing", "--date", "1995-01-05"])
    assert res.exit_code == 2 and "warm-up" in res.output


@pytest.mark.parametrize("method", ["sma", "ema"])
def test_timing_frame_equals_timing_state_per_column(method: str) -> None:
    """31 real Shenwan industries (four made to start late): frame == per-series version."""
    from quantlib.data import load

    close = load("sw_l1", start="2010-01-01", end="2024-12-31")["close"].copy()
    close.iloc[:300, :4] = np.nan  # four industries start late (as 801950..801980 do on SWS)
    p = TimingParams(trend_method=method)
    frame = timing.timing_frame(close, p)
    for code in close.columns:
        series = close[code].dropna()
        st = timing_state(series, params=p)
        for key in ("distance", "money_effect", "trend_line", "raw_regime", "regime",
                    "regime_days", "uptrend_broken", "downtrend_exited", "break_confirmed"):
            got = frame[key][code].loc[series.index].to_numpy(dtype=float)
            want = st[key].astype("float64").to_numpy()
            np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True,
                                       err_msg=f"{code} {key}")


def test_timing_frame_rejects_holes() -> None:
    close = pd.DataFrame({"a": np.linspace(1, 2, 300), "b": np.linspace(1, 2, 300)},
                         index=pd.bdate_range("2020-01-01", periods=300))
    close.iloc[150, 1] = np.nan
    with pytest.raises(DataValidationError, match=r"\['b'\] have NaN after their first close"):
        timing.timing_frame(close)


def test_cli_signal_timing_on_an_industry_equals_timing_state() -> None:
    import json

    from click.testing import CliRunner

    from quantlib.cli import main
    from quantlib.data import load

    res = CliRunner().invoke(main, ["signal", "timing", "--index", "sw_l1:801080", "--date",
                                    "2024-06-28", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    close = load("sw_l1", codes=["801080"])["close"]["801080"]
    st = timing_state(close.loc[close.first_valid_index():])  # regime needs no turnover
    assert out["date"] == "2024-06-28"
    assert out["distance"] == pytest.approx(st.loc["2024-06-28", "distance"], rel=1e-12)
    assert out["regime"] == st.loc["2024-06-28", "regime_label"]
    res = CliRunner().invoke(main, ["signal", "timing", "--index", "sw_l:801080"])
    assert res.exit_code == 2 and "Did you mean 'sw_l1'" in res.output
