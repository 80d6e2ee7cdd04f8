"""quantlib.data: load, user cache override, refresh (append, splice, atomicity), bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from quantlib.data import load
from quantlib.data.cache import read_manifest
from quantlib.data.update import refresh_dataset
from quantlib.errors import (
    CacheWriteError,
    CorruptCacheError,
    DataValidationError,
    DateRangeError,
    FetchError,
    RowValidationError,
    UnknownDatasetError,
    UnknownNameError,
)


def _fetcher_returning(frame: pd.DataFrame):
    def fetch(name, start, end, progress=None):
        return frame.copy()
    return fetch


def _extend(frame: pd.DataFrame, new_close: list[float], start_from: int = -3) -> pd.DataFrame:
    """Last rows of ``frame`` (overlap) plus new business days with the given closes."""
    tail = frame.iloc[start_from:].copy()
    last = frame["date"].max()
    dates = pd.bdate_range(last + pd.Timedelta(days=1), periods=len(new_close))
    new = pd.concat([tail.iloc[[-1]]] * len(new_close), ignore_index=True)
    new["date"] = dates.astype("datetime64[ns]")
    for col in ("open", "high", "low", "close"):
        new[col] = np.asarray(new_close)
    return pd.concat([tail, new], ignore_index=True)


# ---------------------------------------------------------------- load ---------------------

def test_load_series_from_user_cache(tiny_cache: Path) -> None:
    frame = load("csi_all_share", cache_dir=tiny_cache)
    assert isinstance(frame.index, pd.DatetimeIndex) and frame.index.name == "date"
    assert list(frame.columns) == ["open", "high", "low", "close", "amount_cny", "pe_ttm"]
    assert len(frame) == 20
    sub = load("csi_all_share", "2024-01-08", "2024-01-12", ["close"], cache_dir=tiny_cache)
    assert list(sub.index.strftime("%Y-%m-%d")) == [
        "2024-01-08", "2024-01-09", "2024-01-10", "2024-01-11", "2024-01-12"]
    assert list(sub.columns) == ["close"]


def test_load_panel_is_wide_field_by_code(tiny_cache: Path) -> None:
    frame = load("etf", cache_dir=tiny_cache)
    assert frame.columns.names == ["field", "code"]
    close = frame["close"]
    assert list(close.columns) == ["510300", "588200"]
    assert close.dtypes.eq("float64").all()
    one = load("etf", codes=["588200"], columns=["close"], cache_dir=tiny_cache)
    assert list(one["close"].columns) == ["588200"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"name": "wind_alla"}, UnknownDatasetError, "Did you mean 'wind_all_a'"),
        ({"name": "csi_all_share", "start": "2024-02-01", "end": "2024-01-01"}, DateRangeError,
         "start 2024-02-01 is after end 2024-01-01"),
        ({"name": "csi_all_share", "start": "2030-01-01"}, DateRangeError, "does not overlap"),
        ({"name": "csi_all_share", "end": "1990-01-01"}, DateRangeError, "covers 2024-01-01"),
        ({"name": "csi_all_share", "start": "not a date"}, DateRangeError, "is not a date"),
        ({"name": "csi_all_share", "columns": ["clsoe"]}, UnknownNameError, "Did you mean 'close'"),
        ({"name": "etf", "codes": ["159999"]}, UnknownNameError, "unknown code"),
    ],
)
def test_load_bad_input(tiny_cache: Path, kwargs: dict, error: type, match: str) -> None:
    name = kwargs.pop("name")
    with pytest.raises(error, match=match):
        load(name, cache_dir=tiny_cache, **kwargs)


def test_corrupted_parquet_names_the_file_and_the_fix(tiny_cache: Path) -> None:
    path = tiny_cache / "csi_all_share.parquet"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # truncated
    with pytest.raises(CorruptCacheError,
                       match=r"csi_all_share\.parquet is corrupt.*build_data_cache"):
        load("csi_all_share", cache_dir=tiny_cache)


def test_corrupted_manifest(tiny_cache: Path) -> None:
    (tiny_cache / "manifest.json").write_text("{not json")
    with pytest.raises(CorruptCacheError, match="cannot read manifest"):
        load("csi_all_share", cache_dir=tiny_cache)


# ---------------------------------------------------------------- refresh ------------------

def test_refresh_appends_and_keeps_old_rows(tiny_cache: Path) -> None:
    old = load("csi_all_share", cache_dir=tiny_cache)
    stored = old.reset_index()
    fetched = _extend(stored, [200.0, 202.0])
    # the source revised an old close: refused, naming the row, unless accepted; either way
    # the cache keeps its own value
    fetched.loc[0, "close"] = fetched.loc[0, "close"] * 1.5
    revised = f"csi_all_share {fetched.loc[0, 'date'].date()} close cached"
    with pytest.raises(RowValidationError, match=revised):
        refresh_dataset("csi_all_share", cache_dir=tiny_cache, fetcher=_fetcher_returning(fetched))
    assert read_manifest(tiny_cache)["datasets"]["csi_all_share"]["rows"] == 20
    result = refresh_dataset("csi_all_share", cache_dir=tiny_cache, accept_revision=True,
                             fetcher=_fetcher_returning(fetched))
    assert result["new_rows"] == 2
    new = load("csi_all_share", cache_dir=tiny_cache)
    pd.testing.assert_frame_equal(new.iloc[:20], old)
    last_old = old["close"].iloc[-1]
    # splice by returns: fetched last-overlap close equals the cached one here, so the ratio is 1
    assert new["close"].iloc[-2:].tolist() == pytest.approx([200.0, 202.0], rel=1e-12)
    assert new["close"].iloc[-1] / new["close"].iloc[-2] == pytest.approx(202 / 200, rel=1e-12)
    log = result["log"][0]
    assert log["junction_ratio"] == pytest.approx(1.0)
    assert log["overlap_max_rel_diff"]["close"] == pytest.approx(0.5)
    assert read_manifest(tiny_cache)["datasets"]["csi_all_share"]["rows"] == 22
    assert last_old == new["close"].iloc[19]


def test_refresh_splices_rebased_levels_by_returns(tiny_cache: Path) -> None:
    """Forward-adjusted ETF prices are re-based at dividends: levels differ, returns continue."""
    old = load("etf", cache_dir=tiny_cache)
    stored = old.stack(level="code", future_stack=True).reset_index()
    stored = stored[stored["code"] == "510300"][["code", "date", *old["close"].columns[:0],
                                                 "open", "high", "low", "close",
                                                 "volume_shares", "amount_cny", "is_adjusted"]]
    last_close = stored["close"].iloc[-1]
    fetched = _extend(stored.reset_index(drop=True), [0.0, 0.0], start_from=-1)
    ohlc = ["open", "high", "low", "close"]
    fetched.loc[0, ohlc] = fetched.loc[0, ohlc] * (last_close - 0.088) / last_close  # re-based
    fetched.loc[1:, ["open", "high", "low", "close"]] = (last_close - 0.088) * np.array(
        [[1.02] * 4, [1.05] * 4])
    refresh_dataset("etf", cache_dir=tiny_cache, fetcher=_fetcher_returning(fetched))
    close = load("etf", cache_dir=tiny_cache)["close"]["510300"].dropna()
    assert close.iloc[-2] / close.iloc[-3] == pytest.approx(1.02, rel=1e-12)
    assert close.iloc[-1] / close.iloc[-3] == pytest.approx(1.05, rel=1e-12)
    assert close.iloc[-3] == last_close
    # the other ETF is untouched
    assert load("etf", cache_dir=tiny_cache)["close"]["588200"].dropna().shape[0] == 20


def test_refresh_wind_all_a_extends_by_csi_all_share_returns(tiny_cache: Path) -> None:
    wind_old = load("wind_all_a", cache_dir=tiny_cache)
    csi = load("csi_all_share", cache_dir=tiny_cache).reset_index()
    fetched = _extend(csi, [csi["close"].iloc[-1] * 1.01, csi["close"].iloc[-1] * 0.995])
    refresh_dataset("wind_all_a", cache_dir=tiny_cache, fetcher=_fetcher_returning(fetched))
    wind = load("wind_all_a", cache_dir=tiny_cache)
    assert wind["is_proxy"].tolist() == [False] * 20 + [True, True]
    assert (wind["source"].iloc[-2:] == "proxy").all()
    returns = wind["close"].pct_change().iloc[-2:].to_numpy()
    np.testing.assert_allclose(returns, [0.01, 0.995 / 1.01 - 1], rtol=0, atol=1e-12)
    assert wind["volume_shares"].iloc[-2:].isna().all()
    pd.testing.assert_frame_equal(wind.iloc[:20], wind_old)


@pytest.mark.parametrize(
    ("fetcher_result", "error", "match"),
    [
        (ConnectionError("Max retries exceeded"), FetchError,
         "'csi_all_share' failed while fetching"),
        (pd.DataFrame(), FetchError, "returned no rows"),
        ("missing_column", DataValidationError, r"missing column\(s\) \['pe_ttm'\]"),
        ("duplicated", DataValidationError, "duplicated date"),
        ("unsorted", DataValidationError, "not sorted"),
        ("no_overlap", FetchError, "does not contain the last cached date"),
    ],
)
def test_refresh_failures_leave_the_cache_intact(tiny_cache: Path, fetcher_result, error,
                                                 match) -> None:
    before = (tiny_cache / "csi_all_share.parquet").read_bytes()
    manifest_before = (tiny_cache / "manifest.json").read_text()
    stored = load("csi_all_share", cache_dir=tiny_cache).reset_index()
    good = _extend(stored, [1.0, 2.0])

    def fetch(name, start, end, progress=None):
        if isinstance(fetcher_result, Exception):
            raise fetcher_result
        if isinstance(fetcher_result, pd.DataFrame):
            return fetcher_result
        if fetcher_result == "missing_column":
            return good.drop(columns=["pe_ttm"])
        if fetcher_result == "duplicated":
            return pd.concat([good, good.iloc[[-1]]], ignore_index=True)
        if fetcher_result == "unsorted":
            return good.iloc[::-1].reset_index(drop=True)
        return good.iloc[3:]  # no_overlap: starts after the last cached date

    with pytest.raises(error, match=match):
        refresh_dataset("csi_all_share", cache_dir=tiny_cache, fetcher=fetch)
    assert (tiny_cache / "csi_all_share.parquet").read_bytes() == before
    assert (tiny_cache / "manifest.json").read_text() == manifest_before


def test_crash_mid_write_loses_nothing(tiny_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow.parquet as pq

    old = load("csi_all_share", cache_dir=tiny_cache)
    fetched = _extend(old.reset_index(), list(old["close"].iloc[-1] * np.array([1.01, 1.02])))
    real_write = pq.write_table

    def crashing_write(table, where, **kwargs):
        real_write(table.slice(0, 3), where, **kwargs)  # a partial file, then the process "dies"
        raise KeyboardInterrupt("simulated crash")

    monkeypatch.setattr(pq, "write_table", crashing_write)
    with pytest.raises(KeyboardInterrupt):
        refresh_dataset("csi_all_share", cache_dir=tiny_cache, fetcher=_fetcher_returning(fetched))
    monkeypatch.undo()
    pd.testing.assert_frame_equal(load("csi_all_share", cache_dir=tiny_cache), old)
    assert not [p for p in tiny_cache.iterdir() if p.name.endswith(".tmp")]


def test_crash_between_data_and_manifest_keeps_old_state(
        tiny_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from quantlib.data import update as refresh_mod

    old = load("csi_all_share", cache_dir=tiny_cache)
    fetched = _extend(old.reset_index(), list(old["close"].iloc[-1] * np.array([1.01, 1.02])))

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(refresh_mod, "write_manifest", crash)
    with pytest.raises(OSError, match="disk full"):
        refresh_dataset("csi_all_share", cache_dir=tiny_cache, fetcher=_fetcher_returning(fetched))
    pd.testing.assert_frame_equal(load("csi_all_share", cache_dir=tiny_cache), old)


def test_refresh_into_unwritable_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    stored = load("csi_all_share").reset_index()  # what a user dir without the dataset sees
    fetched = _extend(stored, [1.0])
    with pytest.raises(CacheWriteError, match="cannot write to cache directory"):
        refresh_dataset("csi_all_share", cache_dir=blocker / "cache",
                        fetcher=_fetcher_returning(fetched))


def test_refresh_unknown_and_frozen_datasets(tiny_cache: Path) -> None:
    with pytest.raises(UnknownDatasetError, match="Did you mean 'sw_l1'"):
        refresh_dataset("sw_l2", cache_dir=tiny_cache)
    with pytest.raises(FetchError, match="cannot be refreshed"):
        refresh_dataset("citic_l1", cache_dir=tiny_cache)


def test_refresh_seeds_user_cache_without_touching_bundled(tmp_path: Path) -> None:
    from quantlib.data.store import bundled_dir

    bundled = bundled_dir()
    before = (bundled / "manifest.json").read_bytes()
    old = load("csi_all_share")
    fetched = _extend(old.reset_index(), [old["close"].iloc[-1] * 1.02])
    user = tmp_path / "user"
    result = refresh_dataset("csi_all_share", cache_dir=user, fetcher=_fetcher_returning(fetched))
    assert result["new_rows"] == 1
    assert (bundled / "manifest.json").read_bytes() == before
    refreshed = load("csi_all_share", cache_dir=user)
    pd.testing.assert_frame_equal(refreshed.iloc[:-1], old)
    assert refreshed["close"].iloc[-1] / old["close"].iloc[-1] == pytest.approx(1.02, rel=1e-12)
    # datasets the user cache does not hold still come from the bundled snapshot
    assert len(load("hs300", cache_dir=user)) == len(load("hs300"))


# ---------------------------------------------------------------- CLI and import -----------

def test_import_quantlib_is_light() -> None:
    code = ("import sys, quantlib, quantlib.data, quantlib.cli; "
            "heavy = [m for m in ('akshare', 'vectorbt', 'numba', 'statsmodels', 'matplotlib') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    out = subprocess.run([sys.executable, "-c",
                          "import sys, quantlib; print('pandas' in sys.modules)"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cli_refresh_offline_fails_cleanly(tiny_cache: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from quantlib.cli import main
    from quantlib.data import update as refresh_mod

    def offline(name, start, end, progress=None):
        raise ConnectionError("Failed to establish a new connection: [Errno -3] name resolution")

    monkeypatch.setattr(refresh_mod, "_default_fetcher", offline)
    before = (tiny_cache / "csi_all_share.parquet").read_bytes()
    result = CliRunner().invoke(main, ["data", "refresh", "csi_all_share", "--quiet",
                                       "--cache-dir", str(tiny_cache)])
    assert result.exit_code == 2
    assert "error: refresh of 'csi_all_share' failed while fetching" in result.output
    assert "cache is unchanged" in result.output
    assert (tiny_cache / "csi_all_share.parquet").read_bytes() == before


def test_cli_unknown_dataset_suggests(tiny_cache: Path) -> None:
    from quantlib.cli import main

    result = CliRunner().invoke(main, ["data", "show", "hs30", "--cache-dir", str(tiny_cache)])
    assert result.exit_code == 2
    assert "Did you mean 'hs300'" in result.output
    result = CliRunner().invoke(main, ["dta", "list"])
    assert result.exit_code == 2 and "Did you mean 'data'" in result.output


def test_refresh_wind_all_a_applies_the_manifest_extension_model(tmp_path: Path) -> None:
    """With the bundled snapshot's fitted model: r_t = intercept + beta * r985_t exactly."""
    from quantlib.data.store import locate

    ext = locate("wind_all_a").entry["extension"]
    a, b = ext["intercept"], ext["betas"][0]
    wind_old = load("wind_all_a")
    csi = load("csi_all_share").reset_index()
    fetched = _extend(csi, [csi["close"].iloc[-1] * 1.02, csi["close"].iloc[-1] * 1.01])
    refresh_dataset("wind_all_a", cache_dir=tmp_path / "u", fetcher=_fetcher_returning(fetched))
    wind = load("wind_all_a", cache_dir=tmp_path / "u")
    returns = wind["close"].pct_change().iloc[-2:].to_numpy()
    np.testing.assert_allclose(returns, [a + b * 0.02, a + b * (1.01 / 1.02 - 1)], rtol=0,
                               atol=1e-12)
    pd.testing.assert_frame_equal(wind.iloc[:-2], wind_old)
    assert wind["is_proxy"].iloc[-2:].all()


def test_every_bundled_dataset_verifies() -> None:
    """Hash, schema, manifest rows/range and calendar checks on every bundled dataset."""
    from quantlib.data import DATASETS, verify

    reports = verify()
    assert [r["dataset"] for r in reports] == list(DATASETS)
    failed = {r["dataset"]: r["problems"] for r in reports if not r["ok"]}
    assert failed == {}
    for name, spec in DATASETS.items():
        if not spec.bundled:  # refresh-only: tests/test_market_valuation.py
            continue
        frame = load(name)
        fields = (list(frame.columns) if spec.kind == "series"
                  else list(frame.columns.get_level_values("field").unique()))
        assert fields == spec.column_names, name
        assert frame.index.is_monotonic_increasing and not frame.index.has_duplicates


def test_verify_reports_a_junk_row(tmp_path: Path) -> None:
    """A non-trading day (a Sunday) in a user cache is a verify problem."""
    from conftest import make_series, write_cache

    from quantlib.data import verify

    dates = pd.DatetimeIndex(["2024-01-05", "2024-01-07", "2024-01-08"])  # 01-07 is a Sunday
    write_cache(tmp_path, {"csi_all_share": make_series("csi_all_share", dates,
                                                        np.array([1.0, 2.0, 3.0]))})
    report = {r["dataset"]: r for r in verify(tmp_path)}["csi_all_share"]
    assert not report["ok"]
    assert report["problems"][0].startswith("not a trading day")
    assert report["problems"][0].endswith("on 1 row(s): 2024-01-07")
