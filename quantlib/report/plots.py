"""Figures of the tearsheet and the weekly page: matplotlib ``Figure`` objects, never shown or
saved here (the CLI embeds them as inline SVG through :func:`quantlib.report.html.figure_svg`).

Uses ``matplotlib.figure.Figure`` directly (no pyplot): no global figure registry, no GUI
backend. Labels come in the page's language (``lang``); SVG keeps them as text, so the browser
draws Chinese with its own fonts. ``colors`` picks the up/down convention
(:data:`quantlib.i18n.PALETTES`: ``cn`` red up / green down, ``intl`` the reverse) for regime
shading, the drawdown fill and the monthly heatmap.
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
    "held_most",
    "monthly_heatmap_figure",
    "weekly_timing_figure",
    "weights_figure",
]

#: Regime colours under the international convention (kept for callers; see regime_colors).
REGIME_COLORS = {"up": "#2ca02c", "range": "#bbbbbb", "down": "#d62728"}
_SIZE = (10.0, 3.6)


def regime_colors(colors: str = "intl") -> dict[str, str]:
    """Regime -> colour under ``colors`` (``cn``: up red, down green)."""
    from quantlib.i18n import PALETTES

    pal = PALETTES[colors]
    return {"up": pal["up"], "range": pal["range"], "down": pal["down"]}


def shade_regimes(ax: Any, regime: pd.Series, alpha: float = 0.15, *, lang: str = "en",
                  colors: str = "intl") -> None:
    """Shade the background of ``ax`` by regime label (``up``/``range``/``down``)."""
    from quantlib.i18n import label as name
    from quantlib.i18n import tr

    x = regime.index
    for label, color in regime_colors(colors).items():
        mask = (regime == label).fillna(False).to_numpy(dtype=bool)
        if mask.any():
            ax.fill_between(x, 0, 1, where=mask, transform=ax.get_xaxis_transform(),
                            color=color, alpha=alpha, linewidth=0, step="post",
                            label=f"{tr(lang, 't.regime_strip')} {name(lang, 'regime', label)}")


def equity_figure(equity: pd.Series, benchmark: pd.Series, *, title: str = "",
                  benchmark_name: str = "benchmark", lang: str = "en") -> Figure:
    """Strategy and benchmark equity (both rebased to 1), log scale."""
    from quantlib.i18n import tr

    fig = Figure(figsize=_SIZE, layout="constrained")
    ax = fig.add_subplot()
    ax.plot(equity.index, equity / equity.iloc[0], lw=1.2, label=tr(lang, "t.strategy"),
            color="#1f77b4")
    ax.plot(benchmark.index, benchmark / benchmark.iloc[0], lw=1.0, label=benchmark_name[:60],
            color="#7f7f7f")
    ax.set_yscale("log")
    # plain numbers (0.8, 1, 2) on the log axis, not matplotlib's 8x10^-1 notation
    from matplotlib.ticker import FuncFormatter

    plain = FuncFormatter(lambda v, _pos: f"{v:g}")
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(plain)
    ax.set_ylabel(tr(lang, "t.growth_log"))
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    return fig


def drawdown_figure(drawdown: pd.Series, benchmark_drawdown: pd.Series | None = None, *,
                    lang: str = "en", colors: str = "intl") -> Figure:
    """Drawdown from the running peak (fraction), strategy filled in the convention's "down"
    colour, benchmark as a line."""
    from quantlib.i18n import PALETTES, tr

    fig = Figure(figsize=(10.0, 2.6), layout="constrained")
    ax = fig.add_subplot()
    ax.fill_between(drawdown.index, drawdown.to_numpy(float) * 100, 0,
                    color=PALETTES[colors]["down"], alpha=0.35, lw=0,
                    label=tr(lang, "t.strategy"))
    if benchmark_drawdown is not None:
        ax.plot(benchmark_drawdown.index, benchmark_drawdown * 100, color="#7f7f7f", lw=0.8,
                label=tr(lang, "t.benchmark"))
    ax.set_ylabel(tr(lang, "t.drawdown_pct"))
    ax.set_title(tr(lang, "t.drawdown"))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    return fig


def _regime_strip(ax: Any, regime: pd.Series, lang: str, colors: str) -> None:
    from quantlib.i18n import tr

    shade_regimes(ax, regime, alpha=0.9, lang=lang, colors=colors)
    ax.set_yticks([])
    ax.set_ylabel(tr(lang, "t.regime_strip"), rotation=0, ha="right", va="center", fontsize=8)
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.6), fontsize=7, ncol=3, frameon=False)


#: Rows of the weights heatmap: the assets held most; the rest share one "other" row.
WEIGHTS_TOP = 24
#: Up to this many assets the weights chart is a stacked area (the timing strategies: one).
WEIGHTS_STACK_MAX = 6


def held_most(weights: pd.DataFrame, top: int = WEIGHTS_TOP) -> tuple[list[Any], list[Any]]:
    """Assets ever held, ordered by time-weighted mean weight (each day's weight averaged over
    every day of the run), split into the ``top`` shown by name and the rest. When only one
    asset would be left over it is shown too (an "other" row of one says nothing)."""
    mean = weights.fillna(0.0).mean()
    held = mean[mean > 0].sort_values(ascending=False, kind="stable")
    order = list(held.index)
    if len(order) <= top + 1:
        return order, []
    return order[:top], order[top:]


def weights_figure(weights: pd.DataFrame, regime: pd.Series | None, *,
                   top: int = WEIGHTS_TOP, names: dict[str, str] | None = None,
                   lang: str = "en", colors: str = "intl") -> Figure:
    """Weights held over time, above a strip of the strategy's regime labels (up / range /
    down) when it declares them. ``names`` maps asset codes to the names shown (Shenwan
    industry names in place of 801050).

    Up to :data:`WEIGHTS_STACK_MAX` assets: a stacked area. More (industry rotation, stocks): a
    heatmap of weekly mean weights, one row per asset held, ordered by time-weighted mean
    weight (:func:`held_most`); past ``top`` rows the rest share one "other" row (its
    caption on the page gives how many and their mean weight)."""
    from quantlib.i18n import tr

    w = weights.fillna(0.0)
    shown, rest = held_most(w, top)
    many = len(shown) + len(rest) > WEIGHTS_STACK_MAX
    other = tr(lang, "t.other")
    rows = len(shown) + (1 if rest else 0)
    height = max(4.2, 1.2 + 0.19 * rows) if many else 4.2
    fig = Figure(figsize=(10.0, height), layout="constrained")
    if regime is None:
        ax, strip = fig.subplots(1, 1), None
    else:
        ax, strip = fig.subplots(2, 1, sharex=True, height_ratios=[height - 0.8, 0.35])
    if w.shape[1] > 1:
        w = w.resample("W-FRI").mean().dropna(how="all")
    labels = [(names or {}).get(str(c), str(c)) for c in shown]
    if many:
        edges = w.index.append(pd.DatetimeIndex([w.index[-1] + pd.Timedelta(days=7)]))
        mesh = ax.pcolormesh(edges, np.arange(len(shown) + 1), w[shown].to_numpy(float).T * 100,
                             cmap="Blues", vmin=0, shading="flat")
        if rest:  # the rest together: grey, on its own scale (it would wash out the others)
            together = w[rest].sum(axis=1).to_numpy(float) * 100
            ax.pcolormesh(edges, [len(shown), len(shown) + 1], together[None, :], cmap="Greys",
                          vmin=0, vmax=max(float(together.max()), 1e-9), shading="flat")
            labels.append(other)
        ax.set_yticks(np.arange(len(labels)) + 0.5, labels, fontsize=7)
        ax.set_ylim(len(labels), 0)
        fig.colorbar(mesh, ax=ax, shrink=0.6, pad=0.01, label=tr(lang, "t.weight") + " %")
    else:
        stack = w[shown]
        if stack.shape[1]:
            ax.stackplot(stack.index, stack.to_numpy(float).T, labels=labels, alpha=0.9,
                         step="post")
        ax.set_ylim(0, max(1.0, float(w.sum(axis=1).max()) * 1.05))
        ax.set_ylabel(tr(lang, "t.weight"))
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=7, ncol=min(5, max(1, stack.shape[1])))
    ax.set_title(tr(lang, "t.weights")
                 + (" " + tr(lang, "t.weekly_means") if weights.shape[1] > 1 else ""))
    if strip is not None:
        _regime_strip(strip, regime, lang, colors)
    return fig


def monthly_heatmap_figure(monthly: pd.DataFrame, *, lang: str = "en",
                           colors: str = "intl") -> Figure:
    """Monthly returns heatmap: years x months (``monthly`` from ``monthly_returns``); gains
    take the convention's "up" end of the colour map (red under ``cn``)."""
    from quantlib.i18n import PALETTES, tr

    months = monthly[[c for c in monthly.columns if c != "year"]]
    values = months.to_numpy(float) * 100
    fig = Figure(figsize=(10.0, 0.6 + 0.28 * max(len(months), 2)), layout="constrained")
    ax = fig.add_subplot()
    lim = np.nanmax(np.abs(values)) if np.isfinite(values).any() else 1.0
    img = ax.imshow(np.ma.masked_invalid(values), cmap=PALETTES[colors]["cmap"], vmin=-lim,
                    vmax=lim, aspect="auto")
    ax.set_xticks(range(12), [str(m) for m in range(1, 13)])
    ax.set_yticks(range(len(months)), [str(y) for y in months.index])
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=6.5)
    ax.set_title(tr(lang, "t.monthly_pct"))
    fig.colorbar(img, ax=ax, shrink=0.8)
    return fig


def weekly_timing_figure(state: pd.DataFrame, *, days: int = 250, lang: str = "en",
                         colors: str = "intl") -> Figure:
    """WIND All A over the last ``days`` days: close, MA5, MA20, MA120, trend line, regimes."""
    from quantlib.i18n import tr

    s = state.iloc[-days:]
    fig = Figure(figsize=_SIZE, layout="constrained")
    ax = fig.add_subplot()
    shade_regimes(ax, s["regime_label"], lang=lang, colors=colors)
    ax.plot(s.index, s["close"], color="black", lw=1.0, label=tr(lang, "f.close"))
    for col, label, color in (("ma_fast", "MA5", "#9467bd"), ("ma_short", "MA20", "#1f77b4"),
                              ("ma_long", "MA120", "#ff7f0e")):
        ax.plot(s.index, s[col], lw=0.9, label=label, color=color)
    if not s["trend_line"].equals(s["ma_short"]):
        ax.plot(s.index, s["trend_line"], lw=0.9, ls="--", label=tr(lang, "f.trend_line"),
                color="#8c564b")
    ax.set_title(tr(lang, "w.chart_title"))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=7, ncol=4)
    return fig


def returns_figure(returns: pd.Series, benchmark: pd.Series, matched: pd.Series, *,
                   lang: str = "en", benchmark_name: str = "benchmark") -> Figure:
    """Cumulative returns on a linear scale (%): strategy, benchmark, and the strategy scaled
    to the benchmark's volatility."""
    from quantlib.i18n import tr

    fig = Figure(figsize=_SIZE, layout="constrained")
    ax = fig.add_subplot()
    for series, label, color, lw in ((returns, tr(lang, "t.strategy"), "#1f77b4", 1.2),
                                     (benchmark, benchmark_name[:60], "#7f7f7f", 1.0),
                                     (matched, tr(lang, "a.vol_matched"), "#ff7f0e", 0.9)):
        ax.plot(series.index, ((1.0 + series).cumprod() - 1.0) * 100, lw=lw, label=label,
                color=color)
    ax.axhline(0, color="#333", lw=0.6)
    ax.set_ylabel("%")
    ax.set_title(tr(lang, "a.returns"))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    return fig


def yearly_figure(yearly: pd.DataFrame, *, lang: str = "en") -> Figure:
    """Bars of the strategy's and the benchmark's calendar-year returns (%)."""
    from quantlib.i18n import tr

    fig = Figure(figsize=(10.0, 3.0), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(yearly))
    ax.bar(x - 0.2, yearly["strategy"] * 100, 0.4, label=tr(lang, "t.strategy"),
           color="#1f77b4")
    ax.bar(x + 0.2, yearly["benchmark"] * 100, 0.4, label=tr(lang, "t.benchmark"),
           color="#9e9e9e")
    ax.axhline(0, color="#333", lw=0.6)
    ax.set_xticks(x, [str(y) for y in yearly.index])
    ax.set_ylabel("%")
    ax.set_title(tr(lang, "a.yearly"))
    ax.grid(alpha=0.3, axis="y")
    ax.legend(loc="upper left", fontsize=8)
    return fig


def distribution_figure(daily: pd.Series, monthly: pd.Series, *, lang: str = "en",
                        colors: str = "intl") -> Figure:
    """Histograms of daily and monthly returns (%); gains in the convention's up colour."""
    from quantlib.i18n import PALETTES, tr

    pal = PALETTES[colors]
    fig = Figure(figsize=(10.0, 3.0), layout="constrained")
    for ax, series, key, bins in zip(fig.subplots(1, 2), (daily, monthly),
                                     ("a.daily", "a.monthly"), (60, 30), strict=True):
        values = series.dropna().to_numpy(float) * 100
        edges = np.histogram_bin_edges(values, bins=bins)
        for part, color in ((values[values >= 0], pal["up"]), (values[values < 0],
                                                                pal["down"])):
            ax.hist(part, bins=edges, color=color, alpha=0.75)
        ax.axvline(values.mean(), color="#333", lw=0.8, ls="--")
        ax.set_title(tr(lang, key))
        ax.set_xlabel("%")
        ax.set_ylabel(tr(lang, "a.frequency"))
        ax.grid(alpha=0.3)
    return fig


def rolling_figure(rolling: pd.DataFrame, *, window: int, lang: str = "en") -> Figure:
    """Rolling Sharpe, Sortino, volatility (%) and beta, one panel each."""
    from quantlib.i18n import tr

    fig = Figure(figsize=(10.0, 5.6), layout="constrained")
    axes = fig.subplots(4, 1, sharex=True)
    for ax, (col, key, scale) in zip(axes, (("sharpe", "m.sharpe_ratio", 1.0),
                                            ("sortino", "m.sortino_ratio", 1.0),
                                            ("volatility", "m.annual_volatility", 100.0),
                                            ("beta", "m.beta", 1.0)), strict=True):
        ax.plot(rolling.index, rolling[col] * scale, lw=0.9, color="#1f77b4")
        ax.axhline(0 if col != "beta" else 1, color="#333", lw=0.6)
        ax.set_ylabel(tr(lang, key) + (" %" if scale != 1 else ""), fontsize=8)
        ax.grid(alpha=0.3)
    axes[0].set_title(tr(lang, "a.rolling", n=window))
    return fig
