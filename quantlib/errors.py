"""Typed errors raised by quantlib.

Every error says what was received, what was expected and how to fix it. All inherit from
:class:`QuantlibError`, and from the builtin that fits (``ValueError``, ``KeyError`` ...), so
callers can catch either.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "CacheLockError",
    "CacheManifestError",
    "CacheWriteError",
    "CorruptCacheError",
    "DataValidationError",
    "DateRangeError",
    "FetchError",
    "MissingExtraError",
    "QuantlibError",
    "ReadOnlySnapshotError",
    "RowValidationError",
    "UnknownDatasetError",
    "UnknownNameError",
    "did_you_mean",
]


def did_you_mean(name: str, choices: Iterable[str], n: int = 3) -> str:
    """Return a ``" Did you mean ...?"`` suffix listing close matches, or ``""``."""
    matches = difflib.get_close_matches(name, list(choices), n=n, cutoff=0.5)
    if not matches:
        return ""
    return " Did you mean " + " or ".join(repr(m) for m in matches) + "?"


class QuantlibError(Exception):
    """Base class of every error quantlib raises on purpose."""


class MissingExtraError(QuantlibError, ImportError):
    """An optional dependency is not installed; the message names the extra that brings it
    (``refresh``: akshare, ``stats``: statsmodels, ``vectorbt``)."""


#: Longer lists of known names (a panel's hundreds of codes) are shown as a count and a few
#: examples, so the error stays one readable line.
MAX_LISTED = 40


class UnknownNameError(QuantlibError, KeyError):
    """A name (dataset, strategy, model, parameter ...) that does not exist.

    ``unknown`` names every unknown one when several were asked for (``name`` is the first);
    ``listing`` says how to list the known names when there are too many to print.
    """

    def __init__(self, kind: str, name: str, choices: Iterable[str], *,
                 unknown: Iterable[str] = (), listing: str = "") -> None:
        choices = sorted(choices)
        names = list(dict.fromkeys([name, *unknown]))
        self.kind, self.name, self.choices, self.unknown = kind, name, choices, names
        if len(choices) > MAX_LISTED:
            known = (f"{len(choices)} known, e.g. {', '.join(choices[:5])}"
                     + (f"; {listing}" if listing else ""))
        else:
            known = f"Known: {', '.join(choices)}"
        if len(names) == 1:
            what = f"{kind} {name!r}.{did_you_mean(name, choices)}"
        else:  # several: name them all; close matches of each would drown the line
            what = f"{kind} {' and '.join(repr(n) for n in names)} ({len(names)} unknown)."
        super().__init__(f"unknown {what} {known}.")

    def __str__(self) -> str:  # KeyError quotes its message; we want it plain
        return str(self.args[0])


class UnknownDatasetError(UnknownNameError):
    """``quantlib.data.load`` was asked for a dataset that is not in the cache manifest."""

    def __init__(self, name: str, choices: Iterable[str]) -> None:
        super().__init__("dataset", name, choices)


class NotCachedError(QuantlibError, LookupError):
    """A refresh-only dataset (not in the bundled snapshot) that no cache directory holds yet."""


class DateRangeError(QuantlibError, ValueError):
    """A start after the end, or a range that does not overlap the data."""


class DataValidationError(QuantlibError, ValueError):
    """A frame that breaks the schema: missing columns, unsorted or duplicated dates, NaN runs."""


class CorruptCacheError(QuantlibError, OSError):
    """A cached file whose hash does not match the manifest, or that cannot be read."""


class CacheWriteError(QuantlibError, OSError):
    """The cache directory cannot be written (permissions, disk full ...)."""


class FetchError(QuantlibError, RuntimeError):
    """A refresh failed: network down, akshare raised, or it returned nothing usable."""


class RowValidationError(DataValidationError):
    """Rows that cannot be real market data (non-positive prices, high < low, a weekend or
    future date, a jump beyond the dataset's limit, an overlap that disagrees with the cache).

    ``problems`` lists one line per broken rule, each naming the offending rows.
    """

    def __init__(self, where: str, problems: list[str], fix: str) -> None:
        self.problems = list(problems)
        super().__init__(f"{where}: " + "; ".join(self.problems) + f". {fix}")


class CacheManifestError(CorruptCacheError):
    """A ``manifest.json`` that breaks its schema; the message names the field."""


class ReadOnlySnapshotError(CacheWriteError):
    """A write aimed at the bundled snapshot (``data_cache/``), which refresh never edits."""


class CacheLockError(CacheWriteError):
    """Another process held the cache lock for longer than the timeout."""
