"""The numba kernels' scalar parameters as one typed record (no numba import here).

All fields are float64 so numba types the record as a homogeneous named tuple
(``types.NamedUniTuple(float64, 7, KernelParams)``) and kernels read the fields by name.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["KernelParams"]


class KernelParams(NamedTuple):
    """Scalar inputs of the simulation kernels (``quantlib.backtest.engine``)."""

    init_cash: float          #: starting cash, or 1.0 for a run in fractions of capital
    commission_rate: float    #: commission, fraction of traded value
    min_commission: float     #: minimum commission per order in CNY (0.0 without init_cash)
    slippage: float           #: slippage, fraction of the fill price
    min_order_shares: float   #: orders for fewer shares are skipped (vectorbt's min_size)
    single_asset_ok: float    #: 1.0 allows the single-asset fast path, 0.0 forces the general
    cash_rate_per_bar: float  #: interest per bar on cash (0.0: cash earns nothing)
