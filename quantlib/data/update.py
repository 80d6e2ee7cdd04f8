"""Refresh a cached dataset from akshare: append new rows, never lose old ones.

The algorithm, for each series (each code of a panel):

1. Read the cached rows (user cache directory if it holds the dataset, else the bundled
   snapshot, which is never modified by a refresh).
2. Fetch from a couple of weeks before the last cached date, so that the fetched frame overlaps
   the cache by at least one day.
3. Price fields (open/high/low/close) of the new rows are **spliced by returns** at the last
   cached date: ``new_level_t = cached_close_T * fetched_level_t / fetched_close_T``. For an
   index whose fetched levels equal the cached ones the ratio is 1 and nothing changes; for
   forward-adjusted ETF prices (re-based at every dividend) and for the WIND All A proxy
   extension it keeps the series continuous. Other fields are taken as fetched.
4. Rows on dates already cached are never overwritten. Where a fetched value disagrees with
   the cached one by more than :data:`~quantlib.data.rows.OVERLAP_TOLERANCE` (after the splice
   ratio) the refresh is refused naming the rows, unless ``accept_revision`` (the cached
   rows are still kept; the disagreement is recorded in the manifest's refresh log).
5. The merged frame is validated against the schema and the new rows against the row rules
   (:mod:`quantlib.data.rows`), written to a new file, and only then the manifest is
   atomically switched to it. A crash at any point leaves the previous state.

Steps 1-5 after the fetch run holding the cache directory's lock (:mod:`quantlib.data.lock`)
and re-read the cache first, so concurrent refreshes never lose each other's rows; orphans
of crashed runs are removed then. The read that chooses the fetch range also holds the lock,
briefly: without it a concurrent refresh of the same dataset could switch the manifest and
delete the file between the manifest read and the file read (seen once under load). A
refresh-only dataset (``DatasetSpec.bundled=False``) not in the cache starts empty: its first
refresh fetches the whole history. The bundled snapshot is refused as a target.

Fetch failures (network down, akshare raising, an empty or malformed frame) raise
:class:`~quantlib.errors.FetchError` naming the dataset, and nothing is written.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from quantlib._dates import parse_day
from quantlib.data.cache import content_sha256, read_manifest, write_manifest, write_parquet
from quantlib.data.lock import cache_lock, clean_orphans
from quantlib.data.rows import JUMP_LIMITS, OVERLAP_TOLERANCE, holes, row_problems
from quantlib.data.schema import DATASETS, DatasetSpec, check_date_column, validate_stored
from quantlib.data.store import check_writable, default_user_dir, locate, read_stored, user_dir
from quantlib.errors import (
    FetchError,
    MissingExtraError,
    NotCachedError,
    RowValidationError,
    UnknownDatasetError,
)

__all__ = ["OVERLAP_DAYS", "RefreshResult", "merge_new_rows", "refresh_dataset"]


class RefreshResult(TypedDict):
    """What :func:`refresh_dataset` did (``quantlib data refresh`` prints it)."""

    dataset: str
    directory: str  # the user cache written to
    new_rows: int
    start: str | None  # the dataset's span after the refresh
    end: str | None
    log: list[dict[str, Any]]  # per series: rows added, splice factor, revisions (JSON-like)
    holes: list[str]  # trading days missing among the new rows
    notes: list[str]
    orphans_removed: list[str]

#: Calendar days fetched before the last cached date, so fetched and cached frames overlap.
OVERLAP_DAYS = 14
_PRICE_FIELDS = ("open", "high", "low", "close")

Fetcher = Callable[..., pd.DataFrame]


def _default_fetcher(name: str, start: pd.Timestamp, end: pd.Timestamp | None,
                     progress: Callable[[int, int, str], None] | None = None) -> pd.DataFrame:
    from quantlib.data import akshare as ak_fetch

    return ak_fetch.fetch(name, start, end, progress=progress)


def _splice_group(old: pd.DataFrame, new: pd.DataFrame, spec: DatasetSpec,
                  label: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Splice one series' fetched rows onto its cached rows (both sorted by date)."""
    last = old["date"].iloc[-1]
    anchor = new.loc[new["date"] == last]
    fresh = new.loc[new["date"] > last].copy()
    info: dict[str, Any] = {"series": label, "last_cached": str(last.date()),
                            "new_rows": len(fresh)}
    if fresh.empty:  # nothing new (e.g. a concurrent refresh got there first)
        return fresh, info
    price_cols = [c for c in _PRICE_FIELDS if c in spec.column_names]
    if price_cols:
        if anchor.empty or not np.isfinite(anchor["close"].iloc[0]):
            raise FetchError(
                f"{label}: the fetched data does not contain the last cached date "
                f"{last.date()}, so new rows cannot be spliced by returns. Fetch a range that "
                "overlaps the cache (the default does) or check the source's calendar."
            )
        ratio = float(old["close"].iloc[-1]) / float(anchor["close"].iloc[0])
        if "preclose" in spec.column_names:  # raw stock prices: never rescaled
            if abs(ratio - 1.0) > OVERLAP_TOLERANCE:
                raise FetchError(
                    f"{label}: fetched close {float(anchor['close'].iloc[0]):g} on "
                    f"{last.date()} differs from the cached raw close "
                    f"{float(old['close'].iloc[-1]):g}; raw prices are not spliced by a ratio "
                    "(limits and lots need the exchange's prices). Check the source.")
            ratio = 1.0
            fresh["adj_factor"] = chain_factor(old, fresh)
        fresh[price_cols] = fresh[price_cols] * ratio
        info["junction_ratio"] = ratio
    overlap = new.merge(old, on="date", suffixes=("_new", "_old"))
    diffs, revised = {}, []
    for col in _compared_fields(spec):
        a, b = overlap[f"{col}_new"] * info.get("junction_ratio", 1.0), overlap[f"{col}_old"]
        rel = (a - b).abs() / b.abs()
        if rel.notna().any():
            diffs[col] = float(rel.max())
        for i in np.flatnonzero((rel > OVERLAP_TOLERANCE).to_numpy()):
            revised.append(f"{label} {overlap['date'].iloc[i].date()} {col} cached "
                           f"{b.iloc[i]:g}, fetched {a.iloc[i]:g}")
    info["overlap_rows"] = len(overlap)
    info["overlap_max_rel_diff"] = diffs
    if revised:
        info["revised"] = revised
    return fresh, info


def chain_factor(old: pd.DataFrame, fresh: pd.DataFrame) -> pd.Series:
    """Adjustment factor of new stock rows continuing the cached one (one code, by date).

    ``f_t = f_(t-1) x close_(t-1) / preclose_t`` from the last cached row on, so a refreshed
    factor is the factor a single build over the whole history would give.
    """
    prev_close = pd.concat([old["close"].iloc[-1:], fresh["close"].iloc[:-1]]).to_numpy()
    step = prev_close / fresh["preclose"].to_numpy()
    return pd.Series(float(old["adj_factor"].iloc[-1]) * np.cumprod(step), index=fresh.index)


def _compared_fields(spec: DatasetSpec) -> list[str]:
    """Fields whose overlap with the cache is compared: prices, else the jump field."""
    prices = [c for c in _PRICE_FIELDS if c in spec.column_names]
    if prices or spec.name not in JUMP_LIMITS:
        return prices
    return [JUMP_LIMITS[spec.name][0]]


def merge_new_rows(old: pd.DataFrame, fetched: pd.DataFrame,
                   spec: DatasetSpec) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Return ``old`` plus the fetched rows after each series' last cached date, and a log.

    Old rows are kept exactly; see the module docstring for the splice rule.
    """
    fetched = fetched[[*spec.key_columns, *spec.column_names]]
    if spec.kind != "panel":
        fresh, info = _splice_group(old, fetched.sort_values("date"), spec, spec.name)
        merged = pd.concat([old, fresh], ignore_index=True)
        return merged, [info]
    parts, log = [old], []
    for code, new_g in fetched.groupby("code", sort=True):
        old_g = old.loc[old["code"] == code]
        if old_g.empty:  # a code the cache did not have: take it whole
            parts.append(new_g)
            log.append({"series": f"{spec.name}:{code}", "new_rows": len(new_g), "new_code": True})
            continue
        fresh, info = _splice_group(old_g, new_g.sort_values("date"), spec, f"{spec.name}:{code}")
        parts.append(fresh)
        log.append(info)
    merged = pd.concat(parts, ignore_index=True).sort_values(["code", "date"], ignore_index=True)
    return merged, log


def _wind_from_csi(fetched: pd.DataFrame, old: pd.DataFrame,
                   entry: Mapping[str, Any]) -> pd.DataFrame:
    """Turn a fetched CSI All Share (000985) frame into WIND All A proxy rows.

    WIND All A itself is proprietary (akshare cannot serve it). After the last cached day its
    close continues by the return model recorded in the manifest's ``extension`` entry
    (``r_t = intercept + beta * r985_t``, fitted once on real Wind data; plain chaining when the
    entry has none): ``close_t = close_(t-1) * (1 + r_t)``. Open/high/low are the proxy close
    times 000985's open/close, high/close, low/close of that day; amount is 000985's.
    The returned frame starts with an anchor row equal to the last cached close, so the generic
    splice in :func:`merge_new_rows` applies a ratio of exactly 1.
    """
    ext = entry.get("extension") or {}
    intercept = float(ext.get("intercept", 0.0))
    betas = ext.get("betas", [1.0])
    if len(betas) != 1:
        raise FetchError("wind_all_a: the manifest's extension model needs regressors other than "
                         "000985; refresh cannot apply it. Rebuild the snapshot.")
    last = old["date"].max()
    f = fetched.sort_values("date")
    f = f.loc[f["date"] >= last].reset_index(drop=True)
    if f.empty or f["date"].iloc[0] != last:
        raise FetchError(f"wind_all_a: the fetched 000985 data does not contain the last cached "
                         f"date {last.date()}, so the proxy cannot be chained from it.")
    r = intercept + float(betas[0]) * f["close"].pct_change().to_numpy()[1:]
    base = float(old.loc[old["date"] == last, "close"].iloc[0])
    close = base * np.concatenate([[1.0], np.cumprod(1.0 + r)])
    out = pd.DataFrame({"date": f["date"], "close": close})
    for col in ("open", "high", "low"):
        out[col] = close * (f[col] / f["close"]).to_numpy()
    out["amount_cny"] = f["amount_cny"].to_numpy()
    out["source"] = "proxy"
    out["volume_shares"] = np.nan
    out["is_proxy"] = True
    return out


#: Per-dataset adapters from what the fetcher returns to the dataset's storage layout.
_ADAPTERS: dict[str, Callable[[pd.DataFrame, pd.DataFrame, Mapping[str, Any]], pd.DataFrame]] = {
    "wind_all_a": _wind_from_csi,
}


def _target_dir(cache_dir: str | Path | None, environ: Mapping[str, str] | None) -> Path:
    return user_dir(cache_dir, environ) or default_user_dir(environ)


def _refreshable(name: str) -> DatasetSpec:
    if name not in DATASETS:
        raise UnknownDatasetError(name, DATASETS)
    spec = DATASETS[name]
    if not spec.refreshable:
        raise FetchError(f"dataset {name!r} cannot be refreshed: akshare does not serve it "
                         "(it is a frozen historical export; see docs/data.md).")
    return spec


def _fetch_start(old: pd.DataFrame, spec: DatasetSpec) -> pd.Timestamp:
    """A few weeks before the last cached date (of the most behind code of a panel)."""
    last = old.groupby("code")["date"].max().min() if spec.kind == "panel" else old["date"].max()
    return last - pd.Timedelta(days=OVERLAP_DAYS)


def _stored_or_empty(name: str, spec: DatasetSpec, target: Path) -> pd.DataFrame:
    """The cached rows of ``name``; an empty frame for a refresh-only dataset not fetched yet
    (its first refresh fetches the whole history)."""
    try:
        return read_stored(locate(name, target))
    except NotCachedError:
        columns = [*spec.key_columns, *spec.column_names]
        frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
        frame["date"] = pd.Series(dtype="datetime64[ns]")
        if "code" in frame:
            frame["code"] = pd.Series(dtype="object")
        return frame


def _entry_or_empty(name: str, target: Path) -> dict[str, Any]:
    try:
        return dict(locate(name, target).entry)
    except NotCachedError:
        return {}


def _fetch(fetcher: Fetcher | None, name: str, start: pd.Timestamp, end: pd.Timestamp | None,
           progress: Callable[[int, int, str], None] | None) -> pd.DataFrame:
    fetch = fetcher or _default_fetcher
    try:
        fetched = fetch(name, start, end, progress=progress)
    except (FetchError, MissingExtraError):
        raise
    except Exception as exc:  # the fetcher is user-replaceable: wrap whatever it raises
        raise FetchError(f"refresh of {name!r} failed while fetching: {exc!r}. The cache is "
                         "unchanged; check the network connection and retry.") from exc
    if fetched is None or len(fetched) == 0:
        raise FetchError(f"refresh of {name!r}: the source returned no rows for "
                         f"{start.date()} .. {end.date() if end is not None else 'today'}. "
                         "The cache is unchanged.")
    if not isinstance(fetched, pd.DataFrame) or "date" not in fetched:
        raise FetchError(f"refresh of {name!r}: the fetcher returned {type(fetched).__name__} "
                         "without a 'date' column, not a storage-layout frame. The cache is "
                         "unchanged.")
    check_date_column(fetched["date"], f"fetched {name!r} frame")
    return fetched


def _new_rows_mask(merged: pd.DataFrame, old: pd.DataFrame, spec: DatasetSpec) -> np.ndarray:
    keys = spec.key_columns
    return ~pd.MultiIndex.from_frame(merged[keys]).isin(
        pd.MultiIndex.from_frame(old[keys])).astype(bool)


def _refuse(name: str, problems: list[str], only_revisions: bool) -> RowValidationError:
    fix = ("The cache is unchanged. Check the named rows at the source; if they are real "
           "(a revision or a true jump), refresh again with --accept-revision "
           "(accept_revision=True)." if only_revisions else
           "The cache is unchanged: these rows cannot be real market data. Retry later or "
           "report the source problem; nothing is filled or dropped silently.")
    return RowValidationError(f"refresh of {name!r} refused", problems, fix)


def refresh_dataset(name: str, *, cache_dir: str | Path | None = None,
                    fetcher: Fetcher | None = None, end: str | pd.Timestamp | None = None,
                    progress: Callable[[int, int, str], None] | None = None,
                    environ: Mapping[str, str] | None = None, accept_revision: bool = False,
                    today: str | pd.Timestamp | None = None) -> RefreshResult:
    """Fetch new rows for ``name`` and append them in the user cache directory.

    Parameters
    ----------
    name : str
        A refreshable dataset (``datasets()`` has a ``refreshable`` column).
    cache_dir : path, optional
        Where to write (default ``QUANTLIB_CACHE_DIR``, else ``~/.cache/quantlib``). The
        bundled snapshot (or a directory inside it) is refused.
    fetcher : callable, optional
        ``fetcher(name, start, end, progress=...) -> frame`` in storage layout; default the
        akshare fetchers in :mod:`quantlib.data.akshare`. Tests inject recorded frames here.
    end : date-like, optional
        Last date to fetch (default: today).
    progress : callable, optional
        ``progress(done, total, label)`` for a progress bar.
    accept_revision : bool
        Go ahead although fetched values disagree with cached ones on overlapping dates, or a
        new row jumps beyond the dataset's limit (:data:`~quantlib.data.rows.JUMP_LIMITS`).
        Cached rows are still kept; the log records what was accepted.
    today : date-like, optional
        The day rows may not be after (default: the local date). For tests.

    Returns
    -------
    dict
        ``dataset``, ``directory``, ``new_rows``, ``start``/``end`` after the refresh, the
        per-series splice ``log``, ``holes`` (trading days missing among the new rows),
        ``notes`` and ``orphans_removed``.

    Raises
    ------
    UnknownDatasetError, FetchError, DataValidationError, RowValidationError, CacheWriteError,
    ReadOnlySnapshotError, DateRangeError
    """
    spec = _refreshable(name)
    target = check_writable(_target_dir(cache_dir, environ))
    end_ts = parse_day(end, "end") if end is not None else None
    today_ts = parse_day(today, "today") if today is not None else pd.Timestamp.today().normalize()
    with cache_lock(target):  # brief: a concurrent refresh may switch and delete the file
        planned = _stored_or_empty(name, spec, target)  # only to choose the fetch range
    start = _fetch_start(planned, spec) if len(planned) else None  # None: the full history
    fetched = _fetch(fetcher, name, start, end_ts, progress)
    with cache_lock(target):
        removed = clean_orphans(target)
        old = _stored_or_empty(name, spec, target)  # re-read: another refresh may have written
        entry_before = _entry_or_empty(name, target)
        result: RefreshResult = {"dataset": name, "directory": str(target), "new_rows": 0,
                                  "log": [], "holes": [], "notes": [],
                                  "orphans_removed": removed,
                                  "start": str(old["date"].min().date()) if len(old) else None,
                                  "end": str(old["date"].max().date()) if len(old) else None}
        if spec.kind != "panel" and len(old) and fetched["date"].max() <= old["date"].max():
            return result  # nothing after the cache (a concurrent refresh got there first)
        if name in _ADAPTERS:
            fetched = _ADAPTERS[name](fetched, old, entry_before)
        validate_stored(fetched, spec, where=f"fetched {name!r} frame")
        merged, log = merge_new_rows(old, fetched, spec)
        result["new_rows"], result["log"] = len(merged) - len(old), log
        revised = [r for info in log for r in info.get("revised", [])]
        if revised and not accept_revision:
            raise _refuse(name, [f"{len(revised)} overlapping value(s) differ from the cache by "
                                 f"more than {OVERLAP_TOLERANCE:.1%}: " + "; ".join(revised[:5])
                                 + (f" and {len(revised) - 5} more" if len(revised) > 5 else "")],
                          only_revisions=True)
        if result["new_rows"] == 0:
            return result
        validate_stored(merged, spec, where=f"refreshed {name!r}")
        judge = _new_rows_mask(merged, old, spec)
        from quantlib.data.calendar import trading_days

        calendar = trading_days(cache_dir=target)
        problems, notes = row_problems(merged, spec, calendar=calendar, today=today_ts,
                                       judge=judge, allow_jumps=accept_revision)
        if problems:
            raise _refuse(name, problems, only_revisions=all("moves more than" in p
                                                             for p in problems))
        result["holes"], result["notes"] = holes(merged, calendar, judge), notes
        entry = _write(target, name, merged, entry_before, log)
        result["start"], result["end"] = str(entry["start"]), str(entry["end"])
        return result


def _write(target: Path, name: str, merged: pd.DataFrame, old_entry: Mapping[str, Any],
           log: list[dict[str, Any]]) -> dict[str, Any]:
    """Write the merged frame under a new file name, then switch the manifest to it."""
    manifest = read_manifest(target)
    previous = manifest["datasets"].get(name, {}).get("file")
    content = content_sha256(merged)
    file_name = f"{name}-{content[:12]}.parquet"
    sha = write_parquet(merged, target / file_name)
    entry = dict(old_entry)
    entry.update(
        file=file_name, sha256=sha, content_sha256=content, rows=len(merged),
        start=str(merged["date"].min().date()), end=str(merged["date"].max().date()),
    )
    if "code" in merged:
        entry["codes"] = sorted(merged["code"].unique().tolist())
    history = list(entry.get("refreshes", []))
    history.append({"at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                    "new_rows": sum(int(x.get("new_rows", 0)) for x in log), "log": log})
    entry["refreshes"] = history
    manifest["datasets"][name] = entry
    write_manifest(target, manifest)
    if previous and previous != file_name:
        (target / previous).unlink(missing_ok=True)
    return entry
