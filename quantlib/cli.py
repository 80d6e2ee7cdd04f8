"""The ``quantlib`` command line. The only module composing I/O with the library.

Startup stays light: click is the only import at module level; pandas and the rest load inside
the command that needs them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from quantlib import __version__
from quantlib.i18n import lang_option

if TYPE_CHECKING:
    from quantlib.data.update import RefreshResult

CACHE_DIR_OPTION = click.option(
    "--cache-dir", envvar="QUANTLIB_CACHE_DIR", type=click.Path(file_okay=False),
    default=None, help="User cache directory overriding the bundled data "
    "(env QUANTLIB_CACHE_DIR).",
)


STALE_DAYS_OPTION = click.option(
    "--stale-days", type=click.IntRange(min=0), default=None,
    help="Warn when a used dataset ends more than this many trading days before today "
    "(env QUANTLIB_STALE_DAYS, default 5).",
)
#: Highest commission rate per side accepted without --allow-high-fees: 5% is ~200x a retail
#: A-share rate, so a larger figure is almost always a percent typed as a fraction (5 = 500%).
MAX_FEES = 0.05


def fees_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--fees RATE`` and ``--allow-high-fees``, shared by ``backtest`` and ``sweep``; check
    them with :func:`check_fees`."""
    fn = click.option("--allow-high-fees", is_flag=True,
                      help=f"Accept a --fees above {MAX_FEES} (a deliberate stress test).")(fn)
    return click.option("--fees", type=float, default=None, metavar="RATE",
                        help=f"Commission rate per side, e.g. 0.0003 = 3 bps, in [0, {MAX_FEES}]"
                        " (default: the strategy's).")(fn)


def check_fees(fees: float | None, allow_high: bool) -> float | None:
    """``--fees`` as given, or a :class:`~quantlib.strategy.ParamError` naming the bound and the
    override when it is above :data:`MAX_FEES` without ``allow_high``. Negative and NaN rates
    are the CostModel's to refuse (it names the field and the fix)."""
    from quantlib.strategy import ParamError

    if fees is None:
        if allow_high:
            raise ParamError("--allow-high-fees needs --fees RATE; drop it or give the rate.")
        return None
    if fees > MAX_FEES and not allow_high:
        raise ParamError(f"--fees {fees} is a commission rate per side ({100 * fees:g}% of "
                         f"every trade), above {MAX_FEES} (5%); write 0.0003 for 3 bps, or "
                         "pass --allow-high-fees if you mean it.")
    return fees


#: Exit code of bad input (a typed quantlib error or a usage error); an unexpected exception
#: (a bug) exits 1.
EXIT_BAD_INPUT = 2


def _fail(exc: Exception) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def _debug() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().params.get("debug"))


def _run(fn: Callable[[], Any]) -> Any:
    """Run a command body; turn quantlib's typed errors into a one-line message and exit 2."""
    from quantlib.errors import QuantlibError

    try:
        return fn()
    except QuantlibError as exc:
        if _debug():
            raise
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


class _Main(_LazyGroup):
    """The root group: whatever a command raises ends as one line on stderr, never a traceback
    (``--debug`` shows it). quantlib's typed errors exit 2 (bad input, the message names the
    fix); anything else is a bug or an input quantlib does not check yet: exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        from quantlib.errors import QuantlibError

        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except QuantlibError as exc:
            if ctx.params.get("debug"):
                raise
            _fail(exc)
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            first = (str(exc).strip().splitlines() or [""])[0]
            click.echo(f"error: unexpected {type(exc).__name__}: {first} (run with --debug "
                       "for the traceback)", err=True)
            sys.exit(1)


#: Top-level commands implemented in their own modules (``command`` in each).
MAIN_COMMANDS = {
    "backtest": "quantlib.commands.backtest",
    "strategies": "quantlib.commands.strategies",
    "sweep": "quantlib.commands.sweep",
    "weekly": "quantlib.commands.weekly",
}


@click.group(cls=_Main, lazy=MAIN_COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quantlib")
@click.option("--debug", is_flag=True, envvar="QUANTLIB_DEBUG",
              help="Show the full traceback of an error (env QUANTLIB_DEBUG=1).")
def main(debug: bool) -> None:
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


_MANY_CODES = 40  # panels wider than this are shown one date x codes


@data.command("show")
@click.argument("name")
@click.option("--start", default=None, help="First date (YYYY-MM-DD).")
@click.option("--end", default=None, help="Last date (YYYY-MM-DD).")
@click.option("--columns", default=None, help="Comma-separated fields.")
@click.option("--codes", default=None, help="Comma-separated codes (panels).")
@click.option("--tail", "tail", type=click.IntRange(min=0), default=10, show_default=True,
              help="Rows to print (>= 0).")
@click.option("--list-codes", is_flag=True,
              help="Panels: print every code with its first and last date and rows.")
@CACHE_DIR_OPTION
def data_show(name: str, start: str | None, end: str | None, columns: str | None,
              codes: str | None, tail: int, list_codes: bool, cache_dir: str | None) -> None:
    """Print the last rows of dataset NAME and its provenance."""
    def body() -> None:
        from quantlib.data import load
        from quantlib.data.store import locate

        ds = locate(name, cache_dir)
        if list_codes and ds.spec.kind != "panel":
            raise click.UsageError(f"--list-codes: dataset {name!r} is a single series and has "
                                   "no codes; drop the flag.")
        frame = load(name, start, end, columns.split(",") if columns else None,
                     codes=codes.split(",") if codes else None, cache_dir=cache_dir)
        if list_codes:
            have = frame.notna().T.groupby(level="code").any().T  # dates x codes: any field
            click.echo(f"{name}: {have.shape[1]} codes (code, first date, last date, rows)")
            for code in have.columns:
                days = have.index[have[code].to_numpy()]
                if len(days):
                    click.echo(f"{code}  {days[0].date()}  {days[-1].date()}  {len(days)}")
                else:
                    click.echo(f"{code}  -  -  0")
            return
        e = ds.entry
        click.echo(f"{name}: {ds.spec.description}")
        click.echo(f"range {e['start']} .. {e['end']}, {e['rows']} rows, "
                   f"{'bundled snapshot' if ds.is_bundled else ds.directory}")
        if ds.spec.proxy_note:
            click.echo(f"PROXY: {ds.spec.proxy_note}")
        with _wide_pandas():
            many = ds.spec.kind == "panel" and not codes and \
                frame.columns.get_level_values("code").nunique() > _MANY_CODES
            if many:  # dates x (field, code) would be thousands of columns wide
                last = frame.index[-1]
                day = frame.loc[[last]].stack(level="code", future_stack=True).droplevel(0)
                day = day.dropna(how="all")
                click.echo(f"{last.date()}, {len(day)} of "
                           f"{frame.columns.get_level_values('code').nunique()} codes have a row"
                           f" (first {tail} shown; pick codes with --codes, e.g. "
                           f"--codes {day.index[0]}):")
                click.echo(day.head(tail).to_string())
            else:
                click.echo(frame.tail(tail).to_string())
    _run(body)


@data.command("verify")
@CACHE_DIR_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--fix", is_flag=True,
              help="First remove orphan files of crashed refreshes from --cache-dir.")
def data_verify(cache_dir: str | None, fmt: str, fix: bool) -> None:
    """Check every dataset: sha256, schema, row rules (docs/data.md), rows, calendar gaps."""
    def body() -> None:
        from quantlib.data import verify

        if fix:
            from quantlib.data.integrity import fix_orphans
            from quantlib.data.store import user_dir

            target = user_dir(cache_dir)
            if target is None:
                raise click.UsageError("--fix needs --cache-dir (or QUANTLIB_CACHE_DIR): the "
                                       "bundled snapshot is never edited.")
            removed = fix_orphans(target)
            click.echo(f"removed {len(removed)} orphan file(s) from {target}"
                       + (f": {', '.join(removed)}" if removed else ""), err=True)
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
@click.argument("name", required=False)
@click.option("--all", "all_", is_flag=True, help="Refresh every refreshable dataset.")
@click.option("--end", default=None, help="Last date to fetch (YYYY-MM-DD, default today).")
@click.option("--accept-revision", is_flag=True,
              help="Accept fetched values that differ from cached ones on overlapping dates, "
              "and jumps beyond the dataset's limit, after checking the named rows.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@CACHE_DIR_OPTION
def data_refresh(name: str | None, all_: bool, end: str | None, accept_revision: bool,
                 quiet: bool, cache_dir: str | None) -> None:
    """Append new rows of dataset NAME (or --all) from akshare into the user cache directory.

    Needs the refresh extra: pip install 'quantlib[refresh]' (akshare).
    """
    if bool(name) == all_:
        raise click.UsageError("give a dataset NAME or --all (not both).")

    def body() -> None:
        from quantlib._dates import parse_day

        if end is not None:
            parse_day(end, "--end")
        if all_:
            _refresh_all(end, accept_revision, quiet, cache_dir)
            return
        from quantlib.data import refresh

        assert name is not None  # checked above: NAME or --all
        with _progress(name, quiet) as progress:
            if not quiet:
                click.echo(f"refreshing {name} from akshare ...", err=True)
            result = refresh(name, cache_dir=cache_dir, end=end, progress=progress,
                             accept_revision=accept_revision)
        click.echo(_refresh_line(result))
        if result["new_rows"]:
            click.echo(f"use it with --cache-dir {result['directory']} or "
                       f"QUANTLIB_CACHE_DIR={result['directory']}")
    _run(body)


class _progress:  # noqa: N801 - a context manager that reads like a function
    """A tqdm bar created on the first progress report (one-request datasets show none)."""

    def __init__(self, label: str, quiet: bool) -> None:
        self.label, self.quiet = label, quiet
        self.bars: list[Any] = []  # tqdm bars (tqdm is imported on first use)

    def __enter__(self) -> Callable[[int, int, str], None]:
        def progress(done: int, total: int, label: str) -> None:
            from tqdm import tqdm

            if not self.bars:
                self.bars.append(tqdm(total=total, desc=f"refresh {self.label}",
                                      disable=self.quiet, file=sys.stderr))
            self.bars[0].total = total
            self.bars[0].n = done
            self.bars[0].set_postfix_str(label)
            self.bars[0].refresh()
        return progress

    def __exit__(self, *exc: object) -> None:
        for bar in self.bars:
            bar.close()


def _refresh_line(result: RefreshResult) -> str:
    line = (f"{result['dataset']}: {result['new_rows']} new row(s); now {result['start']} .. "
            f"{result['end']} in {result['directory']}")
    extras = [*(f"hole: {h}" for h in result.get("holes", [])),
              *(f"accepted: {n}" for n in result.get("notes", []))]
    return "\n".join([line, *(f"  {x}" for x in extras)])


def _refresh_all(end: str | None, accept_revision: bool, quiet: bool,
                 cache_dir: str | None) -> None:
    """Refresh every refreshable dataset; one bar over datasets, one summary line each.

    A dataset that fails (offline, refused rows) keeps what it had and is reported; the others
    still refresh. Exit 2 if any failed.
    """
    from quantlib.data import DATASETS
    from quantlib.data.update import refresh_dataset
    from quantlib.errors import MissingExtraError, QuantlibError

    names = [n for n, spec in DATASETS.items() if spec.refreshable]
    failed: list[str] = []
    changed: list[str] = []
    lines: list[str] = []
    with _progress("--all", quiet) as progress:
        for i, ds in enumerate(names):
            progress(i, len(names), ds)
            try:
                result = refresh_dataset(ds, cache_dir=cache_dir, end=end,
                                         accept_revision=accept_revision)
                lines.append(_refresh_line(result))
                if result["new_rows"]:
                    changed.append(ds)
            except MissingExtraError:
                raise  # not a per-dataset failure: no dataset can refresh; say it once
            except QuantlibError as exc:
                if _debug():
                    raise
                failed.append(ds)
                lines.append(f"{ds}: FAILED, kept what it had: {exc}")
        progress(len(names), len(names), "done")
    click.echo("\n".join(lines))
    click.echo(f"summary: {len(changed)} dataset(s) changed"
               + (f" ({', '.join(changed)})" if changed else "")
               + f", {len(names) - len(changed) - len(failed)} unchanged, {len(failed)} failed"
               + (f" ({', '.join(failed)})" if failed else "") + ".")
    if failed:
        sys.exit(EXIT_BAD_INPUT)


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
        panels = [n for n, s in DATASETS.items()
                  if s.kind == "panel" and s.frequency == "daily" and "close" in s.column_names]
        if dataset not in panels:  # e.g. sw_l1_pe_ttm: monthly PE, no close to time
            raise UnknownNameError("daily price panel (PANEL:CODE)", dataset, panels)
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
    from quantlib.i18n import Message

    if "is_proxy" in frame and bool(frame.loc[day, "is_proxy"]):
        return Message("timing.proxy")
    return None


@signal.command("timing")
@click.option("--date", "date", default=None,
              help="Day to report (default: the last in the data; later days are refused).")
@click.option("--index", "index", default="wind_all_a", show_default=True,
              help="Dataset: " + ", ".join(TIMING_INDICES) + ", or PANEL:CODE such as "
              "sw_l1:801080 or citic_l1:CI005021.")
@click.option("--history", nargs=2, default=None, metavar="START END",
              help="Print the regime changes between two dates instead.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@lang_option
@STALE_DAYS_OPTION
@CACHE_DIR_OPTION
def signal_timing(date: str | None, index: str, history: tuple[str, str] | None, fmt: str,
                  lang: str | None, stale_days: int | None, cache_dir: str | None) -> None:
    """MA20/MA120 distance regime, trend line, money effect (docs/timing.md)."""
    def body() -> None:
        from quantlib import timing
        from quantlib._dates import check_not_after_data
        from quantlib.i18n import fmt_date, localize, resolve_lang, tr
        from quantlib.report import tables
        from quantlib.report.weekly import stale_notes

        language = resolve_lang(lang)

        frame, close, turnover = _timing_inputs(index, cache_dir)
        day = check_not_after_data(date, close.index[-1], "--date", index)
        span = _history_span(history) if history else None
        fresh = _freshness({index.partition(":")[0]: str(close.index[-1].date())}, stale_days)
        state = timing.timing_state(close, turnover)
        if span:
            changes = timing.regime_changes(state, *span)
            if fmt == "json":
                records = changes.reset_index().assign(date=lambda d: d["date"].dt.strftime(
                    "%Y-%m-%d")).to_dict(orient="records")
                click.echo(json.dumps({"index": index, "changes": records,
                                       "freshness": localize(fresh, language)}, default=str,
                                      indent=2, ensure_ascii=False))
            else:
                if changes.empty:
                    click.echo(tr(language, "timing.no_change", index=index,
                                  start=fmt_date(language, span[0].date()),
                                  end=fmt_date(language, span[1].date())))
                else:
                    click.echo(tables.regime_changes_text(changes, language))
                _echo_lines(stale_notes(fresh, language))
            return
        snap = timing.snapshot(state, day)
        note = _proxy_note(frame, str(snap["date"]))
        if fmt == "json":
            snap.update(index=index, proxy=note is not None, proxy_note=note, freshness=fresh)
            click.echo(json.dumps(localize(snap, language), indent=2, ensure_ascii=False))
            return
        click.echo(tables.timing_text(index, snap, note is not None, language))
        _echo_lines(stale_notes(fresh, language))
    _run(body)


def _history_span(history: tuple[str, str]) -> tuple[Any, Any]:
    """``--history START END`` as two days, START not after END."""
    from quantlib._dates import parse_day
    from quantlib.errors import DateRangeError

    start, end = parse_day(history[0], "--history START"), parse_day(history[1], "--history END")
    if start > end:
        raise DateRangeError(f"--history START {start.date()} is after END {end.date()}; "
                             "give the earlier date first.")
    return start, end


def _freshness(last: dict[str, str], stale_days: int | None) -> dict[str, Any]:
    """:func:`quantlib.data.staleness.freshness` of the datasets a command used."""
    from quantlib.data.staleness import freshness, stale_days_limit

    return freshness(last, limit=stale_days_limit(stale_days))


def _echo_warnings(fresh: dict[str, Any]) -> None:
    _echo_lines(fresh["warnings"])


def _echo_lines(lines: list[str]) -> None:
    for line in lines:
        click.echo(line)


class _wide_pandas:  # noqa: N801 - used as a context manager, reads like a function
    def __enter__(self) -> None:
        import pandas as pd

        self._ctx = pd.option_context("display.width", 200, "display.max_columns", 40)
        self._ctx.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._ctx.__exit__(*exc)


if __name__ == "__main__":  # pragma: no cover
    main()
