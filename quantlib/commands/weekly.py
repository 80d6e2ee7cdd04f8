"""``quantlib weekly``: the weekly page (market, timing, position, industries, data notes) as
text, JSON or self-contained HTML.

Module-level imports stay light (click only); pandas and the models load inside the command,
matplotlib only for ``--format html``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from quantlib.cli import CACHE_DIR_OPTION, STALE_DAYS_OPTION, _run
from quantlib.i18n import colors_option, lang_option

STEPS = ["load data", "timing", "market", "position", "industries"]


def weekly_body(date: str | None, fmt: str, out_dir: str | None, k: int, quiet: bool,
                cache_dir: str | None, stale_days: int | None = None, lang: str | None = None,
                colors: str | None = None) -> dict[str, Any]:
    """Build the weekly report; print it or write it to ``out_dir``."""
    from quantlib.commands.backtest import _write, prepare_out, progress_bar
    from quantlib.i18n import resolve_colors, resolve_lang
    from quantlib.report import tables
    from quantlib.report.weekly import load_weekly_inputs, weekly_report

    lang = resolve_lang(lang)
    colors = resolve_colors(colors, lang)
    out = prepare_out(out_dir) if out_dir else None
    step, close = progress_bar(STEPS + (["chart"] if fmt == "html" else []), quiet, "weekly")
    try:
        step("load data")
        inputs = load_weekly_inputs(cache_dir)
        report = weekly_report(inputs, date, k=k, progress=step, stale_days=stale_days,
                               lang=lang)
        if fmt == "html":
            step("chart")
            text = _html(inputs, report, lang, colors)
        elif fmt == "json":
            text = json.dumps(report, indent=2, ensure_ascii=False)
        else:
            text = tables.weekly_text(report)
    finally:
        close()
    if out is None:
        click.echo(text)
    else:
        name = f"weekly-{report['date']}.{ {'text': 'txt'}.get(fmt, fmt) }"
        _write(out, name, text.encode("utf-8"))
        click.echo(f"wrote {Path(out) / name}")
    return report


def _html(inputs: Any, report: dict[str, Any], lang: str, colors: str) -> str:
    import pandas as pd

    from quantlib import timing
    from quantlib.report import plots
    from quantlib.report.html import figure_svg, weekly_html

    close = inputs.wind["close"].dropna()
    state = timing.timing_state(close).loc[: pd.Timestamp(report["date"])]
    fig = plots.weekly_timing_figure(state, lang=lang, colors=colors)
    return weekly_html(report, figure_svg(fig), lang=lang, colors=colors)


@click.command("weekly")
@click.option("--date", "date", default=None,
              help="Any day of the week to report (default: the last date in the data).")
@click.option("--format", "fmt", type=click.Choice(["text", "html", "json"]), default="text",
              show_default=True)
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Write weekly-DATE.{txt,json,html} into this directory instead of printing.")
@click.option("--k", "k", type=click.IntRange(1, 31), default=5, show_default=True,
              help="Industry picks per model.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@lang_option
@colors_option
@STALE_DAYS_OPTION
@CACHE_DIR_OPTION
def command(date: str | None, fmt: str, out_dir: str | None, k: int, quiet: bool,
            lang: str | None, colors: str | None, stale_days: int | None,
            cache_dir: str | None) -> None:
    """The weekly page: index and industry returns, timing, position, industry picks.

    --format html is one self-contained page that prints on A4 (browser print to PDF)."""
    _run(lambda: weekly_body(date, fmt, out_dir, k, quiet, cache_dir, stale_days, lang, colors))
