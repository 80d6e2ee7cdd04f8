"""Hand a :class:`~quantlib.backtest.BacktestResult` to other tools.

* :func:`returns_for_quantstats`: the daily simple returns as quantstats and empyrical want
  them (a float Series on a tz-naive DatetimeIndex, no NaN), e.g.
  ``quantstats.reports.html(returns_for_quantstats(result), benchmark)``.
* :func:`to_vectorbt`: the run's fills replayed as a ``vectorbt.Portfolio`` (needs the
  ``vectorbt`` extra: ``pip install 'quantlib[vectorbt]'``), for vectorbt's stats and plots.

vectorbt is not a runtime dependency of quantlib: it is imported here, inside the function.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from quantlib.errors import MissingExtraError, QuantlibError

__all__ = ["MissingExtraError", "returns_for_quantstats", "to_vectorbt"]


def returns_for_quantstats(result: Any, name: str = "strategy") -> pd.Series:
    """Daily simple returns of a single-strategy ``result``, named ``name``: float64, a
    tz-naive DatetimeIndex without duplicates, the first bar relative to the initial capital.

    Raises
    ------
    QuantlibError
        A multi-strategy result (pick one column of ``result.returns`` yourself).
    """
    r = result.returns
    if isinstance(r, pd.DataFrame):
        raise QuantlibError("returns_for_quantstats takes a single-strategy result; this one "
                            f"has {r.shape[1]} strategies: pass result.returns[NAME] directly.")
    out = r.astype("float64").rename(name)
    out.index = pd.DatetimeIndex(out.index).tz_localize(None)
    return out


def to_vectorbt(result: Any, close: pd.DataFrame | pd.Series, freq: str = "D") -> Any:
    """The run's fills (``result.trades``) replayed by ``vectorbt.Portfolio.from_orders``.

    Every fill becomes an order of the same shares at the same price (slippage included), its
    cost a fixed fee, on one cash-sharing group with sells before buys: vectorbt's
    ``value()`` then equals ``result.equity``. Cash interest (``cash_rate``) is not modelled by
    vectorbt, so a run with a cash rate differs by the interest.

    Parameters
    ----------
    result : BacktestResult
        A single-strategy run made with ``record_trades=True``.
    close : DataFrame or Series
        The closes the run valued positions at (the engine's ``prices``).

    Raises
    ------
    MissingExtraError
        vectorbt is not installed.
    QuantlibError
        No trades recorded, or a multi-strategy result.
    """
    try:
        import vectorbt as vbt  # type: ignore[import-untyped]
    except ImportError:
        raise MissingExtraError(
            "BacktestResult.to_vectorbt needs vectorbt, an optional extra: "
            "pip install 'quantlib[vectorbt]' (or pip install vectorbt).") from None
    if isinstance(result.returns, pd.DataFrame):
        raise QuantlibError("to_vectorbt takes a single-strategy result; run one strategy.")
    trades = result.trades
    if trades.empty and float(np.abs(result.turnover.to_numpy()).sum()) > 0:
        raise QuantlibError("the result has no recorded trades: run with record_trades=True "
                            "to replay it in vectorbt.")
    close = close.to_frame() if isinstance(close, pd.Series) else close
    close = close.loc[result.equity.index, list(result.positions.columns)]
    size = pd.DataFrame(np.nan, index=close.index, columns=close.columns)
    price, fees = size.copy(), size.copy()
    for (day, asset), g in trades.groupby(["date", "asset"], sort=False):
        if len(g) != 1:
            raise QuantlibError(f"{len(g)} fills of {asset} on {day}: one order per asset "
                                "and day is what vectorbt takes.")
        row = g.iloc[0]
        sign = 1.0 if row["side"] == "buy" else -1.0
        size.loc[day, asset] = sign * float(row["shares"])
        price.loc[day, asset] = float(row["price"])
        fees.loc[day, asset] = float(row["cost"])
    return vbt.Portfolio.from_orders(
        close, size, size_type="amount", price=price.fillna(close), fixed_fees=fees.fillna(0.0),
        init_cash=float(result.init_cash), cash_sharing=True, group_by=True, call_seq="auto",
        freq=freq)
