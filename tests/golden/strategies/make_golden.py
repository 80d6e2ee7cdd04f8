"""Write the golden weights and equity of every registered strategy and examples/momentum.py
on 2023-01-03 .. 2023-06-30, from routes independent of the strategies' code:

* weights: plain pandas from each rule's description (docs/strategies.md, docs/rotation.md,
  docs/timing.md), with the timing regime from tests/hand_timing.py (pandas moving averages
  and the plain-Python state machine), never a quantlib signal function;
* equity: the plain-Python reference loop tests/reference_engine.py, with the costs, asset
  kind and cash rate each strategy declares (declarations, not computations).

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


def rotation_weights() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Trend model, k=5, equal weight: industries in a final uptrend, scored 0.5 x percentile
    rank of the MA distance + 0.5 x percentile rank of the money effect (ranks among the
    eligible, average ties), on week ends."""
    close = load("sw_l1", end=END, columns=["close"])["close"]
    regimes = final_regimes(close)
    dist = close.rolling(20).mean() / close.rolling(120).mean() - 1
    money = close / close.rolling(20).mean() - 1
    up = regimes == 1
    score = (0.5 * dist.where(up).rank(axis=1, pct=True)
             + 0.5 * money.where(up).rank(axis=1, pct=True))
    days = week_ends(close.index)
    days = days[days >= pd.Timestamp("2022-12-01")]  # the decisions the window needs
    return window_rows(top_k(score.loc[days], 5)), close


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
    return out


def main() -> None:
    for name, (weights, equity) in golden().items():
        weights.to_csv(HERE / f"{name}_weights.csv", float_format="%.17g")
        equity.to_csv(HERE / f"{name}_equity.csv", float_format="%.17g")
        print(f"wrote {name}: {len(weights)} weight rows, {len(equity)} equity days")


if __name__ == "__main__":
    main()
