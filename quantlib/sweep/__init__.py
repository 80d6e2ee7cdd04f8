"""Parameter sweeps at scale: broadcast grids, walk-forward, overfitting statistics, Dask.

``quantlib.sweep(strategy, grid)`` (this package is callable: it forwards to
:func:`sweep`) evaluates every combination of a grid through the vectorized engine, one engine
call per batch of combinations, the batch size chosen from the available memory. See
``docs/sweep.md``.

Dask is imported only when a scheduler is given; numba and pandas load on the first call.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from quantlib.sweep._core import (
    MAX_COMBINATIONS,
    BacktestOptions,
    Overfitting,
    SweepError,
    SweepResult,
    sweep,
)
from quantlib.sweep._grid import GridError, parse_grid_option, parse_range
from quantlib.sweep._run import (
    METRIC_KEYS,
    SELECT_METRICS,
    Execution,
    SchedulerError,
    auto_batch_size,
    available_memory_bytes,
)
from quantlib.sweep.overfitting import (
    OverfittingError,
    PBOResult,
    deflated_sharpe_ratio,
    expected_max_sharpe,
    pbo,
    probabilistic_sharpe_ratio,
)
from quantlib.sweep.walkforward import (
    Split,
    SplitError,
    WalkForwardResult,
    expanding_splits,
    rolling_splits,
    splits_frame,
    walk_forward,
)

__all__ = [
    "MAX_COMBINATIONS",
    "METRIC_KEYS",
    "SELECT_METRICS",
    "BacktestOptions",
    "Execution",
    "GridError",
    "Overfitting",
    "OverfittingError",
    "PBOResult",
    "SchedulerError",
    "Split",
    "SplitError",
    "SweepError",
    "SweepResult",
    "WalkForwardResult",
    "auto_batch_size",
    "available_memory_bytes",
    "deflated_sharpe_ratio",
    "expanding_splits",
    "expected_max_sharpe",
    "parse_grid_option",
    "parse_range",
    "pbo",
    "probabilistic_sharpe_ratio",
    "rolling_splits",
    "splits_frame",
    "sweep",
    "walk_forward",
]


class _CallableModule(types.ModuleType):
    """``quantlib.sweep`` is both this package and the function: ``quantlib.sweep(...)``.

    Importing ``quantlib.sweep`` binds the package as the attribute of ``quantlib``, so a
    lazy attribute alone could not make ``quantlib.sweep(...)`` work whatever the import
    order. Setting the module's class (supported since Python 3.5) does, with no other effect.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> SweepResult:
        return sweep(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
