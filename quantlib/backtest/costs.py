"""Trading costs as data: :class:`CostModel` and the pure ``stamp_duty_rate``.

Cost of one order of traded value ``v`` (CNY, at the slippage-adjusted fill price)::

    commission = max(commission_rate * v, min_commission_cny)     # every order, both sides
    transfer   = transfer_fee_rate * v                             # stocks only, both sides
    stamp      = stamp_duty_rate(fill_date) * v                    # stocks only, sell side only
    cost       = commission + transfer + stamp

Slippage moves the fill price against the trader: buys fill at ``price * (1 + slippage_bps/1e4)``,
sells at ``price * (1 - slippage_bps/1e4)`` (vectorbt's ``slippage`` convention).

The 5 CNY minimum commission only makes sense in money terms: it is applied only when
``run(..., init_cash=...)`` is given. Without ``init_cash`` the portfolio starts at 1.0 (unit
capital) and only the proportional parts apply.

Sources and choices
-------------------
* Commission 2.5 bps, 5 CNY minimum: a common retail online-brokerage rate (negotiable; the
  statutory cap is 0.3%). Sell-side reports often assume 2.5-3 bps; pass yours.
* Stamp duty (seller only since 2008-09-19): 0.1%, halved to 0.05% for trades from 2023-08-28
  (Ministry of Finance / State Taxation Administration announcement 2023 No. 39). The default
  schedule applies 0.1% to every earlier date; the pre-2008 history (0.3%/0.2%, both sides) is
  not modelled by default; pass ``stamp_duty_schedule`` to model it.
* Transfer fee 0.001% of traded value both sides (SSE and SZSE unified rate since 2022-04-29;
  it was higher before). Charged on stocks only.
* ETFs and indices pay no stamp duty and no transfer fee; commission applies to every asset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from quantlib.errors import QuantlibError

__all__ = ["DEFAULT_STAMP_DUTY_SCHEDULE", "CostModel", "CostModelError", "stamp_duty_rate"]

#: (first effective date, sell-side rate) pairs, sorted by date.
DEFAULT_STAMP_DUTY_SCHEDULE: tuple[tuple[str, float], ...] = (
    ("1900-01-01", 0.001),
    ("2023-08-28", 0.0005),
)


class CostModelError(QuantlibError, ValueError):
    """A cost parameter that is negative, not finite, or a malformed stamp-duty schedule."""


def stamp_duty_rate(
    dates: pd.DatetimeIndex | Sequence[object],
    schedule: Sequence[tuple[str, float]] = DEFAULT_STAMP_DUTY_SCHEDULE,
) -> np.ndarray:
    """Return the sell-side stamp duty rate in force on each date.

    Parameters
    ----------
    dates : DatetimeIndex or sequence of date-likes
        Trade (fill) dates.
    schedule : sequence of (date, rate)
        Sorted pairs; a rate applies from its date (inclusive) until the next one.
        Dates before the first entry get rate 0.

    Returns
    -------
    ndarray of float64, one rate per date.
    """
    idx = pd.DatetimeIndex(dates)
    starts = pd.DatetimeIndex([d for d, _ in schedule])
    rates = np.array([0.0] + [float(r) for _, r in schedule])
    pos = starts.searchsorted(idx, side="right")
    return rates[pos]


@dataclass(frozen=True, kw_only=True)
class CostModel:
    """Costs of A-share trading (see the module docstring for the formula and sources).

    Parameters
    ----------
    commission_rate : float
        Broker commission as a fraction of traded value, both sides. Default 0.00025.
    min_commission_cny : float
        Minimum commission per order in CNY; used only when ``init_cash`` is given. Default 5.
    transfer_fee_rate : float
        Transfer fee on stocks, both sides. Default 0.00001 (0.001%).
    slippage_bps : float
        Adverse price move per fill in basis points. Default 0.
    stamp_duty_schedule : tuple of (date, rate)
        Sell-side stamp duty on stocks by date. Default 0.1%, 0.05% from 2023-08-28.
    """

    commission_rate: float = 0.00025
    min_commission_cny: float = 5.0
    transfer_fee_rate: float = 0.00001
    slippage_bps: float = 0.0
    stamp_duty_schedule: tuple[tuple[str, float], ...] = DEFAULT_STAMP_DUTY_SCHEDULE

    def __post_init__(self) -> None:
        for name in ("commission_rate", "min_commission_cny", "transfer_fee_rate", "slippage_bps"):
            value = getattr(self, name)
            if not np.isfinite(value) or value < 0:
                raise CostModelError(
                    f"CostModel.{name}={value!r} must be finite and >= 0; pass e.g. "
                    f"{name}=0 to switch it off."
                )
        try:
            starts = pd.DatetimeIndex([d for d, _ in self.stamp_duty_schedule])
            rates = [float(r) for _, r in self.stamp_duty_schedule]
        except (TypeError, ValueError) as exc:
            raise CostModelError(
                "stamp_duty_schedule must be a tuple of (date, rate) pairs, e.g. "
                "(('1900-01-01', 0.001), ('2023-08-28', 0.0005))."
            ) from exc
        if not starts.is_monotonic_increasing or any(r < 0 or not np.isfinite(r) for r in rates):
            raise CostModelError(
                f"stamp_duty_schedule {self.stamp_duty_schedule!r} must be sorted by date "
                "with finite rates >= 0."
            )

    @classmethod
    def frictionless(cls) -> CostModel:
        """Return a model with no commission, fees, stamp duty or slippage."""
        return cls(commission_rate=0.0, min_commission_cny=0.0, transfer_fee_rate=0.0,
                   slippage_bps=0.0, stamp_duty_schedule=())

    @classmethod
    def percentage(cls, rate: float, *, slippage_bps: float = 0.0) -> CostModel:
        """Return a flat ``rate`` of traded value on both sides (vectorbt's ``fees=rate``)."""
        return cls(commission_rate=rate, min_commission_cny=0.0, transfer_fee_rate=0.0,
                   slippage_bps=slippage_bps, stamp_duty_schedule=())

    def stamp_duty_rate(self, dates: pd.DatetimeIndex | Sequence[object]) -> np.ndarray:
        """Return the sell-side stamp duty on each date under this model's schedule."""
        return stamp_duty_rate(dates, self.stamp_duty_schedule)

    def scaled(self, factor: float) -> CostModel:
        """Return a model with every rate and the minimum multiplied by ``factor``."""
        return CostModel(
            commission_rate=self.commission_rate * factor,
            min_commission_cny=self.min_commission_cny * factor,
            transfer_fee_rate=self.transfer_fee_rate * factor,
            slippage_bps=self.slippage_bps * factor,
            stamp_duty_schedule=tuple((d, r * factor) for d, r in self.stamp_duty_schedule),
        )

    def order_cost(self, value: float, *, sell: bool, stock: bool, date: object,
                   money: bool = True) -> float:
        """Return the cost in CNY of one order of traded ``value`` (scalar helper: docs, tests)."""
        minimum = self.min_commission_cny if money else 0.0
        cost = max(self.commission_rate * value, minimum)
        if stock:
            cost += self.transfer_fee_rate * value
            if sell:
                cost += float(self.stamp_duty_rate([date])[0]) * value
        return cost
