"""``sweep()``: every combination of a grid through the engine in batches, as a tidy table,
with the overfitting statistics of the selection."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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

__all__ = ["MAX_COMBINATIONS", "BacktestOptions", "Overfitting", "SweepError", "SweepResult",
           "sweep"]


class SweepError(QuantlibError, ValueError):
    """A sweep that cannot run: no valid combination, prices missing the universe, ..."""


@dataclass(frozen=True, kw_only=True)
class BacktestOptions:
    """Engine and metric settings shared by every combination (see ``backtest.run``).

    ``costs``, ``market`` and ``cash_rate`` default (None) to the strategy's declarations, as
    in :func:`quantlib.run_strategy`.
    """

    fill: str = "next_close"
    costs: Any = None
    rules: Any = None
    init_cash: float | None = None
    market: Any = None
    cash_rate: float | None = None
    risk_free: float = DEFAULT_RISK_FREE_RATE
    periods_per_year: float = TRADING_DAYS_PER_YEAR

    def engine_kwargs(self, strategy: Any, columns: Any) -> dict[str, Any]:
        from quantlib.backtest import cash_rate_per_bar

        rate = strategy.cash_rate if self.cash_rate is None else self.cash_rate
        cash_rate_per_bar(rate)  # a bad rate fails here, before any batch runs
        return {"fill": self.fill,
                "costs": strategy.cost_model() if self.costs is None else self.costs,
                "rules": self.rules, "init_cash": self.init_cash,
                "market": strategy.market(columns) if self.market is None else self.market,
                "nan_rows": "hold", "cash_rate": rate}


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
        Evaluation window of the table's metrics (each combination starts there in cash
        with its target in force, as ``run_strategy(strategy, params, start=start,
        end=end)``, which reproduces any row).
    base : dict
        The values of the parameters outside the grid.
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
    base: dict[str, Any] = dataclasses.field(default_factory=dict)
    param_specs: dict[str, Any] = dataclasses.field(default_factory=dict, repr=False)

    @property
    def best(self) -> pd.Series:
        """The row of the best combination by ``metric`` (first on ties)."""
        return self.table.loc[self.table[self.metric].idxmax()]

    def best_params(self) -> dict[str, Any]:
        """The best combination's parameters as Python scalars of their declared types."""
        row = self.best[list(self.params)]
        values = {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        return {k: self.param_specs[k].check(k, v) if k in self.param_specs else v
                for k, v in values.items()}


#: Above this many combinations a sweep refuses to start (``max_combinations=`` raises it).
MAX_COMBINATIONS = 2_000_000


@dataclass(frozen=True)
class _Plan:
    strategy: Any
    spec: _run.EvalSpec
    combos: pd.DataFrame  # every declared parameter a column (the grid's, base, defaults)
    swept: tuple[str, ...]
    dropped: pd.DataFrame
    batch_size: int
    base: dict[str, Any]


def _first_decision(strategy: Any, data: Any, full: pd.DataFrame) -> pd.Timestamp:
    """The latest first decision over the combinations (every one has decided by then).

    A declared ``warmup`` is first called once with whole parameter columns (``p.long - 1``
    runs vectorized); the latest first decision is then ``calendar[max warm-up]``, the same
    as the maximum of the per-combination dates. Otherwise one call per combination.
    """
    from quantlib.strategy import ParamSet, Strategy

    uniq = full.drop_duplicates()
    cal = data.calendar
    if type(strategy).warmup is not Strategy.warmup:
        try:
            with np.errstate(all="ignore"):
                n = np.asarray(strategy.warmup(ParamSet({k: uniq[k].to_numpy()
                                                         for k in uniq.columns})))
        except Exception:
            n = None
        if (n is not None and n.shape in ((), (len(uniq),)) and n.dtype.kind in "iu"
                and n.size):
            return cal[min(int(n.max()), len(cal) - 1)]
    return max(strategy.first_decision(data, ParamSet(r))
               for r in uniq.to_dict(orient="records"))


def _too_many(size: int, limit: int) -> SweepError:
    return SweepError(f"the grid has {size:,} combinations, above the limit of {limit:,}; "
                      "narrow the ranges or raise the limit (--max-combinations / "
                      "max_combinations=).")


def _plan(strategy: Any, grid: Mapping[str, Any], data: Any, params: Mapping[str, Any] | None,
          metric: str, start: Any, end: Any, options: BacktestOptions, n_blocks: int,
          execution: _run.Execution, windows: tuple[tuple[int, int], ...] = (),
          cache_dir: Any = None, max_combinations: int = MAX_COMBINATIONS) -> _Plan:
    from quantlib.runner import window_bounds
    from quantlib.strategies import resolve
    from quantlib.strategy import StrategyData

    strat, _ = resolve(strategy)
    if metric not in _run.SELECT_METRICS:
        raise UnknownNameError("selection metric", metric, _run.SELECT_METRICS)
    base = strat.resolve_params(params).as_dict() if params else {}
    specs = strat.param_specs()
    # counted before expanding: {"short": "1:1e9:1"} must not build a billion values first
    counted = _grid.grid_size(grid) if isinstance(grid, Mapping) and grid else None
    if counted is not None and counted > max_combinations:
        raise _too_many(counted, max_combinations)
    values = _grid.expand_grid(grid, list(specs), f"strategy {strat.name}")
    size = math.prod(len(v) for v in values.values())
    if size > max_combinations:
        raise _too_many(size, max_combinations)
    full, why = _builders.check_combos(strat, _grid.combinations(values), base)
    swept = tuple(values)
    dropped = full.loc[why != "", list(swept)].assign(reason=why[why != ""])
    full = full[why == ""]
    if full.empty:
        raise SweepError(f"no valid combination in the grid: {dropped['reason'].iloc[0]} for "
                         "every one. Fix the ranges.")
    if data is None:
        data = strat.load(cache_dir)
    elif not isinstance(data, StrategyData):
        data = strat.data_from(data)
    first = _first_decision(strat, data, full)
    a, b = window_bounds(data.calendar, first, start, end, strat.name)
    n_a = data.prices.shape[1]
    spec = _run.EvalSpec(
        strategy=strat, data=data, window=(a, b),
        engine_kwargs=options.engine_kwargs(strat, data.prices.columns),
        risk_free=options.risk_free, periods_per_year=options.periods_per_year,
        n_blocks=n_blocks, windows=windows, select=metric, fused=bool(execution.fused))
    mb = execution.memory_budget_mb
    if mb is not None and not (isinstance(mb, int | float) and mb > 0):
        raise SweepError(f"memory_budget_mb must be a number > 0, got {mb!r}.")
    bs = execution.batch_size
    if bs is None and spec.fused and getattr(strat, "batch_signals", None) is not None:
        from quantlib.sweep._fused import FUSED_BATCH_SIZE, accepts

        if accepts(strat, data, full):  # a declining hook gets the reference path's batches
            bs = min(len(full), FUSED_BATCH_SIZE)  # O(combinations) memory on the fused path
    if bs is None:
        bs = _run.auto_batch_size(len(data.calendar), n_a, len(full), execution.memory_budget_mb)
    if isinstance(bs, bool) or not isinstance(bs, int | np.integer) or bs < 1:
        raise SweepError(f"batch_size must be a positive integer, got {bs!r}.")
    return _Plan(strat, spec, full, swept, dropped, int(bs), base)


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
    outs = _run.run_batches(plan.spec, batches, execution, progress)
    values = np.vstack([o["metrics"] for o in outs])
    table = pd.concat([plan.combos[list(plan.swept)],
                       pd.DataFrame(values, index=plan.combos.index,
                                    columns=list(_run.METRIC_KEYS))], axis=1)
    a, b = plan.spec.window
    idx = plan.spec.data.calendar
    of = _overfitting(table, outs, plan.spec.select, b - a + 1, plan.spec.n_blocks)
    windows = np.hstack([o["windows"] for o in outs])
    res = SweepResult(
        strategy=plan.strategy.name, table=table, params=plan.swept,
        metric=plan.spec.select, overfitting=of, dropped=plan.dropped,
        start=idx[a], end=idx[b], batch_size=size, n_batches=len(batches),
        seconds=time.perf_counter() - t0, base=dict(plan.base),
        param_specs=plan.strategy.param_specs())
    return res, windows


def sweep(strategy: Any, grid: Mapping[str, Any], *, data: Any = None,
          params: Mapping[str, Any] | None = None, metric: str = "sharpe_ratio",
          start: Any = None, end: Any = None, options: BacktestOptions | None = None,
          n_blocks: int = 16, execution: _run.Execution | None = None,
          progress: Callable[[int, int], None] | None = None, cache_dir: Any = None,
          max_combinations: int = MAX_COMBINATIONS) -> SweepResult:
    """Evaluate every combination of a parameter grid; return a tidy table and overfitting stats.

    Parameters
    ----------
    strategy : str, Strategy class or instance
        A built-in or registered name, ``path/file.py:Class``, ``module:Class``, or the
        object (see :func:`quantlib.strategies.resolve`).
    grid : mapping
        Parameter name -> values: a sequence, a scalar, or an inclusive ``"a:b:step"`` range.
        Names must be declared parameters; values are checked against their declarations,
        and combinations the strategy's ``constraint`` rejects are dropped (``dropped``).
    data : StrategyData or mapping, optional
        The strategy's inputs (default: loaded from the cache by its declarations).
    params : mapping, optional
        Values of the parameters outside the grid (default: their defaults).
    metric : str
        Selection metric (one of :data:`SELECT_METRICS`; higher is better).
    start, end : date-like, optional
        The scored window. Default: from the latest first decision over the combinations
        (so every combination is scored on the same days, each from its own decision in
        force) to the last price; the same rule as :func:`quantlib.run_strategy`.
    options : BacktestOptions, optional
        Fill, costs, rules, capital, market data, cash rate, risk-free rate, annualisation.
    n_blocks : int
        CSCV blocks for the PBO (even; default 16 as in Bailey et al.).
    execution : Execution, optional
        Batch size / memory budget / Dask scheduler.
    progress : callable(done, total), optional
        Called after each batch.
    max_combinations : int
        Refuse a grid larger than this before allocating anything.

    Returns
    -------
    SweepResult
    """
    options = options or BacktestOptions()
    execution = execution or _run.Execution()
    plan = _plan(strategy, grid, data, params, metric, start, end, options, n_blocks,
                 execution, cache_dir=cache_dir, max_combinations=max_combinations)
    return _execute(plan, execution, progress)[0]
