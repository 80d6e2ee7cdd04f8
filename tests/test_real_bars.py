"""Rules and engine on real unadjusted A-share bars (tests/fixtures/ashare_bars, see SOURCE.md).

Limit prices here are recomputed with exact decimal ROUND_HALF_UP, independently of
``rules.limit_prices``; the bands are the rules' (that is what is under test against the real
closes: no real close may lie outside a band the rules apply).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quantlib import backtest as bt
from quantlib.backtest.rules import AssetInfo, limit_bands

BARS = pd.read_csv(Path(__file__).parent / "fixtures" / "ashare_bars" / "key_days.csv",
                   parse_dates=["date"], dtype={"code": str})
#: First trading days, from the first row of each stock in shared/ (listed after its start).
LIST_DATES = {"sz.300879": "2020-09-01", "sz.300594": "2019-06-21", "sz.001209": "2021-07-23",
              "sh.688041": "2022-08-12"}
RELISTING = [("sz.000792", "2021-08-10")]


def limit_price(preclose: float, band: float) -> float:
    exact = Decimal(f"{preclose:.4f}") * (1 + Decimal(f"{band:.4f}"))
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def panel() -> tuple[pd.DataFrame, bt.Market]:
    wide = {f: BARS.pivot(index="date", columns="code", values=f)
            for f in ("open", "close", "preclose", "tradestatus", "isST")}
    close = wide["close"]
    assets = pd.DataFrame({"kind": "stock",
                           "list_date": pd.to_datetime(pd.Series(LIST_DATES))}
                          ).reindex(close.columns)
    assets["kind"] = "stock"
    free = pd.DataFrame(False, close.index, close.columns)
    for code, day in RELISTING:
        free.loc[pd.Timestamp(day), code] = True
    listed = close.notna()
    factor = (close.ffill().shift(1) / wide["preclose"]).where(listed).fillna(1.0).cumprod()
    return close, bt.Market(open=wide["open"], preclose=wide["preclose"],
                            tradestatus=wide["tradestatus"], is_st=wide["isST"].fillna(0) == 1,
                            limit_free=free, assets=assets, adj_factor=factor)


def bands(close: pd.DataFrame, market: bt.Market) -> tuple[np.ndarray, np.ndarray]:
    info = AssetInfo.from_frame(market.assets, close.columns)
    up, down = limit_bands(close.index, info, market.is_st.to_numpy())
    free = market.limit_free.to_numpy()
    return np.where(free, np.inf, up), np.where(free, np.inf, down)


def test_every_real_close_outside_the_band_is_a_limit_free_day():
    close, market = panel()
    up, down = bands(close, market)
    c, pre = close.to_numpy(), market.preclose.to_numpy()
    status = market.tradestatus.to_numpy()
    outside, free_big = [], []
    for r, a in np.argwhere(~np.isnan(c) & (status == 1)):
        hi = np.inf if np.isinf(up[r, a]) else limit_price(pre[r, a], up[r, a])
        lo = -np.inf if np.isinf(down[r, a]) else limit_price(pre[r, a], -down[r, a])
        if not lo - 1e-9 <= c[r, a] <= hi + 1e-9:
            outside.append((close.columns[a], close.index[r]))
        if abs(c[r, a] / pre[r, a] - 1) > 0.2005 and np.isinf(up[r, a]):
            free_big.append((close.columns[a], str(close.index[r].date())))
    assert outside == []
    # the real limit-free days are there and the rules call them free: relisting and IPOs
    codes = {c for c, _ in free_big}
    assert {"sz.000792", "sz.300879", "sh.688041"} <= codes
    # first day +44% of the issue price (= preclose) for main board and old ChiNext IPOs
    for code, day in (("sz.001209", "2021-07-23"), ("sz.300594", "2019-06-21")):
        row = BARS[(BARS.code == code) & (BARS.date == day)].iloc[0]
        assert row.close == limit_price(row.preclose, 0.44)
        j, r = close.columns.get_loc(code), close.index.get_loc(pd.Timestamp(day))
        assert up[r, j] == 0.44 and down[r, j] == 0.36
    # ST main board 5% and ChiNext 20% closes exist in the sample and sit on their limits
    st = BARS[(BARS.code == "sz.000005") & (BARS.isST == 1) & (BARS.tradestatus == 1)]
    assert any(abs(r.close - limit_price(r.preclose, -0.05)) < 1e-9 for r in st.itertuples())
    cy = BARS[(BARS.code == "sz.300003")]
    assert (cy.close / cy.preclose - 1).abs().max() > 0.15


def _random_weights(close: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    w = rng.random(close.shape) * rng.integers(0, 2, close.shape) * close.notna().to_numpy()
    return pd.DataFrame(w / np.maximum(w.sum(axis=1, keepdims=True), 1.0) * 0.95,
                        close.index, close.columns)


@pytest.mark.parametrize("fill", ["next_close", "next_open"])
def test_no_fill_at_a_limit_or_on_a_suspended_day_on_real_bars(fill):
    close, market = panel()
    up, down = bands(close, market)
    fill_px = close if fill == "next_close" else market.open
    pre = market.preclose
    blocked_when_on = 0
    for seed in range(4):
        weights = _random_weights(close, seed)
        res = bt.run(close, weights, fill=fill, init_cash=1e7, market=market,
                     record_trades=True)
        off = bt.run(close, weights, fill=fill, init_cash=1e7, market=market,
                     rules=bt.Rules(price_limits=False, suspension=False), record_trades=True)
        for trades, check in ((res.trades, True), (off.trades, False)):
            for t in trades.itertuples():
                r, j = close.index.get_loc(t.date), close.columns.get_loc(t.asset)
                px, p0 = fill_px.iat[r, j], pre.iat[r, j]
                at_up = np.isfinite(up[r, j]) and px >= limit_price(p0, up[r, j]) - 1e-9
                at_down = np.isfinite(down[r, j]) and px <= limit_price(p0, -down[r, j]) + 1e-9
                halted = market.tradestatus.iat[r, j] != 1
                bad = (t.side == "buy" and at_up) or (t.side == "sell" and at_down) or halted
                if check:
                    assert not bad, t
                else:
                    blocked_when_on += bad
    assert blocked_when_on > 0  # without the rules the same orders do fill at limits


def test_ex_dividend_equity_matches_adjusted_run_within_the_dividend_cash():
    # 000001 (Ping An Bank) ex-date 2024-06-14: preclose 10.08, previous close 10.80
    bars = BARS[BARS.code == "sz.000001"].set_index("date")
    close = bars[["close"]].rename(columns={"close": "sz.000001"})
    factor = (close["sz.000001"].shift(1) / bars["preclose"]).fillna(1.0).cumprod()
    ex = pd.Timestamp("2024-06-14")
    assert factor[ex] / factor[ex - pd.offsets.BDay(1)] == pytest.approx(10.80 / 10.08)
    weights = pd.DataFrame({"sz.000001": [1.0]}, index=close.index[:1])
    kw = dict(costs=bt.CostModel.frictionless(), rules=bt.Rules.none())
    stock = pd.DataFrame({"kind": ["stock"]}, index=close.columns)
    raw = bt.run(close, weights, market=bt.Market(assets=stock, adj_factor=factor.to_frame(
        "sz.000001"), preclose=bars[["preclose"]].rename(columns={"preclose": "sz.000001"})),
        **kw)
    adjusted = bt.run(close.mul(factor, axis=0), weights, market=bt.Market(assets=stock), **kw)
    np.testing.assert_allclose(raw.equity.to_numpy(), adjusted.equity.to_numpy(), rtol=1e-12)
    # Without the factor the raw run loses the dividend (0.72 CNY a share = 10.80 - 10.08):
    # the factor run holds those 0.72 reinvested at the reference price 10.08, worth
    # shares x 0.72 / 10.08 x close on the ex-date.
    plain = bt.run(close, weights, market=bt.Market(assets=stock), **kw)
    shares = float(plain.shares.loc[ex - pd.offsets.BDay(1), "sz.000001"])
    gap = adjusted.equity[ex] - plain.equity[ex]
    assert gap == pytest.approx(shares * 0.72 / 10.08 * close.loc[ex, "sz.000001"], rel=1e-9)
