"""Write the golden weights and equity of every registered strategy and examples/momentum.py
on 2023-01-03 .. 2023-06-30, from routes independent of the strategies' code:

* weights: plain pandas from each rule's description (docs/strategies.md, docs/rotation.md,
  docs/timing.md), with the timing regime from tests/hand_timing.py (pandas moving averages
  and the plain-Python state machine), never a quantlib signal function;
* equity: the plain-Python reference loop tests/reference_engine.py, with the costs, asset
  kind and cash rate each strategy declares (declarations, not computations);
* industry_stocks: the industry picks are this file's own rotation route (plain pandas, the
  one behind industry_rotation's golden file), the stock choice plain pandas on the raw
  ``stocks`` dataset and the membership periods / SW snapshot tables (data, not the
  strategy's code), and the equity the reference loop with 1,000,000 CNY, 100-share lots and
  the real market (exchange ``preclose`` limits, ``tradestatus`` suspensions, ST by date, the
  preclose-derived adjustment factor from docs/data.md).

Run from the repository root: ``PYTHONPATH=$PWD:$PWD/tests python
tests/golden/strategies/make_golden.py``. A changed number must be explained in the commit that
changes these files (docs/testing.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # tests/: hand_timing, reference_engine

from hand_timing import final_regimes, hand_timing  # noqa: E402
from reference_engine import reference_run  # noqa: E402

from quantlib.backtest import Rules  # noqa: E402
from quantlib.data import load  # noqa: E402

START, END = "2023-01-03", "2023-06-30"
# the report's 3x3 table: regime (1 up, 0 range, -1 down) x class (cheap, normal, expensive)
POSITION_TABLE = {1: (0.9, 0.8, 0.7), 0: (0.6, 0.5, 0.4), -1: (0.3, 0.2, 0.1)}


def window_rows(target: pd.DataFrame) -> pd.DataFrame:
    """The window rule of docs/report.md: day one carries the target in force at its close,
    then the later decision rows (dated on or before END)."""
    before = target.loc[:START]
    day0 = pd.Timestamp(START)
    first = before.iloc[[-1]].set_axis([day0]) if len(before) else target.iloc[:0]
    later = target.loc[(target.index > day0) & (target.index <= pd.Timestamp(END))]
    return pd.concat([first, later]).rename_axis("date")


def week_ends(days: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Last trading day of each Monday-Sunday week."""
    s = pd.Series(days, index=days)
    return pd.DatetimeIndex(s.groupby(s.index.to_period("W-SUN")).max().to_numpy())


def top_k(score: pd.DataFrame, k: int) -> pd.DataFrame:
    """1/k on each row's k highest non-NaN scores, the earlier column first on ties."""
    out = pd.DataFrame(0.0, index=score.index, columns=score.columns)
    for day, row in score.iterrows():
        ranked = sorted(((v, -i) for i, v in enumerate(row) if pd.notna(v)), reverse=True)
        for _, neg_i in ranked[:k]:
            out.iloc[out.index.get_loc(day), -neg_i] = 1.0 / k
    return out


def timing_weights() -> tuple[pd.DataFrame, pd.DataFrame]:
    close = load("wind_all_a", end=END, columns=["close"])["close"]
    regime = hand_timing(close)["regime"].dropna()
    target = regime.map({1: 1.0, 0: 0.5, -1: 0.0})  # range_weight default 0.5
    target = target[target.ne(target.shift())].to_frame("wind_all_a")
    return window_rows(target), close.to_frame("wind_all_a")


def rotation_picks() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Trend model, k=5, equal weight: industries in a final uptrend, scored 0.5 x percentile
    rank of the MA distance + 0.5 x percentile rank of the money effect (ranks among the
    eligible, average ties), on week ends from 2022-12 (the decisions the window needs)."""
    close = load("sw_l1", end=END, columns=["close"])["close"]
    regimes = final_regimes(close)
    dist = close.rolling(20).mean() / close.rolling(120).mean() - 1
    money = close / close.rolling(20).mean() - 1
    up = regimes == 1
    score = (0.5 * dist.where(up).rank(axis=1, pct=True)
             + 0.5 * money.where(up).rank(axis=1, pct=True))
    days = week_ends(close.index)
    days = days[days >= pd.Timestamp("2022-12-01")]  # the decisions the window needs
    return top_k(score.loc[days], 5), close


def rotation_weights() -> tuple[pd.DataFrame, pd.DataFrame]:
    picks, close = rotation_picks()
    return window_rows(picks), close


#: industry_stocks defaults: stocks per industry, sessions of traded amount; the bar set.
STOCKS_N, STOCKS_LIQUIDITY_DAYS = 3, 20
CSI300_SOURCE = "wywzxxz_hs300_baostock_raw"


def _reference_table(name: str) -> pd.DataFrame:
    """A bundled reference table (membership periods, SW snapshot, stock metadata), read as
    plain CSV from the snapshot the manifest lists."""
    from quantlib.data.store import bundled_dir

    return pd.read_csv(bundled_dir() / "reference" / f"{name}.csv", dtype=str,
                       keep_default_na=False)


def stocks_weights() -> tuple[pd.DataFrame, pd.DataFrame]:
    """industry_stocks (docs/strategies.md): on each rotation week end, for each picked SW L1
    industry, the 3 CSI 300 members of that day (membership periods, start <= day <= end)
    with bars that day and that industry in the snapshot, ranked by the mean traded amount
    (CNY) of their last 20 rows (all 20 present); 1/5 split equally among them, the 1/5 in
    cash when the industry has none. Traded: the CSI 300 bar set, raw closes."""
    meta = _reference_table("stocks_meta").set_index("code")
    codes = set(meta.index[meta["source"].str.contains(CSI300_SOURCE)])
    first = pd.Timestamp(meta.loc[meta["source"] == CSI300_SOURCE, "first_bar"].min())
    # to the data's end: the traded columns are every stock of the set, also those whose
    # bars start after END (all NaN here, never chosen)
    wide = load("stocks", start=first, columns=["close", "amount_cny"]).loc[:END]
    close = wide["close"]
    close = close[[c for c in close.columns if c in codes]].astype("float64")
    amount = wide["amount_cny"].reindex(columns=close.columns).astype("float64")
    liquidity = amount.rolling(STOCKS_LIQUIDITY_DAYS,
                               min_periods=STOCKS_LIQUIDITY_DAYS).mean()
    sw = _reference_table("stock_sw_l1").set_index("code")["sw_code"]
    periods = _reference_table("csi300_membership")
    periods["start"] = pd.to_datetime(periods["start"])
    periods["end"] = pd.to_datetime(periods["end"])
    picks, _ = rotation_picks()
    rows = {}
    for day in picks.index[picks.index.isin(close.index)]:
        live = periods[(periods["start"] <= day) & (periods["end"] >= day)]["code"]
        row = pd.Series(0.0, index=close.columns)
        for industry, w in picks.loc[day].items():
            if w <= 0:
                continue
            pool = [(liquidity.at[day, c], c) for c in close.columns
                    if c in set(live) and sw.get(c) == industry
                    and pd.notna(close.at[day, c]) and pd.notna(liquidity.at[day, c])]
            # largest amount first; equal amounts keep the column order
            order = sorted(pool, key=lambda x: (-x[0], list(close.columns).index(x[1])))
            top = [c for _, c in order[:STOCKS_N]]
            for c in top:
                row[c] = w / len(top)
        rows[day] = row
    target = pd.DataFrame(rows).T
    return window_rows(target), close


def stocks_equity(weights: pd.DataFrame, close: pd.DataFrame, costs) -> pd.Series:
    """The reference loop on the real market of the stocks ever held (a stock never targeted
    neither trades nor counts): raw closes, exchange preclose limits, tradestatus
    suspensions, ST by date, relisting days unlimited, factor = cumprod(close_(t-1) /
    preclose_t) (docs/data.md), 1,000,000 CNY in 100-share lots."""
    held = [c for c in weights.columns if (weights[c] != 0).any()]
    wide = load("stocks", start=START, end=END)
    prices = close.loc[START:END, held]
    field = {f: wide[f].reindex(index=prices.index, columns=held)
             for f in ("preclose", "tradestatus", "is_st", "volume_shares")}
    listed = prices.notna()
    preclose = field["preclose"].astype("float64")
    step = (prices.shift(1) / preclose).where(prices.shift(1).notna(), 1.0).where(listed)
    meta = _reference_table("stocks_meta").set_index("code").loc[held]
    limit_free = pd.DataFrame(False, index=prices.index, columns=held)
    for code, day in meta["relisting_date"].items():
        if day and pd.Timestamp(day) in limit_free.index:
            limit_free.at[pd.Timestamp(day), code] = True
    assets = pd.DataFrame({"kind": "stock", "board": meta["board"],
                           "exchange": meta["exchange"]}, index=held)
    run = reference_run(prices, weights[held], costs=costs, rules=Rules(), assets=assets,
                        init_cash=1_000_000.0, preclose=preclose,
                        tradestatus=field["tradestatus"].astype("float64").where(listed),
                        is_st=field["is_st"].where(listed, False).astype(bool),
                        volume=field["volume_shares"].astype("float64"),
                        adj_factor=step.cumprod(), limit_free=limit_free)
    return pd.Series(run.equity, index=prices.index, name="equity")


def momentum_weights() -> tuple[pd.DataFrame, pd.DataFrame]:
    """examples/momentum.py: 60-day return, top 5, 1/5 each, weekly."""
    close = load("sw_l1", end=END, columns=["close"])["close"]
    score = close / close.shift(60) - 1
    days = week_ends(close.index)
    days = days[days >= pd.Timestamp("2022-12-01")]
    return window_rows(top_k(score.loc[days], 5)), close


def _percentile_mean(s: pd.Series, start: str) -> pd.Series:
    """100 x (L + E / 2) / n over the expanding history from ``start`` on the series' own
    dates (docs/position.md: L values below today, E equal, today included)."""
    s = s.loc[start:].dropna()
    vals = s.to_numpy()
    out = [100 * ((vals[: i + 1] < x).sum() + (vals[: i + 1] == x).sum() / 2) / (i + 1)
           for i, x in enumerate(vals)]
    return pd.Series(out, index=s.index)


def valuation_weights() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Position = table[final regime][class]; class from the mean of the PE (CSI All Share
    PE-TTM) and PB (all-A median) percentiles since 2014-10-17, cheap <= 32.5, expensive
    >= 80; each percentile carried to later days for at most 10 trading days; week ends."""
    close = load("wind_all_a", end=END, columns=["close"])["close"]
    day_no = pd.Series(range(len(close)), index=close.index, dtype="float64")

    def as_of(name: str, column: str) -> pd.Series:
        raw = load(name, end=END, columns=[column])[column].reindex(close.index)
        pct = _percentile_mean(raw, "2014-10-17").reindex(close.index)
        age = day_no - day_no.where(pct.notna()).ffill()
        return pct.ffill().where(age <= 10)

    score = (as_of("csi_all_share", "pe_ttm") + as_of("all_a_pb", "pb_median")) / 2
    regime = hand_timing(close)["regime"].reindex(close.index)
    position = pd.Series(float("nan"), index=close.index)
    for day in close.index:
        r, sc = regime[day], score[day]
        if pd.notna(r) and pd.notna(sc):
            cls = 0 if sc <= 32.5 else 2 if sc >= 80 else 1
            position[day] = POSITION_TABLE[int(r)][cls]
    weekly = position.reindex(week_ends(close.index)).dropna().to_frame("wind_all_a")
    return window_rows(weekly), close.to_frame("wind_all_a")


def golden() -> dict[str, tuple[pd.DataFrame, pd.Series]]:
    from quantlib.strategies import resolve

    out = {}
    for name, build, ref in (("ma_distance_timing", timing_weights, "ma_distance_timing"),
                             ("valuation_position", valuation_weights, "valuation_position"),
                             ("industry_rotation", rotation_weights, "industry_rotation"),
                             ("momentum", momentum_weights, "examples/momentum.py:Momentum")):
        weights, close = build()
        strat = resolve(ref)[0]
        prices = close.loc[START:END]
        assets = pd.DataFrame({"kind": strat.asset_kind}, index=list(prices.columns))
        ref_run = reference_run(prices, weights, costs=strat.cost_model(), rules=Rules(),
                                assets=assets, cash_rate=float(strat.cash_rate))
        out[name] = (weights, pd.Series(ref_run.equity, index=prices.index, name="equity"))
    weights, close = stocks_weights()
    strat = resolve("industry_stocks")[0]
    assert strat.init_cash == 1_000_000.0 and strat.asset_kind == "stock"  # declarations
    out["industry_stocks"] = (weights, stocks_equity(weights, close, strat.cost_model()))
    return out


def main() -> None:
    for name, (weights, equity) in golden().items():
        weights.to_csv(HERE / f"{name}_weights.csv", float_format="%.17g")
        equity.to_csv(HERE / f"{name}_equity.csv", float_format="%.17g")
        print(f"wrote {name}: {len(weights)} weight rows, {len(equity)} equity days")


if __name__ == "__main__":
    main()
