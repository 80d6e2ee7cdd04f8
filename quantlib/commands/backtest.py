"""``quantlib backtest STRATEGY``: run a registered strategy, write the tearsheet (HTML with
plots), CSVs of equity, weights and trades, and ``manifest.json``; ``--manifest`` replays a run
and checks that every output is identical.

Module-level imports stay light (click only); pandas, the engine and matplotlib load inside.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from quantlib.cli import CACHE_DIR_OPTION, MAX_FEES, _run, check_fees, fees_options
from quantlib.errors import QuantlibError
from quantlib.i18n import colors_option, lang_option

FILLS = ("next_close", "next_open", "same_close_lookahead")
#: Output files whose sha256 the manifest records (the replay compares them).
CSV_OUTPUTS = ("equity.csv", "weights.csv", "targets.csv", "trades.csv", "metrics.csv")


class OutputDirError(QuantlibError, OSError):
    """The output directory cannot be created or written."""


def prepare_out(path: str | Path) -> Path:
    """Create ``path`` and check that it can be written, before any work is done.

    Raises
    ------
    OutputDirError
        With the OS reason and the fix.
    """
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".quantlib-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputDirError(f"cannot write to output directory {str(out)!r}: "
                             f"{exc.strerror or exc}. Pass --out a writable directory.") from None
    return out


def progress_bar(steps: list[str], quiet: bool, desc: str) -> tuple[Callable[[str], None],
                                                                    Callable[[], None]]:
    """A tqdm bar on stderr advanced by calling ``step(label)``; ``close()`` ends it."""
    from tqdm import tqdm

    bar = tqdm(total=len(steps), desc=desc, disable=quiet, file=sys.stderr, leave=False,
               bar_format="{desc}: {n_fmt}/{total_fmt} {bar} {postfix} [{elapsed}]")
    seen: list[str] = []

    def step(label: str) -> None:
        if seen:
            bar.update(1)
        seen.append(label)
        bar.set_postfix_str(label)

    def close() -> None:
        bar.update(bar.total - bar.n)
        bar.close()

    return step, close


def _write(out: Path, name: str, data: bytes) -> str:
    from quantlib.report.manifest import sha256_bytes

    try:
        (out / name).write_bytes(data)
    except OSError as exc:
        raise OutputDirError(f"cannot write {out / name}: {exc.strerror or exc}.") from None
    return sha256_bytes(data)


def canonical_command(spec: Any, out: str) -> str:
    """A ``quantlib backtest`` command line that states every choice of ``spec``."""
    args = ["quantlib", "backtest", spec.strategy, "--start", spec.start, "--end", spec.end,
            "--fill", spec.fill, "--fees", repr(spec.costs["commission_rate"]),
            "--slippage-bps", repr(spec.costs["slippage_bps"]),
            "--cash-rate", repr(spec.cash_rate)]
    if spec.costs["commission_rate"] > MAX_FEES:
        args.append("--allow-high-fees")
    if spec.init_cash is not None:
        args += ["--init-cash", repr(spec.init_cash)]
    for k, v in spec.params.items():
        args += ["--param", f"{k}={'none' if v is None else v}"]
    return shlex.join([*args, "--out", out])


def _costs(strategy: Any, opts: dict[str, Any]) -> Any:

    from quantlib.backtest import CostModel

    costs = dataclasses.asdict(strategy.cost_model())
    if opts["fees"] is not None:
        costs["commission_rate"] = opts["fees"]
    if opts["slippage_bps"] is not None:
        costs["slippage_bps"] = opts["slippage_bps"]
    costs["stamp_duty_schedule"] = tuple(tuple(x) for x in costs["stamp_duty_schedule"])
    return CostModel(**costs)  # validates the overrides now


def _from_options(ref: str | None, opts: dict[str, Any]) -> dict[str, Any]:
    from quantlib.strategies import resolve

    if ref is None:
        raise click.UsageError("give a STRATEGY (see `quantlib strategies`, or "
                               "path/to/file.py:ClassName) or --manifest FILE.")
    check_fees(opts["fees"], bool(opts["allow_high_fees"]))
    strategy, _ = resolve(ref)
    return {"strategy": ref, "params": strategy.parse_params(opts["param"]),
            "start": opts["start"], "end": opts["end"], "fill": opts["fill"] or "next_close",
            "costs": _costs(strategy, opts), "cash_rate": opts["cash_rate"],
            "init_cash": opts["init_cash"]}


def _from_manifest(path: str, ref: str | None, opts: dict[str, Any],
                   cache_dir: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    from quantlib.report import manifest as mf
    from quantlib.strategies import resolve

    given = [f"--{k.replace('_', '-')}" for k, v in opts.items() if v not in (None, ())]
    if given:
        raise click.UsageError(f"--manifest fixes every choice of the run; drop {', '.join(given)}"
                               " (or run without --manifest).")
    try:
        recorded = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise mf.ManifestError(f"cannot read manifest {path!r}: {exc}.") from None
    spec = mf.spec_from_manifest(recorded)
    if ref is not None and ref != spec.strategy:
        raise click.UsageError(f"the manifest is a run of {spec.strategy!r}, not {ref!r}.")
    missing = [name for name in CSV_OUTPUTS if name not in (recorded.get("outputs") or {})]
    if missing:  # without a recorded hash there is nothing to compare: not a replay
        raise mf.ManifestError(f"manifest field 'outputs' lacks {', '.join(missing)}; the "
                               "manifest was edited. Re-create it with `quantlib backtest`.")
    strategy, source = resolve(spec.strategy)
    mf.check_source(recorded, source)
    mf.check_data(recorded, mf.data_hashes(strategy.datasets(), cache_dir))
    for line in mf.package_warnings(recorded, mf.package_versions()):
        click.echo(f"warning: {line}", err=True)
    return {"strategy": spec.strategy, "params": spec.params, "start": spec.start,
            "end": spec.end, "fill": spec.fill, "costs": spec.cost_model(),
            "cash_rate": spec.cash_rate, "init_cash": spec.init_cash}, recorded


def _csvs(outcome: Any) -> dict[str, bytes]:
    from quantlib.report.tearsheet import equity_frame

    trades = outcome.result.trades.drop(columns=["strategy"])
    return {
        "equity.csv": equity_frame(outcome).to_csv().encode(),
        "weights.csv": outcome.result.positions.rename_axis("date").to_csv().encode(),
        "targets.csv": outcome.weights.rename_axis("date").to_csv().encode(),
        "trades.csv": trades.to_csv(index=False).encode(),
        "metrics.csv": outcome.metrics.rename_axis("metric").to_csv().encode(),
    }


def _figures(outcome: Any, lang: str = "en", colors: str = "intl") -> dict[str, str]:
    from quantlib.report.tearsheet import tearsheet_figures

    return tearsheet_figures(outcome, lang, colors)


def _argv() -> list[str] | None:
    """The command line as typed, when the process is the ``quantlib`` CLI (else None)."""
    prog = Path(sys.argv[0]).name if sys.argv else ""
    return ["quantlib", *sys.argv[1:]] if prog in ("quantlib", "cli.py") else None


STEPS = ["load data", "target weights", "backtest", "metrics", "figures", "write"]


def _outputs(outcome: Any, out: Path, cache_dir: str | None, recorded: dict[str, Any] | None,
             manifest_path: str | None, lang: str = "en", colors: str = "intl"
             ) -> tuple[dict[str, bytes], dict[str, Any]]:
    """Every output file's bytes, and the manifest (which hashes the CSVs)."""
    from quantlib.report import manifest as mf
    from quantlib.report.html import tearsheet_html
    from quantlib.report.tearsheet import tearsheet_context, tearsheet_sections

    files = _csvs(outcome)
    hashes = {name: mf.sha256_bytes(data) for name, data in files.items()}
    manifest = mf.build_manifest(
        outcome.spec, datasets=mf.data_hashes(outcome.datasets, cache_dir),
        packages=mf.package_versions(), command=canonical_command(outcome.spec, str(out)),
        outputs=hashes, source=outcome.source)
    manifest["argv"] = _argv() if recorded is None else recorded.get("argv")
    if recorded is not None:
        manifest["replayed_from"] = str(manifest_path)
    page = tearsheet_html(tearsheet_context(
        outcome, figures=_figures(outcome, lang, colors), manifest=manifest, lang=lang,
        colors=colors, sections=tearsheet_sections(outcome, lang, colors)))
    files["tearsheet.html"] = page.encode("utf-8")
    files["manifest.json"] = (json.dumps(manifest, indent=2, ensure_ascii=False, default=str)
                              + "\n").encode("utf-8")
    return files, manifest


def _differs(recorded: dict[str, Any], manifest: dict[str, Any]) -> list[str]:
    return [k for k, v in (recorded.get("outputs") or {}).items()
            if manifest["outputs"].get(k) != v]


def backtest_body(strategy: str | None, opts: dict[str, Any], manifest_path: str | None,
                  out_dir: str | None, quiet: bool, cache_dir: str | None,
                  lang: str | None = None, colors: str | None = None) -> dict[str, Any]:
    """Run, write every output, and return the manifest (exits 1 on a failed replay).

    A replay writes nothing until its outputs have been compared with the manifest's: on a
    match they go to ``--out``; on a mismatch to a new folder beside it, and the recorded run
    (its manifest and CSVs) is left as it was. A replay never rewrites the manifest it reads:
    replayed into the recorded folder, a match writes nothing there.
    """
    from quantlib.i18n import resolve_colors, resolve_lang
    from quantlib.runner import run_strategy

    lang = resolve_lang(lang)
    colors = resolve_colors(colors, lang)
    recorded = None
    if manifest_path:
        run_args, recorded = _from_manifest(manifest_path, strategy, opts, cache_dir)
    else:
        run_args = _from_options(strategy, opts)
    default = f"backtest-{Path(str(run_args['strategy']).split(':')[-1]).name}"
    out = prepare_out(out_dir or default)
    step, close = progress_bar(STEPS, quiet, f"backtest {run_args['strategy']}")
    try:
        outcome = run_strategy(run_args["strategy"], run_args["params"],
                               start=run_args["start"], end=run_args["end"],
                               costs=run_args["costs"], fill=run_args["fill"],
                               cash_rate=run_args["cash_rate"],
                               init_cash=run_args["init_cash"], cache_dir=cache_dir,
                               progress=step)
        step("figures")
        files, manifest = _outputs(outcome, out, cache_dir, recorded, manifest_path, lang,
                                   colors)
        step("write")
        differ = _differs(recorded, manifest) if recorded is not None else []
        in_place = (recorded is not None and
                    (out / "manifest.json").resolve() == Path(str(manifest_path)).resolve())
        if differ:
            import tempfile

            out = Path(tempfile.mkdtemp(prefix=f"{out.name}-replay-", dir=out.parent))
        if differ or not in_place:
            for name, data in files.items():
                _write(out, name, data)
    finally:
        close()
    _report(outcome, out, manifest, recorded, differ, in_place, lang)
    return manifest


def _report(outcome: Any, out: Path, manifest: dict[str, Any],
            recorded: dict[str, Any] | None, differ: list[str], in_place: bool,
            lang: str = "en") -> None:
    from quantlib.i18n import fmt_date, tr

    m = outcome.metrics["strategy"]
    b = outcome.metrics["benchmark"]
    click.echo(tr(lang, "t.tearsheet_done", name=outcome.strategy.name,
                  start=fmt_date(lang, outcome.spec.start), end=fmt_date(lang, outcome.spec.end),
                  ret=f"{100 * m['annual_return']:.2f}%", bret=f"{100 * b['annual_return']:.2f}%",
                  sharpe=f"{m['sharpe_ratio']:.2f}", mdd=f"{100 * m['max_drawdown']:.2f}%",
                  n=len(outcome.result.trades)))
    if differ:
        click.echo(f"error: the replay differs from the manifest in {', '.join(differ)}; the "
                   f"recorded run is untouched, the replay's outputs are in {out}/", err=True)
        sys.exit(1)
    if in_place:
        click.echo(f"{out}/ holds the recorded run: left as it was")
    else:
        click.echo(tr(lang, "t.wrote", out=out, files=tr(lang, "p.list").join(CSV_OUTPUTS)))
    if recorded is not None:
        click.echo(f"reproduced: {len(manifest['outputs'])} outputs identical to the manifest's "
                   "(sha256)")


@click.command("backtest")
@click.argument("strategy", required=False, metavar="STRATEGY")
@click.option("--start", default=None, help="First day (default: the first decision).")
@click.option("--end", default=None, help="Last day (default: the last price).")
@click.option("--param", "param", multiple=True, metavar="K=V",
              help="Strategy parameter (repeatable); `quantlib strategies` lists them.")
@fees_options
@click.option("--slippage-bps", type=float, default=None,
              help="Slippage per fill in bps (default: the strategy's).")
@click.option("--fill", type=click.Choice(FILLS), default=None,
              help="When decisions trade (default next_close).")
@click.option("--cash-rate", type=float, default=None,
              help="Annual interest on uninvested cash, e.g. 0.015 (default: the strategy's).")
@click.option("--init-cash", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Capital in CNY, e.g. 1000000: whole 100-share lots and the 5 CNY minimum "
                   "commission (default: the strategy's; indices: a unit portfolio).")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Output directory (default ./backtest-STRATEGY).")
@click.option("--manifest", "manifest_path", default=None, type=click.Path(dir_okay=False),
              help="Replay the run recorded in this manifest.json (checks data hashes).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@lang_option
@colors_option
@CACHE_DIR_OPTION
def command(strategy: str | None, start: str | None, end: str | None, param: tuple[str, ...],
            fees: float | None, allow_high_fees: bool, slippage_bps: float | None,
            fill: str | None, cash_rate: float | None, init_cash: float | None,
            out_dir: str | None, manifest_path: str | None, quiet: bool,
            lang: str | None, colors: str | None, cache_dir: str | None) -> None:
    """Backtest STRATEGY; write tearsheet.html, CSVs and manifest.json.

    STRATEGY is a name from `quantlib strategies`, path/to/file.py:ClassName or
    package.module:ClassName.
    """
    opts = {"start": start, "end": end, "param": param, "fees": fees,
            "slippage_bps": slippage_bps, "fill": fill, "cash_rate": cash_rate,
            "allow_high_fees": allow_high_fees or None, "init_cash": init_cash}
    _run(lambda: backtest_body(strategy, opts, manifest_path, out_dir, quiet, cache_dir, lang,
                               colors))
