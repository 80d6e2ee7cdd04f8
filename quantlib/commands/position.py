"""``quantlib signal position``: this week's valuation-percentile position (models.md section 2).

Module-level imports stay light (click only); pandas and the model load inside the command.
"""

from __future__ import annotations

import json
from typing import Any

import click

from quantlib.cli import CACHE_DIR_OPTION, STALE_DAYS_OPTION, _echo_warnings, _freshness, _run

#: The datasets the position model reads with the proxies (their last dates go with every
#: output); with the legulegu inputs see :func:`quantlib.valuation.used_datasets`.
USED_DATASETS = ("wind_all_a", "csi_all_share", "all_a_pb")


def position_snapshot(date: str | None, cache_dir: str | None,
                      rule: str | None = None) -> dict[str, Any]:
    """Load the bundled data and return the model's figures for one day (default the last)."""
    from quantlib.valuation import describe, load_position_state

    return describe(*load_position_state(cache_dir, rule), date)


def format_text(s: dict[str, Any]) -> str:
    """Human-readable block of :func:`position_snapshot`."""
    from quantlib.valuation import WIND_NOTE

    proxy = s["inputs"] == "proxy"
    rows = [("PE (TTM)" if proxy else "PE", f"{s['pe']:.2f}  percentile {s['pe_pct']:.1f}%  "
             f"(as of {s['pe_date']}; {s['pe_input']})"),
            ("PB (median)" if proxy else "PB", f"{s['pb']:.2f}  percentile {s['pb_pct']:.1f}%  "
             f"(as of {s['pb_date']}; {s['pb_input']})"),
            ("window", f"{s['window']}; data from PE {s['pe_window_start']}, "
                       f"PB {s['pb_window_start']}"),
            ("valuation", f"{s['valuation_class']}  (rule {s['rule']})"),
            ("regime", s["regime"]),
            ("position", f"{100 * s['position']:.0f}% equity (WIND All A), rest cash")]
    lines = [f"position model on WIND All A, {s['date']}"]
    lines += [f"  {k:<12}{v}" for k, v in rows]
    lines.append(s["inputs_note"])
    if s["wind_proxy"]:
        lines.append(WIND_NOTE)
    return "\n".join(lines)


@click.command("position")
@click.option("--date", "date", default=None,
              help="Day to report (default: the last in the data; later days are refused).")
@click.option("--rule", "rule", default=None,
              help="Valuation class rule (default mean_32.5_80; see docs/position.md).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@STALE_DAYS_OPTION
@CACHE_DIR_OPTION
def command(date: str | None, rule: str | None, fmt: str, stale_days: int | None,
            cache_dir: str | None) -> None:
    """PE/PB percentiles, valuation class, regime and equity weight (models.md section 2)."""
    def body() -> None:
        from quantlib._dates import check_not_after_data
        from quantlib.data.staleness import last_dates
        from quantlib.valuation import describe, load_position_state, used_datasets

        wind, model, state = load_position_state(cache_dir, rule)
        check_not_after_data(date, wind.index[-1], "--date", "wind_all_a")
        used = used_datasets(state.attrs["inputs"])
        fresh = _freshness(last_dates(used, cache_dir), stale_days)
        snap = describe(wind, model, state, date)
        if fmt == "json":
            click.echo(json.dumps({**snap, "freshness": fresh}, indent=2))
        else:
            click.echo(format_text(snap))
            _echo_warnings(fresh)
    _run(body)
