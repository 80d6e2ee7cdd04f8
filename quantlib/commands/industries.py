"""``quantlib signal industries``: this week's industry picks per rotation model
(docs/rotation.md), with scores and the ETFs that express them.

Module-level imports stay light (click only); pandas and the models load inside the command.
"""

from __future__ import annotations

import json
from typing import Any

import click

from quantlib.cli import CACHE_DIR_OPTION, STALE_DAYS_OPTION, _freshness, _run
from quantlib.i18n import lang_option

MODEL_CHOICES = ("trend", "two_beta", "earnings", "reversal", "blend")
FIELDS = {  # the model fields shown next to the score
    "trend": ("distance", "money_effect"),
    "two_beta": ("beta", "alpha"),
    "earnings": ("growth", "accel"),
    "reversal": ("drawdown", "percentile", "basis", "distance"),
    "blend": ("trend", "two_beta", "earnings", "reversal"),
}


#: Fields that are ratios (fractions in JSON, percentages in text); the rest are scores.
PERCENT_FIELDS = ("distance", "money_effect", "growth", "accel", "drawdown", "alpha",
                  "percentile")

#: Industry universes: the dataset and the models that can run on it. CITIC L1 has no bundled
#: PE history and the TWO BETA sleeves and the ETF map are defined on Shenwan codes, so only
#: the price-based models run there (reversal on its price percentile).
UNIVERSES = {"sw_l1": MODEL_CHOICES, "citic_l1": ("trend", "reversal", "blend")}


def _references(universe: str = "sw_l1") -> tuple[Any, dict[str, tuple[str, str | None]]]:
    import pandas as pd

    from quantlib.data.store import bundled_dir
    from quantlib.report.weekly import industry_names

    ref = bundled_dir() / "reference"
    etf_map = pd.read_csv(ref / "etf_map.csv", dtype=str)
    names = pd.read_csv(ref / f"{universe}_names.csv", dtype=str)
    return etf_map, industry_names(names)


def _inputs(cache_dir: str | None, codes: list[str] | None, universe: str = "sw_l1") -> Any:
    from quantlib import rotation
    from quantlib.data import load

    close = load(universe, columns=["close"], cache_dir=cache_dir)["close"]
    if universe == "sw_l1":  # the stock-based earnings extension, only if it passes its check
        data = rotation.industry_data(close, load("sw_l1_pe_ttm", cache_dir=cache_dir)["pe_ttm"],
                                      cache_dir=cache_dir)
    else:
        data = rotation.IndustryData(close)
    if codes:
        rotation.check_codes(codes, close.columns)
        data = data.select(codes)
    return data


def _coverage(data: Any, universe: str = "sw_l1") -> dict[str, Any]:
    """What each input covers, as translatable sentences (:class:`quantlib.i18n.Message`)."""
    from quantlib.i18n import Message

    close, pe = data.close, data.pe_ttm
    span = lambda index: Message("span", start=index[0].date(), end=index[-1].date())  # noqa: E731
    out: dict[str, Any] = {f"{universe}_close": span(close.index)}
    if pe is not None:
        out["sw_l1_pe_ttm"] = Message("cov.pe", span=span(pe.index))
    if data.earnings_note:
        out["earnings_extension"] = data.earnings_note
    else:
        out["note"] = Message("cov.no_pe")
    return out


def _model_block(name: str, scores: Any, day: Any, k: int, refs: tuple[Any, dict[str, Any]],
                 lang: str = "en") -> dict[str, Any]:
    from quantlib import rotation
    from quantlib.i18n import fmt_date, text, tr
    from quantlib.report.weekly import name_fields

    table = rotation.pick_table(scores, day, k, refs[0])
    covered = bool(scores.covered.loc[day])
    keep = ["rank", "code", "score", *[f for f in FIELDS[name] if f in table], "etfs"]
    picks = json.loads(table[keep].to_json(orient="records", double_precision=15))
    picks = [{"rank": p["rank"], "code": p["code"], **name_fields(refs[1], p["code"]),
              **{k: v for k, v in p.items() if k not in ("rank", "code")}} for p in picks]
    block: dict[str, Any] = {"covered": covered, "note": text(lang, scores.note), "picks": picks}
    if not covered:
        block["reason"] = tr(lang, "r.not_covered", date=fmt_date(lang, day.date()))
    elif table.empty:
        block["reason"] = tr(lang, "r.none_meet")
    if name == "two_beta":
        lead = rotation.lead_names(scores).loc[day]
        block["lead"] = None if lead is None or lead != lead else str(lead)
        block["spread"] = float(scores.fields["sleeves"].loc[day, "spread"])
    return block


def industry_signal(date: str | None, model: str, k: int, cache_dir: str | None,
                    codes: list[str] | None = None, universe: str = "sw_l1",
                    lang: str = "en") -> dict[str, Any]:
    """Compute the picks of ``model`` (or every model for ``"all"``) on one day. Names come
    as ``name_zh`` and ``name_en`` (None where the universe has no English names); ratio
    fields (:data:`PERCENT_FIELDS`) are fractions."""
    from quantlib import rotation
    from quantlib.errors import UnknownNameError

    if universe not in UNIVERSES:
        raise UnknownNameError("industry universe", universe, UNIVERSES)
    available = UNIVERSES[universe]
    if model != "all" and model not in available:
        if model in MODEL_CHOICES:
            raise rotation.RotationParamError(
                f"model {model!r} does not run on {universe}: it needs Shenwan data (industry "
                f"PE or the TWO BETA sleeves). Models for {universe}: {', '.join(available)}.")
        raise UnknownNameError("rotation model", model, (*MODEL_CHOICES, "all"))
    data = _inputs(cache_dir, codes, universe)
    day = rotation.resolve_date(data, date)
    if k > len(data.codes):
        raise rotation.RotationParamError(
            f"k={k} is larger than the universe of {len(data.codes)} industries; pick k <= "
            f"{len(data.codes)}.")
    refs = _references(universe)
    names = available if model == "all" else (model,)
    singles = [n for n in available if n != "blend"]
    parts = {n: rotation.model_scores(n, data) for n in singles
             if n in names or "blend" in names}
    if "blend" in names:
        parts["blend"] = rotation.blend_scores([parts[n] for n in singles])
    from quantlib.i18n import localize

    return {"date": str(day.date()), "k": k, "universe": universe,
            "data": localize(_coverage(data, universe), lang),
            "models": {n: _model_block(n, parts[n], day, k, refs, lang) for n in names}}


def format_text(sig: dict[str, Any], lang: str = "en") -> str:
    """Human-readable picks of :func:`industry_signal`: ratios as percentages, columns
    aligned by display width (a Chinese name counts two columns a character)."""
    from quantlib.i18n import fmt_date, fmt_pct, label, text_table, tr
    from quantlib.report.tables import _name

    lines = [tr(lang, "i.head", date=fmt_date(lang, sig["date"]), k=sig["k"]),
             *["  " + tr(lang, "i.data", name=label(lang, "data", k), value=v)
               for k, v in sig["data"].items()]]
    for name, block in sig["models"].items():
        head = f"\n[{label(lang, 'model', name)}]"
        if "lead" in block:
            head += " " + tr(lang, "i.lead", lead=label(lang, "sleeve", block["lead"]),
                             spread=f"{block['spread']:+.3f}")
        lines.append(head)
        lines.append("  " + tr(lang, "i.rule_source", note=block["note"]))
        if not block["picks"]:
            lines.append("  " + tr(lang, "w.no_picks", reason=block["reason"]))
            continue
        fields = [f for f in block["picks"][0] if f not in
                  ("rank", "code", "name_zh", "name_en", "score", "etfs")]

        def cell(field: str, value: Any) -> str:
            if value is None:
                return "-"
            if field in PERCENT_FIELDS:
                return fmt_pct(value, 2, sign=field != "percentile")
            return f"{value:.4f}"

        header = [tr(lang, "f.rank"), tr(lang, "f.code"), tr(lang, "f.name"),
                  tr(lang, "f.score"),
                  *[label(lang, "model" if f in MODEL_CHOICES else "f", f) for f in fields],
                  tr(lang, "f.etfs")]
        rows = [[p["rank"], p["code"], _name(p, lang), f"{p['score']:.4f}",
                 *[cell(f, p[f]) for f in fields], ",".join(p["etfs"]) or "-"]
                for p in block["picks"]]
        lines += text_table(header, rows, ">><" + ">" * (len(fields) + 1) + "<")
    return "\n".join(lines)


@click.command("industries")
@click.option("--date", "date", default=None,
              help="Day to report (default: the last in the data; later days are refused).")
@click.option("--model", "model", default="all", show_default=True,
              help="Model: " + ", ".join(MODEL_CHOICES) + ", or all.")
@click.option("--k", "k", type=int, default=5, show_default=True, help="Picks per model.")
@click.option("--codes", default=None, help="Comma-separated industry codes to restrict to.")
@click.option("--universe", default="sw_l1", show_default=True,
              help="Industry universe: sw_l1 (all models) or citic_l1 (trend, reversal, blend).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@lang_option
@STALE_DAYS_OPTION
@CACHE_DIR_OPTION
def command(date: str | None, model: str, k: int, codes: str | None, universe: str, fmt: str,
            lang: str | None, stale_days: int | None, cache_dir: str | None) -> None:
    """Shenwan L1 industry picks per rotation model, with scores and ETF codes
    (docs/rotation.md)."""
    def body() -> None:
        import pandas as pd

        from quantlib._dates import check_not_after_data
        from quantlib.data.staleness import last_dates
        from quantlib.i18n import localize, resolve_lang
        from quantlib.report.weekly import stale_notes

        language = resolve_lang(lang)

        if universe in UNIVERSES:  # else industry_signal names the known universes
            end = last_dates((universe,), cache_dir)[universe]
            check_not_after_data(date, pd.Timestamp(end), "--date", universe)
        sig = industry_signal(date, model, k, cache_dir, codes.split(",") if codes else None,
                              universe, language)
        used = (universe, "sw_l1_pe_ttm") if universe == "sw_l1" else (universe,)
        fresh = _freshness(last_dates(used, cache_dir), stale_days)
        if fmt == "json":
            click.echo(json.dumps({**sig, "freshness": localize(fresh, language)}, indent=2,
                                  ensure_ascii=False))
        else:
            click.echo(format_text(sig, language))
            for line in stale_notes(fresh, language):
                click.echo(line)
    _run(body)
