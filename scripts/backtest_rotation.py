"""Backtest the industry-rotation models against the equal-weight 31-industry portfolio.

Usage: ``python scripts/backtest_rotation.py [--k 5] [--weighting equal] [--markdown]``

Every strategy holds Shenwan level-1 *indices* (no ETF has enough bundled history; see
docs/rotation.md), is decided at the close of the last trading day of each week
(strategies/industry_rotation.py) and traded at the next close by the engine. The benchmark
``equal_weight_31`` holds 1/31 of every industry, rebalanced on the same weekly dates.

Windows: 2015-01-01 to the last bundled day (2026-02-26) for trend, two_beta, reversal and the
blend; the earnings model only to 2022-09-30 (its PE data ends 2022-08-31) and is compared with
the equal-weight portfolio over that same window.

Costs: commission 2.5 bps per side, no minimum, no stamp duty or transfer fee (index/ETF
trading), plus ``--slippage-bps`` (default 5) against the trader on every fill. Cash earns
nothing. Alpha/beta: HAC regression of daily excess returns on the benchmark's
(``quantlib.metrics.alpha_beta``); Sharpe with the 1.5% default risk-free rate.
"""

from __future__ import annotations

import argparse

import pandas as pd

from quantlib import metrics
from quantlib.backtest import CostModel, Market, run
from quantlib.data import load
from quantlib.schedules import week_ends
from quantlib.strategies import resolve

START = "2015-01-01"
EARNINGS_END = "2022-09-30"
MODELS = ("trend", "two_beta", "earnings", "reversal", "blend")


def costs(slippage_bps: float) -> CostModel:
    """Index/ETF trading costs: 2.5 bps commission, slippage, no stamp duty."""
    return CostModel(commission_rate=0.00025, min_commission_cny=0.0, transfer_fee_rate=0.0,
                     stamp_duty_schedule=(), slippage_bps=slippage_bps)


def equal_weight(close: pd.DataFrame, first: pd.Timestamp) -> pd.DataFrame:
    """1/n of every industry with a price, on every week end from ``first``."""
    days = week_ends(close.index)
    days = days[days >= first]
    listed = close.loc[days].notna()
    return listed.div(listed.sum(axis=1), axis=0).astype("float64")


def backtest(close: pd.DataFrame, weights: pd.DataFrame, end: str | None,
             slippage_bps: float) -> pd.Series:
    """Daily returns of ``weights`` on ``close`` from the first weights row to ``end``."""
    prices = close.loc[weights.index[0]:end]
    market = Market(assets=pd.DataFrame({"kind": "index"}, index=prices.columns))
    result = run(prices, weights.loc[:end], costs=costs(slippage_bps), market=market)
    return result


def table(close: pd.DataFrame, pe: pd.DataFrame, p_k: int, weighting: str,
          slippage_bps: float) -> pd.DataFrame:
    """One row per model (and its equal-weight benchmark over the same window)."""
    rows = {}
    rotation = resolve("industry_rotation")[0]
    data = rotation.data_from({"close": close, "pe_ttm": pe, "market": close.iloc[:, 0]})
    for model in MODELS:
        p = rotation.resolve_params({"model": model, "k": p_k, "weighting": weighting})
        w = rotation.target_weights(data, p).loc[START:]
        end = EARNINGS_END if model == "earnings" else None
        strat = backtest(close, w, end, slippage_bps)
        bench = backtest(close, equal_weight(close, w.index[0]), end, slippage_bps)
        rows[model] = _row(strat, bench)
        if model in ("trend", "earnings"):
            rows[f"equal_weight_31 ({'to 2022-09' if end else 'full'})"] = _row(bench, None)
    return pd.DataFrame(rows).T


def _row(result, bench) -> dict[str, object]:
    """Metrics of ``result``; relative ones against ``bench`` (None: the benchmark itself)."""
    if bench is None:
        s = metrics.summary(result)
        return {"start": s["start"].date(), "end": s["end"].date(),
                "ann_return": s["annual_return"], "ann_vol": s["annual_volatility"],
                "sharpe": s["sharpe_ratio"], "max_dd": s["max_drawdown"], "ann_excess": 0.0,
                "alpha": float("nan"), "alpha_t": float("nan"), "beta": 1.0,
                "years_beating_ew": "-", "turnover": s["annual_turnover"],
                "exposure": s["mean_exposure"]}
    s = metrics.summary(result, benchmark=bench.returns)
    yearly_excess = (result.returns - bench.returns).groupby(result.returns.index.year).sum()
    return {
        "start": s["start"].date(), "end": s["end"].date(),
        "ann_return": s["annual_return"], "ann_vol": s["annual_volatility"],
        "sharpe": s["sharpe_ratio"], "max_dd": s["max_drawdown"],
        "ann_excess": s["annual_return"] - metrics.annual_return(bench.returns),
        "alpha": s["alpha"], "alpha_t": s["alpha_tstat"], "beta": s["beta"],
        "years_beating_ew": f"{int((yearly_excess > 0).sum())}/{len(yearly_excess)}",
        "turnover": s["annual_turnover"], "exposure": s["mean_exposure"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--weighting", default="equal", choices=["equal", "score"])
    parser.add_argument("--slippage-bps", type=float, default=5.0)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    close = load("sw_l1", columns=["close"])["close"]
    pe = load("sw_l1_pe_ttm")["pe_ttm"]
    out = table(close, pe, args.k, args.weighting, args.slippage_bps)
    fmt = {c: "{:.2%}".format for c in ("ann_return", "ann_vol", "max_dd", "ann_excess",
                                         "alpha", "exposure")}
    fmt.update({c: "{:.2f}".format for c in ("sharpe", "alpha_t", "beta", "turnover")})
    shown = out.copy()
    for c, f in fmt.items():
        shown[c] = out[c].map(f)
    print(f"k={args.k}, weighting={args.weighting}, slippage {args.slippage_bps:g} bps")
    print(shown.to_markdown() if args.markdown else shown.to_string())


if __name__ == "__main__":
    main()
