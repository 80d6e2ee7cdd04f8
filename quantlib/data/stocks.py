"""Individual A-share stocks: boards, adjustment factors, CSI 300 membership, engine inputs.

The bundled ``stocks`` dataset holds *unadjusted* daily bars (baostock ``adjustflag=3``) with
the exchange's reference price ``preclose``, ``tradestatus`` (False = suspended) and ``is_st``
by date. Adjustment for dividends and splits is derived from ``preclose`` alone:

    adj_factor_t = adj_factor_(t-1) x close_(t-1) / preclose_t,   adj_factor_first = 1

so ``close x adj_factor`` is a backward-adjusted price whose day return is
``close_t / preclose_t - 1`` (the exchange's own return, dividends and splits included).

:func:`stock_market` turns the dataset into what the engine trades on: raw closes (fills,
limits, lots) and a :class:`quantlib.backtest.Market` carrying opens, ``preclose``,
``tradestatus``, ``is_st``, ``adj_factor`` and per-stock ``board``/``kind``/``list_date``.

Examples
--------
>>> from quantlib.data.stocks import board_from_code
>>> board_from_code("688981"), board_from_code("300750"), board_from_code("600519")
('star', 'chinext', 'main')
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from quantlib.errors import DataValidationError, UnknownNameError

__all__ = [
    "FACTOR_TOLERANCE",
    "StockDataError",
    "adjustment_factor",
    "board_from_code",
    "check_factor",
    "check_preclose",
    "csi300_members",
    "csi300_membership",
    "exchange_from_code",
    "stock_info",
    "stock_market",
    "stock_sw_l1",
]

#: How to see every code of the bundled stock set (the unknown-code error says it).
LIST_CODES = "list them with `quantlib data show stocks --list-codes`"

#: Largest relative difference between a supplied factor step and close_(t-1)/preclose_t that
#: is taken as rounding (prices have 2 decimals; the factor itself is stored in float64).
FACTOR_TOLERANCE = 1e-9

#: Code prefix -> (exchange, board). SH 600/601/603/605 main, 688 STAR; SZ 000/001/002/003
#: main (002 = the former SME board, merged into the main board 2021-04-06), 300/301 ChiNext.
_PREFIXES: dict[str, tuple[str, str]] = {
    **{p: ("SH", "main") for p in ("600", "601", "603", "605")},
    "688": ("SH", "star"),
    **{p: ("SZ", "main") for p in ("000", "001", "002", "003")},
    **{p: ("SZ", "chinext") for p in ("300", "301")},
}


class StockDataError(DataValidationError):
    """Stock bars that cannot be traded on as given: unknown code, gap in preclose, a factor
    that jumps without an ex-date."""


def _code6(code: object) -> str:
    text = str(code).strip()
    if len(text) != 6 or not text.isdigit():
        raise StockDataError(
            f"stock code {code!r} is not six digits; write A-share codes like '600519' or "
            "'000001' (no exchange prefix or suffix).")
    return text


def board_from_code(code: str) -> str:
    """Return the board (``main``, ``star`` or ``chinext``) an A-share code trades on.

    Raises
    ------
    StockDataError
        The code is not six digits or has a prefix outside SH main/STAR and SZ main/ChiNext
        (e.g. a Beijing Stock Exchange or B-share code).
    """
    text = _code6(code)
    if text[:3] not in _PREFIXES:
        raise StockDataError(
            f"stock code {text!r}: prefix {text[:3]} is not an SH main (600/601/603/605), STAR "
            "(688), SZ main (000/001/002/003) or ChiNext (300/301) A share; other boards "
            "(Beijing 8xx/4xx, B shares 900/200) are not modelled.")
    return _PREFIXES[text[:3]][1]


def exchange_from_code(code: str) -> str:
    """Return ``SH`` or ``SZ`` for an A-share code (same prefixes as :func:`board_from_code`)."""
    board_from_code(code)
    return _PREFIXES[str(code)[:3]][0]


def adjustment_factor(close: pd.DataFrame, preclose: pd.DataFrame) -> pd.DataFrame:
    """Backward adjustment factor per stock from raw closes and exchange reference prices.

    ``factor`` is 1 on each stock's first row and steps by ``close_(t-1) / preclose_t``;
    NaN where the stock has no row. ``close`` and ``preclose`` are dates x codes.

    Raises
    ------
    StockDataError
        ``preclose`` is missing on a row that has a close (see :func:`check_preclose`).
    """
    check_preclose(close, preclose)
    prev = close.shift(1)
    step = (prev / preclose).where(prev.notna(), 1.0).where(close.notna())
    return step.cumprod()


def check_preclose(close: pd.DataFrame, preclose: pd.DataFrame) -> None:
    """Refuse a row with a close but no ``preclose``, or rows that skip calendar days inside
    a stock's history (a hole: the next preclose would be compared with a stale close).

    Raises
    ------
    StockDataError
        Names the stock and the first offending date.
    """
    gap = close.notna() & preclose.reindex_like(close).isna()
    if gap.to_numpy().any():
        code = gap.any().idxmax()
        day = gap[code].idxmax()
        raise StockDataError(
            f"stock {code}: preclose missing on {pd.Timestamp(day).date()} "
            f"({int(gap.to_numpy().sum())} row(s) in all); limits and the adjustment factor "
            "need the exchange's reference price on every row. Fetch the bars again (akshare "
            "gives it as close - 涨跌额); quantlib does not fill it.")
    for code in close.columns:
        have = close[code].notna().to_numpy()
        if not have.any():
            continue
        first, last = np.argmax(have), len(have) - 1 - np.argmax(have[::-1])
        inside = ~have[first:last + 1]
        if inside.any():
            day = close.index[first + int(np.argmax(inside))]
            raise StockDataError(
                f"stock {code}: no bar on {pd.Timestamp(day).date()} between its first and last "
                "rows; a suspended day must be a row with tradestatus=0 (baostock keeps one), "
                "not a missing row. Add the row or cut the range.")


def check_factor(close: pd.DataFrame, preclose: pd.DataFrame, adj_factor: pd.DataFrame,
                 tol: float = FACTOR_TOLERANCE) -> None:
    """Check that a supplied factor moves only where ``preclose`` says there was an ex-date.

    Each step ``adj_factor_t / adj_factor_(t-1)`` must equal ``close_(t-1) / preclose_t``
    (1 on ordinary days). A factor jumping on a day whose ``preclose`` equals the previous
    close is a split or dividend with no ex-date in the data, or a corrupt factor.

    Raises
    ------
    StockDataError
        Names the stock, the date, the factor step and what ``preclose`` implies.
    """
    check_preclose(close, preclose)
    step = adj_factor / adj_factor.shift(1)
    implied = close.shift(1) / preclose
    both = step.notna() & implied.notna()
    with np.errstate(invalid="ignore", divide="ignore"):
        bad = both & ((step / implied - 1.0).abs() > tol)
    if bad.to_numpy().any():
        code = bad.any().idxmax()
        day = bad[code].idxmax()
        raise StockDataError(
            f"stock {code}: adj_factor steps by {step.at[day, code]:.6f} on "
            f"{pd.Timestamp(day).date()} but close_(t-1)/preclose_t is "
            f"{implied.at[day, code]:.6f} (an ex-date shows as preclose != previous close). "
            "A factor that jumps without an ex-date is refused; derive it with "
            "quantlib.data.stocks.adjustment_factor(close, preclose).")


# --------------------------------------------------------------------------------------------
# reference tables bundled next to the dataset


def _reference(name: str, cache_dir: str | Path | None = None) -> pd.DataFrame:
    from quantlib.data.cache import read_manifest, sha256_file
    from quantlib.data.store import bundled_dir
    from quantlib.errors import CorruptCacheError

    base = bundled_dir()
    entry = read_manifest(base).get("references", {}).get(name)
    path = base / "reference" / f"{name}.csv"
    if entry is None or not path.exists():
        raise CorruptCacheError(f"reference table {name!r} is not in the bundled snapshot "
                                f"({base}); rebuild it with scripts/build_data_cache.py.")
    if sha256_file(path) != entry["sha256"]:
        raise CorruptCacheError(f"{path}: sha256 does not match the manifest; restore it "
                                "(git checkout data_cache) or rebuild the snapshot.")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def stock_info(codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Per-stock metadata of the ``stocks`` dataset, indexed by code.

    Columns: ``exchange``, ``board`` (main/star/chinext), ``kind`` ("stock"), ``list_date``
    (NaT when the stock listed before its first bar in the data), ``relisting_date``
    (NaT unless a relisting day, traded without a limit, lies in the data), ``first_bar``,
    ``last_bar``, ``source``.

    Raises
    ------
    UnknownNameError
        A code not in the dataset.
    """
    meta = _reference("stocks_meta").set_index("code")
    for col in ("list_date", "relisting_date", "first_bar", "last_bar"):
        meta[col] = pd.to_datetime(meta[col].replace("", None))
    if codes is not None:
        codes = [_code6(c) for c in codes]
        unknown = [c for c in codes if c not in meta.index]
        if unknown:
            raise UnknownNameError("stock code of dataset 'stocks'", unknown[0], meta.index,
                                   unknown=unknown, listing=LIST_CODES)
        meta = meta.loc[codes]
    return meta


def stock_sw_l1() -> pd.Series:
    """Stock code -> Shenwan 2021 L1 industry code, from the JoinQuant snapshot (~2022).

    One snapshot applied to every date: using it before ~2022 is look-ahead (a stock's later
    industry) and it omits stocks listed or reclassified after it.
    """
    table = _reference("stock_sw_l1")
    return pd.Series(table["sw_code"].to_numpy(), index=pd.Index(table["code"], name="code"),
                     name="sw_code")


def csi300_membership() -> pd.DataFrame:
    """CSI 300 membership periods (code, exchange, start, end), 2005-04-08 .. 2025-07-15.

    From qlib's instrument file (semiannual review windows; ad-hoc replacements inside a window
    are not represented).
    """
    table = _reference("csi300_membership")
    table["start"] = pd.to_datetime(table["start"])
    table["end"] = pd.to_datetime(table["end"])
    return table


def csi300_members(dates: Sequence[Any] | pd.DatetimeIndex) -> pd.DataFrame:
    """Boolean frame dates x codes: True where the stock was a CSI 300 member on that date.

    Raises
    ------
    DateRangeError
        A date outside the membership data (2005-04-08 .. 2025-07-15).
    """
    from quantlib.errors import DateRangeError

    idx = pd.DatetimeIndex(dates)
    periods = csi300_membership()
    lo, hi = periods["start"].min(), periods["end"].max()
    if len(idx) and (idx.min() < lo or idx.max() > hi):
        raise DateRangeError(f"CSI 300 membership covers {lo.date()} .. {hi.date()}; dates "
                             f"{idx.min().date()} .. {idx.max().date()} reach outside it.")
    codes = sorted(periods["code"].unique())
    out = np.zeros((len(idx), len(codes)), dtype=bool)
    col = {c: i for i, c in enumerate(codes)}
    d = idx.to_numpy()
    for code, start, end in periods[["code", "start", "end"]].itertuples(index=False):
        out[:, col[code]] |= (d >= start.to_datetime64()) & (d <= end.to_datetime64())
    return pd.DataFrame(out, index=idx, columns=pd.Index(codes, name="code"))


# --------------------------------------------------------------------------------------------
# engine inputs


def _market(**fields: Any) -> Any:
    """Build a Market, refusing (not dropping) fields this version of the engine lacks."""
    from quantlib.backtest import Market

    known = {f.name for f in dataclasses.fields(Market)}
    unknown = sorted(k for k, v in fields.items() if k not in known and v is not None)
    if unknown:
        raise StockDataError(
            f"this quantlib.backtest.Market has no field(s) {unknown}; the engine cannot apply "
            "per-date limits from preclose, ST by date or the adjustment factor. Update quantlib.")
    return Market(**{k: v for k, v in fields.items() if k in known})


def stock_market(codes: Sequence[str], start: Any = None, end: Any = None, *,
                 cache_dir: str | Path | None = None) -> tuple[pd.DataFrame, Any]:
    """Raw closes and a :class:`~quantlib.backtest.Market` for ``codes`` from ``stocks``.

    Returns
    -------
    (close, market)
        ``close``: dates x codes of *unadjusted* closes (NaN before a stock lists or after its
        last bar). ``market``: ``open``, ``volume`` (0 on suspended days), ``preclose``,
        ``tradestatus`` (1 trading, 0 suspended, NaN before listing / after the last bar),
        ``is_st``, ``adj_factor`` (dates x codes, 1 on each stock's first row in the range),
        ``limit_free`` (True on relisting days) and ``assets`` (kind, board, exchange,
        list_date, relisting_date per code).

    Raises
    ------
    UnknownNameError
        A code not in the dataset.
    StockDataError
        A preclose gap or a missing row inside a stock's history.
    DateRangeError
        A range outside the data.
    """
    from quantlib import data

    codes = [_code6(c) for c in codes]
    if not codes:
        raise StockDataError("stock_market needs at least one stock code.")
    info = stock_info(codes)
    # codes are checked against the whole dataset (stock_info); one listed after ``end`` is
    # all NaN in the window, not an error
    wide = data.load("stocks", start, end, cache_dir=cache_dir)
    wide = wide.reindex(columns=pd.MultiIndex.from_product([wide.columns.levels[0], codes],
                                                           names=wide.columns.names))
    close = wide["close"].reindex(columns=codes)
    preclose = wide["preclose"].reindex(columns=codes)
    check_preclose(close, preclose)
    factor = adjustment_factor(close, preclose)
    status = wide["tradestatus"].reindex(columns=codes)
    listed = close.notna()
    tradestatus = status.astype("float64").where(listed)  # 1 trading, 0 suspended, NaN unlisted
    volume = wide["volume_shares"].reindex(columns=codes).where(tradestatus == 1, 0.0)
    is_st = wide["is_st"].reindex(columns=codes).where(listed, False).astype(bool)
    assets = info[["kind", "board", "exchange", "list_date", "relisting_date"]].copy()
    limit_free = pd.DataFrame(False, index=close.index, columns=close.columns)
    for code, day in info["relisting_date"].dropna().items():
        if day in limit_free.index:  # 恢复上市首日: no price limit
            limit_free.at[day, code] = True
    market = _market(open=wide["open"].reindex(columns=codes), volume=volume, assets=assets,
                     preclose=preclose, tradestatus=tradestatus, is_st=is_st,
                     adj_factor=factor, limit_free=limit_free)
    return close, market
