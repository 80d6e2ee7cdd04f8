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
import re
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import pandas as pd

from quantlib.errors import CacheManifestError, CacheWriteError, CorruptCacheError

__all__ = [
    "MANIFEST_NAME",
    "atomic_write_bytes",
    "contained_path",
    "content_sha256",
    "read_manifest",
    "read_parquet",
    "sha256_file",
    "validate_manifest",
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


def atomic_write_bytes(path: Path, write: Callable[[Path], object]) -> None:
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
    """Read and schema-check ``manifest.json`` of a cache directory (empty if there is none).

    Raises
    ------
    CorruptCacheError
        The file is not valid JSON.
    CacheManifestError
        It breaks the schema (see :func:`validate_manifest`); the message names the field.
    """
    path = Path(cache_dir) / MANIFEST_NAME
    if not path.exists():
        return {"schema_version": 1, "datasets": {}}
    try:
        with open(path, encoding="utf-8") as fh:
            manifest = json.load(fh)
    except (OSError, ValueError) as exc:
        raise CorruptCacheError(f"cannot read manifest {path}: {exc}. {_REBUILD_HINT}") from exc
    validate_manifest(manifest, Path(cache_dir))
    return manifest


#: Fields every dataset entry must carry, with their JSON type.
REQUIRED_ENTRY_FIELDS: dict[str, type] = {"file": str, "sha256": str, "rows": int, "start": str,
                                          "end": str}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def contained_path(directory: Path, file: object, where: str) -> Path:
    """``directory / file`` after checking it stays inside ``directory``.

    A manifest is data, not code: a ``file`` that is absolute, climbs out with ``..`` or is a
    symlink leading out would let a crafted manifest make ``load`` read, and a later refresh
    delete, a file outside the cache.

    Raises
    ------
    CacheManifestError
    """
    fix = "it must be a file name inside the cache directory, e.g. 'hs300.parquet'."
    if not isinstance(file, str) or not file.strip():
        raise CacheManifestError(f"{where}: 'file' is {file!r}; {fix}")
    posix, windows = PurePosixPath(file), PureWindowsPath(file)
    if posix.is_absolute() or windows.is_absolute() or windows.drive:
        raise CacheManifestError(f"{where}: 'file' {file!r} is an absolute path; {fix}")
    if ".." in posix.parts or ".." in windows.parts:
        raise CacheManifestError(f"{where}: 'file' {file!r} climbs out with '..'; {fix}")
    base = Path(directory).resolve()
    path = Path(directory) / posix
    if not path.resolve().is_relative_to(base):
        raise CacheManifestError(f"{where}: 'file' {file!r} resolves to {path.resolve()}, "
                                 f"outside {base} (a symlink out of the cache); {fix}")
    return path


def _check_entry(name: str, entry: object, directory: Path, where: str) -> None:
    at = f"{where}, datasets.{name}"
    if not isinstance(entry, dict):
        raise CacheManifestError(f"{at} must be an object with {sorted(REQUIRED_ENTRY_FIELDS)}, "
                                 f"got {type(entry).__name__}. {_REBUILD_HINT}")
    for field, kind in REQUIRED_ENTRY_FIELDS.items():
        value = entry.get(field)
        if value is None:
            raise CacheManifestError(f"{at}.{field} is missing (required: "
                                     f"{', '.join(REQUIRED_ENTRY_FIELDS)}). {_REBUILD_HINT}")
        if not isinstance(value, kind) or isinstance(value, bool):
            raise CacheManifestError(f"{at}.{field} must be a {kind.__name__}, got "
                                     f"{value!r}. {_REBUILD_HINT}")
    if not _SHA256.match(entry["sha256"]):
        raise CacheManifestError(f"{at}.sha256 {entry['sha256']!r} is not 64 lowercase hex "
                                 f"digits; the hash check cannot be skipped. {_REBUILD_HINT}")
    if entry["rows"] < 0:
        raise CacheManifestError(f"{at}.rows is {entry['rows']}; it must be >= 0.")
    contained_path(directory, entry["file"], at)


def validate_manifest(manifest: object, directory: Path) -> None:
    """Check a parsed manifest: a top-level object whose ``datasets`` maps names to entries,
    each with :data:`REQUIRED_ENTRY_FIELDS` and a ``file`` inside ``directory``.

    Raises
    ------
    CacheManifestError
        The first broken rule, naming the field (``datasets.hs300.sha256``).
    """
    where = f"manifest {Path(directory) / MANIFEST_NAME}"
    if not isinstance(manifest, dict):
        raise CacheManifestError(f"{where}: the top level must be an object, got "
                                 f"{type(manifest).__name__}. {_REBUILD_HINT}")
    datasets = manifest.get("datasets")
    if not isinstance(datasets, dict):
        raise CacheManifestError(f"{where}: 'datasets' must be an object mapping dataset names "
                                 f"to entries, got {datasets!r:.60}. {_REBUILD_HINT}")
    for name, entry in datasets.items():
        _check_entry(name, entry, Path(directory), where)


def write_manifest(cache_dir: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` atomically, pretty-printed with sorted keys (stable diffs)."""
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    atomic_write_bytes(Path(cache_dir) / MANIFEST_NAME,
                       lambda tmp: tmp.write_text(text, encoding="utf-8"))
