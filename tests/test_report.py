"""quantlib.report units: weekly returns by hand, parameter parsing, manifests, monthly table,
HTML rendering, figures, the weights carried into a backtest window."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from quantlib.errors import DateRangeError, UnknownNameError
from quantlib.report import html, manifest, plots, tables
from quantlib.report.tearsheet import monthly_returns
from quantlib.report.weekly import week_return
from quantlib.runner import RunSpec, carry_in, window_bounds
from quantlib.runner import traded_weights as _traded_weights
from quantlib.strategies import BUILTIN, resolve
from quantlib.strategy import ParamError

STRATEGIES = {name: resolve(name)[0] for name in BUILTIN}


def _series(values: list[float], start: str = "2024-01-01") -> pd.Series:
    return pd.Series(values, index=pd.bdate_range(start, periods=len(values)), dtype=float)


def test_week_return_by_hand() -> None:
    # 2024-01-01 is a Monday: week 1 = Jan 1-5, week 2 = Jan 8-12
    close = _series([100, 101, 102, 103, 104, 110, 99, 105, 106, 108])
    r = week_return(close, pd.Timestamp("2024-01-10"))
    assert r == {"as_of": "2024-01-10", "base": "2024-01-05", "close": 105.0,
                 "week_return": pytest.approx(105 / 104 - 1, rel=1e-15)}
    # a Sunday reports the week that ended on the Friday before
    assert week_return(close, pd.Timestamp("2024-01-14"))["base"] == "2024-01-05"
    assert week_return(close, pd.Timestamp("2024-01-14"))["as_of"] == "2024-01-12"
    assert week_return(close, pd.Timestamp("2024-01-03")) is None  # no week before
    assert week_return(close, pd.Timestamp("2023-12-01")) is None


def test_week_return_skips_missing_days() -> None:
    close = _series([100, 101, np.nan, 103, 104, 110, 99, np.nan])
    r = week_return(close, pd.Timestamp("2024-01-10"))
    assert r["as_of"] == "2024-01-09" and r["week_return"] == pytest.approx(99 / 104 - 1)


def test_unknown_strategy_suggests_close_matches() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'ma_distance_timing'"):
        resolve("ma_distance_timin")


@pytest.mark.parametrize(("pairs", "expected"), [
    (["k=3"], {"k": 3}),
    (["model=blend", "weighting=score"], {"model": "blend", "weighting": "score"}),
], ids=["int", "str"])
def test_parse_params_rotation(pairs: list[str], expected: dict) -> None:
    assert STRATEGIES["industry_rotation"].parse_params(pairs) == expected


def test_parse_params_types() -> None:
    timing = STRATEGIES["ma_distance_timing"]
    got = timing.parse_params(["threshold=0.05", "use_rules=false", "short= 10"])
    assert got == {"threshold": 0.05, "use_rules": False, "short": 10}
    assert type(got["threshold"]) is float and type(got["short"]) is int
    pos = STRATEGIES["valuation_position"]
    assert pos.parse_params(["window=none"]) == {"window": None}
    assert pos.parse_params(["window=500"]) == {"window": 500}


@pytest.mark.parametrize(("pair", "match"), [
    ("short=abc", "takes int, got 'abc'"),
    ("short=2.5", "takes int"),
    ("use_rules=maybe", "takes bool"),
    ("threshold=nan", "takes float"),
    ("short", "not of the form name=value"),
], ids=["text-for-int", "float-for-int", "bad-bool", "nan", "no-equals"])
def test_parse_params_rejects_wrong_types(pair: str, match: str) -> None:
    with pytest.raises(ParamError, match=match):
        STRATEGIES["ma_distance_timing"].parse_params([pair])


def test_unknown_parameter_suggests_close_matches() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'threshold'"):
        STRATEGIES["ma_distance_timing"].parse_params(["treshold=0.02"])


def test_resolve_params_fills_defaults_and_checks_types_and_bounds() -> None:
    timing = STRATEGIES["ma_distance_timing"]
    full = timing.resolve_params({"short": 10})
    assert full.as_dict() == {"short": 10, "long": 120, "threshold": 0.03, "trend_method": "sma",
                              "trend_window": 20, "range_weight": 0.5, "use_rules": True}
    assert type(timing.resolve_params({"short": 10.0}).short) is int  # ints stay ints
    with pytest.raises(ParamError, match="takes int"):
        timing.resolve_params({"short": "10"})
    with pytest.raises(ParamError, match="takes bool"):
        timing.resolve_params({"use_rules": 1})
    with pytest.raises(ParamError, match="must be <= 1"):
        timing.resolve_params({"range_weight": 1.5})
    with pytest.raises(ParamError, match="short must be shorter than long"):
        timing.resolve_params({"short": 120})
    with pytest.raises(ParamError, match="must be one of"):
        timing.resolve_params({"trend_method": "hull"})


def test_describe_lists_types_defaults_and_bounds() -> None:
    rows = {r["name"]: r for r in STRATEGIES["valuation_position"].describe()["params"]}
    assert rows["window"]["type"] == "int | None" and rows["window"]["default"] == "None"
    assert rows["window"]["bounds"] == "[20, ]"
    assert rows["rule"]["default"] == "'mean_32.5_80'"


def test_monthly_returns_by_hand() -> None:
    idx = pd.DatetimeIndex(["2024-01-30", "2024-01-31", "2024-02-01", "2025-03-03"])
    r = pd.Series([0.1, -0.1, 0.02, 0.05], index=idx)
    table = monthly_returns(r)
    assert table.loc[2024, 1] == pytest.approx(1.1 * 0.9 - 1)
    assert table.loc[2024, 2] == pytest.approx(0.02)
    assert np.isnan(table.loc[2024, 3])
    assert table.loc[2024, "year"] == pytest.approx(1.1 * 0.9 * 1.02 - 1)
    assert table.loc[2025, "year"] == pytest.approx(0.05)
    assert list(table.columns) == [*range(1, 13), "year"]


def test_traded_weights_carry_the_target_in_force_into_the_window() -> None:
    days = pd.bdate_range("2024-01-01", periods=10)
    weights = pd.DataFrame({"a": [1.0, 0.0, 0.5]}, index=days[[0, 3, 7]])
    prices = pd.DataFrame({"a": np.arange(10.0) + 1}, index=days).iloc[5:9]
    got = _traded_weights(weights, prices)
    assert list(got.index) == [days[5], days[7]]
    assert list(got["a"]) == [0.0, 0.5]


def test_window_names_the_warm_up() -> None:
    days = pd.bdate_range("2024-01-01", periods=200)
    first = days[119]
    with pytest.raises(DateRangeError, match=r"before ma_distance_timing's first decision on "
                       r"2024-06-14.*warm-up.*--start 2024-06-14"):
        window_bounds(days, first, "2024-01-03", None, "ma_distance_timing")
    with pytest.raises(DateRangeError, match="after the last price"):
        window_bounds(days, first, "2030-01-01", None, "x")
    with pytest.raises(DateRangeError, match="before start"):
        window_bounds(days, first, "2024-09-02", "2024-08-01", "x")
    with pytest.raises(DateRangeError, match="at least 2"):
        window_bounds(days, first, "2024-09-02", "2024-09-02", "x")
    assert window_bounds(days, first, None, None, "x") == (119, 199)


def test_carry_in_matches_traded_weights_by_hand() -> None:
    """Dense NaN-hold rows (the sweep's form) carry in the same target as the frame form."""
    days = pd.bdate_range("2024-01-01", periods=10)
    dense = np.full((10, 2, 1), np.nan)
    dense[[0, 3, 7], 0, 0] = [1.0, 0.0, 0.5]  # combination 0: decisions on bars 0, 3, 7
    dense[[6], 1, 0] = [0.4]  # combination 1: first decides on bar 6
    got = carry_in(dense, 5, 8)
    # bar 5: combination 0 carries bar 3's 0.0; combination 1 has no decision yet (NaN)
    np.testing.assert_array_equal(got[:, 0, 0], [0.0, np.nan, 0.5, np.nan])
    np.testing.assert_array_equal(got[:, 1, 0], [np.nan, 0.4, np.nan, np.nan])
    frame = pd.DataFrame({"a": [1.0, 0.0, 0.5]}, index=days[[0, 3, 7]])
    tw = _traded_weights(frame, pd.DataFrame({"a": 1.0}, index=days[5:9]))
    assert list(tw["a"]) == [0.0, 0.5] and list(tw.index) == [days[5], days[7]]


def _manifest() -> dict:
    spec = RunSpec("ma_distance_timing", {"short": 20}, "2020-01-02", "2020-12-31",
                   "next_close", {"commission_rate": 0.00025, "min_commission_cny": 0.0,
                                  "transfer_fee_rate": 0.0, "slippage_bps": 0.0,
                                  "stamp_duty_schedule": (("1900-01-01", 0.001),),
                                  "stamp_duty_buy_schedule": ()}, 0.015)
    data = manifest.data_hashes(["wind_all_a"])
    return manifest.build_manifest(spec, datasets=data, packages=manifest.package_versions(),
                                   command="quantlib backtest ...", outputs={"a.csv": "00"})


def test_manifest_round_trips_the_spec() -> None:
    m = _manifest()
    spec = manifest.spec_from_manifest(m)
    assert spec.strategy == "ma_distance_timing" and spec.start == "2020-01-02"
    assert m["costs"]["stamp_duty_schedule"] == [["1900-01-01", 0.001]]
    assert spec.cost_model().stamp_duty_schedule == (("1900-01-01", 0.001),)
    assert set(manifest.PACKAGES) <= set(m["packages"])
    manifest.check_data(m, manifest.data_hashes(["wind_all_a"]))  # same data: no error


def test_manifest_refuses_changed_data_and_names_the_dataset() -> None:
    m = _manifest()
    current = manifest.data_hashes(["wind_all_a"])
    current["wind_all_a"]["sha256"] = "f" * 64
    with pytest.raises(manifest.DataMismatchError, match="dataset 'wind_all_a' differs"):
        manifest.check_data(m, current)
    with pytest.raises(manifest.DataMismatchError, match="now missing"):
        manifest.check_data(m, {})


def test_manifest_errors() -> None:
    m = _manifest()
    with pytest.raises(manifest.ManifestError, match="manifest_version"):
        manifest.spec_from_manifest({**m, "manifest_version": 99})
    broken = {k: v for k, v in m.items() if k != "params"}
    with pytest.raises(manifest.ManifestError, match="lacks the field 'params'"):
        manifest.spec_from_manifest(broken)
    assert manifest.package_warnings(m, {**m["packages"], "numpy": "0.0"}) == [
        f"numpy is 0.0 here, {m['packages']['numpy']} in the manifest: digits may differ"]


def test_render_fails_on_a_missing_key() -> None:
    assert html.render("<p>$a</p>", {"a": "x"}) == "<p>x</p>"
    with pytest.raises(KeyError):
        html.render("<p>$a $b</p>", {"a": "x"})


def test_templates_have_no_remote_resources() -> None:
    for name in ("tearsheet.html", "weekly.html"):
        text = html.template_text(name)
        assert "http" not in text and "<script" not in text


def test_figures_are_figures_and_png() -> None:
    days = pd.bdate_range("2020-01-01", periods=300)
    r = pd.Series(np.sin(np.arange(300)) / 100, index=days)
    eq = (1 + r).cumprod()
    regime = pd.Series(np.where(np.arange(300) % 90 < 30, "up", "range"), index=days)
    w = pd.DataFrame({"a": 0.5, "b": np.where(np.arange(300) > 100, 0.3, 0.0)}, index=days)
    figs = [plots.equity_figure(eq, eq * 0.9), plots.drawdown_figure(eq / eq.cummax() - 1),
            plots.weights_figure(w, regime), plots.monthly_heatmap_figure(monthly_returns(r))]
    assert all(isinstance(f, Figure) for f in figs)
    # what is drawn: the two equity curves point for point, one heatmap cell per month
    lines = figs[0].axes[0].lines
    np.testing.assert_array_equal(lines[0].get_ydata(), eq.to_numpy())
    # the benchmark is rebased to 1 on the first day: 0.9 x eq / 0.9 is eq again
    np.testing.assert_allclose(lines[1].get_ydata(), eq.to_numpy(), rtol=1e-15)
    cells = [t.get_text() for t in figs[3].axes[0].texts]
    jan = float(np.prod(1 + r.loc["2020-01"]) - 1)  # 23 business days of sin(t) / 100
    assert len(cells) == 14 and cells[0] == f"{100 * jan:.1f}" == "1.8"  # Jan 2020 .. Feb 2021
    png = html.figure_png(figs[0], dpi=40)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert html.png_data_uri(b"abc") == "data:image/png;base64,YWJj"


def test_metrics_table_formats() -> None:
    m = pd.DataFrame({"strategy": {"annual_return": 0.1234, "sharpe_ratio": 1.234,
                                   "start": pd.Timestamp("2020-01-02"), "alpha": np.nan,
                                   "annual_volatility": 0.2}})
    got = tables.metrics_table(m)["strategy"].to_dict()
    # returns are signed (so the page colours them up/down); volatility is a level
    assert got == {"annual return": "+12.34%", "Sharpe ratio": "1.23", "start": "2020-01-02",
                   "alpha (annual)": "-", "annual volatility": "20.00%"}
    zh = tables.metrics_table(m, "zh")["策略"].to_dict()
    assert zh == {"年化收益": "+12.34%", "夏普比率": "1.23", "开始日期": "2020年1月2日",
                  "年化超额收益 (alpha)": "-", "年化波动率": "20.00%"}
    cells = tables.html_table(tables.metrics_table(m, "zh"))
    assert '<td class="pos">+12.34%</td>' in cells and "<td>20.00%</td>" in cells


def test_trades_table_unit_portfolio_shows_share_of_equity_and_names() -> None:
    """At unit capital the fills' share counts are meaningless fractions (0.000129 of an
    index), so the table shows value and cost as a share of that day's equity, by hand:
    0.5 / 2.0 = 25.00%, 0.00025 / 2.0 = 0.0125%; names come before codes."""
    from quantlib.report.tables import trades_table

    days = pd.to_datetime(["2024-01-02", "2024-01-03"])
    trades = pd.DataFrame({"date": days, "asset": ["801050", "999999"], "side": ["buy", "sell"],
                           "shares": [0.000129, 0.0001], "price": [1515.3673, 10.0],
                           "value": [0.5, 0.3], "cost": [0.00025, 0.0003]})
    equity = pd.Series([2.0, 1.5], index=days)
    got = trades_table(trades, lang="zh", names={"801050": "有色金属"}, equity=equity)
    assert list(got.columns) == ["日期", "标的", "方向", "价格", "金额（占净值）", "费用（占净值）"]
    assert got.iloc[0].tolist() == ["2024年1月2日", "有色金属 801050", "买入", "1515.3673",
                                    "25.00%", "0.0125%"]
    assert got.iloc[1].tolist() == ["2024年1月3日", "999999", "卖出", "10.0000", "20.00%",
                                    "0.0200%"]
    cny = trades_table(trades.assign(shares=[1200.0, 300.0], value=[18184.41, 3000.0],
                                     cost=[5.0, 5.0]), cny=True, lang="en")
    assert list(cny.columns) == ["date", "asset", "side", "shares", "price", "value (CNY)",
                                 "cost (CNY)"]
    assert cny.iloc[0].tolist()[3:] == ["1,200", "1515.37", "18,184.41", "5.00"]
