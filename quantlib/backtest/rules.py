"""A-share trading rules as data and pure functions: price limits, suspension, lots, T+1.

Everything here is NumPy/pandas in, NumPy out, and knows nothing about portfolios. The engine
turns these masks into "order blocked, stays pending" decisions (see ``docs/backtest.md``).

Price limits (daily move allowed from the previous close)
--------------------------------------------------------
===========  ==========================================================================
board        limit
===========  ==========================================================================
main         10% (ST stocks 5%)
chinext      10% before 2020-08-24, 20% from 2020-08-24 (ST included, from that date)
star         20% (ST included)
bse          30%
etf          10% (exchange-listed ETFs; cross-board ETFs: pass the board you need)
index        no limit (indices are not traded; used as frictionless proxies)
===========  ==========================================================================

Limit prices: ``round_half_up(prev_close * (1 +- limit), 2)`` for stocks; ETFs quote three
decimals (``tick = 0.001``). A buy is blocked when the fill price ``>=`` the limit-up price; a
sell is blocked when the fill price ``<=`` the limit-down price. Not modelled: the no-limit first
days after an IPO, and ST status changing over time (``st`` is one flag per asset).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from quantlib.errors import QuantlibError, UnknownNameError

__all__ = [
    "BOARDS",
    "CHINEXT_20PCT_FROM",
    "KINDS",
    "AssetInfo",
    "Rules",
    "RulesError",
    "limit_pct",
    "limit_prices",
    "tradable_masks",
]

BOARDS = ("main", "chinext", "star", "bse", "etf", "index")
KINDS = ("stock", "etf", "index")
CHINEXT_20PCT_FROM = pd.Timestamp("2020-08-24")
_REL_TOL = 1e-9


class RulesError(QuantlibError, ValueError):
    """Asset metadata that is missing, of the wrong shape, or names an unknown board/kind."""


@dataclass(frozen=True, kw_only=True)
class Rules:
    """Switches for the A-share trading rules (all on by default).

    Parameters
    ----------
    price_limits : bool
        Block buys at limit-up and sells at limit-down.
    suspension : bool
        Treat zero volume as suspended (a missing price always blocks trading: there is
        nothing to fill at).
    t_plus_one : bool
        Shares bought on a bar cannot be sold on that bar (for assets whose ``t_plus_one``
        flag is set). The engine fills each asset at most once per bar, so this rule can
        never bind; it is kept as an explicit, tested invariant.
    lots : bool
        Round share orders to the asset's lot (100 shares) when ``init_cash`` is given.
    lot_size : int
        Shares per lot for stocks and ETFs.
    """

    price_limits: bool = True
    suspension: bool = True
    t_plus_one: bool = True
    lots: bool = True
    lot_size: int = 100

    @classmethod
    def none(cls) -> Rules:
        """Return rules with every switch off (vectorbt-like frictionless market)."""
        return cls(price_limits=False, suspension=False, t_plus_one=False, lots=False)


@dataclass(frozen=True, kw_only=True)
class AssetInfo:
    """Per-asset metadata as aligned NumPy arrays (build with :meth:`from_frame`).

    Attributes
    ----------
    board, kind : ndarray of str
    st, t_plus_one : ndarray of bool
    """

    board: np.ndarray
    kind: np.ndarray
    st: np.ndarray
    t_plus_one: np.ndarray

    @classmethod
    def from_frame(cls, assets: pd.DataFrame | None, columns: pd.Index) -> AssetInfo:
        """Align an ``assets`` table (index = asset codes) to ``columns``, filling defaults.

        Optional columns: ``board`` (default ``"main"``, or ``"index"`` when ``kind`` is
        index), ``kind`` (default ``"stock"``), ``st`` (default False), ``t_plus_one``
        (default True for stocks and ETFs, False for indices).
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
        kind = _choice_col(frame, "kind", np.full(n, "stock", dtype=object), KINDS)
        board_default = np.where(kind == "index", "index", np.where(kind == "etf", "etf", "main"))
        board = _choice_col(frame, "board", board_default.astype(object), BOARDS)
        st = frame["st"].fillna(False).to_numpy(bool) if "st" in frame else np.zeros(n, bool)
        t1_default = kind != "index"
        t1 = (frame["t_plus_one"].fillna(True).to_numpy(bool) & t1_default
              if "t_plus_one" in frame else t1_default)
        return cls(board=board, kind=kind, st=st, t_plus_one=np.asarray(t1, bool))


def _choice_col(frame: pd.DataFrame, name: str, default: np.ndarray,
                choices: tuple[str, ...]) -> np.ndarray:
    if name not in frame:
        return default
    values = frame[name].to_numpy(object)
    values = np.where(pd.isna(values), default, values)
    for v in set(values):
        if v not in choices:
            raise UnknownNameError(name, str(v), choices)
    return values


def limit_pct(dates: pd.DatetimeIndex, board: np.ndarray, st: np.ndarray) -> np.ndarray:
    """Return the daily price-limit fraction per (date, asset); ``inf`` means no limit.

    Parameters
    ----------
    dates : DatetimeIndex, length T
    board : ndarray of str, length A
    st : ndarray of bool, length A

    Returns
    -------
    ndarray (T, A) of float64.
    """
    after = np.asarray(dates >= CHINEXT_20PCT_FROM)[:, None]
    base = np.select(
        [board == "main", board == "star", board == "bse", board == "etf", board == "index"],
        [np.where(st, 0.05, 0.10), 0.20, 0.30, 0.10, np.inf],
        default=np.nan,
    )
    chinext_before = np.where(st, 0.05, 0.10)
    out = np.where((board == "chinext")[None, :],
                   np.where(after, 0.20, chinext_before[None, :]), base[None, :])
    return np.asarray(out, dtype=np.float64)


def _round_half_up(x: np.ndarray, tick: np.ndarray) -> np.ndarray:
    return np.floor(x / tick + 0.5 + 1e-9) * tick


def limit_prices(prev_close: np.ndarray, pct: np.ndarray,
                 tick: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (limit_up, limit_down) prices, rounded half-up to ``tick`` (0 = no rounding).

    ``prev_close`` and ``pct`` are (T, A); ``tick`` broadcasts against them.
    """
    tick = np.broadcast_to(tick, prev_close.shape)
    up = prev_close * (1.0 + pct)
    down = prev_close * (1.0 - pct)
    with np.errstate(invalid="ignore"):
        safe = np.where(tick > 0, tick, 1.0)
        up = np.where(tick > 0, _round_half_up(up, safe), up)
        down = np.where(tick > 0, _round_half_up(down, safe), down)
    return up, down


def tradable_masks(
    fill_price: np.ndarray,
    prev_close: np.ndarray,
    volume: np.ndarray | None,
    dates: pd.DatetimeIndex,
    info: AssetInfo,
    rules: Rules,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (buy_ok, sell_ok) boolean masks, (T, A), for fills at ``fill_price``.

    A missing fill price always blocks; zero ``volume`` blocks when ``rules.suspension``;
    ``fill >= limit_up`` blocks buys and ``fill <= limit_down`` blocks sells when
    ``rules.price_limits`` (``prev_close`` is the last close before the fill bar, NaN on the
    first bar, where no limit applies).
    """
    ok = ~np.isnan(fill_price)
    if rules.suspension and volume is not None:
        ok &= ~(np.nan_to_num(volume, nan=0.0) <= 0)
    buy_ok, sell_ok = ok.copy(), ok.copy()
    if rules.price_limits:
        pct = limit_pct(dates, info.board, info.st)
        tick = np.where(info.kind == "etf", 0.001, 0.01)[None, :]
        up, down = limit_prices(prev_close, pct, tick)
        with np.errstate(invalid="ignore"):
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
