"""Check quantlib's price-limit rules against real unadjusted A-share bars in ../shared.

Reads every stock of ``/work/shared/data/stocks_daily_ashare/{wywzxxz_hs300_baostock_raw,
fdp_sz_baostock_raw}/data`` (baostock, adjustflag=3: raw prices with the exchange's preclose,
tradestatus and isST) and reports:

1. closes outside the band ``quantlib.backtest.rules`` gives (limit prices recomputed here with
   ``decimal`` ROUND_HALF_UP, independently of ``rules.limit_prices``): every one must be a day
   the rules call limit-free (IPO days from the first row of a stock listed after the data
   start; relisting days given as ``limit_free`` from the list below);
2. closes exactly at limit-up / limit-down by board (the days buys / sells must be blocked);
3. an engine run per source (every stock, target weights that change every day, next_close
   fills at raw closes, 1e9 CNY, lots): fills at a limit-up close (buys) or a limit-down close
   (sells) and fills on suspended days, which must all be 0.

Usage: ``PYTHONPATH=. python scripts/check_limits_on_shared.py [--no-engine]``
"""

from __future__ import annotations

import argparse
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from quantlib import backtest as bt
from quantlib.backtest.rules import AssetInfo, limit_bands

ROOT = Path("/work/shared/data/stocks_daily_ashare")
SOURCES = {"wywzxxz_hs300_baostock_raw": "2020-01-02", "fdp_sz_baostock_raw": "2019-01-02"}
#: Relisting days (恢复上市首日, no limit), from the SOURCE.txt notes of the data.
RELISTING_DAYS = {("sz.000792", "2021-08-10"), ("sz.000995", "2020-12-16")}


def read_source(folder: str) -> pd.DataFrame:
    frames = []
    for path in sorted((ROOT / folder / "data").glob("*.csv")):
        df = pd.read_csv(path, usecols=["date", "code", "open", "close", "preclose",
                                        "tradestatus", "isST"], dtype={"code": str})
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    out["date"] = pd.to_datetime(out["date"])
    return out


def market_of(long: pd.DataFrame, data_start: str) -> tuple[pd.DataFrame, bt.Market]:
    close = long.pivot(index="date", columns="code", values="close")
    field = {f: long.pivot(index="date", columns="code", values=f)
             for f in ("open", "preclose", "tradestatus", "isST")}
    first = long.groupby("code")["date"].min()
    list_date = first.where(first > pd.Timestamp(data_start))  # NaT: listed before the data
    assets = pd.DataFrame({"kind": "stock", "list_date": list_date}).reindex(close.columns)
    free = pd.DataFrame(False, close.index, close.columns)
    for code, day in RELISTING_DAYS:
        if code in free.columns and pd.Timestamp(day) in free.index:
            free.loc[pd.Timestamp(day), code] = True
    listed = close.notna()
    pre = field["preclose"].where(listed)
    return close, bt.Market(
        open=field["open"].where(listed), preclose=pre, tradestatus=field["tradestatus"],
        is_st=(field["isST"].fillna(0) == 1), limit_free=free, assets=assets,
        adj_factor=(close.ffill().shift(1) / pre).fillna(1.0).where(listed.cummax(), 1.0)
        .cumprod().ffill().fillna(1.0))


def limit_price(preclose: float, band: float) -> float:
    """``round_half_up(preclose * (1 + band), 0.01)`` in exact decimal arithmetic."""
    exact = Decimal(f"{float(preclose):.4f}") * (1 + Decimal(f"{float(band):.4f}"))
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def check_bands(close: pd.DataFrame, market: bt.Market) -> dict[str, object]:
    info = AssetInfo.from_frame(market.assets, close.columns)
    up_pct, down_pct = limit_bands(close.index, info, market.is_st.to_numpy())
    free = market.limit_free.to_numpy()
    up_pct = np.where(free, np.inf, up_pct)
    down_pct = np.where(free, np.inf, down_pct)
    c, pre = close.to_numpy(), market.preclose.to_numpy()
    status = market.tradestatus.to_numpy()
    rows = np.argwhere(~np.isnan(c) & (status == 1))
    outside, at_up, at_down = [], {}, {}
    for r, a in rows:
        u, d = up_pct[r, a], down_pct[r, a]
        hi = np.inf if np.isinf(u) else limit_price(pre[r, a], u)
        lo = -np.inf if np.isinf(d) else limit_price(pre[r, a], -d)
        board = info.board[a]
        if c[r, a] > hi + 1e-9 or c[r, a] < lo - 1e-9:
            outside.append((close.columns[a], str(close.index[r].date()), board))
        elif c[r, a] >= hi - 1e-9:
            at_up[board] = at_up.get(board, 0) + 1
        elif c[r, a] <= lo + 1e-9:
            at_down[board] = at_down.get(board, 0) + 1
    # every close beyond 10% of preclose (the widest non-IPO main-board band) or beyond the
    # band: count how many the rules call limit-free
    beyond = ~np.isnan(c) & (status == 1) & (np.abs(c / pre - 1) > 0.1005)
    free_days = beyond & np.isinf(up_pct)
    return {"rows": len(rows), "outside_band": outside, "at_limit_up": at_up,
            "at_limit_down": at_down, "beyond_10pct": int(beyond.sum()),
            "beyond_10pct_limit_free": int(free_days.sum())}


def check_engine(close: pd.DataFrame, market: bt.Market, seed: int = 0,
                 rules: bt.Rules | None = None) -> dict[str, int]:
    """Fills at a limit / on a suspended day in a run with random daily weights.

    ``rules=bt.Rules(price_limits=False, suspension=False)`` shows how many such fills the
    same orders produce without the rules (the check is not vacuous).
    """
    rng = np.random.default_rng(seed)
    w = rng.random(close.shape) * close.notna().to_numpy()
    w = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-12) * 0.98
    weights = pd.DataFrame(w, close.index, close.columns)
    res = bt.run(close, weights, init_cash=1e9, market=market, record_trades=True,
                 rules=rules)
    t = res.trades
    pre = market.preclose.stack().rename("pre").rename_axis(["date", "asset"])
    keyed = t.set_index(["date", "asset"]).join(pre, how="left")
    info = AssetInfo.from_frame(market.assets, close.columns)
    up_pct, down_pct = limit_bands(close.index, info, market.is_st.to_numpy())
    free = market.limit_free.to_numpy()
    pos = {c: i for i, c in enumerate(close.columns)}
    bad_buy = bad_sell = suspended = 0
    status = market.tradestatus
    for (d, a), row in keyed.iterrows():
        r, j = close.index.get_loc(d), pos[a]
        if status.iat[r, j] != 1:
            suspended += 1
        if free[r, j]:
            continue
        if row["side"] == "buy" and np.isfinite(up_pct[r, j]):
            bad_buy += row["price"] >= limit_price(row["pre"], up_pct[r, j]) - 1e-9
        if row["side"] == "sell" and np.isfinite(down_pct[r, j]):
            bad_sell += row["price"] <= limit_price(row["pre"], -down_pct[r, j]) + 1e-9
    return {"fills": len(t), "buys": int((t.side == "buy").sum()),
            "sells": int((t.side == "sell").sum()), "buy_at_limit_up": int(bad_buy),
            "sell_at_limit_down": int(bad_sell), "fills_on_suspended_days": suspended}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-engine", action="store_true", help="skip the engine runs")
    args = parser.parse_args(argv)
    failed = False
    for folder, start in SOURCES.items():
        long = read_source(folder)
        close, market = market_of(long, start)
        bands = check_bands(close, market)
        print(f"== {folder}: {close.shape[1]} stocks, {bands['rows']} trading rows")
        print(f"   closes beyond +-10% of preclose: {bands['beyond_10pct']}, of which on "
              f"limit-free days (IPO/relisting): {bands['beyond_10pct_limit_free']}")
        print(f"   closes outside the rules' band: {len(bands['outside_band'])} "
              f"{bands['outside_band'][:10]}")
        print(f"   closes at limit-up by board: {bands['at_limit_up']}")
        print(f"   closes at limit-down by board: {bands['at_limit_down']}")
        failed |= bool(bands["outside_band"])
        if not args.no_engine:
            eng = check_engine(close, market)
            print(f"   engine (random daily weights, next_close, lots): {eng}")
            off = check_engine(close, market, rules=bt.Rules(price_limits=False,
                                                             suspension=False))
            print(f"   same orders with limits and suspension off: {off}")
            failed |= bool(eng["buy_at_limit_up"] or eng["sell_at_limit_down"]
                           or eng["fills_on_suspended_days"])
    print("FAILED" if failed else "OK: no close outside a band the rules apply; no fill at a "
          "limit or on a suspended day")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
