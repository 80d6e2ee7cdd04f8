"""Date helpers shared by the one-day snapshots (timing, valuation)."""

from __future__ import annotations

import pandas as pd

from quantlib.errors import DataValidationError


def day_on_or_before(index: pd.DatetimeIndex, date: str | pd.Timestamp | None) -> pd.Timestamp:
    """The last date of ``index`` on or before ``date`` (default: the last date).

    Raises
    ------
    DataValidationError
        ``date`` is before the first date of ``index``.
    """
    when = index[-1] if date is None else pd.Timestamp(date)
    days = index[index <= when]
    if len(days) == 0:
        raise DataValidationError(f"date {when.date()} is before the data, which starts "
                                  f"{index[0].date()}.")
    return days[-1]
