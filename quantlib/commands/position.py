"""``quantlib signal position``: this week's valuation-percentile position (docs/position.md).

Module-level imports stay light (click only); pandas and the model load inside the command.
"""

from __future__ import annotations

import json
from typing import Any

import click

from quantlib.cli import CACHE_DIR_OPTION, STALE_DAYS_OPTION, _freshness, _run
from quantlib.i18n import lang_option

#: The datasets the position model reads with the proxies (their last dates go with every
#: output); with the legulegu inputs see :func:`quantlib.valuation.used_datasets`.
USED_DATASETS = ("wind_all_a", "csi_all_share", "all_a_pb")


def percentile_fractions(snap: dict[str, Any]) -> dict[str, Any]:
    """``snap`` with the PE/PB percentiles as fractions (``pe_percentile`` 0.55 = 55%), like
    every other ratio of the JSON outputs, in place of :func:`quantlib.valuation.describe`'s
    0-100 ``pe_pct``/``pb_pct``."""
    out = {k: v for k, v in snap.items() if k not in ("pe_pct", "pb_pct")}
    out["pe_percentile"] = snap["pe_pct"] / 100.0
    out["pb_percentile"] = snap["pb_pct"] / 100.0
    return out


def position_snapshot(date: str | None, cache_dir: str | None,
                      rule: str | None = None) -> dict[str, Any]:
    """Load the bundled data and return the model's figures for one day (default the last);
    percentiles as fractions (:func:`percentile_fractions`)."""
    from quantlib.valuation import describe, load_position_state

    return percentile_fractions(describe(*load_position_state(cache_dir, rule), date))


def format_text(s: dict[str, Any], lang: str = "en") -> str:
    """Human-readable block of :func:`position_snapshot`, aligned by display width."""
    from quantlib.i18n import fmt_date, fmt_pct, label, text, text_table, tr

    d = lambda x: fmt_date(lang, x)  # noqa: E731
    proxy = s.get("inputs", "proxy") == "proxy"
    pe_label = tr(lang, "f.pe") if proxy else "PE"
    pb_label = tr(lang, "f.pb") if proxy else "PB"
    rows = [
        (pe_label, tr(lang, "w.pe_value", value=f"{s['pe']:.2f}",
                      pct=fmt_pct(s["pe_percentile"], 1, False), date=d(s["pe_date"]))
         + (tr(lang, "p.semi") + text(lang, s["pe_input"]) if "pe_input" in s else "")),
        (pb_label, tr(lang, "w.pe_value", value=f"{s['pb']:.2f}",
                      pct=fmt_pct(s["pb_percentile"], 1, False), date=d(s["pb_date"]))
         + (tr(lang, "p.semi") + text(lang, s["pb_input"]) if "pb_input" in s else "")),
        (tr(lang, "f.window"), tr(lang, "p.window_value", window=text(lang, s["window"]),
                                  pe=d(s["pe_window_start"]), pb=d(s["pb_window_start"]))),
        (tr(lang, "f.valuation"), tr(lang, "w.valuation_value", rule=s["rule"],
                                     cls=label(lang, "valuation", s["valuation_class"]))),
        (tr(lang, "f.regime"), label(lang, "regime", s["regime"])),
        (tr(lang, "f.position"), tr(lang, "p.position_value",
                                    pos=fmt_pct(s["position"], 0, False)))]
    lines = [tr(lang, "p.head", date=d(s["date"]))]
    lines += text_table(["", ""], [list(r) for r in rows])[1:]
    if proxy:
        lines.append(tr(lang, "p.proxy"))
    else:
        lines.append(text(lang, s["inputs_note"]))
    if s["wind_proxy"]:
        lines.append(tr(lang, "p.wind_proxy"))
    return "\n".join(lines)


@click.command("position")
@click.option("--date", "date", default=None,
              help="Day to report (default: the last in the data; later days are refused).")
@click.option("--rule", "rule", default=None,
              help="Valuation class rule (default mean_32.5_80; see docs/position.md).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@lang_option
@STALE_DAYS_OPTION
@CACHE_DIR_OPTION
def command(date: str | None, rule: str | None, fmt: str, lang: str | None,
            stale_days: int | None, cache_dir: str | None) -> None:
    """PE/PB percentiles, valuation class, regime and equity weight (docs/position.md)."""
    def body() -> None:
        from quantlib._dates import check_not_after_data
        from quantlib.data.staleness import last_dates
        from quantlib.i18n import localize, resolve_lang
        from quantlib.report.weekly import stale_notes
        from quantlib.valuation import describe, load_position_state, used_datasets

        wind, model, state = load_position_state(cache_dir, rule)
        check_not_after_data(date, wind.index[-1], "--date", "wind_all_a")
        used = used_datasets(state.attrs["inputs"])
        fresh = _freshness(last_dates(used, cache_dir), stale_days)
        snap = percentile_fractions(describe(wind, model, state, date))
        language = resolve_lang(lang)
        if fmt == "json":
            click.echo(json.dumps(localize({**snap, "freshness": fresh}, language), indent=2,
                                  ensure_ascii=False))
        else:
            click.echo(format_text(snap, language))
            for line in stale_notes(fresh, language):
                click.echo(line)
    _run(body)
