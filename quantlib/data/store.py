"""Where cached datasets live, and reading them: the bundled snapshot and user cache directories.

Resolution (see :func:`resolve_read_dir`): an explicit ``cache_dir`` argument, else the
``QUANTLIB_CACHE_DIR`` environment variable, else the bundled snapshot. A user directory only
overrides the datasets its own manifest lists; every other dataset still comes from the bundled
snapshot, so a user who refreshed one dataset keeps all the others.

The bundled snapshot is ``data_cache/`` at the top of a source checkout (editable installs), or
the copy packaged inside the wheel (``quantlib/_bundled_data_cache``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from quantlib.data.cache import contained_path, read_manifest, read_parquet
from quantlib.data.schema import DATASETS, DatasetSpec
from quantlib.errors import (
    CorruptCacheError,
    NotCachedError,
    ReadOnlySnapshotError,
    UnknownDatasetError,
)

__all__ = [
    "ENV_VAR",
    "StoredDataset",
    "bundled_dir",
    "check_writable",
    "default_user_dir",
    "locate",
    "read_stored",
    "user_dir",
]

ENV_VAR = "QUANTLIB_CACHE_DIR"


def _bundled_candidates() -> tuple[Path, Path]:
    here = Path(__file__).resolve()
    return here.parents[2] / "data_cache", here.parents[1] / "_bundled_data_cache"


def bundled_dir() -> Path:
    """Return the directory of the bundled snapshot (source checkout first, then the wheel copy).

    Raises
    ------
    CorruptCacheError
        Neither location holds a ``manifest.json``.
    """
    candidates = _bundled_candidates()
    for cand in candidates:
        if (cand / "manifest.json").exists():
            return cand
    raise CorruptCacheError(
        "the bundled data snapshot is missing (looked in "
        + " and ".join(str(c) for c in candidates)
        + "). Reinstall quantlib from a full clone (`pip install -e .`), or point "
        f"{ENV_VAR} at a cache directory."
    )


def user_dir(cache_dir: str | Path | None = None,
             environ: Mapping[str, str] | None = None) -> Path | None:
    """Return the user cache directory chosen by argument or environment, or ``None``."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    env = os.environ if environ is None else environ
    value = env.get(ENV_VAR, "").strip()
    return Path(value).expanduser() if value else None


def check_writable(directory: Path) -> Path:
    """Return ``directory`` resolved, refusing the bundled snapshot and anything inside it.

    The snapshot is the reference every user cache falls back to and ``git`` tracks; a refresh
    that rewrote it would silently change what everyone's ``load`` returns.

    Raises
    ------
    ReadOnlySnapshotError
    """
    target = Path(directory).expanduser().resolve()
    for snapshot in _bundled_candidates():
        if snapshot.exists() and target.is_relative_to(snapshot.resolve()):
            raise ReadOnlySnapshotError(
                f"cache directory {directory} is (inside) the bundled snapshot {snapshot}, which "
                "refresh never edits. Pass a user directory, e.g. --cache-dir "
                "~/.cache/quantlib (the default).")
    return target


def default_user_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Return where ``refresh`` writes when no directory is given: ``$XDG_CACHE_HOME/quantlib``."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "quantlib"


@dataclass(frozen=True)
class StoredDataset:
    """A dataset's manifest entry and the directory holding it."""

    name: str
    spec: DatasetSpec
    directory: Path
    entry: dict[str, Any]

    @property
    def path(self) -> Path:
        """The dataset's file, checked to lie inside its directory (no ``..``, no symlink out)."""
        return contained_path(self.directory, self.entry["file"],
                              f"manifest {self.directory / 'manifest.json'}, "
                              f"datasets.{self.name}")

    @property
    def is_bundled(self) -> bool:
        try:
            return self.directory == bundled_dir()
        except CorruptCacheError:
            return False


def locate(name: str, cache_dir: str | Path | None = None,
           environ: Mapping[str, str] | None = None) -> StoredDataset:
    """Find which directory serves dataset ``name`` (user directory first, then bundled).

    Raises
    ------
    UnknownDatasetError
        ``name`` is not a quantlib dataset; the message suggests close matches.
    """
    if name not in DATASETS:
        raise UnknownDatasetError(name, DATASETS)
    udir = user_dir(cache_dir, environ)
    if udir is not None:
        entry = read_manifest(udir)["datasets"].get(name)
        if entry is not None:
            return StoredDataset(name, DATASETS[name], udir, entry)
    if not DATASETS[name].bundled:
        where = f"in {udir}" if udir is not None else "in the bundled snapshot"
        raise NotCachedError(
            f"dataset {name!r} is refresh-only: it is not {where}. Fetch it with `quantlib "
            f"data refresh {name} --cache-dir DIR` and pass the same --cache-dir "
            "(or QUANTLIB_CACHE_DIR).")
    bundled = bundled_dir()
    entry = read_manifest(bundled)["datasets"].get(name)
    if entry is None:
        raise CorruptCacheError(
            f"dataset {name!r} is missing from the bundled manifest {bundled / 'manifest.json'}."
            " Rebuild the snapshot with `python scripts/build_data_cache.py`."
        )
    return StoredDataset(name, DATASETS[name], bundled, entry)


def _check_stored_columns(frame: pd.DataFrame, ds: StoredDataset) -> None:
    """The file's columns must be the dataset's schema: a file of another dataset is refused."""
    expected = [*ds.spec.key_columns, *ds.spec.column_names]
    if list(frame.columns) != expected:
        missing = [c for c in expected if c not in frame.columns]
        extra = [c for c in frame.columns if c not in expected]
        raise CorruptCacheError(
            f"cache file {ds.path} does not hold dataset {ds.name!r}: its columns are "
            f"{list(frame.columns)}, the schema says {expected} (missing {missing}, extra "
            f"{extra}). Re-run `quantlib data refresh {ds.name}` into a fresh --cache-dir, or "
            "restore the bundled snapshot with `git checkout -- data_cache/`.")


def read_stored(ds: StoredDataset) -> pd.DataFrame:
    """Read a dataset in storage layout, checking its hash and columns against the manifest
    and the schema."""
    frame = read_parquet(ds.path, ds.entry["sha256"])
    _check_stored_columns(frame, ds)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    return frame
