"""Overfitting statistics of a parameter sweep: deflated Sharpe ratio and PBO by CSCV.

References
----------
Bailey, D. H. and Lopez de Prado, M. (2014), "The Deflated Sharpe Ratio: Correcting for
Selection Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio Management 40(5).
Bailey, D. H., Borwein, J., Lopez de Prado, M. and Zhu, Q. J. (2017), "The Probability of
Backtest Overfitting", Journal of Computational Finance 20(4).

Every Sharpe ratio here is per period (not annualised): ``mean(x) / std(x, ddof=1)`` of the
excess returns ``x``. Normal quantiles come from :class:`statistics.NormalDist` (no SciPy).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations as _choose
from statistics import NormalDist
from typing import Any

import numpy as np

from quantlib.errors import QuantlibError

__all__ = [
    "EULER_GAMMA",
    "OverfittingError",
    "PBOResult",
    "block_stats",
    "cscv_partitions",
    "deflated_sharpe_ratio",
    "expected_max_sharpe",
    "pbo",
    "pbo_from_block_stats",
    "probabilistic_sharpe_ratio",
]

#: Euler-Mascheroni constant, used by the expected maximum of N Gaussian Sharpe ratios.
EULER_GAMMA = 0.5772156649015329
_N = NormalDist()


class OverfittingError(QuantlibError, ValueError):
    """Inputs the statistics cannot use: too few trials, blocks or observations."""


def expected_max_sharpe(n_trials: int, sharpe_variance: float) -> float:
    """Return the expected maximum Sharpe ratio of ``n_trials`` skill-less trials.

    ``E[max SR] ~= sqrt(V) * ((1 - g) * Z^-1(1 - 1/N) + g * Z^-1(1 - 1/(N e)))`` with ``g`` the
    Euler-Mascheroni constant, ``V`` the variance of the trials' Sharpe ratios and ``Z^-1`` the
    standard normal quantile (Bailey & Lopez de Prado 2014, eq. 6). ``N = 1`` gives 0.
    """
    if int(n_trials) < 1:
        raise OverfittingError(f"n_trials must be >= 1, got {n_trials!r}.")
    if not sharpe_variance >= 0:
        raise OverfittingError(f"sharpe_variance must be >= 0, got {sharpe_variance!r}.")
    if n_trials == 1:
        return 0.0
    z1 = _N.inv_cdf(1.0 - 1.0 / n_trials)
    z2 = _N.inv_cdf(1.0 - 1.0 / (n_trials * math.e))
    return math.sqrt(sharpe_variance) * ((1.0 - EULER_GAMMA) * z1 + EULER_GAMMA * z2)


def probabilistic_sharpe_ratio(sharpe: float, benchmark: float, n_obs: int, *,
                               skew: float = 0.0, kurtosis: float = 3.0) -> float:
    """Return ``P(true SR > benchmark)`` given an observed per-period Sharpe ratio.

    ``PSR = Phi((SR - SR*) sqrt(T - 1) / sqrt(1 - g3 SR + (g4 - 1) / 4 SR^2))`` with ``T``
    returns, ``g3`` their skewness and ``g4`` their (non-excess) kurtosis, 3 for a normal.
    """
    if int(n_obs) < 2:
        raise OverfittingError(f"n_obs must be >= 2 returns, got {n_obs!r}.")
    denom = 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe**2
    if not denom > 0:
        raise OverfittingError(f"the PSR variance term 1 - g3*SR + (g4-1)/4*SR^2 = {denom:g} "
                               "is not positive; check skew/kurtosis (kurtosis is non-excess).")
    return _N.cdf((sharpe - benchmark) * math.sqrt(n_obs - 1) / math.sqrt(denom))


def deflated_sharpe_ratio(sharpe: float, n_obs: int, n_trials: int, sharpe_variance: float, *,
                          skew: float = 0.0, kurtosis: float = 3.0) -> float:
    """Return the deflated Sharpe ratio: the PSR against the expected maximum Sharpe ratio.

    ``DSR = PSR(SR* = expected_max_sharpe(n_trials, sharpe_variance))``. All Sharpe inputs are
    per period; ``skew``/``kurtosis`` are those of the selected strategy's returns.
    """
    sr0 = expected_max_sharpe(n_trials, sharpe_variance)
    return probabilistic_sharpe_ratio(sharpe, sr0, n_obs, skew=skew, kurtosis=kurtosis)


def block_stats(returns: Any, n_blocks: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Split a (T, N) return matrix into ``n_blocks`` equal row blocks; return per (N, S)
    strategy and block the mean and the sum of squared deviations, and the block length.

    The first ``T mod n_blocks`` rows (the oldest) are dropped so blocks are equal.
    """
    x = np.asarray(returns, dtype=np.float64)
    if x.ndim != 2:
        raise OverfittingError(f"returns must be 2-D (time, strategies), got {x.ndim}-D.")
    n_blocks = _check_blocks(n_blocks, x.shape[0])
    per = x.shape[0] // n_blocks
    blocks = x[x.shape[0] - per * n_blocks:].reshape(n_blocks, per, x.shape[1])
    mean = blocks.mean(axis=1)
    m2 = ((blocks - mean[:, None, :]) ** 2).sum(axis=1)
    return np.ascontiguousarray(mean.T), np.ascontiguousarray(m2.T), per


def _check_blocks(n_blocks: int, n_obs: int) -> int:
    if not isinstance(n_blocks, int | np.integer) or n_blocks < 2 or n_blocks % 2:
        raise OverfittingError(f"n_blocks must be an even integer >= 2, got {n_blocks!r} "
                               "(Bailey et al. use 16).")
    if n_obs // n_blocks < 2:
        raise OverfittingError(f"{n_obs} returns cannot fill {n_blocks} blocks of >= 2 "
                               "returns; use fewer blocks or more data.")
    return int(n_blocks)


def cscv_partitions(n_blocks: int) -> np.ndarray:
    """Return the C(S, S/2) in-sample block sets, one row each, in lexicographic order."""
    return np.array(list(_choose(range(n_blocks), n_blocks // 2)), dtype=np.int64)


@dataclass(frozen=True)
class PBOResult:
    """Probability of backtest overfitting by CSCV.

    Attributes
    ----------
    pbo : float
        Share of partitions whose logit is <= 0: the in-sample best ranks at or below the
        out-of-sample median.
    logits : ndarray
        One logit ``ln(w / (1 - w))`` per partition (``cscv_partitions`` order).
    n_blocks, n_trials, n_obs : int
        S, N and the number of returns used (``T`` minus the ``T mod S`` oldest).
    """

    pbo: float
    logits: np.ndarray
    n_blocks: int
    n_trials: int
    n_obs: int


def pbo_from_block_stats(mean: np.ndarray, m2: np.ndarray, per_block: int) -> PBOResult:
    """Return the CSCV PBO from per-(strategy, block) means and M2 (see :func:`block_stats`)."""
    from quantlib.sweep._nb import cscv_logits_grouped_nb

    n_trials, n_blocks = mean.shape
    if n_trials < 2:
        raise OverfittingError(f"PBO needs at least 2 trials (strategies), got {n_trials}.")
    _check_blocks(n_blocks, n_blocks * per_block)
    parts = cscv_partitions(n_blocks)
    logits = np.empty(len(parts))
    cscv_logits_grouped_nb(np.ascontiguousarray(np.asarray(mean, dtype=np.float64).T),
                           np.ascontiguousarray(np.asarray(m2, dtype=np.float64).T),
                           float(per_block), parts, logits, 2048)
    return PBOResult(pbo=float(np.mean(logits <= 0.0)), logits=logits, n_blocks=n_blocks,
                     n_trials=n_trials, n_obs=n_blocks * per_block)


def pbo(returns: Any, n_blocks: int = 16) -> PBOResult:
    """Return the probability of backtest overfitting of N strategies by CSCV.

    Parameters
    ----------
    returns : array-like or DataFrame (T, N)
        Per-period (excess) returns, one column per trial.
    n_blocks : int
        S, even. The T rows are cut into S equal blocks (the ``T mod S`` oldest rows dropped);
        each of the C(S, S/2) ways to pick S/2 blocks is an in-sample set, the rest out of
        sample. Performance = per-period Sharpe ratio of the concatenated blocks.

    Returns
    -------
    PBOResult
        ``pbo`` = share of partitions where the in-sample best strategy's out-of-sample rank
        ``w = rank / (N + 1)`` (ties averaged) has ``logit(w) <= 0``.
    """
    mean, m2, per = block_stats(returns, n_blocks)
    return pbo_from_block_stats(mean, m2, per)
