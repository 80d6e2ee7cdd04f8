"""Type aliases shared across quantlib: wide frames and NumPy arrays.

Shape contract: every frame is a ``DatetimeIndex`` (rows) x symbol (columns) table.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["Array1d", "Array2d", "Array3d", "Prices", "Returns", "Signal", "Weights"]

#: Prices, dates x assets (closes unless named otherwise), > 0, NaN = no price.
Prices: TypeAlias = pd.DataFrame
#: Simple returns, dates x assets or dates x strategies (a Series for one strategy).
Returns: TypeAlias = pd.Series | pd.DataFrame
#: Boolean or {0, 1} signal, dates x assets.
Signal: TypeAlias = pd.DataFrame
#: Target weights, rebalance dates x assets (or x (strategy, asset) MultiIndex columns).
Weights: TypeAlias = pd.DataFrame

Array1d: TypeAlias = npt.NDArray[np.float64]
Array2d: TypeAlias = npt.NDArray[np.float64]
Array3d: TypeAlias = npt.NDArray[np.float64]
