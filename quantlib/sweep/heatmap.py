"""Heatmaps of a sweep: a pivot table, a matplotlib figure, a self-contained HTML page.

matplotlib is imported inside the functions that draw. The HTML embeds PNGs as base64 (no
CDN, no external file), for the CLI's ``--out`` and for the HTML report to include.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

import pandas as pd

from quantlib.errors import UnknownNameError

__all__ = ["heatmap_figure", "heatmap_html", "heatmap_table"]


def heatmap_table(table: pd.DataFrame, x: str, y: str, metric: str, *,
                  agg: str = "max") -> pd.DataFrame:
    """Return ``metric`` pivoted to ``y`` rows x ``x`` columns, aggregating the other
    parameters with ``agg`` ("max": the best over them, "mean", "median")."""
    for name in (x, y, metric):
        if name not in table.columns:
            raise UnknownNameError("sweep column", name, table.columns)
    if agg not in ("max", "mean", "median", "min"):
        raise UnknownNameError("aggregation", agg, ("max", "mean", "median", "min"))
    return table.pivot_table(index=y, columns=x, values=metric, aggfunc=agg).sort_index()


def heatmap_figure(table: pd.DataFrame, x: str, y: str, metric: str, *,
                   agg: str = "max") -> Any:
    """Return a matplotlib Figure of :func:`heatmap_table` (no show, no save)."""
    from matplotlib.figure import Figure

    pivot = heatmap_table(table, x, y, metric, agg=agg)
    fig = Figure(figsize=(max(4.0, 0.35 * pivot.shape[1] + 2), max(3.0, 0.3 * pivot.shape[0]
                                                                   + 1.5)))
    ax = fig.add_subplot()
    im = ax.imshow(pivot.to_numpy(dtype=float), aspect="auto", origin="lower", cmap="viridis")
    ax.set_xticks(range(pivot.shape[1]), [f"{v:g}" if isinstance(v, float) else str(v)
                                          for v in pivot.columns], rotation=90, fontsize=7)
    ax.set_yticks(range(pivot.shape[0]), [f"{v:g}" if isinstance(v, float) else str(v)
                                          for v in pivot.index], fontsize=7)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"{metric} ({agg} over other parameters)", fontsize=9)
    fig.colorbar(im, ax=ax)
    fig.tight_layout()
    return fig


def _png_base64(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def heatmap_html(table: pd.DataFrame, pairs: list[tuple[str, str]], metric: str, *,
                 title: str = "quantlib sweep", notes: list[str] | None = None) -> str:
    """Return a self-contained HTML page with one heatmap per (x, y) pair (PNG in base64)."""
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
             "</title></head><body style='font-family:sans-serif'>",
             f"<h1>{html.escape(title)}</h1>"]
    parts += [f"<p>{html.escape(n)}</p>" for n in notes or []]
    for x, y in pairs:
        png = _png_base64(heatmap_figure(table, x, y, metric))
        parts.append(f"<h2>{html.escape(metric)}: {html.escape(y)} x {html.escape(x)}</h2>"
                     f"<img alt='{html.escape(metric)} heatmap' "
                     f"src='data:image/png;base64,{png}'>")
    parts.append("</body></html>")
    return "\n".join(parts)
