"""The SSE trading calendar, taken from the bundled data itself (dataset ``trading_calendar``).

The calendar is the union of the SSE Composite's dates (1990-12-19 ..) and the CSI All Share's
(to its last date), so it ends where the bundled data ends; dates after it cannot be checked.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["extra_days", "missing_days", "trading_days"]


def trading_days(start: str | pd.Timestamp | None = None, end: str | pd.Timestamp | None = None,
                 *, cache_dir: str | Path | None = None) -> pd.DatetimeIndex:
    """Return the SSE trading days between ``start`` and ``end`` (inclusive)."""
    from quantlib.data import load

    days = load("trading_calendar", cache_dir=cache_dir).index
    if start is not None:
        days = days[days >= pd.Timestamp(start)]
    if end is not None:
        days = days[days <= pd.Timestamp(end)]
    return pd.DatetimeIndex(days, name="date")


def missing_days(dates: pd.DatetimeIndex, calendar: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Trading days of ``calendar`` within ``dates``' span that ``dates`` lacks."""
    if len(dates) == 0:
        return pd.DatetimeIndex([], name="date")
    span = calendar[(calendar >= dates.min()) & (calendar <= dates.max())]
    return span.difference(dates)


def extra_days(dates: pd.DatetimeIndex, calendar: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Dates in ``dates`` (up to the calendar's end) that are not trading days: junk rows."""
    within = dates[dates <= calendar.max()]
    return within.difference(calendar)
