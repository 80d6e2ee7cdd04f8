"""``quantlib strategies``: every strategy that can be run, where it comes from, its inputs and
its parameters (type, default, bounds).

Module-level imports stay light (click only).
"""

from __future__ import annotations

import json
from typing import Any

import click

from quantlib.cli import _run
from quantlib.i18n import lang_option


def strategy_list() -> list[dict[str, Any]]:
    """One record per built-in and entry-point strategy."""
    import sys

    from quantlib.strategies import available

    out = []
    for strategy, source in available():
        module = sys.modules.get(type(strategy).__module__)
        doc = (getattr(module, "__doc__", None) or "").strip().split("\n\n")[0]
        out.append({**strategy.describe(), "summary": " ".join(doc.split()),
                    "origin": source.origin, "target": source.target,
                    "datasets": list(strategy.datasets())})
    return out


def format_text(items: list[dict[str, Any]], lang: str = "en") -> str:
    """Readable listing of :func:`strategy_list`, labels in ``lang`` (titles, summaries and
    parameter help are the strategy's own text), parameters aligned by display width."""
    from quantlib.i18n import fmt_pct, text_table, tr

    lines = []
    for s in items:
        inputs = ", ".join(f"{k}={v}" for k, v in s["inputs"].items())
        lines += [f"{s['name']}  ({s['origin']}: {s['target']})",
                  f"  {s['title']}", f"  {s['summary']}",
                  "  " + tr(lang, "s.inputs", inputs=inputs, trade=s["trade"],
                            kind=s["asset_kind"]),
                  "  " + tr(lang, "s.benchmark", benchmark=s["benchmark"],
                            rate=fmt_pct(s["cash_rate"], 2, False)),
                  "  " + tr(lang, "s.parameters")]
        rows = [[p["name"], p["type"], f"{tr(lang, 's.default')} {p['default']}", p["bounds"],
                 p["help"]] for p in s["params"]]
        if rows:
            lines += text_table(["", "", "", "", ""], rows, indent="    ")[1:]
        lines.append("")
    lines += [tr(lang, "s.run"), tr(lang, "s.own")]
    return "\n".join(lines)


@click.command("strategies")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@lang_option
def command(fmt: str, lang: str | None) -> None:
    """List the strategies (built-in and installed) with their inputs and parameters."""
    def body() -> None:
        from quantlib.i18n import resolve_lang

        language = resolve_lang(lang)
        items = strategy_list()
        click.echo(json.dumps(items, indent=2, ensure_ascii=False) if fmt == "json"
                   else format_text(items, language))
    _run(body)
