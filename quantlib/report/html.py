"""HTML rendering: ``render(template, context)`` and PNG data URIs for figures. No files.

Templates are ``string.Template`` files in ``quantlib/report/templates/`` (``$name``
placeholders). Pages are self-contained: figures are embedded PNGs, no script, no CDN.
"""

from __future__ import annotations

import base64
import html
import io
import json
from importlib import resources
from string import Template
from typing import Any

__all__ = [
    "figure_png",
    "png_data_uri",
    "render",
    "tearsheet_html",
    "template_text",
    "weekly_html",
]


def figure_png(fig: Any, dpi: int = 110) -> bytes:
    """PNG bytes of a matplotlib ``Figure`` (Agg canvas, in memory)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def png_data_uri(png: bytes) -> str:
    """``data:image/png;base64,...`` of ``png``."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def template_text(name: str) -> str:
    """The text of template ``name`` shipped with quantlib."""
    return resources.files("quantlib.report").joinpath("templates", name).read_text("utf-8")


def render(template: str, context: dict[str, str]) -> str:
    """Substitute ``$key`` placeholders of ``template`` with ``context`` values (raises
    ``KeyError`` on a missing key: no silent blanks). ``$style`` is the shared stylesheet
    ``templates/style.css`` unless the context sets it."""
    return Template(template).substitute({"style": template_text("style.css"), **context})


def _img(uri: str, alt: str) -> str:
    return f'<figure><img src="{uri}" alt="{html.escape(alt)}"></figure>'


def _list(items: Any) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(str(i))}</li>" for i in items) + "</ul>"


def tearsheet_html(ctx: dict[str, Any]) -> str:
    """The tearsheet page from :func:`quantlib.report.tearsheet.tearsheet_context`."""
    figs = ctx["figures"]
    return render(template_text("tearsheet.html"), {
        "title": html.escape(ctx["title"]),
        "setup": ctx["setup"], "params": ctx["params"], "metrics": ctx["metrics"],
        "equity": _img(figs["equity"], "equity vs benchmark"),
        "drawdown": _img(figs["drawdown"], "drawdown"),
        "weights": _img(figs["weights"], "weights over time with the regime strip"),
        "heatmap": _img(figs["monthly"], "monthly returns heatmap"),
        "monthly": ctx["monthly"], "trades": ctx["trades"],
        "trade_count": html.escape(ctx["trade_count"]), "notes": _list(ctx["notes"]),
        "orders": ctx.get("orders", ""),
        "manifest": html.escape(json.dumps(ctx["manifest"], indent=2, ensure_ascii=False)),
    })


def _rows_table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>"
                   for r in rows)
    return f'<table class="tbl"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _pct(v: Any) -> str:
    return "" if v is None else f"{100 * float(v):+.2f}%"


def _weekly_market(r: dict[str, Any]) -> str:
    rows = [[m["index"], m["as_of"], f"{m['close']:,.2f}", _pct(m["week_return"]),
             "" if m["current_week"] else "no data this week"] for m in r["market"]]
    out = _rows_table(["index", "as of", "close", "week", ""], rows)
    ind = r["industry_returns"]
    if ind.get("available", True):
        out += (f"<h3>Shenwan L1 industries, week ending {html.escape(ind['as_of'])}</h3>"
                + _rows_table(["best", "week", "worst", "week"], [
                    [b["name"], _pct(b["week_return"]), w["name"], _pct(w["week_return"])]
                    for b, w in zip(ind["best"], ind["worst"], strict=False)]))
    return out


def _weekly_timing(t: dict[str, Any]) -> str:
    s = t["now"]
    rows = [["close", f"{s['close']:,.2f}"], ["MA5", f"{s['ma_fast']:,.2f}"],
            ["MA20", f"{s['ma_short']:,.2f}"], ["MA120", f"{s['ma_long']:,.2f}"],
            ["distance", f"{100 * s['distance']:+.2f}% (threshold ±3%)"],
            ["trend line", f"{s['trend_line']:,.2f}"],
            ["money effect", f"{100 * s['money_effect']:+.2f}%"],
            ["regime", f"{s['regime']} since {s['regime_since']} ({s['regime_days']} days); "
                       f"raw {s['raw_regime']}"]]
    return (f"<p class=asof>as of {html.escape(t['as_of'])}{' (proxy data)' if t['proxy'] else ''}"
            "</p>" + _rows_table(["", "value"], rows)
            + "<p>Since last week:</p>" + _list(t["changes"]))


def _weekly_position(p: dict[str, Any]) -> str:
    if not p.get("available"):
        return f"<p>unavailable: {html.escape(p['reason'])}</p>"
    rows = [["PE (TTM)", f"{p['pe']:.2f}", f"{p['pe_pct']:.1f}%", p["pe_date"]],
            ["PB (median)", f"{p['pb']:.2f}", f"{p['pb_pct']:.1f}%", p["pb_date"]]]
    prev = p.get("previous_position")
    last = "" if prev is None else f" (last week {100 * prev:.0f}%)"
    return (f"<p class=asof>as of {html.escape(p['as_of'])}</p>"
            + _rows_table(["", "value", "percentile", "as of"], rows)
            + f"<p>valuation <b>{html.escape(p['valuation_class'])}</b> (rule "
              f"{html.escape(p['rule'])}), regime <b>{html.escape(p['regime'])}</b>: "
              f"position <b>{100 * p['position']:.0f}%</b> equity{last}.</p>")


def _weekly_industries(ind: dict[str, Any]) -> str:
    if not ind.get("available"):
        return f"<p>unavailable: {html.escape(ind['reason'])}</p>"
    out = f"<p class=asof>as of {html.escape(ind['as_of'])} (top {ind['k']})</p>"
    for name, block in ind["models"].items():
        lead = f" (leading sleeve: {block['lead']})" if block.get("lead") else ""
        out += f"<h3>{html.escape(name)}{html.escape(lead)}</h3>"
        if not block["picks"]:
            out += f"<p>no picks: {html.escape(block.get('reason', ''))}</p>"
            continue
        out += _rows_table(["rank", "code", "name", "score", "ETFs"], [
            [p["rank"], p["code"], p["name"], f"{p['score']:.3f}", ", ".join(p["etfs"]) or "-"]
            for p in block["picks"]])
        if "entered" in block:
            names = lambda rs: ", ".join(r["name"] for r in rs) or "-"  # noqa: E731
            out += (f"<p>vs {html.escape(block['previous_date'])}: in "
                    f"{html.escape(names(block['entered']))}; out "
                    f"{html.escape(names(block['left']))}</p>")
    return out


def weekly_html(report: dict[str, Any], timing_png: str | None) -> str:
    """The weekly page from :func:`quantlib.report.weekly.weekly_report`."""
    return render(template_text("weekly.html"), {
        "title": f"quantlib weekly, week ending {html.escape(report['date'])}",
        "market": _weekly_market(report), "timing": _weekly_timing(report["timing"]),
        "chart": _img(timing_png, "WIND All A with moving averages") if timing_png else "",
        "position": _weekly_position(report["position"]),
        "industries": _weekly_industries(report["industries"]),
        "notes": _list(report["notes"]),
    })
