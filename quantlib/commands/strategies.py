"""``quantlib strategies``: the registered strategies with their parameters and defaults.

Module-level imports stay light (click only).
"""

from __future__ import annotations

import json
from typing import Any

import click

from quantlib.cli import _run


def strategy_list() -> list[dict[str, Any]]:
    """One record per registered strategy: name, summary, universe, inputs, parameters."""
    from quantlib.report.inputs import INPUT_BUILDERS
    from quantlib.report.spec import param_table
    from strategies import STRATEGIES

    out = []
    for name, module in STRATEGIES.items():
        doc = (module.__doc__ or "").strip().split("\n\n")[0]
        builder = INPUT_BUILDERS.get(name)
        out.append({
            "name": name, "summary": " ".join(doc.split()),
            "universe": list(module.UNIVERSE),
            "inputs": None if builder is None else builder.description,
            "datasets": [] if builder is None else list(builder.datasets),
            "backtest": builder is not None,
            "params": param_table(module),
        })
    return out


def format_text(items: list[dict[str, Any]]) -> str:
    """Readable listing of :func:`strategy_list`."""
    lines = []
    for s in items:
        universe = s["universe"]
        shown = ", ".join(universe[:4]) + (f" ... ({len(universe)})" if len(universe) > 4 else "")
        lines += [s["name"], f"  {s['summary']}", f"  universe: {shown}",
                  f"  inputs: {s['inputs'] or 'no input builder (not runnable by backtest)'}"
                  + (f" [{', '.join(s['datasets'])}]" if s["datasets"] else ""),
                  "  parameters:"]
        width = max(len(p["name"]) for p in s["params"]) if s["params"] else 0
        lines += [f"    {p['name']:<{width}}  {p['type']:<12} default {p['default']}"
                  for p in s["params"]]
        lines.append("")
    lines.append("Run one with: quantlib backtest NAME --param name=value ...")
    return "\n".join(lines)


@click.command("strategies")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def command(fmt: str) -> None:
    """List the registered strategies with their parameters and defaults."""
    def body() -> None:
        items = strategy_list()
        click.echo(json.dumps(items, indent=2, ensure_ascii=False) if fmt == "json"
                   else format_text(items))
    _run(body)
