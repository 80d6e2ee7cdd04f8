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
                    f"no such command {args[0]!r}.{did_you_mean(args[0], self.commands)}", ctx
                ) from exc
            raise


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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

        bar = tqdm(total=0, desc=f"refresh {name}", disable=quiet, file=sys.stderr)

        def progress(done: int, total: int, label: str) -> None:
            bar.total = total
            bar.n = done
            bar.set_postfix_str(label)
            bar.refresh()

        try:
            result = refresh(name, cache_dir=cache_dir, end=end, progress=progress)
        finally:
            bar.close()
        click.echo(f"{name}: {result['new_rows']} new row(s); now {result['start']} .. "
                   f"{result['end']} in {result['directory']}")
        if result["new_rows"]:
            click.echo(f"use it with --cache-dir {result['directory']} or "
                       f"QUANTLIB_CACHE_DIR={result['directory']}")
    _run(body)


class _wide_pandas:  # noqa: N801 - used as a context manager, reads like a function
    def __enter__(self) -> None:
        import pandas as pd

        self._ctx = pd.option_context("display.width", 200, "display.max_columns", 40)
        self._ctx.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._ctx.__exit__(*exc)


if __name__ == "__main__":  # pragma: no cover
    main()
