"""Tables of the weekly page and the tearsheet: DataFrames and plain text, no files.

The weekly text layout (:func:`weekly_text`) is what ``quantlib weekly`` prints, aligned by
display width (a Chinese character takes two terminal columns); the HTML pages embed
:func:`html_table` output. Every label comes from :mod:`quantlib.i18n`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = [
    "html_table",
    "metrics_table",
    "percent_table",
    "setup_table",
    "trades_table",
    "weekly_text",
]

PERCENT_KEYS = ("total_return", "annual_return", "annual_volatility", "max_drawdown",
                "win_rate", "mean_exposure", "alpha")
#: Returns, shown signed so that the page colours them by its convention (红涨绿跌 under cn);
#: volatility, win rate and exposure are levels, not gains or losses, and stay unsigned.
SIGNED_KEYS = ("total_return", "annual_return", "alpha")
RATIO_KEYS = ("sharpe_ratio", "sortino_ratio", "calmar_ratio", "annual_turnover", "beta",
              "alpha_tstat", "beta_tstat")


def _pct(value: Any, digits: int = 2) -> str:
    return "" if value is None or pd.isna(value) else f"{100 * float(value):+.{digits}f}%"


def _fmt_metric(key: str, value: Any, lang: str = "en") -> str:
    from quantlib.i18n import fmt_date

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "-"
    if isinstance(value, pd.Timestamp):
        return fmt_date(lang, value.date())
    if key in SIGNED_KEYS:
        return f"{100 * float(value):+.2f}%"
    if key in PERCENT_KEYS:
        return f"{100 * float(value):.2f}%"
    if key in RATIO_KEYS:
        return f"{float(value):.2f}"
    return str(value)


def metrics_table(metrics: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Format a ``SUMMARY_KEYS`` x columns frame for display (percentages, 2 decimals), rows
    and columns named in ``lang``."""
    from quantlib.i18n import label, tr

    out = pd.DataFrame({c: [_fmt_metric(k, v, lang) for k, v in metrics[c].items()]
                        for c in metrics.columns}, index=metrics.index)
    out.index = [label(lang, "m", k) for k in out.index]
    out.columns = [tr(lang, f"t.{c}") if c in ("strategy", "benchmark") else str(c)
                   for c in out.columns]
    return out


def percent_table(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Format every cell of ``table`` as a signed percentage (blank for NaN)."""
    from quantlib.i18n import tr

    out = table.apply(lambda col: col.map(lambda v: _pct(v, 1)))
    out = out.rename(columns={"year": tr(lang, "t.year")})
    out.index.name = tr(lang, "t.year")
    out.columns.name = tr(lang, "t.month")
    return out


def trades_table(trades: pd.DataFrame, head: int = 20, tail: int = 20,
                 cny: bool = False, lang: str = "en", names: dict[str, str] | None = None,
                 equity: pd.Series | None = None) -> pd.DataFrame:
    """The first ``head`` and last ``tail`` fills, formatted (all when fewer), headed in
    ``lang``.

    ``cny``: a run with CNY capital: shares as whole numbers (lots of 100; a full exit of a
    position grown by reinvested dividends can hold a fraction, shown to 0.01), value and
    cost in CNY. Otherwise (a unit portfolio, where share counts are meaningless fractions such
    as 0.000129) each fill's value and cost are shown as a percentage of ``equity`` at that
    day's close, and there is no shares column. ``names``: code -> name, shown as
    ``name code``.
    """
    from quantlib.i18n import fmt_date, label, tr

    cols = ["date", "asset", "side", "shares", "price", "value", "cost"]
    t = trades[cols].copy()
    if names:
        t["asset"] = [f"{names[a]} {a}" if a in names else a for a in t["asset"].astype(str)]
    if not cny:
        if equity is None:
            from quantlib.errors import QuantlibError

            raise QuantlibError("trades_table of a unit portfolio needs the equity curve: "
                                "pass equity=result.equity (or cny=True for CNY capital).")
        eq = equity.reindex(pd.DatetimeIndex(t["date"])).to_numpy(float)
        t["value"] = t["value"].to_numpy(float) / eq
        t["cost"] = t["cost"].to_numpy(float) / eq
        t = t.drop(columns="shares")
        cols = [c for c in cols if c != "shares"]
    if len(t) > head + tail:
        gap = pd.DataFrame([dict.fromkeys(cols, "...")])
        t = pd.concat([t.head(head).astype(object), gap, t.tail(tail).astype(object)])
    out = t.astype(object)
    # CNY runs trade whole 100-share lots: shares as integers, value and cost in CNY
    formats: tuple[tuple[str, str], ...] = (
        (("shares", "{:,.2f}"), ("price", "{:.2f}"), ("value_cny", "{:,.2f}"),
         ("cost_cny", "{:,.2f}"))
        if cny else
        (("price", "{:.4f}"), ("value_pct", "{:.2%}"), ("cost_pct", "{:.4%}")))
    out = out.rename(columns={"value": "value_cny", "cost": "cost_cny"} if cny else
                     {"value": "value_pct", "cost": "cost_pct"})
    for c, f in formats:
        out[c] = out[c].map(lambda v, f=f: v if isinstance(v, str) else f.format(v))
    if cny:
        out["shares"] = out["shares"].str.replace(r"\.00$", "", regex=True)
    out["date"] = out["date"].map(lambda v: v if isinstance(v, str) else fmt_date(lang, v.date()))
    out["side"] = out["side"].map(lambda v: v if v == "..." else label(lang, "side", v))
    out.columns = [tr(lang, f"t.{c}") for c in out.columns]
    return out.reset_index(drop=True)


def setup_table(outcome: Any, lang: str = "en") -> pd.DataFrame:
    """Window, fill, costs and benchmark of a run, one row each."""
    from quantlib.i18n import fmt_date, tr
    from quantlib.report.tearsheet import _benchmark_label

    s = outcome.spec
    c = s.costs
    sep = " 至 " if lang == "zh" else " .. "
    rows = {tr(lang, "t.window"): f"{fmt_date(lang, s.start)}{sep}{fmt_date(lang, s.end)}",
            tr(lang, "t.fill"): s.fill,
            tr(lang, "t.commission"): tr(lang, "t.commission_value",
                                         bps=f"{1e4 * c['commission_rate']:.2f}",
                                         min=f"{c['min_commission_cny']:g}"),
            tr(lang, "t.slippage"): tr(lang, "t.slippage_value", bps=f"{c['slippage_bps']:g}"),
            tr(lang, "t.stamp_duty"): str(c["stamp_duty_schedule"] or tr(lang, "t.none")),
            tr(lang, "t.benchmark"): _benchmark_label(outcome, lang)}
    return pd.DataFrame({tr(lang, "f.value"): rows})


def params_html(params: dict[str, Any], lang: str = "en") -> str:
    """The run's parameters as an HTML table; names and values in ``<code>`` (what one types
    after ``--param``)."""
    import html

    from quantlib.i18n import tr

    rows = "".join(f"<tr><td><code>{html.escape(str(k))}</code></td>"
                   f"<td><code>{html.escape(repr(v))}</code></td></tr>"
                   for k, v in params.items())
    return (f'<table class="tbl"><thead><tr><th></th><th>{html.escape(tr(lang, "f.value"))}'
            f"</th></tr></thead><tbody>{rows}</tbody></table>")


#: Tables longer than this may break across printed pages (between rows, header repeated);
#: shorter ones stay whole.
LONG_TABLE_ROWS = 12


def html_table(frame: pd.DataFrame) -> str:
    """Render ``frame`` as an escaped HTML table (class ``tbl``, plus ``long`` past
    :data:`LONG_TABLE_ROWS` rows: printing may break it between rows, the header repeated);
    signed percentages get the CSS class ``pos`` (up) or ``neg`` (down), coloured by the
    page's convention."""
    import re

    classes = ["tbl", "long"] if len(frame) > LONG_TABLE_ROWS else "tbl"
    text = frame.to_html(classes=classes, border=0, escape=True, na_rep="")
    def mark(m: re.Match) -> str:
        if re.fullmatch(r"0(\.0*)?%", m.group(2)):  # +0.0%: neither up nor down
            return m.group(0)
        return (f'<td class="{"pos" if m.group(1) == "+" else "neg"}">'
                f"{m.group(1)}{m.group(2)}</td>")

    return re.sub(r"<td>([+-])(\d[\d.,]*%)</td>", mark, text)


def _market_text(report: dict[str, Any], lang: str) -> list[str]:
    from quantlib.i18n import fmt_date, label, text_table, tr

    d = lambda x: fmt_date(lang, x)  # noqa: E731
    lines = [tr(lang, "w.market_head", start=d(report["week_start"]), end=d(report["date"]))]
    rows = [[label(lang, "index", r["dataset"]), d(r["as_of"]), f"{r['close']:,.2f}",
             _pct(r["week_return"]), "" if r["current_week"] else
             f"({tr(lang, 'w.no_data_week')})"] for r in report["market"]]
    lines += text_table([tr(lang, "f.index"), tr(lang, "f.as_of"), tr(lang, "f.close"),
                         tr(lang, "f.week"), ""], rows, "<<>><")
    ind = report["industry_returns"]
    if not ind.get("available", True):
        lines.append("  " + tr(lang, "w.unavailable", reason=ind["reason"]))
        return lines
    lines.append("  " + tr(lang, "w.sw_week", date=d(ind["as_of"]), count=ind["count"])
                 + ("" if ind["current_week"] else "  " + tr(lang, "w.sw_not_this_week")))
    for key, rows in (("f.best", ind["best"]), ("f.worst", ind["worst"])):
        lines.append(f"    {tr(lang, key)}{tr(lang, 'p.colon')}" + tr(lang, "p.semi").join(
            f"{_name(r, lang)} {_pct(r['week_return'])}" for r in rows))
    return lines


def _name(record: dict[str, Any], lang: str) -> str:
    """An industry's name in ``lang`` (the Chinese name when there is no English one)."""
    if lang == "en" and record.get("name_en"):
        return str(record["name_en"])
    return str(record.get("name_zh") or record.get("code", ""))


def timing_rows(s: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """Label/value rows of a timing snapshot (:func:`quantlib.timing.snapshot`)."""
    from quantlib.i18n import fmt_amount_cny, fmt_date, label, tr

    side = "above" if s["ma_fast"] >= s["trend_line"] else "below"
    rows = [(tr(lang, "f.close"), f"{s['close']:,.2f}"), ("MA5", f"{s['ma_fast']:,.2f}"),
            ("MA20", f"{s['ma_short']:,.2f}"), ("MA120", f"{s['ma_long']:,.2f}"),
            (tr(lang, "f.distance"), tr(lang, "timing.distance_value",
                                        value=_pct(s["distance"]))),
            (tr(lang, "f.trend_line"), tr(lang, "timing.trend_value",
                                          value=f"{s['trend_line']:,.2f}",
                                          side=tr(lang, f"timing.{side}"))),
            (tr(lang, "f.money_effect"), _pct(s["money_effect"])),
            (tr(lang, "f.regime"), tr(lang, "timing.regime_value",
                                      regime=label(lang, "regime", s["regime"]),
                                      since=fmt_date(lang, s["regime_since"]),
                                      days=s["regime_days"],
                                      raw=label(lang, "regime", s["raw_regime"])))]
    flags = [tr(lang, f"rule.{k}") for k in ("uptrend_broken", "break_confirmed",
                                             "downtrend_exited", "volume_shrink") if s.get(k)]
    if flags:
        rows.append((tr(lang, "f.rules"), tr(lang, "p.list").join(flags)))
    if "turnover" in s and "volume_level" in s:
        rows.append((tr(lang, "f.turnover"), tr(
            lang, "timing.turnover_value", amount=fmt_amount_cny(lang, s["turnover"]),
            level=fmt_amount_cny(lang, s["volume_level"]))))
    return rows


def _timing_text(t: dict[str, Any], lang: str) -> list[str]:
    from quantlib.i18n import fmt_date, text_table, tr

    s = t["now"]
    lines = [tr(lang, "w.timing_head", date=fmt_date(lang, t["as_of"]))
             + (f"  {tr(lang, 'w.proxy_tag')}" if t["proxy"] else "")]
    lines += text_table(["", ""], [list(r) for r in timing_rows(s, lang)])[1:]
    prev = t["previous"]
    head = (tr(lang, "w.since_last", date=fmt_date(lang, prev["date"])) if prev
            else tr(lang, "w.since_last_plain"))
    lines.append(f"  {head}{tr(lang, 'p.colon')}" + tr(lang, "p.semi").join(t["changes"]))
    return lines


def position_rows(p: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """Label/value rows of the weekly position block (percentiles as fractions)."""
    from quantlib.i18n import fmt_date, fmt_pct, label, tr

    d = lambda x: fmt_date(lang, x)  # noqa: E731
    prev = p.get("previous_position")
    change = "" if prev is None else tr(lang, "w.last_week", pos=fmt_pct(prev, 0, False))
    return [
        (tr(lang, "f.pe"), tr(lang, "w.pe_value", value=f"{p['pe']:.2f}",
                              pct=fmt_pct(p["pe_percentile"], 1, False), date=d(p["pe_date"]))),
        (tr(lang, "f.pb"), tr(lang, "w.pe_value", value=f"{p['pb']:.2f}",
                              pct=fmt_pct(p["pb_percentile"], 1, False), date=d(p["pb_date"]))),
        (tr(lang, "f.valuation"), tr(lang, "w.valuation_value", rule=p["rule"],
                                     cls=label(lang, "valuation", p["valuation_class"]))),
        (tr(lang, "f.regime"), label(lang, "regime", p["regime"])),
        (tr(lang, "f.position"), tr(lang, "w.position_value",
                                    pos=fmt_pct(p["position"], 0, False), change=change))]


def _position_text(p: dict[str, Any], lang: str) -> list[str]:
    from quantlib.i18n import fmt_date, text_table, tr

    if not p.get("available"):
        return [tr(lang, "w.position_unavailable", reason=p["reason"])]
    lines = [tr(lang, "w.position_head", date=fmt_date(lang, p["as_of"]))]
    return lines + text_table(["", ""], [list(r) for r in position_rows(p, lang)])[1:]


def _industry_text(ind: dict[str, Any], lang: str) -> list[str]:
    from quantlib.i18n import display_width, fmt_date, label, pad, tr

    if not ind.get("available"):
        return [tr(lang, "w.industries_unavailable", reason=ind["reason"])]
    lines = [tr(lang, "w.industries_head", date=fmt_date(lang, ind["as_of"]), k=ind["k"])]
    names = {n: label(lang, "model", n) for n in ind["models"]}
    width = max(display_width(v) for v in names.values()) + 2
    for name, block in ind["models"].items():
        if not block["picks"]:
            lines.append(f"  {pad(names[name], width)}"
                         + tr(lang, "w.no_picks", reason=block.get("reason", "")))
            continue
        picks = tr(lang, "p.list").join(f"{_name(p, lang)}"
                          f"[{'/'.join(p['etfs'][:2]) if p['etfs'] else '-'}]"
                          for p in block["picks"])
        extra = (tr(lang, "w.lead_paren", lead=label(lang, "sleeve", block["lead"]))
                 if block.get("lead") else "")
        lines.append(f"  {pad(names[name], width)}{picks}{extra}")
        if "entered" in block:
            lines.append(f"  {pad('', width)}" + tr(
                lang, "w.vs", date=fmt_date(lang, block["previous_date"]),
                entered=_names(block["entered"], lang), left=_names(block["left"], lang)))
    lines.append("  " + tr(lang, "w.etf_legend"))
    return lines


def _names(records: list[dict[str, Any]], lang: str = "en") -> str:
    from quantlib.i18n import tr

    return tr(lang, "p.list").join(_name(r, lang) for r in records) or "-"


def weekly_text(report: dict[str, Any], lang: str | None = None) -> str:
    """The weekly page as aligned plain text (what ``quantlib weekly`` prints), in ``lang``
    (default: the language the report was built in)."""
    from quantlib.i18n import fmt_date, tr

    lang = lang or report.get("lang", "en")
    bar = "=" * 78
    parts = [bar, tr(lang, "w.title", date=fmt_date(lang, report["date"])), bar]
    for block in (_market_text(report, lang), _timing_text(report["timing"], lang),
                  _position_text(report["position"], lang),
                  _industry_text(report["industries"], lang)):
        parts += [*block, ""]
    parts.append(tr(lang, "w.notes_head"))
    parts += [f"  - {n}" for n in report["notes"]]
    return "\n".join(parts)


def timing_text(index: str, snap: dict[str, Any], proxy: bool, lang: str = "en") -> str:
    """``quantlib signal timing``'s block: the snapshot's rows, aligned, and the proxy note."""
    from quantlib.i18n import fmt_date, label, text_table, tr

    name = label(lang, "index", index)
    lines = [tr(lang, "timing.head", index=name, date=fmt_date(lang, snap["date"]))]
    lines += text_table(["", ""], [list(r) for r in timing_rows(snap, lang)])[1:]
    if proxy:
        lines.append(tr(lang, "timing.proxy"))
    return "\n".join(lines)


def regime_changes_text(changes: pd.DataFrame, lang: str = "en") -> str:
    """The regime changes of ``quantlib signal timing --history``: one aligned row per change,
    ratios as percentages."""
    from quantlib.i18n import fmt_date, label, text_table, tr

    header = [tr(lang, "t.date"), tr(lang, "h.previous"), tr(lang, "f.regime"),
              tr(lang, "f.close"), tr(lang, "f.distance"), tr(lang, "f.money_effect"),
              tr(lang, "h.lasted")]
    rows = [[fmt_date(lang, day.date()), label(lang, "regime", r["previous"]),
             label(lang, "regime", r["regime"]), f"{r['close']:,.2f}", _pct(r["distance"]),
             _pct(r["money_effect"]), str(r["previous_lasted_days"])]
            for day, r in changes.iterrows()]
    return "\n".join(text_table(header, rows, "<<<>>>>", indent=""))
