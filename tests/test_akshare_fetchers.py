"""Tests of quantlib.data.akshare with a fake akshare serving recorded frames (no network)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quantlib.data import akshare as qak
from quantlib.data.schema import DATASETS
from quantlib.errors import DataValidationError, FetchError, UnknownNameError

FIXTURES = Path(__file__).parent / "fixtures" / "akshare"

# columns akshare converts with ``.dt.date`` (so the real frame holds datetime.date objects)
_DATE_OBJECT_COLUMNS = {
    "stock_zh_index_hist_csindex": "日期",
    "index_hist_sw": "日期",
    "index_analysis_monthly_sw": "发布日期",
    "index_analysis_week_month_sw": "date",
    "stock_a_all_pb": "date",
    "stock_margin_account_info": "日期",
    "stock_zh_a_hist": "日期",
}
_CODE_COLUMNS = {"指数代码": str, "代码": str, "股票代码": str}


def _load(name: str) -> pd.DataFrame:
    path = FIXTURES / f"{name}.csv"
    frame = pd.read_csv(path, dtype=_CODE_COLUMNS)
    func = name.split("__")[0]
    if func in _DATE_OBJECT_COLUMNS:
        col = _DATE_OBJECT_COLUMNS[func]
        frame[col] = pd.to_datetime(frame[col]).dt.date
    return frame


class FakeAk:
    """Module-like fake: each akshare function returns the recorded frame for its arguments.

    ``overrides`` maps a function name to a callable (``**kwargs -> frame``) or an exception
    instance to raise; ``calls`` records ``(function, kwargs)``.
    """

    def __init__(self, **overrides):
        self.overrides = overrides
        self.calls: list[tuple[str, dict]] = []

    def _serve(self, func: str, fixture: str, kwargs: dict) -> pd.DataFrame:
        self.calls.append((func, kwargs))
        override = self.overrides.get(func)
        if isinstance(override, BaseException):
            raise override
        if override is not None:
            return override(**kwargs)
        return _load(fixture)

    def stock_zh_index_hist_csindex(self, symbol, start_date, end_date):
        kwargs = dict(symbol=symbol, start_date=start_date, end_date=end_date)
        return self._serve("stock_zh_index_hist_csindex",
                           f"stock_zh_index_hist_csindex__symbol={symbol}", kwargs)

    def stock_zh_index_daily_em(self, symbol, start_date, end_date):
        kwargs = dict(symbol=symbol, start_date=start_date, end_date=end_date)
        return self._serve("stock_zh_index_daily_em", f"stock_zh_index_daily_em__symbol={symbol}",
                           kwargs)

    def stock_a_all_pb(self):
        return self._serve("stock_a_all_pb", "stock_a_all_pb", {})

    def stock_margin_account_info(self):
        return self._serve("stock_margin_account_info", "stock_margin_account_info", {})

    def index_hist_sw(self, symbol, period):
        return self._serve("index_hist_sw", f"index_hist_sw__symbol={symbol}_period={period}",
                           dict(symbol=symbol, period=period))

    def index_analysis_week_month_sw(self, symbol):
        return self._serve("index_analysis_week_month_sw",
                           f"index_analysis_week_month_sw__symbol={symbol}", dict(symbol=symbol))

    def index_analysis_monthly_sw(self, symbol, date):
        return self._serve("index_analysis_monthly_sw",
                           f"index_analysis_monthly_sw__symbol={symbol}_date={date}",
                           dict(symbol=symbol, date=date))

    def fund_etf_hist_em(self, symbol, period, start_date, end_date, adjust):
        kwargs = dict(symbol=symbol, period=period, start_date=start_date, end_date=end_date,
                      adjust=adjust)
        return self._serve("fund_etf_hist_em",
                           f"fund_etf_hist_em__symbol={symbol}_period={period}_adjust={adjust}",
                           kwargs)

    def stock_zh_a_hist(self, symbol, period, start_date, end_date, adjust):
        kwargs = dict(symbol=symbol, period=period, start_date=start_date, end_date=end_date,
                      adjust=adjust)
        return self._serve("stock_zh_a_hist",
                           f"stock_zh_a_hist__symbol={symbol}_period={period}_adjust={adjust}",
                           kwargs)

    def stock_zh_a_st_em(self):
        return self._serve("stock_zh_a_st_em", "stock_zh_a_st_em", {})


def _ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def _assert_layout(frame: pd.DataFrame, name: str, schema_name: str | None = None) -> None:
    spec = DATASETS[schema_name or name]
    assert list(frame.columns) == [*spec.key_columns, *spec.column_names]
    assert frame["date"].dtype == np.dtype("datetime64[ns]")
    for col in spec.columns:
        if col.dtype == "float64":
            assert frame[col.name].dtype == np.float64, col.name
        if col.dtype == "bool":
            assert frame[col.name].dtype == bool, col.name


def _row(frame: pd.DataFrame, date: str, code: str | None = None) -> pd.Series:
    mask = frame["date"] == _ts(date)
    if code is not None:
        mask &= frame["code"] == code
    rows = frame[mask]
    assert len(rows) == 1, (date, code)
    return rows.iloc[0]


# --------------------------------------------------------------------------- per dataset


def test_csi_all_share_units_and_dates():
    fake = FakeAk()
    frame = qak.fetch("csi_all_share", _ts("2021-11-01"), _ts("2021-11-30"), ak=fake)
    _assert_layout(frame, "csi_all_share")
    assert len(frame) == 10
    assert frame["date"].iloc[0] == _ts("2021-11-09")
    assert frame["date"].is_monotonic_increasing
    first = _row(frame, "2021-11-09")
    assert first["close"] == pytest.approx(5755.41)
    assert first["amount_cny"] == pytest.approx(9150.49e8)  # 9150.49 亿元
    assert first["pe_ttm"] == pytest.approx(16.95)
    assert fake.calls[0] == ("stock_zh_index_hist_csindex",
                             {"symbol": "000985", "start_date": "20211101",
                              "end_date": "20211130"})


def test_csi_all_share_cuts_to_window():
    frame = qak.fetch_csi_all_share(_ts("2021-11-10"), _ts("2021-11-12"), ak=FakeAk())
    assert list(frame["date"].dt.strftime("%Y-%m-%d")) == ["2021-11-10", "2021-11-11",
                                                           "2021-11-12"]


def test_wind_all_a_proxy_is_the_000985_frame():
    fake = FakeAk()
    proxy = qak.fetch("wind_all_a", None, None, ak=fake)
    direct = qak.fetch_csi_all_share(None, None, ak=FakeAk())
    pd.testing.assert_frame_equal(proxy, direct)
    _assert_layout(proxy, "wind_all_a", schema_name="csi_all_share")
    assert fake.calls[0][1]["symbol"] == "000985"
    assert fake.calls[0][1]["start_date"] == "19900101"


def test_hs300_volume_from_wan_lots():
    frame = qak.fetch("hs300", None, None, ak=FakeAk())
    _assert_layout(frame, "hs300")
    row = _row(frame, "2021-11-09")
    # 11837.55 万手 -> 11,837,550,000 shares (Wind/PyPI copies: 11,837,552,600)
    assert row["volume_shares"] == pytest.approx(11837.55e6)
    assert row["volume_shares"] == pytest.approx(11_837_552_600, rel=1e-6)
    assert row["amount_cny"] == pytest.approx(2616.45e8)
    assert row["pe_ttm"] == pytest.approx(13.56)


def test_sse_composite_keeps_lots_and_cny():
    fake = FakeAk()
    frame = qak.fetch("sse_composite", _ts("2026-02-01"), None, ak=fake)
    _assert_layout(frame, "sse_composite")
    row = _row(frame, "2026-02-25")
    assert row["volume_lots"] == 724787214
    assert row["amount_cny"] == pytest.approx(1085969561174.1)
    assert (row["open"], row["high"], row["low"], row["close"]) == (4123.78, 4167.84, 4122.7,
                                                                    4147.23)
    assert fake.calls[0][1]["symbol"] == "sh000001"


def test_all_a_pb():
    frame = qak.fetch("all_a_pb", _ts("2024-02-01"), _ts("2024-02-07"), ak=FakeAk())
    _assert_layout(frame, "all_a_pb")
    assert _row(frame, "2024-02-05")["pb_median"] == pytest.approx(1.67)
    assert frame["date"].min() == _ts("2024-02-01")
    assert frame["date"].max() <= _ts("2024-02-07")


def test_margin_units_and_nullable_guarantee():
    frame = qak.fetch("margin", None, None, ak=FakeAk())
    _assert_layout(frame, "margin")
    row = _row(frame, "2026-08-20")
    assert row["fin_balance_cny"] == pytest.approx(26395.00368567e8)
    assert row["loan_balance_cny"] == pytest.approx(268.45294696e8)
    assert row["fin_buy_cny"] == pytest.approx(1888.29242438e8)
    assert row["guarantee_ratio_pct"] == pytest.approx(277.7545)
    assert np.isnan(_row(frame, "2015-07-31")["guarantee_ratio_pct"])  # kept NaN, not filled


def test_csi_theme_drops_known_junk_rows_and_keeps_nan_ohlc():
    calls = []
    frame = qak.fetch("csi_theme", None, None, codes=["930651", "H30184"], ak=FakeAk(),
                      progress=lambda done, total, code: calls.append((done, total, code)))
    _assert_layout(frame, "csi_theme")
    assert calls == [(1, 2, "930651"), (2, 2, "H30184")]
    assert list(frame["code"].unique()) == ["930651", "H30184"]
    computer = frame[frame["code"] == "930651"]
    # 2015-01-01 is the csindex start-date echo (copy of 2015-01-05): dropped
    assert computer["date"].iloc[0] == _ts("2015-01-05")
    assert _row(frame, "2015-01-05", "930651")["amount_cny"] == pytest.approx(167.57e8)
    assert np.isnan(_row(frame, "2015-01-05", "930651")["pe_ttm"])
    semi = frame[frame["code"] == "H30184"]
    # 2018-06-18 (Dragon Boat, turnover 0, no OHL) dropped; early NaN OHLC kept
    assert _ts("2018-06-18") not in set(semi["date"])
    assert len(semi) == 9
    assert semi["open"].isna().all() and semi["close"].notna().all()


def test_csi_theme_default_codes():
    fake = FakeAk(stock_zh_index_hist_csindex=lambda symbol, **kw: _load(
        "stock_zh_index_hist_csindex__symbol=930651").assign(指数代码=symbol))
    frame = qak.fetch_csi_theme(None, None, ak=fake)
    assert sorted(frame["code"].unique()) == sorted(qak.CSI_THEME_CODES)


def test_sw_l1_units_source_and_codes():
    progress = []
    frame = qak.fetch("sw_l1", _ts("2026-02-10"), None, codes=["801780", "801010"],
                      ak=FakeAk(), progress=lambda *a: progress.append(a))
    _assert_layout(frame, "sw_l1")
    assert list(frame["code"].unique()) == ["801010", "801780"]  # sorted by code
    row = _row(frame, "2026-02-26", "801010")
    assert (row["open"], row["high"], row["low"], row["close"]) == (2927.82, 2948.11, 2906.78,
                                                                    2912.65)
    assert row["volume_shares"] == pytest.approx(23.77e8)  # 亿股
    assert row["amount_cny"] == pytest.approx(219.29e8)  # 亿元
    assert set(frame["source"]) == {"sws"}
    assert frame["date"].min() == _ts("2026-02-10")
    assert progress == [(1, 2, "801780"), (2, 2, "801010")]


def test_sw_l1_pe_ttm_month_end_rows():
    fake = FakeAk()
    months = []
    frame = qak.fetch("sw_l1_pe_ttm", _ts("2022-07-01"), _ts("2022-08-31"),
                      codes=["801780", "801120"], ak=fake,
                      progress=lambda d, t, label: months.append(label))
    _assert_layout(frame, "sw_l1_pe_ttm")
    assert months == ["2022-07-29", "2022-08-31"]
    assert len(frame) == 4
    assert _row(frame, "2022-08-31", "801780")["pe_ttm"] == pytest.approx(5.05)
    assert _row(frame, "2022-08-31", "801120")["pe_ttm"] == pytest.approx(36.48)
    monthly_calls = [kw for f, kw in fake.calls if f == "index_analysis_monthly_sw"]
    assert monthly_calls == [{"symbol": "一级行业", "date": "20220729"},
                             {"symbol": "一级行业", "date": "20220831"}]


def test_sw_l1_pe_ttm_missing_code_is_an_error():
    with pytest.raises(FetchError, match="801950"):
        qak.fetch("sw_l1_pe_ttm", _ts("2022-08-01"), _ts("2022-08-31"),
                  codes=["801780", "801950"], ak=FakeAk())


def test_etf_lots_to_shares_and_adjusted_flag():
    fake = FakeAk()
    frame = qak.fetch("etf", _ts("2025-06-23"), _ts("2025-07-04"), codes=["510300", "159363"],
                      ak=fake)
    _assert_layout(frame, "etf")
    row = _row(frame, "2025-07-04", "510300")
    assert row["close"] == pytest.approx(4.032)
    assert row["volume_shares"] == 10525621 * 100
    assert row["amount_cny"] == pytest.approx(4241383565.0)
    assert frame["is_adjusted"].all()
    assert fake.calls[0] == ("fund_etf_hist_em",
                             {"symbol": "510300", "period": "daily", "start_date": "20250623",
                              "end_date": "20250704", "adjust": "qfq"})


def test_registry_covers_every_refreshable_dataset():
    refreshable = {name for name, spec in DATASETS.items() if spec.refreshable}
    assert set(qak.FETCHERS) == refreshable


# --------------------------------------------------------------------------- errors


def test_network_error_becomes_fetch_error_naming_dataset():
    fake = FakeAk(stock_zh_index_hist_csindex=ConnectionError("Max retries exceeded"))
    with pytest.raises(FetchError, match="csi_all_share") as info:
        qak.fetch("csi_all_share", None, None, ak=fake)
    assert "network connection" in str(info.value)
    assert isinstance(info.value.__cause__, ConnectionError)


@pytest.mark.parametrize("name", ["margin", "sw_l1", "etf", "all_a_pb"])
def test_network_error_for_other_datasets(name):
    fake = FakeAk(**{f: ConnectionError("down") for f in (
        "stock_margin_account_info", "index_hist_sw", "fund_etf_hist_em", "stock_a_all_pb")})
    with pytest.raises(FetchError, match=name):
        qak.fetch(name, None, None, ak=fake)


@pytest.mark.parametrize("result", [None, pd.DataFrame()])
def test_empty_result_is_fetch_error(result):
    fake = FakeAk(stock_margin_account_info=lambda: result)
    with pytest.raises(FetchError, match="margin"):
        qak.fetch("margin", None, None, ak=fake)


def test_missing_akshare_column_is_named():
    frame = _load("stock_zh_index_hist_csindex__symbol=000300").drop(columns=["成交金额"])
    fake = FakeAk(stock_zh_index_hist_csindex=lambda **kw: frame)
    with pytest.raises(FetchError, match="成交金额") as info:
        qak.fetch("hs300", None, None, ak=fake)
    assert "stock_zh_index_hist_csindex" in str(info.value)


def test_missing_function_is_fetch_error():
    class Old:
        pass

    with pytest.raises(FetchError, match="index_hist_sw"):
        qak.fetch("sw_l1", None, None, codes=["801010"], ak=Old())


def test_duplicated_dates_raise():
    frame = _load("stock_zh_index_daily_em__symbol=sh000001")
    dup = pd.concat([frame.iloc[:3], frame.iloc[2:]], ignore_index=True)
    with pytest.raises(DataValidationError, match="duplicated"):
        qak.fetch("sse_composite", None, None, ak=FakeAk(stock_zh_index_daily_em=lambda **kw: dup))


def test_unsorted_dates_raise():
    frame = _load("stock_a_all_pb")
    shuffled = frame.iloc[[0, 2, 1, 3, 4, 5]].reset_index(drop=True)
    with pytest.raises(DataValidationError, match="not sorted"):
        qak.fetch("all_a_pb", None, None, ak=FakeAk(stock_a_all_pb=lambda: shuffled))


def test_newest_first_endpoint_is_reversed_not_rejected():
    frame = _load("index_hist_sw__symbol=801010_period=day").iloc[::-1].reset_index(drop=True)
    out = qak.fetch("sw_l1", None, None, codes=["801010"],
                    ak=FakeAk(index_hist_sw=lambda **kw: frame))
    assert out["date"].is_monotonic_increasing


def test_nan_in_required_field_raises():
    frame = _load("stock_margin_account_info")
    frame.loc[frame.index[-1], "融资余额"] = np.nan
    with pytest.raises(DataValidationError, match="fin_balance_cny"):
        qak.fetch("margin", None, None, ak=FakeAk(stock_margin_account_info=lambda: frame))


def test_non_numeric_value_raises():
    frame = _load("stock_a_all_pb").astype({"middlePB": object})
    frame.loc[1, "middlePB"] = "n/a?"
    with pytest.raises(DataValidationError, match="not numbers"):
        qak.fetch("all_a_pb", None, None, ak=FakeAk(stock_a_all_pb=lambda: frame))


def test_window_without_rows_is_fetch_error():
    with pytest.raises(FetchError, match="no rows between"):
        qak.fetch("all_a_pb", _ts("2030-01-01"), None, ak=FakeAk())


def test_unknown_and_unrefreshable_names():
    with pytest.raises(UnknownNameError, match="Did you mean"):
        qak.fetch("sw_l2", None, None, ak=FakeAk())
    with pytest.raises(FetchError, match="citic_l1"):
        qak.fetch("citic_l1", None, None, ak=FakeAk())


def test_codes_rejected_for_series_and_string_codes():
    with pytest.raises(FetchError, match="single series"):
        qak.fetch("margin", None, None, codes=["x"], ak=FakeAk())
    with pytest.raises(FetchError, match="list of codes"):
        qak.fetch("etf", None, None, codes="510300", ak=FakeAk())


def test_import_does_not_import_akshare():
    code = ("import sys, quantlib.data.akshare; "
            "sys.exit(1 if 'akshare' in sys.modules else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- stocks


def test_stocks_preclose_from_change_matches_exchange_reference_on_ex_date():
    # 000001 paid 0.719 CNY on 2024-06-14: the exchange reference price was 10.08 while the
    # previous close was 10.80 (known fact, also in the baostock copy). Eastmoney's 涨跌额 is
    # against the reference price, so close - 涨跌额 must give 10.08, not 10.80.
    fake = FakeAk()
    frame = qak.fetch("stocks", _ts("2024-06-05"), _ts("2024-06-21"), codes=["000001"], ak=fake)
    _assert_layout(frame, "stocks")
    ex = _row(frame, "2024-06-14", "000001")
    assert ex["preclose"] == pytest.approx(10.08)
    assert _row(frame, "2024-06-13", "000001")["close"] == pytest.approx(10.80)
    assert ex["volume_shares"] % 100 == 0  # lots (手) x 100
    assert frame["tradestatus"].all() and not frame["is_st"].any()
    # factor steps by 10.80 / 10.08 on the ex-date and nowhere else in the window
    steps = (frame["adj_factor"] / frame["adj_factor"].shift(1)).dropna()
    assert steps[frame["date"] == _ts("2024-06-14")].iloc[0] == pytest.approx(10.80 / 10.08)
    assert steps[frame["date"] != _ts("2024-06-14")].sub(1).abs().max() < 1e-12
    assert fake.calls[0] == ("stock_zh_a_st_em", {})
    assert fake.calls[1] == ("stock_zh_a_hist", {"symbol": "000001", "period": "daily",
                                                 "start_date": "20240605",
                                                 "end_date": "20240621", "adjust": ""})


def test_stocks_suspended_days_become_rows_and_factor_matches_baostock():
    # 600027 was suspended 2024-07-19 .. 2024-08-01 (10 trading days) and went ex-dividend
    # during the suspension (baostock reference 6.08 -> 5.93). Eastmoney has no rows there.
    from quantlib import data

    frame = qak.fetch("stocks", _ts("2024-07-12"), _ts("2024-08-09"), codes=["600027"],
                      ak=FakeAk())
    suspended = frame.loc[~frame["tradestatus"], "date"]
    assert list(suspended.dt.strftime("%m-%d")) == [
        "07-19", "07-22", "07-23", "07-24", "07-25", "07-26", "07-29", "07-30", "07-31", "08-01"]
    held = frame[~frame["tradestatus"]]
    assert (held["close"] == 6.08).all() and (held["volume_shares"] == 0).all()
    assert _row(frame, "2024-08-02", "600027")["preclose"] == pytest.approx(5.93)
    # the same total adjustment as the baostock bars of the bundled dataset over the window
    bundled = data.load("stocks", "2024-07-12", "2024-08-09", codes=["600027"])["adj_factor"]
    ours = frame.set_index("date")["adj_factor"]
    assert ours.iloc[-1] / ours.iloc[0] == pytest.approx(
        bundled["600027"].iloc[-1] / bundled["600027"].iloc[0], rel=1e-12)
    assert ours.iloc[-1] == pytest.approx(6.08 / 5.93, rel=1e-12)


def test_stocks_is_st_from_the_risk_warning_board():
    def hist(**kw):
        frame = _load("stock_zh_a_hist__symbol=000001_period=daily_adjust=")
        return frame.assign(股票代码=kw["symbol"])

    frame = qak.fetch("stocks", _ts("2024-06-05"), _ts("2024-06-21"),
                      codes=["000001", "000792"], ak=FakeAk(stock_zh_a_hist=hist))
    assert frame.groupby("code")["is_st"].all().to_dict() == {"000001": False, "000792": True}


def test_stocks_bad_code_and_missing_change_column():
    from quantlib.data.stocks import StockDataError

    with pytest.raises(StockDataError, match="prefix 830"):
        qak.fetch("stocks", _ts("2024-06-05"), _ts("2024-06-21"), codes=["830799"], ak=FakeAk())

    def no_change(**kw):
        return _load("stock_zh_a_hist__symbol=000001_period=daily_adjust=").drop(columns="涨跌额")

    with pytest.raises(FetchError, match="涨跌额"):
        qak.fetch("stocks", _ts("2024-06-05"), _ts("2024-06-21"), codes=["000001"],
                  ak=FakeAk(stock_zh_a_hist=no_change))
