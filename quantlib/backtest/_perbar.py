"""A per-bar run for thousands of strategies: the engine's arrays, derived series on demand.

:func:`run_perbar` takes the arguments of :func:`quantlib.backtest.run` and runs the same
kernel loop (``engine._strategy_1asset_nb`` / ``engine._strategy_nb``, in parallel over
strategies), storing only what the loop produces per bar: equity, costs, traded value and
shares, optionally as float32 (computed in float64, rounded when stored: half the memory,
about 7 significant digits). Returns, turnover, exposure and position weights are computed
when asked for (:class:`PerBarResult`), as arrays or frames; nothing is done per strategy in
Python. ``run`` builds every frame up front, which costs several times the simulation for
thousands of strategies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["PERBAR_DTYPES", "PERBAR_OUTPUTS", "PerBarResult", "run_perbar"]

#: Storage types of the per-bar arrays.
PERBAR_DTYPES = ("float64", "float32")
#: The per-bar arrays the kernel can keep (``equity`` always).
PERBAR_OUTPUTS = ("equity", "costs", "traded", "shares")


@dataclass(frozen=True, eq=False)
class PerBarResult:
    """The per-bar arrays of a :func:`run_perbar` call; derived series computed on access.

    Attributes
    ----------
    index : DatetimeIndex
        The bars (T).
    strategies : Index
        Strategy labels (S).
    assets : Index
        Asset columns (A).
    equity, costs, traded : ndarray (T, S)
        Portfolio value at each close, costs and traded value of the bar's fills (None when
        not kept: ``outputs=``). Column-major (Fortran order): each strategy's bars are
        contiguous, as the kernel writes them.
    shares : ndarray (T, S * A)
        Shares held at each close, strategy-major columns, column-major (None when not
        kept).
    init_cash : float
    """

    index: pd.DatetimeIndex
    strategies: pd.Index
    assets: pd.Index
    equity: np.ndarray
    costs: np.ndarray | None
    traded: np.ndarray | None
    shares: np.ndarray | None
    init_cash: float
    close_ff: np.ndarray

    def _per_prev(self, values: np.ndarray, minus: float = 0.0) -> np.ndarray:
        """``values[t] / equity[t - 1] - minus`` (``init_cash`` before the first bar)."""
        eq = self.equity
        if values.dtype == np.float64 and eq.dtype == np.float64:
            from quantlib.backtest._perbar_nb import per_prev_nb

            # one parallel pass per strategy column (NumPy's three passes over (T, S) cost a
            # third of the per-bar run); the same two roundings: divide, then subtract
            out = np.empty_like(values, order="F")
            per_prev_nb(values, eq, float(self.init_cash), float(minus), out)
            return out
        out = np.empty_like(values)
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(values[0], self.init_cash, out=out[0])
            np.divide(values[1:], eq[:-1], out=out[1:])
        if minus:
            out -= minus
        return out

    def _need(self, name: str) -> np.ndarray:
        values = getattr(self, name)
        if values is None:
            from quantlib.backtest import BacktestInputError

            raise BacktestInputError(f"this run did not keep {name!r}: pass outputs=(..., "
                                     f"{name!r}) to run_perbar.")
        return values

    def returns(self) -> np.ndarray:
        """(T, S) bar returns ``equity / previous equity - 1`` (as ``run(...).returns``)."""
        return self._per_prev(self.equity, 1.0)

    def turnover(self) -> np.ndarray:
        """(T, S) traded value over the previous equity (as ``run(...).turnover``)."""
        return self._per_prev(self._need("traded"))

    def exposure(self) -> np.ndarray:
        """(T, S) invested fraction ``1 - cash / equity`` (as ``run(...).exposure``)."""
        n_t, n_s = self.equity.shape
        close3 = np.nan_to_num(self.close_ff)[:, None, :]
        held = (self._need("shares").reshape(n_t, n_s, -1) * close3).sum(axis=2)
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1.0 - (self.equity - held) / self.equity

    def frame(self, name: str) -> pd.DataFrame:
        """One of ``equity``, ``returns``, ``turnover``, ``exposure``, ``costs`` as a (T, S)
        DataFrame."""
        values = getattr(self, name)
        values = values() if callable(values) else self._need(name)
        return pd.DataFrame(values, index=self.index, columns=self.strategies)

    def final_values(self) -> np.ndarray:
        """(S,) equity at the last close."""
        return self.equity[-1].astype(np.float64)


def run_perbar(prices: Any, weights: Any, *, dtype: str = "float64", fill: str = "next_close",
               costs: Any = None, rules: Any = None, init_cash: float | None = None,
               market: Any = None, strategies: Any = None, nan_rows: str = "error",
               cash_rate: float = 0.0,
               outputs: tuple[str, ...] = PERBAR_OUTPUTS) -> PerBarResult:
    """Backtest like :func:`quantlib.backtest.run` and keep the per-bar arrays only.

    Same arguments and numbers as ``run`` (tested: equity, returns, turnover, exposure equal
    to ``run``'s in float64), without trade records or up-front frames. ``dtype="float32"``
    stores the per-bar arrays in single precision (half the memory; equity to about 1e-7
    relative). ``outputs`` names the per-bar arrays to keep (``equity`` always; e.g.
    ``("equity",)`` for returns and equity only: a quarter of the memory and of the writes);
    the others are not stored and their series raise when asked for.

    Raises
    ------
    BacktestInputError
        A ``dtype`` other than float64 / float32, or any input ``run`` refuses.
    """
    from quantlib import backtest as bt
    from quantlib.backtest._perbar_nb import perbar_nb

    if dtype not in PERBAR_DTYPES:
        raise bt.BacktestInputError(f"dtype={dtype!r}: choose one of {', '.join(PERBAR_DTYPES)}"
                                    " (float32 halves the memory of the per-bar arrays).")
    p = bt._prepare(prices, weights, fill, costs, rules, init_cash, market, strategies,
                    nan_rows, cash_rate)
    n_t, n_a = p.close_ff.shape
    n_s = p.n_strats
    bad = sorted(set(outputs) - set(PERBAR_OUTPUTS))
    if bad:
        raise bt.BacktestInputError(f"outputs={bad}: choose among {', '.join(PERBAR_OUTPUTS)}.")

    def array(name: str, n_cols: int) -> np.ndarray:
        if name == "equity" or name in outputs:
            # column-major: the kernel runs one strategy at a time down its bars, so each
            # thread writes one contiguous column (row-major, every bar's write was a new
            # cache line: the per-bar kernel took twice as long)
            return np.empty((n_t, n_cols), dtype=dtype, order="F")
        # not kept: every bar of a strategy writes the same cell of its own column
        sink = np.empty(n_cols, dtype=dtype)
        return np.lib.stride_tricks.as_strided(sink, shape=(n_t, n_cols),
                                               strides=(0, sink.itemsize))

    eq = array("equity", n_s)
    cost = array("costs", n_s)
    traded = array("traded", n_s)
    pos = array("shares", n_s * n_a)
    perbar_nb(*p.kernel_args(), eq, cost, traded, pos)  # type: ignore[call-arg]  # numba dispatcher
    labels = p.strat if p.strat is not None else pd.Index(["strategy"])
    kept = {name: (arr if name in outputs else None)
            for name, arr in (("costs", cost), ("traded", traded), ("shares", pos))}
    return PerBarResult(index=p.prices.index, strategies=labels,
                        assets=p.prices.columns, equity=eq, init_cash=p.init_cash,
                        close_ff=p.close_ff, **kept)
