"""Plain-Python event-loop reference of the backtest semantics (one strategy, no numba).

Written from the spec in ``docs/backtest.md``, not from the kernel: dicts keyed by asset,
scalar limit arithmetic, one bar at a time. ``tests/test_engine.py`` checks the numba engine
against it with hypothesis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from quantlib.backtest import CostModel, Rules

REL, ABS = 1e-9, 1e-12
MIN_SHARES = 1e-8  # orders below this many shares are skipped (vectorbt's min_size)


def is_close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return False
    if a == b:
        return True
    return abs(a - b) <= max(REL * max(abs(a), abs(b)), ABS)


def is_less(a: float, b: float) -> bool:
    return not is_close(a, b) and a < b


def add(a: float, b: float) -> float:
    sign = (a > 0) - (a < 0), (b > 0) - (b < 0)
    if sign[0] != sign[1]:
        if is_close(abs(a), abs(b)):
            return 0.0
    elif is_close(a + b, 0.0):
        return 0.0
    return a + b


def limit_fraction(board: str, st: bool, date: pd.Timestamp) -> float:
    if board == "index" or date < pd.Timestamp("1996-12-16"):
        return math.inf
    if board == "chinext":
        return 0.20 if date >= pd.Timestamp("2020-08-24") else (0.05 if st else 0.10)
    if board == "main" and st:
        return 0.10 if date >= pd.Timestamp("2026-07-06") else 0.05
    return {"main": 0.10, "star": 0.20, "bse": 0.30, "etf": 0.10}[board]


def transfer_rate(rate: float | None, date: pd.Timestamp, exchange: str, price: float) -> float:
    """Transfer fee as a fraction of value: flat ``rate`` or the history (docs/backtest.md)."""
    if rate is not None:
        return rate
    if date >= pd.Timestamp("2022-04-29"):
        return 0.00001
    if date >= pd.Timestamp("2015-08-01"):
        return 0.00002
    if exchange != "SH":
        return 0.0
    per_share = 0.0006 if date >= pd.Timestamp("2012-09-01") else 0.001
    return per_share / price


def round_tick(x: float, tick: float) -> float:
    return math.floor(x / tick + 0.5 + 1e-9) * tick


@dataclass
class RefResult:
    equity: list[float] = field(default_factory=list)
    costs: list[float] = field(default_factory=list)
    trades: list[tuple] = field(default_factory=list)  # (bar, asset, side, shares, price, fee)


def _meta(assets: pd.DataFrame, a: str) -> tuple[str, str, bool, str]:
    row = assets.loc[a].to_dict()
    kind = row["kind"]
    board = row.get("board", "index" if kind == "index" else ("etf" if kind == "etf" else "main"))
    return board, kind, bool(row.get("st", False)), str(row.get("exchange", ""))


def _fee(v: float, comm: float, minc: float, extra: float) -> float:
    return max(comm * v, minc) + extra * v


def _ex_date_holding(held: float, ratio: float, last_close: float,
                     whole: bool) -> tuple[float, float]:
    """Shares after an ex-date and the cash paid for a fraction of a share.

    The holding becomes ``held * ratio`` shares, worth as much at the reference price
    ``last_close / ratio`` as ``held`` shares at ``last_close``. An account of whole shares
    keeps the integer part and is paid the rest in cash at that price.
    """
    new = held * ratio
    if not whole:
        return new, 0.0
    k = int(new + 0.5)
    if is_close(new, float(k)):  # exact to rounding: 1000 x 2.0 is 2000 shares, no cash
        return float(k), 0.0
    k = int(new)  # positive holdings: int() truncates toward zero, i.e. rounds down
    return float(k), (new - k) * last_close / ratio


def reference_run(close: pd.DataFrame, weights: pd.DataFrame, *, fill: str = "next_close",
                  costs: CostModel, rules: Rules, init_cash: float | None = None,
                  open_: pd.DataFrame | None = None, volume: pd.DataFrame | None = None,
                  assets: pd.DataFrame, cash_rate: float = 0.0,
                  preclose: pd.DataFrame | None = None, tradestatus: pd.DataFrame | None = None,
                  is_st: pd.DataFrame | None = None,
                  adj_factor: pd.DataFrame | None = None,
                  limit_free: pd.DataFrame | None = None) -> RefResult:
    """Simulate one strategy bar by bar; return equity, costs and trades.

    ``adj_factor``: on a bar whose factor differs from the last known one, held shares are
    multiplied by the ratio (dividends and splits reinvested; with lots in a CNY run cut to
    whole shares, the fraction paid in cash) and, without ``preclose``, the limit reference
    price is the last close divided by that ratio.

    ``cash_rate``: annual interest on cash, one 242nd-root step per bar on the cash held over
    the previous close (written out here independently of the engine's helper).
    """
    names = list(close.columns)
    dates = close.index
    lag = 0 if fill == "same_close_lookahead" else 1
    rows = {}
    for d, row in weights.iterrows():
        bar = dates.get_loc(d) + lag
        if bar < len(dates) and not all(math.isnan(float(row[a])) for a in names):
            rows[bar] = {a: float(row[a]) for a in names}  # an all-NaN row: hold
    money = init_cash is not None
    cash = init_cash if money else 1.0
    comm, minc = costs.commission_rate, (costs.min_commission_cny if money else 0.0)
    slip = costs.slippage_bps / 1e4
    meta = {a: _meta(assets, a) for a in names}
    # CNY runs with lots hold whole shares of stocks and ETFs (indices stay fractional)
    whole_shares = {a: bool(rules.lots and money and meta[a][1] != "index") for a in names}
    pos = dict.fromkeys(names, 0.0)
    last_close = dict.fromkeys(names, math.nan)
    last_factor = dict.fromkeys(names, math.nan)
    target: dict[str, float] = {}
    pending: set[str] = set()
    out = RefResult()
    daily = (1.0 + cash_rate) ** (1.0 / 242.0) - 1.0
    for t, d in enumerate(dates):
        if cash > 0:
            cash = cash * (1.0 + daily)
        stamp_sell = float(costs.stamp_duty_rate([d], sell=True)[0])
        stamp_buy = float(costs.stamp_duty_rate([d], sell=False)[0])
        ratio = dict.fromkeys(names, 1.0)
        if adj_factor is not None:
            for a in names:
                f = float(adj_factor.iloc[t][a])
                if not math.isnan(f):
                    if not math.isnan(last_factor[a]):
                        ratio[a] = f / last_factor[a]
                    last_factor[a] = f
                if pos[a] != 0.0 and ratio[a] != 1.0:
                    pos[a], in_lieu = _ex_date_holding(pos[a], ratio[a], last_close[a],
                                                       whole_shares[a])
                    cash += in_lieu
        if t in rows:
            target, pending = rows[t], set(names)
        bar_cost = 0.0
        if pending:
            px = {a: float((open_ if fill == "next_open" else close).iloc[t][a]) for a in names}
            vp = {a: (last_close[a] if math.isnan(px[a]) else px[a]) for a in names}
            value = cash + sum(pos[a] * vp[a] for a in names if pos[a] != 0)
            value = 0.0 if is_close(value, 0.0) else value
            queue = [(target[a] * value - pos[a] * vp[a], i, a)
                     for i, a in enumerate(names) if a in pending]
            queue.sort(key=lambda q: (math.isnan(q[0]), 0.0 if math.isnan(q[0]) else q[0], q[1]))
            for _, _, a in queue:
                board, kind, st, exchange = meta[a]
                if is_st is not None:
                    st = bool(is_st.iloc[t][a])
                price = px[a]
                if math.isnan(price):
                    continue
                suspended = rules.suspension and (
                    (volume is not None and not (float(volume.iloc[t][a]) > 0))
                    or (tradestatus is not None and float(tradestatus.iloc[t][a]) != 1))
                ref = (float(preclose.iloc[t][a]) if preclose is not None
                       else last_close[a] / ratio[a])
                up = down = math.nan
                free = limit_free is not None and bool(limit_free.iloc[t][a])
                if rules.price_limits and not math.isnan(ref) and not free:
                    lim = limit_fraction(board, st, d)
                    if math.isfinite(lim):
                        tick = 0.001 if kind == "etf" else 0.01
                        up = round_tick(ref * (1 + lim), tick)
                        down = round_tick(ref * (1 - lim), tick)
                cash = 0.0 if is_close(cash, 0.0) else cash
                pos[a] = 0.0 if is_close(pos[a], 0.0) else pos[a]
                if value <= 0:
                    pending.discard(a)
                    continue
                size = target[a] * value / vp[a] - pos[a]
                if is_close(size, 0.0):
                    pending.discard(a)
                    continue
                lot = (float(rules.lot_size) if rules.lots and money and kind != "index" else 0.0)
                stock = kind == "stock"
                if size > 0:
                    if suspended or (not math.isnan(up) and price >= up * (1 - 1e-9)):
                        continue
                    pending.discard(a)
                    if cash == 0.0:
                        continue
                    adj = price * (1 + slip)
                    extra = (transfer_rate(costs.transfer_fee_rate, d, exchange, price) + stamp_buy
                             if stock else 0.0)
                    if lot:  # a target exactly on a lot boundary, up to float rounding
                        size = math.floor(size / lot + 1e-9) * lot
                        if size <= 0:
                            continue
                    val = size * adj
                    fee = _fee(val, comm, minc, extra)
                    if is_close(val + fee, cash) or val + fee < cash:
                        spent = val + fee
                    else:  # cut the order to what the cash affords, fees included
                        v = cash / (1 + comm + extra)
                        if comm * v < minc:
                            v = (cash - minc) / (1 + extra)
                        if v <= 0:
                            continue
                        if lot:
                            size = math.floor(v / adj / lot) * lot
                            if size <= 0:
                                continue
                            val = size * adj
                            fee = _fee(val, comm, minc, extra)
                            spent = val + fee
                        else:
                            size, val, fee, spent = v / adj, v, cash - v, cash
                    if is_less(size, MIN_SHARES):
                        continue
                    cash = add(cash, -spent)
                    pos[a] = add(pos[a], size)
                    out.trades.append((t, a, "buy", size, adj, fee))
                else:
                    if suspended or (not math.isnan(down) and price <= down * (1 + 1e-9)):
                        continue
                    pending.discard(a)
                    sell = min(-size, pos[a])  # one fill per asset per bar: T+1 holds
                    if lot and not (target[a] == 0.0 or -size >= pos[a]):
                        sell = math.floor(sell / lot + 1e-9) * lot
                        if sell <= 0:
                            continue
                    if is_less(sell, MIN_SHARES):
                        continue
                    adj = price * (1 - slip)
                    extra = (transfer_rate(costs.transfer_fee_rate, d, exchange, price)
                             + stamp_sell) if stock else 0.0
                    val = sell * adj
                    fee = _fee(val, comm, minc, extra)
                    net = add(val, -fee)
                    if net < 0:
                        continue
                    cash = cash + net
                    pos[a] = add(pos[a], -sell)
                    out.trades.append((t, a, "sell", sell, adj, fee))
                bar_cost += fee
        for a in names:
            c = float(close.iloc[t][a])
            if not math.isnan(c):
                last_close[a] = c
        out.equity.append(cash + sum(pos[a] * last_close[a] for a in names if pos[a] != 0))
        out.costs.append(bar_cost)
    return out
