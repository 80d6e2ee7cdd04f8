"""Dask execution: a LocalCluster of 2 worker processes on loopback gives the single-process
numbers exactly; an address that does not answer fails fast with a clear error."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from quantlib import backtest as bt
from quantlib.data import load
from quantlib.strategies import resolve
from quantlib.sweep import BacktestOptions, Execution, SchedulerError, sweep

timing = resolve('ma_distance_timing')[0]


def D(prices):  # noqa: N802 - the strategy's data of a price frame
    return timing.data_from({'close': prices['wind_all_a']})

distributed = pytest.importorskip("distributed")

OPTS = BacktestOptions(costs=bt.CostModel.percentage(0.001), rules=bt.Rules.none())
GRID = {"short": "5:25:10", "long": [60, 120], "threshold": "0:0.04:0.02",
        "use_rules": [True, False]}


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return load("wind_all_a", end="2006-12-31", columns=["close"]).rename(
        columns={"close": "wind_all_a"})


def test_local_cluster_equals_single_process(prices: pd.DataFrame) -> None:
    from dask.distributed import Client, LocalCluster

    single = sweep("ma_distance_timing", GRID, data=D(prices), options=OPTS, n_blocks=8,
                   execution=Execution(batch_size=5))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        dist = sweep("ma_distance_timing", GRID, data=D(prices), options=OPTS, n_blocks=8,
                     execution=Execution(batch_size=5, scheduler=client))
        by_address = sweep("ma_distance_timing", GRID, data=D(prices), options=OPTS,
                           n_blocks=8, execution=Execution(batch_size=5,
                                                           scheduler=cluster.scheduler_address))
        workers = len(client.scheduler_info()["workers"])
    assert workers == 2
    assert dist.n_batches == 8
    for other in (dist, by_address):
        pd.testing.assert_frame_equal(other.table, single.table, check_exact=True)
        assert other.overfitting.pbo == single.overfitting.pbo
        np.testing.assert_array_equal(other.overfitting.pbo_logits,
                                      single.overfitting.pbo_logits)
        assert other.overfitting.deflated_sharpe == single.overfitting.deflated_sharpe


def test_unreachable_scheduler_times_out(prices: pd.DataFrame) -> None:
    t0 = time.perf_counter()
    with pytest.raises(SchedulerError, match=r"no Dask scheduler answered at 'tcp://127.0.0.1:9"
                                             r"' within 2 s"):
        sweep("ma_distance_timing", {"short": [5]}, data=D(prices), options=OPTS,
              execution=Execution(scheduler="tcp://127.0.0.1:9", timeout_s=2.0))
    assert time.perf_counter() - t0 < 20
