"""Pure helpers to splice index series by returns (never by levels).

Used by ``scripts/build_data_cache.py`` (extension of WIND All A after the last real Wind day,
SW/ETF back-extension) and by ``scripts/wind_extension_study.py``. Every function is a pure
function of its inputs; none fills missing values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from quantlib.errors import DataValidationError

__all__ = [
    "RegressionSplice",
    "back_extend",
    "chain_levels",
    "fit_ols",
    "junction_ratio",
    "ma_distance",
    "regime",
]


def _check_no_nan(values: pd.Series | pd.DataFrame, what: str) -> None:
    if np.asarray(values.isna()).any():
        raise DataValidationError(f"{what}: contains NaN; splice inputs must be complete.")


def chain_levels(base_level: float, returns: pd.Series) -> pd.Series:
    """Chain simple returns onto a base level: ``level_t = level_{t-1} * (1 + r_t)``.

    Parameters
    ----------
    base_level : float
        Level on the day before the first return.
    returns : pd.Series
        Simple daily returns, indexed by date, no NaN.

    Returns
    -------
    pd.Series
        Levels on the dates of ``returns``.
    """
    _check_no_nan(returns, "chain_levels returns")
    levels = np.empty(len(returns))
    level = float(base_level)
    for i, r in enumerate(returns.to_numpy(dtype="float64")):
        level = level * (1.0 + r)
        levels[i] = level
    return pd.Series(levels, index=returns.index, name="close")


@dataclass(frozen=True)
class RegressionSplice:
    """Return model ``r_target = intercept + sum_k betas[k] * r_k`` with fixed coefficients.

    ``regressors`` names the columns of the return frame passed to :meth:`returns`.
    Plain chaining of one index is ``RegressionSplice(0.0, (1.0,), ("r",))``.
    """

    intercept: float
    betas: tuple[float, ...]
    regressors: tuple[str, ...]

    def returns(self, regressor_returns: pd.DataFrame) -> pd.Series:
        """Return the modelled target returns for each row of ``regressor_returns``."""
        missing = [c for c in self.regressors if c not in regressor_returns.columns]
        if missing:
            raise DataValidationError(f"RegressionSplice: regressor column(s) {missing} missing.")
        x = regressor_returns[list(self.regressors)]
        _check_no_nan(x, "RegressionSplice regressors")
        out = np.full(len(x), self.intercept)
        for beta, col in zip(self.betas, self.regressors, strict=True):
            out = out + beta * x[col].to_numpy(dtype="float64")
        return pd.Series(out, index=x.index, name="r")


def fit_ols(y: pd.Series, x: pd.DataFrame, intercept: bool = True) -> RegressionSplice:
    """Fit ``y = a + X b`` by ordinary least squares (numpy lstsq) on aligned rows.

    Raises
    ------
    DataValidationError
        Misaligned indexes or NaN in the inputs.
    """
    if not y.index.equals(x.index):
        raise DataValidationError("fit_ols: y and x must share the same index.")
    _check_no_nan(y, "fit_ols y")
    _check_no_nan(x, "fit_ols x")
    cols = [x[c].to_numpy(dtype="float64") for c in x.columns]
    if intercept:
        cols.insert(0, np.ones(len(y)))
    design = np.column_stack(cols)
    coef, *_ = np.linalg.lstsq(design, y.to_numpy(dtype="float64"), rcond=None)
    a = float(coef[0]) if intercept else 0.0
    betas = tuple(float(b) for b in (coef[1:] if intercept else coef))
    return RegressionSplice(a, betas, tuple(str(c) for c in x.columns))


def back_extend(recent: pd.Series, older: pd.Series) -> pd.Series:
    """Extend ``recent`` levels backwards with the returns of ``older``.

    The first date of ``recent`` must be a date of ``older``; before it, levels are
    ``recent[t0] * older[t] / older[t0]`` (the same as chaining ``older``'s returns backwards).

    Returns
    -------
    pd.Series
        ``older``'s dates before ``recent`` (rescaled) followed by ``recent``.
    """
    t0 = recent.index[0]
    if t0 not in older.index:
        raise DataValidationError(f"back_extend: junction date {t0} is not in the older series.")
    head = older.loc[older.index < t0]
    _check_no_nan(head, "back_extend older")
    scaled = head * (float(recent.iloc[0]) / float(older.loc[t0]))
    return pd.concat([scaled, recent])


def junction_ratio(a: pd.Series, b: pd.Series, date: pd.Timestamp) -> float:
    """Return ``a[date] / b[date]`` (the level ratio of two copies at a splice point)."""
    return float(a.loc[date]) / float(b.loc[date])


def ma_distance(close: pd.Series, short: int = 20, long: int = 120) -> pd.Series:
    """Return ``(MA_short - MA_long) / MA_long`` in percent (simple moving averages)."""
    ma_s = close.rolling(short).mean()
    ma_l = close.rolling(long).mean()
    return (ma_s - ma_l) / ma_l * 100.0


def regime(distance_pct: pd.Series, threshold: float = 3.0) -> pd.Series:
    """Map a distance in percent to ``up`` (> threshold), ``down`` (< -threshold) or ``range``."""
    out = np.where(distance_pct > threshold, "up",
                   np.where(distance_pct < -threshold, "down", "range"))
    return pd.Series(out, index=distance_pct.index).where(distance_pct.notna())
