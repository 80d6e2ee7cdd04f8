"""``quantlib strategies``: every strategy that can be run, where it comes from, its inputs and
its parameters (type, default, bounds).

Module-level imports stay light (click only).
"""

from __future__ import annotations

import json
from typing import Any

import click

from quantlib.cli import _run


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


def format_text(items: list[dict[str, Any]]) -> str:
    """Readable listing of :func:`strategy_list`."""
    lines = []
    for s in items:
        inputs = ", ".join(f"{k}={v}" for k, v in s["inputs"].items())
        lines += [f"{s['name']}  ({s['origin']}: {s['target']})",
                  f"  {s['title']}", f"  {s['summary']}",
                  f"  inputs: {inputs}; trades {s['trade']} as {s['asset_kind']}",
                  f"  benchmark: {s['benchmark']}; cash earns {100 * s['cash_rate']:.2f}% a year",
                  "  parameters:"]
        width = max(len(p["name"]) for p in s["params"]) if s["params"] else 0
        lines += [f"    {p['name']:<{width}}  {p['type']:<11} default {p['default']:<14}"
                  f"{p['bounds']:<22}{p['help']}".rstrip() for p in s["params"]]
        lines.append("")
    lines += ["Run one with: quantlib backtest NAME --param name=value ...",
              "Your own: quantlib backtest path/to/file.py:ClassName (docs/strategies.md)."]
    return "\n".join(lines)


@click.command("strategies")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def command(fmt: str) -> None:
    """List the strategies (built-in and installed) with their inputs and parameters."""
    def body() -> None:
        items = strategy_list()
        click.echo(json.dumps(items, indent=2, ensure_ascii=False) if fmt == "json"
                   else format_text(items))
    _run(body)
