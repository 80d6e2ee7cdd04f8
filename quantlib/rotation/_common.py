"""Shared pieces of the rotation models: errors, input checks, ranks, the score container."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from quantlib.errors import DataValidationError, QuantlibError

__all__ = [
    "IndustryData",
    "ModelScores",
    "RotationParamError",
    "check_close",
    "monthly_to_daily",
    "rank_pct",
]


class RotationParamError(QuantlibError, ValueError):
    """A rotation parameter out of range (k larger than the universe, a negative window ...)."""


def check_close(close: pd.DataFrame, what: str = "close") -> pd.DataFrame:
    """Validate a daily close panel (dates x industry codes); NaN marks "not yet listed".

    Raises
    ------
    DataValidationError
        Not a DataFrame, no DatetimeIndex, unsorted/duplicated dates, duplicated codes,
        non-positive prices, or no columns.
    """
    if not isinstance(close, pd.DataFrame):
        raise DataValidationError(f"{what} must be a DataFrame (dates x industry codes), got "
                                  f"{type(close).__name__}; use load('sw_l1')['close'].")
    if not isinstance(close.index, pd.DatetimeIndex):
        raise DataValidationError(
            f"{what} needs a DatetimeIndex, got {type(close.index).__name__}.")
    if not close.index.is_monotonic_increasing or close.index.has_duplicates:
        raise DataValidationError(f"{what}: dates must be sorted and unique; sort and "
                                  "de-duplicate the index first.")
    if close.shape[1] == 0 or close.columns.has_duplicates:
        raise DataValidationError(f"{what} must have at least one column and unique codes.")
    values = close.to_numpy(dtype="float64")
    if (values <= 0).any():
        raise DataValidationError(f"{what} has non-positive prices; index levels must be > 0.")
    return close.astype("float64")


def rank_pct(frame: pd.DataFrame) -> pd.DataFrame:
    """Rank each row's non-NaN values as fractions in (0, 1]: the largest gets 1.

    ``rank(axis=1, pct=True)`` with average ties: for n values the i-th smallest gets i / n.
    """
    return frame.rank(axis=1, pct=True, method="average")


def monthly_to_daily(monthly: pd.DataFrame, days: pd.DatetimeIndex,
                     max_age_days: int) -> pd.DataFrame:
    """Carry month-end values to daily dates: day t gets the last row dated <= t.

    A value older than ``max_age_days`` calendar days is dropped (NaN), so a model never
    reuses stale fundamentals past the end of its data.
    """
    if len(monthly) == 0:
        return pd.DataFrame(np.nan, index=days, columns=monthly.columns)
    pos = monthly.index.searchsorted(days, side="right") - 1
    out = monthly.to_numpy(dtype="float64")[np.clip(pos, 0, None)].copy()
    valid = pos >= 0
    age = (days - monthly.index[np.clip(pos, 0, None)]).days.to_numpy()
    out[~valid | (age > max_age_days)] = np.nan
    return pd.DataFrame(out, index=days, columns=monthly.columns)


@dataclass(frozen=True)
class IndustryData:
    """The inputs of the rotation models.

    Attributes
    ----------
    close : DataFrame
        Daily closes, dates x industry codes (``load("sw_l1")["close"]``). NaN before an
        industry's first day.
    pe_ttm : DataFrame, optional
        Month-end PE TTM, dates x the same codes (``load("sw_l1_pe_ttm")["pe_ttm"]``). Needed by
        the earnings model and by the reversal model's PE percentile.
    earnings_ext : DataFrame, optional
        Month-end industry earnings from another source (any unit; only its own growth is
        used), e.g. the stock-based ``sw_l1_stock_earnings``: the earnings model uses it for
        the months after the last ``pe_ttm`` month and flags them. Build it with
        :func:`quantlib.rotation.industry_data`, which attaches it only if it passes the check
        against Wind.
    earnings_note : str
        What was done about the extension (printed with the earnings model's rule line).
    """

    close: pd.DataFrame
    pe_ttm: pd.DataFrame | None = None
    earnings_ext: pd.DataFrame | None = None
    earnings_note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "close", check_close(self.close))
        for name, hint in (("pe_ttm", "load('sw_l1_pe_ttm')['pe_ttm']"),
                           ("earnings_ext", "quantlib.rotation.industry_data()")):
            frame = getattr(self, name)
            if frame is not None:
                object.__setattr__(self, name, self._monthly(frame, name, hint))

    def _monthly(self, frame: pd.DataFrame, name: str, hint: str) -> pd.DataFrame:
        """A month-end panel checked and put on ``close``'s codes."""
        if not isinstance(frame, pd.DataFrame) or not isinstance(frame.index, pd.DatetimeIndex):
            raise DataValidationError(f"{name} must be a DataFrame with a DatetimeIndex "
                                      f"(month-ends x codes); use {hint}.")
        if not frame.index.is_monotonic_increasing or frame.index.has_duplicates:
            raise DataValidationError(f"{name}: dates must be sorted and unique.")
        return frame.reindex(columns=self.close.columns).astype("float64")

    @property
    def codes(self) -> tuple[str, ...]:
        """The industry codes (columns of ``close``)."""
        return tuple(str(c) for c in self.close.columns)

    def truncate(self, end: str | pd.Timestamp) -> IndustryData:
        """Keep rows dated <= ``end`` (causality tests, as-of runs)."""
        end = pd.Timestamp(end)
        pe = None if self.pe_ttm is None else self.pe_ttm.loc[:end]
        ext = None if self.earnings_ext is None else self.earnings_ext.loc[:end]
        return IndustryData(self.close.loc[:end], pe, ext, self.earnings_note)

    def select(self, codes: list[str]) -> IndustryData:
        """Keep the industries ``codes`` (columns of every input)."""
        pe = None if self.pe_ttm is None else self.pe_ttm.reindex(columns=codes)
        ext = None if self.earnings_ext is None else self.earnings_ext.reindex(columns=codes)
        return IndustryData(self.close[codes], pe, ext, self.earnings_note)


@dataclass(frozen=True)
class ModelScores:
    """One model's output over time.

    Attributes
    ----------
    name : str
        Model name.
    score : DataFrame
        Dates x codes. Higher is better; NaN = not eligible that day (or no data).
    covered : Series of bool
        Per date: the model's inputs exist that day (False outside the data it needs, e.g.
        after the last bundled PE month for the earnings model). Not covered => no picks.
    fields : dict of str -> DataFrame
        The model's intermediate quantities (distance, beta, growth ...), same index.
    note : str
        Coverage statement printed by the CLI.
    """

    name: str
    score: pd.DataFrame
    covered: pd.Series
    fields: dict[str, pd.DataFrame] = field(default_factory=dict)
    note: str = ""
