"""Shared fixtures. Paths are anchored to this file, never to the working directory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quantlib.data.cache import content_sha256, write_manifest, write_parquet
from quantlib.data.schema import DATASETS

TESTS_DIR = Path(__file__).parent
REPO_ROOT = TESTS_DIR.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
FIXTURES = TESTS_DIR / "fixtures"


@pytest.fixture(autouse=True)
def _no_quantlib_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run every test as on a clean machine: no QUANTLIB_* variable from the developer's shell.

    ``QUANTLIB_CACHE_DIR`` would make ``load`` read a user cache instead of the bundled data
    (other numbers), ``QUANTLIB_STALE_DAYS`` changes the staleness notes and ``QUANTLIB_DEBUG``
    the CLI's error output. A test that needs one sets it itself with ``monkeypatch.setenv``.
    """
    for name in [k for k in os.environ if k.startswith("QUANTLIB_")]:
        monkeypatch.delenv(name)
    yield


def _business_days(start: str, n: int) -> pd.DatetimeIndex:
    return pd.bdate_range(start, periods=n, name="date")


def make_series(name: str, dates: pd.DatetimeIndex, close: np.ndarray) -> pd.DataFrame:
    """A storage-layout frame for a series dataset with every field filled plausibly."""
    spec = DATASETS[name]
    frame = pd.DataFrame({"date": dates.astype("datetime64[ns]")})
    for col in spec.columns:
        if col.name == "close":
            frame[col.name] = close
        elif col.name in ("open", "high", "low"):
            factor = {"open": 0.999, "high": 1.01, "low": 0.99}[col.name]
            frame[col.name] = close * factor
        elif col.dtype == "bool":
            frame[col.name] = False
        elif col.dtype == "str":
            frame[col.name] = "test"
        else:
            frame[col.name] = 1.0e9 + np.arange(len(dates))
    return frame


def make_panel(name: str, dates: pd.DatetimeIndex, closes: dict[str, np.ndarray]) -> pd.DataFrame:
    """A storage-layout panel frame: one :func:`make_series` block per code."""
    parts = []
    for code, close in closes.items():
        part = make_series(name, dates, close)
        part.insert(0, "code", code)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def write_cache(directory: Path, frames: dict[str, pd.DataFrame]) -> Path:
    """Write storage-layout frames plus a manifest into ``directory`` (a user cache)."""
    datasets = {}
    for name, frame in frames.items():
        sha = write_parquet(frame, directory / f"{name}.parquet")
        entry = {"file": f"{name}.parquet", "sha256": sha, "content_sha256": content_sha256(frame),
                 "rows": len(frame), "start": str(frame["date"].min().date()),
                 "end": str(frame["date"].max().date())}
        if "code" in frame:
            entry["codes"] = sorted(frame["code"].unique())
        datasets[name] = entry
    write_manifest(directory, {"schema_version": 1, "datasets": datasets})
    return directory


@pytest.fixture
def tiny_cache(tmp_path: Path) -> Path:
    """A user cache with 20 business days of csi_all_share, wind_all_a, etf (2 codes)."""
    dates = _business_days("2024-01-01", 20)
    close = 100.0 * np.cumprod(1 + 0.01 * np.sin(np.arange(20)))
    wind = make_series("wind_all_a", dates, close * 1.3)
    wind["source"] = "wind_euclid"
    frames = {
        "csi_all_share": make_series("csi_all_share", dates, close),
        "wind_all_a": wind,
        "etf": make_panel("etf", dates, {"510300": close / 25, "588200": close / 70}),
    }
    return write_cache(tmp_path / "cache", frames)

