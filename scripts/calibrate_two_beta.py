"""TWO BETA: which definitions reproduce the report's leading direction, in and out of sample.

Usage: ``python scripts/calibrate_two_beta.py [--markdown]``

The report names the leading beta direction in 11 issues of ``published_calibration.csv``
(column ``two_beta_picks``): 周期 (upstream cyclicals) on 2024-03-03, 科技 (technology) on the
other ten. Each candidate rule of ``quantlib.rotation.TwoBetaParams`` gives a leader as of the
last trading day before each report date; a hit is the same direction.

Candidates (what the research text allows, docs/rotation.md):

* ``rule``: ``alpha`` (beta-adjusted relative strength, residuals on a 250-day beta summed over
  ``lookback`` days), ``raw`` (raw relative strength: summed returns), ``ratio_trend`` (the
  timing system's MA20 / MA``ratio_long`` distance on the cyclical/tech ratio);
* horizon: ``lookback`` 20/60/120/250 days (``ratio_long`` 60/120/250 for ``ratio_trend``);
* hysteresis ``margin`` (grid per rule);
* sleeves: tech = electronics, computers, telecom, media, defence (算力, AI应用, 消费电子, 军工
  in the calibration weeks) against ``broad`` cyclicals (nonferrous, coal, oil & petrochem,
  basic chemicals, steel; the old default) or ``narrow`` (nonferrous metals and coal, the two
  the report names).

Prints (1) the out-of-sample summary per procedure (best in-sample fit vs the robust one that
maximises the neighbourhood's mean agreement, see ``quantlib.calibration``), overall and per
rule family; (2) per family, the agreement grid over (horizon, margin) with switches a year;
(3) the top candidates with agreement by half and their switch frequency.
"""

from __future__ import annotations

import argparse
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from quantlib.calibration import grid_neighbours, out_of_sample
from quantlib.data import load
from quantlib.rotation import CYCLICAL, CYCLICAL_BROAD, IndustryData, TwoBetaParams, two_beta_scores
from quantlib.rotation.two_beta import lead_with_hysteresis

PUBLISHED = Path(__file__).resolve().parents[1] / "tests" / "golden" / "published_calibration.csv"
SLEEVES = {"broad": CYCLICAL_BROAD, "narrow": CYCLICAL}
HORIZONS = {"alpha": (20, 60, 120, 250), "raw": (20, 60, 120, 250), "ratio_trend": (60, 120, 250)}
MARGINS = {"alpha": (0.0, 0.025, 0.05, 0.1, 0.15, 0.2),
           "raw": (0.0, 0.025, 0.05, 0.1, 0.15, 0.2),
           "ratio_trend": (0.0, 0.01, 0.02, 0.03, 0.05, 0.08)}
SWITCH_SPAN = ("2015-01-01", "2026-02-26")


def published() -> pd.DataFrame:
    """Report date and printed direction (1 = cyclicals lead, 0 = technology) per issue."""
    pub = pd.read_csv(PUBLISHED, parse_dates=["date"]).dropna(subset=["two_beta_picks"])
    text = pub["two_beta_picks"].astype(str)
    lead = np.where(text.str.contains("周期"), 1.0, np.where(text.str.contains("科技"), 0.0,
                                                             np.nan))
    return pd.DataFrame({"date": pub["date"], "printed": lead, "text": text}).dropna(
        subset=["printed"]).reset_index(drop=True)


def params_of(rule: str, sleeve: str, horizon: int, margin: float) -> TwoBetaParams:
    kw = {"ratio_long": horizon} if rule == "ratio_trend" else {"lookback": horizon}
    return TwoBetaParams(sleeve_b=SLEEVES[sleeve], rule=rule, margin=margin, **kw)


def name_of(rule: str, sleeve: str, horizon: int, margin: float) -> str:
    return f"{rule}/{sleeve}/{horizon}d/m{margin:g}"


@lru_cache(maxsize=1)
def _close() -> pd.DataFrame:
    return load("sw_l1")["close"]


def spreads() -> dict[tuple[str, str, int], pd.Series]:
    """The spread (cyclical minus tech) of each (rule, sleeve, horizon); margin-free."""
    data = IndustryData(_close())
    out = {}
    for rule, horizons in HORIZONS.items():
        for sleeve in SLEEVES:
            for h in horizons:
                s = two_beta_scores(data, params_of(rule, sleeve, h, 0.0))
                out[(rule, sleeve, h)] = s.fields["sleeves"]["spread"]
    return out


def candidates(pub: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(grid, hits): one row per candidate with its parameters and switch rates; hits per week."""
    idx = _close().index
    asof = [idx[idx < d][-1] for d in pub["date"]]
    rows, hits = [], {}
    for (rule, sleeve, h), spread in spreads().items():
        for m in MARGINS[rule]:
            lead = lead_with_hysteresis(spread, m)
            name = name_of(rule, sleeve, h, m)
            hits[name] = (lead.loc[asof].to_numpy() == pub["printed"].to_numpy())
            span = lead.loc[SWITCH_SPAN[0]:SWITCH_SPAN[1]].dropna()
            years = (span.index[-1] - span.index[0]).days / 365.25
            recent = lead.loc["2023-01-01":"2025-10-31"]
            rows.append({"candidate": name, "rule": rule, "sleeve": sleeve, "horizon": h,
                         "margin": m,
                         "switches_per_year": round(float((span.diff().abs() > 0).sum())
                                                    / years, 2),
                         "switches_2023_2025": int((recent.diff().abs() > 0).sum()),
                         "share_cyclical_2023_2025": round(float(recent.mean()), 2)})
    grid = pd.DataFrame(rows).set_index("candidate")
    hit_frame = pd.DataFrame(hits, index=pub["date"].dt.date)
    # column order = tie-break preference: fewer switches first (the report's call is sticky)
    order = grid.sort_values(["switches_per_year", "rule", "sleeve", "horizon", "margin"]).index
    return grid.loc[order], hit_frame[order]


def summary(grid: pd.DataFrame, hits: pd.DataFrame) -> pd.DataFrame:
    """Out-of-sample agreement per procedure, over all candidates and per rule family."""
    rows = []
    families = [("all", grid.index)] + [(f"{r}/{s}", grid.index[(grid["rule"] == r)
                                                                   & (grid["sleeve"] == s)])
                                          for r in HORIZONS for s in SLEEVES]
    for fam, names in families:
        sub_grid, sub_hits = grid.loc[names], hits[list(names)]
        near = grid_neighbours(sub_grid, ["horizon", "margin"], ["rule", "sleeve"])
        for proc in ("best_fit", "robust"):
            o = out_of_sample(sub_hits, procedure=proc, neighbours=near)
            rows.append({"family": fam, "procedure": proc,
                         "in_sample": f"{o['in_sample']}/{o['n']}",
                         "choice": o["in_sample_choice"],
                         "switches_per_year": grid.loc[o["in_sample_choice"],
                                                       "switches_per_year"],
                         "leave_one_out": f"{o['loo']}/{o['n']}",
                         "half_choice": o["half_choice"],
                         "later_half": f"{o['half']}/{o['half_n']}"})
    return pd.DataFrame(rows)


def heatmap(grid: pd.DataFrame, hits: pd.DataFrame, rule: str, sleeve: str) -> pd.DataFrame:
    """Agreement (of 11) over horizon x margin for one family, with switches a year."""
    sub = grid[(grid["rule"] == rule) & (grid["sleeve"] == sleeve)]
    cell = {n: f"{int(hits[n].sum())} ({sub.loc[n, 'switches_per_year']:.1f}/y)"
            for n in sub.index}
    return (sub.assign(cell=pd.Series(cell)).pivot(index="horizon", columns="margin",
                                                   values="cell"))


def table(grid: pd.DataFrame, hits: pd.DataFrame) -> pd.DataFrame:
    """Every candidate: agreement overall, by half, over its neighbourhood; switch rates."""
    near = grid_neighbours(grid, ["horizon", "margin"], ["rule", "sleeve"])
    rate = hits.mean(axis=0)
    cut = len(hits) // 2
    out = grid.assign(
        agree=hits.sum(axis=0), earlier=hits.iloc[:cut].sum(axis=0),
        later=hits.iloc[cut:].sum(axis=0),
        neighbourhood=pd.Series({c: round(float(rate[near[c]].mean()) * len(hits), 2)
                                 for c in grid.index}),
        misses=pd.Series({c: ", ".join(str(d) for d in hits.index[~hits[c].to_numpy()])
                          for c in grid.index}))
    return out.sort_values(["neighbourhood", "agree", "switches_per_year"],
                           ascending=[False, False, True])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", action="store_true", help="print markdown tables")
    ap.add_argument("--top", type=int, default=15, help="rows of the candidate table")
    args = ap.parse_args()
    show = (lambda d, i=False: d.to_markdown(index=i)) if args.markdown else (
        lambda d, i=False: d.to_string(index=i))
    pub = published()
    grid, hits = candidates(pub)
    with pd.option_context("display.width", 250, "display.max_columns", 30,
                           "display.max_colwidth", 60):
        calls = zip(pub["date"], pub["printed"], strict=True)
        print(f"Printed direction on {len(pub)} issues: "
              f"{', '.join(f'{d.date()}={int(v)}' for d, v in calls)}"
              " (1 = cyclicals, 0 = tech); always-tech would score "
              f"{int((pub['printed'] == 0).sum())}/{len(pub)} and never switch.")
        print(f"\n1. Out of sample ({len(grid)} candidates; leave-one-out and earlier "
              f"{len(pub) // 2} -> later {len(pub) - len(pub) // 2} weeks)")
        print(show(summary(grid, hits)))
        print("\n2. Agreement (of 11) by horizon (rows) x margin (columns), switches a year "
              f"{SWITCH_SPAN[0][:4]}-{SWITCH_SPAN[1][:4]}")
        for rule in HORIZONS:
            for sleeve in SLEEVES:
                print(f"\n{rule} / {sleeve} cyclicals")
                print(show(heatmap(grid, hits, rule, sleeve), True))
        print(f"\n3. Top {args.top} candidates by neighbourhood agreement")
        print(show(table(grid, hits).head(args.top), True))


if __name__ == "__main__":
    main()
