"""The backtest tearsheet: what the page shows of a :class:`quantlib.runner.StrategyRun`
(equity vs benchmark, drawdown, weights with the regime, monthly returns, metrics, trades).

Pure: the run comes finished (:func:`quantlib.run_strategy`); files are written by the CLI.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["asset_names", "equity_frame", "monthly_returns", "tearsheet_context",
           "weights_frame"]


def asset_names(codes: Any, lang: str = "en") -> dict[str, str]:
    """Code -> display name for the assets that are Shenwan or CITIC L1 industries (Chinese
    name in ``zh``, English where the bundled table has one in ``en``); other codes are left
    out (the legend shows them as they are)."""
    from quantlib.data.store import bundled_dir

    out: dict[str, str] = {}
    wanted = {str(c) for c in codes}
    for table in ("sw_l1_names.csv", "citic_l1_names.csv"):
        names = pd.read_csv(bundled_dir() / "reference" / table, dtype=str)
        for _, row in names.iterrows():
            code = str(row["code"])
            if code in wanted:
                en = row.get("name_en")
                out[code] = (str(en) if lang == "en" and isinstance(en, str) and en
                             else str(row["name_zh"]))
    return out


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


def tearsheet_context(outcome: Any, *, figures: dict[str, str], manifest: dict[str, Any],
                      lang: str = "en", colors: str = "intl",
                      sections: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """Values for ``tearsheet.html``: title, tables as HTML, figures (inline SVG), the
    manifest, in ``lang`` with the ``colors`` convention; ``sections`` are extra
    (title, HTML) blocks placed after the metrics."""
    from quantlib.i18n import fmt_date, tr
    from quantlib.report import tables

    spec = outcome.spec
    trades = outcome.result.trades
    return {
        "title": tr(lang, "t.title", name=outcome.strategy.name, start=fmt_date(lang, spec.start),
                    end=fmt_date(lang, spec.end)),
        "strategy": outcome.strategy.name, "lang": lang, "colors": colors,
        "sections": sections or [],
        "params": tables.params_html(dict(spec.params), lang),
        "setup": tables.html_table(tables.setup_table(outcome, lang)),
        "metrics": tables.html_table(tables.metrics_table(outcome.metrics, lang)),
        "monthly": tables.html_table(tables.percent_table(monthly_returns(
            outcome.result.returns), lang)),
        "trades": tables.html_table(tables.trades_table(trades, lang=lang)),
        "trade_count": str(len(trades)),
        "notes": outcome.notes,
        "figures": figures,
        "manifest": manifest,
        "nan_check": bool(np.isfinite(outcome.result.equity.to_numpy()).all()),
    }


def tearsheet_figures(outcome: Any, lang: str = "en", colors: str = "intl") -> dict[str, str]:
    """The tearsheet's figures as inline SVG, labelled in ``lang``, coloured by ``colors``."""
    from quantlib.i18n import label, tr
    from quantlib.metrics import to_drawdown_series
    from quantlib.report import plots
    from quantlib.report.html import figure_svg

    r, b = outcome.result, outcome.benchmark
    names = asset_names(r.positions.columns, lang)
    figs = {
        "equity": plots.equity_figure(r.equity, b.equity,
                                      benchmark_name=label(lang, "bench", outcome.benchmark_name),
                                      title=tr(lang, "t.equity_title",
                                               name=outcome.strategy.name), lang=lang),
        "drawdown": plots.drawdown_figure(to_drawdown_series(r.returns),
                                          to_drawdown_series(b.returns), lang=lang,
                                          colors=colors),
        "weights": plots.weights_figure(r.positions, outcome.regime, names=names, lang=lang,
                                        colors=colors),
        "monthly": plots.monthly_heatmap_figure(monthly_returns(r.returns), lang=lang,
                                                colors=colors),
    }
    return {k: figure_svg(f) for k, f in figs.items()}


def tearsheet_sections(outcome: Any, lang: str = "en", colors: str = "intl"
                       ) -> list[tuple[str, str]]:
    """Extra (title, HTML) blocks of the tearsheet after the metrics (see
    :mod:`quantlib.report.analytics`)."""
    return []
