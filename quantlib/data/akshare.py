"""Refresh fetchers: the only module of quantlib that talks to akshare.

Every fetcher has the signature ``fetch_<dataset>(start, end, *, codes=None, ak=None)`` and
returns a frame in the dataset's *storage layout* (see :mod:`quantlib.data.schema`): ``date``
(series) or ``code``, ``date`` (panel) followed by exactly the schema's fields, in schema units,
dates as ``datetime64[ns]``, validated with :func:`quantlib.data.schema.validate_fetched`.

akshare is imported lazily (``import quantlib.data.akshare`` does not import it). Every fetcher
takes an ``ak`` argument: any object with the akshare functions as attributes, so tests pass a
fake that serves recorded frames (``tests/fixtures/akshare``).

Sources and units (checked against the akshare 1.19.5 source and recorded outputs, see
``tests/fixtures/akshare/README.md``):

========================  =====================================  ==============================
dataset                   akshare function                       unit conversion
========================  =====================================  ==============================
csi_all_share, hs300,     ``stock_zh_index_hist_csindex``        成交金额 亿元 x1e8 -> CNY;
csi_theme, wind_all_a*                                           成交量 万手 x1e6 -> shares
sse_composite             ``stock_zh_index_daily_em``            volume kept in lots (手);
                                                                 amount already CNY
all_a_pb                  ``stock_a_all_pb``                     middlePB (x)
margin                    ``stock_margin_account_info``          亿元 x1e8 -> CNY; ratio in %
sw_l1                     ``index_hist_sw``                      成交量 亿股 x1e8 -> shares;
                                                                 成交额 亿元 x1e8 -> CNY
sw_l1_pe_ttm              ``index_analysis_week_month_sw`` +     市盈率 (x), SWS definition
                          ``index_analysis_monthly_sw``
etf                       ``fund_etf_hist_em`` (qfq)             成交量 手 x100 -> shares
market_pe_lg              ``stock_market_pe_lg`` (4 symbols)     平均市盈率 / 市盈率 (x)
market_pb_lg              ``stock_market_pb_lg`` (4 symbols)     市净率, 等权市净率, 中位数 (x)
stocks                    ``stock_zh_a_hist`` (adjust="") +      成交量 手 x100 -> shares;
                          ``stock_zh_a_st_em``                   preclose = 收盘 - 涨跌额
========================  =====================================  ==============================

\\* ``wind_all_a``: akshare cannot serve WIND All A (881001.WI). Its refresh fetches the CSI All
Share (000985) frame (:func:`fetch_wind_all_a_proxy`, same layout as ``csi_all_share``); the
caller extends the last real Wind close by 000985 returns (:mod:`quantlib.data.splice`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from quantlib.data.schema import DATASETS, validate_fetched
from quantlib.errors import DataValidationError, FetchError, MissingExtraError, UnknownNameError

__all__ = [
    "CSI_THEME_CODES",
    "ETF_CODES",
    "FETCHERS",
    "SW_L1_CODES",
    "fetch",
    "fetch_all_a_pb",
    "fetch_csi_all_share",
    "fetch_csi_theme",
    "fetch_etf",
    "fetch_hs300",
    "fetch_margin",
    "fetch_market_pb_lg",
    "fetch_market_pe_lg",
    "fetch_sse_composite",
    "fetch_stocks",
    "fetch_sw_l1",
    "fetch_sw_l1_pe_ttm",
    "fetch_wind_all_a_proxy",
]

Progress = Callable[[int, int, str], None]
"""``progress(done, total, label)``: called after each code / month of a multi-call fetch."""

CSI_THEME_CODES: tuple[str, ...] = (
    "930651", "930713", "930851", "931071", "931160", "H30184", "H30590",
)
SW_L1_CODES: tuple[str, ...] = (
    "801010", "801030", "801040", "801050", "801080", "801110", "801120", "801130", "801140",
    "801150", "801160", "801170", "801180", "801200", "801210", "801230", "801710", "801720",
    "801730", "801740", "801750", "801760", "801770", "801780", "801790", "801880", "801890",
    "801950", "801960", "801970", "801980",
)
ETF_CODES: tuple[str, ...] = (
    "159273", "159363", "159516", "159537", "159551", "159667", "510300", "560800", "562570",
    "588200", "589100",
)

YI = 1e8  # 亿 (100 million)
WAN_LOTS = 1e6  # 万手 = 10,000 lots of 100 shares
LOT = 100  # 手 (one lot = 100 shares / fund units)

_EARLIEST = pd.Timestamp("1990-01-01")
_MISSING_MARKERS = {"", "-", "--", "None", "nan", "NaN"}
_NETWORK_HINT = (
    "Check your network connection / akshare version (pip install -U akshare); the source "
    "site may also be down or have changed its API."
)


# --------------------------------------------------------------------------- helpers


def _akshare(ak: Any) -> Any:
    """Return ``ak`` or, when None, the real akshare module (imported here, lazily)."""
    if ak is not None:
        return ak
    try:
        import akshare
    except ImportError:
        raise MissingExtraError(
            "refreshing data needs akshare, an optional extra (the bundled data works without "
            "it): pip install 'quantlib[refresh]' (or pip install 'akshare>=1.12')."
        ) from None
    return akshare


def _fmt_args(kwargs: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


#: akshare's date/OHLC column names: Chinese (most functions) and English (Eastmoney index).
_ZH_OHLC = ("日期", "开盘", "最高", "最低", "收盘")
_EN_OHLC = ("date", "open", "high", "low", "close")


def _date_ohlc(raw: pd.DataFrame, where: str,
               names: tuple[str, ...] = _ZH_OHLC) -> dict[str, pd.Series]:
    """The ``date, open, high, low, close`` columns of an akshare frame, typed and checked."""
    out: dict[str, pd.Series] = {"date": _to_dates(raw[names[0]], where)}
    for field, name in zip(("open", "high", "low", "close"), names[1:], strict=True):
        out[field] = _to_float(raw[name], where)
    return out


def _call(ak: Any, dataset: str, func_name: str, **kwargs: Any) -> pd.DataFrame:
    """Call ``ak.<func_name>(**kwargs)``; turn every failure into a :class:`FetchError`.

    Raises
    ------
    FetchError
        The function is missing, raised, or returned None / a non-frame / an empty frame.
    """
    call = f"akshare.{func_name}({_fmt_args(kwargs)})"
    func = getattr(ak, func_name, None)
    if func is None:
        raise FetchError(
            f"refresh of dataset {dataset!r}: akshare has no function {func_name!r}. "
            "Upgrade akshare (pip install -U akshare); quantlib was checked against 1.19.5."
        )
    try:
        frame = func(**kwargs)
    except Exception as exc:
        raise FetchError(
            f"refresh of dataset {dataset!r} failed: {call} raised "
            f"{type(exc).__name__}: {exc}. {_NETWORK_HINT}"
        ) from exc
    if frame is None or not isinstance(frame, pd.DataFrame):
        raise FetchError(
            f"refresh of dataset {dataset!r}: {call} returned {type(frame).__name__}, not a "
            f"DataFrame. {_NETWORK_HINT}"
        )
    if frame.empty:
        raise FetchError(
            f"refresh of dataset {dataset!r}: {call} returned no rows. Check the code / date "
            f"range. {_NETWORK_HINT}"
        )
    return frame


def _require(frame: pd.DataFrame, columns: Sequence[str], dataset: str, func_name: str) -> None:
    """Raise :class:`FetchError` naming the akshare columns ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise FetchError(
            f"refresh of dataset {dataset!r}: akshare.{func_name} returned a frame without "
            f"column(s) {missing}; got {list(frame.columns)}. akshare changed its output: "
            "upgrade akshare (pip install -U akshare) or report the new column names."
        )


def _to_float(values: pd.Series, where: str) -> pd.Series:
    """Convert to float64. Blank / '-' markers become NaN; any other non-number raises."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    text = values.astype("object").map(lambda v: None if v is None else str(v).strip())
    junk = numbers.isna() & values.notna() & ~text.isin(_MISSING_MARKERS)
    if junk.any():
        raise DataValidationError(
            f"{where}: {int(junk.sum())} value(s) are not numbers, e.g. "
            f"{values[junk].iloc[0]!r}. akshare's output format changed; check the source."
        )
    return numbers


def _to_dates(values: pd.Series, where: str) -> pd.Series:
    """Parse dates (``datetime.date`` objects or strings) to tz-naive ``datetime64[ns]``."""
    try:
        dates = pd.to_datetime(values.astype("object"), errors="raise")
    except (ValueError, TypeError) as exc:
        raise DataValidationError(f"{where}: unparseable date(s): {exc}") from exc
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return dates.astype("datetime64[ns]").dt.normalize()


def _ymd(ts: pd.Timestamp | None, default: pd.Timestamp) -> str:
    return (default if ts is None else pd.Timestamp(ts)).strftime("%Y%m%d")


def _today() -> pd.Timestamp:
    return pd.Timestamp.today().normalize()


def _in_range(frame: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None,
              what: str) -> pd.DataFrame:
    """Keep rows with ``start <= date <= end`` (the requested window; not a silent drop)."""
    mask = pd.Series(True, index=frame.index)
    if start is not None:
        mask &= frame["date"] >= pd.Timestamp(start)
    if end is not None:
        mask &= frame["date"] <= pd.Timestamp(end)
    kept = frame[mask.to_numpy()]
    if kept.empty:
        got = (f"{frame['date'].min().date()} .. {frame['date'].max().date()}"
               if len(frame) else "nothing")
        raise FetchError(
            f"{what}: no rows between {start} and {end}; akshare returned {got}. Widen the "
            "date range (the window may hold only non-trading days)."
        )
    return kept


def _oldest_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Reverse a frame whose dates are strictly decreasing (newest-first endpoints).

    Any other disorder is left alone so that :func:`validate_fetched` reports it.
    """
    dates = frame["date"]
    if len(dates) > 1 and dates.is_monotonic_decreasing and dates.is_unique:
        return frame.iloc[::-1]
    return frame


def _finish(frame: pd.DataFrame, schema_name: str, where: str) -> pd.DataFrame:
    """Order columns as the schema, fix dtypes, sort codes (stable) and validate."""
    spec = DATASETS[schema_name]
    out = frame[[*spec.key_columns, *spec.column_names]].copy()
    out = _oldest_first(out) if spec.kind == "series" else out
    for col in spec.columns:
        if col.dtype == "float64":
            out[col.name] = out[col.name].astype("float64")
        elif col.dtype == "bool":
            out[col.name] = out[col.name].astype(bool)
        else:
            out[col.name] = out[col.name].astype(str)
    if spec.kind == "panel":
        out["code"] = out["code"].astype(str)
        out = out.sort_values("code", kind="stable")
    out = out.reset_index(drop=True)
    validate_fetched(out, spec, where=where)
    return out


def _panel(per_code: Callable[[str], pd.DataFrame], codes: Sequence[str],
           progress: Progress | None) -> pd.DataFrame:
    """Run ``per_code`` for each code, report progress, concatenate (long format)."""
    frames = []
    for i, code in enumerate(codes, start=1):
        part = _oldest_first(per_code(code))
        part.insert(0, "code", code)
        frames.append(part)
        if progress is not None:
            progress(i, len(codes), code)
    return pd.concat(frames, ignore_index=True)


def _codes(codes: Sequence[str] | None, default: Sequence[str], dataset: str) -> list[str]:
    chosen = list(default if codes is None else codes)
    if not chosen:
        raise FetchError(f"refresh of dataset {dataset!r}: `codes` is empty; pass None for "
                         f"the default codes {list(default)}.")
    if isinstance(codes, str):
        raise FetchError(f"refresh of dataset {dataset!r}: `codes` must be a list of codes, "
                         f"got the string {codes!r}; use [{codes!r}].")
    return [str(c) for c in chosen]


# --------------------------------------------------------------------------- csindex

_CSINDEX = "stock_zh_index_hist_csindex"
_CSINDEX_COLS = ["日期", "开盘", "最高", "最低", "收盘", "成交量", "成交金额", "滚动市盈率"]


def _csindex_raw(ak: Any, dataset: str, symbol: str, start: pd.Timestamp | None,
                 end: pd.Timestamp | None) -> pd.DataFrame:
    """One csindex index in akshare's shape, junk rows removed, converted to schema units.

    Returns columns ``date, open, high, low, close, volume_shares, amount_cny, pe_ttm``.
    """
    raw = _call(ak, dataset, _CSINDEX, symbol=symbol, start_date=_ymd(start, _EARLIEST),
                end_date=_ymd(end, _today()))
    _require(raw, _CSINDEX_COLS, dataset, _CSINDEX)
    where = f"refresh of dataset {dataset!r}, akshare.{_CSINDEX}(symbol={symbol!r})"
    out = pd.DataFrame({
        **_date_ohlc(raw, where),
        "volume_shares": _to_float(raw["成交量"], where) * WAN_LOTS,  # 万手 -> shares
        "amount_cny": _to_float(raw["成交金额"], where) * YI,  # 亿元 -> CNY
        "pe_ttm": _to_float(raw["滚动市盈率"], where),
    })
    out = _drop_csindex_junk(_oldest_first(out))
    return _in_range(out, start, end, where)


def _drop_csindex_junk(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the two kinds of placeholder rows the csindex ``index-perf`` API is known to emit.

    1. Non-trading-day rows with zero turnover (成交金额 == 0) and no open/high/low, e.g.
       2018-06-18 (Dragon Boat Festival) in 000985 and all seven theme indices: the close is
       the previous day's, nothing traded, the day is not an SSE trading day.
    2. A row that is an exact copy (OHLC, turnover, PE) of the next row, e.g. 2015-01-01 (New
       Year's Day) when ``start_date=20150101``: the API echoes the requested start date with
       the first trading day's values. Identical OHLC *and* turnover on two real consecutive
       trading days does not happen, so only echoes are removed.
    See ``/work/shared/data/csi_all_share_000985/SOURCE.txt`` (quality notes).
    """
    no_trade = (frame["amount_cny"] == 0) & frame[["open", "high", "low"]].isna().all(axis=1)
    fields = ["open", "high", "low", "close", "amount_cny", "pe_ttm"]
    values = frame[fields]
    following = values.shift(-1)
    same = (values == following) | (values.isna() & following.isna())
    echo = same.all(axis=1) & (frame["date"] < frame["date"].shift(-1))
    echo.iloc[-1] = False
    return frame[~(no_trade | echo).to_numpy()].reset_index(drop=True)


def fetch_csi_all_share(start: pd.Timestamp | None, end: pd.Timestamp | None, *,
                        codes: Sequence[str] | None = None, ak: Any = None) -> pd.DataFrame:
    """CSI All Share (000985) daily OHLC, turnover and rolling PE from csindex.

    Parameters
    ----------
    start, end : pd.Timestamp or None
        Inclusive window; None means from 1990 / up to today.
    codes : None
        Not used (a single series); must be None.
    ak : module-like, optional
        akshare or a fake with ``stock_zh_index_hist_csindex``.

    Returns
    -------
    pd.DataFrame
        ``date, open, high, low, close, amount_cny, pe_ttm``. 成交金额 (亿元) is multiplied by
        1e8; 滚动市盈率 is kept as the CSI trailing PE.
    """
    _no_codes(codes, "csi_all_share")
    ak = _akshare(ak)
    frame = _csindex_raw(ak, "csi_all_share", "000985", start, end)
    return _finish(frame, "csi_all_share", "akshare refresh of 'csi_all_share'")


def fetch_wind_all_a_proxy(start: pd.Timestamp | None, end: pd.Timestamp | None, *,
                           codes: Sequence[str] | None = None, ak: Any = None) -> pd.DataFrame:
    """Refresh input of ``wind_all_a``: the CSI All Share (000985) frame, *not* Wind data.

    akshare cannot serve WIND All A (881001.WI, a Wind-terminal index). The cached
    ``wind_all_a`` is real Wind data up to 2024-12-12 and afterwards continues the last Wind close
    with 000985 returns. This fetcher returns the 000985 frame in the ``csi_all_share`` layout
    (``date, open, high, low, close, amount_cny, pe_ttm``); the caller splices it by returns
    (:mod:`quantlib.data.splice`) and sets ``source``/``is_proxy``/``volume_shares``.
    """
    _no_codes(codes, "wind_all_a")
    ak = _akshare(ak)
    frame = _csindex_raw(ak, "wind_all_a", "000985", start, end)
    return _finish(frame, "csi_all_share", "akshare refresh of 'wind_all_a' (000985 proxy)")


def fetch_hs300(start: pd.Timestamp | None, end: pd.Timestamp | None, *,
                codes: Sequence[str] | None = None, ak: Any = None) -> pd.DataFrame:
    """CSI 300 (000300) daily from csindex.

    Returns ``date, open, high, low, close, volume_shares, amount_cny, pe_ttm``: 成交量 is in
    万手 (10,000 lots; 11837.55 on 2021-11-09 = 11,837,552,600 shares in the Wind/PyPI copies),
    multiplied by 1e6; 成交金额 (亿元) by 1e8.
    """
    _no_codes(codes, "hs300")
    ak = _akshare(ak)
    frame = _csindex_raw(ak, "hs300", "000300", start, end)
    return _finish(frame, "hs300", "akshare refresh of 'hs300'")


def fetch_csi_theme(start: pd.Timestamp | None, end: pd.Timestamp | None, *,
                    codes: Sequence[str] | None = None, ak: Any = None,
                    progress: Progress | None = None) -> pd.DataFrame:
    """The seven CSI thematic indices (one csindex call per code), long panel.

    Parameters
    ----------
    codes : sequence of str, optional
        Default :data:`CSI_THEME_CODES`.
    progress : callable, optional
        ``progress(done, total, code)`` after each code (drives the CLI's tqdm bar).

    Returns
    -------
    pd.DataFrame
        ``code, date, open, high, low, close, amount_cny, pe_ttm``. OHLC and PE may be NaN in
        early years (as published by CSI); nothing is filled.
    """
    ak = _akshare(ak)
    chosen = _codes(codes, CSI_THEME_CODES, "csi_theme")
    frame = _panel(lambda c: _csindex_raw(ak, "csi_theme", c, start, end), chosen, progress)
    return _finish(frame, "csi_theme", "akshare refresh of 'csi_theme'")


def _no_codes(codes: Sequence[str] | None, dataset: str) -> None:
    if codes is not None:
        raise FetchError(f"dataset {dataset!r} is a single series; it takes no codes "
                         f"(got {codes!r}). Pass codes=None.")


# --------------------------------------------------------------------------- SSE composite

_SSE = "stock_zh_index_daily_em"


def fetch_sse_composite(start: pd.Timestamp | None, end: pd.Timestamp | None, *,
                        codes: Sequence[str] | None = None, ak: Any = None) -> pd.DataFrame:
    """SSE Composite (000001.SH) daily OHLCV from Eastmoney (``stock_zh_index_daily_em``).

    Chosen over ``stock_zh_index_daily`` (Sina: no turnover) and ``index_zh_a_hist`` (an extra
    code-map request, no date filter at the source). Eastmoney index volume is in lots (手):
    724,787,214 lots and 1.086e12 CNY on 2026-02-25 give an average 15 CNY/share, so the
    schema's ``volume_lots`` keeps it as is; ``amount`` is CNY.
    """
    _no_codes(codes, "sse_composite")
    ak = _akshare(ak)
    raw = _call(ak, "sse_composite", _SSE, symbol="sh000001",
                start_date=_ymd(start, _EARLIEST), end_date=_ymd(end, _today()))
    _require(raw, ["date", "open", "close", "high", "low", "volume", "amount"],
             "sse_composite", _SSE)
    where = f"refresh of dataset 'sse_composite', akshare.{_SSE}(symbol='sh000001')"
    frame = pd.DataFrame({
        **_date_ohlc(raw, where, _EN_OHLC),
        "volume_lots": _to_float(raw["volume"], where),
        "amount_cny": _to_float(raw["amount"], where),
    })
    frame = _in_range(frame, start, end, where)
    return _finish(frame, "sse_composite", "akshare refresh of 'sse_composite'")


# --------------------------------------------------------------------------- all-A PB

_PB = "stock_a_all_pb"


def fetch_all_a_pb(start: pd.Timestamp | None, end: pd.Timestamp | None, *,
                   codes: Sequence[str] | None = None, ak: Any = None) -> pd.DataFrame:
    """Median P/B of all A shares (legulegu ``middlePB`` via ``stock_a_all_pb``).

    The function returns the whole history (``date`` as Asia/Shanghai calendar dates); rows
    outside ``[start, end]`` are not requested and are cut here. Returns ``date, pb_median``.
    """
    _no_codes(codes, "all_a_pb")
    ak = _akshare(ak)
    raw = _call(ak, "all_a_pb", _PB)
    _require(raw, ["date", "middlePB"], "all_a_pb", _PB)
    where = f"refresh of dataset 'all_a_pb', akshare.{_PB}()"
    frame = pd.DataFrame({
        "date": _to_dates(raw["date"], where),
        "pb_median": _to_float(raw["middlePB"], where),
    })
    frame = _in_range(_oldest_first(frame), start, end, where)
    return _finish(frame, "all_a_pb", "akshare refresh of 'all_a_pb'")


# --------------------------------------------------------------------------- legulegu markets

#: Code of the market panels -> akshare ``symbol`` of ``stock_market_pe_lg``/``_pb_lg``.
MARKET_LG_SYMBOLS: dict[str, str] = {"sh": "上证", "sz": "深证", "cyb": "创业板", "kcb": "科创版"}
_MARKET_PE = "stock_market_pe_lg"
_MARKET_PB = "stock_market_pb_lg"


def fetch_market_pe_lg(start: pd.Timestamp | None, end: pd.Timestamp | None, *,
                       codes: Sequence[str] | None = None, ak: Any = None,
                       progress: Progress | None = None) -> pd.DataFrame:
    """Average PE per market (legulegu via ``stock_market_pe_lg(symbol=...)``).

    上证/深证/创业板 return ``日期, 指数, 平均市盈率``; 科创版 returns ``日期, 总市值, 市盈率``
    (its own endpoint). The PE column is kept as ``pe``; 指数 and 总市值 are not stored (the
    index levels are in their own datasets; 总市值 exists for 科创版 only). Whole history per
    call; cut to ``[start, end]``. Returns ``code, date, pe``.
    """
    ak = _akshare(ak)
    chosen = _market_codes(codes, "market_pe_lg")

    def one(code: str) -> pd.DataFrame:
        symbol = MARKET_LG_SYMBOLS[code]
        raw = _call(ak, "market_pe_lg", _MARKET_PE, symbol=symbol)
        value = "市盈率" if code == "kcb" else "平均市盈率"
        _require(raw, ["日期", value], "market_pe_lg", _MARKET_PE)
        where = f"refresh of dataset 'market_pe_lg', akshare.{_MARKET_PE}(symbol={symbol!r})"
        frame = pd.DataFrame({"date": _to_dates(raw["日期"], where),
                              "pe": _to_float(raw[value], where)})
        return _in_range(_oldest_first(frame), start, end, where)

    return _finish(_panel(one, chosen, progress), "market_pe_lg",
                   "akshare refresh of 'market_pe_lg'")


def fetch_market_pb_lg(start: pd.Timestamp | None, end: pd.Timestamp | None, *,
                       codes: Sequence[str] | None = None, ak: Any = None,
                       progress: Progress | None = None) -> pd.DataFrame:
    """PB per market (legulegu via ``stock_market_pb_lg(symbol=...)``).

    akshare renames legulegu's ``addPb`` to 市净率 (the capitalisation-weighted PB, stored as
    ``pb``), ``pb`` to 等权市净率 (``pb_equal``) and ``middlePb`` to 市净率中位数
    (``pb_median``); 指数 is not stored. Returns ``code, date, pb, pb_equal, pb_median``.
    """
    ak = _akshare(ak)
    chosen = _market_codes(codes, "market_pb_lg")

    def one(code: str) -> pd.DataFrame:
        symbol = MARKET_LG_SYMBOLS[code]
        raw = _call(ak, "market_pb_lg", _MARKET_PB, symbol=symbol)
        _require(raw, ["日期", "市净率", "等权市净率", "市净率中位数"], "market_pb_lg",
                 _MARKET_PB)
        where = f"refresh of dataset 'market_pb_lg', akshare.{_MARKET_PB}(symbol={symbol!r})"
        frame = pd.DataFrame({"date": _to_dates(raw["日期"], where),
                              "pb": _to_float(raw["市净率"], where),
                              "pb_equal": _to_float(raw["等权市净率"], where),
                              "pb_median": _to_float(raw["市净率中位数"], where)})
        return _in_range(_oldest_first(frame), start, end, where)

    return _finish(_panel(one, chosen, progress), "market_pb_lg",
                   "akshare refresh of 'market_pb_lg'")


def _market_codes(codes: Sequence[str] | None, dataset: str) -> list[str]:
    chosen = _codes(codes, tuple(MARKET_LG_SYMBOLS), dataset)
    unknown = [c for c in chosen if c not in MARKET_LG_SYMBOLS]
    if unknown:
        raise UnknownNameError(f"market code of dataset {dataset!r}", unknown[0],
                               MARKET_LG_SYMBOLS)
    return chosen


# --------------------------------------------------------------------------- margin

_MARGIN = "stock_margin_account_info"


def fetch_margin(start: pd.Timestamp | None, end: pd.Timestamp | None, *,
                 codes: Sequence[str] | None = None, ak: Any = None) -> pd.DataFrame:
    """Whole-market margin balances from Eastmoney ``RPTA_WEB_MARGIN_DAILYTRADE``.

    ``stock_margin_account_info`` reads the same Eastmoney report the bundled data came from and
    is the only akshare function with the market-wide 平均维持担保比例 (the exchange functions
    ``stock_margin_sse``/``stock_margin_szse`` give one exchange each and no guarantee ratio).
    融资余额, 融券余额, 融资买入额 are in 亿元 (x1e8 -> CNY); 平均维持担保比例 is in % and is NaN
    in the earliest rows (as published). Whole history per call; cut to ``[start, end]``.
    """
    _no_codes(codes, "margin")
    ak = _akshare(ak)
    raw = _call(ak, "margin", _MARGIN)
    _require(raw, ["日期", "融资余额", "融券余额", "融资买入额", "平均维持担保比例"],
             "margin", _MARGIN)
    where = f"refresh of dataset 'margin', akshare.{_MARGIN}()"
    frame = pd.DataFrame({
        "date": _to_dates(raw["日期"], where),
        "fin_balance_cny": _to_float(raw["融资余额"], where) * YI,
        "loan_balance_cny": _to_float(raw["融券余额"], where) * YI,
        "fin_buy_cny": _to_float(raw["融资买入额"], where) * YI,
        "guarantee_ratio_pct": _to_float(raw["平均维持担保比例"], where),
    })
    frame = _in_range(_oldest_first(frame), start, end, where)
    return _finish(frame, "margin", "akshare refresh of 'margin'")


# --------------------------------------------------------------------------- Shenwan

_SW_HIST = "index_hist_sw"
_SW_MONTHS = "index_analysis_week_month_sw"
_SW_MONTHLY = "index_analysis_monthly_sw"


def fetch_sw_l1(start: pd.Timestamp | None, end: pd.Timestamp | None, *,
                codes: Sequence[str] | None = None, ak: Any = None,
                progress: Progress | None = None) -> pd.DataFrame:
    """Shenwan (SW2021) level-1 industry indices, daily, from SWS (``index_hist_sw``).

    One call per code; each returns the full history (no date arguments), cut to
    ``[start, end]``. Units: 成交量 亿股 (x1e8 -> shares), 成交额 亿元 (x1e8 -> CNY), checked
    against the SWS copy and Wind (10.16 亿股 / 106.1 亿元 = 1,016,050,000 shares /
    10,610,370,000 CNY for 801010 on 2015-01-05). ``source`` is ``"sws"``.

    Parameters
    ----------
    codes : sequence of str, optional
        Default :data:`SW_L1_CODES` (the 31 SW2021 level-1 codes, without ``.SI``).
    progress : callable, optional
        ``progress(done, total, code)`` after each code.
    """
    ak = _akshare(ak)
    chosen = _codes(codes, SW_L1_CODES, "sw_l1")
    frame = _panel(lambda c: _sw_hist_one(ak, c, start, end), chosen, progress)
    frame["source"] = "sws"
    return _finish(frame, "sw_l1", "akshare refresh of 'sw_l1'")


def _sw_hist_one(ak: Any, code: str, start: pd.Timestamp | None,
                 end: pd.Timestamp | None) -> pd.DataFrame:
    raw = _call(ak, "sw_l1", _SW_HIST, symbol=code, period="day")
    _require(raw, ["日期", "收盘", "开盘", "最高", "最低", "成交量", "成交额"], "sw_l1", _SW_HIST)
    where = f"refresh of dataset 'sw_l1', akshare.{_SW_HIST}(symbol={code!r})"
    frame = pd.DataFrame({
        **_date_ohlc(raw, where),
        "volume_shares": _to_float(raw["成交量"], where) * YI,  # 亿股 -> shares
        "amount_cny": _to_float(raw["成交额"], where) * YI,  # 亿元 -> CNY
    })
    return _in_range(_oldest_first(frame), start, end, where)


def fetch_sw_l1_pe_ttm(start: pd.Timestamp | None, end: pd.Timestamp | None, *,
                       codes: Sequence[str] | None = None, ak: Any = None,
                       progress: Progress | None = None) -> pd.DataFrame:
    """Month-end PE of the SW level-1 industries from SWS's monthly index-analysis report.

    ``index_analysis_week_month_sw(symbol="month")`` lists the report dates (the last trading day
    of each month); for each date in ``[start, end]``,
    ``index_analysis_monthly_sw(symbol="一级行业", date=...)`` returns one row per level-1
    industry with ``市盈率``. One call per month (31 rows fit one page).

    Differences from the bundled Wind series (read before mixing them): the bundled values are
    Wind's PE TTM with negative earnings *excluded*; SWS's ``市盈率`` is SWS's own published
    index PE (aggregate market value over aggregate constituent earnings, loss-makers *included*,
    so it jumps or turns negative when an industry's total profit is near or below zero). Its
    exact earnings window is SWS's convention and is not documented in akshare. Values are
    stored unchanged; nothing is clipped or excluded.

    Parameters
    ----------
    codes : sequence of str, optional
        Industries to keep; default :data:`SW_L1_CODES`. A code missing from a month's report
        raises :class:`FetchError`.
    progress : callable, optional
        ``progress(done, total, "YYYY-MM-DD")`` after each month.
    """
    ak = _akshare(ak)
    chosen = _codes(codes, SW_L1_CODES, "sw_l1_pe_ttm")
    months = _sw_report_months(ak, start, end)
    frames = []
    for i, month in enumerate(months, start=1):
        frames.append(_sw_month(ak, month, chosen))
        if progress is not None:
            progress(i, len(months), month.strftime("%Y-%m-%d"))
    frame = pd.concat(frames, ignore_index=True)
    return _finish(frame, "sw_l1_pe_ttm", "akshare refresh of 'sw_l1_pe_ttm'")


def _sw_report_months(ak: Any, start: pd.Timestamp | None,
                      end: pd.Timestamp | None) -> list[pd.Timestamp]:
    raw = _call(ak, "sw_l1_pe_ttm", _SW_MONTHS, symbol="month")
    _require(raw, ["date"], "sw_l1_pe_ttm", _SW_MONTHS)
    where = f"refresh of dataset 'sw_l1_pe_ttm', akshare.{_SW_MONTHS}(symbol='month')"
    dates = pd.DataFrame({"date": _to_dates(raw["date"], where)})
    dates = _in_range(dates, start, end, where)
    return sorted(pd.DatetimeIndex(dates["date"]).unique())


def _sw_month(ak: Any, month: pd.Timestamp, codes: Sequence[str]) -> pd.DataFrame:
    stamp = month.strftime("%Y%m%d")
    raw = _call(ak, "sw_l1_pe_ttm", _SW_MONTHLY, symbol="一级行业", date=stamp)
    _require(raw, ["指数代码", "发布日期", "市盈率"], "sw_l1_pe_ttm", _SW_MONTHLY)
    where = f"refresh of dataset 'sw_l1_pe_ttm', akshare.{_SW_MONTHLY}(date={stamp!r})"
    frame = pd.DataFrame({
        "code": raw["指数代码"].astype(str).str.strip(),
        "date": _to_dates(raw["发布日期"], where),
        "pe_ttm": _to_float(raw["市盈率"], where),
    })
    missing = [c for c in codes if c not in set(frame["code"])]
    if missing:
        raise FetchError(
            f"{where}: the report has no row for code(s) {missing}. Check the codes (SW2021 "
            "level-1, without '.SI') or drop them from `codes`."
        )
    return frame[frame["code"].isin(list(codes)).to_numpy()]


# --------------------------------------------------------------------------- ETF

_ETF = "fund_etf_hist_em"


def fetch_etf(start: pd.Timestamp | None, end: pd.Timestamp | None, *,
              codes: Sequence[str] | None = None, ak: Any = None,
              progress: Progress | None = None) -> pd.DataFrame:
    """ETF daily prices, Eastmoney forward-adjusted (``fund_etf_hist_em(adjust="qfq")``).

    成交量 is in lots (手, 100 units) and is multiplied by 100; 成交额 is CNY. ``is_adjusted`` is
    True. Eastmoney's qfq subtracts cumulative cash dividends, so the whole history shifts when
    a new dividend goes ex: a refreshed frame must replace, not be appended to, older prices.

    Parameters
    ----------
    codes : sequence of str, optional
        ETF codes; default :data:`ETF_CODES`.
    progress : callable, optional
        ``progress(done, total, code)`` after each code.
    """
    ak = _akshare(ak)
    chosen = _codes(codes, ETF_CODES, "etf")
    frame = _panel(lambda c: _etf_one(ak, c, start, end), chosen, progress)
    frame["is_adjusted"] = True
    return _finish(frame, "etf", "akshare refresh of 'etf'")


def _etf_one(ak: Any, code: str, start: pd.Timestamp | None,
             end: pd.Timestamp | None) -> pd.DataFrame:
    raw = _call(ak, "etf", _ETF, symbol=code, period="daily", start_date=_ymd(start, _EARLIEST),
                end_date=_ymd(end, _today()), adjust="qfq")
    _require(raw, ["日期", "开盘", "收盘", "最高", "最低", "成交量", "成交额"], "etf", _ETF)
    where = f"refresh of dataset 'etf', akshare.{_ETF}(symbol={code!r})"
    frame = pd.DataFrame({
        **_date_ohlc(raw, where),
        "volume_shares": _to_float(raw["成交量"], where) * LOT,  # 手 -> shares (units)
        "amount_cny": _to_float(raw["成交额"], where),
    })
    return _in_range(frame, start, end, where)


# --------------------------------------------------------------------------- stocks

_STOCK = "stock_zh_a_hist"
_ST_BOARD = "stock_zh_a_st_em"


def fetch_stocks(start: pd.Timestamp | None, end: pd.Timestamp | None, *,
                 codes: Sequence[str] | None = None, ak: Any = None,
                 progress: Progress | None = None) -> pd.DataFrame:
    """Unadjusted daily bars of A-share stocks (``stock_zh_a_hist(adjust="")``, Eastmoney).

    * ``preclose`` = 收盘 - 涨跌额 (Eastmoney's change is against the exchange's reference
      price, so on an ex-date preclose is the ex-dividend price, not the previous close);
      rounded to 0.01 CNY.
    * 成交量 is in lots (手) and is multiplied by 100; 成交额 is CNY.
    * Eastmoney has no row on a suspended day. Every trading day (``trading_calendar``)
      between a stock's first and last fetched row without a row becomes a suspended row
      (``tradestatus`` False, OHLC = preclose = the previous close, volume 0), as baostock
      stores it. Days after the bundled calendar cannot be checked and are left as fetched.
    * ``is_st``: Eastmoney's 风险警示板 (``stock_zh_a_st_em``) lists the stocks that are ST
      *today*; that status is applied to every fetched row. It is right for a refresh of the
      last few weeks and wrong for a backfill across an ST change (documented, docs/data.md).
    * ``adj_factor`` is derived from ``preclose`` (1 on the first fetched row; a refresh
      chains it onto the cached factor, :func:`quantlib.data.update.merge_new_rows`).

    Parameters
    ----------
    codes : sequence of str, optional
        Six-digit A-share codes (SH main/STAR, SZ main/ChiNext), any listed stock; default
        the codes of the bundled ``stocks`` dataset.
    """
    from quantlib.data.stocks import adjustment_factor, board_from_code

    ak = _akshare(ak)
    if codes is None:
        from quantlib.data.stocks import stock_info

        codes = list(stock_info().index)
    chosen = _codes(codes, (), "stocks")
    for code in chosen:
        board_from_code(code)
    st_board = _call(ak, "stocks", _ST_BOARD)
    _require(st_board, ["代码"], "stocks", _ST_BOARD)
    st_now = set(st_board["代码"].astype(str).str.zfill(6))
    calendar = _trading_days()
    frame = _panel(lambda c: _stock_one(ak, c, start, end, calendar), chosen, progress)
    frame["is_st"] = frame["code"].isin(st_now)
    close = frame.pivot(index="date", columns="code", values="close")
    pre = frame.pivot(index="date", columns="code", values="preclose")
    factor = adjustment_factor(close, pre).stack().rename("adj_factor").reset_index()
    frame = frame.merge(factor, on=["date", "code"], how="left")
    return _finish(frame, "stocks", "akshare refresh of 'stocks'")


def _trading_days() -> pd.DatetimeIndex:
    from quantlib.data import load

    return pd.DatetimeIndex(load("trading_calendar").index)


def _stock_one(ak: Any, code: str, start: pd.Timestamp | None, end: pd.Timestamp | None,
               calendar: pd.DatetimeIndex) -> pd.DataFrame:
    raw = _call(ak, "stocks", _STOCK, symbol=code, period="daily",
                start_date=_ymd(start, _EARLIEST), end_date=_ymd(end, _today()), adjust="")
    _require(raw, ["日期", "开盘", "收盘", "最高", "最低", "成交量", "成交额", "涨跌额"],
             "stocks", _STOCK)
    where = f"refresh of dataset 'stocks', akshare.{_STOCK}(symbol={code!r})"
    parts = _date_ohlc(raw, where)
    change = _to_float(raw["涨跌额"], where)
    bars = pd.DataFrame({
        **parts,
        "preclose": (parts["close"] - change).round(2),
        "volume_shares": _to_float(raw["成交量"], where) * LOT,  # 手 -> shares
        "amount_cny": _to_float(raw["成交额"], where),
        "tradestatus": True,
    }).sort_values("date", kind="stable")
    if bars["preclose"].isna().any():
        day = bars.loc[bars["preclose"].isna(), "date"].iloc[0]
        raise DataValidationError(f"{where}: 涨跌额 missing on {day.date()}, so preclose "
                                  "cannot be derived; quantlib does not fill it.")
    bars = _in_range(bars, start, end, where)
    inside = calendar[(calendar >= bars["date"].min()) & (calendar <= bars["date"].max())]
    missing = inside.difference(pd.DatetimeIndex(bars["date"]))
    if len(missing):  # suspended days: a row with the previous close, no trading
        prev = bars.set_index("date")["close"].reindex(
            pd.DatetimeIndex(bars["date"]).union(missing)).ffill()
        susp = pd.DataFrame({"date": missing})
        for col in ("open", "high", "low", "close", "preclose"):
            susp[col] = prev.reindex(missing).to_numpy()
        susp["volume_shares"], susp["amount_cny"], susp["tradestatus"] = 0.0, 0.0, False
        bars = pd.concat([bars, susp], ignore_index=True).sort_values("date", kind="stable")
    return bars.reset_index(drop=True)


# --------------------------------------------------------------------------- registry

FETCHERS: dict[str, Callable[..., pd.DataFrame]] = {
    "wind_all_a": fetch_wind_all_a_proxy,
    "csi_all_share": fetch_csi_all_share,
    "hs300": fetch_hs300,
    "sse_composite": fetch_sse_composite,
    "all_a_pb": fetch_all_a_pb,
    "margin": fetch_margin,
    "csi_theme": fetch_csi_theme,
    "sw_l1": fetch_sw_l1,
    "sw_l1_pe_ttm": fetch_sw_l1_pe_ttm,
    "etf": fetch_etf,
    "market_pe_lg": fetch_market_pe_lg,
    "market_pb_lg": fetch_market_pb_lg,
    "stocks": fetch_stocks,
}
"""Dataset name -> fetcher. ``wind_all_a`` maps to the 000985 proxy (``csi_all_share`` layout)."""

_WITH_PROGRESS = {"csi_theme", "sw_l1", "sw_l1_pe_ttm", "etf", "market_pe_lg", "market_pb_lg",
                  "stocks"}


def fetch(name: str, start: pd.Timestamp | None, end: pd.Timestamp | None, *,
          codes: Sequence[str] | None = None, ak: Any = None,
          progress: Progress | None = None) -> pd.DataFrame:
    """Fetch dataset ``name`` from akshare in its storage layout (see :data:`FETCHERS`).

    Parameters
    ----------
    name : str
        A refreshable dataset (``DATASETS[name].refreshable``).
    start, end : pd.Timestamp or None
        Inclusive date window.
    codes : sequence of str, optional
        Panels only: the codes to fetch (default: the dataset's standard list).
    ak : module-like, optional
        akshare (default, imported lazily) or a fake.
    progress : callable, optional
        ``progress(done, total, label)`` for multi-call panels; ignored for series.

    Raises
    ------
    UnknownNameError
        ``name`` is not a dataset.
    FetchError
        The dataset cannot be refreshed from akshare, or akshare failed / returned nothing
        usable.
    DataValidationError
        The result breaks the schema (duplicated or unsorted dates, NaN where not allowed).
    """
    if name not in FETCHERS:
        if name in DATASETS:
            raise FetchError(
                f"dataset {name!r} cannot be refreshed from akshare (no public source it can "
                f"reach); use the bundled cache. Refreshable: {', '.join(sorted(FETCHERS))}."
            )
        raise UnknownNameError("refreshable dataset", name, FETCHERS)
    if start is not None and end is not None and pd.Timestamp(start) > pd.Timestamp(end):
        raise FetchError(f"refresh of dataset {name!r}: start {start} is after end {end}.")
    kwargs: dict[str, Any] = {"codes": codes, "ak": ak}
    if name in _WITH_PROGRESS:
        kwargs["progress"] = progress
    return FETCHERS[name](start, end, **kwargs)

