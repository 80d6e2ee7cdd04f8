"""The backtest tearsheet: what the page shows of a :class:`quantlib.runner.StrategyRun`
(equity vs benchmark, drawdown, weights with the regime, monthly returns, metrics, trades).

Pure: the run comes finished (:func:`quantlib.run_strategy`); files are written by the CLI.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["asset_labels", "asset_names", "equity_frame", "monthly_returns", "tearsheet_context",
           "weights_frame"]


def _industry_names(lang: str) -> dict[str, dict[str, str]]:
    """Table -> code -> name of the bundled industry tables (Chinese name in ``zh``, English
    where the table has one in ``en``)."""
    from quantlib.data.store import bundled_dir

    out: dict[str, dict[str, str]] = {}
    for table in ("sw_l1", "citic_l1"):
        names = pd.read_csv(bundled_dir() / "reference" / f"{table}_names.csv", dtype=str)
        out[table] = {str(r["code"]): (str(r["name_en"]) if lang == "en" and isinstance(
            r.get("name_en"), str) and r["name_en"] else str(r["name_zh"]))
            for _, r in names.iterrows()}
    return out


def asset_names(codes: Any, lang: str = "en") -> dict[str, str]:
    """Code -> display name for the assets that are Shenwan or CITIC L1 industries (Chinese
    name in ``zh``, English where the bundled table has one in ``en``) or mapped ETFs (the
    fund's own Chinese name in both languages); other codes are left out (shown as they
    are)."""
    from quantlib.data.store import bundled_dir

    wanted = {str(c) for c in codes}
    etfs = pd.read_csv(bundled_dir() / "reference" / "etf_map.csv", dtype=str)
    out = {code: name for code, name in zip(etfs["etf_code"], etfs["etf_name"], strict=True)
           if code in wanted and isinstance(name, str) and name}
    return {**out, **{code: name for table in _industry_names(lang).values()
                      for code, name in table.items() if code in wanted}}


def asset_labels(codes: Any, lang: str = "en") -> dict[str, str]:
    """:func:`asset_names`, plus ``"000858 食品饮料"`` for the stocks with a Shenwan L1
    industry in the bundled snapshot (the data has no stock names; the industry is the one
    the stock strategies use, from one ~2022 snapshot)."""
    from quantlib.data.store import bundled_dir

    wanted = {str(c) for c in codes}
    sw = _industry_names(lang)["sw_l1"]
    table = pd.read_csv(bundled_dir() / "reference" / "stock_sw_l1.csv", dtype=str)
    stocks = {str(r.code): f"{r.code} {sw[str(r.sw_code)]}" for r in table.itertuples()
              if str(r.code) in wanted and str(r.sw_code) in sw}
    return {**stocks, **asset_names(codes, lang)}


def _display_name(outcome: Any, lang: str) -> str:
    """The strategy as page titles name it: in zh its declared ``title_zh`` with the code name
    after it (``申万一级行业轮动（行业趋势配置）（industry_rotation）``); else the code name."""
    name = str(outcome.strategy.name)
    if lang != "zh":
        return name
    text = outcome.strategy.text(lang)
    return name if "title_zh" in text["missing"] else f"{text['title']}（{name}）"


def monthly_returns(returns: pd.Series) -> pd.DataFrame:
    """Compounded returns per calendar month: years x months 1..12, plus ``year``.

    ``(1 + r).prod() - 1`` over each month's days; NaN for months outside the run.
    """
    grouped = (1.0 + returns).groupby([returns.index.year, returns.index.month]).prod() - 1.0
    table = grouped.unstack().reindex(columns=range(1, 13))
    table["year"] = (1.0 + returns).groupby(returns.index.year).prod() - 1.0
    return table.rename_axis(index="year", columns="month")


def weights_frame(outcome: Any) -> pd.DataFrame:
    """Weights held at each close (after trading), dates x assets."""
    return outcome.result.positions


def equity_frame(outcome: Any) -> pd.DataFrame:
    """Daily equity, returns and drawdown of the strategy and the benchmark."""
    from quantlib.metrics import to_drawdown_series

    r, b = outcome.result, outcome.benchmark
    return pd.DataFrame({
        "equity": r.equity, "returns": r.returns, "drawdown": to_drawdown_series(r.returns),
        "exposure": r.exposure, "turnover": r.turnover,
        "benchmark_equity": b.equity, "benchmark_returns": b.returns,
        "regime": outcome.regime,
    }).rename_axis("date")


def _benchmark_label(outcome: Any, lang: str) -> str:
    """The benchmark's name in ``lang`` (:meth:`quantlib.strategy.Benchmark.label`)."""
    bench = getattr(outcome.strategy, "benchmark", None)
    if bench is not None and bench.name == outcome.benchmark_name:
        return bench.label(lang)
    from quantlib.i18n import label

    return label(lang, "bench", outcome.benchmark_name)


def _orders_html(outcome: Any, lang: str = "en") -> str:
    """Blocked orders and lot-rounding cash of a CNY stock run ("" for other runs)."""
    from quantlib.i18n import fmt_date, label, tr
    from quantlib.report import tables
    from quantlib.report.orders import order_summary

    summary = order_summary(outcome)
    if summary is None:
        return ""
    parts = [f"<h2>{tr(lang, 't.orders')}</h2>",
             tables.html_table(pd.DataFrame({tr(lang, "o.value"): summary.as_rows(lang)}))]
    if len(summary.examples):
        shown = summary.examples.head(20).assign(
            date=lambda f: [fmt_date(lang, d.date()) for d in f["date"]],
            side=lambda f: [label(lang, "side", v) for v in f["side"]],
            outcome=lambda f: [label(lang, "outcome", v) for v in f["outcome"]])
        shown.columns = [tr(lang, f"t.{c}") for c in shown.columns]
        caption = tr(lang, "t.orders_examples", shown=len(shown), total=len(summary.examples))
        parts += [f"<p>{caption}</p>", tables.html_table(shown)]
    return "\n".join(parts)


def _notes(outcome: Any, lang: str) -> dict[str, Any]:
    """The strategy's notes in ``lang`` and whether its English stands in (no ``notes_zh``):
    the page then says so once and marks the notes ``lang="en"``."""
    text = outcome.strategy.text(lang)
    fallback = "notes_zh" in text["missing"]
    return {"notes": tuple(outcome.notes) if lang == "en" or fallback else text["notes"],
            "notes_fallback": fallback}


def weights_caption(weights: pd.DataFrame, names: dict[str, str], lang: str = "en") -> str:
    """What the weights heatmap shows: how many assets by name, how many in "other" and
    their mean weight together ("" for the stacked area of a few assets)."""
    from quantlib.i18n import fmt_pct, tr
    from quantlib.report.plots import WEIGHTS_STACK_MAX, held_most

    shown, rest = held_most(weights)
    held = len(shown) + len(rest)
    if held <= WEIGHTS_STACK_MAX:
        return ""
    industries = all(str(c) in names for c in (*shown, *rest))
    unit = tr(lang, "t.unit.industry" if industries else "t.unit.asset")
    text = tr(lang, "t.weights_caption", shown=len(shown), held=held, unit=unit)
    if rest:
        together = weights[rest].fillna(0.0).sum(axis=1)
        weekly = together.resample("W-FRI").mean().dropna()  # what the grey row shows
        text += ("" if lang == "zh" else " ") + tr(
            lang, "t.other_caption", other=tr(lang, "t.other"), n=len(rest), unit=unit,
            mean=fmt_pct(float(together.mean()), 1, False),
            max=fmt_pct(float(weekly.max()), 0, False))
    return text


def tearsheet_context(outcome: Any, *, figures: dict[str, str], manifest: dict[str, Any],
                      lang: str = "en", colors: str = "intl",
                      sections: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """Values for ``tearsheet.html``: title, tables as HTML, figures (inline SVG), the
    manifest, in ``lang`` with the ``colors`` convention; ``sections`` are extra
    (title, HTML) blocks placed after the metrics."""
    from quantlib.i18n import fmt_date, tr
    from quantlib.report import tables

    spec = outcome.spec
    trades = outcome.result.trades
    return {
        "title": tr(lang, "t.title", name=_display_name(outcome, lang),
                    start=fmt_date(lang, spec.start), end=fmt_date(lang, spec.end)),
        "strategy": outcome.strategy.name, "lang": lang, "colors": colors,
        "sections": sections or [],
        "params": tables.params_html(dict(spec.params), lang),
        "setup": tables.html_table(tables.setup_table(outcome, lang)),
        "metrics": tables.html_table(tables.metrics_table(outcome.metrics, lang)),
        "monthly": tables.html_table(tables.percent_table(monthly_returns(
            outcome.result.returns), lang)),
        "trades": tables.html_table(tables.trades_table(
            trades, cny=spec.init_cash is not None, lang=lang,
            names=asset_names(trades["asset"].unique(), lang) if len(trades) else {},
            equity=outcome.result.equity)),
        "orders": _orders_html(outcome, lang),
        "weights_caption": weights_caption(outcome.result.positions,
                                           asset_names(outcome.result.positions.columns, lang),
                                           lang),
        "trade_count": str(len(trades)),
        **_notes(outcome, lang),
        "figures": figures,
        "manifest": manifest,
        "nan_check": bool(np.isfinite(outcome.result.equity.to_numpy()).all()),
    }


def tearsheet_figures(outcome: Any, lang: str = "en", colors: str = "intl") -> dict[str, str]:
    """The tearsheet's figures as inline SVG, labelled in ``lang``, coloured by ``colors``."""
    from quantlib.i18n import tr
    from quantlib.metrics import to_drawdown_series
    from quantlib.report import plots
    from quantlib.report.html import figure_svg

    r, b = outcome.result, outcome.benchmark
    names = asset_labels(r.positions.columns, lang)
    figs = {
        "equity": plots.equity_figure(r.equity, b.equity,
                                      benchmark_name=_benchmark_label(outcome, lang),
                                      title=tr(lang, "t.equity_title",
                                               name=_display_name(outcome, lang)), lang=lang),
        "drawdown": plots.drawdown_figure(to_drawdown_series(r.returns),
                                          to_drawdown_series(b.returns), lang=lang,
                                          colors=colors),
        "weights": plots.weights_figure(r.positions, outcome.regime, names=names, lang=lang,
                                        colors=colors),
        "monthly": plots.monthly_heatmap_figure(monthly_returns(r.returns), lang=lang,
                                                colors=colors),
    }
    return {k: figure_svg(f) for k, f in figs.items()}


def tearsheet_sections(outcome: Any, lang: str = "en", colors: str = "intl"
                       ) -> list[tuple[str, str]]:
    """The analytics blocks of the tearsheet after the metrics, as (title, HTML): cumulative
    returns (linear and volatility-matched), trailing returns, yearly returns vs the
    benchmark, risk and distribution statistics, return distributions, rolling statistics,
    the worst drawdown periods and the A-share stress periods (:mod:`.analytics`)."""
    from quantlib.i18n import fmt_date, fmt_pct, tr
    from quantlib.report import analytics as an
    from quantlib.report import plots
    from quantlib.report.html import _img, figure_svg
    from quantlib.report.tables import html_table

    r, b = outcome.result.returns, outcome.benchmark.returns
    d = lambda x: "-" if x is None or x != x else fmt_date(lang, pd.Timestamp(x).date())  # noqa: E731
    pct = lambda v: "-" if v is None or v != v else fmt_pct(v)  # noqa: E731
    strat, bench = tr(lang, "t.strategy"), tr(lang, "t.benchmark")
    bname = _benchmark_label(outcome, lang)
    out = []

    fig = plots.returns_figure(r, b, an.vol_matched(r, b), lang=lang, benchmark_name=bname)
    out.append((tr(lang, "a.returns"), _img(figure_svg(fig), tr(lang, "a.returns"))))

    trail_s, trail_b = an.trailing_returns(r), an.trailing_returns(b)
    trail = pd.DataFrame({strat: {tr(lang, f"a.tr.{k}"): pct(v) for k, v in trail_s.items()},
                          bench: {tr(lang, f"a.tr.{k}"): pct(v) for k, v in trail_b.items()}})
    out.append((tr(lang, "a.trailing", date=d(r.index[-1])), html_table(trail)))

    yearly = an.yearly_table(r, b)
    table = yearly.rename(columns={"strategy": strat, "benchmark": bench,
                                   "excess": tr(lang, "a.excess")}).map(pct)
    table.index.name = tr(lang, "t.year")
    out.append((tr(lang, "a.yearly"), _img(figure_svg(plots.yearly_figure(yearly, lang=lang)),
                                           tr(lang, "a.yearly")) + html_table(table)))

    stats_s, stats_b = an.key_stats(r), an.key_stats(b)
    ratio_keys = ("skew", "kurtosis", "tail_ratio", "omega")
    fmt = lambda k, v: f"{v:.2f}" if k in ratio_keys else (  # noqa: E731
        fmt_pct(v, 1, False) if k in ("psr", "win_rate") else pct(v))
    risk = pd.DataFrame({strat: {tr(lang, f"a.k.{k}"): fmt(k, v) for k, v in stats_s.items()},
                         bench: {tr(lang, f"a.k.{k}"): fmt(k, v) for k, v in stats_b.items()}})
    out.append((tr(lang, "a.risk"), html_table(risk)))

    dist = plots.distribution_figure(r, an.period_returns(r, "ME"), lang=lang, colors=colors)
    out.append((tr(lang, "a.distribution"), _img(figure_svg(dist), tr(lang, "a.distribution"))))

    rolling = an.rolling_stats(r, b)
    roll = plots.rolling_figure(rolling, window=an.ROLLING_WINDOW, lang=lang)
    out.append((tr(lang, "a.rolling", n=an.ROLLING_WINDOW),
                _img(figure_svg(roll), tr(lang, "a.rolling", n=an.ROLLING_WINDOW))))

    dds = an.drawdown_periods(r, top=10)
    cols = ["start", "trough", "end", "recovery", "days", "trading_days", "depth"]
    rows = pd.DataFrame({tr(lang, f"a.dd.{c}"): [
        pct(v) if c == "depth" else str(v) if c in ("days", "trading_days") else
        (tr(lang, "a.not_recovered") if c == "recovery" and (v is None or v != v) else d(v))
        for v in dds[c]] for c in cols}, index=range(1, len(dds) + 1))
    out.append((tr(lang, "a.drawdowns"), html_table(rows)))

    stress = an.stress_returns(r, b)
    if stress.empty:
        body = f"<p>{tr(lang, 'a.stress_none')}</p>"
    else:
        body = html_table(pd.DataFrame({
            tr(lang, "a.period"): [tr(lang, f"a.s.{k}") for k in stress["key"]],
            tr(lang, "a.from"): [d(x) for x in stress["start"]],
            tr(lang, "a.to"): [d(x) for x in stress["end"]],
            strat: [pct(x) for x in stress["strategy"]],
            bench: [pct(x) for x in stress["benchmark"]],
            tr(lang, "a.excess"): [pct(x) for x in stress["excess"]]}).set_index(
                tr(lang, "a.period")))
    out.append((tr(lang, "a.stress"), body + f"<p class=asof>{tr(lang, 'a.stress_note')}</p>"))
    return out
