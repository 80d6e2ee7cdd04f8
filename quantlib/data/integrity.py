"""``quantlib data verify``: hashes, schema, row counts and calendar gaps of every dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from quantlib.data.calendar import extra_days, missing_days
from quantlib.data.schema import DATASETS, validate_stored
from quantlib.data.store import StoredDataset, locate, read_stored
from quantlib.errors import QuantlibError

__all__ = ["verify_all", "verify_dataset"]


def _gap_report(frame: pd.DataFrame, ds: StoredDataset,
                calendar: pd.DatetimeIndex) -> tuple[list[str], list[str]]:
    """Return (problems, notes): extra non-trading days are problems, missing days notes."""
    problems: list[str] = []
    notes: list[str] = []
    if ds.spec.frequency != "daily" or ds.name == "trading_calendar":
        return problems, notes
    groups = frame.groupby("code")["date"] if ds.spec.kind == "panel" else [(None, frame["date"])]
    missing_total, worst = 0, ""
    for code, dates in groups:
        idx = pd.DatetimeIndex(dates)
        extra = extra_days(idx, calendar)
        if len(extra):
            where = f" (code {code})" if code is not None else ""
            problems.append(f"{len(extra)} non-trading day(s){where}, first {extra[0].date()}")
        miss = missing_days(idx, calendar)
        if len(miss) > 0:
            missing_total += len(miss)
            worst = worst or f"first {miss[0].date()}" + (f" in {code}" if code else "")
    if missing_total:
        notes.append(f"{missing_total} trading day(s) missing inside the range ({worst}); "
                     "see the manifest's gaps/notes")
    return problems, notes


def verify_dataset(name: str, calendar: pd.DatetimeIndex,
                   cache_dir: str | Path | None = None) -> dict[str, Any]:
    """Verify one dataset; never raises for data problems, returns them."""
    report: dict[str, Any] = {"dataset": name, "ok": True, "problems": [], "notes": []}
    try:
        ds = locate(name, cache_dir)
        report["location"] = "bundled" if ds.is_bundled else str(ds.directory)
        frame = read_stored(ds)
        validate_stored(frame, ds.spec)
    except QuantlibError as exc:
        report.update(ok=False, problems=[str(exc)])
        return report
    entry = ds.entry
    checks = {"rows": len(frame), "start": str(frame["date"].min().date()),
              "end": str(frame["date"].max().date())}
    for key, actual in checks.items():
        if entry.get(key) != actual:
            report["problems"].append(
                f"manifest {key}={entry.get(key)!r} but the file has {actual!r}")
    problems, notes = _gap_report(frame, ds, calendar)
    report["problems"] += problems
    report["notes"] += notes
    report["ok"] = not report["problems"]
    report.update(checks)
    return report


def verify_all(cache_dir: str | Path | None = None) -> list[dict[str, Any]]:
    """Verify every dataset (see :func:`verify_dataset`)."""
    from quantlib.data import load

    calendar = load("trading_calendar", cache_dir=cache_dir).index
    return [verify_dataset(name, calendar, cache_dir) for name in DATASETS]
