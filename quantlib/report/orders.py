"""Orders a CNY stock run could not place: blocked by a suspension or a price limit, and the
cash whole lots leave uninvested. Observed from the run's outcome (what the engine did), with
the reason read from the market data of the fill bar.

An *order* is a (rebalance fill bar, stock) whose target asks for at least one lot more or
less than was held. It is *blocked* when the engine did not trade that stock on that bar and

* the stock was suspended (``tradestatus`` 0): **suspension**;
* a buy with the fill price at or above the limit-up price, or a sell at or below the
  limit-down price: **limit**. Limit prices are ``round_half_up(preclose x (1 +- band), 2)``
  with the band of the board, ST status and date (main 10%, ST 5%; STAR 20%; ChiNext 20% from
  2020-08-24, 10%/5% before); listing days without limits (STAR/ChiNext first 5 sessions,
  main board first session) and relisting days are never counted as limit days;
* otherwise it is counted as **unfilled, other** (e.g. not enough cash for one lot).

The engine keeps a blocked order pending and retries it on later bars; a retry is not counted
again. Lot-rounding cash: on each rebalance fill bar, sum over the stocks whose order was not
blocked of ``target weight x equity - shares x close`` (CNY the lots could not buy).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["OrderSummary", "band", "limit_price", "order_summary"]

CHINEXT_20PCT_FROM = pd.Timestamp("2020-08-24")


def band(board: str, st: bool, day: pd.Timestamp) -> float:
    """Daily limit band of a stock (fraction of preclose) on ``day``."""
    if board == "star":
        return 0.20
    if board == "chinext" and day >= CHINEXT_20PCT_FROM:
        return 0.20
    return 0.05 if st else 0.10


def limit_price(preclose: float, pct: float, up: bool) -> float:
    """Exchange limit price: preclose x (1 +- pct), rounded half up to 0.01 CNY."""
    step = Decimal(str(float(pct)))
    raw = Decimal(str(float(preclose))) * (Decimal(1) + (step if up else -step))
    return float(raw.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class OrderSummary:
    """Counts of orders and the lot-rounding cash of a CNY run."""

    orders: int
    blocked_suspension: int
    blocked_limit: int
    unfilled_other: int
    lot_cash_mean_cny: float
    lot_cash_last_cny: float
    examples: pd.DataFrame

    def as_rows(self) -> dict[str, str]:
        return {
            "orders (rebalance bar x stock)": f"{self.orders}",
            "blocked: suspended (停牌)": f"{self.blocked_suspension}",
            "blocked: at the price limit (涨跌停)": f"{self.blocked_limit}",
            "unfilled, other reason": f"{self.unfilled_other}",
            "lot-rounding cash, mean per rebalance": f"{self.lot_cash_mean_cny:,.2f} CNY",
            "lot-rounding cash, last rebalance": f"{self.lot_cash_last_cny:,.2f} CNY",
        }


def _limit_free(info: pd.DataFrame, code: str, day: pd.Timestamp,
                calendar: pd.DatetimeIndex) -> bool:
    row = info.loc[code]
    relist = row.get("relisting_date")
    if relist is not None and not pd.isna(relist) and pd.Timestamp(relist) == day:
        return True
    listed = row.get("list_date")
    if listed is None or pd.isna(listed):
        return False
    first = int(calendar.searchsorted(pd.Timestamp(listed)))
    free = 5 if row.get("board") in ("star", "chinext") else 1
    return first <= int(calendar.searchsorted(day)) < first + free


def order_summary(outcome: Any) -> OrderSummary | None:
    """Orders blocked and lot-rounding cash of a run with CNY capital and stock market data.

    Returns None for runs without ``init_cash`` or without per-date stock data (indices).
    """
    market = getattr(outcome, "market", None)
    result = outcome.result
    if market is None or getattr(market, "tradestatus", None) is None or \
            outcome.spec.init_cash is None:
        return None
    shares = result.shares
    cal = pd.DatetimeIndex(shares.index)
    preclose = market.preclose.reindex(index=cal, columns=shares.columns)
    fill_prices = (market.open if outcome.spec.fill == "next_open" else outcome.prices
                   ).reindex(index=cal, columns=shares.columns)
    factor = (None if getattr(market, "adj_factor", None) is None
              else market.adj_factor.reindex(index=cal, columns=shares.columns))
    traded = result.trades.groupby(["date", "asset"]).size()
    targets = outcome.weights
    info = market.assets
    rows, lot_cash = [], []
    equity = result.equity
    for day, target in targets.iterrows():
        t = int(cal.searchsorted(day)) + (0 if outcome.spec.fill == "same_close_lookahead"
                                          else 1)
        if t >= len(cal):
            continue
        bar = cal[t]
        held = shares.iloc[t - 1] if t > 0 else shares.iloc[0] * 0
        if t > 0 and factor is not None:  # ex-date: the engine scales the shares first
            held = held * (factor.iloc[t] / factor.iloc[t - 1]).fillna(1.0)
        fill_px = fill_prices.iloc[t]
        # the engine's portfolio value at the fill: holdings at fill prices plus the cash
        # left at the previous close
        if t > 0:
            last_px = outcome.prices.iloc[t - 1].reindex(shares.columns)
            move = (held * (fill_px.fillna(last_px) - last_px)).fillna(0.0).sum()
            value = float(equity.iloc[t - 1]) + float(move)
        else:
            value = float(outcome.spec.init_cash)
        want = target.reindex(shares.columns).fillna(0.0) * value / fill_px
        delta = (want - held).where(fill_px.notna(), 0.0)
        cash_here = 0.0
        for code in delta.index[(delta.abs() >= 100).to_numpy()]:
            side = "buy" if delta[code] > 0 else "sell"
            filled = (bar, code) in traded.index
            reason = "filled"
            if not filled:
                status = market.tradestatus.at[bar, code]
                pre = preclose.at[bar, code]
                st = bool(market.is_st.at[bar, code])
                price = fill_px[code]
                if status == 0:
                    reason = "suspension"
                elif not _limit_free(info, code, bar, cal) and np.isfinite(pre):
                    pct = band(str(info.at[code, "board"]), st, bar)
                    if side == "buy" and price >= limit_price(pre, pct, True) - 1e-9:
                        reason = "limit"
                    elif side == "sell" and price <= limit_price(pre, pct, False) + 1e-9:
                        reason = "limit"
                    else:
                        reason = "other"
                else:
                    reason = "other"
            rows.append((bar, code, side, reason))
        blocked = {c for b, c, _, r in rows if b == bar and r in ("suspension", "limit")}
        for code in target.index[target.to_numpy() > 0]:
            if code in blocked or not np.isfinite(fill_px[code]):
                continue
            cash_here += float(target[code]) * float(equity.iloc[t]) - \
                float(shares.at[bar, code]) * float(fill_px[code])
        lot_cash.append(cash_here)
    table = pd.DataFrame(rows, columns=["date", "asset", "side", "outcome"])
    count = table["outcome"].value_counts()
    examples = table[table["outcome"] != "filled"].reset_index(drop=True)
    return OrderSummary(
        orders=len(table), blocked_suspension=int(count.get("suspension", 0)),
        blocked_limit=int(count.get("limit", 0)), unfilled_other=int(count.get("other", 0)),
        lot_cash_mean_cny=float(np.mean(lot_cash)) if lot_cash else 0.0,
        lot_cash_last_cny=float(lot_cash[-1]) if lot_cash else 0.0, examples=examples)
