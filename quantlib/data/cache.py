"""Parquet files and the manifest: atomic writes, hashes, reads. Knows nothing about akshare.

A cache directory holds ``manifest.json`` and one ``<name>.parquet`` per dataset (layout in
:mod:`quantlib.data.schema`). Every write goes to a temporary file in the same directory,
is flushed and fsynced, then renamed over the target, so a crash mid-write leaves the old
file intact. Every read checks the file's sha256 against the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from quantlib.errors import CacheWriteError, CorruptCacheError

__all__ = [
    "MANIFEST_NAME",
    "atomic_write_bytes",
    "content_sha256",
    "read_manifest",
    "read_parquet",
    "sha256_file",
    "write_manifest",
    "write_parquet",
]

MANIFEST_NAME = "manifest.json"
_REBUILD_HINT = (
    "Rebuild the bundled snapshot with `python scripts/build_data_cache.py` (needs "
    "../shared/data), "
    "restore it with `git checkout -- data_cache/`, or re-run `quantlib data refresh NAME` for a "
    "user cache."
)


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def content_sha256(frame: pd.DataFrame) -> str:
    """Return a hash of a frame's values that does not depend on the parquet writer version.

    The frame is rendered as CSV with 12 significant digits, ISO dates and ``\\n`` line ends;
    the hash is the sha256 of that text. Used to compare a rebuild with the manifest when the
    installed pyarrow differs from the one that wrote the snapshot.
    """
    text = frame.to_csv(index=False, float_format="%.12g", date_format="%Y-%m-%d",
                        lineterminator="\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def atomic_write_bytes(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file atomically: ``write(tmp)`` then fsync and rename over ``path``.

    Raises
    ------
    CacheWriteError
        The directory cannot be created or written; the message names it.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise CacheWriteError(
            f"cannot write to cache directory {path.parent}: {exc.strerror or exc}. Choose a "
            "writable directory with --cache-dir or the QUANTLIB_CACHE_DIR environment variable."
        ) from exc
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; cache files are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_parquet(frame: pd.DataFrame, path: Path) -> str:
    """Write ``frame`` (storage layout, no index) atomically; return the file's sha256.

    The pandas metadata is stripped from the arrow schema so that the bytes depend only on the
    values and on the pyarrow version (recorded in the manifest), not on the pandas version.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(None)

    def _write(tmp: Path) -> None:
        pq.write_table(table, tmp, compression="zstd", compression_level=9)

    atomic_write_bytes(Path(path), _write)
    return sha256_file(Path(path))


def read_parquet(path: Path, expected_sha256: str | None = None) -> pd.DataFrame:
    """Read a cached parquet file, first checking its sha256 against ``expected_sha256``.

    Raises
    ------
    CorruptCacheError
        The file is missing, its hash differs from the manifest (truncated or edited), or
        pyarrow cannot parse it. The message names the file and how to rebuild it.
    """
    path = Path(path)
    if not path.exists():
        raise CorruptCacheError(f"cache file {path} is missing. {_REBUILD_HINT}")
    if expected_sha256 is not None:
        actual = sha256_file(path)
        if actual != expected_sha256:
            raise CorruptCacheError(
                f"cache file {path} is corrupt or was changed: sha256 {actual[:12]}... does not "
                f"match the manifest's {expected_sha256[:12]}... {_REBUILD_HINT}"
            )
    try:
        return pd.read_parquet(path, engine="pyarrow")
    except Exception as exc:
        raise CorruptCacheError(f"cannot read cache file {path}: {exc}. {_REBUILD_HINT}") from exc


def read_manifest(cache_dir: Path) -> dict[str, Any]:
    """Read ``manifest.json`` from a cache directory (``{}`` datasets if there is none)."""
    path = Path(cache_dir) / MANIFEST_NAME
    if not path.exists():
        return {"schema_version": 1, "datasets": {}}
    try:
        with open(path, encoding="utf-8") as fh:
            manifest = json.load(fh)
    except (OSError, ValueError) as exc:
        raise CorruptCacheError(f"cannot read manifest {path}: {exc}. {_REBUILD_HINT}") from exc
    if not isinstance(manifest, dict) or "datasets" not in manifest:
        raise CorruptCacheError(f"manifest {path} has no 'datasets' entry. {_REBUILD_HINT}")
    return manifest


def write_manifest(cache_dir: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` atomically, pretty-printed with sorted keys (stable diffs)."""
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    atomic_write_bytes(Path(cache_dir) / MANIFEST_NAME,
                       lambda tmp: tmp.write_text(text, encoding="utf-8"))
