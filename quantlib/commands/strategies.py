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


def strategy_list(lang: str = "en") -> list[dict[str, Any]]:
    """One record per built-in and entry-point strategy; title, summary and parameter help in
    ``lang`` (:meth:`quantlib.Strategy.text`), ``missing_text`` naming the declarations that
    had no text in ``lang`` (their English stands in)."""
    from quantlib.strategies import available

    out = []
    for strategy, source in available():
        text = strategy.text(lang)
        record = strategy.describe()
        for p in record["params"]:
            p["help"] = text["params"][p["name"]]
        out.append({**record, "title": text["title"], "summary": text["summary"],
                    "benchmark": strategy.benchmark.label(lang),
                    "missing_text": text["missing"], "origin": source.origin,
                    "target": source.target, "datasets": list(strategy.datasets())})
    return out


def format_text(items: list[dict[str, Any]], lang: str = "en") -> str:
    """Readable listing of :func:`strategy_list`, labels in ``lang`` (titles, summaries and
    parameter help are the strategy's own text), parameters aligned by display width."""
    from quantlib.i18n import fmt_pct, label, text_table, tr

    def type_text(p: dict[str, Any]) -> str:
        kind = label(lang, "type", p["type"].removesuffix(" | None"))
        return tr(lang, "type.optional", type=kind) if p["type"].endswith(" | None") else kind

    lines = []
    for s in items:
        inputs = ", ".join(f"{k}={v}" for k, v in s["inputs"].items())
        origin = label(lang, "origin", s["origin"])
        lines += [f"{s['name']}  ({origin}{tr(lang, 'p.colon')}{s['target']})"]
        if s.get("missing_text"):  # said once per strategy: the English stands in
            lines.append("  " + tr(lang, "s.no_zh"))
        lines += [f"  {s['title']}", f"  {s['summary']}",
                  "  " + tr(lang, "s.inputs", inputs=inputs, trade=s["trade"],
                            kind=label(lang, "kind", s["asset_kind"])),
                  "  " + tr(lang, "s.benchmark", benchmark=s["benchmark"],
                            rate=fmt_pct(s["cash_rate"], 2, False)),
                  "  " + tr(lang, "s.parameters")]
        rows = [[p["name"], type_text(p), f"{tr(lang, 's.default')} {p['default']}",
                 p["bounds"], p["help"]] for p in s["params"]]
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
        items = strategy_list(language)
        click.echo(json.dumps(items, indent=2, ensure_ascii=False) if fmt == "json"
                   else format_text(items, language))
    _run(body)
