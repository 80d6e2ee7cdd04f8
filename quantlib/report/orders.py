"""Orders a CNY stock run could not place: blocked by a suspension or a price limit, and the
cash whole lots leave uninvested. Observed from the run's outcome (what the engine did), with
the reason read from the market data of the fill bar.

An *order* is a (rebalance fill bar, stock) whose target asks for at least one lot more or
less than was held. It is *blocked* when the engine did not trade that stock on that bar and

* the stock was suspended (``tradestatus`` 0): **suspension**;
* a buy with the fill price at or above the limit-up price, or a sell at or below the
  limit-down price: **limit**. The limit test is the engine's own
  (:func:`quantlib.backtest.rules.tradable_masks` with price limits on and suspensions off):
  band by board, ST status and date (``limit_bands``: e.g. main-board ST 5%, 10% from
  2026-07-06), limit prices from ``preclose`` rounded half up to the tick, listing days and
  relisting days (``limit_free``) without a limit, so the classification cannot drift from
  the rules the run traded under;
* otherwise it is counted as **unfilled, other** (e.g. not enough cash for one lot).

The engine keeps a blocked order pending and retries it on later bars; a retry is not counted
again. Lot-rounding cash: on each rebalance fill bar, sum over the stocks whose order was not
blocked of ``target weight x equity - shares x close`` (CNY the lots could not buy).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["OrderSummary", "limit_blocked", "order_summary"]


def limit_blocked(market: Any, fill_prices: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(buy_at_limit, sell_at_limit): dates x stocks, True where the engine's price-limit rule
    blocks a buy / a sell at ``fill_prices`` (suspensions and missing prices not counted).

    The same call the engine makes (``tradable_masks`` on raw prices, ``preclose``, ``is_st``
    by date, ``limit_free``, the assets' boards and listing dates), with suspensions off.
    """
    from quantlib.backtest.rules import AssetInfo, Rules, tradable_masks

    cal, cols = pd.DatetimeIndex(fill_prices.index), fill_prices.columns

    def frame(name: str, fill: Any, dtype: Any) -> np.ndarray | None:
        x = getattr(market, name, None)
        if x is None:
            return None
        return x.reindex(index=cal, columns=cols).fillna(fill).to_numpy(dtype)

    price = fill_prices.to_numpy("float64")
    pre = market.preclose.reindex(index=cal, columns=cols).to_numpy("float64")
    info = AssetInfo.from_frame(market.assets, cols)
    buy_ok, sell_ok = tradable_masks(
        price, pre, cal, info, Rules(suspension=False), st=frame("is_st", False, bool),
        limit_free=frame("limit_free", False, bool))
    listed = ~np.isnan(price)  # a missing price blocks too, but not at a limit
    return (pd.DataFrame(listed & ~buy_ok, index=cal, columns=cols),
            pd.DataFrame(listed & ~sell_ok, index=cal, columns=cols))


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

    def as_rows(self, lang: str = "en") -> dict[str, str]:
        """The counts labelled in ``lang`` (message catalogue ``o.*``)."""
        from quantlib.i18n import tr

        return {
            tr(lang, "o.orders"): f"{self.orders}",
            tr(lang, "o.suspended"): f"{self.blocked_suspension}",
            tr(lang, "o.limit"): f"{self.blocked_limit}",
            tr(lang, "o.other"): f"{self.unfilled_other}",
            tr(lang, "o.cash_mean"): tr(lang, "o.cny", value=f"{self.lot_cash_mean_cny:,.2f}"),
            tr(lang, "o.cash_last"): tr(lang, "o.cny", value=f"{self.lot_cash_last_cny:,.2f}"),
        }


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
    fill_prices = (market.open if outcome.spec.fill == "next_open" else outcome.prices
                   ).reindex(index=cal, columns=shares.columns)
    factor = (None if getattr(market, "adj_factor", None) is None
              else market.adj_factor.reindex(index=cal, columns=shares.columns))
    buy_limit, sell_limit = limit_blocked(market, fill_prices)
    traded = result.trades.groupby(["date", "asset"]).size()
    targets = outcome.weights
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
                at_limit = (buy_limit if side == "buy" else sell_limit).at[bar, code]
                reason = ("suspension" if status == 0 else "limit" if at_limit else "other")
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
