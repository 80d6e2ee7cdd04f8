"""A-share trading rules as data and pure functions: kinds and boards, price limits, lots.

Everything here is NumPy/pandas in, NumPy out, and knows nothing about portfolios. The engine
turns these masks into "order blocked, stays pending" decisions (see ``docs/backtest.md``).

Price limits (daily move allowed from the exchange's previous close, ``preclose``)
-------------------------------------------------------------------------------
=================  ======================================================================
asset              band
=================  ======================================================================
index              no limit (not traded on an exchange; used as frictionless proxies)
any, < 1996-12-16  no limit (the 10% rule starts 1996-12-16)
ETF                10%, tick 0.001 CNY
main board         10%; ST 5% until 2026-07-03, 10% from 2026-07-06 (risk-warning reform,
                   effective date uncertain, see MAIN_ST_10PCT_FROM)
ChiNext            10% (ST 5%) before 2020-08-24; 20% (ST included) from 2020-08-24
STAR               20% (ST included); the board opened 2019-07-22
BSE                30%
IPO days           STAR, ChiNext from 2020-08-24, main board from 2023-04-10: no limit on the
                   first 5 trading days; earlier main-board/ChiNext listings from 2014-01-01:
                   first day +44% / -36% of the issue price; before 2014: first day no limit;
                   BSE: first day no limit
=================  ======================================================================

Limit prices are ``round_half_up(preclose * (1 +- band), tick)`` with tick 0.01 CNY for stocks
and 0.001 CNY for ETFs. A buy is blocked when the fill price ``>=`` the limit-up price; a sell
is blocked when the fill price ``<=`` the limit-down price. Relisting days (恢复上市首日) and
other limit-free days the rules cannot derive come in as ``Market(limit_free=...)``.

Adjusted prices (复权) do not carry the exchange's ticks: a limit computed from them can be off
by a tick (forward-adjusted 0.35 x 1.1 = 0.385 rounds to 0.39, +11.4%). With ``preclose`` the
limits are exact on raw prices. Without it, on prices marked adjusted (the bundled ``etf``
panel), :func:`tradable_masks` uses a conservative ratio test: blocked when the move is within
half a tick (measured at the adjusted price, which is at most the raw price for forward
adjustment) of the band -- never a fill at a real limit, sometimes a block a tick short of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from quantlib.errors import QuantlibError, UnknownNameError

__all__ = [
    "BOARDS",
    "CHINEXT_20PCT_FROM",
    "KINDS",
    "LIMITS_FROM",
    "MAIN_ST_10PCT_FROM",
    "AssetInfo",
    "AssetKindError",
    "Rules",
    "RulesError",
    "board_of_code",
    "exchange_of_code",
    "limit_bands",
    "limit_prices",
    "listing_day_numbers",
    "tradable_masks",
]

BOARDS = ("main", "chinext", "star", "bse", "etf", "index")
KINDS = ("stock", "etf", "index")
EXCHANGES = ("SH", "SZ", "BJ")
#: Daily price limits start (SSE/SZSE, 1996-12-16).
LIMITS_FROM = pd.Timestamp("1996-12-16")
#: ChiNext registration-system reform: 20% band, no limit on the first 5 days of new listings.
CHINEXT_20PCT_FROM = pd.Timestamp("2020-08-24")
#: Main-board registration system: no limit on the first 5 days of listings from this date.
MAIN_REGISTRATION_FROM = pd.Timestamp("2023-04-10")
#: First-day +44% / -36% band for main-board and ChiNext IPOs (approximate start, see docs).
IPO_44_FROM = pd.Timestamp("2014-01-01")
#: Main-board risk-warning (ST) stocks move from a 5% to a 10% band. Proposed by SSE/SZSE on
#: 2025-06-27; a stored report says the rule applies "starting July 6" without the year (a
#: Monday in 2026). The later of the candidate dates is used: a 5% band where the real one was
#: already 10% blocks orders that could have filled, while the opposite would let orders fill
#: at a real limit price. Docs: docs/backtest.md.
MAIN_ST_10PCT_FROM = pd.Timestamp("2026-07-06")
_REL_TOL = 1e-9


class RulesError(QuantlibError, ValueError):
    """Asset metadata that is missing, of the wrong shape, or names an unknown board/kind."""


class AssetKindError(RulesError):
    """A price column whose asset kind (stock, ETF, index) nobody declared."""


@dataclass(frozen=True, kw_only=True)
class Rules:
    """Switches for the A-share trading rules (all on by default).

    T+1 needs no switch: the engine fills each asset at most once per bar, so shares bought on
    bar t are first sold on bar t + 1 (the next trading day) -- the T+1 rule holds by
    construction for daily bars and an intraday round trip cannot be expressed.

    Parameters
    ----------
    price_limits : bool
        Block buys at limit-up and sells at limit-down.
    suspension : bool
        Treat zero volume and ``tradestatus == 0`` as suspended (a missing price always blocks
        trading: there is nothing to fill at).
    lots : bool
        Round share orders to the asset's lot (100 shares) when ``init_cash`` is given.
    lot_size : int
        Shares per lot for stocks and ETFs.
    """

    price_limits: bool = True
    suspension: bool = True
    lots: bool = True
    lot_size: int = 100

    @classmethod
    def none(cls) -> Rules:
        """Return rules with every switch off (vectorbt-like frictionless market)."""
        return cls(price_limits=False, suspension=False, lots=False)


_CODE = re.compile(r"^(?:(sh|sz|bj)\.?)?(\d{6})(?:\.(sh|sz|bj|ss))?$", re.IGNORECASE)


def _digits(code: object) -> tuple[str | None, str | None]:
    m = _CODE.match(str(code).strip())
    if not m:
        return None, None
    ex = (m.group(1) or m.group(3) or "").upper().replace("SS", "SH") or None
    return ex, m.group(2)


def exchange_of_code(code: object) -> str | None:
    """Return ``"SH"``, ``"SZ"``, ``"BJ"`` for an A-share code (``sh.600000``, ``000001.SZ``,
    ``300750``), or None when the code does not say."""
    ex, d = _digits(code)
    if ex or d is None:
        return ex
    if d[:2] in ("43", "83", "87", "88", "92"):
        return "BJ"
    return {"6": "SH", "5": "SH", "9": "SH", "0": "SZ", "3": "SZ", "1": "SZ",
            "2": "SZ"}.get(d[0])


def board_of_code(code: object) -> str | None:
    """Return the stock board of an A-share code (main, chinext, star, bse) or None."""
    ex, d = _digits(code)
    if d is None:
        return None
    ex = ex or exchange_of_code(code)
    if ex == "BJ" or d[:2] in ("43", "83", "87", "88", "92"):
        return "bse"
    if d[:3] in ("688", "689"):
        return "star"
    if d[:3] in ("300", "301", "302"):
        return "chinext"
    if d[:3] in ("600", "601", "603", "605") or d[:3] in ("000", "001", "002", "003", "004"):
        return "main"
    return None


@dataclass(frozen=True, kw_only=True)
class AssetInfo:
    """Per-asset metadata as aligned NumPy arrays (build with :meth:`from_frame`).

    Attributes
    ----------
    board, kind, exchange : ndarray of str (exchange "" when unknown)
    list_date : ndarray of datetime64[ns] (NaT = unknown)
    st : ndarray of bool (one flag per asset; ``Market.is_st`` overrides it by date)
    """

    board: np.ndarray
    kind: np.ndarray
    exchange: np.ndarray
    list_date: np.ndarray
    st: np.ndarray

    @classmethod
    def from_frame(cls, assets: pd.DataFrame | None, columns: pd.Index,
                   kind: str | None = None) -> AssetInfo:
        """Align an ``assets`` table (index = asset codes) to ``columns``.

        ``kind`` per asset comes from the table's ``kind`` column, else from the ``kind``
        argument (one kind for all); a column with neither raises :class:`AssetKindError`.
        ``board`` defaults to ``"index"``/``"etf"`` for those kinds and to the board of the
        code for stocks (``600xxx`` main, ``688xxx`` STAR, ``300xxx`` ChiNext, ...);
        ``exchange`` to the exchange of the code; ``list_date`` to NaT; ``st`` to False.
        """
        n = len(columns)
        frame = pd.DataFrame(index=columns) if assets is None else assets
        if not isinstance(frame, pd.DataFrame):
            raise RulesError("assets must be a DataFrame indexed by asset code, got "
                             f"{type(assets)}.")
        missing = [c for c in columns if c not in frame.index]
        if missing and assets is not None:
            raise RulesError(f"assets table has no row for {missing[:5]}; add one per price "
                             "column.")
        frame = frame.reindex(columns)
        default = np.full(n, kind if kind is not None else None, dtype=object)
        kinds = _choice_col(frame, "kind", default, KINDS)
        unknown = [c for c, k in zip(columns, kinds, strict=True) if k is None or pd.isna(k)]
        if unknown:
            raise AssetKindError(
                f"asset kind unknown for column(s) {unknown[:5]}: the engine must know whether "
                "a column is an index (no costs but commission, no limits), an ETF or a stock "
                "(stamp duty, transfer fee, price limits). Declare it: run(..., market="
                "Market(kind='index')) for all columns, or Market(assets=pd.DataFrame("
                "{'kind': [...]}, index=prices.columns)); frames from quantlib.data.load "
                "carry their kind.")
        kinds = kinds.astype(object)
        board_default = np.array([
            "index" if k == "index" else "etf" if k == "etf" else board_of_code(c)
            for c, k in zip(columns, kinds, strict=True)], dtype=object)
        board = _choice_col(frame, "board", board_default, BOARDS)
        clash = [c for c, k, b in zip(columns, kinds, board, strict=True)
                 if (k in ("index", "etf") and b != k) or (k == "stock" and b in ("index", "etf"))]
        if clash:
            raise RulesError(f"kind and board disagree for {clash[:5]}: an index has board "
                             "'index', an ETF board 'etf', a stock one of main, chinext, star, "
                             "bse. Fix the assets table.")
        no_board = [c for c, b in zip(columns, board, strict=True) if b is None or pd.isna(b)]
        if no_board:
            raise RulesError(f"board unknown for stock column(s) {no_board[:5]} (the code does "
                             "not say): add a 'board' column (main, chinext, star, bse) to "
                             "Market(assets=...).")
        ex_default = np.array([exchange_of_code(c) or "" for c in columns], dtype=object)
        exchange = _choice_col(frame, "exchange", ex_default, (*EXCHANGES, ""))
        if "list_date" in frame:
            list_date = pd.to_datetime(frame["list_date"]).to_numpy("datetime64[ns]")
        else:
            list_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        st = (frame["st"].astype(object).fillna(False).to_numpy(bool) if "st" in frame
              else np.zeros(n, bool))
        return cls(board=board.astype(object), kind=kinds, exchange=exchange.astype(object),
                   list_date=list_date, st=st)


def _choice_col(frame: pd.DataFrame, name: str, default: np.ndarray,
                choices: tuple[str, ...]) -> np.ndarray:
    if name not in frame:
        return default
    values = frame[name].to_numpy(object)
    values = np.where(pd.isna(values), default, values)
    for v in set(values):
        if v is not None and not (isinstance(v, float) and np.isnan(v)) and v not in choices:
            raise UnknownNameError(name, str(v), choices)
    return values


def listing_day_numbers(dates: pd.DatetimeIndex, list_date: np.ndarray) -> np.ndarray:
    """Return the trading-day number since listing (1 = listing day) per (date, asset).

    Days are counted on ``dates`` (the prices' calendar); before the listing date the number
    is 0, for an unknown listing date (NaT) or one before the first date a large number
    (no IPO rule). A listing date that is not a date of ``dates`` counts from the next one.
    """
    pos = np.arange(len(dates))[:, None]
    ld = pd.DatetimeIndex(list_date)
    first = dates.searchsorted(ld)  # index of the first date >= list date
    known = ~ld.isna() & (ld >= dates[0]) if len(dates) else np.zeros(len(ld), bool)
    num = pos - first[None, :] + 1
    num = np.where(num < 0, 0, num)
    return np.where(np.asarray(known)[None, :], num, 10**6)


def limit_bands(dates: pd.DatetimeIndex, info: AssetInfo,
                st: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return (up, down) limit fractions per (date, asset); ``inf`` means no limit.

    Parameters
    ----------
    dates : DatetimeIndex, length T
    info : AssetInfo for A assets
    st : (T, A) bool, ST status by date (default: ``info.st`` on every date)

    Returns
    -------
    (up, down) ndarrays (T, A) of float64 (down is a positive fraction: 0.1 = -10%).
    """
    n_t, n_a = len(dates), len(info.kind)
    st = np.broadcast_to(info.st[None, :], (n_t, n_a)) if st is None else st
    d = np.asarray(dates.values)[:, None]
    board = info.board[None, :]
    main_st = np.where(d >= MAIN_ST_10PCT_FROM.to_datetime64(), 0.10, 0.05)
    chinext_old = np.where(st, 0.05, 0.10)
    chinext = np.where(d >= CHINEXT_20PCT_FROM.to_datetime64(), 0.20, chinext_old)
    band = np.select(
        [board == "main", board == "chinext", board == "star", board == "bse",
         board == "etf", board == "index"],
        [np.where(st, main_st, 0.10), chinext, 0.20, 0.30, 0.10, np.inf],
        default=np.nan)
    band = np.broadcast_to(band, (n_t, n_a)).astype(np.float64)
    up, down = band.copy(), band.copy()
    # IPO days of stocks
    day = listing_day_numbers(dates, info.list_date)
    ld = info.list_date[None, :]
    is_stock = (info.kind == "stock")[None, :]
    five_free = ((board == "star")
                 | ((board == "chinext") & (ld >= CHINEXT_20PCT_FROM.to_datetime64()))
                 | ((board == "main") & (ld >= MAIN_REGISTRATION_FROM.to_datetime64())))
    first_44 = (((board == "main") | (board == "chinext")) & ~five_free
                & (ld >= IPO_44_FROM.to_datetime64()))
    first_free = ((board == "bse") | (((board == "main") | (board == "chinext"))
                                      & (ld < IPO_44_FROM.to_datetime64())))
    free = is_stock & (((day >= 1) & (day <= 5) & five_free) | ((day == 1) & first_free))
    up = np.where(free, np.inf, up)
    down = np.where(free, np.inf, down)
    d44 = is_stock & (day == 1) & first_44
    up = np.where(d44, 0.44, up)
    down = np.where(d44, 0.36, down)
    before = d < LIMITS_FROM.to_datetime64()
    up = np.where(before, np.inf, up)
    down = np.where(before, np.inf, down)
    return up, down


def _round_half_up(x: np.ndarray, tick: np.ndarray) -> np.ndarray:
    return np.floor(x / tick + 0.5 + 1e-9) * tick


def limit_prices(preclose: np.ndarray, up_pct: np.ndarray, down_pct: np.ndarray,
                 tick: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (limit_up, limit_down) prices, rounded half-up to ``tick`` (0 = no rounding).

    All arguments broadcast to (T, A); an ``inf`` band gives ``inf`` / ``-inf`` (no limit).
    """
    shape = np.broadcast_shapes(np.shape(preclose), np.shape(up_pct), np.shape(tick))
    tick = np.broadcast_to(tick, shape)
    with np.errstate(invalid="ignore"):
        up = preclose * (1.0 + up_pct)
        down = np.where(np.isinf(down_pct), -np.inf, preclose * (1.0 - down_pct))
        safe = np.where(tick > 0, tick, 1.0)
        rounded = (tick > 0) & np.isfinite(up)
        up = np.where(rounded, _round_half_up(up, safe), up)
        rounded = (tick > 0) & np.isfinite(down)
        down = np.where(rounded, _round_half_up(down, safe), down)
    return up, down


def tick_sizes(info: AssetInfo) -> np.ndarray:
    """Price tick per asset: 0.001 CNY for ETFs, 0.01 CNY otherwise."""
    return np.where(info.kind == "etf", 0.001, 0.01)


def tradable_masks(
    fill_price: np.ndarray,
    preclose: np.ndarray,
    dates: pd.DatetimeIndex,
    info: AssetInfo,
    rules: Rules,
    *,
    volume: np.ndarray | None = None,
    tradestatus: np.ndarray | None = None,
    st: np.ndarray | None = None,
    limit_free: np.ndarray | None = None,
    adjusted: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (buy_ok, sell_ok) boolean masks, (T, A), for fills at ``fill_price``.

    A missing fill price always blocks; with ``rules.suspension`` so do zero ``volume`` and
    ``tradestatus`` other than 1. With ``rules.price_limits`` a buy is blocked when
    ``fill >= limit_up`` and a sell when ``fill <= limit_down``, limits from ``preclose``
    (the exchange's previous close; NaN = no limit known, e.g. the first bar); no limit on
    days ``limit_free`` marks (relisting days).
    ``adjusted=True`` (prices without ticks, see the module docstring) uses the conservative
    ratio test instead of tick-rounded limit prices.
    """
    ok = ~np.isnan(fill_price)
    if rules.suspension and volume is not None:
        ok &= ~(np.nan_to_num(volume, nan=0.0) <= 0)
    if rules.suspension and tradestatus is not None:
        ok &= tradestatus == 1
    buy_ok, sell_ok = ok.copy(), ok.copy()
    if rules.price_limits:
        up_pct, down_pct = limit_bands(dates, info, st)
        if limit_free is not None:
            up_pct = np.where(limit_free, np.inf, up_pct)
            down_pct = np.where(limit_free, np.inf, down_pct)
        tick = tick_sizes(info)[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            if adjusted:
                move = fill_price / preclose - 1.0
                slack = 0.5 * tick / preclose
                buy_ok &= ~(move >= up_pct - slack - _REL_TOL)
                sell_ok &= ~(move <= -down_pct + slack + _REL_TOL)
            else:
                up, down = limit_prices(preclose, up_pct, down_pct, tick)
                buy_ok &= ~(fill_price >= up * (1 - _REL_TOL))
                sell_ok &= ~(fill_price <= down * (1 + _REL_TOL))
    return buy_ok, sell_ok


def lot_sizes(info: AssetInfo, rules: Rules, money: bool) -> np.ndarray:
    """Return shares per lot per asset (0 = fractional shares allowed).

    Lots apply to stocks and ETFs only when ``rules.lots`` and the run is in money terms.
    """
    if not (rules.lots and money):
        return np.zeros(len(info.kind))
    return np.where(info.kind == "index", 0.0, float(rules.lot_size))
