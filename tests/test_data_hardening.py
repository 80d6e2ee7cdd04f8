"""Hardening of the data layer (issue 13): manifest schema and containment, the read-only
bundled snapshot, the cache lock and orphans, row validation on write and in verify."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import write_cache

from quantlib.data import load
from quantlib.data.cache import read_manifest
from quantlib.errors import CacheManifestError, CorruptCacheError


def _manifest(cache: Path) -> dict:
    return json.loads((cache / "manifest.json").read_text())


def _write_manifest(cache: Path, manifest: object) -> None:
    (cache / "manifest.json").write_text(json.dumps(manifest))


# ---------------------------------------------------------------- manifest -----------------

@pytest.mark.parametrize("edit, match", [
    (lambda m: [m], "top level must be an object, got list"),
    (lambda m: {"schema_version": 1}, "'datasets' must be an object"),
    (lambda m: {**m, "datasets": {"csi_all_share": "csi_all_share.parquet"}},
     "datasets.csi_all_share must be an object"),
    (lambda m: _drop(m, "file"), r"datasets.csi_all_share.file is missing"),
    (lambda m: _drop(m, "sha256"), r"datasets.csi_all_share.sha256 is missing"),
    (lambda m: _set(m, "sha256", None), r"datasets.csi_all_share.sha256 is missing"),
    (lambda m: _set(m, "sha256", "abc"), r"sha256 'abc' is not 64 lowercase hex"),
    (lambda m: _set(m, "rows", "20"), r"datasets.csi_all_share.rows must be a int"),
    (lambda m: _set(m, "file", "../outside.parquet"), r"climbs out with '\.\.'"),
    (lambda m: _set(m, "file", "/etc/passwd"), "is an absolute path"),
])
def test_manifest_schema_errors_name_the_field(tiny_cache: Path, edit, match: str) -> None:
    _write_manifest(tiny_cache, edit(_manifest(tiny_cache)))
    with pytest.raises(CacheManifestError, match=match):
        load("csi_all_share", cache_dir=tiny_cache)


def _drop(m: dict, field: str) -> dict:
    del m["datasets"]["csi_all_share"][field]
    return m


def _set(m: dict, field: str, value: object) -> dict:
    m["datasets"]["csi_all_share"][field] = value
    return m


def test_manifest_file_symlinked_out_of_the_cache_is_refused(tiny_cache: Path,
                                                             tmp_path: Path) -> None:
    outside = tmp_path / "outside.parquet"
    outside.write_bytes((tiny_cache / "csi_all_share.parquet").read_bytes())
    (tiny_cache / "link.parquet").symlink_to(outside)
    _write_manifest(tiny_cache, _set(_manifest(tiny_cache), "file", "link.parquet"))
    with pytest.raises(CacheManifestError, match=r"outside .*\(a symlink out of the cache\)"):
        load("csi_all_share", cache_dir=tiny_cache)
    assert outside.exists()


def test_load_refuses_a_file_of_another_dataset_even_with_its_hash(tiny_cache: Path) -> None:
    """hs300's entry pointing at wind_all_a's file (with its true hash): the columns differ."""
    m = _manifest(tiny_cache)
    m["datasets"]["csi_all_share"] = dict(m["datasets"]["wind_all_a"])
    _write_manifest(tiny_cache, m)
    with pytest.raises(CorruptCacheError, match=r"does not hold dataset 'csi_all_share'.*"
                                                r"missing \['pe_ttm'\]"):
        load("csi_all_share", cache_dir=tiny_cache)


def test_bundled_manifest_passes_the_schema() -> None:
    from quantlib.data.store import bundled_dir

    manifest = read_manifest(bundled_dir())
    from quantlib.data.schema import DATASETS

    assert set(manifest["datasets"]) == {n for n, s in DATASETS.items() if s.bundled}


# ---------------------------------------------------------------- row rules on refresh -----

TODAY = "2024-12-31"


def _fetcher(frame: pd.DataFrame):
    def fetch(name, start, end, progress=None):
        return frame.copy()
    return fetch


def _fetched(cache: Path, closes: list[float], dates: list[str] | None = None) -> pd.DataFrame:
    """csi_all_share's last cached row (the overlap) plus new rows with the given closes.

    New rows default to the business days after the cache (2024-01-29 ..: trading days);
    open = close, high = 1.01 close, low = 0.99 close.
    """
    old = load("csi_all_share", cache_dir=cache).reset_index()
    last = old.iloc[[-1]]
    days = (pd.DatetimeIndex(dates) if dates is not None else
            pd.bdate_range(old["date"].max() + pd.Timedelta(days=1), periods=len(closes)))
    new = pd.concat([last] * len(closes), ignore_index=True)
    new["date"] = days.astype("datetime64[ns]")
    new["close"] = new["open"] = np.asarray(closes, dtype=float)
    new["high"], new["low"] = new["close"] * 1.01, new["close"] * 0.99
    return pd.concat([last, new], ignore_index=True)


def _last(cache: Path) -> float:
    return float(load("csi_all_share", cache_dir=cache)["close"].iloc[-1])


def _edit(column: str, value: object, row: int = 1):
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame[column] = frame[column].astype(object) if isinstance(value, str) else frame[column]
        frame.loc[row, column] = value
        return frame
    return edit


@pytest.mark.parametrize("make, error, match", [
    (lambda c: _edit("close", -100.0)(_fetched(c, [_last(c)] * 2)), "RowValidationError",
     r"close must be finite and > 0 on 1 row\(s\): 2024-01-29 \(-100\)"),
    (lambda c: _edit("close", 0.0)(_fetched(c, [_last(c)] * 2)), "RowValidationError",
     r"close must be finite and > 0 on 1 row\(s\): 2024-01-29 \(0\)"),
    (lambda c: _edit("close", np.inf)(_fetched(c, [_last(c)] * 2)), "RowValidationError",
     r"close must be finite and > 0 on 1 row\(s\): 2024-01-29 \(inf\)"),
    (lambda c: _fetched(c, [_last(c)], ["2099-01-02"]), "RowValidationError",
     r"date after today \(2024-12-31\) on 1 row\(s\): 2099-01-02"),
    (lambda c: _fetched(c, [_last(c)], ["2024-02-03"]), "RowValidationError",  # a Saturday
     r"not a trading day .* on 1 row\(s\): 2024-02-03"),
    (lambda c: _fetched(c, [_last(c)], ["2024-02-12"]), "RowValidationError",  # Spring Festival
     r"not a trading day .* on 1 row\(s\): 2024-02-12"),
    (lambda c: _edit("low", 1e6)(_fetched(c, [_last(c)])), "RowValidationError",
     r"high < low on 1 row\(s\): 2024-01-29"),
    (lambda c: _edit("open", 1e-3)(_fetched(c, [_last(c)])), "RowValidationError",
     r"open or close outside \[low, high\] on 1 row\(s\): 2024-01-29"),
    (lambda c: _fetched(c, [_last(c) * 1.5]), "RowValidationError",
     r"close moves more than 15% .* on 1 row\(s\): 2024-01-29 \(\+50\.0%\).*--accept-revision"),
    (lambda c: _edit("close", "3500.1")(_fetched(c, [_last(c)] * 2)), "DataValidationError",
     r"column 'close' holds object values such as '3500.1', not numbers"),
    (lambda c: _fetched(c, [_last(c)]).assign(date=lambda f: f["date"].dt.strftime("%Y-%m-%d")),
     "DataValidationError", r"column 'date' holds str values such as '2024-01-26'"),
    (lambda c: _fetched(c, [_last(c)]).assign(date=lambda f: f["date"].dt.tz_localize("UTC")),
     "DataValidationError", r"column 'date' carries a time zone \(UTC\)"),
    (lambda c: _fetched(c, [_last(c)]).assign(date=lambda f: f["date"] + pd.Timedelta(hours=15)),
     "DataValidationError", r"carry a time of day, first 2024-01-26 15:00:00"),
])
def test_refresh_refuses_impossible_rows_and_writes_nothing(tiny_cache: Path, make, error: str,
                                                            match: str) -> None:
    import quantlib.errors as errors
    from quantlib.data.update import refresh_dataset

    before = (tiny_cache / "manifest.json").read_bytes()
    fetched = make(tiny_cache)
    with pytest.raises(getattr(errors, error), match=match):
        refresh_dataset("csi_all_share", cache_dir=tiny_cache, fetcher=_fetcher(fetched),
                        today=TODAY)
    assert (tiny_cache / "manifest.json").read_bytes() == before
    assert sorted(p.name for p in tiny_cache.iterdir() if p.name != ".quantlib.lock") == [
        "csi_all_share.parquet", "etf.parquet", "manifest.json", "wind_all_a.parquet"]


def test_accept_revision_takes_a_real_jump_but_never_an_impossible_row(tiny_cache: Path) -> None:
    from quantlib.data.update import refresh_dataset

    last = _last(tiny_cache)
    result = refresh_dataset("csi_all_share", cache_dir=tiny_cache, accept_revision=True,
                             fetcher=_fetcher(_fetched(tiny_cache, [last * 1.5])), today=TODAY)
    assert result["new_rows"] == 1
    assert "2024-01-29 (+50.0%)" in result["notes"][0]
    assert _last(tiny_cache) == pytest.approx(last * 1.5, rel=1e-12)
    bad = _edit("close", -1.0)(_fetched(tiny_cache, [last * 1.5] * 2))
    from quantlib.errors import RowValidationError

    with pytest.raises(RowValidationError, match="cannot be real market data"):
        refresh_dataset("csi_all_share", cache_dir=tiny_cache, accept_revision=True,
                        fetcher=_fetcher(bad), today=TODAY)


def test_refresh_reports_a_three_week_hole(tiny_cache: Path) -> None:
    """New rows 2024-01-29 and then 2024-02-26: the 15 trading days between are named."""
    from quantlib.data.update import refresh_dataset

    last = _last(tiny_cache)
    result = refresh_dataset("csi_all_share", cache_dir=tiny_cache, today=TODAY,
                             fetcher=_fetcher(_fetched(tiny_cache, [last, last],
                                                       ["2024-01-29", "2024-02-26"])))
    assert result["new_rows"] == 2
    # SSE calendar: Jan 30, 31, Feb 1, 2, 5, 6, 7, 8, then the Spring Festival Feb 9-16,
    # then Feb 19, 20, 21, 22, 23: 13 trading days
    assert result["holes"] == ["13 trading day(s) missing, 2024-01-30 .. 2024-02-23"]


# ---------------------------------------------------------------- read-only snapshot -------

@pytest.mark.parametrize("where", ["itself", "inside", "symlink"])
def test_refresh_never_edits_the_bundled_snapshot(tmp_path: Path, where: str) -> None:
    """The README's claim: a refresh writes to a user cache and never edits data_cache/."""
    from quantlib.data.store import bundled_dir
    from quantlib.data.update import refresh_dataset
    from quantlib.errors import ReadOnlySnapshotError

    bundled = bundled_dir()
    target = {"itself": bundled, "inside": bundled / "reference" / "sub",
              "symlink": tmp_path / "link"}[where]
    if where == "symlink":
        target.symlink_to(bundled, target_is_directory=True)
    before = {p.name: p.read_bytes() for p in bundled.iterdir() if p.is_file()}
    called = []
    with pytest.raises(ReadOnlySnapshotError, match=r"bundled snapshot .* never edits"):
        refresh_dataset("csi_all_share", cache_dir=target,
                        fetcher=lambda *a, **k: called.append(1))
    assert called == []  # refused before fetching
    assert {p.name: p.read_bytes() for p in bundled.iterdir() if p.is_file()} == before
    assert not (bundled / "reference" / "sub").exists()


def test_verify_fix_refuses_the_bundled_snapshot() -> None:
    from quantlib.data.integrity import fix_orphans
    from quantlib.data.store import bundled_dir
    from quantlib.errors import ReadOnlySnapshotError

    with pytest.raises(ReadOnlySnapshotError):
        fix_orphans(bundled_dir())


# ---------------------------------------------------------------- lock and orphans ---------

#: (dataset, new rows) of the 8 concurrent refreshes: six datasets, one of them twice with
#: different lengths (the longer one must win whatever the order).
CONCURRENT = [("csi_all_share", 3), ("csi_all_share", 5), ("hs300", 4), ("sse_composite", 2),
              ("all_a_pb", 3), ("margin", 2), ("etf", 3), ("sw_l1", 2)]


def _concurrency_cache(directory: Path) -> Path:
    from conftest import make_panel, make_series

    dates = pd.bdate_range("2024-01-02", periods=20, name="date")  # 01-02 .. 01-29: trading days
    close = 100.0 * np.cumprod(1 + 0.01 * np.sin(np.arange(20)))
    frames = {name: make_series(name, dates, close) for name in
              ("csi_all_share", "hs300", "sse_composite", "all_a_pb", "margin")}
    frames["all_a_pb"]["pb_median"] = close / 50
    frames["margin"]["fin_balance_cny"] = close * 1e10
    frames["etf"] = make_panel("etf", dates, {"510300": close / 25, "588200": close / 70})
    frames["sw_l1"] = make_panel("sw_l1", dates, {"801010": close * 30, "801030": close * 20})
    return write_cache(directory, frames)


def test_concurrent_refreshes_lose_no_update(tmp_path: Path) -> None:
    """8 refreshes in separate processes with a slow fetcher; every update must land."""
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]  # this checkout's quantlib, not an installed one
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(repo), *filter(None, [os.environ.get("PYTHONPATH")])])}
    import shutil

    cache = _concurrency_cache(tmp_path / "cache")
    source = shutil.copytree(cache, tmp_path / "source")  # the fetchers' frozen upstream
    before = {name: load(name, cache_dir=cache) for name, _ in CONCURRENT}
    script = Path(__file__).parent / "_concurrent_refresh.py"
    procs = [subprocess.Popen([sys.executable, str(script), str(cache), name, str(n),
                               str(source)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env)
             for name, n in CONCURRENT]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * len(procs), [o[1][-500:] for o in outs]
    expected_new = {}
    for name, n in CONCURRENT:
        expected_new[name] = max(expected_new.get(name, 0), n)
    manifest = read_manifest(cache)["datasets"]
    for name, n in expected_new.items():
        old, new = before[name], load(name, cache_dir=cache)
        pd.testing.assert_frame_equal(new.iloc[:len(old)], old)
        assert len(new) == len(old) + n, name
        close = new["close"] if "close" in new else new.iloc[:, 0]
        # each new row is the last cached value times 1.001 ** k, per code
        growth = (close.iloc[len(old):] / close.iloc[len(old) - 1]).to_numpy()
        expected = 1.001 ** np.arange(1, n + 1)
        np.testing.assert_allclose(growth, np.repeat(expected[:, None], growth.size // n, 1)
                                   .reshape(growth.shape), rtol=1e-12)
        assert manifest[name]["end"] == str(new.index[-1].date())
    assert sorted(manifest) == sorted({*expected_new, "csi_all_share"})
    named = {e["file"] for e in manifest.values()}
    assert {p.name for p in cache.glob("*.parquet")} == named  # no orphan left
    assert not list(cache.glob(".*.tmp"))


def test_orphans_of_a_crash_are_cleaned_by_verify_fix_and_the_next_refresh(
        tiny_cache: Path, tmp_path: Path) -> None:
    from quantlib.data.integrity import fix_orphans
    from quantlib.data.update import refresh_dataset

    orphan = tiny_cache / "csi_all_share-0123456789ab.parquet"
    tmp = tiny_cache / ".manifest.json.abc_123.tmp"
    keep = [tiny_cache / "notes.txt", tiny_cache / "hs300.parquet"]  # not ours to delete
    outside = tmp_path / "wind_all_a-0123456789ab.parquet"
    for p in (orphan, tmp, *keep, outside):
        p.write_text("x")
    assert fix_orphans(tiny_cache) == [tmp.name, orphan.name]
    assert all(p.exists() for p in (*keep, outside)) and not orphan.exists()
    orphan.write_text("x")
    last = _last(tiny_cache)
    result = refresh_dataset("csi_all_share", cache_dir=tiny_cache, today=TODAY,
                             fetcher=_fetcher(_fetched(tiny_cache, [last])))
    assert result["orphans_removed"] == [orphan.name]
    assert all(p.exists() for p in (*keep, outside))


# ---------------------------------------------------------------- refresh --all ------------

#: Datasets seeded into the user cache truncated inside their recorded akshare frame, with
#: the last kept date and the trading days the recorded frame adds after it.
SEEDED = {"csi_all_share": ("2021-11-16", ["2021-11-17", "2021-11-18", "2021-11-19",
                                           "2021-11-22"]),
          "hs300": ("2021-11-12", ["2021-11-15", "2021-11-16", "2021-11-17", "2021-11-18"]),
          # 2026-02-16 .. 02-23: Spring Festival, no rows in the recording or the calendar
          "sse_composite": ("2026-02-13", ["2026-02-24", "2026-02-25", "2026-02-26",
                                           "2026-02-27"]),
          "all_a_pb": ("2024-02-02", ["2024-02-05", "2024-02-06", "2024-02-07", "2024-02-08"])}


def test_refresh_all_with_recorded_akshare_frames(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """``data refresh --all`` through the real fetchers, akshare replaced by recorded frames.

    The rows it adds must equal the bundled snapshot's on those days (built independently from
    the raw files); datasets whose recorded frame does not reach past their cache (or that have
    no recording for every code) fail or stay unchanged, and keep what they had.
    """
    import sys

    from click.testing import CliRunner
    from test_akshare_fetchers import FakeAk

    from quantlib.cli import main
    from quantlib.data.store import locate, read_stored

    frames = {}
    for name, (last, _new) in SEEDED.items():
        full = read_stored(locate(name))
        frames[name] = full[full["date"] <= last].reset_index(drop=True)
    cache = write_cache(tmp_path / "cache", frames)
    monkeypatch.setitem(sys.modules, "akshare", FakeAk())
    result = CliRunner().invoke(main, ["data", "refresh", "--all", "--quiet",
                                       "--cache-dir", str(cache)])
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    summary = lines[-1]
    assert summary.startswith("summary: 4 dataset(s) changed (csi_all_share, hs300, "
                              "sse_composite, all_a_pb)"), result.output
    assert result.exit_code == 2  # some datasets have no recording reaching past their cache
    for name, (_last, new_days) in SEEDED.items():
        assert f"{name}: {len(new_days)} new row(s)" in result.output
        got = load(name, cache_dir=cache)
        bundled = load(name, end=new_days[-1])
        assert [str(d.date()) for d in got.index[-len(new_days):]] == new_days
        field = "pb_median" if name == "all_a_pb" else "close"
        # Wind's hs300 export and csindex agree to 0.01 points (docs/data.md)
        np.testing.assert_allclose(got[field].to_numpy(), bundled[field].to_numpy(),
                                   rtol=1e-5 if name == "hs300" else 1e-12)
    failed = [line.split(":")[0] for line in lines if ": FAILED, kept what it had" in line]
    assert failed and not set(failed) & set(SEEDED)
    manifest = read_manifest(cache)["datasets"]
    for name in failed:  # a failed dataset wrote nothing
        assert name not in manifest


def test_refresh_all_offline_fails_per_dataset_and_keeps_everything(
        tiny_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from click.testing import CliRunner
    from test_akshare_fetchers import FakeAk

    from quantlib.cli import main
    from quantlib.data import DATASETS

    class Offline(FakeAk):
        def __getattribute__(self, attr: str):
            if attr.startswith(("stock_", "index_", "fund_")):
                raise ConnectionError("Failed to establish a new connection: [Errno -3]")
            return super().__getattribute__(attr)

    before = {p.name: p.read_bytes() for p in tiny_cache.iterdir()}
    monkeypatch.setitem(sys.modules, "akshare", Offline())
    result = CliRunner().invoke(main, ["data", "refresh", "--all", "--quiet",
                                       "--cache-dir", str(tiny_cache)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    refreshable = [n for n, s in DATASETS.items() if s.refreshable]
    assert result.output.count("FAILED, kept what it had") == len(refreshable)
    assert "Failed to establish a new connection" in result.output
    assert result.output.splitlines()[-1] == (
        f"summary: 0 dataset(s) changed, 0 unchanged, {len(refreshable)} failed "
        f"({', '.join(refreshable)}).")
    after = {p.name: p.read_bytes() for p in tiny_cache.iterdir() if p.name != ".quantlib.lock"}
    assert after == before


# ---------------------------------------------------------------- staleness ----------------

def test_trading_days_behind_counts_by_hand() -> None:
    from quantlib.data.calendar import trading_days
    from quantlib.data.staleness import trading_days_behind

    cal = trading_days()
    # inside the calendar: Jan 29 - Feb 8 (9 days), Spring Festival Feb 9-18 closed,
    # Feb 19-23 (5), Feb 26 (1)
    assert trading_days_behind(pd.Timestamp("2024-01-26"), pd.Timestamp("2024-02-26"), cal) == 15
    # after the calendar's last day (2026-08-21, a Friday) weekdays count: Aug 24-31 (6),
    # September (22), October (22), November (21), December 1 (1)
    assert trading_days_behind(pd.Timestamp("2026-08-21"), pd.Timestamp("2026-12-01"), cal) == 72
    assert trading_days_behind(pd.Timestamp("2026-08-21"), pd.Timestamp("2026-08-21"), cal) == 0


def test_freshness_warns_with_the_refresh_command() -> None:
    from quantlib.data.staleness import freshness

    out = freshness({"sw_l1": "2024-01-26", "citic_l1": "2024-02-23"}, today="2024-02-26",
                    limit=5)
    assert out["datasets"]["sw_l1"] == {"last_date": "2024-01-26", "trading_days_behind": 15,
                                        "stale": True}
    assert out["datasets"]["citic_l1"]["stale"] is False  # 1 trading day behind
    assert out["warnings"] == [
        "STALE: sw_l1 ends 2024-01-26, 15 trading days before today (2024-02-26; limit 5): run "
        "`quantlib data refresh sw_l1` (or `quantlib data refresh --all`)."]
    assert freshness({"sw_l1": "2024-01-26"}, today="2024-02-26", limit=15)["warnings"] == []


@pytest.mark.parametrize("env, expected", [({}, 5), ({"QUANTLIB_STALE_DAYS": "0"}, 0),
                                           ({"QUANTLIB_STALE_DAYS": " 12 "}, 12)])
def test_stale_days_limit_from_the_environment(env: dict, expected: int) -> None:
    from quantlib.data.staleness import stale_days_limit

    assert stale_days_limit(environ=env) == expected
    assert stale_days_limit(3, environ=env) == 3


def test_signal_json_and_text_carry_last_dates_and_the_warning() -> None:
    from click.testing import CliRunner

    from quantlib.cli import main

    runner = CliRunner()
    out = json.loads(runner.invoke(main, ["signal", "timing", "--format", "json"]).output)
    fresh = out["freshness"]["datasets"]["wind_all_a"]
    assert fresh["last_date"] == "2026-08-21" and fresh["stale"]  # the bundled data is old
    text = runner.invoke(main, ["signal", "position"]).output
    assert "STALE: all_a_pb ends 2026-08-13" in text
    assert "quantlib data refresh all_a_pb" in text
    quiet = runner.invoke(main, ["signal", "position", "--format", "json",
                                 "--stale-days", "100000"]).output
    assert json.loads(quiet)["freshness"]["warnings"] == []
    assert sorted(json.loads(quiet)["freshness"]["datasets"]) == [
        "all_a_pb", "csi_all_share", "wind_all_a"]


def test_weekly_page_carries_staleness() -> None:
    from quantlib.report.weekly import load_weekly_inputs, weekly_report

    report = weekly_report(load_weekly_inputs(), today="2026-08-24", stale_days=5)
    fresh = report["freshness"]
    assert fresh["datasets"]["wind_all_a"] == {"last_date": "2026-08-21",
                                               "trading_days_behind": 1, "stale": False}
    assert fresh["datasets"]["sw_l1"]["stale"]
    stale = [n for n in report["notes"] if n.startswith("STALE:")]
    assert {n.split()[1] for n in stale} == {"sse_composite", "sw_l1", "sw_l1_pe_ttm",
                                             "all_a_pb"}
    assert all(n.startswith(f"STALE: {n.split()[1]} ends") for n in stale)
