"""One writer at a time per cache directory, and cleaning what crashed writers left behind.

Every refresh fetches without the lock (the slow part), then takes an exclusive ``fcntl``
lock on ``<cache>/.quantlib.lock`` to re-read the manifest, merge onto the *current* rows,
write the new file and switch the manifest. Two refreshes of different datasets therefore
both land in the manifest, and two of the same dataset merge one after the other instead of
the last writer winning. POSIX only (``fcntl``); quantlib targets Linux and macOS.

A writer killed between writing a data file and switching the manifest leaves an *orphan*:
a ``<dataset>-<12 hex>.parquet`` no manifest entry names, or a ``.<file>.<random>.tmp``.
:func:`clean_orphans` removes them (under the lock, so never a file being written); only
files directly in the cache directory whose names match those patterns are touched.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from quantlib.data.cache import MANIFEST_NAME, read_manifest
from quantlib.errors import CacheLockError, CacheWriteError

__all__ = ["LOCK_NAME", "cache_lock", "clean_orphans", "find_orphans"]

LOCK_NAME = ".quantlib.lock"
_DATA_FILE = re.compile(r"^[a-z0-9_]+-[0-9a-f]{12}\.parquet$")
_TMP_FILE = re.compile(r"^\.(" + re.escape(MANIFEST_NAME) + r"|[a-z0-9_]+(-[0-9a-f]{12})?"
                       r"\.parquet)\.[A-Za-z0-9_]+\.tmp$")


@contextmanager
def cache_lock(directory: Path, timeout: float = 600.0) -> Iterator[None]:
    """Hold the exclusive lock of a cache directory (created if needed) inside the block.

    Raises
    ------
    CacheWriteError
        The directory cannot be created or the lock file opened.
    CacheLockError
        Another process held the lock for ``timeout`` seconds.
    """
    import fcntl

    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise CacheWriteError(
            f"cannot write to cache directory {directory}: {exc.strerror or exc}. Choose a "
            "writable directory with --cache-dir or the QUANTLIB_CACHE_DIR environment variable."
        ) from exc
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise CacheLockError(
                        f"cache directory {directory} stayed locked by another refresh for "
                        f"{timeout:.0f} s; wait for it to finish (or end it) and retry."
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def find_orphans(directory: Path) -> list[Path]:
    """Data files no manifest entry names and temporary files of interrupted writes."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    named = {e["file"] for e in read_manifest(directory)["datasets"].values()}
    out = []
    for path in sorted(directory.iterdir()):
        if path.is_symlink() or not path.is_file():
            continue
        if (_DATA_FILE.match(path.name) and path.name not in named) or _TMP_FILE.match(path.name):
            out.append(path)
    return out


def clean_orphans(directory: Path) -> list[str]:
    """Delete :func:`find_orphans`; call it holding :func:`cache_lock`. Returns the names."""
    removed = []
    for path in find_orphans(directory):
        path.unlink(missing_ok=True)
        removed.append(path.name)
    return removed
