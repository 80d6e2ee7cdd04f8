"""The fused sweep path: a batch's signals, simulations and metrics in one numba call.

A strategy opts in with the protocol's ``batch_signals(data, combos)`` hook, which returns the
shared inputs of a signal family the fused kernels know, or None to decline (the sweep then
takes the reference path: ``batch_weights`` -> one engine call -> NumPy metrics). Families:

* :class:`quantlib.timing.TimingBatch` (one traded asset): moving averages, trend lines and
  money effects computed once for the batch, with each combination's rows in them
  (:func:`quantlib.sweep._fused_nb.timing_sweep_nb`);
* :class:`quantlib.weights.TopKBatch` (any number of assets): score panels computed once per
  distinct score, decision days, each combination's panel, k and weighting
  (:mod:`quantlib.sweep._fused_topk`).

The kernels keep per combination only buffers of one window's length, so a batch costs
O(combinations) memory and the batch size no longer bounds the speed.

Same numbers as the reference path (tested to 1e-12 on every metric, block statistic and
walk-forward window value); ``Execution(fused=False)`` forces the reference path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from quantlib.backtest import EngineInputs

__all__ = ["FUSED_BATCH_SIZE", "accepts", "evaluate_fused", "fused_signals"]

#: Combinations per batch on the fused path: per-combination state is a few window-length
#: buffers per thread plus 13 + 2 S numbers, so batches only set the progress granularity.
FUSED_BATCH_SIZE = 10_000


def fused_signals(strategy: Any, data: Any, combos: pd.DataFrame) -> Any:
    """The strategy's ``batch_signals`` for ``combos`` when a fused kernel can run it, else
    None (no hook, the hook declines, a family the kernels do not know, or shapes that do not
    fit: a timing batch on more than one traded asset)."""
    from quantlib.timing import TimingBatch
    from quantlib.weights import TopKBatch

    hook = getattr(strategy, "batch_signals", None)
    if hook is None:
        return None
    n_t, n_a = data.prices.shape
    sig = hook(data, combos)
    if isinstance(sig, TimingBatch):
        return sig if n_a == 1 and sig.sma.shape[1] == n_t else None
    if isinstance(sig, TopKBatch):
        ok = (sig.score.shape[1:] == (n_t, n_a) and sig.decide.shape == sig.score.shape[:2]
              and len(sig.panel) == len(combos) == len(sig.k) == len(sig.weighting))
        return sig if ok else None
    return None


def accepts(strategy: Any, data: Any, combos: pd.DataFrame) -> bool:
    """Whether the fused path runs this sweep: the hook accepts its first combination."""
    return (getattr(strategy, "batch_signals", None) is not None and len(combos) > 0
            and fused_signals(strategy, data, combos.iloc[:1]) is not None)


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
    from quantlib.weights import TopKBatch

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
    if isinstance(sig, TopKBatch):
        from quantlib.sweep._fused_topk import evaluate_topk

        out = {"metrics": metrics, "block_mean": bmean, "block_m2": bm2, "windows": win}
        evaluate_topk(spec, sig, p, rf_p, n_blocks, windows, METRIC_KEYS.index(spec.select),
                      out)
        return {**out, "block_len": np.array([n_w // n_blocks])}
    timing_sweep_nb(*sig.kernel_args(), a,  # type: ignore[call-arg]  # numba dispatcher
                    *p.kernel_args(with_weights=False), rf_p, float(spec.periods_per_year),
                    n_blocks, windows,
                    METRIC_KEYS.index(spec.select), metrics, bmean, bm2, win)
    return {"metrics": metrics, "block_mean": bmean, "block_m2": bm2,
            "block_len": np.array([n_w // n_blocks]), "windows": win}
