"""Tests of scripts/build_data_cache.py and the bundled snapshot in data_cache/.

The rebuild tests need the raw copies in ../shared/data and skip cleanly without them; the
spot-value tests read only the bundled parquet files.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quantlib.data.cache import content_sha256, read_parquet, sha256_file

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "data_cache"
SHARED = REPO.parent / "shared" / "data"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(),
                                  reason=f"raw data folder {SHARED} is absent")


def _manifest() -> dict:
    return json.loads((CACHE / "manifest.json").read_text(encoding="utf-8"))


def _load(name: str) -> pd.DataFrame:
    entry = _manifest()["datasets"][name]
    return read_parquet(CACHE / entry["file"], entry["sha256"])


def _build_module():
    if "build_data_cache" in sys.modules:
        return sys.modules["build_data_cache"]
    spec = importlib.util.spec_from_file_location("build_data_cache",
                                                  REPO / "scripts" / "build_data_cache.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["build_data_cache"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"raw data folder {SHARED} is absent")
    out = tmp_path_factory.mktemp("cache")
    assert _build_module().main(["--shared", str(SHARED), "--out", str(out)]) == 0
    return out


@needs_shared
def test_rebuild_reproduces_snapshot(rebuilt: Path) -> None:
    import pyarrow
    manifest = _manifest()
    same_writer = manifest["writer"]["pyarrow"] == pyarrow.__version__
    for name, entry in manifest["datasets"].items():
        new = rebuilt / entry["file"]
        if same_writer:
            assert sha256_file(new) == entry["sha256"], name
        else:
            assert content_sha256(pd.read_parquet(new)) == entry["content_sha256"], name
    for ref, entry in manifest["references"].items():
        assert sha256_file(rebuilt / entry["file"]) == entry["sha256"], ref
    if same_writer:
        assert (rebuilt / "manifest.json").read_bytes() == (CACHE / "manifest.json").read_bytes()


def test_manifest_matches_files() -> None:
    manifest = _manifest()
    for name, entry in manifest["datasets"].items():
        frame = _load(name)
        assert len(frame) == entry["rows"]
        assert content_sha256(frame) == entry["content_sha256"]


def test_wind_three_way_cross_check() -> None:
    cc = _manifest()["datasets"]["wind_all_a"]["cross_checks"]
    for pair in ("rsrs_vs_euclid", "rsrs_vs_phbs", "euclid_vs_phbs"):
        assert cc[pair]["common_days"] > 1000
        assert cc[pair]["max_abs_close_diff"] <= 0.005 + 1e-9
        assert cc[pair]["max_rel_close_diff"] < 1e-5
        assert cc[pair]["days_only_in_first"] == [] and cc[pair]["days_only_in_second"] == []


@needs_shared
def test_wind_cross_check_recomputed() -> None:
    b = _build_module()
    c = b.read_wind_copies(SHARED)
    for x, y in (("rsrs", "euclid"), ("rsrs", "phbs"), ("euclid", "phbs")):
        common = c[x].index.intersection(c[y].index)
        assert (c[x].loc[common, "close"] - c[y].loc[common, "close"]).abs().max() <= 0.005 + 1e-9


def test_wind_extension_follows_recorded_method() -> None:
    wind = _load("wind_all_a").set_index("date")
    csi = _load("csi_all_share").set_index("date")
    ext = _manifest()["datasets"]["wind_all_a"]["extension"]
    assert ext["regressors"] == ["r985"]
    a, (beta,) = ext["intercept"], ext["betas"]
    last = pd.Timestamp(ext["junction"]["last_real_date"])
    proxy = wind.loc[wind.index > last]
    assert proxy["is_proxy"].all() and (proxy["source"] == "proxy").all()
    assert not wind.loc[:last, "is_proxy"].any()
    assert proxy.index.equals(csi.index[csi.index > last])
    r_wind = wind["close"].pct_change().loc[proxy.index]
    r_985 = csi["close"].pct_change().loc[proxy.index]
    np.testing.assert_allclose(r_wind, a + beta * r_985, rtol=0, atol=1e-12)
    np.testing.assert_allclose(proxy["amount_cny"], csi.loc[proxy.index, "amount_cny"])
    assert proxy["volume_shares"].isna().all()
    assert wind.loc[:last, "volume_shares"].notna().all()
    ratio = proxy["high"] / proxy["close"]
    np.testing.assert_allclose(ratio, csi.loc[proxy.index, "high"] / csi.loc[proxy.index, "close"])


@pytest.mark.parametrize("name,date,col,value", [
    ("wind_all_a", "2007-10-16", "close", 4116.00),
    ("wind_all_a", "2008-11-04", "close", 1224.90),
    ("wind_all_a", "2015-06-12", "close", 7224.26),
    ("wind_all_a", "2024-12-12", "close", 5339.94),
    ("csi_all_share", "2026-08-21", "close", 5902.11),
    ("csi_all_share", "2026-08-21", "pe_ttm", 17.99),
    ("csi_all_share", "2015-06-12", "close", 7984.43),
    ("hs300", "2024-12-31", "close", 3934.91),
    ("hs300", "2015-06-12", "close", 5335.12),
    ("sse_composite", "2007-10-16", "close", 6092.06),
    ("all_a_pb", "2026-08-13", "pb_median", 2.69),
])
def test_series_spot_values(name: str, date: str, col: str, value: float) -> None:
    frame = _load(name).set_index("date")
    assert frame.loc[pd.Timestamp(date), col] == pytest.approx(value, abs=0.006)


@pytest.mark.parametrize("name,code,date,col,value", [
    ("citic_l1", "CI005021", "2015-01-05", "close", 5929.7783),
    ("citic_l1", "CI005021", "2024-12-31", "close", 10697.0078),
    ("citic_l1", "CI005019", "2024-12-31", "close", 24337.2354),
    ("citic_l1", "CI005021", "2025-12-31", "close", 12029.88),
    ("sw_l1_pe_ttm", "801780", "2007-10-31", "pe_ttm", 46.0),
    ("sw_l1_pe_ttm", "801750", "2015-05-29", "pe_ttm", 143.6),
    ("sw_l1", "801010", "1999-12-30", "close", 1000.0),
    ("sw_l1", "801010", "2024-12-12", "close", 2758.3),
    ("sw_l1", "801010", "2026-02-26", "close", 2912.65),
])
def test_panel_spot_values(name: str, code: str, date: str, col: str, value: float) -> None:
    frame = _load(name)
    row = frame.loc[(frame["code"] == code) & (frame["date"] == pd.Timestamp(date))]
    assert len(row) == 1
    assert row[col].iloc[0] == pytest.approx(value, abs=0.06)


def test_junk_rows_absent() -> None:
    wind = _load("wind_all_a").set_index("date")
    assert wind.loc[pd.Timestamp("2024-12-13"), "source"] == "proxy"
    for name in ("csi_all_share", "hs300"):
        dates = set(_load(name)["date"])
        assert pd.Timestamp("2015-01-01") not in dates
    assert pd.Timestamp("2018-06-18") not in set(_load("csi_all_share")["date"])
    theme = _load("csi_theme")
    assert not theme["date"].isin(pd.to_datetime(["2015-01-01", "2018-06-18"])).any()
    assert theme.loc[theme["code"] == "931160", "date"].min() == pd.Timestamp("2019-02-22")
    sw = _load("sw_l1")
    assert pd.Timestamp("2022-12-21") in set(sw["date"])  # a real trading day (from Wind)
    assert (sw.loc[sw["date"] == pd.Timestamp("2022-12-21"), "source"] == "wind").all()
    coal = sw.loc[(sw["code"] == "801950") & (sw["source"] == "sws"), "date"]
    assert coal.min() > pd.Timestamp("2024-12-12")


def test_panels_and_calendar_shape() -> None:
    m = _manifest()["datasets"]
    assert len(m["sw_l1"]["codes"]) == 31 and len(m["citic_l1"]["codes"]) == 30
    assert len(m["csi_theme"]["codes"]) == 7 and "930651" in m["csi_theme"]["codes"]
    etf = _load("etf")
    assert (etf.loc[etf["code"] == "159273", "is_adjusted"] == False).all()  # noqa: E712
    cal = _load("trading_calendar")
    years = cal["date"].dt.year
    avg = years[(years >= 2000) & (years <= 2025)].value_counts().mean()
    assert 240 <= avg <= 245
