"""Compare the timing model with every figure the weekly report printed.

Usage: ``python scripts/calibrate_timing.py [--markdown]``

Reads ``tests/golden/published_calibration.csv`` (a copy of shared/spec/published_calibration.csv:
figures printed in 19 report issues, 2023-01 .. 2025-10) and the bundled WIND All A series.
Each report is dated on a weekend; its figures are taken as of the last trading day strictly
before the report date. Rows after 2024-12-12 rest on the proxy extension of WIND All A.

Prints (1) ours vs printed per row, (2) the fit of each trend-line method to the printed
trend line and money-making effect, and (3) out of sample: the final regime's agreement when
the OPEN choices (trend-line method and window) and the regime threshold are chosen on some
printed rows and scored on the others (leave-one-out; earlier half -> later half), with the
agreement grid over threshold x trend window (``quantlib.calibration``). The STATED rule (MA20
/ MA120, 3%) is not fitted: its agreement is the same in and out of sample, reported per half.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from quantlib.calibration import grid_neighbours, out_of_sample
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


THRESHOLDS = (0.02, 0.025, 0.03, 0.035, 0.04)
TREND = (("sma", 15), ("sma", 20), ("sma", 25), ("sma", 30), ("ema", 15), ("ema", 20),
         ("ema", 25), ("ema", 30))


def regime_hits() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(grid, hits): final-regime agreement per printed row for threshold x trend line."""
    wind = load("wind_all_a")
    pub = pd.read_csv(PUBLISHED, parse_dates=["date"]).dropna(subset=["regime_stated"])
    asof = asof_dates(pub["date"], wind.index)
    rows, hits = [], {}
    # the stated threshold and the default trend line first (tie-break preference)
    order = sorted(((th, m, w) for th in THRESHOLDS for m, w in TREND),
                   key=lambda c: (c != (0.03, "sma", 20), c))
    for th, method, window in order:
        p = TimingParams(threshold=th, trend_method=method, trend_window=window)
        state = timing_state(wind["close"], wind["amount_cny"], p)
        name = f"{method}{window}/th{100 * th:g}%"
        hits[name] = (state.loc[asof, "regime_label"].to_numpy()
                      == pub["regime_stated"].to_numpy())
        rows.append({"candidate": name, "method": method, "trend_window": window,
                     "threshold": th})
    grid = pd.DataFrame(rows).set_index("candidate")
    return grid, pd.DataFrame(hits, index=pub["date"].dt.date)


def out_of_sample_table() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Out-of-sample summary per procedure, and the agreement grid of the sma family."""
    grid, hits = regime_hits()
    near = grid_neighbours(grid, ["trend_window", "threshold"], ["method"])
    cut = len(hits) // 2
    rows = []
    for proc in ("best_fit", "robust"):
        o = out_of_sample(hits, procedure=proc, neighbours=near)
        rows.append({"procedure": proc, "choice": o["in_sample_choice"],
                     "in_sample": f"{o['in_sample']}/{o['n']}",
                     "leave_one_out": f"{o['loo']}/{o['n']}", "half_choice": o["half_choice"],
                     "later_half": f"{o['half']}/{o['half_n']}"})
    stated = hits["sma20/th3%"]
    rows.append({"procedure": "fixed (stated 3%, MA20 trend line)", "choice": "sma20/th3%",
                 "in_sample": f"{int(stated.sum())}/{len(stated)}",
                 "leave_one_out": f"{int(stated.sum())}/{len(stated)} (not fitted)",
                 "half_choice": f"earlier {int(stated.iloc[:cut].sum())}/{cut}",
                 "later_half": f"{int(stated.iloc[cut:].sum())}/{len(stated) - cut}"})
    heat = grid.assign(agree=hits.sum()).pivot_table(index=["method", "trend_window"],
                                                     columns="threshold", values="agree")
    return pd.DataFrame(rows), heat


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
    d = table.dropna(subset=["dist_pub"])
    cut = len(d) // 2
    err = (d["dist"] - d["dist_pub"]).abs()
    print(f"MA distance (stated, not fitted): mean abs error {err.mean():.2f} pp on {len(d)} "
          f"rows; earlier {cut}: {err.iloc[:cut].mean():.2f} pp, later {len(d) - cut}: "
          f"{err.iloc[cut:].mean():.2f} pp")
    summary, heat = out_of_sample_table()
    print("\nOut of sample: final regime, choosing threshold and trend line on some printed rows")
    print(summary.to_markdown(index=False) if args.markdown else summary.to_string(index=False))
    print("\nFinal-regime agreement by trend line (rows) x threshold (columns)")
    print(heat.to_markdown() if args.markdown else heat.to_string())


if __name__ == "__main__":
    main()
