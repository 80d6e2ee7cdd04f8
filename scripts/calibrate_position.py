"""Fit the valuation-class rule to the positions the weekly report printed.

Usage: ``python scripts/calibrate_position.py [--markdown]``

Reads ``tests/golden/published_calibration.csv`` (11 issues print a position with the PE/PB
percentiles and the regime). Prints:

1. the fit of every named rule (``quantlib.valuation.CLASS_RULES``): how many printed positions
   ``position(printed regime, valuation_class(printed PE pct, printed PB pct))`` reproduces;
2. the best cut-offs per combination family (grid search) and the upper bound any
   deterministic rule on (PE pct, PB pct) can reach on these rows;
3. out of sample: the rule chosen on some printed rows, scored on the others (leave-one-out,
   and earlier half -> later half), for the best-fit and the robust (neighbourhood) choice
   (``quantlib.calibration``), and the agreement grid of the mean family over its cut-offs;
4. our proxy percentiles (CSI All Share PE-TTM, all-A median PB, since 2014-10-17) and our
   position next to the printed ones, as of the last trading day before each report date,
   with the percentile gap the proxies cost.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import pandas as pd

from quantlib.calibration import grid_neighbours, out_of_sample
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


def candidate_hits(pub: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(grid, hits) of every ClassRule on the 2.5-point cut-off grid.

    Column order (the tie-break of a choice) is neutral: combinations in ``COMBINES`` order,
    then cut-offs ascending; the default gets no precedence.
    """
    cuts = [c / 2 for c in range(5, 200, 5)]
    rules = [ClassRule(c, lo, hi) for c in COMBINES for lo, hi in itertools.combinations(cuts, 2)]
    grid = pd.DataFrame([{"rule": r.name, "combine": r.combine, "cheap_max": r.cheap_max,
                          "expensive_min": r.expensive_min} for r in rules]).set_index("rule")
    hits = pd.DataFrame({r.name: hits_of(r, pub) for r in rules})
    hits.index = pub["date"].dt.date
    return grid, hits


def hits_of(rule: ClassRule, pub: pd.DataFrame) -> list[bool]:
    return hits(rule, pub).tolist()


def oos_summary(pub: pd.DataFrame) -> pd.DataFrame:
    """In-sample, leave-one-out and half-split agreement of each choice procedure."""
    grid, hit = candidate_hits(pub)
    rows = []
    for fam in ("all", *COMBINES):
        names = grid.index if fam == "all" else grid.index[grid["combine"] == fam]
        near = grid_neighbours(grid.loc[names], ["cheap_max", "expensive_min"], ["combine"])
        for proc in ("best_fit", "robust"):
            o = out_of_sample(hit[list(names)], procedure=proc, neighbours=near)
            rows.append({"family": fam, "procedure": proc, "choice": o["in_sample_choice"],
                         "in_sample": f"{o['in_sample']}/{o['n']}",
                         "leave_one_out": f"{o['loo']}/{o['n']}",
                         "half_choice": o["half_choice"],
                         "later_half": f"{o['half']}/{o['half_n']}"})
    fixed = []
    cut = len(pub) // 2
    for name in (DEFAULT_CLASS_RULE, "mean_30_70", "pe_40_90", "mean_20_80"):
        h = hits(CLASS_RULES[name], pub)
        fixed.append({"family": "fixed", "procedure": name, "choice": name,
                      "in_sample": f"{int(h.sum())}/{len(h)}",
                      "leave_one_out": "(not fitted)", "half_choice": "",
                      "later_half": f"{int(h.iloc[cut:].sum())}/{len(h) - cut}"})
    return pd.concat([pd.DataFrame(rows), pd.DataFrame(fixed).drop_duplicates("choice")],
                     ignore_index=True)


def mean_grid(pub: pd.DataFrame) -> pd.DataFrame:
    """Agreement of the mean rule over cheap_max (rows) x expensive_min (columns)."""
    grid, hit = candidate_hits(pub)
    sub = grid[(grid["combine"] == "mean") & grid["cheap_max"].between(15, 45)
               & grid["expensive_min"].between(55, 95)]
    sub = sub[(sub["cheap_max"] % 5 == 0) | (sub["cheap_max"] == 32.5)]
    sub = sub[sub["expensive_min"] % 5 == 0]
    return sub.assign(agree=hit[sub.index].sum()).pivot(
        index="cheap_max", columns="expensive_min", values="agree")


def proxy_gap(ours: pd.DataFrame) -> pd.DataFrame:
    """What the proxies cost: percentile gaps (ours - printed) and position agreement."""
    rows = []
    for col in ("pe", "pb"):
        d = ours[f"{col}_pct"] - ours[f"{col}_pct_pub"]
        rows.append({"input": col.upper(), "mean_gap": round(float(d.mean()), 1),
                     "mean_abs_gap": round(float(d.abs().mean()), 1),
                     "min_gap": round(float(d.min()), 1), "max_gap": round(float(d.max()), 1)})
    return pd.DataFrame(rows)


def ours_vs_printed(pub: pd.DataFrame, model: PositionModel | None = None) -> pd.DataFrame:
    """Our proxy percentiles, regime and position next to the printed ones."""
    wind = load("wind_all_a", columns=["close", "is_proxy"])
    pe = load("csi_all_share", columns=["pe_ttm"])["pe_ttm"]
    pb = load("all_a_pb")["pb_median"]
    m = model or PositionModel()
    state = position_state(wind["close"], pe, pb, m)
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
                         r["regime_stated"], valuation_class(r["pe_pctile"], r["pb_pctile"],
                                                             rule=m.rule))),
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
        print("\n3. Out of sample: choose a rule on some printed rows, score it on the others "
              f"(leave-one-out; earlier {len(pub) // 2} -> later {len(pub) - len(pub) // 2})")
        print(show(oos_summary(pub)))
        print("\n   Mean rule: agreement by cheap_max (rows) x expensive_min (columns)")
        print(mean_grid(pub).to_markdown() if args.markdown else mean_grid(pub).to_string())
        ours = ours_vs_printed(pub)
        print("\n4. Ours (proxy data: CSI All Share PE-TTM, all-A median PB) vs printed")
        print(show(ours))
        print(f"\nposition agrees on {int((ours['pos'] == ours['pos_pub']).sum())}/{len(ours)}; "
              f"with the printed percentiles as inputs on "
              f"{int((ours['pos_pub_inputs'] == ours['pos_pub']).sum())}/{len(ours)}. "
              "Percentile gap, ours - printed (points):")
        print(show(proxy_gap(ours)))


if __name__ == "__main__":
    main()
