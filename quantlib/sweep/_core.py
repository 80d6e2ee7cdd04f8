"""``sweep()``: every combination of a grid through the engine in batches, as a tidy table,
with the overfitting statistics of the selection."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from quantlib.errors import QuantlibError, UnknownNameError
from quantlib.periods import DEFAULT_RISK_FREE_RATE, TRADING_DAYS_PER_YEAR
from quantlib.sweep import _builders, _grid, _run
from quantlib.sweep.overfitting import (
    deflated_sharpe_ratio,
    expected_max_sharpe,
    pbo_from_block_stats,
)

__all__ = ["BacktestOptions", "Overfitting", "SweepError", "SweepResult", "resolve_strategy",
           "sweep"]


class SweepError(QuantlibError, ValueError):
    """A sweep that cannot run: no valid combination, prices missing the universe, ..."""


@dataclass(frozen=True, kw_only=True)
class BacktestOptions:
    """Engine and metric settings shared by every combination (see ``backtest.run``).

    ``weights_kwargs`` are extra keyword arguments of the strategy's ``target_weights`` (e.g.
    ``pe_ttm`` for industry_rotation).
    """

    fill: str = "next_close"
    costs: Any = None
    rules: Any = None
    init_cash: float | None = None
    market: Any = None
    risk_free: float = DEFAULT_RISK_FREE_RATE
    periods_per_year: float = TRADING_DAYS_PER_YEAR
    weights_kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)

    def engine_kwargs(self) -> dict[str, Any]:
        return {"fill": self.fill, "costs": self.costs, "rules": self.rules,
                "init_cash": self.init_cash, "market": self.market, "nan_rows": "hold"}


@dataclass(frozen=True)
class Overfitting:
    """Overfitting statistics of selecting the best of ``n_trials`` combinations.

    Attributes
    ----------
    n_trials : int
        Combinations evaluated (the N of both statistics).
    n_obs : int
        Returns per combination in the evaluation window (T).
    best_sharpe : float
        Per-period Sharpe ratio of the selected combination.
    sharpe_variance : float
        Variance (ddof=1) of the per-period Sharpe ratios of the trials with a finite one.
    expected_max_sharpe : float
        Expected maximum per-period Sharpe of ``n_trials`` skill-less trials.
    deflated_sharpe : float
        P(true Sharpe > expected_max_sharpe) for the selected combination (DSR).
    pbo : float
        Probability of backtest overfitting by CSCV (NaN with fewer than 2 trials).
    pbo_logits : ndarray
        The CSCV logits, one per partition.
    n_blocks : int
        CSCV blocks S.
    """

    n_trials: int
    n_obs: int
    best_sharpe: float
    sharpe_variance: float
    expected_max_sharpe: float
    deflated_sharpe: float
    pbo: float
    pbo_logits: np.ndarray
    n_blocks: int


@dataclass(frozen=True)
class SweepResult:
    """A sweep's table and statistics.

    Attributes
    ----------
    strategy : str
    table : DataFrame
        One row per valid combination (index ``combo``): the parameters, then
        :data:`quantlib.sweep.METRIC_KEYS`.
    params : tuple of str
        The swept parameter names (columns of ``table``).
    metric : str
        The selection metric (higher is better).
    overfitting : Overfitting
    dropped : DataFrame
        Invalid combinations (e.g. short >= long) with the reason; not evaluated.
    start, end : Timestamp
        Evaluation window of the table's metrics.
    batch_size, n_batches : int
    seconds : float
        Wall time of the evaluation.
    """

    strategy: str
    table: pd.DataFrame
    params: tuple[str, ...]
    metric: str
    overfitting: Overfitting
    dropped: pd.DataFrame
    start: pd.Timestamp
    end: pd.Timestamp
    batch_size: int
    n_batches: int
    seconds: float

    @property
    def best(self) -> pd.Series:
        """The row of the best combination by ``metric`` (first on ties)."""
        return self.table.loc[self.table[self.metric].idxmax()]

    def best_params(self) -> dict[str, Any]:
        """The best combination's parameters as a dict of Python scalars."""
        row = self.best[list(self.params)]
        return {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}


def resolve_strategy(strategy: str | ModuleType) -> ModuleType:
    """Return the strategy module for a registry name or a module with the strategy shape."""
    if isinstance(strategy, ModuleType):
        missing = [a for a in ("NAME", "UNIVERSE", "Params", "target_weights")
                   if not hasattr(strategy, a)]
        if missing:
            raise SweepError(f"module {strategy.__name__} is not a strategy: it lacks "
                             f"{missing} (see strategies/__init__.py).")
        return strategy
    from strategies import STRATEGIES

    if strategy not in STRATEGIES:
        raise UnknownNameError("strategy", str(strategy), STRATEGIES)
    return STRATEGIES[strategy]


def _engine_prices(module: ModuleType, prices: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(prices, pd.DataFrame):
        raise SweepError(f"prices must be a DataFrame (dates x columns), got {type(prices)}.")
    cols = [c for c in module.UNIVERSE if c in prices.columns]
    if not cols:
        raise SweepError(f"prices has none of {module.NAME}'s universe {list(module.UNIVERSE)[:5]}"
                         f"; columns are {list(prices.columns)[:5]}. Rename the close column.")
    return prices[cols]


def _start_pos(index: pd.DatetimeIndex, start: Any, warmup: int) -> int:
    if start is None:
        pos = warmup
    else:
        pos = int(index.searchsorted(pd.Timestamp(start)))
    if pos >= len(index) - 2:
        raise SweepError(f"the evaluation window from position {pos} leaves fewer than 3 of "
                         f"{len(index)} bars; pass an earlier start= or more data.")
    return pos


@dataclass(frozen=True)
class _Plan:
    module: ModuleType
    spec: _run.EvalSpec
    combos: pd.DataFrame
    dropped: pd.DataFrame
    batch_size: int


def _plan(strategy: Any, grid: Mapping[str, Any], prices: pd.DataFrame, base: Any,
          metric: str, start: Any, options: BacktestOptions, n_blocks: int,
          execution: _run.Execution, windows: tuple[tuple[int, int], ...] = ()) -> _Plan:
    module = resolve_strategy(strategy)
    if metric not in _run.SELECT_METRICS:
        raise UnknownNameError("selection metric", metric, _run.SELECT_METRICS)
    base = module.Params() if base is None else base
    combos = _grid.combinations(_grid.expand_grid(grid, type(base)))
    why = (_builders.invalid_timing_combos(combos, base) if module.NAME in _builders.VECTORIZED
           else pd.Series("", index=combos.index))
    dropped = combos[why != ""].assign(reason=why[why != ""])
    combos = combos[why == ""]
    if combos.empty:
        raise SweepError(f"no valid combination in the grid: {dropped['reason'].iloc[0]} for "
                         "every one. Fix the ranges.")
    eng = _engine_prices(module, prices)
    pos = _start_pos(eng.index, start, _builders.warmup_bars(module, combos, base))
    spec = _run.EvalSpec(
        module_name=module.__name__, base=base, weights_kwargs=dict(options.weights_kwargs),
        signal_prices=prices, engine_prices=eng,
        engine_kwargs=options.engine_kwargs(), start=pos, risk_free=options.risk_free,
        periods_per_year=options.periods_per_year, n_blocks=n_blocks, windows=windows,
        select=metric)
    size = execution.batch_size or _run.auto_batch_size(len(eng), eng.shape[1], len(combos),
                                                        execution.memory_budget_mb)
    if size < 1:
        raise SweepError(f"batch_size must be >= 1, got {size}.")
    return _Plan(module, spec, combos, dropped, int(size))


def _overfitting(table: pd.DataFrame, outs: list[dict[str, Any]], metric: str,
                 n_obs: int, n_blocks: int) -> Overfitting:
    sr = table["sharpe_per_period"].to_numpy()
    finite = sr[np.isfinite(sr)]
    var = float(np.var(finite, ddof=1)) if len(finite) > 1 else 0.0
    best = table.loc[table[metric].idxmax()]
    n = len(table)
    emax = expected_max_sharpe(n, var)
    try:
        dsr = deflated_sharpe_ratio(float(best["sharpe_per_period"]), n_obs, n, var,
                                    skew=float(best["skew"]), kurtosis=float(best["kurtosis"]))
    except QuantlibError:
        dsr = float("nan")  # e.g. the best never trades: no returns distribution to test
    if n >= 2:
        p = pbo_from_block_stats(np.vstack([o["block_mean"] for o in outs]),
                                 np.vstack([o["block_m2"] for o in outs]),
                                 int(outs[0]["block_len"][0]))
        pbo_value, logits = p.pbo, p.logits
    else:
        pbo_value, logits = float("nan"), np.empty(0)
    return Overfitting(n_trials=n, n_obs=n_obs, best_sharpe=float(best["sharpe_per_period"]),
                       sharpe_variance=var, expected_max_sharpe=emax, deflated_sharpe=dsr,
                       pbo=pbo_value, pbo_logits=logits, n_blocks=n_blocks)


def _execute(plan: _Plan, execution: _run.Execution,
             progress: Callable[[int, int], None] | None) -> tuple[SweepResult, np.ndarray]:
    t0 = time.perf_counter()
    size = plan.batch_size
    batches = [plan.combos.iloc[i:i + size] for i in range(0, len(plan.combos), size)]
    outs = _run.run_batches(plan.spec, batches, execution, progress, plan.module)
    values = np.vstack([o["metrics"] for o in outs])
    table = pd.concat([plan.combos, pd.DataFrame(values, index=plan.combos.index,
                                                 columns=list(_run.METRIC_KEYS))], axis=1)
    idx = plan.spec.engine_prices.index
    n_obs = len(idx) - plan.spec.start
    of = _overfitting(table, outs, plan.spec.select, n_obs, plan.spec.n_blocks)
    windows = np.hstack([o["windows"] for o in outs])
    res = SweepResult(
        strategy=plan.module.NAME, table=table, params=tuple(plan.combos.columns),
        metric=plan.spec.select, overfitting=of, dropped=plan.dropped,
        start=idx[plan.spec.start], end=idx[-1], batch_size=size, n_batches=len(batches),
        seconds=time.perf_counter() - t0)
    return res, windows


def sweep(strategy: str | ModuleType, grid: Mapping[str, Any], *, prices: pd.DataFrame,
          base: Any = None, metric: str = "sharpe_ratio", start: Any = None,
          options: BacktestOptions | None = None, n_blocks: int = 16,
          execution: _run.Execution | None = None,
          progress: Callable[[int, int], None] | None = None) -> SweepResult:
    """Evaluate every combination of a parameter grid; return a tidy table and overfitting stats.

    Parameters
    ----------
    strategy : str or module
        A name in ``strategies.STRATEGIES`` or a module with NAME, UNIVERSE, Params,
        target_weights.
    grid : mapping
        Parameter name -> values: a sequence, a scalar, or an inclusive ``"a:b:step"`` range.
        Names must be fields of the strategy's ``Params``.
    prices : DataFrame (dates x columns)
        What ``target_weights`` reads; the columns named in ``UNIVERSE`` are simulated.
    base : Params, optional
        Values of the parameters not in the grid (default ``Params()``).
    metric : str
        Selection metric (one of :data:`SELECT_METRICS`; higher is better).
    start : date-like, optional
        First date of the evaluation window (default: the first bar at which every
        combination's signal is defined, for strategies with a vectorized builder; else the
        first bar). The simulation always runs from the first bar.
    options : BacktestOptions, optional
        Fill, costs, rules, capital, market data, risk-free rate, annualisation.
    n_blocks : int
        CSCV blocks for the PBO (even; default 16 as in Bailey et al.).
    execution : Execution, optional
        Batch size / memory budget / Dask scheduler.
    progress : callable(done, total), optional
        Called after each batch.

    Returns
    -------
    SweepResult
    """
    options = options or BacktestOptions()
    execution = execution or _run.Execution()
    plan = _plan(strategy, grid, prices, base, metric, start, options, n_blocks, execution)
    return _execute(plan, execution, progress)[0]


def single_run(strategy: str | ModuleType, params: Mapping[str, Any], *, prices: pd.DataFrame,
               base: Any = None, options: BacktestOptions | None = None) -> Any:
    """Backtest one combination with the targets the sweep simulates (a BacktestResult)."""
    from quantlib.backtest import run

    module = resolve_strategy(strategy)
    base = module.Params() if base is None else base
    options = options or BacktestOptions()
    eng = _engine_prices(module, prices)
    combos = pd.DataFrame([dict(params)])
    w = _builders.build_weights(module, prices, eng, combos, base, options.weights_kwargs,
                                dense=False)
    if isinstance(w, pd.DataFrame):
        return run(eng, w[0], **options.engine_kwargs())
    return run(eng, pd.DataFrame(w[:, 0, :], index=eng.index, columns=eng.columns),
               **options.engine_kwargs())

