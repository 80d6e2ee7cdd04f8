"""How far behind today each dataset is, in trading days, and the warning to print.

A figure computed on data that ended months ago looks the same as one computed yesterday; the
weekly page, ``quantlib signal`` and their JSON therefore carry each used dataset's last date,
how many trading days it is behind today, and a warning with the command that refreshes it
when that exceeds a limit (``--stale-days`` / ``QUANTLIB_STALE_DAYS``, default
:data:`DEFAULT_STALE_DAYS`).

Trading days are counted on the ``trading_calendar`` dataset up to its last day and on
weekdays after it (the calendar cannot know later holidays, so the count may be high by the
holidays in between).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pandas as pd

from quantlib.data.schema import DATASETS
from quantlib.errors import DataValidationError
from quantlib.i18n import Message

__all__ = ["DEFAULT_STALE_DAYS", "ENV_STALE_DAYS", "freshness", "last_dates", "stale_days_limit",
           "trading_days_behind"]

ENV_STALE_DAYS = "QUANTLIB_STALE_DAYS"
#: One trading week: a weekly report on data older than a week is about a past week.
DEFAULT_STALE_DAYS = 5


def stale_days_limit(value: int | str | None = None,
                     environ: Mapping[str, str] | None = None) -> int:
    """The limit: ``value`` if given, else ``QUANTLIB_STALE_DAYS``, else the default.

    Raises
    ------
    DataValidationError
        Not a whole number >= 0.
    """
    env = os.environ if environ is None else environ
    raw, source = ((value, "--stale-days") if value is not None else
                   (env.get(ENV_STALE_DAYS, "").strip() or None, ENV_STALE_DAYS))
    if raw is None:
        return DEFAULT_STALE_DAYS
    try:
        days = int(str(raw))
    except ValueError:
        days = -1
    if days < 0:
        raise DataValidationError(f"{source}={raw!r} is not a whole number of trading days "
                                  ">= 0; use e.g. 5.")
    return days


def trading_days_behind(last: pd.Timestamp, today: pd.Timestamp,
                        calendar: pd.DatetimeIndex) -> int:
    """Trading days after ``last`` up to and including ``today`` (0 when up to date)."""
    if today <= last:
        return 0
    end = calendar.max() if len(calendar) else last
    known = int(((calendar > last) & (calendar <= today)).sum())
    after = pd.bdate_range(max(last, end) + pd.Timedelta(days=1), today)
    return known + len(after)


def _refresh_hint(name: str) -> Message:
    if DATASETS[name].refreshable:
        return Message("n.refresh", name=name)
    return Message("n.frozen")


def freshness(last_dates: Mapping[str, str], *, today: str | pd.Timestamp | None = None,
              limit: int | None = None,
              calendar: pd.DatetimeIndex | None = None) -> dict[str, Any]:
    """Each dataset's last date, trading days behind ``today`` and a warning when stale.

    Parameters
    ----------
    last_dates : mapping
        Dataset name -> last date in the data (``YYYY-MM-DD``).
    today : date-like, optional
        Default the local date.
    limit : int, optional
        Stale when more than this many trading days behind (default
        :func:`stale_days_limit`).
    calendar : DatetimeIndex, optional
        Trading days (default the ``trading_calendar`` dataset).

    Returns
    -------
    dict
        ``today``, ``stale_after_trading_days``, ``datasets`` (name -> ``last_date``,
        ``trading_days_behind``, ``stale``) and ``warnings`` (one line per stale dataset).
    """
    from quantlib.data.calendar import trading_days

    day = pd.Timestamp(today).normalize() if today is not None else pd.Timestamp.today().normalize()
    limit = stale_days_limit() if limit is None else limit
    cal = trading_days() if calendar is None else calendar
    out: dict[str, Any] = {"today": str(day.date()), "stale_after_trading_days": limit,
                           "datasets": {}, "warnings": []}
    for name, last in last_dates.items():
        behind = trading_days_behind(pd.Timestamp(last), day, cal)
        stale = behind > limit
        out["datasets"][name] = {"last_date": str(last), "trading_days_behind": behind,
                                 "stale": stale}
        if stale:
            out["warnings"].append(Message(
                "n.stale", name=name, last=pd.Timestamp(last).date(), behind=behind,
                today=day.date(), limit=limit, hint=_refresh_hint(name)))
    return out


def last_dates(names: list[str] | tuple[str, ...],
               cache_dir: str | None = None) -> dict[str, str]:
    """Dataset -> last date, from the manifest that serves it (``verify`` checks they agree)."""
    from quantlib.data.store import locate

    return {n: str(locate(n, cache_dir).entry["end"]) for n in names}
