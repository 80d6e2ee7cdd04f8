"""The industry rotation sweep end to end: the fused top-k path against the reference path.

Run from the repository root (one command)::

    python benchmarks/rotation_sweep_fused.py            # 310 combinations, + vectorbt on 62
    python benchmarks/rotation_sweep_fused.py --no-vectorbt

Work: ``quantlib.sweep("industry_rotation", grid)`` over every sweepable parameter: model
(trend, two_beta, earnings, reversal, blend) x k 1..31 x weighting (equal, score) = 310
combinations, each a weekly top-k portfolio of the 31 Shenwan L1 industries on the bundled
data (1999-12-30 .. 2026-02-26; window from the latest first decision, 2002-02-01), the
strategy's declared costs (index commission 2.5 bps + 5 bps slippage), 13 metrics, DSR and
PBO (16 blocks, 12,870 partitions).

* reference path (``Execution(fused=False)``): each combination's ``target_weights`` (pandas
  top k on its model's scores), one engine call per batch on a (bars, combinations, 31)
  array, NumPy metrics;
* fused path (default): the strategy's ``batch_signals`` gives one score panel per model; one
  numba pass per combination picks the top k per week, runs the engine's own multi-asset
  loop and streams the metrics (``quantlib.sweep._fused_topk_nb``).

The models' scores (the same for both paths, cached by the strategy) are computed first and
timed apart; numba is warmed up on a small grid. Reported per path: wall time, CPU time of
the process, peak RSS above the RSS before the path (``/proc/self/clear_refs``), and whether
every metric of the 310 rows and every PBO logit agree to 1e-12. vectorbt
(``Portfolio.from_orders``, targetpercent, cash sharing, ``call_seq="auto"``, same fees and
slippage) on the 62 ``trend`` combinations (weights from the same scores), its total returns
checked against the fused table; more would not fit in memory (310 x 31 columns of 5,850
bars per input array).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _harness

GRID = {"model": ["trend", "two_beta", "earnings", "reversal", "blend"], "k": "1:31:1",
        "weighting": ["equal", "score"]}
SMALL = {"model": ["trend"], "k": [1, 2], "weighting": ["equal", "score"]}
RTOL = 1e-12
VBT_RTOL = 1e-9


def _load() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


def _timed(fn):
    base = _harness.reset_peak()
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = _harness._status_kb("VmHWM")
    return out, wall, cpu, max(peak - base, 0) / 1024


def _max_rel(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return float("inf")
    ok = np.isfinite(b)
    return float(np.max(np.abs(a[ok] - b[ok]) / np.maximum(np.abs(b[ok]), 1.0), initial=0.0))


def _vectorbt(strat, data, fused, costs) -> None:
    import pandas as pd
    import vectorbt as vbt

    from quantlib.strategy import ParamSet

    rows = fused.table[fused.table["model"] == "trend"]
    prices = data.prices.loc[fused.start: fused.end]

    def work() -> np.ndarray:
        parts = {}
        for combo, row in rows.iterrows():
            w = strat.target_weights(data, ParamSet({"model": "trend", "k": int(row["k"]),
                                                     "weighting": row["weighting"]}))
            parts[combo] = w.loc[fused.start: fused.end]
        size = pd.concat(parts, axis=1).reindex(prices.index).shift(1)
        wide = pd.DataFrame(np.tile(prices.to_numpy(), len(parts)), prices.index, size.columns)
        pf = vbt.Portfolio.from_orders(wide, size, size_type="targetpercent",
                                       fees=costs.commission_rate,
                                       slippage=costs.slippage_bps / 1e4, init_cash=1.0,
                                       cash_sharing=True, group_by=0, call_seq="auto", freq="D")
        return pf.total_return().to_numpy()

    got, wall, cpu, peak = _timed(work)
    t0 = time.perf_counter()
    sub = {"model": ["trend"], "k": "1:31:1", "weighting": ["equal", "score"]}
    import quantlib

    mine = quantlib.sweep(strat, sub, data=data, start=fused.start, end=fused.end)
    ql_wall = time.perf_counter() - t0
    rel = _max_rel(got, mine.table["total_return"].to_numpy())
    print(f"vectorbt on the {len(rows)} trend combinations (weights + from_orders + total "
          f"return): {wall:.2f} s wall, {cpu:.2f} s CPU, peak +{peak:.0f} MB; quantlib fused "
          f"sweep of the same 62 (13 metrics, DSR, PBO): {ql_wall:.2f} s, ratio "
          f"{wall / ql_wall:.1f}x; total returns max relative difference {rel:.1e}: "
          f"{'AGREE' if rel <= VBT_RTOL else 'DISAGREE'} to {VBT_RTOL:g}")


def main() -> int:
    import quantlib
    from quantlib.strategies import resolve
    from quantlib.sweep import METRIC_KEYS, Execution

    print(f"load average before: {_load()}")
    strat = resolve("industry_rotation")[0]
    data = strat.load(None)
    t0 = time.perf_counter()
    for m in GRID["model"]:
        strat.scores(data, m)
    scores_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    quantlib.sweep(strat, SMALL, data=data)
    quantlib.sweep(strat, SMALL, data=data, execution=Execution(fused=False))
    warm = time.perf_counter() - t0
    fused, f_wall, f_cpu, f_peak = _timed(lambda: quantlib.sweep(strat, GRID, data=data))
    ref, r_wall, r_cpu, r_peak = _timed(
        lambda: quantlib.sweep(strat, GRID, data=data, execution=Execution(fused=False)))
    n = len(fused.table)
    rel = max(_max_rel(fused.table[c], ref.table[c]) for c in METRIC_KEYS)
    logits = np.array_equal(fused.overfitting.pbo_logits, ref.overfitting.pbo_logits)
    ok = rel <= RTOL and logits and fused.overfitting.pbo == ref.overfitting.pbo
    bars = len(data.prices.loc[fused.start: fused.end])
    print(f"industry_rotation sweep: {n} combinations (5 models x k 1..31 x 2 weightings) x "
          f"31 industries x {bars} bars ({fused.start.date()} .. {fused.end.date()}); model "
          f"scores {scores_s:.2f} s (once, shared by both paths); warm-up {warm:.2f} s")
    print(f"reference path: {r_wall:.2f} s wall, {r_cpu:.2f} s CPU, peak +{r_peak:.0f} MB "
          f"({ref.n_batches} batch(es) of {ref.batch_size})")
    print(f"fused path:     {f_wall:.2f} s wall, {f_cpu:.2f} s CPU, peak +{f_peak:.0f} MB "
          f"({fused.n_batches} batch(es) of {fused.batch_size})")
    print(f"ratio reference / fused: {r_wall / f_wall:.1f}x wall, {r_cpu / f_cpu:.1f}x CPU")
    print(f"agreement: 13 metrics x {n} rows max relative difference {rel:.1e}, PBO logits "
          f"{'equal' if logits else 'DIFFER'}: {'AGREE' if ok else 'DISAGREE'} to {RTOL:g}")
    best = fused.best
    print(f"best by sharpe_ratio: {fused.best_params()} sharpe {best['sharpe_ratio']:.3f}; "
          f"DSR {fused.overfitting.deflated_sharpe:.4f}, PBO {fused.overfitting.pbo:.4f}")
    if "--no-vectorbt" not in sys.argv:
        _vectorbt(strat, data, fused, strat.cost_model())
    print(f"load average after: {_load()}; process peak RSS "
          f"{_harness._status_kb('VmHWM') / 1024:.0f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
