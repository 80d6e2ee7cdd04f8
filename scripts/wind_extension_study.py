"""Out-of-sample study: how to extend WIND All A (881001) after its last real day 2024-12-12.

Usage::

    python scripts/wind_extension_study.py [--shared PATH]

Protocol. Hide the last two real Wind years (2022-12-13..2024-12-12), extend the real close from
2022-12-12 with each candidate return model fitted on data up to 2022-12-12 only, and compare
with the real Wind series. Then refit each candidate on data up to 2024-12-12 (the production
fit), extend into 2025-2026 and compare MA20/MA120 with the published WIND All A figures in
``../shared/spec/published_calibration.csv`` (figures taken as of the last trading day strictly
before the report date). ``build_data_cache.py`` imports :func:`run_study` and stores its
result in the manifest (``wind_all_a.extension``).

Candidates: plain chaining of 000985 returns; OLS ``r_wind = a + b r_985`` on a trailing
250/500/750-day window; OLS with the SSE Composite return as a second regressor (SSE data end
2026-02-27, so this family cannot cover the proxy period to 2026-08-21 without a fallback).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from quantlib.data.splice import (  # noqa: E402
    RegressionSplice,
    chain_levels,
    fit_ols,
    ma_distance,
    regime,
)

OOS_FIT_END = pd.Timestamp("2022-12-12")
PROD_FIT_END = pd.Timestamp("2024-12-12")
DAYS_PER_YEAR = 242
WINDOWS = (250, 500, 750)


def _build_module():
    spec = importlib.util.spec_from_file_location(
        "build_data_cache", REPO_ROOT / "scripts" / "build_data_cache.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_data_cache", mod)
    spec.loader.exec_module(mod)
    return mod


def load_inputs(shared: Path) -> dict[str, Any]:
    """Real Wind close, 000985 and SSE daily returns (simple), date-indexed."""
    b = sys.modules.get("build_data_cache") or _build_module()
    wind = b.real_wind_close(shared)
    r985 = b.read_000985(shared).set_index("date")["close"].pct_change()
    rsse = b.read_sse(shared).set_index("date")["close"].pct_change()
    return {"wind": wind, "r_wind": wind.pct_change(), "r985": r985, "rsse": rsse}


def candidates(inp: dict[str, Any], fit_end: pd.Timestamp) -> dict[str, RegressionSplice]:
    """Every candidate model, fitted on data up to and including ``fit_end``."""
    out = {"plain": RegressionSplice(0.0, (1.0,), ("r985",))}
    x = pd.DataFrame({"r985": inp["r985"], "rsse": inp["rsse"]})
    data = pd.concat([inp["r_wind"].rename("y"), x], axis=1, sort=True).loc[:fit_end]
    data = data.loc[data.notna().all(axis=1)]
    for n in WINDOWS:
        win = data.iloc[-n:]
        out[f"ols1_{n}"] = fit_ols(win["y"], win[["r985"]])
        out[f"ols2_{n}"] = fit_ols(win["y"], win[["r985", "rsse"]])
    return out


def fit_windows(inp: dict[str, Any], fit_end: pd.Timestamp) -> dict[int, list[str]]:
    """First and last date of each trailing fit window ending at ``fit_end``."""
    idx = inp["r_wind"].loc[:fit_end].dropna().index.intersection(inp["r985"].dropna().index)
    return {n: [idx[-n].strftime("%Y-%m-%d"), idx[-1].strftime("%Y-%m-%d")] for n in WINDOWS}


def extend(inp: dict[str, Any], model: RegressionSplice, start: pd.Timestamp,
           end: pd.Timestamp | None = None) -> pd.Series:
    """Real Wind close up to ``start`` followed by the modelled extension (to ``end``)."""
    x = pd.DataFrame({"r985": inp["r985"], "rsse": inp["rsse"]}).loc[start:end]
    x = x.loc[x.index > start, list(model.regressors)]
    complete = x.notna().all(axis=1)
    # a model needing SSE stops where SSE data end (2026-02-27): no fallback is applied here
    x = x.loc[: complete[complete].index[-1]]
    r = model.returns(x)
    ext = chain_levels(float(inp["wind"].loc[start]), r)
    return pd.concat([inp["wind"].loc[:start], ext])


def oos_metrics(inp: dict[str, Any], model: RegressionSplice) -> dict[str, float]:
    """Compare an extension from OOS_FIT_END with the hidden real Wind series."""
    full = extend(inp, model, OOS_FIT_END, PROD_FIT_END)
    real = inp["wind"]
    hid = real.index[real.index > OOS_FIT_END]
    diff_r = full.pct_change().loc[hid] - real.pct_change().loc[hid]
    lvl = (full.loc[hid] / real.loc[hid] - 1.0) * 100
    d_err = (ma_distance(full) - ma_distance(real)).loc[hid]
    disagree = (regime(ma_distance(full)).loc[hid] != regime(ma_distance(real)).loc[hid])
    return {
        "final_level_err_pct": float(lvl.iloc[-1]),
        "tracking_error_ann_pct": float(diff_r.std(ddof=1) * np.sqrt(DAYS_PER_YEAR) * 100),
        "drift_ann_pct": float(diff_r.mean() * DAYS_PER_YEAR * 100),
        "max_abs_level_err_pct": float(lvl.abs().max()),
        "ma_dist_err_mean_abs_pp": float(d_err.abs().mean()),
        "ma_dist_err_max_abs_pp": float(d_err.abs().max()),
        "regime_disagree_days": int(disagree.sum()),
        "days": len(hid),
    }


def published_rows(spec_csv: Path) -> pd.DataFrame:
    """Published rows after 2024-12-12 with a printed MA20/MA120 or distance."""
    pub = pd.read_csv(spec_csv, parse_dates=["date"])
    pub = pub.loc[pub["date"] > PROD_FIT_END]
    return pub.loc[pub["ma_distance_pct"].notna() | pub["ma20"].notna(),
                   ["date", "ma20", "ma120", "ma_distance_pct"]].reset_index(drop=True)


def published_fit(inp: dict[str, Any], model: RegressionSplice,
                  pub: pd.DataFrame) -> dict[str, Any]:
    """Errors of the production extension against the published figures."""
    full = extend(inp, model, PROD_FIT_END)
    ma20, ma120 = full.rolling(20).mean(), full.rolling(120).mean()
    dist = ma_distance(full)
    rows, e20, e120, ed = [], [], [], []
    for _, p in pub.iterrows():
        asof = full.index[full.index < p["date"]][-1]
        row = {"report_date": p["date"].strftime("%Y-%m-%d"),
               "asof": asof.strftime("%Y-%m-%d"),
               "ma20": round(float(ma20.loc[asof]), 1), "ma120": round(float(ma120.loc[asof]), 1),
               "dist_pct": round(float(dist.loc[asof]), 2)}
        if pd.notna(p["ma20"]):
            e20.append(abs(ma20.loc[asof] / p["ma20"] - 1) * 100)
            e120.append(abs(ma120.loc[asof] / p["ma120"] - 1) * 100)
        if pd.notna(p["ma_distance_pct"]):
            ed.append(abs(dist.loc[asof] - p["ma_distance_pct"]))
        rows.append(row)
    return {"ma20_mean_abs_err_pct": float(np.mean(e20)), "ma120_mean_abs_err_pct":
            float(np.mean(e120)), "dist_mean_abs_err_pp": float(np.mean(ed)),
            "dist_max_abs_err_pp": float(np.max(ed)), "n_ma_rows": len(e20),
            "n_dist_rows": len(ed), "covers_to": full.index[-1].strftime("%Y-%m-%d"),
            "rows": rows}


def run_study(shared: Path, spec_csv: Path) -> dict[str, Any]:
    """Run the whole study; return a JSON-able dict (rounded) for the manifest."""
    inp = load_inputs(shared)
    oos_models = candidates(inp, OOS_FIT_END)
    prod_models = candidates(inp, PROD_FIT_END)
    pub = published_rows(spec_csv)
    result: dict[str, Any] = {"candidates": {}, "oos_fit_windows": fit_windows(inp, OOS_FIT_END),
                              "prod_fit_windows": fit_windows(inp, PROD_FIT_END)}
    for name in oos_models:
        result["candidates"][name] = {
            "oos_coefficients": _coef(oos_models[name]),
            "prod_coefficients": _coef(prod_models[name]),
            "oos": _round(oos_metrics(inp, oos_models[name])),
            "published": _round(published_fit(inp, prod_models[name], pub)),
        }
    return result


def _coef(m: RegressionSplice) -> dict[str, Any]:
    return {"intercept": round(m.intercept, 12), "betas": [round(b, 12) for b in m.betas],
            "regressors": list(m.regressors)}


def _round(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, 4)
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_round(v) for v in obj]
    return obj


def format_table(result: dict[str, Any]) -> str:
    """Render the study as a plain-text (markdown) table."""
    head = ("| candidate | final lvl err % | TE ann % | drift ann % | max lvl err % | "
            "MA-dist err mean/max pp | regime disagree days | pub MA20/MA120 err % | "
            "pub dist err mean/max pp | covers to |")
    lines = [head, "|" + "---|" * 10]
    for name, c in result["candidates"].items():
        o, p = c["oos"], c["published"]
        lines.append(
            f"| {name} | {o['final_level_err_pct']:+.2f} | {o['tracking_error_ann_pct']:.2f} | "
            f"{o['drift_ann_pct']:+.2f} | {o['max_abs_level_err_pct']:.2f} | "
            f"{o['ma_dist_err_mean_abs_pp']:.3f}/{o['ma_dist_err_max_abs_pp']:.3f} | "
            f"{o['regime_disagree_days']} of {o['days']} | "
            f"{p['ma20_mean_abs_err_pct']:.2f}/{p['ma120_mean_abs_err_pct']:.2f} | "
            f"{p['dist_mean_abs_err_pp']:.2f}/{p['dist_max_abs_err_pp']:.2f} | {p['covers_to']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO_ROOT.parent / "shared" / "data")
    args = ap.parse_args(argv)
    spec_csv = args.shared.parent / "spec" / "published_calibration.csv"
    result = run_study(args.shared, spec_csv)
    print(format_table(result))
    for name, c in result["candidates"].items():
        print(name, "OOS fit:", c["oos_coefficients"], "prod fit:", c["prod_coefficients"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
