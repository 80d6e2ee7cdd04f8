"""Rebalance schedules: which days of a trading calendar a strategy decides on.

Pure functions of a DatetimeIndex (the calendar of the traded prices, so holidays are
already absent): each returns the subset of its days on which to decide.
"""

from __future__ import annotations

import pandas as pd

from quantlib.errors import QuantlibError

__all__ = ["ScheduleError", "every_n_days", "month_ends", "week_ends"]


class ScheduleError(QuantlibError, ValueError):
    """A schedule asked of something that is not a calendar, or with a bad step."""


def _calendar(index: pd.Index) -> pd.DatetimeIndex:
    if not isinstance(index, pd.DatetimeIndex):
        raise ScheduleError(f"a schedule needs a DatetimeIndex (the trading calendar), got "
                            f"{type(index).__name__}; pass data.calendar or prices.index.")
    return index


def _last_per(index: pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    if len(index) == 0:
        return index
    s = pd.Series(index, index=index)
    return pd.DatetimeIndex(s.groupby(index.to_period(freq)).max().to_numpy())


def week_ends(index: pd.Index) -> pd.DatetimeIndex:
    """The last trading day of each calendar week (Mon-Sun): Friday, or the day before a
    holiday (the report decides at the close of the week's last session)."""
    return _last_per(_calendar(index), "W-SUN")


def month_ends(index: pd.Index) -> pd.DatetimeIndex:
    """The last trading day of each calendar month."""
    return _last_per(_calendar(index), "M")


def every_n_days(index: pd.Index, n: int, offset: int = 0) -> pd.DatetimeIndex:
    """Every ``n``-th trading day, starting at position ``offset``."""
    index = _calendar(index)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ScheduleError(f"n must be a positive integer (trading days), got {n!r}.")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ScheduleError(f"offset must be an integer >= 0, got {offset!r}.")
    return index[offset::n]
