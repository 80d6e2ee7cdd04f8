"""Boundary validation for :func:`quantlib.backtest.run`: frames in, aligned NumPy arrays out.

Every check raises a typed error saying what was received, what was expected and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from quantlib.errors import QuantlibError, UnknownNameError

__all__ = [
    "FILL_MODES",
    "AlignmentError",
    "BacktestInputError",
    "FillModeError",
    "Market",
    "PricesError",
    "WeightsError",
]

#: Fill modes: weights decided at the close of bar t trade at ...
FILL_MODES = ("next_close", "next_open", "same_close_lookahead")
_SUM_TOL = 1e-9


class BacktestInputError(QuantlibError, ValueError):
    """Base class of the backtest's input errors."""


class PricesError(BacktestInputError):
    """Prices that are empty, unsorted, duplicated, non-positive or not numeric."""


class WeightsError(BacktestInputError):
    """Weights that are empty, NaN, negative, or sum above 1 (leverage is not supported)."""


class AlignmentError(BacktestInputError):
    """Weights (or open/volume) whose dates or assets do not match the prices."""


class FillModeError(UnknownNameError, ValueError):
    """A ``fill=`` mode that does not exist."""

    def __init__(self, name: str) -> None:
        super().__init__("fill mode", name, FILL_MODES)


@dataclass(frozen=True, kw_only=True)
class Market:
    """What the engine needs to know beyond the closes: asset kinds, raw-price facts, rules data.

    Every frame is dates x assets with exactly the index and columns of the ``prices`` passed to
    :func:`quantlib.backtest.run` (checked; reindex with ``frame.reindex_like(prices)``).

    Contract (prices the engine trades on)
    --------------------------------------
    * ``prices`` (the closes given to ``run``) are **raw** exchange prices (不复权) whenever
      ``preclose`` or ``adj_factor`` is given: fills, lots and price limits use raw prices.
    * ``preclose`` is the exchange's previous close as published for each date (前收盘价,
      already ex-right/ex-dividend on an ex-date; the issue price on a listing day). Limit
      prices are ``round_half_up(preclose * (1 +- band), tick)``. Without it the engine uses
      the previous raw close, which is wrong on ex-dates (fine for indices and for data with
      no corporate actions).
    * ``adj_factor`` is the cumulative adjustment factor with ``raw * adj_factor = adjusted``
      (back-adjusted, total return), derived from ``preclose`` as
      ``factor_t = factor_{t-1} * close_{t-1} / preclose_t`` (1.0 on the first date). On an
      ex-date the engine scales the shares held by ``factor_t / factor_{t-1}`` (dividends and
      splits reinvested in the same stock at the ex-date's reference price), so equity follows
      the adjusted (total-return) series between trades.
    * ``tradestatus`` is 1 on a trading day, 0 on a suspended day (停牌): no order fills on a
      suspended day (it stays pending). NaN = not listed (no fill either).
    * ``is_st`` is True on the days the stock carries a risk warning (ST / *ST); it sets the
      band of that day (5% on the main board until 2026-07-03, see ``rules.limit_bands``).
    * ``assets`` is one row per asset (index = the price columns) with ``kind`` (``"stock"``,
      ``"etf"`` or ``"index"``), optional ``board`` (``main``, ``chinext``, ``star``, ``bse``;
      derived from the code for stocks when absent), ``exchange`` (``SH``/``SZ``/``BJ``;
      derived from the code when absent), ``list_date`` (first trading day; NaT = unknown,
      no IPO-day rule), ``st`` (one flag for all dates, used when ``is_st`` is not given)
      and ``t_plus_one``.
    * ``limit_free`` is True on days the exchange trades a stock without a price limit for a
      reason the rules cannot derive from the other fields: relisting days (恢复上市首日),
      the first day after some reorganisations. IPO days follow from ``list_date``.
    * ``kind`` declares one kind for every column (a shorthand for ``assets``):
      ``Market(kind="index")``. Frames from :func:`quantlib.data.load` carry their dataset's
      kind in ``frame.attrs["quantlib"]``, which ``run`` uses when ``market`` does not say.

    Parameters
    ----------
    open : DataFrame, optional
        Opening prices (raw when the closes are raw); required for ``fill="next_open"``.
    volume : DataFrame, optional
        Traded volume; zero volume means suspended (with ``Rules.suspension``).
    preclose, tradestatus, is_st, adj_factor, limit_free : DataFrame, optional
        See the contract above.
    assets : DataFrame, optional
        Per-asset metadata indexed by asset (see above and
        :class:`quantlib.backtest.rules.AssetInfo`).
    kind : {"stock", "etf", "index"}, optional
        The kind of every column, when ``assets`` has no ``kind`` column.
    """

    open: pd.DataFrame | None = None
    volume: pd.DataFrame | None = None
    assets: pd.DataFrame | None = None
    preclose: pd.DataFrame | None = None
    tradestatus: pd.DataFrame | None = None
    is_st: pd.DataFrame | None = None
    adj_factor: pd.DataFrame | None = None
    limit_free: pd.DataFrame | None = None
    kind: str | None = None

    def __post_init__(self) -> None:
        for name in ("open", "volume", "assets", "preclose", "tradestatus", "is_st",
                     "adj_factor", "limit_free"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, pd.DataFrame):
                raise BacktestInputError(f"Market.{name} must be a DataFrame (dates x assets"
                                         f"{'' if name != 'assets' else ', here assets x fields'}"
                                         f"), got {type(value).__name__}.")
        if self.kind is not None and self.kind not in ("stock", "etf", "index"):
            raise UnknownNameError("asset kind", str(self.kind), ("stock", "etf", "index"))


def market_frames(market: Market, prices: pd.DataFrame) -> dict[str, np.ndarray | None]:
    """Return Market's per-date frames as arrays aligned to ``prices``, validated.

    ``preclose`` and ``adj_factor`` must be > 0 where the close exists; ``tradestatus`` 0/1
    (NaN allowed where there is no close); ``is_st`` boolean (NaN = False is refused: say it).
    """
    out: dict[str, np.ndarray | None] = {}
    close_ok = prices.notna().to_numpy()
    for name in ("preclose", "adj_factor"):
        arr = align_extra(getattr(market, name), prices, f"market.{name}")
        if arr is not None:
            bad = close_ok & ~(np.isfinite(arr) & (arr > 0))
            if bad.any():
                r, c = np.argwhere(bad)[0]
                raise PricesError(f"market.{name} must be > 0 wherever prices has a close; got "
                                  f"{arr[r, c]!r} for {prices.columns[c]!r} on "
                                  f"{prices.index[r].date()}. Fill it from the data source.")
        out[name] = arr
    status = align_extra(market.tradestatus, prices, "market.tradestatus")
    if status is not None:
        bad = ~np.isnan(status) & (status != 0) & (status != 1)
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise BacktestInputError(f"market.tradestatus must be 1 (trading) or 0 "
                                     f"(suspended); got {status[r, c]!r} for "
                                     f"{prices.columns[c]!r} on {prices.index[r].date()}.")
    out["tradestatus"] = status
    for name in ("is_st", "limit_free"):
        flags = getattr(market, name)
        if flags is None:
            out[name] = None
            continue
        if flags.isna().to_numpy().any():
            raise BacktestInputError(f"market.{name} has NaN; give True/False for every date "
                                     "(False where the stock is not listed).")
        arr = align_extra(flags.astype(float), prices, f"market.{name}")
        out[name] = None if arr is None else arr.astype(bool)
    return out


def check_fill(fill: str) -> int:
    """Return the lag in bars of a fill mode (1 for next_*, 0 for same_close_lookahead)."""
    if fill not in FILL_MODES:
        raise FillModeError(str(fill))
    return 0 if fill == "same_close_lookahead" else 1


def check_dates(index: pd.Index, what: str, error: type[BacktestInputError]) -> None:
    """Raise ``error`` unless ``index`` is a sorted, duplicate-free DatetimeIndex."""
    if not isinstance(index, pd.DatetimeIndex):
        raise error(f"{what} index must be a DatetimeIndex, got {type(index).__name__}; "
                    f"use {what}.index = pd.to_datetime({what}.index).")
    if index.tz is not None:
        raise error(f"{what} index has a time zone ({index.tz}); the engine works on naive "
                    f"trading dates: use {what}.index = {what}.index.tz_localize(None).")
    if index.has_duplicates:
        dup = index[index.duplicated()][:3]
        raise error(f"{what} has duplicated dates {[str(d.date()) for d in dup]}; "
                    "keep one row per date.")
    if not index.is_monotonic_increasing:
        raise error(f"{what} dates are not sorted ascending; call {what}.sort_index().")


def check_prices(prices: pd.DataFrame | pd.Series) -> pd.DataFrame:
    """Return prices as a float64 DataFrame after validating them."""
    if isinstance(prices, pd.Series):
        prices = prices.to_frame(prices.name if prices.name is not None else "asset")
    if not isinstance(prices, pd.DataFrame):
        raise PricesError(f"prices must be a DataFrame (dates x assets), got {type(prices)}.")
    if prices.empty:
        raise PricesError("prices is empty; pass at least one date and one asset.")
    check_dates(prices.index, "prices", PricesError)
    if prices.columns.has_duplicates:
        raise PricesError("prices has duplicated columns; keep one column per asset.")
    text = [c for c in prices.columns if not pd.api.types.is_numeric_dtype(prices[c])
            or pd.api.types.is_bool_dtype(prices[c])]
    if text:  # '10.5' would convert silently; a text column is a loading mistake upstream
        raise PricesError(f"prices must be numeric; column(s) {text[:5]} hold "
                          f"{prices[text[0]].dtype} values. Convert with prices.astype(float).")
    try:
        values = prices.to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise PricesError("prices must be numeric; convert with prices.astype(float).") from exc
    bad = ~np.isnan(values) & ~(np.isfinite(values) & (values > 0))
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise PricesError(
            f"prices must be > 0 and finite (NaN marks a missing price); got {values[r, c]!r} "
            f"for {prices.columns[c]!r} on {prices.index[r].date()}. Fix or drop bad ticks."
        )
    return prices


def align_extra(frame: pd.DataFrame | None, prices: pd.DataFrame, what: str) -> np.ndarray | None:
    """Return ``frame`` (open or volume) as float64 after checking it matches ``prices``."""
    if frame is None:
        return None
    if not frame.index.equals(prices.index):
        raise AlignmentError(f"{what} dates differ from prices dates; reindex it to prices.index.")
    if set(frame.columns) != set(prices.columns):
        raise AlignmentError(f"{what} columns {list(frame.columns)[:5]} differ from prices "
                             f"columns {list(prices.columns)[:5]}.")
    return frame[prices.columns].to_numpy(dtype=np.float64)


def _check_assets(cols: pd.Index, assets: pd.Index, what: str) -> None:
    if set(cols) != set(assets) or len(cols) != len(assets):
        missing = [a for a in assets if a not in set(cols)][:5]
        extra = [a for a in cols if a not in set(assets)][:5]
        raise AlignmentError(
            f"{what} columns do not match prices columns: missing {missing}, extra {extra}. "
            "Give one weight column per price column (0 for assets not held)."
        )


def weights_matrix(weights: object, prices: pd.DataFrame,
                   strategies: object) -> tuple[np.ndarray, pd.DatetimeIndex, pd.Index | None]:
    """Return (weights (R, S*A) array, rebalance dates, strategy index or None for single).

    Accepts a DataFrame with asset columns (one strategy), a DataFrame with (strategy, asset)
    MultiIndex columns, a Series (single-asset prices), or a (T, S, A) ndarray covering every
    price date (then ``strategies`` labels axis 1).
    """
    assets = prices.columns
    if isinstance(weights, np.ndarray):
        return _weights_from_array(weights, prices, strategies)
    if isinstance(weights, pd.Series):
        weights = weights.to_frame(assets[0] if len(assets) == 1 else weights.name)
    if not isinstance(weights, pd.DataFrame):
        raise WeightsError(f"weights must be a DataFrame or a 3-D ndarray, got {type(weights)}.")
    frame: pd.DataFrame = weights
    if frame.empty:
        raise WeightsError("weights is empty; pass at least one rebalance row.")
    check_dates(frame.index, "weights", AlignmentError)
    missing = frame.index.difference(prices.index)
    timed = missing[(missing != missing.normalize()) & missing.normalize().isin(prices.index)]
    if len(timed):
        raise AlignmentError(
            f"weights has rebalance timestamps with a time of day, e.g. {timed[0]}, on days the "
            "prices frame holds at midnight; the engine is daily (weights decided at a close "
            "trade by the fill rule): use weights.index = weights.index.normalize().")
    if len(missing):
        raise AlignmentError(
            f"weights has dates not in prices: {[str(d.date()) for d in missing[:3]]}; "
            "rebalance dates must be trading dates of the prices frame."
        )
    if isinstance(frame.columns, pd.MultiIndex):
        if frame.columns.nlevels != 2:
            raise AlignmentError("MultiIndex weight columns must have 2 levels (strategy, asset).")
        strat = frame.columns.get_level_values(0).unique()
        for s in strat:
            _check_assets(frame[s].columns, assets, f"weights[{s!r}]")
        order = pd.MultiIndex.from_product([strat, assets])
        if not frame.columns.equals(order):
            frame = frame.reindex(columns=order)
    else:
        strat = None
        _check_assets(frame.columns, assets, "weights")
        if not frame.columns.equals(assets):
            frame = frame[assets]
    try:
        values = frame.to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise WeightsError("weights must be numeric; convert with weights.astype(float).") from exc
    return values, pd.DatetimeIndex(frame.index), strat


def _weights_from_array(weights: np.ndarray, prices: pd.DataFrame,
                        strategies: object) -> tuple[np.ndarray, pd.DatetimeIndex, pd.Index]:
    if weights.ndim != 3:
        raise WeightsError(f"ndarray weights must be 3-D (time, strategy, asset), got "
                           f"{weights.ndim}-D; use a DataFrame for one strategy.")
    n_t, n_s, n_a = weights.shape
    if n_t == 0 or n_s == 0 or n_a == 0:
        raise WeightsError(f"weights is empty (shape {weights.shape}).")
    if n_t != len(prices) or n_a != prices.shape[1]:
        raise AlignmentError(
            f"3-D weights shape {weights.shape} does not match prices {prices.shape}: axis 0 "
            "must be every price date and axis 2 the price columns."
        )
    strat = pd.RangeIndex(n_s, name="strategy") if strategies is None else pd.Index(strategies)
    if len(strat) != n_s:
        raise AlignmentError(f"strategies has {len(strat)} labels for {n_s} strategies.")
    values = np.asarray(weights, dtype=np.float64).reshape(n_t, n_s * n_a)
    return values, pd.DatetimeIndex(prices.index), strat


def weights_error(code: int, row: int, col: int, dates: pd.DatetimeIndex,
                  value: float, n_assets: int) -> WeightsError:
    """Build the error for a failed :func:`engine.check_weights_nb` scan."""
    where = f"row {dates[row].date()}, strategy {col // n_assets}, asset {col % n_assets}"
    if code == 1:
        return WeightsError(f"weights contain NaN/inf at {where}; put 0 for assets not held "
                            "(or, to mean 'no rebalance on this date', make the strategy's whole "
                            "row NaN and pass nan_rows='hold').")
    if code == 4:
        return WeightsError(f"weights row partly NaN at {where}: with nan_rows='hold' a row "
                            "must be NaN for every asset of the strategy (no rebalance) or for "
                            "none; put 0 for assets not held.")
    if code == 2:
        return WeightsError(f"weights contain a negative value {value!r} at {where}; short "
                            "selling is not supported.")
    return WeightsError(f"weights sum above 1 at {where}; leverage is not supported. Scale the "
                        "row so it sums to <= 1 (the rest stays in cash).")
