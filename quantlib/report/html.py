"""HTML rendering: ``render(template, context)`` and inline SVG for figures. No files.

Templates are ``string.Template`` files in ``quantlib/report/templates/`` (``$name``
placeholders). Pages are self-contained: figures are inline SVG whose text stays text (the
browser draws Chinese labels with its own fonts, so no CJK font is needed where the page is
built), no script, no CDN. Labels come from :mod:`quantlib.i18n`; signed percentages carry
the classes ``pos``/``neg`` and regimes ``regime-up``/``regime-down``, coloured by the body's
``colors-cn`` (红涨绿跌) or ``colors-intl`` class.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from importlib import resources
from string import Template
from typing import Any

__all__ = [
    "figure_png",
    "figure_svg",
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


def figure_svg(fig: Any) -> str:
    """Inline ``<svg>`` markup of a matplotlib ``Figure``, text kept as text.

    Matplotlib measures the labels with its own font (DejaVu Sans), which has no Chinese
    glyphs: it warns for each and uses a box of about the same width, which is all layout
    needs; the browser then draws the text with a CJK font. Those warnings are silenced here
    and nowhere else.
    """
    import warnings

    import matplotlib as mpl
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    FigureCanvasSVG(fig)
    buf = io.StringIO()
    with warnings.catch_warnings(), mpl.rc_context({"svg.fonttype": "none",
                                                     "svg.hashsalt": "quantlib"}):
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    # inline in HTML the namespaces are implied; drop them and the RDF metadata so that the
    # page holds no URL at all (nothing a reader could mistake for a remote resource)
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    return re.sub(r'\s+xmlns(:xlink)?="http://www\.w3\.org/[^"]*"', "", text)


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


def _img(src: str, alt: str, caption: str = "") -> str:
    """A figure: inline SVG markup as is, or an image from a data URI; ``caption`` (plain
    text) under it, printed on the same page."""
    cap = f'<figcaption class="asof">{html.escape(caption)}</figcaption>' if caption else ""
    if src.lstrip().startswith("<svg"):
        return f'<figure role="img" aria-label="{html.escape(alt)}">{src}{cap}</figure>'
    return f'<figure><img src="{src}" alt="{html.escape(alt)}">{cap}</figure>'


def _list(items: Any) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(str(i))}</li>" for i in items) + "</ul>"


def _page_vars(lang: str, colors: str) -> dict[str, str]:
    return {"html_lang": "zh-CN" if lang == "zh" else "en", "body_class": f"colors-{colors}"}


def tearsheet_html(ctx: dict[str, Any]) -> str:
    """The tearsheet page from :func:`quantlib.report.tearsheet.tearsheet_context`."""
    from quantlib.i18n import tr

    lang = ctx.get("lang", "en")
    figs = ctx["figures"]
    sections = "".join(
        f'<section class="block"><h2>{html.escape(title)}</h2>{content}</section>'
        for title, content in ctx.get("sections", []))
    return render(template_text("tearsheet.html"), {
        **_page_vars(lang, ctx.get("colors", "intl")),
        "title": html.escape(ctx["title"]),
        "h_setup": tr(lang, "t.setup"), "h_params": tr(lang, "t.params"),
        "h_equity": tr(lang, "t.equity"), "h_drawdown": tr(lang, "t.drawdown"),
        "h_metrics": tr(lang, "t.metrics"), "h_weights": tr(lang, "t.weights"),
        "h_monthly": tr(lang, "t.monthly"), "h_notes": tr(lang, "t.notes"),
        "h_manifest": tr(lang, "t.manifest"), "h_rerun": tr(lang, "t.rerun"),
        "h_trades": html.escape(tr(lang, "t.trades", n=ctx["trade_count"])),
        "notes_source": html.escape(tr(lang, "t.notes_source")),
        "notes_fallback": (f'<p class="fallback">{html.escape(tr(lang, "t.no_zh"))}</p>'
                           if ctx.get("notes_fallback") else ""),
        "notes_lang": ' lang="en"' if ctx.get("notes_fallback") else "",
        "setup": ctx["setup"], "params": ctx["params"], "metrics": ctx["metrics"],
        "equity": _img(figs["equity"], tr(lang, "t.equity")),
        "drawdown": _img(figs["drawdown"], tr(lang, "t.drawdown")),
        "weights": _img(figs["weights"], tr(lang, "t.weights"), ctx.get("weights_caption", "")),
        "heatmap": _img(figs["monthly"], tr(lang, "t.monthly")),
        "monthly": ctx["monthly"], "trades": ctx["trades"], "analytics": sections,
        "trade_count": html.escape(ctx["trade_count"]), "notes": _list(ctx["notes"]),
        "orders": ctx.get("orders", ""),
        "manifest": html.escape(json.dumps(ctx["manifest"], indent=2, ensure_ascii=False)),
    })


def _rows_table(header: list[str], rows: list[list[Any]]) -> str:
    """An HTML table; cells already marked up are passed as ``Markup`` (kept), the rest
    escaped; signed percentages get ``pos``/``neg``."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(c) for c in r) + "</tr>" for r in rows)
    from quantlib.report.tables import LONG_TABLE_ROWS

    cls = "tbl long" if len(rows) > LONG_TABLE_ROWS else "tbl"
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class Markup(str):
    """A string that is already HTML (not escaped again)."""


def _cell(value: Any) -> str:
    if isinstance(value, Markup):
        return f"<td>{value}</td>"
    text = str(value)
    if (text[:1] in "+-" and text.endswith("%") and text[1:2].isdigit()
            and not _ZERO.fullmatch(text[1:])):
        return f'<td class="{"pos" if text[0] == "+" else "neg"}">{html.escape(text)}</td>'
    return f"<td>{html.escape(text)}</td>"


_ZERO = re.compile(r"0(\.0*)?%")


def _pct(v: Any) -> str:
    return "" if v is None else f"{100 * float(v):+.2f}%"


def _signed(text: str) -> str:
    """``text`` (e.g. ``+1.23%``) wrapped in its up/down class."""
    cls = "pos" if text.startswith("+") else "neg" if text.startswith("-") else ""
    return f'<span class="{cls}">{html.escape(text)}</span>' if cls else html.escape(text)


def _regime(lang: str, code: str) -> str:
    from quantlib.i18n import label

    return f'<b class="regime-{html.escape(code)}">{html.escape(label(lang, "regime", code))}</b>'


def _weekly_market(r: dict[str, Any], lang: str) -> str:
    from quantlib.i18n import fmt_date, label, tr
    from quantlib.report.tables import _name

    rows = [[label(lang, "index", m["dataset"]), fmt_date(lang, m["as_of"]), f"{m['close']:,.2f}",
             _pct(m["week_return"]), "" if m["current_week"] else tr(lang, "w.no_data_week")]
            for m in r["market"]]
    out = _rows_table([tr(lang, "f.index"), tr(lang, "f.as_of"), tr(lang, "f.close"),
                       tr(lang, "f.week"), ""], rows)
    ind = r["industry_returns"]
    if ind.get("available", True):
        out += (f"<h3>{html.escape(tr(lang, 'w.sw_head', date=fmt_date(lang, ind['as_of'])))}"
                "</h3>" + _rows_table(
                    [tr(lang, "f.best"), tr(lang, "f.week"), tr(lang, "f.worst"),
                     tr(lang, "f.week")],
                    [[_name(b, lang), _pct(b["week_return"]), _name(w, lang),
                      _pct(w["week_return"])]
                     for b, w in zip(ind["best"], ind["worst"], strict=False)]))
    return out


def _weekly_timing(t: dict[str, Any], lang: str) -> str:
    from quantlib.i18n import fmt_date, tr
    from quantlib.report.tables import timing_rows

    rows = [list(r) for r in timing_rows(t["now"], lang)]
    for row in rows:
        if row[1][:1] in "+-" and row[1].endswith("%"):
            row[1] = Markup(_signed(row[1]))
    prev = t["previous"]
    head = (tr(lang, "w.since_last", date=fmt_date(lang, prev["date"])) if prev
            else tr(lang, "w.since_last_plain"))
    proxy = tr(lang, "w.proxy_data") if t["proxy"] else ""
    return (f"<p class=asof>{html.escape(tr(lang, 'w.as_of', date=fmt_date(lang, t['as_of'])))}"
            f" {html.escape(proxy)}</p>"
            + f"<p>{html.escape(tr(lang, 'f.regime') + tr(lang, 'p.colon'))}"
              f"{_regime(lang, t['now']['regime'])}</p>"
            + _rows_table(["", tr(lang, "f.value")], rows)
            + f"<p>{html.escape(head + tr(lang, 'p.colon').rstrip())}</p>" + _list(t["changes"]))


def _weekly_position(p: dict[str, Any], lang: str) -> str:
    from quantlib.i18n import fmt_date, fmt_pct, label, tr

    if not p.get("available"):
        return f"<p>{html.escape(tr(lang, 'w.unavailable', reason=p['reason']))}</p>"
    d = lambda x: fmt_date(lang, x)  # noqa: E731
    rows = [[tr(lang, "f.pe"), f"{p['pe']:.2f}", fmt_pct(p["pe_percentile"], 1, False),
             d(p["pe_date"])],
            [tr(lang, "f.pb"), f"{p['pb']:.2f}", fmt_pct(p["pb_percentile"], 1, False),
             d(p["pb_date"])]]
    prev = p.get("previous_position")
    change = "" if prev is None else tr(lang, "w.last_week", pos=fmt_pct(prev, 0, False))
    cls = html.escape(label(lang, "valuation", p["valuation_class"]))
    sentence = html.escape(tr(lang, "w.position_sentence", cls="@C@", rule="@R@",
                              regime="@G@", pos="@P@", change=change))
    sentence = (sentence.replace("@C@", f"<b>{cls}</b>")
                .replace("@R@", f"<code>{html.escape(p['rule'])}</code>")
                .replace("@G@", _regime(lang, p["regime"]))
                .replace("@P@", f"<b>{fmt_pct(p['position'], 0, False)}</b>"))
    return (f"<p class=asof>{html.escape(tr(lang, 'w.as_of', date=d(p['as_of'])))}</p>"
            + _rows_table(["", tr(lang, "f.value"), tr(lang, "f.percentile"),
                           tr(lang, "f.as_of")], rows)
            + f"<p>{sentence}</p>")


def _weekly_industries(ind: dict[str, Any], lang: str) -> str:
    from quantlib.i18n import fmt_date, label, tr
    from quantlib.report.tables import _name, _names

    if not ind.get("available"):
        return f"<p>{html.escape(tr(lang, 'w.unavailable', reason=ind['reason']))}</p>"
    top = f"（前{ind['k']}名）" if lang == "zh" else f" (top {ind['k']})"
    out = (f"<p class=asof>{html.escape(tr(lang, 'w.as_of', date=fmt_date(lang, ind['as_of'])))}"
           f"{html.escape(top)}</p>")
    for name, block in ind["models"].items():
        lead = (tr(lang, "w.lead_paren", lead=label(lang, "sleeve", block["lead"]))
                if block.get("lead") else "")
        out += f"<h3>{html.escape(label(lang, 'model', name))}{html.escape(lead)}</h3>"
        if not block["picks"]:
            out += f"<p>{html.escape(tr(lang, 'w.no_picks', reason=block.get('reason', '')))}</p>"
            continue
        out += _rows_table([tr(lang, "f.rank"), tr(lang, "f.code"), tr(lang, "f.name"),
                            tr(lang, "f.score"), tr(lang, "f.etfs")], [
            [p["rank"], p["code"], _name(p, lang), f"{p['score']:.3f}",
             ", ".join(p["etfs"]) or "-"] for p in block["picks"]])
        if "entered" in block:
            out += (f"<p>{html.escape(tr(lang, 'w.vs', date=fmt_date(lang, block['previous_date']), entered=_names(block['entered'], lang), left=_names(block['left'], lang)))}</p>")  # noqa: E501
    return out


def weekly_html(report: dict[str, Any], timing_figure: str | None, *, lang: str | None = None,
                colors: str | None = None) -> str:
    """The weekly page from :func:`quantlib.report.weekly.weekly_report`; ``timing_figure``
    is inline SVG (or a data URI). Printable on A4 (``@media print`` in the stylesheet)."""
    from quantlib.i18n import fmt_date, resolve_colors, tr

    lang = lang or report.get("lang", "en")
    colors = resolve_colors(colors, lang)
    title = tr(lang, "w.title", date=fmt_date(lang, report["date"]))
    sep = " 至 " if lang == "zh" else " .. "
    return render(template_text("weekly.html"), {
        **_page_vars(lang, colors),
        "title": html.escape(title),
        "subtitle": html.escape(fmt_date(lang, report["week_start"]) + sep
                                + fmt_date(lang, report["date"])),
        "h_market": tr(lang, "w.market"), "h_timing": tr(lang, "w.timing"),
        "h_position": tr(lang, "w.position"), "h_industries": tr(lang, "w.industries"),
        "h_notes": tr(lang, "w.notes"), "printed": html.escape(tr(lang, "w.printed")),
        "market": _weekly_market(report, lang), "timing": _weekly_timing(report["timing"], lang),
        "chart": _img(timing_figure, tr(lang, "w.chart_alt")) if timing_figure else "",
        "position": _weekly_position(report["position"], lang),
        "industries": _weekly_industries(report["industries"], lang),
        "notes": _list(report["notes"]),
    })
