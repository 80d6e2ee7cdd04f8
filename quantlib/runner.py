"""One run path for every strategy: :func:`run_strategy`.

``quantlib backtest``, the tearsheet, the manifest replay, the weekly page's strategies and the
scripts all call it; ``quantlib sweep`` applies the same window rule (:func:`window_bounds`,
:func:`carry_in`) to many combinations at once, so a sweep's row equals the backtest of its
parameters on the same window.

The window: a run starts on its first day holding cash and places the target in force at that
day's close (the last decision dated on or before it), which the engine trades at the next bar;
later decisions follow. By default the first day is the strategy's first decision.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlib._dates import parse_day
from quantlib.errors import DateRangeError, QuantlibError

__all__ = ["FillUnavailableError", "RunSpec", "StrategyRun", "carry_in", "run_strategy",
           "traded_weights", "window_bounds"]

Progress = Callable[[str], None]


class FillUnavailableError(QuantlibError, ValueError):
    """A fill mode the strategy's inputs cannot support (no opening prices)."""


@dataclass(frozen=True)
class RunSpec:
    """Every input of a run that can change its numbers (what a manifest records).

    Attributes
    ----------
    strategy : str
        The strategy reference (a name, ``file.py:Class`` or ``module:Class``).
    params : dict
        The full parameter set (defaults filled in).
    start, end : str or None
        Inclusive window (YYYY-MM-DD); None: the first decision / the last price.
    fill : str
        Engine fill mode.
    costs : dict
        :class:`quantlib.backtest.CostModel` fields.
    cash_rate : float
        Annual interest on uninvested cash (engine).
    init_cash : float or None
        Capital in CNY (whole lots, minimum commission); None: a unit portfolio.
    """

    strategy: str
    params: dict[str, Any]
    start: str | None
    end: str | None
    fill: str
    costs: dict[str, Any]
    cash_rate: float = 0.0
    init_cash: float | None = None

    def cost_model(self) -> Any:
        """The :class:`~quantlib.backtest.CostModel` of ``costs``."""
        from quantlib.backtest import CostModel

        kw = dict(self.costs)
        kw["stamp_duty_schedule"] = tuple(tuple(x) for x in kw.get("stamp_duty_schedule", ()))
        return CostModel(**kw)


@dataclass(frozen=True)
class StrategyRun:
    """A finished run: the spec (window resolved), the strategy, the traded weights, the
    strategy's and the benchmark's results, and the metrics.

    Attributes
    ----------
    spec : RunSpec
        With ``start``/``end`` resolved to the run's first and last day.
    weights : DataFrame
        The target weights given to the engine (the carried-in target, then later rows).
    result, benchmark : BacktestResult
    metrics : DataFrame
        :data:`quantlib.metrics.SUMMARY_KEYS` x (strategy, benchmark).
    regime : Series or None
        The strategy's shading labels on the run's days.
    market, prices :
        The engine's :class:`~quantlib.backtest.Market` and the traded closes of the window.
    """

    spec: RunSpec
    strategy: Any
    source: Any
    weights: pd.DataFrame
    result: Any
    benchmark: Any
    metrics: pd.DataFrame
    regime: pd.Series | None
    benchmark_name: str
    notes: tuple[str, ...]
    datasets: tuple[str, ...]
    market: Any = None
    prices: pd.DataFrame | None = None

    @property
    def params(self) -> dict[str, Any]:
        return self.spec.params


def window_bounds(calendar: pd.DatetimeIndex, first_decision: pd.Timestamp, start: Any,
                  end: Any, name: str) -> tuple[int, int]:
    """Positions (inclusive) of the run window on ``calendar``.

    Raises
    ------
    DateRangeError
        ``start`` before the first decision (naming the warm-up), after the data, or an
        ``end`` before ``start`` or after the data; a window of fewer than 2 days.
    """
    last = calendar[-1]
    s = first_decision if start is None else parse_day(start, "start")
    e = last if end is None else parse_day(end, "end")
    if s < first_decision:
        raise DateRangeError(
            f"start {s.date()} is before {name}'s first decision on {first_decision.date()}: "
            f"its warm-up needs the data from {calendar[0].date()} up to that day (moving "
            f"averages, valuation or model history). Use --start {first_decision.date()} or "
            "later.")
    if s > last:
        raise DateRangeError(f"start {s.date()} is after the last price {last.date()}; use an "
                             "earlier --start.")
    if e < s:
        raise DateRangeError(f"end {e.date()} is before start {s.date()}; swap them.")
    if e > last:  # it used to resolve silently to the last price
        raise DateRangeError(f"end {e.date()} is after the last price {last.date()}; omit "
                             "--end for the last day, pass an earlier one, or refresh the data.")
    a = int(calendar.searchsorted(s))
    b = int(calendar.searchsorted(e, side="right")) - 1
    if b - a < 1:
        raise DateRangeError(f"the window {s.date()} .. {e.date()} holds {b - a + 1} trading "
                             "day(s); a backtest needs at least 2. Widen --start/--end.")
    return a, b


def traded_weights(weights: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    """Weights from the window's first day: the target in force then, then later rows."""
    day0 = prices.index[0]
    before = weights.loc[:day0]
    carried = before.iloc[[-1]].set_axis([day0]) if len(before) else weights.iloc[:0]
    later = weights.loc[weights.index > day0]
    return pd.concat([carried, later]).loc[: prices.index[-1]].rename_axis(weights.index.name)


def carry_in(dense: np.ndarray, a: int, b: int) -> np.ndarray:
    """:func:`traded_weights` for a (T, B, A) array with NaN rows = no decision.

    Returns rows ``a..b``; row 0 holds each combination's last decision dated on or before
    bar ``a`` (NaN when it has none yet: it starts in cash and nothing is carried).
    """
    decided = ~np.isnan(dense[: a + 1, :, 0])  # (a + 1, B): a decision on that bar
    any_ = decided.any(axis=0)
    last = a - np.argmax(decided[::-1], axis=0)  # the latest decided bar <= a
    out = np.array(dense[a: b + 1], order="F", copy=True)
    cols = np.flatnonzero(any_)
    out[0, cols, :] = dense[last[cols], cols, :]
    out[0, ~any_, :] = np.nan
    return out


def _benchmark_run(strat: Any, data: Any, traded: pd.DataFrame, prices: pd.DataFrame,
                   fill: str, costs: Any, market: Any, rate: float, cash: float | None) -> Any:
    """The benchmark's run: its weights on the traded assets, or (``kind="index"``) all in
    the benchmark index from the window's first day, with index costs and no lots."""
    from quantlib.backtest import Market, run
    from quantlib.strategy import INDEX_COSTS

    bm = strat.benchmark
    if bm.kind != "index":
        return run(prices, bm.weights(traded, prices), fill=fill, costs=costs, market=market,
                   cash_rate=rate, init_cash=cash)
    series = data[bm.input]
    if isinstance(series, pd.DataFrame):
        series = series.iloc[:, 0]
    index = series.reindex(prices.index).ffill().to_frame(bm.input)
    if index.iloc[0].isna().any():
        raise DateRangeError(f"{strat.name}: benchmark {bm.name} has no value on "
                             f"{prices.index[0].date()}, the first day of the run.")
    weights = pd.DataFrame(1.0, index=prices.index[:1], columns=index.columns)
    return run(index, weights, fill=fill, costs=INDEX_COSTS, market=Market(
        assets=pd.DataFrame({"kind": "index"}, index=index.columns)), cash_rate=rate,
        init_cash=cash)


def _resolve(strategy: Any) -> tuple[Any, Any]:
    from quantlib.strategies import resolve

    return resolve(strategy)


def run_strategy(strategy: Any, params: Mapping[str, Any] | None = None, *, start: Any = None,
                 end: Any = None, costs: Any = None, fill: str = "next_close",
                 cash_rate: float | None = None, init_cash: float | None = None,
                 data: Any = None, cache_dir: Any = None,
                 record_trades: bool = True, progress: Progress | None = None) -> StrategyRun:
    """Backtest a strategy and its benchmark on its declared data; compute the metrics.

    Parameters
    ----------
    strategy : str, Strategy class or instance
        A built-in or registered name, ``path/file.py:Class``, ``module:Class``, or the
        object itself.
    params : mapping, optional
        Parameter values; the rest take their defaults. Checked against the declarations.
    start, end : date-like, optional
        The window (default: the first decision .. the last price).
    costs : CostModel, optional
        Default: the strategy's ``costs``.
    fill : str
        ``next_close`` (default), ``next_open`` or ``same_close_lookahead``.
    cash_rate : float, optional
        Annual interest on cash, in the engine; default: the strategy's ``cash_rate``.
    init_cash : float, optional
        Capital in CNY; default: the strategy's ``init_cash`` (None: a unit portfolio).
    data : StrategyData or mapping, optional
        Inputs already loaded (default: loaded from the cache).
    cache_dir : path, optional
        A user cache directory (see :func:`quantlib.data.load`).

    Raises
    ------
    StrategyError, ParamError, StrategyWeightsError, DateRangeError, FillUnavailableError
    """
    from quantlib import metrics
    from quantlib.backtest import CostModel, run
    from quantlib.strategy import StrategyData, check_weights

    step = progress or (lambda _label: None)
    strat, source = _resolve(strategy)
    p = strat.resolve_params(params)
    costs = strat.cost_model() if costs is None else costs
    if not isinstance(costs, CostModel):
        raise QuantlibError(f"costs must be a quantlib.backtest.CostModel, got {costs!r}.")
    rate = strat.cash_rate if cash_rate is None else cash_rate
    cash = strat.init_cash if init_cash is None else float(init_cash)
    if cash is not None and not (np.isfinite(cash) and cash > 0):
        raise QuantlibError(f"init_cash {cash!r} must be a positive number of CNY.")
    if fill == "next_open":
        raise FillUnavailableError(
            f"fill 'next_open' needs opening prices, which {strat.name}'s inputs do not "
            "declare (closes only); use --fill next_close.")
    step("load data")
    if data is None:
        data = strat.load(cache_dir)
    elif not isinstance(data, StrategyData):
        data = strat.data_from(data)
    step("target weights")
    raw = strat.target_weights(data, p)
    weights = check_weights(strat, raw, data.prices)
    if len(weights) == 0:
        raise DateRangeError(f"{strat.name} makes no decision on the data given.")
    declared = strat.warmup(p)
    if declared is not None and weights.index[0] < data.calendar[min(declared,
                                                                      len(data.calendar) - 1)]:
        raise QuantlibError(
            f"{strat.name}.warmup({dict(p)}) says no decision before bar {declared}, but "
            f"target_weights decides on {weights.index[0].date()}; fix warmup().")
    a, b = window_bounds(data.calendar, weights.index[0], start, end, strat.name)
    prices = data.prices.iloc[a: b + 1]
    traded = traded_weights(weights, prices)
    market = strat.engine_market(data, prices)
    step("backtest")
    result = run(prices, traded, fill=fill, costs=costs, market=market,
                 record_trades=record_trades, cash_rate=rate, init_cash=cash)
    bench = _benchmark_run(strat, data, traded, prices, fill, costs, market, rate, cash)
    step("metrics")
    table = pd.DataFrame({"strategy": metrics.summary(result, benchmark=bench.returns),
                          "benchmark": metrics.summary(bench)})
    regime = strat.regime(data)
    spec = RunSpec(source.ref, p.as_dict(), str(prices.index[0].date()),
                   str(prices.index[-1].date()), fill, dataclasses.asdict(costs), float(rate),
                   cash)
    return StrategyRun(spec, strat, source, traded, result, bench, table,
                       None if regime is None else regime.reindex(prices.index),
                       strat.benchmark.name, tuple(strat.notes), data.datasets, market,
                       prices)
