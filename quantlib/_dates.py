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


def parse_day(value: object, what: str) -> pd.Timestamp:
    """``value`` as a naive day (midnight), or a :class:`DateRangeError` saying how to write it.

    Refuses text that is not a date (``2024-13-45``, ``abc``), a time zone, and a time of day
    other than midnight (``2024-01-05 15:00``): a daily dataset has no intraday rows, and
    silently dropping the time would report a different moment than the one asked for.
    """
    from quantlib.errors import DateRangeError

    if isinstance(value, int | float) and not isinstance(value, bool):
        # pd.Timestamp(2024) is 2024 ns after 1970: a number is never a day
        raise DateRangeError(f"{what} {value!r} is a number, not a date; write it as text, "
                             "YYYY-MM-DD, e.g. '2024-03-15'.")
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        raise DateRangeError(f"{what} {value!r} is not a date; write it as YYYY-MM-DD, e.g. "
                             "2024-03-15.") from None
    if ts is pd.NaT:
        raise DateRangeError(f"{what} {value!r} is not a date; write it as YYYY-MM-DD.")
    if ts.tzinfo is not None:
        raise DateRangeError(f"{what} {value!r} has a time zone; pass a plain date "
                             "(YYYY-MM-DD).")
    if ts != ts.normalize():
        raise DateRangeError(f"{what} {value!r} has a time of day; the data is daily: pass "
                             "the day alone (YYYY-MM-DD).")
    return ts


def check_not_after_data(value: object, last: pd.Timestamp, what: str,
                         dataset: str) -> pd.Timestamp | None:
    """Parse a requested day (``None`` stays ``None``) and refuse one after the data's last day.

    A date past the data used to resolve silently to the last day, so ``--date 2099`` printed
    figures labelled with a day nobody asked for. A non-trading day inside the data still
    resolves to the trading day before it, and the output names the day used.

    Raises
    ------
    DateRangeError
    """
    from quantlib.errors import DateRangeError

    if value is None:
        return None
    day = parse_day(value, what)
    if day > last:
        raise DateRangeError(
            f"{what} {day.date()} is after the last {dataset} day in the data, {last.date()}. "
            f"Pass a date on or before it (a non-trading day uses the trading day before it), "
            f"omit {what} for the last day, or refresh the data (`quantlib data refresh "
            f"{dataset}`).")
    return day
