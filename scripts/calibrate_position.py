"""Fit the valuation-class rule to the positions the weekly report printed.

Usage: ``python scripts/calibrate_position.py [--markdown]``

Reads ``tests/golden/published_calibration.csv`` (11 issues print a position with the PE/PB
percentiles and the regime). Prints:

1. the fit of every named rule (``quantlib.valuation.CLASS_RULES``): how many printed positions
   ``position(printed regime, valuation_class(printed PE pct, printed PB pct))`` reproduces;
2. the best cut-offs per combination family (grid search) and the upper bound any
   deterministic rule on (PE pct, PB pct) can reach on these rows;
3. our proxy percentiles (CSI All Share PE-TTM, all-A median PB, since 2014-10-17) and our
   position next to the printed ones, as of the last trading day before each report date.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import pandas as pd

from quantlib.data import load
from quantlib.valuation import (
    CLASS_RULES,
    COMBINES,
    DEFAULT_CLASS_RULE,
    ClassRule,
    PositionModel,
    position,
    position_state,
    valuation_class,
)

PUBLISHED = Path(__file__).resolve().parents[1] / "tests" / "golden" / "published_calibration.csv"
CUTS = range(5, 100, 5)


def published() -> pd.DataFrame:
    """The rows that print a position, with regime, PE/PB percentiles and position (fraction)."""
    pub = pd.read_csv(PUBLISHED, parse_dates=["date"])
    pub = pub.dropna(subset=["position_pct"]).reset_index(drop=True)
    return pub.assign(position=pub["position_pct"] / 100.0)


def hits(rule: ClassRule | str, pub: pd.DataFrame) -> pd.Series:
    """True per row where the rule reproduces the printed position (printed inputs)."""
    cls = valuation_class(pub["pe_pctile"], pub["pb_pctile"], rule=rule)
    pos = position(pub["regime_stated"], cls)
    return (pos - pub["position"]).abs() < 1e-9


def named_fit(pub: pd.DataFrame) -> pd.DataFrame:
    rows = [{"rule": name, "fit": int(hits(r, pub).sum()), "of": len(pub),
             "misses": ", ".join(str(d.date()) for d in pub["date"][~hits(r, pub)])}
            for name, r in CLASS_RULES.items()]
    return pd.DataFrame(rows).sort_values(["fit", "rule"], ascending=[False, True])


def family_search(pub: pd.DataFrame) -> pd.DataFrame:
    """Best cut-offs (5-point grid) per combination; ties listed as a count and a range."""
    rows = []
    for combine in COMBINES:
        scores = {(lo, hi): int(hits(ClassRule(combine, lo, hi), pub).sum())
                  for lo, hi in itertools.combinations(CUTS, 2)}
        best = max(scores.values())
        top = [k for k, v in scores.items() if v == best]
        rows.append({"combine": combine, "best_fit": best, "of": len(pub),
                     "n_cutoff_pairs": len(top), "cheap_max": sorted({k[0] for k in top}),
                     "expensive_min_range": f"{min(k[1] for k in top)}..{max(k[1] for k in top)}"})
    return pd.DataFrame(rows)


def upper_bound(pub: pd.DataFrame) -> int:
    """Most rows any deterministic (PE pct, PB pct) -> class map can fit with the report table."""
    total = 0
    for _, grp in pub.groupby(["pe_pctile", "pb_pctile"]):
        total += max(int((position(grp["regime_stated"], pd.Series([c] * len(grp),
                                                                    index=grp.index))
                          - grp["position"]).abs().lt(1e-9).sum())
                     for c in ("cheap", "normal", "expensive"))
    return total


def ours_vs_printed(pub: pd.DataFrame, model: PositionModel | None = None) -> pd.DataFrame:
    """Our proxy percentiles, regime and position next to the printed ones."""
    wind = load("wind_all_a", columns=["close", "is_proxy"])
    pe = load("csi_all_share", columns=["pe_ttm"])["pe_ttm"]
    pb = load("all_a_pb")["pb_median"]
    state = position_state(wind["close"], pe, pb, model)
    rows = []
    for _, r in pub.iterrows():
        asof = state.index[state.index < r["date"]][-1]
        s = state.loc[asof]
        rows.append({"report": r["date"].date(), "asof": asof.date(),
                     "regime_pub": r["regime_stated"], "regime": s["regime_label"],
                     "pe_pct_pub": r["pe_pctile"], "pe_pct": round(s["pe_pct"], 1),
                     "pb_pct_pub": r["pb_pctile"], "pb_pct": round(s["pb_pct"], 1),
                     "class": s["valuation_class"], "pos_pub": r["position_pct"],
                     "pos": round(100 * s["position"]),
                     "pos_pub_inputs": round(100 * position(
                         r["regime_stated"], valuation_class(r["pe_pctile"], r["pb_pctile"]))),
                     "wind_proxy": bool(wind.loc[asof, "is_proxy"])})
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", action="store_true", help="print markdown tables")
    args = ap.parse_args()
    show = (lambda d: d.to_markdown(index=False)) if args.markdown else (
        lambda d: d.to_string(index=False))
    pub = published()
    with pd.option_context("display.width", 200, "display.max_columns", 30,
                           "display.max_colwidth", 80):
        print(f"1. Named rules vs the {len(pub)} printed positions (printed regime and "
              f"percentiles as inputs; default {DEFAULT_CLASS_RULE})")
        print(show(named_fit(pub)))
        print("\n2. Best cut-offs per family (grid 5..95 step 5; cheap <= lo, expensive >= hi)")
        print(show(family_search(pub)))
        print(f"\nUpper bound for ANY deterministic rule on (PE pct, PB pct): "
              f"{upper_bound(pub)} of {len(pub)}")
        print("\n3. Ours (proxy data: CSI All Share PE-TTM, all-A median PB) vs printed")
        print(show(ours_vs_printed(pub)))


if __name__ == "__main__":
    main()
