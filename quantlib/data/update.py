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
4. Rows on dates already cached are never overwritten; their disagreement with the fetched
   values is measured and reported.
5. The merged frame is validated against the schema, written to a new file, and only then the
   manifest is atomically switched to it. A crash at any point leaves the previous state.

Fetch failures (network down, akshare raising, an empty or malformed frame) raise
:class:`~quantlib.errors.FetchError` naming the dataset, and nothing is written.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from quantlib.data.cache import content_sha256, read_manifest, write_manifest, write_parquet
from quantlib.data.schema import DATASETS, DatasetSpec, validate_stored
from quantlib.data.store import default_user_dir, locate, read_stored, user_dir
from quantlib.errors import FetchError, UnknownDatasetError

__all__ = ["OVERLAP_DAYS", "merge_new_rows", "refresh_dataset"]

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
    if fresh.empty:
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
        fresh[price_cols] = fresh[price_cols] * ratio
        info["junction_ratio"] = ratio
    overlap = new.merge(old, on="date", suffixes=("_new", "_old"))
    diffs = {}
    for col in price_cols:
        a, b = overlap[f"{col}_new"] * info.get("junction_ratio", 1.0), overlap[f"{col}_old"]
        rel = ((a - b).abs() / b.abs()).max()
        if pd.notna(rel):
            diffs[col] = float(rel)
    info["overlap_rows"] = len(overlap)
    info["overlap_max_rel_diff"] = diffs
    return fresh, info


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


def refresh_dataset(name: str, *, cache_dir: str | Path | None = None,
                    fetcher: Fetcher | None = None, end: str | pd.Timestamp | None = None,
                    progress: Callable[[int, int, str], None] | None = None,
                    environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Fetch new rows for ``name`` and append them in the user cache directory.

    Parameters
    ----------
    name : str
        A refreshable dataset (``datasets()`` has a ``refreshable`` column).
    cache_dir : path, optional
        Where to write (default ``QUANTLIB_CACHE_DIR``, else ``~/.cache/quantlib``). The
        bundled snapshot is never modified.
    fetcher : callable, optional
        ``fetcher(name, start, end, progress=...) -> frame`` in storage layout; default the
        akshare fetchers in :mod:`quantlib.data.akshare`. Tests inject recorded frames here.
    end : date-like, optional
        Last date to fetch (default: today).
    progress : callable, optional
        ``progress(done, total, label)`` for a progress bar.

    Returns
    -------
    dict
        ``dataset``, ``directory``, ``new_rows``, ``start``/``end`` after the refresh and the
        per-series splice ``log``.

    Raises
    ------
    UnknownDatasetError, FetchError, DataValidationError, CacheWriteError
    """
    if name not in DATASETS:
        raise UnknownDatasetError(name, DATASETS)
    spec = DATASETS[name]
    if not spec.refreshable:
        raise FetchError(f"dataset {name!r} cannot be refreshed: akshare does not serve it "
                         "(it is a frozen historical export; see docs/data.md).")
    target = _target_dir(cache_dir, environ)
    ds = locate(name, target)
    old = read_stored(ds)
    start = old["date"].max() - pd.Timedelta(days=OVERLAP_DAYS)
    if spec.kind == "panel":
        start = old.groupby("code")["date"].max().min() - pd.Timedelta(days=OVERLAP_DAYS)
    end_ts = pd.Timestamp(end).normalize() if end is not None else None
    fetch = fetcher or _default_fetcher
    try:
        fetched = fetch(name, start, end_ts, progress=progress)
    except FetchError:
        raise
    except Exception as exc:  # the fetcher is user-replaceable: wrap whatever it raises
        raise FetchError(f"refresh of {name!r} failed while fetching: {exc!r}. The cache is "
                         "unchanged; check the network connection and retry.") from exc
    if fetched is None or len(fetched) == 0:
        raise FetchError(f"refresh of {name!r}: the source returned no rows for "
                         f"{start.date()} .. {end_ts.date() if end_ts is not None else 'today'}. "
                         "The cache is unchanged.")
    if name in _ADAPTERS:
        fetched = _ADAPTERS[name](fetched, old, ds.entry)
    validate_stored(fetched, spec, where=f"fetched {name!r} frame")
    merged, log = merge_new_rows(old, fetched, spec)
    new_rows = len(merged) - len(old)
    result: dict[str, Any] = {"dataset": name, "directory": str(target), "new_rows": new_rows,
                              "log": log}
    if new_rows == 0:
        result.update(start=str(old["date"].min().date()), end=str(old["date"].max().date()))
        return result
    validate_stored(merged, spec, where=f"refreshed {name!r}")
    entry = _write(target, name, merged, ds.entry, log)
    result.update(start=entry["start"], end=entry["end"])
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
