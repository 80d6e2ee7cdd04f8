"""The :class:`BacktestResult` frozen dataclass returned by :func:`quantlib.backtest.run`."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["BacktestResult"]


@dataclass(frozen=True)
class BacktestResult:
    """Outcome of one backtest (one column per strategy when several ran at once).

    Single-strategy runs give Series (``equity``, ``returns``, ``turnover``, ``costs``,
    ``exposure``) and a dates x assets ``positions`` frame; multi-strategy runs give frames with
    a column per strategy and ``positions`` with (strategy, asset) columns.

    Attributes
    ----------
    equity : Series or DataFrame
        Portfolio value at each close (starts from ``init_cash``, or 1.0).
    returns : Series or DataFrame
        Simple returns of ``equity``; the first bar is relative to the initial capital.
    positions : DataFrame
        Weights held after trading, valued at the close: ``shares * close / equity``.
    trades : DataFrame
        One row per fill: date, strategy, asset, side (``"buy"``/``"sell"``), shares, price
        (with slippage), value, cost. Empty unless ``record_trades=True``.
    turnover : Series or DataFrame
        Traded value (buys + sells) on the bar divided by the previous close's equity.
    costs : Series or DataFrame
        Costs paid on the bar, in money (CNY when ``init_cash`` is given).
    exposure : Series or DataFrame
        Invested fraction at the close: ``1 - cash / equity``.
    shares : DataFrame
        Shares held after trading (same columns as ``positions``).
    init_cash : float
        Initial capital (1.0 when none was given).
    """

    equity: pd.Series | pd.DataFrame
    returns: pd.Series | pd.DataFrame
    positions: pd.DataFrame
    trades: pd.DataFrame
    turnover: pd.Series | pd.DataFrame
    costs: pd.Series | pd.DataFrame
    exposure: pd.Series | pd.DataFrame
    shares: pd.DataFrame
    init_cash: float = 1.0

    def to_vectorbt(self, close: pd.DataFrame | pd.Series) -> object:
        """This run's fills as a ``vectorbt.Portfolio`` (the ``vectorbt`` extra); see
        :func:`quantlib.interop.to_vectorbt`. For quantstats, ``returns`` is ready as is."""
        from quantlib.interop import to_vectorbt

        return to_vectorbt(self, close)

    @property
    def final_value(self) -> float | pd.Series:
        """Equity at the last bar (a Series per strategy for multi-strategy runs)."""
        return self.equity.iloc[-1]

    @property
    def total_return(self) -> float | pd.Series:
        """``final_value / init_cash - 1``."""
        return self.final_value / self.init_cash - 1.0
