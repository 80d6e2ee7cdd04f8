"""Parity on real stocks: the same stock-level weights through quantlib and akquant.

Usage::

    PYTHONPATH=. python benchmarks/akquant_stocks.py [--start 2023-09-01] [--end 2025-04-07]

Weights: the ``industry_stocks`` strategy's weekly targets (its defaults) on the window. Both
engines trade them at the close of the bar after each decision with 1,000,000 CNY, 100-share
lots, commission 2.5 bps (minimum 5 CNY), transfer fee 0.001%, sell-side stamp duty 0.05%
(the rate from 2023-08-28; akquant takes one rate, hence the default window starts after it),
no slippage, T+1 on. Suspended days (``tradestatus`` 0) are left out of akquant's bars, so
neither engine trades a suspended stock.

akquant: ``run_backtest(..., lot_size=100, t_plus_one=True, fill_policy=CurrentClose())``; the
orders are placed in ``on_cross_section`` of the fill day (all of the day's bars known), sells
before buys, with ``order_target_percent`` (its lot rounding: the share delta floored to whole
lots), so the portfolio value both engines size against is the fill day's close.

quantlib is run three times: with every A-share rule (price limits from preclose, dividends
and splits through ``adj_factor``), with ``Rules(price_limits=False)`` (akquant 0.3.71 has no
price limits) and, in addition, without ``adj_factor`` (akquant trades raw prices and books no
dividends). Steps between the runs: what limit days make, what dividends make; the last run
against akquant should differ only by engine conventions.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

INIT_CASH = 1_000_000.0
COMMISSION, MIN_COMMISSION, TRANSFER, STAMP = 0.00025, 5.0, 0.00001, 0.0005


def targets(start: str, end: str) -> tuple[pd.DataFrame, pd.DataFrame, object]:
    """The strategy's traded weights on the window, the raw closes and its Market."""
    from quantlib.runner import run_strategy

    run = run_strategy("industry_stocks", start=start, end=end, record_trades=False)
    held = run.weights.columns[(run.weights > 0).any()]
    return run.weights[held], run.prices[held], run.market


def quantlib_runs(weights: pd.DataFrame, prices: pd.DataFrame, market: object) -> dict:
    from quantlib.backtest import CostModel, Market, Rules, run

    costs = CostModel(commission_rate=COMMISSION, min_commission_cny=MIN_COMMISSION,
                      transfer_fee_rate=TRANSFER, slippage_bps=0.0,
                      stamp_duty_schedule=(("1900-01-01", STAMP),))
    cols = list(prices.columns)
    sub = Market(**{f: (getattr(market, f).reindex(columns=cols)
                        if f != "assets" else market.assets.loc[cols])
                    for f in ("open", "volume", "assets", "preclose", "tradestatus", "is_st",
                              "adj_factor", "limit_free")
                    if getattr(market, f, None) is not None})
    no_div = Market(**{f: getattr(sub, f) for f in ("open", "volume", "assets", "preclose",
                                                    "tradestatus", "is_st", "limit_free")})
    out = {}
    for label, rules, mkt in (("quantlib", Rules(), sub),
                              ("quantlib_no_limits", Rules(price_limits=False), sub),
                              ("quantlib_no_limits_no_dividends", Rules(price_limits=False),
                               no_div)):
        out[label] = run(prices, weights, init_cash=INIT_CASH, costs=costs, rules=rules,
                         market=mkt, record_trades=True)
    return out


def akquant_run(weights: pd.DataFrame, prices: pd.DataFrame, market: object) -> dict:
    import akquant as aq
    from akquant.backtest import CurrentClose

    logging.getLogger("akquant").setLevel(logging.ERROR)
    status = market.tradestatus.reindex(columns=prices.columns)
    frames = []
    for code in prices.columns:
        ok = (status[code] == 1) & prices[code].notna()
        c = prices.loc[ok, code]
        frames.append(pd.DataFrame({"date": c.index, "open": c.to_numpy(),
                                    "high": c.to_numpy(), "low": c.to_numpy(),
                                    "close": c.to_numpy(), "volume": 1e12, "symbol": code}))
    bars = pd.concat(frames, ignore_index=True).sort_values(["date", "symbol"])
    cal = prices.index
    fill_day = {cal[cal.get_loc(d) + 1]: w for d, w in weights.iterrows()
                if cal.get_loc(d) + 1 < len(cal)}

    class Replay(aq.Strategy):
        def on_cross_section(self, trading_date, timestamp):
            day = pd.Timestamp(trading_date)
            w = fill_day.get(day)
            if w is None:
                return
            px = prices.loc[day]
            held = {s: self.get_position(s) for s in prices.columns}
            value = float(self.cash) + sum(q * px[s] for s, q in held.items() if q)
            tradable = status.loc[day] == 1
            sells = [s for s in prices.columns if tradable[s]
                     and w[s] * value < held[s] * px[s]]
            buys = [s for s in prices.columns if tradable[s]
                    and w[s] * value > held[s] * px[s]]
            for s in sells + sorted(buys, key=lambda s: w[s] * value - held[s] * px[s]):
                self.order_target_percent(s, float(w[s]))

    res = aq.run_backtest(data=bars, strategy=Replay, symbols=list(prices.columns),
                          initial_cash=INIT_CASH, commission_rate=COMMISSION,
                          min_commission=MIN_COMMISSION, stamp_tax_rate=STAMP,
                          transfer_fee_rate=TRANSFER, lot_size=100, t_plus_one=True,
                          fill_policy=CurrentClose(), volume_limit_pct=1.0,
                          show_progress=False)
    orders = res.orders_df
    filled = orders[orders["status"] == "filled"]
    equity = res.equity_curve
    equity.index = pd.DatetimeIndex(equity.index).tz_localize(None).normalize()
    return {"equity": equity, "fills": filled, "rejected": orders[orders["status"] != "filled"]}


def report(start: str, end: str) -> dict:
    weights, prices, market = targets(start, end)
    ql = quantlib_runs(weights, prices, market)
    ak = akquant_run(weights, prices, market)
    rows = {}
    for label, r in ql.items():
        rows[label] = {"final_equity": float(r.equity.iloc[-1]), "fills": len(r.trades)}
    rows["akquant"] = {"final_equity": float(ak["equity"].iloc[-1]), "fills": len(ak["fills"])}
    table = pd.DataFrame(rows).T
    # where quantlib without limits and dividends (akquant has neither) and akquant disagree:
    # fills (date, asset, side, shares)
    t = ql["quantlib_no_limits_no_dividends"].trades
    mine = {(d.normalize(), a, s): q for d, a, s, q in
            zip(t["date"], t["asset"], t["side"], t["shares"], strict=True)}
    f = ak["fills"]
    when = pd.to_datetime(f["updated_at"]).dt.tz_localize(None).dt.normalize()
    theirs = {(d, a, s): q for d, a, s, q in
              zip(when, f["symbol"], f["side"], f["filled_quantity"], strict=True)}
    keys = sorted(set(mine) | set(theirs))
    diff = pd.DataFrame([(d.date(), a, s, mine.get((d, a, s), 0.0), theirs.get((d, a, s), 0.0))
                         for d, a, s in keys if mine.get((d, a, s)) != theirs.get((d, a, s))],
                        columns=["date", "asset", "side", "quantlib_shares", "akquant_shares"])
    limited, free = ql["quantlib"].trades, ql["quantlib_no_limits"].trades
    lim_keys = {(d.normalize(), a, s) for d, a, s in
                zip(limited["date"], limited["asset"], limited["side"], strict=True)}
    free_keys = {(d.normalize(), a, s) for d, a, s in
                 zip(free["date"], free["asset"], free["side"], strict=True)}
    limit_days = sorted(free_keys - lim_keys)
    eq_gap = (ql["quantlib_no_limits_no_dividends"].equity
              - ak["equity"].reindex(prices.index)).abs()
    first = pd.Timestamp(diff["date"].min()) if len(diff) else prices.index[-1]
    return {"table": table, "disagreements": diff, "limit_blocked": limit_days,
            "max_daily_equity_gap_cny": float(eq_gap.max()),
            "first_difference": first,
            "max_gap_before_first_difference_cny": float(eq_gap.loc[:first].iloc[:-1].max()),
            "rejected_akquant": ak["rejected"], "window": (str(prices.index[0].date()),
                                                           str(prices.index[-1].date())),
            "stocks": prices.shape[1], "rebalances": len(weights)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--start", default="2023-09-01")
    ap.add_argument("--end", default="2025-04-07")
    args = ap.parse_args(argv)
    out = report(args.start, args.end)
    pd.set_option("display.width", 160)
    print(f"window {out['window'][0]} .. {out['window'][1]}, {out['stocks']} stocks held at "
          f"some point, {out['rebalances']} weekly rebalances, 1,000,000 CNY")
    print(out["table"].to_string(float_format=lambda x: f"{x:,.2f}"))
    print(f"largest daily equity gap, quantlib (no limits, no dividends) vs akquant: "
          f"{out['max_daily_equity_gap_cny']:,.2f} CNY")
    print(f"first differing fill {out['first_difference'].date()}; largest daily equity gap "
          f"before it: {out['max_gap_before_first_difference_cny']:,.6f} CNY")
    print(f"fills where quantlib (no limits, no dividends) and akquant differ: "
          f"{len(out['disagreements'])}")
    if len(out["disagreements"]):
        print(out["disagreements"].to_string(index=False))
    print(f"orders quantlib fills without limits but not with them (limit days): "
          f"{len(out['limit_blocked'])}")
    for d, a, s in out["limit_blocked"]:
        print(f"  {d.date()} {a} {s}")
    rej = out["rejected_akquant"]
    print(f"akquant orders not filled: {len(rej)}")
    if len(rej):
        print(rej[["created_at", "symbol", "side", "quantity", "reject_reason"]].head(20)
              .to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
