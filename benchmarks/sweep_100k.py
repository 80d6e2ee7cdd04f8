"""100,000-combination MA-distance timing sweep on 30 years of daily WIND All A, one process.

Run from the repository root (one command; about two minutes on 2 cores)::

    python benchmarks/sweep_100k.py                 # add --no-dask to skip the Dask part

Grid (100,000 combinations, every one valid): short MA 5..54 step 1 (50) x long MA 60..255
step 5 (40) x threshold 0..6% step 0.25% (25) x use_rules true/false (2); the other
parameters at ``Params(range_weight=0.0)`` (long or cash). Data:
``load("wind_all_a", end="2024-12-12")`` (1994-12-30 .. 2024-12-12, 7,272 bars). Engine:
fill at the next close, 0.1% of traded value, no A-share rules (an index), capital 1.0.

Reported: wall time of the sweep (the numba kernels are compiled and cached by a warm-up on
a small grid first, timed separately), the process's peak RSS (``VmHWM``, everything
included), the batch size chosen from memory, the best row and the overfitting statistics.
Then 4,000 of the combinations (short 5 and 6) run in-process and on a ``LocalCluster`` of 2
worker processes on 127.0.0.1, with the same batches; tables, PBO and DSR must be identical.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GRID = {"short": "5:54:1", "long": "60:255:5", "threshold": "0:0.06:0.0025",
        "use_rules": [True, False]}
SMALL = {"short": [5, 20], "long": [60, 120], "use_rules": [True, False]}


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
    from strategies import ma_distance_timing

    prices = load("wind_all_a", end="2024-12-12", columns=["close"]).rename(
        columns={"close": "wind_all_a"})
    opts = qs.BacktestOptions(costs=bt.CostModel.percentage(0.001), rules=bt.Rules.none())
    return qs, prices, opts, ma_distance_timing.Params(range_weight=0.0)


def _bar(total_label: str):
    from tqdm import tqdm

    bar = tqdm(total=0, desc=total_label, file=sys.stderr, mininterval=2)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, progress


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-dask", action="store_true",
                        help="skip the 2-worker LocalCluster equality check")
    args = parser.parse_args()
    qs, prices, opts, base = _setup()
    t0 = time.perf_counter()
    qs.sweep("ma_distance_timing", SMALL, prices=prices, base=base, options=opts, n_blocks=4)
    warm = time.perf_counter() - t0
    bar, progress = _bar("sweep 100k")
    t0 = time.perf_counter()
    res = qs.sweep("ma_distance_timing", GRID, prices=prices, base=base, options=opts,
                   progress=progress)
    seconds = time.perf_counter() - t0
    bar.close()
    of = res.overfitting
    print(f"combinations: {len(res.table):,} ({len(res.dropped)} dropped), bars: {len(prices):,} "
          f"({prices.index[0].date()} .. {prices.index[-1].date()}), evaluated from "
          f"{res.start.date()}")
    print(f"sweep wall time: {seconds:.1f} s (warm-up/compile {warm:.1f} s); batch size "
          f"{res.batch_size} x {res.n_batches} batches; peak RSS {_peak_mb():.0f} MB")
    print(f"best by {res.metric}: {res.best_params()}  sharpe {res.best['sharpe_ratio']:.3f} "
          f"annual {res.best['annual_return']:.2%} maxdd {res.best['max_drawdown']:.2%}")
    print(f"DSR {of.deflated_sharpe:.4f} (N={of.n_trials:,}, V[SR]={of.sharpe_variance:.3g}, "
          f"E[max SR]={of.expected_max_sharpe:.4f}/day, SR*={of.best_sharpe:.4f}/day, "
          f"T={of.n_obs}); PBO {of.pbo:.3f} (S={of.n_blocks}, {len(of.pbo_logits):,} "
          "partitions)")
    ok = True
    if not args.no_dask:
        ok = _dask_check(qs, prices, opts, base)
    return 0 if ok else 1


def _dask_check(qs, prices, opts, base) -> bool:
    from dask.distributed import Client, LocalCluster

    grid = dict(GRID, short=[5, 6])  # 2 x 40 x 25 x 2 = 4,000 combinations
    size = 500
    ex = qs.Execution(batch_size=size)
    single = qs.sweep("ma_distance_timing", grid, prices=prices, base=base, options=opts,
                      execution=ex)
    t0 = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        dist = qs.sweep("ma_distance_timing", grid, prices=prices, base=base, options=opts,
                        execution=qs.Execution(batch_size=size, scheduler=client))
    secs = time.perf_counter() - t0
    a, b = single.table.to_numpy(dtype=float), dist.table.to_numpy(dtype=float)
    same = bool(np.array_equal(a, b, equal_nan=True)
                and single.overfitting.pbo == dist.overfitting.pbo
                and single.overfitting.deflated_sharpe == dist.overfitting.deflated_sharpe)
    print(f"dask LocalCluster(2 workers, 127.0.0.1): {len(dist.table):,} combinations in "
          f"{secs:.1f} s, batch {size}: table, PBO and DSR "
          f"{'IDENTICAL' if same else 'DIFFERENT'} to the single-process run")
    return same


if __name__ == "__main__":
    sys.exit(main())
