"""Cached real market data: ``load``, ``datasets``, ``refresh``, ``verify``.

quantlib ships a hashed snapshot of real market data (``data_cache/``, built by
``scripts/build_data_cache.py``; see ``docs/data.md``). ``load`` reads it; ``refresh`` appends
new rows fetched through akshare into a user cache directory without losing old ones.

Examples
--------
>>> from quantlib import data
>>> close = data.load("wind_all_a", start="2020-01-01", columns=["close"])["close"]
>>> sw = data.load("sw_l1", start="2024-01-01")["close"]  # dates x 31 industry codes
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import pandas as pd

from quantlib.data.schema import DATASETS, DatasetSpec
from quantlib.data.store import StoredDataset, locate, read_stored
from quantlib.errors import DateRangeError, NotCachedError, UnknownNameError

if TYPE_CHECKING:
    from quantlib.data.integrity import DatasetReport
    from quantlib.data.update import RefreshResult

__all__ = ["DATASETS", "datasets", "load", "refresh", "to_storage", "to_wide", "verify"]

DateLike: TypeAlias = str | pd.Timestamp | None


def _timestamp(value: DateLike, what: str) -> pd.Timestamp | None:
    from quantlib._dates import parse_day

    return None if value is None else parse_day(value, what)


def _check_range(name: str, frame: pd.DataFrame, start: pd.Timestamp | None,
                 end: pd.Timestamp | None) -> None:
    if start is not None and end is not None and start > end:
        raise DateRangeError(
            f"start {start.date()} is after end {end.date()}; swap them or drop one."
        )
    first, last = frame["date"].min(), frame["date"].max()
    if (start is not None and start > last) or (end is not None and end < first):
        raise DateRangeError(
            f"dataset {name!r} covers {first.date()} .. {last.date()}; the requested range "
            f"{start.date() if start is not None else '...'} .. "
            f"{end.date() if end is not None else '...'} does not overlap it. "
            f"Choose dates inside the data, or run `quantlib data refresh {name}` for newer rows."
        )


def _select(frame: pd.DataFrame, spec: DatasetSpec, columns: Sequence[str] | None,
            codes: Sequence[str] | None) -> pd.DataFrame:
    if isinstance(columns, str):
        columns = [columns]
    if columns is not None:
        for col in columns:
            if col not in spec.column_names:
                raise UnknownNameError(f"column of dataset {spec.name!r}", col, spec.column_names)
        frame = frame[[*spec.key_columns, *columns]]
    if codes is not None:
        if spec.kind != "panel":
            raise DateRangeError(f"dataset {spec.name!r} is a single series; it has no codes.")
        known = set(frame["code"].unique())
        unknown = [str(c) for c in codes if c not in known]
        if unknown:
            raise UnknownNameError(f"code of dataset {spec.name!r}", unknown[0], known,
                                   unknown=unknown, listing="list them with `quantlib data "
                                   f"show {spec.name} --list-codes`")
        frame = frame[frame["code"].isin(list(codes))]
    return frame


def to_wide(frame: pd.DataFrame, spec: DatasetSpec) -> pd.DataFrame:
    """Turn a storage-layout frame into the in-memory layout (see :mod:`quantlib.data.schema`)."""
    if spec.kind != "panel":
        return frame.set_index("date").rename_axis("date")
    fields = [c for c in frame.columns if c not in ("code", "date")]
    wide = frame.pivot(index="date", columns="code", values=fields)
    wide.columns = wide.columns.set_names(["field", "code"])
    for col in spec.columns:  # pivot turns bool/str columns into object; restore the dtype
        if col.name in fields and col.dtype == "float64":
            wide[col.name] = wide[col.name].astype("float64")
    return wide[[f for f in spec.column_names if f in fields]]  # schema order of fields


def to_storage(wide: pd.DataFrame, spec: DatasetSpec) -> pd.DataFrame:
    """Inverse of :func:`to_wide` for panels (rows where every field is NaN are dropped)."""
    if spec.kind != "panel":
        return wide.rename_axis("date").reset_index()
    long = wide.stack(level="code", future_stack=True).reset_index()
    long = long.dropna(how="all", subset=[c for c in long.columns if c not in ("date", "code")])
    return long[["code", "date", *spec.column_names]].sort_values(["code", "date"])


def load(name: str, start: DateLike = None, end: DateLike = None,
         columns: Sequence[str] | None = None, *, codes: Sequence[str] | None = None,
         cache_dir: str | Path | None = None) -> pd.DataFrame:
    """Load a cached dataset, checked against its manifest hash.

    Parameters
    ----------
    name : str
        Dataset name; ``datasets()`` lists them.
    start, end : date-like, optional
        Inclusive date bounds.
    columns : sequence of str, optional
        Fields to keep (default all).
    codes : sequence of str, optional
        Panels only: the codes (industries, ETFs ...) to keep.
    cache_dir : path, optional
        A user cache directory that overrides the bundled snapshot for the datasets it holds
        (default: the ``QUANTLIB_CACHE_DIR`` environment variable, if set).

    Returns
    -------
    pandas.DataFrame
        Series datasets: indexed by ``date``, one column per field. Panels: indexed by
        ``date`` with ``(field, code)`` columns, so ``frame["close"]`` is dates x codes.
        ``frame.attrs["quantlib"]`` says what the prices are (:func:`asset_attrs`); it
        survives column selection, so ``run(frame["close"], ...)`` knows the asset kind.

    Raises
    ------
    UnknownDatasetError, DateRangeError, CorruptCacheError, UnknownNameError
    """
    ds = locate(name, cache_dir)
    start_ts, end_ts = _timestamp(start, "start"), _timestamp(end, "end")
    frame = read_stored(ds)
    _check_range(name, frame, start_ts, end_ts)
    mask = pd.Series(True, index=frame.index)
    if start_ts is not None:
        mask &= frame["date"] >= start_ts
    if end_ts is not None:
        mask &= frame["date"] <= end_ts
    frame = _select(frame[mask.to_numpy()], ds.spec, columns, codes)
    wide = to_wide(frame.reset_index(drop=True), ds.spec)
    wide.attrs["quantlib"] = asset_attrs(ds.spec)
    return wide


def asset_attrs(spec: DatasetSpec) -> dict[str, str | None]:
    """Return the ``frame.attrs["quantlib"]`` entry of a dataset's frames.

    Plain strings only (pandas compares ``attrs`` with ``==`` when concatenating):
    ``dataset``, ``asset_kind`` (index / etf / stock / None) and ``price_basis`` (raw /
    forward_adjusted). :func:`quantlib.backtest.run` reads the kind and the price basis.
    """
    return {"dataset": spec.name, "asset_kind": spec.asset_kind,
            "price_basis": spec.price_basis}


def datasets(cache_dir: str | Path | None = None) -> pd.DataFrame:
    """List every dataset with its range, size, origin directory and proxy note."""
    rows = []
    for name in DATASETS:
        try:
            ds: StoredDataset = locate(name, cache_dir)
        except NotCachedError:  # refresh-only, not fetched into this cache yet
            continue
        e = ds.entry
        rows.append({
            "name": name, "kind": ds.spec.kind, "frequency": ds.spec.frequency,
            "start": e.get("start"), "end": e.get("end"), "rows": e.get("rows"),
            "codes": len(e.get("codes", [])) or None,
            "proxy": bool(ds.spec.proxy_note), "refreshable": ds.spec.refreshable,
            "location": "bundled" if ds.is_bundled else str(ds.directory),
            "description": ds.spec.description,
        })
    return pd.DataFrame(rows).set_index("name")


def refresh(name: str, **kwargs: Any) -> RefreshResult:
    """Append new rows from akshare; see :func:`quantlib.data.update.refresh_dataset`."""
    from quantlib.data.update import refresh_dataset

    return refresh_dataset(name, **kwargs)


def verify(cache_dir: str | Path | None = None) -> list[DatasetReport]:
    """Check hashes, schema and calendar gaps; see :func:`quantlib.data.integrity.verify_all`."""
    from quantlib.data.integrity import verify_all

    return verify_all(cache_dir)
