"""100,000-combination MA-distance timing sweep on 30 years of daily WIND All A, one process.

Run from the repository root (one command)::

    python benchmarks/sweep_100k.py              # fused path, reference check on 4,000, Dask
    python benchmarks/sweep_100k.py --reference  # also the reference path on all 100,000
    python benchmarks/sweep_100k.py --no-dask    # skip the LocalCluster runs

Grid (100,000 combinations, every one valid): short MA 5..54 step 1 (50) x long MA 60..255
step 5 (40) x threshold 0..6% step 0.25% (25) x use_rules true/false (2); the other
parameters at their defaults except ``range_weight=0`` (long or cash). Data:
``load("wind_all_a", end="2024-12-12")`` (1994-12-30 .. 2024-12-12, 7,272 bars). Engine:
fill at the next close, 0.1% of traded value, no A-share rules (an index), capital 1.0.

Reported: wall and CPU time of the sweep on the fused path (numba kernels compiled and cached
by a warm-up on a small grid first, timed separately), of which the overfitting statistics,
each timed on its own: the PBO/CSCV kernel over C(16, 8) = 12,870 partitions x 100,000
combinations (``pbo_from_block_stats``: wall and CPU) and the DSR with the rest (variance of
the trials' Sharpe ratios, the selected row); the process's peak RSS (``VmHWM``, everything
included); the best row; the load average at the start and at the end. Then the agreement
of the fused table with the reference path (``Execution(fused=False)``: batch_weights -> one
engine call per batch -> NumPy metrics) to 1e-12, on 4,000 combinations (short 5 and 6) or,
with ``--reference``, on all 100,000 (about 100 s more). Then the same 100,000 on a
``LocalCluster`` of 1 and of 2 worker processes on 127.0.0.1 (one thread each): tables, PBO
logits and DSR must be identical to the in-process run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GRID = {"short": "5:54:1", "long": "60:255:5", "threshold": "0:0.06:0.0025",
        "use_rules": [True, False]}
SMALL = {"short": [5, 20], "long": [60, 120], "use_rules": [True, False]}
PARAMS = {"range_weight": 0.0}
RTOL = 1e-12


def _peak_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _setup():
    from quantlib import backtest as bt
    from quantlib import sweep as qs
    from quantlib.data import load
    from quantlib.strategies import resolve

    close = load("wind_all_a", end="2024-12-12", columns=["close"])["close"]
    data = resolve("ma_distance_timing")[0].data_from({"close": close})
    opts = qs.BacktestOptions(costs=bt.CostModel.percentage(0.001), rules=bt.Rules.none())
    return qs, data, opts


def _run(qs, data, opts, grid, execution=None):
    return qs.sweep("ma_distance_timing", grid, data=data, params=PARAMS, options=opts,
                    execution=execution)


def _agree(a, b) -> tuple[bool, float]:
    """Every table value within 1e-12 (relative above 1, absolute below; NaN/inf alike),
    and the same PBO logits."""
    x = a.table.to_numpy(dtype=float)
    y = b.table.to_numpy(dtype=float)
    fin = np.isfinite(y)
    same_nonfinite = bool(np.array_equal(np.isfinite(x), fin)
                          and np.array_equal(x[~fin], y[~fin], equal_nan=True))
    err = float(np.max(np.abs(x[fin] - y[fin]) / np.maximum(1.0, np.abs(y[fin]))))
    logits = bool(np.array_equal(a.overfitting.pbo_logits, b.overfitting.pbo_logits))
    return same_nonfinite and err <= RTOL and logits and a.overfitting.pbo == b.overfitting.pbo, err


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-dask", action="store_true", help="skip the LocalCluster runs")
    parser.add_argument("--reference", action="store_true",
                        help="check all 100,000 rows against the reference path (slow)")
    args = parser.parse_args()
    import quantlib.sweep._core as core

    print(f"at the start: load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    qs, data, opts = _setup()
    t0 = time.perf_counter()
    qs.sweep("ma_distance_timing", SMALL, data=data, params=PARAMS, options=opts, n_blocks=4)
    warm = time.perf_counter() - t0
    stats_s: list[float] = []
    pbo_s: list[tuple[float, float]] = []
    inner, inner_pbo = core._overfitting, core.pbo_from_block_stats

    def timed_overfitting(*a, **k):
        t = time.perf_counter()
        out = inner(*a, **k)
        stats_s.append(time.perf_counter() - t)
        return out

    def timed_pbo(*a, **k):
        c, t = time.process_time(), time.perf_counter()
        out = inner_pbo(*a, **k)
        pbo_s.append((time.perf_counter() - t, time.process_time() - c))
        return out

    core._overfitting, core.pbo_from_block_stats = timed_overfitting, timed_pbo
    c0, t0 = time.process_time(), time.perf_counter()
    res = _run(qs, data, opts, GRID)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    core._overfitting, core.pbo_from_block_stats = inner, inner_pbo
    peak = _peak_mb()
    of = res.overfitting
    n_bars = len(data.calendar)
    print(f"combinations: {len(res.table):,} ({len(res.dropped)} dropped), bars: {n_bars:,} "
          f"({data.calendar[0].date()} .. {data.calendar[-1].date()}), evaluated from "
          f"{res.start.date()}")
    (pbo_wall, pbo_cpu), dsr_wall = pbo_s[0], stats_s[0] - pbo_s[0][0]
    print(f"fused sweep: wall {seconds:.1f} s, CPU {cpu:.1f} s, of which PBO kernel "
          f"{pbo_wall:.2f} s wall ({pbo_cpu:.2f} s CPU; {len(res.overfitting.pbo_logits):,} "
          f"partitions x {len(res.table):,} combinations) and DSR with the rest of the "
          f"statistics {dsr_wall:.3f} s; warm-up {warm:.1f} s; {res.n_batches} batches of "
          f"{res.batch_size}; peak RSS {peak:.0f} MB")
    print(f"best by {res.metric}: {res.best_params()}  sharpe {res.best['sharpe_ratio']:.3f} "
          f"annual {res.best['annual_return']:.2%} maxdd {res.best['max_drawdown']:.2%}")
    print(f"DSR {of.deflated_sharpe:.4f} (N={of.n_trials:,}, V[SR]={of.sharpe_variance:.3g}, "
          f"E[max SR]={of.expected_max_sharpe:.4f}/day, SR*={of.best_sharpe:.4f}/day, "
          f"T={of.n_obs}); PBO {of.pbo:.4f} (S={of.n_blocks}, {len(of.pbo_logits):,} "
          "partitions)")
    ok = _reference_check(qs, data, opts, res, args.reference)
    if not args.no_dask:
        ok = _dask_check(qs, data, opts, res) and ok
    print(f"at the end: load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ok else 1


def _reference_check(qs, data, opts, fused, full: bool) -> bool:
    grid = GRID if full else dict(GRID, short=[5, 6])  # 2 x 40 x 25 x 2 = 4,000
    ref_ex = qs.Execution(fused=False)
    t0 = time.perf_counter()
    ref = _run(qs, data, opts, grid, ref_ex)
    ref_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    new = fused if full else _run(qs, data, opts, grid)
    new_s = time.perf_counter() - t0
    same, err = _agree(new, ref)
    print(f"reference path (batch_weights + engine + NumPy metrics) on {len(ref.table):,} "
          f"combinations: {ref_s:.1f} s" + ("" if full else f" vs fused {new_s:.2f} s")
          + f"; table max relative difference {err:.1e}, PBO logits "
          f"{'equal' if same else 'DIFFERENT'}: {'AGREE to 1e-12' if same else 'DISAGREE'}")
    return same


def _dask_check(qs, data, opts, single) -> bool:
    from dask.distributed import Client, LocalCluster

    ok = True
    for n_workers in (1, 2):
        with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None) as cluster, \
                Client(cluster) as client:
            t0 = time.perf_counter()
            dist = _run(qs, data, opts, GRID, qs.Execution(scheduler=client))
            secs = time.perf_counter() - t0
        same = bool(np.array_equal(single.table.to_numpy(dtype=float),
                                   dist.table.to_numpy(dtype=float), equal_nan=True)
                    and np.array_equal(single.overfitting.pbo_logits,
                                       dist.overfitting.pbo_logits)
                    and single.overfitting.deflated_sharpe == dist.overfitting.deflated_sharpe)
        ok = ok and same
        print(f"dask LocalCluster({n_workers} worker{'s' if n_workers > 1 else ''} x 1 thread,"
              f" 127.0.0.1): {len(dist.table):,} combinations in {secs:.1f} s "
              f"({dist.n_batches} batches): table, PBO and DSR "
              f"{'IDENTICAL' if same else 'DIFFERENT'} to the in-process run")
    return ok


if __name__ == "__main__":
    sys.exit(main())
