"""``quantlib signal industries``: this week's industry picks per rotation model (models.md
section 3), with scores and the ETFs that express them.

Module-level imports stay light (click only); pandas and the models load inside the command.
"""

from __future__ import annotations

import json
from typing import Any

import click

from quantlib.cli import CACHE_DIR_OPTION, _run, _wide_pandas

MODEL_CHOICES = ("trend", "two_beta", "earnings", "reversal", "blend")
FIELDS = {  # the model fields shown next to the score
    "trend": ("distance", "money_effect"),
    "two_beta": ("beta", "alpha"),
    "earnings": ("growth", "accel"),
    "reversal": ("drawdown", "percentile", "basis", "distance"),
    "blend": ("trend", "two_beta", "earnings", "reversal"),
}


def _references() -> tuple[Any, dict[str, str]]:
    import pandas as pd

    from quantlib.data.store import bundled_dir

    ref = bundled_dir() / "reference"
    etf_map = pd.read_csv(ref / "etf_map.csv", dtype=str)
    names = pd.read_csv(ref / "sw_l1_names.csv", dtype=str)
    return etf_map, dict(zip(names["code"], names["name_zh"] + " " + names["name_en"],
                             strict=True))


def _inputs(cache_dir: str | None, codes: list[str] | None) -> Any:
    from quantlib import rotation
    from quantlib.data import load

    close = load("sw_l1", columns=["close"], cache_dir=cache_dir)["close"]
    pe = load("sw_l1_pe_ttm", cache_dir=cache_dir)["pe_ttm"]
    if codes:
        rotation.check_codes(codes, close.columns)
        close, pe = close[codes], pe.reindex(columns=codes)
    return rotation.IndustryData(close, pe)


def _coverage(data: Any) -> dict[str, str]:
    close, pe = data.close, data.pe_ttm
    return {"sw_l1_close": f"{close.index[0].date()} .. {close.index[-1].date()}",
            "sw_l1_pe_ttm": f"{pe.index[0].date()} .. {pe.index[-1].date()} (Wind, loss-makers "
                            "excluded; used by earnings and by reversal's PE percentile)"}


def _model_block(name: str, scores: Any, day: Any, k: int, refs: tuple[Any, dict[str, str]]
                 ) -> dict[str, Any]:
    from quantlib import rotation

    table = rotation.pick_table(scores, day, k, refs[0], refs[1])
    covered = bool(scores.covered.loc[day])
    keep = ["rank", "code", "name", "score", *[f for f in FIELDS[name] if f in table], "etfs"]
    block: dict[str, Any] = {"covered": covered, "note": scores.note,
                             "picks": json.loads(table[keep].to_json(orient="records"))}
    if not covered:
        block["reason"] = (f"the model has no data on {day.date()} (outside the coverage in "
                           "the rule line); it makes no picks there and has no fallback")
    elif table.empty:
        block["reason"] = "no industry meets the model's conditions on this day"
    if name == "two_beta":
        lead = rotation.lead_names(scores).loc[day]
        block["lead"] = None if lead is None or lead != lead else str(lead)
        block["spread"] = float(scores.fields["sleeves"].loc[day, "spread"])
    return block


def industry_signal(date: str | None, model: str, k: int, cache_dir: str | None,
                    codes: list[str] | None = None) -> dict[str, Any]:
    """Compute the picks of ``model`` (or every model for ``"all"``) on one day."""
    from quantlib import rotation
    from quantlib.errors import UnknownNameError

    if model != "all" and model not in MODEL_CHOICES:
        raise UnknownNameError("rotation model", model, (*MODEL_CHOICES, "all"))
    data = _inputs(cache_dir, codes)
    day = rotation.resolve_date(data, date)
    if k > len(data.codes):
        raise rotation.RotationParamError(
            f"k={k} is larger than the universe of {len(data.codes)} industries; pick k <= "
            f"{len(data.codes)}.")
    refs = _references()
    names = MODEL_CHOICES if model == "all" else (model,)
    parts = {n: rotation.model_scores(n, data) for n in MODEL_CHOICES[:-1]
             if n in names or "blend" in names}
    if "blend" in names:
        parts["blend"] = rotation.blend_scores([parts[n] for n in MODEL_CHOICES[:-1]])
    return {"date": str(day.date()), "k": k, "data": _coverage(data),
            "models": {n: _model_block(n, parts[n], day, k, refs) for n in names}}


def format_text(sig: dict[str, Any]) -> str:
    """Human-readable picks of :func:`industry_signal`."""
    import pandas as pd

    lines = [f"industry picks, {sig['date']} (top {sig['k']})",
             *[f"  data {k}: {v}" for k, v in sig["data"].items()]]
    for name, block in sig["models"].items():
        head = f"\n[{name}]"
        if "lead" in block:
            head += f" leading sleeve: {block['lead']} (spread {block['spread']:+.3f})"
        lines.append(head)
        lines.append(f"  rule: {block['note']}")
        if not block["picks"]:
            lines.append(f"  no picks: {block['reason']}")
            continue
        table = pd.DataFrame(block["picks"])
        for col in table.columns.difference(["rank", "code", "name", "etfs"]):
            table[col] = pd.to_numeric(table[col])
        table["etfs"] = table["etfs"].map(lambda e: ",".join(e) if e else "-")
        with _wide_pandas():
            text = table.to_string(index=False, float_format=lambda v: f"{v:.4f}")
        lines += ["  " + line for line in text.splitlines()]
    return "\n".join(lines)


@click.command("industries")
@click.option("--date", "date", default=None, help="Day to report (default: last in the data).")
@click.option("--model", "model", default="all", show_default=True,
              help="Model: " + ", ".join(MODEL_CHOICES) + ", or all.")
@click.option("--k", "k", type=int, default=5, show_default=True, help="Picks per model.")
@click.option("--codes", default=None, help="Comma-separated SW L1 codes to restrict to.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@CACHE_DIR_OPTION
def command(date: str | None, model: str, k: int, codes: str | None, fmt: str,
            cache_dir: str | None) -> None:
    """Shenwan L1 industry picks per rotation model, with scores and ETF codes (section 3)."""
    def body() -> None:
        sig = industry_signal(date, model, k, cache_dir, codes.split(",") if codes else None)
        click.echo(json.dumps(sig, indent=2, ensure_ascii=False) if fmt == "json"
                   else format_text(sig))
    _run(body)
