"""Tables of the weekly page and the tearsheet: DataFrames and plain text, no files.

The weekly text layout (:func:`weekly_text`) is what ``quantlib weekly`` prints; the HTML
pages embed :func:`html_table` output.
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
RATIO_KEYS = ("sharpe_ratio", "sortino_ratio", "calmar_ratio", "annual_turnover", "beta",
              "alpha_tstat", "beta_tstat")


def _pct(value: Any, digits: int = 2) -> str:
    return "" if value is None or pd.isna(value) else f"{100 * float(value):+.{digits}f}%"


def _fmt_metric(key: str, value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "-"
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    if key in PERCENT_KEYS:
        return f"{100 * float(value):.2f}%"
    if key in RATIO_KEYS:
        return f"{float(value):.2f}"
    return str(value)


def metrics_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """Format a ``SUMMARY_KEYS`` x columns frame for display (percentages, 2 decimals)."""
    return pd.DataFrame({c: [_fmt_metric(k, v) for k, v in metrics[c].items()]
                         for c in metrics.columns}, index=metrics.index)


def percent_table(table: pd.DataFrame) -> pd.DataFrame:
    """Format every cell of ``table`` as a signed percentage (blank for NaN)."""
    return table.apply(lambda col: col.map(lambda v: _pct(v, 1)))


def trades_table(trades: pd.DataFrame, head: int = 20, tail: int = 20,
                 cny: bool = False) -> pd.DataFrame:
    """The first ``head`` and last ``tail`` fills, formatted (all when fewer).

    ``cny``: a run with CNY capital: shares as whole numbers (lots of 100; a full exit of a
    position grown by reinvested dividends can hold a fraction, shown to 0.01), value and
    cost in CNY.
    """
    cols = ["date", "asset", "side", "shares", "price", "value", "cost"]
    t = trades[cols].copy()
    if len(t) > head + tail:
        gap = pd.DataFrame([dict.fromkeys(cols, "...")])
        t = pd.concat([t.head(head).astype(object), gap, t.tail(tail).astype(object)])
    out = t.astype(object)
    lots = cny
    # CNY runs trade whole 100-share lots: shares as integers, value and cost in CNY
    formats: tuple[tuple[str, str], ...] = (
        (("shares", "{:,.2f}"), ("price", "{:.2f}"), ("value", "{:,.2f}"), ("cost", "{:,.2f}"))
        if lots else
        (("shares", "{:.6f}"), ("price", "{:.4f}"), ("value", "{:.6f}"), ("cost", "{:.2e}")))
    if lots:
        out = out.rename(columns={"value": "value_cny", "cost": "cost_cny"})
        formats = tuple((c if c in ("shares", "price") else f"{c}_cny", f) for c, f in formats)
    for c, f in formats:
        out[c] = out[c].map(lambda v, f=f: v if isinstance(v, str) else f.format(v))
    if lots:
        out["shares"] = out["shares"].str.replace(r"\.00$", "", regex=True)
    out["date"] = out["date"].map(lambda v: v if isinstance(v, str) else str(v.date()))
    return out.reset_index(drop=True)


def setup_table(outcome: Any) -> pd.DataFrame:
    """Window, fill, costs and benchmark of a run, one row each."""
    s = outcome.spec
    c = s.costs
    rows = {"window": f"{s.start} .. {s.end}", "fill": s.fill,
            "commission": f"{1e4 * c['commission_rate']:.2f} bps per side, minimum "
                          f"{c['min_commission_cny']:g} CNY",
            "slippage": f"{c['slippage_bps']:g} bps", "stamp duty": str(c["stamp_duty_schedule"]
                                                                      or "none"),
            "benchmark": outcome.benchmark_name}
    return pd.DataFrame({"value": rows})


def html_table(frame: pd.DataFrame) -> str:
    """Render ``frame`` as an escaped HTML table (class ``tbl``)."""
    return frame.to_html(classes="tbl", border=0, escape=True, na_rep="")


def _rows(rows: list[tuple[str, str]], width: int = 16) -> list[str]:
    return [f"  {k:<{width}}{v}" for k, v in rows]


def _market_text(report: dict[str, Any]) -> list[str]:
    lines = [f"MARKET  week {report['week_start']} .. {report['date']}"]
    lines.append(f"  {'index':<26}{'as of':<12}{'close':>12}{'week':>10}")
    for r in report["market"]:
        flag = "" if r["current_week"] else "  (no data this week)"
        lines.append(f"  {r['index']:<26}{r['as_of']:<12}{r['close']:>12,.2f}"
                     f"{_pct(r['week_return']):>10}{flag}")
    ind = report["industry_returns"]
    if not ind.get("available", True):
        lines.append(f"  industries: unavailable ({ind['reason']})")
        return lines
    lines.append(f"  Shenwan L1 industries, week ending {ind['as_of']} ({ind['count']} with data)"
                 + ("" if ind["current_week"] else "  [last SW date, not this week]"))
    for label, rows in (("best", ind["best"]), ("worst", ind["worst"])):
        lines.append(f"    {label}: " + "; ".join(f"{r['name'].split(' ')[0]} "
                                                  f"{_pct(r['week_return'])}" for r in rows))
    return lines


def _timing_text(t: dict[str, Any]) -> list[str]:
    s = t["now"]
    side = "above" if s["ma_fast"] >= s["trend_line"] else "below"
    lines = [f"TIMING  WIND All A, as of {t['as_of']}" + ("  [PROXY]" if t["proxy"] else "")]
    lines += _rows([
        ("close", f"{s['close']:,.2f}"), ("MA5", f"{s['ma_fast']:,.2f}"),
        ("MA20", f"{s['ma_short']:,.2f}"), ("MA120", f"{s['ma_long']:,.2f}"),
        ("distance", f"{100 * s['distance']:+.2f}%  (threshold +-3%)"),
        ("trend line", f"{s['trend_line']:,.2f}  (MA5 {side})"),
        ("money effect", f"{100 * s['money_effect']:+.2f}%"),
        ("regime", f"{s['regime']} since {s['regime_since']} ({s['regime_days']} days); raw "
                   f"{s['raw_regime']}")])
    prev = t["previous"]
    head = f"since last week ({prev['date']})" if prev else "since last week"
    lines.append(f"  {head}: " + "; ".join(t["changes"]))
    return lines


def _position_text(p: dict[str, Any]) -> list[str]:
    if not p.get("available"):
        return ["POSITION  unavailable: " + p["reason"]]
    lines = [f"POSITION  WIND All A, as of {p['as_of']}"]
    prev = p.get("previous_position")
    change = "" if prev is None else (f"  (last week {100 * prev:.0f}%)")
    lines += _rows([
        ("PE (TTM)", f"{p['pe']:.2f}  percentile {p['pe_pct']:.1f}%  (as of {p['pe_date']})"),
        ("PB (median)", f"{p['pb']:.2f}  percentile {p['pb_pct']:.1f}%  (as of {p['pb_date']})"),
        ("valuation", f"{p['valuation_class']}  (rule {p['rule']})"),
        ("regime", p["regime"]),
        ("position", f"{100 * p['position']:.0f}% equity, rest cash{change}")])
    return lines


def _industry_text(ind: dict[str, Any]) -> list[str]:
    if not ind.get("available"):
        return ["INDUSTRIES  unavailable: " + ind["reason"]]
    lines = [f"INDUSTRIES  picks per model, as of {ind['as_of']} (top {ind['k']})"]
    for name, block in ind["models"].items():
        if not block["picks"]:
            lines.append(f"  {name:<10}no picks: {block.get('reason', '')}")
            continue
        picks = ", ".join(f"{p['name'].split(' ')[0]}"
                          f"[{'/'.join(p['etfs'][:2]) if p['etfs'] else '-'}]"
                          for p in block["picks"])
        extra = f" (lead: {block['lead']})" if block.get("lead") else ""
        lines.append(f"  {name:<10}{picks}{extra}")
        if "entered" in block:
            lines.append(f"  {'':<10}vs {block['previous_date']}: in "
                         f"{_names(block['entered'])}; out {_names(block['left'])}")
    lines.append("  [ETF codes in brackets, at most two; '-' = no ETF mapped]")
    return lines


def _names(records: list[dict[str, str]]) -> str:
    return ", ".join((r["name"] or r["code"]).split(" ")[0] for r in records) or "-"


def weekly_text(report: dict[str, Any]) -> str:
    """The weekly page as aligned plain text (what ``quantlib weekly`` prints)."""
    bar = "=" * 78
    parts = [bar, f"quantlib weekly  |  week ending {report['date']}", bar]
    for block in (_market_text(report), _timing_text(report["timing"]),
                  _position_text(report["position"]), _industry_text(report["industries"])):
        parts += [*block, ""]
    parts.append("DATA NOTES")
    parts += [f"  - {n}" for n in report["notes"]]
    return "\n".join(parts)
