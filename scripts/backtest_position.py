"""Backtest the valuation position model against buy-and-hold and pure timing, 2015 to date.

Usage: ``python scripts/backtest_position.py [--markdown] [--end YYYY-MM-DD]``

Strategies (all on WIND All A, decided at a close, traded at the next close by the engine):

* ``valuation_position``: strategies/valuation_position.py (weekly, regime x valuation table);
* ``table_regime_only``: the same weekly table with the valuation class fixed at ``normal``
  (80/50/20): what the valuation dimension adds;
* ``ma_distance_timing``: pure timing, strategies/ma_distance_timing.py (100/50/0 by regime,
  rows on change);
* ``buy_and_hold``: 100% from the first decision day.

Costs: commission 2.5 bps both sides, no minimum, no stamp duty or transfer fee (an index/ETF
sleeve). Cash earns ``DEFAULT_RISK_FREE_RATE`` (1.5%/yr) accrued daily on the cash share
(``cash_rate`` in the engine); Sharpe uses the same rate. Alpha: HAC (Newey-West)
regression of daily excess returns on buy-and-hold's (``quantlib.metrics.alpha_beta``).
Data: WIND All A is real Wind data to 2024-12-12 and a proxy extension after; PE/PB are proxies.
"""

from __future__ import annotations

import argparse

import pandas as pd

from quantlib import metrics
from quantlib.backtest import CostModel, Market, run
from quantlib.data import load
from quantlib.periods import DEFAULT_RISK_FREE_RATE
from quantlib.schedules import week_ends
from quantlib.strategies import resolve

POSITION = resolve("valuation_position")[0]
TIMING = resolve("ma_distance_timing")[0]
UNIVERSE = (POSITION.asset,)
FEATURES = ("pe_ttm", "pb_median")

START = "2015-01-01"
COSTS = CostModel(commission_rate=0.00025, min_commission_cny=0.0, transfer_fee_rate=0.0,
                  stamp_duty_schedule=())
MARKET = Market(assets=pd.DataFrame({"kind": ["index"]}, index=list(UNIVERSE)))


def inputs(end: str | None = None) -> pd.DataFrame:
    """WIND All A close and the raw PE/PB columns (NaN where the source has no row)."""
    wind = load("wind_all_a", end=end, columns=["close"])["close"]
    pe = load("csi_all_share", end=end, columns=["pe_ttm"])["pe_ttm"]
    pb = load("all_a_pb", end=end)["pb_median"]
    frame = pd.DataFrame({UNIVERSE[0]: wind})
    frame[FEATURES[0]], frame[FEATURES[1]] = pe.reindex(wind.index), pb.reindex(wind.index)
    return frame


def _data(strategy, frame: pd.DataFrame):
    return strategy.data_from({"close": frame[UNIVERSE[0]], "pe": frame[FEATURES[0]],
                               "pb": frame[FEATURES[1]]})


def all_weights(frame: pd.DataFrame, p: dict | None = None) -> dict[str, pd.DataFrame]:
    """Weights of every compared strategy, all starting at the model's first decision day."""
    p = POSITION.resolve_params(p)
    model = POSITION.target_weights(_data(POSITION, frame), p).loc[START:]
    first = model.index[0]
    timing = TIMING.target_weights(_data(TIMING, frame), TIMING.resolve_params())
    # pure timing holds, on the first day, the weight its last change before it set
    daily = timing.reindex(frame.index).ffill().loc[first:]
    timing = daily[daily[UNIVERSE[0]].ne(daily[UNIVERSE[0]].shift(1))]
    hold = pd.DataFrame({UNIVERSE[0]: [1.0]}, index=[first])
    return {"valuation_position": model, "table_regime_only": _regime_only(frame, p, first),
            "ma_distance_timing": timing, "buy_and_hold": hold}


def _regime_only(frame: pd.DataFrame, p, first: pd.Timestamp) -> pd.DataFrame:
    from quantlib.valuation import position, position_state

    close = frame[UNIVERSE[0]].dropna()
    state = position_state(close, frame[FEATURES[0]], frame[FEATURES[1]],
                           POSITION.model(p))
    weekly = state["regime"].reindex(week_ends(close.index)).loc[first:]
    pos = position(weekly.dropna(), pd.Series("normal", index=weekly.dropna().index))
    return pos.to_frame(UNIVERSE[0])


def backtest(frame: pd.DataFrame, p: dict | None = None) -> dict[str, pd.Series]:
    """Daily returns (cash interest in the engine) and exposure per strategy, from the first
    decision."""
    weights = all_weights(frame, p)
    first = weights["valuation_position"].index[0]
    prices = frame[[UNIVERSE[0]]].loc[first:]
    out = {}
    for name, w in weights.items():
        res = run(prices, w, costs=COSTS, market=MARKET, cash_rate=DEFAULT_RISK_FREE_RATE)
        rets = res.returns
        out[name] = (rets.iloc[1:], res.exposure.iloc[1:], res.turnover.iloc[1:])
    return out


def table(results: dict[str, tuple[pd.Series, pd.Series, pd.Series]]) -> pd.DataFrame:
    """The comparison table: one row per strategy."""
    bench = results["buy_and_hold"][0]
    rows = {}
    for name, (rets, expo, turn) in results.items():
        ab = metrics.alpha_beta(rets, bench)
        rows[name] = {
            "total_return": metrics.total_return(rets),
            "annual_return": metrics.annual_return(rets),
            "annual_volatility": metrics.annual_volatility(rets),
            "sharpe": metrics.sharpe_ratio(rets),
            "max_drawdown": metrics.max_drawdown(rets),
            "calmar": metrics.calmar_ratio(rets),
            "avg_position": metrics.exposure(expo),
            "annual_turnover": metrics.turnover(turn),
            "alpha": ab["alpha"], "alpha_tstat_hac": ab["alpha_tstat"], "beta": ab["beta"],
        }
    return pd.DataFrame(rows).T


SENSITIVITY_RULES = ("mean_32.5_80", "mean_30_70", "mean_20_80", "pe_40_90", "pe_20_80",
                     "pb_20_80", "max_20_80", "min_20_80")


def rule_sensitivity(frame: pd.DataFrame) -> pd.DataFrame:
    """The model's headline metrics under each named class rule (same costs, cash, window)."""
    rows = {}
    for rule in SENSITIVITY_RULES:
        res = backtest(frame, {"rule": rule})
        rows[rule] = table({k: res[k] for k in ("valuation_position", "buy_and_hold")}).loc[
            "valuation_position", ["annual_return", "annual_volatility", "sharpe",
                                   "max_drawdown", "calmar", "avg_position", "alpha_tstat_hac"]]
    return pd.DataFrame(rows).T


def yearly(results: dict[str, tuple[pd.Series, pd.Series, pd.Series]]) -> pd.DataFrame:
    """Calendar-year returns per strategy."""
    rets = pd.DataFrame({k: v[0] for k, v in results.items()})
    return (1 + rets).groupby(rets.index.year).prod() - 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--end", default=None)
    ap.add_argument("--rules", action="store_true", help="also the class-rule sensitivity")
    args = ap.parse_args()
    frame = inputs(args.end)
    results = backtest(frame)
    first, last = results["buy_and_hold"][0].index[[0, -1]]
    tab, years = table(results), yearly(results)
    print(f"WIND All A, {first.date()} .. {last.date()} (returns from the first fill day)")
    if args.markdown:
        print(tab.to_markdown(floatfmt=".3f"))
        print()
        print(years.to_markdown(floatfmt=".3f"))
    else:
        with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
            print(tab.to_string())
            print()
            print(years.to_string())
    if args.rules:
        sens = rule_sensitivity(frame)
        print("\nvaluation_position by class rule")
        print(sens.to_markdown(floatfmt=".3f") if args.markdown else sens.to_string(
            float_format="{:.3f}".format))


if __name__ == "__main__":
    main()
