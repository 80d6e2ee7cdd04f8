"""Refresh-only legulegu market PE/PB (issue 17 item 4): fetchers against frames shaped as
akshare 1.19.5 returns them, the all-market combination by hand, the first refresh into an
empty cache, and the position model's choice of inputs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from quantlib.data import akshare as qak
from quantlib.data import load
from quantlib.data.update import refresh_dataset
from quantlib.errors import FetchError, NotCachedError
from quantlib.valuation import SH_CAP_SHARE, all_market_pe_pb

#: June 2024 trading days (the 10th is the Dragon Boat holiday).
DAYS = [d for d in pd.bdate_range("2024-06-03", "2024-06-28") if d != pd.Timestamp("2024-06-10")]
PE = {"sh": 12.0, "sz": 24.0, "cyb": 30.0, "kcb": 40.0}
PB = {"sh": 1.2, "sz": 2.4, "cyb": 3.5, "kcb": 4.0}


def _dates() -> list[dt.date]:
    return [d.date() for d in DAYS]  # akshare: .dt.date -> datetime.date objects


class FakeAk:
    """``stock_market_pe_lg`` / ``stock_market_pb_lg`` with akshare 1.19.5's exact columns."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def stock_market_pe_lg(self, symbol: str) -> pd.DataFrame:
        self.calls.append(("pe", symbol))
        code = {v: k for k, v in qak.MARKET_LG_SYMBOLS.items()}[symbol]
        n = len(DAYS)
        pe = [PE[code] * (1 + 0.01 * i) for i in range(n)]
        if symbol == "科创版":  # its own endpoint: 日期, 总市值, 市盈率
            return pd.DataFrame({"日期": _dates(), "总市值": [5.5e4] * n, "市盈率": pe})
        return pd.DataFrame({"日期": _dates(), "指数": [3000.0 + i for i in range(n)],
                             "平均市盈率": pe})

    def stock_market_pb_lg(self, symbol: str) -> pd.DataFrame:
        self.calls.append(("pb", symbol))
        code = {v: k for k, v in qak.MARKET_LG_SYMBOLS.items()}[symbol]
        n = len(DAYS)
        pb = [PB[code] * (1 + 0.01 * i) for i in range(n)]
        return pd.DataFrame({"日期": _dates(), "指数": [3000.0] * n, "市净率": pb,
                             "等权市净率": [v * 1.5 for v in pb],
                             "市净率中位数": [v * 1.3 for v in pb]})


def test_fetch_market_pe_lg_reads_each_symbol_and_the_star_layout() -> None:
    fake = FakeAk()
    frame = qak.fetch("market_pe_lg", pd.Timestamp("2024-06-05"), pd.Timestamp("2024-06-07"),
                      ak=fake)
    assert fake.calls == [("pe", "上证"), ("pe", "深证"), ("pe", "创业板"), ("pe", "科创版")]
    assert list(frame.columns) == ["code", "date", "pe"]
    assert sorted(frame["code"].unique()) == ["cyb", "kcb", "sh", "sz"]
    sh = frame[frame["code"] == "sh"].set_index("date")["pe"]
    # 2024-06-05 is the third trading day: 12 * 1.02
    assert sh.index.min() == pd.Timestamp("2024-06-05") and len(sh) == 3
    assert sh.iloc[0] == pytest.approx(12.24)
    kcb = frame[frame["code"] == "kcb"].set_index("date")["pe"]
    assert kcb.iloc[0] == pytest.approx(40.8)  # 市盈率, not 总市值


def test_fetch_market_pb_lg_maps_the_three_pb_columns() -> None:
    frame = qak.fetch("market_pb_lg", None, None, ak=FakeAk(), codes=["sz"])
    assert list(frame.columns) == ["code", "date", "pb", "pb_equal", "pb_median"]
    first = frame.iloc[0]
    assert (first["pb"], first["pb_equal"], first["pb_median"]) == pytest.approx((2.4, 3.6, 3.12))
    assert frame["date"].dtype == "datetime64[ns]" and len(frame) == len(DAYS)


def test_a_changed_akshare_frame_names_the_missing_column() -> None:
    class Renamed(FakeAk):
        def stock_market_pb_lg(self, symbol: str) -> pd.DataFrame:
            return super().stock_market_pb_lg(symbol).rename(columns={"市净率": "加权市净率"})

    with pytest.raises(FetchError, match="市净率"):
        qak.fetch("market_pb_lg", None, None, ak=Renamed())


def test_all_market_figure_is_total_cap_over_total_earnings() -> None:
    """By hand: SSE cap 60, SZSE cap 40 (w = 0.6); PE 12 and 24 -> earnings 5 + 1.667 ->
    PE 100 / 6.667 = 15.0; PB 1.2 and 2.4 -> book 50 + 16.67 -> PB 1.5."""
    assert SH_CAP_SHARE == 0.6
    idx = pd.DatetimeIndex(["2024-06-03", "2024-06-04"])
    pe = pd.DataFrame({"sh": [12.0, 12.0], "sz": [24.0, float("nan")], "cyb": [30.0, 30.0]},
                      index=idx)
    pb = pd.DataFrame({"sh": [1.2, 1.2], "sz": [2.4, 2.4]}, index=idx)
    pe_all, pb_all = all_market_pe_pb(pe, pb)
    assert pe_all.to_dict() == {pd.Timestamp("2024-06-03"): pytest.approx(15.0)}  # no fill
    assert pb_all.iloc[0] == pytest.approx(1.5) and len(pb_all) == 2


@pytest.fixture(scope="module")
def lg_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user cache holding only the two refresh-only datasets, made by a first refresh."""
    cache = tmp_path_factory.mktemp("lg_cache")
    fake = FakeAk()

    def fetcher(name, start, end, progress=None):
        assert start is None  # a first refresh fetches the whole history
        return qak.fetch(name, start, end, ak=fake, progress=progress)

    for name in ("market_pe_lg", "market_pb_lg"):
        result = refresh_dataset(name, cache_dir=cache, fetcher=fetcher,
                                 today="2024-07-01")
        assert result["new_rows"] == 4 * len(DAYS)
        assert (result["start"], result["end"]) == ("2024-06-03", "2024-06-28")
    return cache


def test_refresh_only_dataset_is_absent_until_refreshed(tmp_path: Path, lg_cache: Path) -> None:
    from quantlib.data import datasets, verify

    with pytest.raises(NotCachedError, match=r"refresh-only.*quantlib data refresh market_pe_lg"):
        load("market_pe_lg", cache_dir=tmp_path)
    assert "market_pe_lg" not in datasets().index
    report = {r["dataset"]: r for r in verify()}["market_pe_lg"]
    assert report["ok"] and "refresh-only" in report["notes"][0]
    frame = load("market_pe_lg", cache_dir=lg_cache)
    assert frame["pe"]["sh"].iloc[-1] == pytest.approx(12.0 * (1 + 0.01 * (len(DAYS) - 1)))
    assert datasets(lg_cache).loc["market_pb_lg", "location"] == str(lg_cache)


def _signal_position(cache: Path | None) -> dict:
    from quantlib.cli import main

    args = ["signal", "position", "--date", "2024-06-28", "--format", "json"]
    if cache is not None:
        args += ["--cache-dir", str(cache)]
    result = CliRunner().invoke(main, args, env={"QUANTLIB_CACHE_DIR": ""})
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_position_uses_the_legulegu_inputs_when_cached(lg_cache: Path) -> None:
    snap = _signal_position(lg_cache)
    assert snap["inputs"] == "legulegu" and snap["proxy"] is False
    assert "legulegu" in snap["pe_input"] and "legulegu" in snap["inputs_note"]
    # last day: sh 12 * 1.18, sz 24 * 1.18 -> 15 * 1.18 by the hand rule above
    growth = 1 + 0.01 * (len(DAYS) - 1)
    assert snap["pe"] == pytest.approx(15.0 * growth)
    assert snap["pb"] == pytest.approx(1.5 * growth)
    assert [k for k in snap["freshness"]["datasets"]] == ["wind_all_a", "market_pe_lg",
                                                           "market_pb_lg"]


def test_position_says_it_uses_the_proxies_without_them() -> None:
    snap = _signal_position(None)
    assert snap["inputs"] == "proxy" and snap["proxy"] is True
    assert snap["pe_input"] == "CSI All Share (000985) PE-TTM"
    assert snap["proxy_note"].startswith("PROXY: the valuation inputs are the CSI All Share")


def test_weekly_position_block_names_its_inputs(lg_cache: Path) -> None:
    from quantlib.cli import main

    result = CliRunner().invoke(main, ["weekly", "--date", "2024-06-28", "--format", "json",
                                       "--quiet", "--cache-dir", str(lg_cache)],
                                env={"QUANTLIB_CACHE_DIR": ""})
    assert result.exit_code == 0, result.output
    page = json.loads(result.output)
    pos = page["position"]
    assert pos["inputs"] == "legulegu"
    assert pos["pe"] == pytest.approx(15.0 * (1 + 0.01 * (len(DAYS) - 1)))
    assert any("legulegu" in n and n.startswith("Position:") for n in page["notes"])
