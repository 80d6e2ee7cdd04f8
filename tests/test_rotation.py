"""Industry rotation (issue: industry-trend rotation on Shenwan L1): hand-computed golden
panels per model, the per-industry regime against quantlib.timing, the TWO BETA switch on
constructed data, causality, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlib import rotation as R
from quantlib.errors import DataValidationError, UnknownNameError
from quantlib.timing import TimingParams, ma_distance, timing_state


def _panel(columns: dict[str, list[float]], start: str = "2024-01-01") -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    return pd.DataFrame(columns, index=pd.bdate_range(start, periods=n, name="date"))


# ---------------------------------------------------------------- trend

SMALL_TIMING = TimingParams(short=2, long=4, threshold=0.03, fast=1, trend_window=2,
                            confirm_window=2)


def test_trend_golden_ranking_hand_computed() -> None:
    # last day: A d=0.75/10.75 m=12/11.5-1; B d=0.875/10.875 m=13/11.75-1;
    # C d=0.75/10.75 m=11/11.5-1; D d=-0.0025 (range: not eligible)
    close = _panel({"A": [10, 10, 10, 10, 11, 12], "B": [10, 10, 10, 10, 10.5, 13],
                    "C": [10, 10, 10, 10, 12, 11], "D": [10, 10, 10, 10, 10, 9.9]})
    out = R.trend_scores(R.IndustryData(close), R.TrendParams(timing=SMALL_TIMING,
                                                              use_rules=False))
    last = out.score.iloc[-1]
    # distance ranks (A, C tie): A .5, B 1, C .5; money ranks: A 2/3, B 1, C 1/3
    np.testing.assert_allclose(last[["A", "B", "C"]], [0.5 * 0.5 + 0.5 * 2 / 3, 1.0,
                                                       0.5 * 0.5 + 0.5 / 3], rtol=1e-12)
    assert np.isnan(last["D"])
    np.testing.assert_allclose(out.fields["distance"].iloc[-1]["B"], 0.875 / 10.875)
    table = R.pick_table(out, close.index[-1], 2)
    assert table["code"].tolist() == ["B", "A"]


def test_trend_regime_matches_timing_state_per_industry() -> None:
    rng = np.random.default_rng(3)
    n = 400
    walk = 100 * np.exp(np.cumsum(rng.normal(0.0005, 0.015, size=(n, 3)), axis=0))
    close = pd.DataFrame(walk, columns=["X", "Y", "Z"],
                         index=pd.bdate_range("2020-01-01", periods=n, name="date"))
    close.iloc[:150, 2] = np.nan  # Z starts late
    out = R.industry_timing(close)
    for code in close:
        ref = timing_state(close[code].dropna())
        got = out["regime"][code].dropna()
        pd.testing.assert_series_equal(got, ref["regime"].dropna().astype("float64"),
                                       check_names=False)
        np.testing.assert_allclose(out["distance"][code].dropna(),
                                   ma_distance(close[code].dropna()).dropna())
    assert out["regime"]["Z"].iloc[:150 + 119].isna().all()


# ---------------------------------------------------------------- TWO BETA

def _linear_factor_panel(c: dict[str, float], b: dict[str, float], n: int,
                         switch_at: int | None = None) -> pd.DataFrame:
    """Returns r_i = c_i + b_i * m with mean(c) = 0 and mean(b) = 1, so the equal-weight
    market return is exactly m and the rolling OLS recovers b_i and residual c_i."""
    t = np.arange(n)
    m = 0.01 * np.sin(0.7 * t) + 0.004 * np.cos(1.9 * t)
    rets = {}
    for k in c:
        cc = np.full(n, c[k])
        if switch_at is not None:
            cc[switch_at:] = -c[k]
        rets[k] = cc + b[k] * m
    r = pd.DataFrame(rets, index=pd.bdate_range("2020-01-01", periods=n, name="date"))
    return 100 * (1 + r).cumprod()


C = {"a1": 0.002, "a2": 0.001, "b1": -0.001, "b2": -0.002}
B = {"a1": 0.8, "a2": 1.2, "b1": 1.1, "b2": 0.9}
TB = R.TwoBetaParams(sleeve_a=("a1", "a2"), sleeve_b=("b1", "b2"), beta_window=20, rule="alpha",
                     lookback=10, margin=0.02)


def test_two_beta_golden_beta_alpha_and_ranking() -> None:
    close = _linear_factor_panel(C, B, 60)
    out = R.two_beta_scores(R.IndustryData(close), TB)
    day = close.index[-1]
    np.testing.assert_allclose(out.fields["beta"].loc[day, list(B)], list(B.values()),
                               atol=1e-9)
    # alpha = lookback * c; sleeve A leads (spread = 10 * (-0.0015 - 0.0015) = -0.03)
    np.testing.assert_allclose(out.fields["alpha"].loc[day, list(C)],
                               [10 * v for v in C.values()], atol=1e-9)
    assert out.fields["sleeves"].loc[day, "lead_is_b"] == 0.0
    np.testing.assert_allclose(out.fields["sleeves"].loc[day, "spread"], -0.03, atol=1e-9)
    assert R.pick_table(out, day, 4)["code"].tolist() == ["a1", "a2"]


def test_two_beta_switches_when_the_leading_sleeve_changes() -> None:
    close = _linear_factor_panel(C, B, 160, switch_at=80)
    out = R.two_beta_scores(R.IndustryData(close), TB)
    names = R.lead_names(out, TB).dropna()
    assert set(names.iloc[:55]) == {"tech_growth"}
    assert set(names.iloc[-40:]) == {"upstream_cyclical"}
    assert (names != names.shift()).iloc[1:].sum() == 1  # exactly one switch
    last = R.pick_table(out, close.index[-1], 2)
    assert last["code"].tolist() == ["b2", "b1"]  # c flipped: b2 = +0.002, b1 = +0.001


def _two_sleeve_panel(days: int, g: float) -> pd.DataFrame:
    """Sleeve A flat, sleeve B compounding at ``g`` a day."""
    idx = pd.bdate_range("2020-01-01", periods=days)
    t = np.arange(days)
    return pd.DataFrame({"a1": 10.0, "a2": 20.0, "b1": 5 * (1 + g) ** t, "b2": 7 * (1 + g) ** t},
                        index=idx)


def test_two_beta_ratio_trend_and_raw_by_hand() -> None:
    g, days = 0.01, 60
    close = _two_sleeve_panel(days, g)
    data = R.IndustryData(close)
    base = {"sleeve_a": ("a1", "a2"), "sleeve_b": ("b1", "b2"), "beta_window": 20,
            "lookback": 10}
    # ratio of the equal-weight sleeve indices = (1+g)^t; MA20 vs MA30 of a geometric series
    ratio = (1 + g) ** np.arange(days)
    ma20, ma30 = ratio[-20:].sum() / 20, ratio[-30:].sum() / 30
    p = R.TwoBetaParams(**base, rule="ratio_trend", ratio_long=30, margin=0.03)
    out = R.two_beta_scores(data, p)
    sl = out.fields["sleeves"]
    np.testing.assert_allclose(sl["spread"].iloc[-1], ma20 / ma30 - 1, rtol=1e-12)
    # the sleeve index starts on the first return (day 1), so MA30 exists from day 30
    assert sl["spread"].iloc[:30].isna().all() and sl["spread"].iloc[30:].notna().all()
    assert (sl["lead_is_b"].dropna() == 1.0).all()  # spread > 0 from the first defined day
    # raw relative strength: 10 days of 1% against 0%
    p = R.TwoBetaParams(**base, rule="raw", margin=0.05)
    sl = R.two_beta_scores(data, p).fields["sleeves"]
    np.testing.assert_allclose(sl["spread"].iloc[-1], 10 * g, rtol=1e-12)
    assert sl["spread"].iloc[:10].isna().all() and sl["lead_is_b"].iloc[-1] == 1.0


def test_two_beta_default_is_the_calibrated_rule() -> None:
    p = R.TwoBetaParams()
    assert (p.rule, p.ratio_long, p.margin, p.sleeve_b) == ("ratio_trend", 250, 0.05,
                                                            ("801050", "801950"))
    assert set(R.CYCLICAL) < set(R.CYCLICAL_BROAD)


def test_rolling_beta_equals_cov_over_var() -> None:
    rng = np.random.default_rng(0)
    r = pd.DataFrame(rng.normal(0, 0.01, (300, 2)), columns=["p", "q"])
    m = r.mean(axis=1) + rng.normal(0, 0.002, 300)
    beta = R.rolling_beta(r, m, 50)
    ref = r["p"].rolling(50).cov(m) / m.rolling(50).var()
    np.testing.assert_allclose(beta["p"].dropna(), ref.dropna(), rtol=1e-9)


def test_lead_hysteresis_hand_case() -> None:
    s = pd.Series([np.nan, 0.01, 0.03, 0.06, 0.01, -0.04, -0.06, np.nan, 0.0])
    got = R.lead_with_hysteresis(s, 0.05).tolist()
    assert got[1:] == [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0] and np.isnan(got[0])


# ---------------------------------------------------------------- earnings

def _earnings_panel() -> tuple[pd.DataFrame, pd.DataFrame]:
    t = np.arange(16)
    e_a = 1 + 0.01 * t
    e_b = np.where(t < 12, 1.0, 1.0 + 0.1 * (t - 12))
    e_c = np.where(t < 3, 2.0, 1.0)
    e_c[15] = 1.05
    months = pd.date_range("2020-01-31", periods=16, freq="ME", name="date")
    close = pd.DataFrame(100.0, index=months, columns=["A", "B", "C"])
    pe = 100.0 / pd.DataFrame({"A": e_a, "B": e_b, "C": e_c}, index=months)
    return close, pe


def test_earnings_golden_growth_accel_ranking() -> None:
    close, pe = _earnings_panel()
    out = R.earnings_scores(R.IndustryData(close, pe))
    last = close.index[-1]
    g, a = out.fields["growth"].loc[last], out.fields["accel"].loc[last]
    np.testing.assert_allclose(g, [0.12 / 1.03, 0.3, 0.05], rtol=1e-12)
    np.testing.assert_allclose(a, [0.12 / 1.03 - 0.12, 0.3, 0.55], rtol=1e-12)
    # ranks: growth A 2/3, B 1, C 1/3; accel A 1/3, B 2/3, C 1
    np.testing.assert_allclose(out.score.loc[last], [0.5, 5 / 6, 2 / 3], rtol=1e-12)
    assert out.score.iloc[:15].isna().all().all()  # needs 12 + 3 months
    assert R.pick_table(out, last, 3)["code"].tolist() == ["B", "C", "A"]


def test_earnings_negative_pe_and_stale_data() -> None:
    close, pe = _earnings_panel()
    pe.iloc[3, 2] = -5.0  # C's month-3 earnings unknown -> its growth at 15 undefined
    days = pd.bdate_range("2020-01-31", "2021-08-31", name="date")
    daily = close.reindex(days.union(close.index)).ffill()
    out = R.earnings_scores(R.IndustryData(daily, pe))
    assert np.isnan(out.fields["growth"].loc["2021-04-30", "C"])
    assert out.covered.loc["2021-05-14"] and not out.covered.loc["2021-06-30"]  # 45 days
    assert out.score.loc["2021-06-30"].isna().all()


def test_earnings_source_break_blanks_cross_definition_growth() -> None:
    close, pe = _earnings_panel()
    growth, _ = R.earnings_growth(R.implied_earnings(close, pe), 3, "2020-12-31")
    assert growth.iloc[12:].isna().all().all()


def test_implied_earnings_known_facts_on_bundled_data() -> None:
    from quantlib.data import load

    close = load("sw_l1", start="2012-01-01", end="2022-12-31", columns=["close"])["close"]
    pe = load("sw_l1_pe_ttm", start="2012-01-01")["pe_ttm"]
    growth, _ = R.earnings_growth(R.implied_earnings(close, pe))
    dec = growth[growth.index.month == 12]
    assert -0.05 < dec.loc["2016", "801780"].iloc[0] < 0.05  # banks: ~1-2% profit growth
    assert dec.loc["2017", "801040"].iloc[0] > 1.0  # steel: supply-side reform boom
    assert dec.loc["2017", "801950"].iloc[0] > 1.0  # coal, same
    assert dec.loc["2014", "801120"].iloc[0] < 0.0  # food & beverage: baijiu slump
    assert dec.loc["2021", "801050"].iloc[0] > 0.5  # nonferrous metals 2021


# ---------------------------------------------------------------- reversal

REV = R.ReversalParams(high_window=8, min_drawdown=0.3, recent_window=5, valuation="price",
                       max_percentile=0.6, price_window=8, turn_level=-0.03, turn_window=3,
                       short=2, long=4)


def test_reversal_golden_hand_computed() -> None:
    close = _panel({
        "X": [100, 90, 80, 70, 60, 50, 45, 44, 46, 50],  # pct 4.5/8 -> score 0.4375
        "Y": [100, 95, 85, 75, 65, 55, 50, 48, 49, 52],  # pct 4/8 -> score 0.5
        "Z": [100, 101, 102, 103, 104, 105, 106, 107, 108, 109],  # no decline
        "W": [100, 90, 80, 70, 60, 50, 40, 30, 20, 10],  # no turn
    })
    out = R.reversal_scores(R.IndustryData(close), REV)
    last = out.score.iloc[-1]
    np.testing.assert_allclose(last[["X", "Y"]], [0.4375, 0.5])
    assert last[["Z", "W"]].isna().all()
    np.testing.assert_allclose(out.fields["distance"].iloc[-1]["X"], 48 / 46.25 - 1)
    assert R.pick_table(out, close.index[-1], 3)["code"].tolist() == ["Y", "X"]


def test_reversal_pe_basis_then_price() -> None:
    n = 700
    close = pd.DataFrame({"A": np.linspace(100, 50, n)},
                         index=pd.bdate_range("2018-01-01", periods=n, name="date"))
    months = pd.date_range("2018-01-31", "2019-12-31", freq="ME")
    pe = pd.DataFrame({"A": np.linspace(30, 10, len(months))}, index=months)
    p = R.ReversalParams(pe_window=12, price_window=500)
    out = R.reversal_scores(R.IndustryData(close, pe), p)
    basis = out.fields["basis"]["A"]
    assert basis.loc["2019-06-03"] == 1.0 and basis.iloc[-1] == 0.0


def test_frame_distance_equals_timing_ma_distance() -> None:
    close = _linear_factor_panel(C, B, 200)
    got = R.frame_distance(close)
    for code in close:
        pd.testing.assert_series_equal(got[code], ma_distance(close[code]), check_names=False)


# ---------------------------------------------------------------- picks, blend, weights

def _scores(name: str, values: list[list[float]], covered: list[bool]) -> R.ModelScores:
    idx = pd.bdate_range("2024-01-01", periods=len(values), name="date")
    frame = pd.DataFrame(values, index=idx, columns=["A", "B", "C"])
    return R.ModelScores(name, frame, pd.Series(covered, index=idx))


def test_blend_hand_case_and_uncovered_model_drops_out() -> None:
    m1 = _scores("m1", [[0.1, 0.9, np.nan], [0.1, 0.9, np.nan]], [True, True])
    m2 = _scores("m2", [[np.nan, 0.2, 0.8], [np.nan, np.nan, np.nan]], [True, False])
    out = R.blend_scores([m1, m2])
    # day 1: m1 ranks A .5 B 1 C 0; m2 A 0 B .5 C 1 -> means .25 .75 .5
    np.testing.assert_allclose(out.score.iloc[0], [0.25, 0.75, 0.5])
    np.testing.assert_allclose(out.score.iloc[1, :2], [0.5, 1.0])
    assert np.isnan(out.score.iloc[1, 2])


def test_weights_equal_score_and_fewer_than_k() -> None:
    s = _scores("m", [[0.2, 0.6, np.nan], [np.nan, np.nan, np.nan]], [True, True]).score
    eq = R.weights_from_scores(s, 2)
    np.testing.assert_allclose(eq.iloc[0], [0.5, 0.5, 0.0])
    np.testing.assert_allclose(R.weights_from_scores(s, 3).iloc[0], [1 / 3, 1 / 3, 0.0])
    sc = R.weights_from_scores(s, 2, "score")
    np.testing.assert_allclose(sc.iloc[0], [0.25, 0.75, 0.0])
    assert (eq.iloc[1] == 0).all() and (sc.iloc[1] == 0).all()


def test_etf_codes_from_map() -> None:
    etf_map = pd.DataFrame({"etf_code": ["588200", "589100", "159309"],
                            "sw_code": ["801080", "801080", "801960"]})
    assert R.etf_codes("801080", etf_map) == ["588200", "589100"]
    assert R.etf_codes("801010", etf_map) == []


# ---------------------------------------------------------------- bad input

def test_unknown_model_suggests_close_match() -> None:
    data = R.IndustryData(_panel({"A": [1.0, 2.0]}))
    with pytest.raises(UnknownNameError, match="Did you mean 'trend'"):
        R.model_scores("trnd", data)


def test_unknown_industry_code() -> None:
    with pytest.raises(UnknownNameError, match="801950"):
        R.check_codes(["801959"], ["801950", "801960"])


def test_k_larger_than_universe() -> None:
    s = _scores("m", [[0.2, 0.6, 0.1]], [True]).score
    with pytest.raises(R.RotationParamError, match="k=4 is larger than the universe of 3"):
        R.weights_from_scores(s, 4)


def test_all_industries_nan_on_a_date() -> None:
    close = _panel({"A": [1.0, np.nan, 1.2], "B": [2.0, np.nan, 2.1]})
    data = R.IndustryData(close)
    with pytest.raises(DataValidationError, match="every industry's close is NaN"):
        R.resolve_date(data, close.index[1])
    assert R.resolve_date(data, None) == close.index[-1]
    with pytest.raises(DataValidationError, match="before the data"):
        R.resolve_date(data, "2000-01-01")


@pytest.mark.parametrize("bad", [pd.Series([1.0]), pd.DataFrame({"A": [1.0, -1.0]})])
def test_bad_close_frames(bad: object) -> None:
    with pytest.raises(DataValidationError):
        R.IndustryData(bad)  # type: ignore[arg-type]


def test_earnings_without_pe_and_two_beta_without_sleeves() -> None:
    data = R.IndustryData(_panel({"A": [1.0, 2.0]}))
    with pytest.raises(DataValidationError, match="needs pe_ttm"):
        R.earnings_scores(data)
    with pytest.raises(R.RotationParamError, match="sleeve industries"):
        R.two_beta_scores(data)


def test_rolling_beta_moments_equal_statsmodels() -> None:
    """The vectorised rolling-moment beta equals statsmodels RollingOLS on gap-free columns
    (late start included) and a per-window statsmodels OLS fit around a gap, where RollingOLS'
    missing='skip' would instead stretch the window over the missing days."""
    import statsmodels.api as sm

    from quantlib.rotation.two_beta import rolling_beta

    rng = np.random.default_rng(11)
    idx = pd.bdate_range("2020-01-01", periods=400)
    market = pd.Series(rng.normal(0, 0.01, 400), index=idx)
    returns = pd.DataFrame({c: 0.8 * i * market + rng.normal(0, 0.01, 400)
                            for i, c in enumerate(["a", "b", "c"], start=1)}, index=idx)
    returns.iloc[:50, 1] = np.nan  # starts late
    returns.iloc[200:203, 2] = np.nan  # a gap
    fast = rolling_beta(returns, market, 60)
    slow = rolling_beta(returns[["a", "b"]], market, 60, method="statsmodels")
    pd.testing.assert_frame_equal(fast[["a", "b"]].isna(), slow.isna())
    np.testing.assert_allclose(fast[["a", "b"]].to_numpy(), slow.to_numpy(), rtol=0, atol=1e-12)
    assert fast["b"].first_valid_index() == idx[50 + 59]
    # column c: NaN while the 60-day window touches the gap (days 200..262), then OLS per window
    assert fast["c"].iloc[200:262].isna().all() and fast["c"].iloc[[199, 262]].notna().all()
    for t in (199, 262, 300, 399):
        window = slice(t - 59, t + 1)
        fit = sm.OLS(returns["c"].to_numpy()[window],
                     sm.add_constant(market.to_numpy()[window])).fit()
        assert fast["c"].iloc[t] == pytest.approx(fit.params[1], abs=1e-12)
