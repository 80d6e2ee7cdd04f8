"""``quantlib data verify``: hashes, schema, row rules, row counts and calendar gaps of every
dataset; ``--fix`` removes orphan files of crashed refreshes from a user cache directory."""

from __future__ import annotations

from pathlib import Path
from typing import NotRequired, TypedDict

import pandas as pd

from quantlib.data.calendar import missing_days
from quantlib.data.rows import row_problems
from quantlib.data.schema import DATASETS, validate_stored
from quantlib.data.store import StoredDataset, check_writable, locate, read_stored
from quantlib.errors import NotCachedError, QuantlibError

__all__ = ["DatasetReport", "fix_orphans", "verify_all", "verify_dataset"]


class DatasetReport(TypedDict):
    """One dataset's verification (``quantlib data verify --format json`` prints these)."""

    dataset: str
    ok: bool
    problems: list[str]
    notes: list[str]
    location: NotRequired[str]  # "bundled" or the user cache directory
    rows: NotRequired[int]  # the next three once the file could be read
    start: NotRequired[str]
    end: NotRequired[str]


def _gap_report(frame: pd.DataFrame, ds: StoredDataset,
                calendar: pd.DatetimeIndex) -> list[str]:
    """Notes on trading days missing inside each series' range (holes are never filled)."""
    notes: list[str] = []
    if ds.spec.frequency != "daily" or ds.name == "trading_calendar":
        return notes
    groups = frame.groupby("code")["date"] if ds.spec.kind == "panel" else [(None, frame["date"])]
    missing_total, worst = 0, ""
    for code, dates in groups:
        idx = pd.DatetimeIndex(dates)
        miss = missing_days(idx, calendar)
        if len(miss) > 0:
            missing_total += len(miss)
            worst = worst or f"first {miss[0].date()}" + (f" in {code}" if code else "")
    if missing_total:
        notes.append(f"{missing_total} trading day(s) missing inside the range ({worst}); "
                     "see the manifest's gaps/notes")
    return notes


def verify_dataset(name: str, calendar: pd.DatetimeIndex,
                   cache_dir: str | Path | None = None,
                   today: pd.Timestamp | None = None) -> DatasetReport:
    """Verify one dataset; never raises for data problems, returns them.

    Problems: hash, schema, manifest rows/start/end, and the row rules of
    :mod:`quantlib.data.rows` (non-positive prices, high < low, non-trading or future dates,
    jumps beyond the dataset's limit). Notes: holes and known quirks.
    """
    report: DatasetReport = {"dataset": name, "ok": True, "problems": [], "notes": []}
    try:
        ds = locate(name, cache_dir)
    except NotCachedError:
        report["notes"].append("refresh-only dataset, not fetched into this cache (nothing to "
                               "verify)")
        return report
    except QuantlibError as exc:
        report["ok"], report["problems"] = False, [str(exc)]
        return report
    try:
        report["location"] = "bundled" if ds.is_bundled else str(ds.directory)
        frame = read_stored(ds)
        validate_stored(frame, ds.spec)
    except QuantlibError as exc:
        report["ok"], report["problems"] = False, [str(exc)]
        return report
    entry = ds.entry
    rows, start, end = len(frame), str(frame["date"].min().date()), str(frame["date"].max().date())
    checks: dict[str, object] = {"rows": rows, "start": start, "end": end}
    for key, actual in checks.items():
        if entry.get(key) != actual:
            report["problems"].append(
                f"manifest {key}={entry.get(key)!r} but the file has {actual!r}")
    problems, notes = row_problems(frame, ds.spec, calendar=calendar,
                                   today=today or pd.Timestamp.today().normalize())
    report["problems"] += problems
    report["notes"] += notes + _gap_report(frame, ds, calendar)
    report["ok"] = not report["problems"]
    report["rows"], report["start"], report["end"] = rows, start, end
    return report


def verify_all(cache_dir: str | Path | None = None,
               today: pd.Timestamp | None = None) -> list[DatasetReport]:
    """Verify every dataset (see :func:`verify_dataset`)."""
    from quantlib.data.calendar import trading_days

    calendar = trading_days(cache_dir=cache_dir)
    return [verify_dataset(name, calendar, cache_dir, today) for name in DATASETS]


def fix_orphans(cache_dir: str | Path) -> list[str]:
    """Remove orphan files of crashed refreshes from a user cache directory (under its lock).

    Raises
    ------
    ReadOnlySnapshotError
        ``cache_dir`` is the bundled snapshot, which is never edited.
    """
    from quantlib.data.lock import cache_lock, clean_orphans

    target = check_writable(Path(cache_dir))
    if not target.is_dir():
        return []
    with cache_lock(target):
        return clean_orphans(target)
