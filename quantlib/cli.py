"""The ``quantlib`` command line. The only module composing I/O with the library.

Startup stays light: click is the only import at module level; pandas and the rest load inside
the command that needs them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from quantlib import __version__

CACHE_DIR_OPTION = click.option(
    "--cache-dir", envvar="QUANTLIB_CACHE_DIR", type=click.Path(file_okay=False),
    default=None, help="User cache directory overriding the bundled data "
    "(env QUANTLIB_CACHE_DIR).",
)


def _fail(exc: Exception) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(2)


def _run(fn: Callable[[], Any]) -> Any:
    """Run a command body; turn quantlib's typed errors into a one-line message and exit 2."""
    from quantlib.errors import QuantlibError

    try:
        return fn()
    except QuantlibError as exc:
        _fail(exc)


class _Group(click.Group):
    """A click group that suggests close matches for unknown sub-commands."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            from quantlib.errors import did_you_mean

            if args and not args[0].startswith("-"):
                raise click.UsageError(
                    f"no such command {args[0]!r}.{did_you_mean(args[0], self.list_commands(ctx))}",
                    ctx,
                ) from exc
            raise




class _LazyGroup(_Group):
    """A group whose extra sub-commands live in modules imported only when used.

    ``lazy`` maps a command name to a module exposing ``command`` (a click.Command). Keeps the
    CLI start light: listing commands imports nothing heavy.
    """

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def _available(self) -> dict[str, str]:
        from importlib.util import find_spec

        return {k: v for k, v in self.lazy.items() if find_spec(v) is not None}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._available()})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self._available():
            import importlib

            return importlib.import_module(self._available()[name]).command
        return super().get_command(ctx, name)


#: Top-level commands implemented in their own modules (``command`` in each).
MAIN_COMMANDS = {
    "backtest": "quantlib.commands.backtest",
    "strategies": "quantlib.commands.strategies",
    "sweep": "quantlib.commands.sweep",
    "weekly": "quantlib.commands.weekly",
}


@click.group(cls=_LazyGroup, lazy=MAIN_COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quantlib")
def main() -> None:
    """quantlib: China A-share timing, position and rotation research on cached real data."""


@main.group(cls=_Group)
def data() -> None:
    """Inspect, verify and refresh the cached market data."""


@data.command("list")
@CACHE_DIR_OPTION
def data_list(cache_dir: str | None) -> None:
    """List the datasets with their date ranges."""
    def body() -> None:
        from quantlib.data import datasets

        table = datasets(cache_dir)
        cols = ["kind", "frequency", "start", "end", "rows", "codes", "proxy", "location"]
        with _wide_pandas():
            click.echo(table[cols].to_string())
        click.echo("\nproxy=True: figures rest on proxy data (see `quantlib data show NAME`).")
    _run(body)


@data.command("show")
@click.argument("name")
@click.option("--start", default=None, help="First date (YYYY-MM-DD).")
@click.option("--end", default=None, help="Last date (YYYY-MM-DD).")
@click.option("--columns", default=None, help="Comma-separated fields.")
@click.option("--codes", default=None, help="Comma-separated codes (panels).")
@click.option("--tail", "tail", type=int, default=10, show_default=True, help="Rows to print.")
@CACHE_DIR_OPTION
def data_show(name: str, start: str | None, end: str | None, columns: str | None,
              codes: str | None, tail: int, cache_dir: str | None) -> None:
    """Print the last rows of dataset NAME and its provenance."""
    def body() -> None:
        from quantlib.data import load
        from quantlib.data.store import locate

        frame = load(name, start, end, columns.split(",") if columns else None,
                     codes=codes.split(",") if codes else None, cache_dir=cache_dir)
        ds = locate(name, cache_dir)
        e = ds.entry
        click.echo(f"{name}: {ds.spec.description}")
        click.echo(f"range {e['start']} .. {e['end']}, {e['rows']} rows, "
                   f"{'bundled snapshot' if ds.is_bundled else ds.directory}")
        if ds.spec.proxy_note:
            click.echo(f"PROXY: {ds.spec.proxy_note}")
        with _wide_pandas():
            click.echo(frame.tail(tail).to_string())
    _run(body)


@data.command("verify")
@CACHE_DIR_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def data_verify(cache_dir: str | None, fmt: str) -> None:
    """Check every dataset: sha256 against the manifest, schema, rows, calendar gaps."""
    def body() -> None:
        from quantlib.data import verify

        reports = verify(cache_dir)
        if fmt == "json":
            click.echo(json.dumps(reports, indent=2, default=str))
        else:
            for r in reports:
                status = "ok  " if r["ok"] else "FAIL"
                span = f"{r.get('start', '?')} .. {r.get('end', '?')} {r.get('rows', '?')} rows"
                click.echo(f"{status} {r['dataset']:<17} {span}")
                for p in r["problems"]:
                    click.echo(f"     problem: {p}")
                for n in r["notes"]:
                    click.echo(f"     note: {n}")
        bad = [r["dataset"] for r in reports if not r["ok"]]
        if bad:
            click.echo(f"verify failed for: {', '.join(bad)}", err=True)
            sys.exit(1)
        if fmt == "text":
            click.echo(f"all {len(reports)} datasets verified")
    _run(body)


@data.command("refresh")
@click.argument("name")
@click.option("--end", default=None, help="Last date to fetch (default today).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@CACHE_DIR_OPTION
def data_refresh(name: str, end: str | None, quiet: bool, cache_dir: str | None) -> None:
    """Append new rows of dataset NAME from akshare into the user cache directory."""
    def body() -> None:
        from tqdm import tqdm

        from quantlib.data import refresh

        bars: list[Any] = []  # created on the first report: one-request datasets show none

        def progress(done: int, total: int, label: str) -> None:
            if not bars:
                bars.append(tqdm(total=total, desc=f"refresh {name}", disable=quiet,
                                 file=sys.stderr))
            bars[0].n = done
            bars[0].set_postfix_str(label)
            bars[0].refresh()

        try:
            if not quiet:
                click.echo(f"refreshing {name} from akshare ...", err=True)
            result = refresh(name, cache_dir=cache_dir, end=end, progress=progress)
        finally:
            for bar in bars:
                bar.close()
        click.echo(f"{name}: {result['new_rows']} new row(s); now {result['start']} .. "
                   f"{result['end']} in {result['directory']}")
        if result["new_rows"]:
            click.echo(f"use it with --cache-dir {result['directory']} or "
                       f"QUANTLIB_CACHE_DIR={result['directory']}")
    _run(body)


#: Sub-commands of ``quantlib signal`` implemented in their own modules (``command`` in each).
SIGNAL_COMMANDS = {
    "position": "quantlib.commands.position",
    "industries": "quantlib.commands.industries",
}


@main.group(cls=_LazyGroup, lazy=SIGNAL_COMMANDS)
def signal() -> None:
    """Print this week's model signals (timing, position, industries)."""


TIMING_INDICES = ("wind_all_a", "hs300", "csi_all_share", "sse_composite")


def _timing_inputs(index: str, cache_dir: str | None):
    """Close and turnover of a series dataset, or of one code of a panel (``sw_l1:801080``)."""
    from quantlib.data import DATASETS, load
    from quantlib.errors import UnknownNameError

    dataset, _, code = index.partition(":")
    if code:
        if dataset not in DATASETS or DATASETS[dataset].kind != "panel":
            panels = [n for n, s in DATASETS.items() if s.kind == "panel" and s.frequency ==
                      "daily"]
            raise UnknownNameError("panel dataset", dataset, panels)
        panel = load(dataset, codes=[code], cache_dir=cache_dir)
        frame = panel.xs(code, axis=1, level="code")
    elif index in TIMING_INDICES:
        frame = load(index, cache_dir=cache_dir)
    else:
        raise UnknownNameError("timing index", index, TIMING_INDICES)
    close = frame["close"].loc[frame["close"].first_valid_index():]  # holes inside raise
    turnover = frame["amount_cny"].reindex(close.index) if "amount_cny" in frame else None
    if turnover is not None and turnover.isna().any():
        turnover = None  # a partial turnover history cannot feed the volume rule
    return frame, close, turnover


def _proxy_note(frame, day: str) -> str | None:
    if "is_proxy" in frame and bool(frame.loc[day, "is_proxy"]):
        return ("PROXY: WIND All A is real Wind data to 2024-12-12; later days are extended by "
                "a return model on the CSI All Share (000985), see docs/data.md.")
    return None


@signal.command("timing")
@click.option("--date", "date", default=None, help="Day to report (default: last in the data).")
@click.option("--index", "index", default="wind_all_a", show_default=True,
              help="Dataset: " + ", ".join(TIMING_INDICES) + ", or PANEL:CODE such as "
              "sw_l1:801080 or citic_l1:CI005021.")
@click.option("--history", nargs=2, default=None, metavar="START END",
              help="Print the regime changes between two dates instead.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@CACHE_DIR_OPTION
def signal_timing(date: str | None, index: str, history: tuple[str, str] | None, fmt: str,
                  cache_dir: str | None) -> None:
    """MA20/MA120 distance regime, trend line, money effect (models.md section 1)."""
    def body() -> None:
        from quantlib import timing

        frame, close, turnover = _timing_inputs(index, cache_dir)
        state = timing.timing_state(close, turnover)
        if history:
            changes = timing.regime_changes(state, history[0], history[1])
            if fmt == "json":
                records = changes.reset_index().assign(date=lambda d: d["date"].dt.strftime(
                    "%Y-%m-%d")).to_dict(orient="records")
                click.echo(json.dumps({"index": index, "changes": records}, default=str,
                                      indent=2))
            else:
                with _wide_pandas():
                    click.echo(changes.to_string(float_format=lambda v: f"{v:,.4f}"))
            return
        snap = timing.snapshot(state, date)
        note = _proxy_note(frame, snap["date"])
        if fmt == "json":
            snap.update(index=index, proxy=note is not None, proxy_note=note)
            click.echo(json.dumps(snap, indent=2))
            return
        click.echo(_format_timing(index, snap, note))
    _run(body)


def _format_timing(index: str, s: dict[str, Any], note: str | None) -> str:
    lines = [f"timing on {index}, {s['date']}"]
    rows = [("close", f"{s['close']:,.2f}"), ("MA5", f"{s['ma_fast']:,.2f}"),
            ("MA20", f"{s['ma_short']:,.2f}"), ("MA120", f"{s['ma_long']:,.2f}"),
            ("distance", f"{100 * s['distance']:+.2f}%  (threshold +-3.00%)"),
            ("trend line", f"{s['trend_line']:,.2f}  (MA20)"),
            ("money effect", f"{100 * s['money_effect']:+.2f}%"),
            ("regime", f"{s['regime']} since {s['regime_since']} ({s['regime_days']} days); "
                       f"raw {s['raw_regime']}")]
    flags = [k for k in ("uptrend_broken", "break_confirmed", "downtrend_exited",
                         "volume_shrink") if s.get(k)]
    if flags:
        rows.append(("rules", ", ".join(flags)))
    if "turnover" in s:
        rows.append(("turnover", f"{s['turnover'] / 1e8:,.0f} yi CNY (shrink level "
                                 f"{s.get('volume_level', float('nan')) / 1e8:,.0f})"))
    lines += [f"  {k:<13}{v}" for k, v in rows]
    if note:
        lines.append(note)
    return "\n".join(lines)


class _wide_pandas:  # noqa: N801 - used as a context manager, reads like a function
    def __enter__(self) -> None:
        import pandas as pd

        self._ctx = pd.option_context("display.width", 200, "display.max_columns", 40)
        self._ctx.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._ctx.__exit__(*exc)


if __name__ == "__main__":  # pragma: no cover
    main()
