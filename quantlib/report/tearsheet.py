"""The backtest tearsheet: run a registered strategy from a :class:`BacktestSpec` and gather
what the page shows (equity vs benchmark, drawdown, weights with the regime, monthly returns,
metrics, trades).

Pure: inputs come loaded (:mod:`quantlib.report.inputs`); files are written by the CLI only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlib.errors import DateRangeError, QuantlibError
from quantlib.report.inputs import StrategyInputs
from quantlib.report.spec import BacktestSpec, parse_date, strategy_module, validate_params

__all__ = ["BacktestOutcome", "FillUnavailableError", "run_spec", "tearsheet_context"]

Progress = Callable[[str], None]


class FillUnavailableError(QuantlibError, ValueError):
    """A fill mode the strategy's inputs cannot support (no opening prices)."""


@dataclass(frozen=True)
class BacktestOutcome:
    """A finished run: the spec, the traded weights, both results and the metrics.

    Attributes
    ----------
    spec : BacktestSpec
        With ``start``/``end`` resolved to the run's first and last day.
    weights : DataFrame
        The target weights given to the engine (rows = rebalance dates).
    result, benchmark : BacktestResult
        Strategy and benchmark (returns include the inputs' ``adjust``, e.g. cash interest).
    metrics : DataFrame
        :data:`quantlib.metrics.SUMMARY_KEYS` x (strategy, benchmark).
    regime : Series
        WIND All A's regime label on the run's days.
    """

    spec: BacktestSpec
    weights: pd.DataFrame
    result: Any
    benchmark: Any
    metrics: pd.DataFrame
    regime: pd.Series
    benchmark_name: str
    notes: tuple[str, ...]


def _window(spec: BacktestSpec, weights: pd.DataFrame, prices: pd.DataFrame
            ) -> tuple[pd.Timestamp, pd.Timestamp]:
    first_decision = weights.index[0]
    last = prices.index[-1]
    start = first_decision if spec.start is None else parse_date(spec.start, "start")
    end = last if spec.end is None else parse_date(spec.end, "end")
    if start < first_decision:
        raise DateRangeError(
            f"start {start.date()} is before {spec.strategy}'s first decision on "
            f"{first_decision.date()}: its warm-up needs the data from {prices.index[0].date()} "
            f"up to that day (moving averages, valuation or model history). Use --start "
            f"{first_decision.date()} or later.")
    if start > last:
        raise DateRangeError(f"start {start.date()} is after the last price "
                             f"{last.date()}; use an earlier --start.")
    if end < start:
        raise DateRangeError(f"end {end.date()} is before start {start.date()}; swap them.")
    return start, end


def _traded_weights(weights: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    """Weights from the window's first day: the target in force then, then later rows."""
    day0 = prices.index[0]
    before = weights.loc[:day0]
    carried = before.iloc[[-1]].set_axis([day0]) if len(before) else weights.iloc[:0]
    later = weights.loc[weights.index > day0]
    return pd.concat([carried, later]).loc[: prices.index[-1]].rename_axis(weights.index.name)


def _apply(result: Any, returns: pd.Series | None) -> Any:
    if returns is None:
        return result
    equity = result.init_cash * (1.0 + returns).cumprod()
    return dataclasses.replace(result, returns=returns, equity=equity)


def run_spec(spec: BacktestSpec, inputs: StrategyInputs,
             progress: Progress | None = None) -> BacktestOutcome:
    """Run ``spec`` on loaded ``inputs`` and its benchmark; compute the metrics.

    A weights row dated t trades at t+1 (engine). The first day of the window holds cash and
    trades the target in force at its close.

    Raises
    ------
    DateRangeError
        ``start`` before the strategy's first decision (the warm-up is named), or outside data.
    FillUnavailableError, UnknownNameError, ParamTypeError
    """
    from quantlib import metrics
    from quantlib.backtest import run

    step = progress or (lambda _label: None)
    module = strategy_module(spec.strategy)
    params = module.Params(**validate_params(module, spec.params))
    if spec.fill == "next_open" and inputs.market.open is None:
        raise FillUnavailableError(
            f"fill 'next_open' needs opening prices, which {spec.strategy}'s inputs do not "
            "load (closes only); use --fill next_close.")
    step("target weights")
    weights = module.target_weights(inputs.signal, params, **inputs.kwargs)
    if len(weights) == 0:
        raise DateRangeError(f"{spec.strategy} makes no decision on the bundled data.")
    start, end = _window(spec, weights, inputs.prices)
    prices = inputs.prices.loc[start:end]
    traded = _traded_weights(weights, prices)
    costs = spec.cost_model()
    step("backtest")
    result = run(prices, traded, fill=spec.fill, costs=costs, market=inputs.market,
                 record_trades=True)
    bench = run(prices, inputs.benchmark(traded, prices), fill=spec.fill, costs=costs,
                market=inputs.market)
    if inputs.adjust is not None:
        result = _apply(result, inputs.adjust(result, params))
        bench = _apply(bench, inputs.adjust(bench, params))
    step("metrics")
    table = pd.DataFrame({"strategy": metrics.summary(result, benchmark=bench.returns),
                          "benchmark": metrics.summary(bench)})
    resolved = dataclasses.replace(spec, params=dataclasses.asdict(params),
                                   start=str(prices.index[0].date()),
                                   end=str(prices.index[-1].date()))
    return BacktestOutcome(resolved, traded, result, bench, table,
                           inputs.regime.reindex(prices.index), inputs.benchmark_name,
                           inputs.notes)


def monthly_returns(returns: pd.Series) -> pd.DataFrame:
    """Compounded returns per calendar month: years x months 1..12, plus ``year``.

    ``(1 + r).prod() - 1`` over each month's days; NaN for months outside the run.
    """
    grouped = (1.0 + returns).groupby([returns.index.year, returns.index.month]).prod() - 1.0
    table = grouped.unstack().reindex(columns=range(1, 13))
    table["year"] = (1.0 + returns).groupby(returns.index.year).prod() - 1.0
    return table.rename_axis(index="year", columns="month")


def weights_frame(outcome: BacktestOutcome) -> pd.DataFrame:
    """Weights held at each close (after trading), dates x assets."""
    return outcome.result.positions


def equity_frame(outcome: BacktestOutcome) -> pd.DataFrame:
    """Daily equity, returns and drawdown of the strategy and the benchmark."""
    from quantlib.metrics import to_drawdown_series

    r, b = outcome.result, outcome.benchmark
    return pd.DataFrame({
        "equity": r.equity, "returns": r.returns, "drawdown": to_drawdown_series(r.returns),
        "exposure": r.exposure, "turnover": r.turnover,
        "benchmark_equity": b.equity, "benchmark_returns": b.returns,
        "regime": outcome.regime,
    }).rename_axis("date")


def tearsheet_context(outcome: BacktestOutcome, *, figures: dict[str, str],
                      manifest: dict[str, Any]) -> dict[str, Any]:
    """Values for ``tearsheet.html``: title, tables as HTML, figure data URIs, the manifest."""
    from quantlib.report import tables

    spec = outcome.spec
    trades = outcome.result.trades
    return {
        "title": f"{spec.strategy} backtest {spec.start} .. {spec.end}",
        "strategy": spec.strategy,
        "params": tables.html_table(pd.DataFrame(
            {"value": {k: repr(v) for k, v in spec.params.items()}})),
        "setup": tables.html_table(tables.setup_table(outcome)),
        "metrics": tables.html_table(tables.metrics_table(outcome.metrics)),
        "monthly": tables.html_table(tables.percent_table(monthly_returns(
            outcome.result.returns))),
        "trades": tables.html_table(tables.trades_table(trades)),
        "trade_count": str(len(trades)),
        "notes": outcome.notes,
        "figures": figures,
        "manifest": manifest,
        "nan_check": bool(np.isfinite(outcome.result.equity.to_numpy()).all()),
    }
