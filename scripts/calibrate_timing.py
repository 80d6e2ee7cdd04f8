"""Compare the timing model with every figure the weekly report printed.

Usage: ``python scripts/calibrate_timing.py [--markdown]``

Reads ``tests/golden/published_calibration.csv`` (a copy of shared/spec/published_calibration.csv:
figures printed in 19 report issues, 2023-01 .. 2025-10) and the bundled WIND All A series.
Each report is dated on a weekend; its figures are taken as of the last trading day strictly
before the report date. Rows after 2024-12-12 rest on the proxy extension of WIND All A.

Prints (1) ours vs printed per row and (2) the fit of each trend-line method to the printed
trend line and money-making effect.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from quantlib.data import load
from quantlib.timing import TimingParams, timing_state

PUBLISHED = Path(__file__).resolve().parents[1] / "tests" / "golden" / "published_calibration.csv"
METHODS = [("sma", 20), ("sma_lag1", 20), ("ema", 20), ("wma", 20), ("sma", 25), ("ema", 30)]


def asof_dates(report_dates: pd.Series, calendar: pd.DatetimeIndex) -> list[pd.Timestamp]:
    """Last trading day strictly before each report date."""
    return [calendar[calendar < d][-1] for d in report_dates]


def comparison(params: TimingParams | None = None) -> pd.DataFrame:
    """One row per published issue: printed figures next to ours."""
    wind = load("wind_all_a")
    state = timing_state(wind["close"], wind["amount_cny"], params)
    pub = pd.read_csv(PUBLISHED, parse_dates=["date"])
    rows = []
    for (_, r), asof in zip(pub.iterrows(), asof_dates(pub["date"], wind.index), strict=True):
        s = state.loc[asof]
        rows.append({
            "report": r["date"].date(), "asof": asof.date(),
            "proxy": bool(wind.loc[asof, "is_proxy"]),
            "ma20_pub": r["ma20"], "ma20": round(s["ma_short"], 1),
            "ma120_pub": r["ma120"], "ma120": round(s["ma_long"], 1),
            "dist_pub": r["ma_distance_pct"], "dist": round(100 * s["distance"], 2),
            "regime_pub": r["regime_stated"], "raw": {1: "up", 0: "range", -1: "down"}[
                int(s["raw_regime"])], "regime": s["regime_label"],
            "tl_pub": r["trend_line"], "tl": round(s["trend_line"], 1),
            "ma5_pub": r["ma5"], "ma5": round(s["ma_fast"], 1),
            "me_pub": r["money_effect_pct"], "me": round(100 * s["money_effect"], 2),
        })
    return pd.DataFrame(rows)


def method_fit() -> pd.DataFrame:
    """Mean absolute error of each trend-line method against the printed TL and money effect."""
    out = []
    for method, window in METHODS:
        t = comparison(TimingParams(trend_method=method, trend_window=window))
        tl = t.dropna(subset=["tl_pub"])
        me = t.dropna(subset=["me_pub"])
        regime = t.dropna(subset=["regime_pub"])
        out.append({
            "method": f"{method}({window})",
            "tl_mean_abs_err_pct": round(
                float(np.mean(np.abs(tl["tl"] / tl["tl_pub"] - 1))) * 100, 3),
            "n_tl": len(tl),
            "me_mean_abs_err_pp": round(float(np.mean(np.abs(me["me"] - me["me_pub"]))), 2),
            "n_me": len(me),
            "final_regime_agree":
                f"{int((regime['regime'] == regime['regime_pub']).sum())}/{len(regime)}",
        })
    return pd.DataFrame(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print markdown tables")
    args = parser.parse_args()
    table, fit = comparison(), method_fit()
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        for frame in (table, fit):
            print(frame.to_markdown(index=False) if args.markdown else frame.to_string(index=False))
            print()
    real = table[~table["proxy"]]
    print(f"rows on real Wind data: {len(real)}; "
          f"on the proxy extension: {int(table['proxy'].sum())}")
    t = table.dropna(subset=["regime_pub"])
    print(f"raw regime agrees with the printed one on {int((t['raw'] == t['regime_pub']).sum())}/"
          f"{len(t)} rows; final regime on {int((t['regime'] == t['regime_pub']).sum())}/{len(t)}")


if __name__ == "__main__":
    main()
