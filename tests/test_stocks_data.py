"""The bundled ``stocks`` dataset and quantlib.data.stocks, checked against known facts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quantlib import data
from quantlib.data import stocks as qs
from quantlib.data.schema import DATASETS
from quantlib.errors import DateRangeError, UnknownNameError


@pytest.fixture(scope="module")
def moutai_pingan() -> pd.DataFrame:
    return data.load("stocks", "2019-01-01", "2025-04-07", codes=["600519", "000001"])


def test_known_raw_closes_and_reference_prices(moutai_pingan):
    w = moutai_pingan
    # published closes (SOURCE.txt; exchange data): unadjusted prices
    assert w.at["2021-01-04", ("close", "600519")] == 1997.00
    assert w.at["2024-12-31", ("close", "600519")] == 1524.00
    assert w.at["2024-12-31", ("close", "000001")] == 11.70
    # 000001 ex-dividend 2024-06-14 (0.719 CNY cash): reference 10.08 vs previous close 10.80
    assert w.at["2024-06-13", ("close", "000001")] == 10.80
    assert w.at["2024-06-14", ("preclose", "000001")] == 10.08
    # 600519 dividends 2024: 30.876 CNY (ex 2024-06-19), 23.882 CNY (ex 2024-12-20);
    # reference = previous close - dividend, rounded to 0.01
    assert w.at["2024-06-19", ("preclose", "600519")] == round(1521.50 - 30.876, 2)
    assert w.at["2024-12-20", ("preclose", "600519")] == round(1551.01 - 23.882, 2)


def test_adj_factor_equals_a_plain_loop_over_the_rows(moutai_pingan):
    for code in ("600519", "000001"):
        rows = moutai_pingan.xs(code, axis=1, level="code").dropna(subset=["close"])
        factor, prev, expected = 1.0, None, []
        for close, preclose in zip(rows["close"], rows["preclose"], strict=True):
            if prev is not None:
                factor *= prev / preclose
            expected.append(factor)
            prev = close
        np.testing.assert_allclose(rows["adj_factor"].to_numpy(), expected, rtol=1e-12)


def test_adjusted_return_on_ex_date_is_the_exchange_return(moutai_pingan):
    adj = moutai_pingan["close"] * moutai_pingan["adj_factor"]
    day = pd.Timestamp("2024-06-14")
    r = adj.loc[day, "000001"] / adj.shift(1).loc[day, "000001"] - 1
    assert r == pytest.approx(10.18 / 10.08 - 1, rel=1e-12)  # not 10.18 / 10.80 - 1 (-5.7%)


def test_boards_from_codes_and_metadata():
    assert [qs.board_from_code(c) for c in
            ("600000", "601318", "603259", "605499", "688981", "000001", "001979", "002594",
             "003816", "300750", "301269")] == [
        "main", "main", "main", "main", "star", "main", "main", "main", "main", "chinext",
        "chinext"]
    for bad in ("830799", "900901", "60051", "sh600519"):
        with pytest.raises(qs.StockDataError):
            qs.board_from_code(bad)
    info = qs.stock_info(["688981", "000792", "600519"])
    # SMIC listed on STAR on 2020-07-16; 000792 relisted on 2021-08-10 (恢复上市)
    assert info.at["688981", "list_date"] == pd.Timestamp("2020-07-16")
    assert info.at["688981", "board"] == "star" and info.at["688981", "exchange"] == "SH"
    assert info.at["000792", "relisting_date"] == pd.Timestamp("2021-08-10")
    assert pd.isna(info.at["600519", "list_date"])  # listed 2001, before the data
    everything = qs.stock_info()
    assert len(everything) == 555 and set(everything["board"]) == {"main", "star", "chinext"}
    assert (everything["kind"] == "stock").all()


def test_csi300_membership_has_300_members_and_known_names():
    periods = qs.csi300_membership()
    assert periods["start"].min() == pd.Timestamp("2005-04-08")
    days = pd.to_datetime(["2010-06-01", "2021-01-04", "2024-12-31"])
    members = qs.csi300_members(days)
    assert members.sum(axis=1).tolist() == [300, 300, 300]  # every review window holds 300
    assert members.loc["2021-01-04", "600519"] and members.loc["2021-01-04", "000001"]
    with pytest.raises(DateRangeError, match="2005-04-08"):
        qs.csi300_members(pd.to_datetime(["2004-01-02"]))


def test_stock_sw_l1_snapshot_known_industries():
    sw = qs.stock_sw_l1()
    # the SOURCE notes: 601398/600036 banks, 300750 power equipment, 600519 food & beverage
    assert sw["601398"] == "801780" and sw["600036"] == "801780"
    assert sw["300750"] == "801730" and sw["600519"] == "801120"


def test_stock_market_builds_raw_closes_and_market():
    close, market = qs.stock_market(["600027", "688981"], "2020-07-10", "2024-08-09")
    assert close.at[pd.Timestamp("2024-07-18"), "600027"] == 6.08
    assert close["688981"].first_valid_index() == pd.Timestamp("2020-07-16")
    status = market.tradestatus["600027"]
    assert status.loc["2024-07-19":"2024-08-01"].eq(0).all() and status.loc["2024-08-02"] == 1
    assert market.volume.at[pd.Timestamp("2024-07-19"), "600027"] == 0
    assert np.isnan(market.tradestatus.at[pd.Timestamp("2020-07-15"), "688981"])  # not listed
    assert market.assets.loc["688981", "board"] == "star"
    assert not market.is_st.to_numpy().any()


def test_stock_market_bad_inputs():
    with pytest.raises(UnknownNameError, match="'999999'"):
        qs.stock_market(["600519", "999999"], "2021-01-01", "2021-02-01")
    with pytest.raises(qs.StockDataError, match="six digits"):
        qs.stock_market(["600519.SH"], "2021-01-01", "2021-02-01")
    with pytest.raises(DateRangeError):
        qs.stock_market(["600519"], "2030-01-01", "2030-02-01")


def _toy() -> tuple[pd.DataFrame, pd.DataFrame]:
    idx = pd.bdate_range("2024-01-01", periods=4)
    close = pd.DataFrame({"A": [10.0, 10.5, 10.0, 10.2]}, index=idx)
    pre = pd.DataFrame({"A": [9.9, 10.0, 10.0, 10.0]}, index=idx)  # ex-date on day 3: 10.5 -> 10
    return close, pre


def test_factor_checks_refuse_gaps_and_unexplained_jumps():
    close, pre = _toy()
    factor = qs.adjustment_factor(close, pre)
    assert factor["A"].tolist() == pytest.approx([1.0, 1.0, 1.05, 1.05])
    qs.check_factor(close, pre, factor)  # consistent: no error
    jumped = factor.copy()
    jumped.iloc[3] = 2.1  # a 2:1 split on day 4 with no ex-date in preclose
    with pytest.raises(qs.StockDataError, match="without an ex-date"):
        qs.check_factor(close, pre, jumped)
    gap = pre.copy()
    gap.iloc[2] = np.nan
    with pytest.raises(qs.StockDataError, match="preclose missing on 2024-01-03"):
        qs.adjustment_factor(close, gap)
    holed = close.copy()
    holed.iloc[1] = np.nan
    with pytest.raises(qs.StockDataError, match="no bar on 2024-01-02"):
        qs.check_preclose(holed, pre)


def test_refresh_chains_the_factor_onto_the_cache():
    from quantlib.data import to_storage
    from quantlib.data.update import merge_new_rows

    spec = DATASETS["stocks"]
    old = to_storage(data.load("stocks", "2024-05-01", "2024-06-07", codes=["000001"]), spec)
    truth = data.load("stocks", "2024-06-11", "2024-06-21", codes=["000001"])["adj_factor"]
    # fetched rows (as the akshare fetcher returns them): factor restarts at 1
    fetched = to_storage(data.load("stocks", "2024-06-05", "2024-06-21", codes=["000001"]),
                         spec)
    fetched["adj_factor"] = fetched["adj_factor"] / fetched["adj_factor"].iloc[0]
    merged, log = merge_new_rows(old.reset_index(drop=True), fetched.reset_index(drop=True),
                                 spec)
    new = merged[merged["date"] > pd.Timestamp("2024-06-07")].set_index("date")["adj_factor"]
    np.testing.assert_allclose(new.to_numpy(), truth["000001"].to_numpy(), rtol=1e-12)
    assert log[0]["junction_ratio"] == 1.0
    moved = fetched.copy()
    moved[["open", "high", "low", "close"]] *= 1.01  # an adjusted copy would be rescaled
    with pytest.raises(Exception, match="raw prices are not spliced"):
        merge_new_rows(old.reset_index(drop=True), moved.reset_index(drop=True), spec)


def test_stock_market_marks_the_relisting_day_limit_free():
    # 000792 盐湖股份 relisted on 2021-08-10 and traded that day without a price limit
    close, market = qs.stock_market(["000792", "000001"], "2021-08-02", "2021-08-13")
    free = market.limit_free
    assert free.loc["2021-08-10", "000792"]
    assert int(free.to_numpy().sum()) == 1
    pre = market.preclose.at[pd.Timestamp("2021-08-10"), "000792"]
    assert close.at[pd.Timestamp("2021-08-10"), "000792"] / pre - 1 > 0.10  # beyond 10%


META = Path(__file__).resolve().parents[1] / "data_cache" / "reference" / "stocks_meta.csv"


def _meta_codes() -> list[str]:
    """The codes of the bundled set, read from the reference CSV itself (one row each)."""
    lines = META.read_text("utf-8").splitlines()[1:]
    return sorted(line.split(",")[0] for line in lines if line)


def test_unknown_codes_error_names_them_and_says_how_to_list_the_rest():
    codes = _meta_codes()
    assert len(codes) == 555
    with pytest.raises(UnknownNameError) as info:
        qs.stock_info(["600519", "999999", "600518"])
    msg = str(info.value)
    assert "'999999' and '600518' (2 unknown)" in msg
    assert f"{len(codes)} known, e.g. {', '.join(codes[:5])}" in msg
    assert "quantlib data show stocks --list-codes" in msg
    assert codes[-1] not in msg and len(msg) < 300 and "\n" not in msg  # not all 555 codes
    assert info.value.unknown == ["999999", "600518"]
    with pytest.raises(UnknownNameError, match=r"'600518'\. Did you mean") as one:
        qs.stock_market(["600518"], "2021-01-01", "2021-02-01")
    assert "(1 unknown)" not in str(one.value)


def test_cli_lists_the_codes_and_refuses_an_unknown_one():
    from click.testing import CliRunner

    from quantlib.cli import main

    res = CliRunner().invoke(main, ["data", "show", "stocks", "--list-codes"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == "stocks: 555 codes (code, first date, last date, rows)"
    rows = {ln.split()[0]: ln.split()[1:] for ln in lines[1:]}
    assert sorted(rows) == _meta_codes()
    # SMIC listed on STAR on 2020-07-16; the bundled bars end 2025-04-07
    assert rows["688981"][:2] == ["2020-07-16", "2025-04-07"]
    bad = CliRunner().invoke(main, ["data", "show", "stocks", "--codes", "600519,999999"])
    assert bad.exit_code == 2
    assert "'999999'" in bad.output and "--list-codes" in bad.output
    assert len(bad.output.strip().splitlines()) == 1
    single = CliRunner().invoke(main, ["data", "show", "wind_all_a", "--list-codes"])
    assert single.exit_code == 2 and "single series" in single.output
