"""Backtest the MA-distance timing strategy on WIND All A against buy-and-hold.

Usage: ``python scripts/backtest_timing.py [--markdown]``

Periods: the whole bundled history (from the first day the 120-day MA exists, 1995-06-26, to the
last bundled day; after 2024-12-12 WIND All A is the proxy extension) and the real-Wind-only
period (to 2024-12-12). Variants: the final regime (break/exit rules on) with range weight 0.5,
the raw threshold regime, and range weight 0 / 1.

Execution: decided at the close, filled at the next close by the engine. Costs: 2.5 bps
commission both sides, no minimum, no stamp duty or transfer fee (an index/ETF sleeve). Cash
earns nothing here (a constant rate over 1995-2026 would be arbitrary); Sharpe uses a zero
risk-free rate for the same reason. Alpha/beta: HAC (Newey-West) regression on buy-and-hold.
"""

from __future__ import annotations

import argparse

import pandas as pd

from quantlib import metrics
from quantlib.backtest import CostModel, Market, run
from quantlib.data import load
from quantlib.strategies import resolve

COSTS = CostModel(commission_rate=0.00025, min_commission_cny=0.0, transfer_fee_rate=0.0,
                  stamp_duty_schedule=())
STRATEGY = resolve("ma_distance_timing")[0]
ASSET = STRATEGY.asset
MARKET = Market(assets=pd.DataFrame({"kind": ["index"]}, index=[ASSET]))
VARIANTS = {
    "timing (rules, range 0.5)": {},
    "timing (raw regime, range 0.5)": {"use_rules": False},
    "timing (rules, range 0)": {"range_weight": 0.0},
    "timing (rules, range 1)": {"range_weight": 1.0},
}
KEYS = ["total_return", "annual_return", "annual_volatility", "sharpe_ratio", "max_drawdown",
        "calmar_ratio", "annual_turnover", "mean_exposure", "alpha", "alpha_tstat", "beta"]


def compare(end: str | None = None) -> pd.DataFrame:
    """One row per strategy: the summary metrics over the period.

    Each strategy runs on its own (its weights rows are its own rebalance dates); all start on
    the first decision day, when buy-and-hold buys.
    """
    prices = load("wind_all_a", end=end, columns=["close"]).rename(columns={"close": ASSET})
    data = STRATEGY.data_from({"close": prices[ASSET]})
    weights = {name: STRATEGY.target_weights(data, STRATEGY.resolve_params(p))
               for name, p in VARIANTS.items()}
    first = min(w.index[0] for w in weights.values())
    prices = prices.loc[first:]
    bench = run(prices, pd.DataFrame({ASSET: [1.0]}, index=[first]), costs=COSTS, market=MARKET)
    rows = {name: metrics.summary(run(prices, w, costs=COSTS, market=MARKET),
                                  benchmark=bench.returns, risk_free=0.0)
            for name, w in weights.items()}
    rows["buy and hold"] = metrics.summary(bench, risk_free=0.0)
    return pd.DataFrame(rows).loc[KEYS].T


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    for label, end in (("whole history (proxy after 2024-12-12)", None),
                       ("real Wind data only (to 2024-12-12)", "2024-12-12")):
        table = compare(end).astype(float).round(4)
        print(f"## {label}\n")
        print(table.to_markdown() if args.markdown else table.to_string())
        print()


if __name__ == "__main__":
    main()
