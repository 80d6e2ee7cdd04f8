"""Batch evaluation and executors: one engine call per batch, in-process or on Dask.

A batch is a slice of the combinations table. :func:`evaluate_batch` is pure and picklable
(module-level, plain inputs), so the same function runs in-process and on Dask workers, and
the batches are the same in both, so the numbers are bitwise identical.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from quantlib.errors import QuantlibError

__all__ = [
    "METRIC_KEYS",
    "SELECT_METRICS",
    "EvalSpec",
    "Execution",
    "SchedulerError",
    "auto_batch_size",
    "available_memory_bytes",
    "evaluate_batch",
    "run_batches",
]

#: Columns of the sweep table computed for every combination (quantlib.metrics formulas).
METRIC_KEYS = ("total_return", "annual_return", "annual_volatility", "sharpe_ratio",
               "sortino_ratio", "max_drawdown", "calmar_ratio", "win_rate", "annual_turnover",
               "mean_exposure", "sharpe_per_period", "skew", "kurtosis")
#: Metrics that can select the best combination (higher is better for each).
SELECT_METRICS = ("sharpe_ratio", "sortino_ratio", "annual_return", "total_return",
                  "calmar_ratio", "max_drawdown", "win_rate")
#: Bytes held per combination and bar while a batch runs, beyond the weights (measured:
#: ``benchmarks/sweep_100k.py`` reports the peak; see docs/sweep.md).
_BYTES_PER_COMBO_BAR = 8 * 28
_DEFAULT_BUDGET = 1 << 30  # 1 GiB working set per batch, before the available-memory cap


class SchedulerError(QuantlibError, ConnectionError):
    """A Dask scheduler that cannot be reached, or Dask not installed."""


@dataclass(frozen=True, kw_only=True)
class Execution:
    """Where and in what batches a sweep runs.

    Attributes
    ----------
    batch_size : int, optional
        Combinations per engine call; default from memory (:func:`auto_batch_size`).
    memory_budget_mb : float, optional
        Working-set budget of one batch (default: the smaller of 1 GiB and a quarter of the
        available memory).
    scheduler : str or dask.distributed.Client, optional
        None: in-process (no Dask needed). An address (``tcp://host:8786``) or a Client: the
        batches run on that Dask cluster.
    timeout_s : float
        Seconds to wait for the scheduler to answer before :class:`SchedulerError`.
    fused : bool
        True (default): a strategy with a ``batch_signals`` hook the fused kernels know runs
        signal, simulation and metrics in one numba pass per combination
        (:mod:`quantlib.sweep._fused`). False: always the reference path (``batch_weights``,
        one engine call per batch, NumPy metrics); same numbers to 1e-12.
    """

    batch_size: int | None = None
    memory_budget_mb: float | None = None
    scheduler: Any = None
    timeout_s: float = 10.0
    fused: bool = True


@dataclass(frozen=True, kw_only=True)
class EvalSpec:
    """Everything a batch evaluation needs besides its combinations (sent once to workers).

    ``window`` = (a, b): the inclusive bar positions of the scored window on
    ``data.calendar``; every combination starts there in cash with its target in force
    carried in (:func:`quantlib.runner.carry_in`), as ``run_strategy`` does.
    """

    strategy: Any
    data: Any
    window: tuple[int, int]
    engine_kwargs: dict[str, Any] = field(default_factory=dict)
    risk_free: float = 0.0
    periods_per_year: float = 242.0
    n_blocks: int = 16
    windows: tuple[tuple[int, int], ...] = ()
    select: str = "sharpe_ratio"
    fused: bool = True


def available_memory_bytes() -> int:
    """Return MemAvailable from /proc/meminfo (Linux), else free pages x page size."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 4 << 30


def auto_batch_size(n_bars: int, n_assets: int, n_combos: int,
                    memory_budget_mb: float | None = None) -> int:
    """Return combinations per batch so one batch's working set fits the budget.

    Working set per combination ~ ``n_bars * (8 * 28 + 8 * 3 * n_assets)`` bytes: the dense
    weights and engine positions (3 arrays x assets) plus ~28 float arrays per bar (engine
    outputs, result frames, metric temporaries). Budget: ``memory_budget_mb`` or
    ``min(1 GiB, MemAvailable / 4)``. At least 1, at most ``n_combos``.
    """
    budget = (memory_budget_mb * 2**20 if memory_budget_mb is not None
              else min(_DEFAULT_BUDGET, available_memory_bytes() / 4))
    per = n_bars * (_BYTES_PER_COMBO_BAR + 24 * n_assets)
    return int(max(1, min(n_combos, math.floor(budget / per))))


def _metric_columns(r: np.ndarray, turn: np.ndarray, expo: np.ndarray, rf: float,
                    ppy: float) -> dict[str, np.ndarray]:
    from quantlib import metrics

    def df(a: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(a, copy=False)

    kw = {"periods_per_year": ppy}
    rets = df(r)
    out = {
        "total_return": metrics.total_return(rets),
        "annual_return": metrics.annual_return(rets, **kw),
        "annual_volatility": metrics.annual_volatility(rets, **kw),
        "sharpe_ratio": metrics.sharpe_ratio(rets, risk_free=rf, **kw),
        "sortino_ratio": metrics.sortino_ratio(rets, risk_free=rf, **kw),
        "max_drawdown": metrics.max_drawdown(rets),
        "win_rate": metrics.win_rate(rets),
        "annual_turnover": metrics.turnover(df(turn), **kw),
        "mean_exposure": metrics.exposure(df(expo)),
    }
    out = {k: np.asarray(v, dtype=np.float64) for k, v in out.items()}
    mdd = np.abs(out["max_drawdown"])  # metrics.calmar_ratio's formula, without recomputing
    with np.errstate(divide="ignore", invalid="ignore"):
        out["calmar_ratio"] = np.where(mdd > 0, out["annual_return"] / np.where(mdd > 0, mdd,
                                                                                1.0), np.nan)
    x = r - ((1.0 + rf) ** (1.0 / ppy) - 1.0)
    mu = x.mean(axis=0)
    dev = x - mu
    d2 = dev * dev
    m2 = d2.mean(axis=0)
    n = x.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["sharpe_per_period"] = mu / np.sqrt(m2 * (n / (n - 1.0)))
        out["skew"] = (d2 * dev).mean(axis=0) / m2**1.5
        d2 *= d2
        out["kurtosis"] = d2.mean(axis=0) / m2**2
    return out


def select_values(r: np.ndarray, name: str, rf: float, ppy: float) -> np.ndarray:
    """Return the selection metric ``name`` of each column of returns ``r`` (T, B)."""
    from quantlib import metrics

    rets = pd.DataFrame(r, copy=False)
    fn = getattr(metrics, name)
    kw: dict[str, Any] = {}
    if name in ("sharpe_ratio", "sortino_ratio"):
        kw = {"risk_free": rf, "periods_per_year": ppy}
    elif name in ("annual_return", "calmar_ratio"):
        kw = {"periods_per_year": ppy}
    return np.asarray(fn(rets, **kw), dtype=np.float64)


def simulate_paths(prices: pd.DataFrame, weights: np.ndarray | pd.DataFrame,
                   engine_kwargs: dict[str, Any]) -> tuple[np.ndarray, ...]:
    """Return (returns, turnover, exposure), each (T, B), of B strategies in one engine call.

    Same numbers as ``backtest.run(prices, weights, ...)``'s ``returns``, ``turnover`` and
    ``exposure`` (a test pins it), without building its per-asset position frames: it calls
    the engine's ``_prepare``/``_simulate`` and applies ``_result``'s formulas to the arrays.
    """
    from quantlib import backtest as bt

    p = bt._prepare(prices, weights, engine_kwargs.get("fill", "next_close"),
                    engine_kwargs.get("costs"), engine_kwargs.get("rules"),
                    engine_kwargs.get("init_cash"), engine_kwargs.get("market"), None,
                    engine_kwargs.get("nan_rows", "hold"), engine_kwargs.get("cash_rate", 0.0))
    out = bt._simulate(p, store=True, record_trades=False)
    n_t, n_a = p.close_ff.shape
    eq = out["eq"]
    prev = np.vstack([np.full((1, eq.shape[1]), p.init_cash), eq[:-1]])
    close3 = np.nan_to_num(p.close_ff)[:, None, :]
    held = (out["pos"].reshape(n_t, eq.shape[1], n_a) * close3).sum(axis=2)
    return eq / prev - 1.0, out["traded"] / prev, 1.0 - (eq - held) / eq


def evaluate_batch(spec: EvalSpec, combos: pd.DataFrame) -> dict[str, np.ndarray]:
    """Simulate one batch (every parameter a column of ``combos``) in one engine call over the
    window; return its per-combination statistics.

    Returns ``metrics`` (B, len(METRIC_KEYS)), ``block_mean``/``block_m2`` (B, S) of the
    excess returns over the window (for PBO), ``block_len``, and ``windows``
    (len(spec.windows), B): the selection metric over each walk-forward training window
    (positions within the window).
    """
    from quantlib.runner import carry_in
    from quantlib.sweep._builders import batch_weights
    from quantlib.sweep.overfitting import block_stats

    if spec.fused:
        from quantlib.sweep._fused import evaluate_fused

        fused = evaluate_fused(spec, combos)
        if fused is not None:
            return fused
    a, b = spec.window
    dense = batch_weights(spec.strategy, spec.data, combos)
    w = carry_in(dense, a, b)
    del dense
    prices = spec.data.prices.iloc[a: b + 1]
    r, turn, expo = simulate_paths(prices, w, spec.engine_kwargs)
    del w
    cols = _metric_columns(r, turn, expo, spec.risk_free, spec.periods_per_year)
    del turn, expo
    rf_p = (1.0 + spec.risk_free) ** (1.0 / spec.periods_per_year) - 1.0
    mean, m2, per = block_stats(r - rf_p, spec.n_blocks)
    win = np.array([select_values(r[x:y], spec.select, spec.risk_free,
                                  spec.periods_per_year) for x, y in spec.windows])
    return {"metrics": np.column_stack([cols[k] for k in METRIC_KEYS]), "block_mean": mean,
            "block_m2": m2, "block_len": np.array([per]),
            "windows": win.reshape(len(spec.windows), len(combos))}


def _connect(scheduler: Any, timeout_s: float) -> Any:
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise SchedulerError("scheduler= needs Dask: pip install 'quantlib[distributed]' (or run "
                             "without a scheduler, in-process).") from exc
    if isinstance(scheduler, Client):
        return scheduler
    try:
        return Client(str(scheduler), timeout=timeout_s, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise SchedulerError(
            f"no Dask scheduler answered at {scheduler!r} within {timeout_s:g} s ({exc}). "
            "Start one (`dask scheduler`, then `dask worker ADDRESS`), check the address, or "
            "drop --scheduler to run in-process.") from exc


def run_batches(spec: EvalSpec, batches: Sequence[pd.DataFrame], execution: Execution,
                progress: Callable[[int, int], None] | None = None) -> list[dict[str, Any]]:
    """Evaluate every batch, in order; in-process or on the scheduler of ``execution``."""
    total = len(batches)
    if execution.scheduler is None:
        out = []
        for i, batch in enumerate(batches):
            out.append(evaluate_batch(spec, batch))
            if progress is not None:
                progress(i + 1, total)
        return out
    return _run_dask(spec, batches, execution, progress)


def _pickle_user_code_by_value(strategy: Any) -> None:
    """A strategy loaded from a file lives in a private module workers cannot import: send
    its code by value (cloudpickle, which Dask uses)."""
    import sys

    from quantlib.strategies import _USER_PREFIX

    name = type(strategy).__module__
    if name.startswith(_USER_PREFIX):
        import cloudpickle

        cloudpickle.register_pickle_by_value(sys.modules[name])


def _run_dask(spec: EvalSpec, batches: Sequence[pd.DataFrame], execution: Execution,
              progress: Callable[[int, int], None] | None) -> list[dict[str, Any]]:
    from dask.distributed import as_completed

    client = _connect(execution.scheduler, execution.timeout_s)
    own = client is not execution.scheduler
    _pickle_user_code_by_value(spec.strategy)
    try:
        spec_f = client.scatter(spec, broadcast=True, hash=False)
        futures = [client.submit(evaluate_batch, spec_f, b, pure=False) for b in batches]
        for done, _ in enumerate(as_completed(futures), start=1):
            if progress is not None:
                progress(done, len(batches))
        return client.gather(futures)
    finally:
        if own:
            client.close()
