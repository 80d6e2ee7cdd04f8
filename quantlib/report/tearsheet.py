"""The backtest tearsheet: what the page shows of a :class:`quantlib.runner.StrategyRun`
(equity vs benchmark, drawdown, weights with the regime, monthly returns, metrics, trades).

Pure: the run comes finished (:func:`quantlib.run_strategy`); files are written by the CLI.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["equity_frame", "monthly_returns", "tearsheet_context", "weights_frame"]


def monthly_returns(returns: pd.Series) -> pd.DataFrame:
    """Compounded returns per calendar month: years x months 1..12, plus ``year``.

    ``(1 + r).prod() - 1`` over each month's days; NaN for months outside the run.
    """
    grouped = (1.0 + returns).groupby([returns.index.year, returns.index.month]).prod() - 1.0
    table = grouped.unstack().reindex(columns=range(1, 13))
    table["year"] = (1.0 + returns).groupby(returns.index.year).prod() - 1.0
    return table.rename_axis(index="year", columns="month")


def weights_frame(outcome: Any) -> pd.DataFrame:
    """Weights held at each close (after trading), dates x assets."""
    return outcome.result.positions


def equity_frame(outcome: Any) -> pd.DataFrame:
    """Daily equity, returns and drawdown of the strategy and the benchmark."""
    from quantlib.metrics import to_drawdown_series

    r, b = outcome.result, outcome.benchmark
    return pd.DataFrame({
        "equity": r.equity, "returns": r.returns, "drawdown": to_drawdown_series(r.returns),
        "exposure": r.exposure, "turnover": r.turnover,
        "benchmark_equity": b.equity, "benchmark_returns": b.returns,
        "regime": outcome.regime,
    }).rename_axis("date")


def _orders_html(outcome: Any) -> str:
    """Blocked orders and lot-rounding cash of a CNY stock run ("" for other runs)."""
    from quantlib.report import tables
    from quantlib.report.orders import order_summary

    summary = order_summary(outcome)
    if summary is None:
        return ""
    parts = ["<h2>Orders blocked and lot-rounding cash (委托受阻与整手余额)</h2>",
             tables.html_table(pd.DataFrame({"value": summary.as_rows()}))]
    if len(summary.examples):
        shown = summary.examples.head(20).assign(
            date=lambda f: f["date"].dt.strftime("%Y-%m-%d"))
        parts += [f"<p>Blocked orders (first {len(shown)} of {len(summary.examples)}):</p>",
                  tables.html_table(shown)]
    return "\n".join(parts)


def tearsheet_context(outcome: Any, *, figures: dict[str, str],
                      manifest: dict[str, Any]) -> dict[str, Any]:
    """Values for ``tearsheet.html``: title, tables as HTML, figure data URIs, the manifest."""
    from quantlib.report import tables

    spec = outcome.spec
    trades = outcome.result.trades
    return {
        "title": f"{outcome.strategy.name} backtest {spec.start} .. {spec.end}",
        "strategy": outcome.strategy.name,
        "params": tables.html_table(pd.DataFrame(
            {"value": {k: repr(v) for k, v in spec.params.items()}})),
        "setup": tables.html_table(tables.setup_table(outcome)),
        "metrics": tables.html_table(tables.metrics_table(outcome.metrics)),
        "monthly": tables.html_table(tables.percent_table(monthly_returns(
            outcome.result.returns))),
        "trades": tables.html_table(tables.trades_table(
            trades, cny=spec.init_cash is not None)),
        "orders": _orders_html(outcome),
        "trade_count": str(len(trades)),
        "notes": outcome.notes,
        "figures": figures,
        "manifest": manifest,
        "nan_check": bool(np.isfinite(outcome.result.equity.to_numpy()).all()),
    }
