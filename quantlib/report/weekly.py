"""The weekly page: market, timing, position and industries for the week ending on a date.

:func:`load_weekly_inputs` reads the datasets (through :func:`quantlib.data.load`);
:func:`weekly_report` assembles one JSON-able dict from them; :mod:`quantlib.report.tables`
and :mod:`quantlib.report.html` render it. Every block carries the date it rests on: the
datasets end on different days (e.g. Shenwan industries before WIND All A), and the page says
so instead of mixing them silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from quantlib.errors import DataValidationError, QuantlibError
from quantlib.i18n import Message

__all__ = ["BROAD_INDICES", "WeeklyInputs", "load_weekly_inputs", "week_return", "weekly_report"]

#: Broad indices of the market block: dataset -> label.
BROAD_INDICES = {"wind_all_a": "WIND All A (881001)", "csi_all_share": "CSI All Share (000985)",
                 "hs300": "CSI 300 (000300)", "sse_composite": "SSE Composite (000001)"}
#: Datasets whose last date the data notes list.
NOTE_DATASETS = ("wind_all_a", "csi_all_share", "hs300", "sse_composite", "all_a_pb", "sw_l1",
                 "sw_l1_pe_ttm")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class WeeklyInputs:
    """The loaded data of the weekly page.

    Attributes
    ----------
    closes : dict of str -> Series
        Broad index closes (keys of :data:`BROAD_INDICES`).
    wind : DataFrame
        WIND All A ``close``, ``amount_cny``, ``is_proxy``.
    sw_close : DataFrame
        Shenwan L1 closes, dates x codes.
    sw_pe : DataFrame
        Shenwan L1 month-end PE TTM (earnings and reversal models).
    etf_map : DataFrame
        The bundled industry -> ETF table (``reference/etf_map.csv``).
    sw_names : dict
        Code -> (Chinese name, English name).
    data_end : dict
        Dataset -> last date in the data (``YYYY-MM-DD``).
    cache_dir : str or None
        Passed on to the position and industry blocks, which load their own inputs.
    """

    closes: dict[str, pd.Series]
    wind: pd.DataFrame
    sw_close: pd.DataFrame
    sw_pe: pd.DataFrame
    etf_map: pd.DataFrame
    sw_names: dict[str, tuple[str, str | None]]
    data_end: dict[str, str]
    cache_dir: str | Path | None = None


def load_weekly_inputs(cache_dir: str | Path | None = None) -> WeeklyInputs:
    """Read the datasets of the weekly page (hash-checked by :func:`quantlib.data.load`)."""
    from quantlib.data import load
    from quantlib.data.store import bundled_dir, locate

    wind = load("wind_all_a", columns=["close", "amount_cny", "is_proxy"], cache_dir=cache_dir)
    closes = {"wind_all_a": wind["close"].dropna()}
    for name in list(BROAD_INDICES)[1:]:
        closes[name] = load(name, columns=["close"], cache_dir=cache_dir)["close"].dropna()
    sw = load("sw_l1", columns=["close"], cache_dir=cache_dir)["close"]
    pe = load("sw_l1_pe_ttm", cache_dir=cache_dir)["pe_ttm"]
    names = pd.read_csv(bundled_dir() / "reference" / "sw_l1_names.csv", dtype=str)
    etf_map = pd.read_csv(bundled_dir() / "reference" / "etf_map.csv", dtype=str)
    return WeeklyInputs(
        closes=closes, wind=wind, sw_close=sw, sw_pe=pe, etf_map=etf_map,
        sw_names=industry_names(names),
        data_end={n: str(locate(n, cache_dir).entry["end"]) for n in NOTE_DATASETS},
        cache_dir=cache_dir)


def industry_names(names: pd.DataFrame) -> dict[str, tuple[str, str | None]]:
    """Code -> (``name_zh``, ``name_en`` or None) from a ``reference/*_names.csv`` frame."""
    en = names["name_en"] if "name_en" in names else pd.Series(None, index=names.index)
    return {str(c): (str(z), None if e is None or e != e else str(e))
            for c, z, e in zip(names["code"], names["name_zh"], en, strict=True)}


def name_fields(names: dict[str, tuple[str, str | None]], code: str) -> dict[str, Any]:
    """``{"name_zh": ..., "name_en": ...}`` of an industry code (empty strings if unknown)."""
    zh, en = names.get(str(code), ("", None))
    return {"name_zh": zh, "name_en": en}


def _week_start(day: pd.Timestamp) -> pd.Timestamp:
    return day.to_period("W-SUN").start_time


def week_return(close: pd.Series, day: pd.Timestamp) -> dict[str, Any] | None:
    """Return of the calendar week (Mon-Sun) holding the last close on or before ``day``.

    ``close[as_of] / close[base] - 1`` with ``as_of`` the last close <= ``day`` and ``base``
    the last close before that week's Monday. ``None`` without both.
    """
    close = close.dropna()
    upto = close.index[close.index <= day]
    if len(upto) == 0:
        return None
    as_of = upto[-1]
    before = close.index[close.index < _week_start(as_of)]
    if len(before) == 0:
        return None
    base = before[-1]
    return {"as_of": str(as_of.date()), "base": str(base.date()),
            "close": float(close[as_of]), "week_return": float(close[as_of] / close[base] - 1)}


def _market_block(inputs: WeeklyInputs, day: pd.Timestamp) -> list[dict[str, Any]]:
    rows = []
    for name, label in BROAD_INDICES.items():
        r = week_return(inputs.closes[name], day)
        if r is None:
            continue
        stale = _week_start(pd.Timestamp(r["as_of"])) != _week_start(day)
        rows.append({"dataset": name, "index": label, **r, "current_week": not stale})
    return rows


def _industry_returns(inputs: WeeklyInputs, day: pd.Timestamp, n: int) -> dict[str, Any]:
    close = inputs.sw_close
    upto = close.index[close.index <= day]
    if len(upto) == 0:
        return {"available": False, "reason": f"Shenwan L1 data starts {close.index[0].date()}",
                "best": [], "worst": [], "all": []}
    as_of = upto[-1]
    rows = []
    for code in close.columns:
        r = week_return(close[code], as_of)
        if r is not None and r["as_of"] == str(as_of.date()):
            rows.append({"code": str(code), **name_fields(inputs.sw_names, str(code)),
                         "week_return": r["week_return"], "base": r["base"]})
    rows.sort(key=lambda x: x["week_return"], reverse=True)
    return {"available": True, "as_of": str(as_of.date()),
            "current_week": _week_start(as_of) == _week_start(day),
            "count": len(rows), "best": rows[:n], "worst": rows[::-1][:n], "all": rows}


def _timing_block(inputs: WeeklyInputs, day: pd.Timestamp, lang: str) -> dict[str, Any]:
    from quantlib import timing

    close = inputs.wind["close"].dropna()
    turnover = inputs.wind["amount_cny"].reindex(close.index)
    state = timing.timing_state(close, None if turnover.isna().any() else turnover)
    now = timing.snapshot(state, day)
    before = close.index[close.index < _week_start(pd.Timestamp(now["date"]))]
    block: dict[str, Any] = {"index": "wind_all_a", "as_of": now["date"], "now": now,
                             "proxy": bool(inputs.wind.loc[now["date"], "is_proxy"])}
    try:
        prev = timing.snapshot(state, before[-1]) if len(before) else None
    except DataValidationError:
        prev = None
    block["previous"] = prev
    block["changes"] = _timing_changes(now, prev, lang)
    changes = timing.regime_changes(state, before[-1] if len(before) else None, now["date"])
    block["regime_changes"] = [
        {"date": str(d.date()), "from": str(r["previous"]), "to": str(r["regime"])}
        for d, r in changes.iterrows() if len(before) == 0 or d > before[-1]]
    return block


def _timing_changes(now: dict[str, Any], prev: dict[str, Any] | None, lang: str = "en"
                    ) -> list[str]:
    from quantlib.i18n import fmt_date, fmt_pct, label, tr

    if prev is None:
        return [tr(lang, "chg.none")]
    out = []
    reg = lambda r: label(lang, "regime", r)  # noqa: E731
    if now["regime"] != prev["regime"]:
        out.append(tr(lang, "chg.regime", old=reg(prev["regime"]), new=reg(now["regime"])))
    else:
        out.append(tr(lang, "chg.regime_same", regime=reg(now["regime"]),
                      since=fmt_date(lang, now["regime_since"])))
    out.append(tr(lang, "chg.distance", old=fmt_pct(prev["distance"]),
                  new=fmt_pct(now["distance"])))
    if (now["money_effect"] > 0) != (prev["money_effect"] > 0):
        key = "chg.money_pos" if now["money_effect"] > 0 else "chg.money_neg"
        out.append(tr(lang, key, value=fmt_pct(now["money_effect"])))
    side = lambda s: "above" if s["ma_fast"] >= s["trend_line"] else "below"  # noqa: E731
    if side(now) != side(prev):
        out.append(tr(lang, "chg.cross", side=tr(lang, f"timing.{side(now)}")))
    for flag in ("uptrend_broken", "break_confirmed", "downtrend_exited", "volume_shrink"):
        if now.get(flag) != prev.get(flag) and flag in now:
            out.append(tr(lang, "chg.flag_on" if now.get(flag) else "chg.flag_off",
                          flag=tr(lang, f"rule.{flag}")))
    return out


def _reason(exc: Exception) -> str:
    """Why a block is unavailable: the error's :class:`~quantlib.i18n.Message` (rendered in
    the page's language with the rest of the report), else its English text."""
    first = exc.args[0] if exc.args else ""
    return first if isinstance(first, Message) else str(exc)


def _position_block(inputs: WeeklyInputs, day: pd.Timestamp, prev_day: pd.Timestamp | None
                    ) -> dict[str, Any]:
    from quantlib.commands.position import percentile_fractions
    from quantlib.valuation import describe, load_position_state

    try:
        loaded = load_position_state(inputs.cache_dir)
        now = percentile_fractions(describe(*loaded, str(day.date())))
    except QuantlibError as exc:
        return {"available": False, "reason": _reason(exc)}
    block: dict[str, Any] = {"available": True, "as_of": now["date"], **now}
    try:
        prev = describe(*loaded, str(prev_day.date())) if prev_day else None
    except QuantlibError:
        prev = None
    block["previous_position"] = None if prev is None else prev["position"]
    block["previous_date"] = None if prev is None else prev["date"]
    return block


def _picks(scores: Any, day: pd.Timestamp, k: int, inputs: WeeklyInputs, lang: str = "en"
           ) -> dict[str, Any]:
    from quantlib import rotation
    from quantlib.i18n import fmt_date, text, tr

    table = rotation.pick_table(scores, day, k, inputs.etf_map)
    block: dict[str, Any] = {"covered": bool(scores.covered.loc[day]),
                             "note": text(lang, scores.note),
                             "picks": [{"rank": int(r["rank"]), "code": r["code"],
                                        **name_fields(inputs.sw_names, r["code"]),
                                        "score": float(r["score"]),
                                        "etfs": list(r["etfs"])} for _, r in table.iterrows()]}
    if not block["covered"]:
        block["reason"] = tr(lang, "r.not_covered", date=fmt_date(lang, day.date()))
    elif not block["picks"]:
        block["reason"] = tr(lang, "r.none_meet")
    return block


def _industry_block(inputs: WeeklyInputs, day: pd.Timestamp, k: int, lang: str = "en"
                    ) -> dict[str, Any]:
    """Picks per model on the last SW day <= ``day`` and on the week before, with changes.

    The same public functions as ``quantlib signal industries`` (:mod:`quantlib.rotation`),
    each model computed once and read on both days.
    """
    from quantlib import rotation

    try:
        # the stock-based earnings extension is attached only if it passes its check vs Wind
        data = rotation.industry_data(inputs.sw_close, inputs.sw_pe, cache_dir=inputs.cache_dir)
        as_of = rotation.resolve_date(data, day)
    except QuantlibError as exc:
        return {"available": False, "reason": _reason(exc)}
    idx = data.close.index
    before = idx[idx < _week_start(as_of)]
    prev = before[-1] if len(before) else None
    parts = {n: rotation.model_scores(n, data) for n in rotation.MODELS}
    parts["blend"] = rotation.blend_scores(list(parts.values()))
    models = {}
    for name, scores in parts.items():
        block = _picks(scores, as_of, k, inputs, lang)
        if name == "two_beta":
            lead = rotation.lead_names(scores).loc[as_of]
            block["lead"] = None if lead is None or lead != lead else str(lead)
        if prev is not None:
            old = [p["code"] for p in _picks(scores, prev, k, inputs)["picks"]]
            new = [p["code"] for p in block["picks"]]
            block["previous_date"] = str(prev.date())
            named = lambda codes: [{"code": c, **name_fields(inputs.sw_names, c)}  # noqa: E731
                                   for c in codes]
            block["entered"] = named([c for c in new if c not in old])
            block["left"] = named([c for c in old if c not in new])
        models[name] = block
    return {"available": True, "as_of": str(as_of.date()), "k": k,
            "data": {"sw_l1_close": Message("span", start=idx[0].date(), end=idx[-1].date()),
                     "sw_l1_pe_ttm": Message("span", start=inputs.sw_pe.index[0].date(),
                                             end=inputs.sw_pe.index[-1].date()),
                     "earnings_extension": data.earnings_note,
                     "earnings_extension_used": data.earnings_ext is not None},
            "models": models}


def _resolve_day(inputs: WeeklyInputs, date: str | pd.Timestamp | None) -> pd.Timestamp:
    from quantlib._dates import check_not_after_data, parse_day

    close = inputs.closes["wind_all_a"]
    when = close.index[-1] if date is None else parse_day(date, "date")
    check_not_after_data(when if date is not None else None, close.index[-1], "--date",
                         "wind_all_a")
    upto = close.index[close.index <= when]
    if len(upto) == 0:
        raise DataValidationError(
            f"date {when.date()} is before the data: WIND All A starts "
            f"{close.index[0].date()}, and the timing block needs 120 more days of warm-up "
            "(MA120). Pick a later --date.")
    return upto[-1]


def _notes(inputs: WeeklyInputs, report: dict[str, Any], lang: str = "en") -> list[str]:
    from quantlib.i18n import fmt_date, label, tr

    day = report["date"]
    d = lambda x: fmt_date(lang, x)  # noqa: E731
    notes = []
    if report["timing"]["proxy"]:
        notes.append(tr(lang, "n.proxy", date=d(day)))
    for row in report["market"]:
        if not row["current_week"]:
            notes.append(tr(lang, "n.stale_index", index=label(lang, "index", row["dataset"]),
                            date=d(row["as_of"])))
    pos = report["position"]
    if pos.get("available"):
        if pos.get("inputs", "proxy") == "proxy":
            notes.append(tr(lang, "n.position", pe_date=d(pos["pe_date"]),
                            pb_date=d(pos["pb_date"])))
        else:
            notes.append(tr(lang, "n.position_lg", pe_input=pos["pe_input"],
                            pe_date=d(pos["pe_date"]), pb_input=pos["pb_input"],
                            pb_date=d(pos["pb_date"])))
    ind = report["industries"]
    if ind.get("available") and ind["as_of"] != day:
        notes.append(tr(lang, "n.industries", as_of=d(ind["as_of"]), date=d(day)))
    if ind.get("available"):
        earn = ind["models"]["earnings"]
        where = tr(lang, "n.earnings_yes" if earn["covered"] else "n.earnings_no")
        used = ind["data"]["earnings_extension_used"]
        extension = (ind["data"]["earnings_extension"] if lang == "en"
                     else tr(lang, "n.ext_used" if used else "n.ext_unused"))
        notes.append(tr(lang, "n.earnings", span=ind["data"]["sw_l1_pe_ttm"],
                        date=d(ind["as_of"]), where=where, extension=extension))
    notes.append(tr(lang, "n.last_dates", dates=tr(lang, "p.list").join(
        f"{k} {d(v)}" for k, v in inputs.data_end.items())))
    return notes


def stale_notes(fresh: dict[str, Any], lang: str = "en") -> list[str]:
    """The staleness warnings of ``fresh`` (:func:`quantlib.data.staleness.freshness`) in
    ``lang``, one per stale dataset."""
    from quantlib.i18n import text

    return [text(lang, w) for w in fresh["warnings"]]


def weekly_report(inputs: WeeklyInputs, date: str | pd.Timestamp | None = None, *, k: int = 5,
                  n_industries: int = 5, progress: Progress | None = None,
                  stale_days: int | None = None,
                  today: str | pd.Timestamp | None = None, lang: str = "en"
                  ) -> dict[str, Any]:
    """Assemble the weekly page for the week ending on ``date`` (default: WIND All A's last day).

    Parameters
    ----------
    inputs : WeeklyInputs
        From :func:`load_weekly_inputs`.
    date : date-like, optional
        Any day; the last WIND All A trading day on or before it is used.
    k : int
        Industry picks per rotation model.
    n_industries : int
        Best and worst industries listed by weekly return.
    progress : callable, optional
        Called with a step label before each block.
    stale_days, today : optional
        Staleness limit in trading days and the day to measure from (defaults:
        ``QUANTLIB_STALE_DAYS`` or 5, the local date); see :mod:`quantlib.data.staleness`.
    lang : {"en", "zh"}
        Language of the sentences (``changes``, ``notes``, ``reason``); keys, codes and
        numbers are the same in both. Ratios are fractions (0.0123 is 1.23%) everywhere.

    Returns
    -------
    dict
        ``date``, ``week_start``, ``market``, ``industry_returns``, ``timing``, ``position``,
        ``industries``, ``notes``, ``data_end``, ``freshness`` (JSON-able). Position and
        industry blocks that the data cannot support on ``date`` carry ``available: False``
        and the reason.

    Raises
    ------
    DataValidationError
        ``date`` before the data or inside the timing warm-up (the 120-day MA).
    DateRangeError
        ``date`` after WIND All A's last day (it used to resolve silently to that day).
    """
    step = progress or (lambda _label: None)
    day = _resolve_day(inputs, date)
    step("timing")
    report: dict[str, Any] = {"date": str(day.date()),
                              "week_start": str(_week_start(day).date())}
    report["timing"] = _timing_block(inputs, day, lang)
    step("market")
    report["market"] = _market_block(inputs, day)
    report["industry_returns"] = _industry_returns(inputs, day, n_industries)
    step("position")
    prev = report["timing"]["previous"]
    report["position"] = _position_block(inputs, day,
                                         pd.Timestamp(prev["date"]) if prev else None)
    step("industries")
    report["industries"] = _industry_block(inputs, day, k, lang)
    from quantlib.data.staleness import freshness, stale_days_limit

    report["freshness"] = freshness(inputs.data_end, today=today,
                                    limit=stale_days_limit(stale_days))
    report["lang"] = lang
    report["notes"] = _notes(inputs, report, lang) + stale_notes(report["freshness"], lang)
    report["data_end"] = dict(inputs.data_end)
    from quantlib.i18n import localize

    return localize(report, lang)
