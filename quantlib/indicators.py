"""Indicators: pure functions of prices, Series or dates x assets frames in, same shape out.

Each value at t uses data up to t only (no look-ahead); NaN until a window is full.
"""

from __future__ import annotations

from typing import TypeVar

import pandas as pd

from quantlib.errors import QuantlibError

__all__ = ["IndicatorError", "above", "crossed_above", "crossed_below", "distance", "ema",
           "momentum", "rolling_beta", "rolling_percentile", "sma"]

Frame = TypeVar("Frame", pd.Series, pd.DataFrame)


class IndicatorError(QuantlibError, ValueError):
    """A window that is not a positive integer, or inputs that are not dated prices."""


def _window(window: int, name: str = "window") -> int:
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise IndicatorError(f"{name} must be a positive integer (bars), got {window!r}.")
    return window


def sma(x: Frame, window: int) -> Frame:
    """Simple moving average of the last ``window`` values."""
    return x.rolling(_window(window), min_periods=window).mean()


def ema(x: Frame, window: int) -> Frame:
    """Exponential moving average, ``alpha = 2 / (window + 1)``, seeded with the first value;
    NaN for the first ``window - 1`` bars (as :func:`quantlib.timing.trend_line`'s ``ema``)."""
    out = x.ewm(span=_window(window), adjust=False).mean()
    out.iloc[: window - 1] = float("nan")
    return out


def distance(x: Frame, short: int, long: int) -> Frame:
    """Moving-average distance ``(SMA_short - SMA_long) / SMA_long`` (the report's 均线距离)."""
    if _window(short, "short") >= _window(long, "long"):
        raise IndicatorError(f"short ({short}) must be shorter than long ({long}).")
    ma_long = sma(x, long)
    return (sma(x, short) - ma_long) / ma_long


def momentum(x: Frame, lookback: int) -> Frame:
    """Return over the last ``lookback`` bars: ``x_t / x_{t-lookback} - 1``."""
    return x / x.shift(_window(lookback, "lookback")) - 1.0


def rolling_percentile(x: Frame, window: int) -> Frame:
    """Percentile rank of today's value among the last ``window`` values (in (0, 1], ties
    averaged): 1.0 = the highest of the window."""
    return x.rolling(_window(window), min_periods=window).rank(pct=True, method="average")


def rolling_beta(returns: pd.DataFrame, market: pd.Series, window: int) -> pd.DataFrame:
    """Rolling OLS slope of each column of ``returns`` on ``market`` over ``window`` bars."""
    from quantlib.rotation.two_beta import rolling_beta as _beta

    return _beta(returns, market, _window(window))


def above(a: Frame, b: Frame | float) -> Frame:
    """True where ``a > b`` (False where either is NaN)."""
    return a > b


def crossed_above(a: Frame, b: Frame | float) -> Frame:
    """True on the bar where ``a`` goes from <= ``b`` to > ``b``."""
    now = a > b
    before = (a.shift(1) <= (b.shift(1) if isinstance(b, pd.Series | pd.DataFrame) else b))
    return now & before


def crossed_below(a: Frame, b: Frame | float) -> Frame:
    """True on the bar where ``a`` goes from >= ``b`` to < ``b``."""
    now = a < b
    before = (a.shift(1) >= (b.shift(1) if isinstance(b, pd.Series | pd.DataFrame) else b))
    return now & before
