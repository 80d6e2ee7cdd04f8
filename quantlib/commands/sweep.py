"""``quantlib sweep STRATEGY --grid k=a:b:step ...``: a parameter sweep from the command line.

Module-level imports stay light (click only); pandas, the engine, Dask and matplotlib load
inside the command.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from quantlib.cli import CACHE_DIR_OPTION, _run, _wide_pandas, check_fees, fees_options

SHOW = ["sharpe_ratio", "annual_return", "max_drawdown", "calmar_ratio", "annual_turnover"]


def _progress(quiet: bool) -> tuple[Any, Any]:
    from tqdm import tqdm

    bar = tqdm(total=0, desc="sweep batches", disable=quiet, file=sys.stderr)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, update


def _summary(res: Any, wf: Any) -> dict[str, Any]:
    of = res.overfitting
    out: dict[str, Any] = {
        "strategy": res.strategy, "combinations": len(res.table), "dropped": len(res.dropped),
        "start": str(res.start.date()), "end": str(res.end.date()), "metric": res.metric,
        "batch_size": res.batch_size, "batches": res.n_batches, "seconds": res.seconds,
        "best_params": res.best_params(),
        "best": {k: float(res.best[k]) for k in SHOW},
        "overfitting": {"n_trials": of.n_trials, "n_obs": of.n_obs,
                        "deflated_sharpe": of.deflated_sharpe, "pbo": of.pbo,
                        "n_blocks": of.n_blocks, "best_sharpe_per_period": of.best_sharpe,
                        "sharpe_variance": of.sharpe_variance,
                        "expected_max_sharpe": of.expected_max_sharpe},
    }
    if wf is not None:
        out["walk_forward"] = {
            "splits": json.loads(wf.splits.to_json(orient="records", date_format="iso")),
            "summary": json.loads(wf.summary.to_json(orient="index"))}
    return out


def _text(res: Any, wf: Any, top: int) -> str:
    of = res.overfitting
    lines = [f"sweep {res.strategy}: {len(res.table):,} combinations "
             f"({len(res.dropped)} invalid dropped), evaluated {res.start.date()} .. "
             f"{res.end.date()}, {res.n_batches} batch(es) of {res.batch_size}, "
             f"{res.seconds:.1f} s", f"top {top} by {res.metric}:"]
    cols = [*res.params, *SHOW]
    with _wide_pandas():
        lines.append(res.table.nlargest(top, res.metric)[cols].to_string(
            float_format=lambda v: f"{v:,.4f}"))
    lines += [f"deflated Sharpe ratio {of.deflated_sharpe:.4f} (N={of.n_trials:,} trials, "
              f"T={of.n_obs}, best {of.best_sharpe:.4f}/day vs expected max "
              f"{of.expected_max_sharpe:.4f}/day)",
              f"PBO (CSCV, S={of.n_blocks}) {of.pbo:.3f} over {len(of.pbo_logits):,} partitions"]
    if wf is not None:
        with _wide_pandas():
            lines += ["walk-forward splits:", wf.splits.to_string(
                float_format=lambda v: f"{v:,.4f}"), "in-sample vs out-of-sample:",
                wf.summary.to_string(float_format=lambda v: f"{v:,.4f}")]
    return "\n".join(lines)


def _write_out(out: str, res: Any, wf: Any) -> list[str]:
    from quantlib.sweep.heatmap import heatmap_html

    path = Path(out)
    path.mkdir(parents=True, exist_ok=True)
    res.table.to_csv(path / "sweep.csv")
    written = [str(path / "sweep.csv")]
    if wf is not None:
        wf.splits.to_csv(path / "walk_forward.csv")
        wf.returns.to_csv(path / "walk_forward_returns.csv")
        written += [str(path / "walk_forward.csv"), str(path / "walk_forward_returns.csv")]
    varying = [p for p in res.params if res.table[p].nunique() > 1]
    pairs = [(varying[i], varying[j]) for i in range(len(varying))
             for j in range(i + 1, len(varying))][:6]
    of = res.overfitting
    notes = [f"{len(res.table):,} combinations, {res.start.date()} .. {res.end.date()}; cells "
             "show the best value over the other parameters.",
             f"Deflated Sharpe ratio {of.deflated_sharpe:.4f}; PBO {of.pbo:.3f} "
             f"(S={of.n_blocks})."]
    if pairs:
        (path / "heatmap.html").write_text(
            heatmap_html(res.table, pairs, res.metric, title=f"sweep {res.strategy}",
                         notes=notes), "utf-8")
        written.append(str(path / "heatmap.html"))
    return written


@click.command("sweep")
@click.argument("strategy", metavar="STRATEGY")
@click.option("--grid", "grid", multiple=True, required=True, metavar="NAME=A:B:STEP",
              help="A swept parameter: an inclusive range a:b:step or a list v1,v2 "
                   "(repeat per parameter).")
@click.option("--param", "param", multiple=True, metavar="NAME=VALUE",
              help="Fix a parameter outside the grid (repeatable).")
@click.option("--metric", default="sharpe_ratio", show_default=True,
              help="Selection metric (higher is better).")
@click.option("--start", default=None, help="First day of the scored window (default: the "
              "latest first decision over the combinations).")
@click.option("--end", default=None, help="Last day of the scored window.")
@fees_options
@click.option("--cash-rate", type=float, default=None,
              help="Annual interest on uninvested cash (default: the strategy's).")
@click.option("--max-combinations", type=int, default=2_000_000, show_default=True,
              help="Refuse a larger grid before allocating anything.")
@click.option("--blocks", type=int, default=16, show_default=True, help="CSCV blocks (PBO).")
@click.option("--batch-size", type=int, default=None, help="Combinations per engine call "
              "(default: from available memory).")
@click.option("--memory-mb", type=float, default=None, help="Memory budget of one batch.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:8786); default in-process.")
@click.option("--timeout", type=float, default=10.0, show_default=True,
              help="Seconds to wait for the scheduler.")
@click.option("--walk-forward", "wf_kind", type=click.Choice(["rolling", "expanding"]),
              default=None, help="Also run a walk-forward analysis.")
@click.option("--train", type=int, default=None, help="Walk-forward train bars.")
@click.option("--test", type=int, default=None, help="Walk-forward test bars.")
@click.option("--step", type=int, default=None, help="Walk-forward step (default --test).")
@click.option("--top", type=int, default=10, show_default=True, help="Rows to print.")
@click.option("--out", "out", default=None, type=click.Path(file_okay=False),
              help="Write sweep.csv, heatmap.html (and walk-forward CSVs) here.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@CACHE_DIR_OPTION
def command(strategy: str, **opts: Any) -> None:
    """Sweep STRATEGY's parameters: table, overfitting statistics, walk-forward, heatmaps.

    STRATEGY is a name from `quantlib strategies`, path/to/file.py:ClassName or
    package.module:ClassName. Each row is scored on the same window as `quantlib backtest
    STRATEGY --start START --end END` with the row's parameters (the header prints it).
    """
    _run(lambda: _body(strategy, opts))


def _body(strategy: str, o: dict[str, Any]) -> None:
    import dataclasses

    from quantlib import sweep as qs
    from quantlib.strategies import resolve

    if o["out"]:  # fail on an unwritable --out before the run, not after it
        from quantlib.commands.backtest import prepare_out

        prepare_out(o["out"])
    for name in ("batch_size", "blocks", "top", "max_combinations"):
        if o[name] is not None and o[name] < 1:
            raise qs.SweepError(f"--{name.replace('_', '-')} must be >= 1, got {o[name]}.")
    if o["memory_mb"] is not None and not o["memory_mb"] > 0:
        raise qs.SweepError(f"--memory-mb must be > 0, got {o['memory_mb']}.")
    strat, _ = resolve(strategy)
    params = strat.parse_params(o["param"])
    costs = None
    if check_fees(o["fees"], o["allow_high_fees"]) is not None:
        costs = dataclasses.replace(strat.cost_model(), commission_rate=o["fees"])
    opts = qs.BacktestOptions(costs=costs, cash_rate=o["cash_rate"])
    ex = qs.Execution(batch_size=o["batch_size"], memory_budget_mb=o["memory_mb"],
                      scheduler=o["scheduler"], timeout_s=o["timeout"])
    _refuse_huge_grid(o["grid"], o["max_combinations"])
    grid = qs.parse_grid_option(o["grid"])
    fixed = sorted(set(grid) & {p.partition("=")[0].strip() for p in o["param"]})
    if fixed:
        raise qs.GridError(f"{', '.join(map(repr, fixed))} is given by both --grid and --param; "
                           "sweep it with --grid or fix it with --param, not both.")
    data = strat.load(o["cache_dir"])
    common = {"data": data, "params": params, "metric": o["metric"], "start": o["start"],
              "end": o["end"], "options": opts, "execution": ex}
    bar, progress = _progress(o["quiet"] or o["fmt"] == "json")
    try:
        if o["wf_kind"]:  # the walk-forward's own sweep is the full sweep: run it once
            wf = _walk_forward(qs, strat, grid, o, common, progress)
            res = wf.sweep
        else:
            wf = None
            res = qs.sweep(strat, grid, n_blocks=o["blocks"], progress=progress,
                           max_combinations=o["max_combinations"], **common)
    finally:
        bar.close()
    if o["fmt"] == "json":
        click.echo(json.dumps(_summary(res, wf), indent=2, default=str))
    else:
        click.echo(_text(res, wf, o["top"]))
    if o["out"]:
        for f in _write_out(o["out"], res, wf):
            click.echo(f"wrote {f}", err=o["fmt"] == "json")


def _refuse_huge_grid(items: tuple[str, ...], limit: int) -> None:
    """Count the --grid combinations from the range arithmetic alone, before any list is built.

    ``--grid short=1:1e9:1`` would otherwise allocate a billion values in the parser before
    the sweep's own limit is reached. Items this cannot read are left to the parser's errors.
    """
    from quantlib import sweep as qs
    from quantlib.sweep._grid import GridError, range_size

    size = 1
    for item in items:
        name, _, spec = item.partition("=")
        if ":" not in spec:
            size *= max(1, len([v for v in spec.split(",") if v.strip()]))
            continue
        try:
            size *= max(1, range_size(spec, name))  # the library's own count of a range
        except GridError:
            continue
    if size > limit:
        raise qs.SweepError(f"the grid has {size:,} combinations, above the limit of {limit:,}; "
                            "narrow the ranges or raise the limit (--max-combinations).")


def _walk_forward(qs: Any, strat: Any, grid: Any, o: dict[str, Any],
                  common: dict[str, Any], progress: Any) -> Any:
    if o["train"] is None or o["test"] is None:
        raise qs.SplitError("--walk-forward needs --train BARS and --test BARS (e.g. "
                            "--train 1210 --test 242: five years in, one year out).")
    make = qs.rolling_splits if o["wf_kind"] == "rolling" else qs.expanding_splits
    return qs.walk_forward(
        strat, grid, splits=lambda n: make(n, train=o["train"], test=o["test"], step=o["step"]),
        n_blocks=o["blocks"], progress=progress, max_combinations=o["max_combinations"],
        **common)
