"""The fused sweep path: a batch's signals, simulations and metrics in one numba call.

A strategy opts in with the protocol's ``batch_signals(data, combos)`` hook, which returns the
shared inputs of a signal family the fused kernels know (today
:class:`quantlib.timing.TimingBatch`: moving averages, trend lines and money effects computed
once for the batch, with each combination's rows in them), or None to decline (the sweep then
takes the reference path: ``batch_weights`` -> one engine call -> NumPy metrics). The kernel
(:mod:`quantlib.sweep._fused_nb`) keeps per combination only buffers of one window's length,
so a batch costs O(combinations) memory and the batch size no longer bounds the speed.

Same numbers as the reference path (tested to 1e-12 on every metric, block statistic and
walk-forward window value); ``Execution(fused=False)`` forces the reference path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from quantlib.backtest import EngineInputs

__all__ = ["FUSED_BATCH_SIZE", "evaluate_fused", "fused_signals"]

#: Combinations per batch on the fused path: per-combination state is a few window-length
#: buffers per thread plus 13 + 2 S numbers, so batches only set the progress granularity.
FUSED_BATCH_SIZE = 10_000


def fused_signals(strategy: Any, data: Any, combos: pd.DataFrame) -> Any:
    """The strategy's ``batch_signals`` for ``combos`` when the fused path can run it, else
    None (no hook, the hook declines, or more than one traded asset)."""
    from quantlib.timing import TimingBatch

    hook = getattr(strategy, "batch_signals", None)
    if hook is None or data.prices.shape[1] != 1:
        return None
    sig = hook(data, combos)
    if not isinstance(sig, TimingBatch) or sig.sma.shape[1] != len(data.calendar):
        return None
    return sig


def _window_arrays(spec: Any) -> EngineInputs:
    """``backtest._prepare`` of the window: the engine's price, tradability and cost arrays
    (the weights are the kernel's; a placeholder of the window's length here)."""
    from quantlib import backtest as bt

    a, b = spec.window
    prices = spec.data.prices.iloc[a: b + 1]
    kw = spec.engine_kwargs
    return bt._prepare(prices, np.zeros((len(prices), 1, prices.shape[1])),
                       kw.get("fill", "next_close"), kw.get("costs"), kw.get("rules"),
                       kw.get("init_cash"), kw.get("market"), None, "hold",
                       kw.get("cash_rate", 0.0))


def evaluate_fused(spec: Any, combos: pd.DataFrame) -> dict[str, np.ndarray] | None:
    """:func:`quantlib.sweep._run.evaluate_batch` on the fused path, or None when the strategy
    does not provide signals the fused kernels know."""
    sig = fused_signals(spec.strategy, spec.data, combos)
    if sig is None:
        return None
    from quantlib.sweep._fused_nb import N_METRICS, timing_sweep_nb
    from quantlib.sweep._run import METRIC_KEYS
    from quantlib.sweep.overfitting import _check_blocks

    a, b = spec.window
    n_w = b - a + 1
    n_blocks = _check_blocks(spec.n_blocks, n_w)
    p = _window_arrays(spec)
    n_b = len(combos)
    metrics = np.empty((n_b, N_METRICS))
    bmean = np.empty((n_b, n_blocks))
    bm2 = np.empty((n_b, n_blocks))
    windows = np.array(spec.windows, dtype=np.int64).reshape(len(spec.windows), 2)
    win = np.empty((len(windows), n_b))
    rf_p = (1.0 + spec.risk_free) ** (1.0 / spec.periods_per_year) - 1.0
    timing_sweep_nb(*sig.kernel_args(), a,  # type: ignore[call-arg]  # numba dispatcher
                    *p.kernel_args(with_weights=False), rf_p, float(spec.periods_per_year),
                    n_blocks, windows,
                    METRIC_KEYS.index(spec.select), metrics, bmean, bm2, win)
    return {"metrics": metrics, "block_mean": bmean, "block_m2": bm2,
            "block_len": np.array([n_w // n_blocks]), "windows": win}
