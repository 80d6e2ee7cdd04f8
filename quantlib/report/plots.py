"""Figures of the tearsheet and the weekly page: matplotlib ``Figure`` objects, never shown or
saved here (the CLI embeds them as PNG through :func:`quantlib.report.html.figure_png`).

Uses ``matplotlib.figure.Figure`` directly (no pyplot): no global figure registry, no GUI
backend. Labels stay ASCII so that no CJK font is needed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = [
    "REGIME_COLORS",
    "drawdown_figure",
    "equity_figure",
    "monthly_heatmap_figure",
    "weekly_timing_figure",
    "weights_figure",
]

REGIME_COLORS = {"up": "#2ca02c", "range": "#bbbbbb", "down": "#d62728"}
_SIZE = (10.0, 3.6)


def shade_regimes(ax: Any, regime: pd.Series, alpha: float = 0.15) -> None:
    """Shade the background of ``ax`` by regime label (``up``/``range``/``down``)."""
    x = regime.index
    for label, color in REGIME_COLORS.items():
        mask = (regime == label).fillna(False).to_numpy(dtype=bool)
        if mask.any():
            ax.fill_between(x, 0, 1, where=mask, transform=ax.get_xaxis_transform(),
                            color=color, alpha=alpha, linewidth=0, step="post",
                            label=f"regime {label}")


def equity_figure(equity: pd.Series, benchmark: pd.Series, *, title: str = "",
                  benchmark_name: str = "benchmark") -> Figure:
    """Strategy and benchmark equity (both rebased to 1), log scale."""
    fig = Figure(figsize=_SIZE, layout="constrained")
    ax = fig.add_subplot()
    ax.plot(equity.index, equity / equity.iloc[0], lw=1.2, label="strategy", color="#1f77b4")
    ax.plot(benchmark.index, benchmark / benchmark.iloc[0], lw=1.0, label=benchmark_name[:60],
            color="#7f7f7f")
    ax.set_yscale("log")
    ax.set_ylabel("growth of 1 (log)")
    ax.set_title(title or "Equity vs benchmark")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    return fig


def drawdown_figure(drawdown: pd.Series, benchmark_drawdown: pd.Series | None = None) -> Figure:
    """Drawdown from the running peak (fraction), strategy filled, benchmark as a line."""
    fig = Figure(figsize=(10.0, 2.6), layout="constrained")
    ax = fig.add_subplot()
    ax.fill_between(drawdown.index, drawdown.to_numpy(float) * 100, 0, color="#d62728",
                    alpha=0.35, lw=0, label="strategy")
    if benchmark_drawdown is not None:
        ax.plot(benchmark_drawdown.index, benchmark_drawdown * 100, color="#7f7f7f", lw=0.8,
                label="benchmark")
    ax.set_ylabel("drawdown %")
    ax.set_title("Drawdown")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    return fig


def _regime_strip(ax: Any, regime: pd.Series) -> None:
    shade_regimes(ax, regime, alpha=0.9)
    ax.set_yticks([])
    ax.set_ylabel("regime", rotation=0, ha="right", va="center", fontsize=8)
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.6), fontsize=7, ncol=3, frameon=False)


def weights_figure(weights: pd.DataFrame, regime: pd.Series | None, *, top: int = 8) -> Figure:
    """Weights held over time (stacked; the ``top`` assets by mean weight, the rest as
    ``other``; weekly means when there are several assets), above a strip of the strategy's
    regime labels (up / range / down) when it declares them."""
    fig = Figure(figsize=(10.0, 4.2), layout="constrained")
    if regime is None:
        ax, strip = fig.subplots(1, 1), None
    else:
        ax, strip = fig.subplots(2, 1, sharex=True, height_ratios=[6, 0.5])
    w = weights.fillna(0.0)
    if w.shape[1] > 1:
        w = w.resample("W-FRI").mean().dropna(how="all")
    order = w.mean().sort_values(ascending=False).index
    shown = [c for c in order[:top] if w[c].max() > 0]
    stack = w[shown].copy()
    rest = w.drop(columns=shown).sum(axis=1)
    if rest.max() > 0:
        stack["other"] = rest
    if stack.shape[1]:
        ax.stackplot(stack.index, stack.to_numpy(float).T, labels=[str(c) for c in stack],
                     alpha=0.9, step="post")
    ax.set_ylim(0, max(1.0, float(w.sum(axis=1).max()) * 1.05))
    ax.set_ylabel("weight")
    ax.set_title("Weights held" + (" (weekly means)" if weights.shape[1] > 1 else ""))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=7, ncol=min(9, stack.shape[1]))
    if strip is not None:
        _regime_strip(strip, regime)
    return fig


def monthly_heatmap_figure(monthly: pd.DataFrame) -> Figure:
    """Monthly returns heatmap: years x months (``monthly`` from ``monthly_returns``)."""
    months = monthly[[c for c in monthly.columns if c != "year"]]
    values = months.to_numpy(float) * 100
    fig = Figure(figsize=(10.0, 0.6 + 0.28 * max(len(months), 2)), layout="constrained")
    ax = fig.add_subplot()
    lim = np.nanmax(np.abs(values)) if np.isfinite(values).any() else 1.0
    img = ax.imshow(np.ma.masked_invalid(values), cmap="RdYlGn", vmin=-lim, vmax=lim,
                    aspect="auto")
    ax.set_xticks(range(12), [str(m) for m in range(1, 13)])
    ax.set_yticks(range(len(months)), [str(y) for y in months.index])
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=6.5)
    ax.set_title("Monthly returns %")
    fig.colorbar(img, ax=ax, shrink=0.8)
    return fig


def weekly_timing_figure(state: pd.DataFrame, *, days: int = 250) -> Figure:
    """WIND All A over the last ``days`` days: close, MA5, MA20, MA120, trend line, regimes."""
    s = state.iloc[-days:]
    fig = Figure(figsize=_SIZE, layout="constrained")
    ax = fig.add_subplot()
    shade_regimes(ax, s["regime_label"])
    ax.plot(s.index, s["close"], color="black", lw=1.0, label="close")
    for col, label, color in (("ma_fast", "MA5", "#9467bd"), ("ma_short", "MA20", "#1f77b4"),
                              ("ma_long", "MA120", "#ff7f0e")):
        ax.plot(s.index, s[col], lw=0.9, label=label, color=color)
    if not s["trend_line"].equals(s["ma_short"]):
        ax.plot(s.index, s["trend_line"], lw=0.9, ls="--", label="trend line", color="#8c564b")
    ax.set_title("WIND All A: closes, moving averages, regime (trend line = MA20)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=7, ncol=4)
    return fig
