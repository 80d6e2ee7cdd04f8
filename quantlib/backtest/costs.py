"""Trading costs as data: :class:`CostModel` and the pure ``stamp_duty_rate``.

Cost of one order of traded value ``v`` (CNY, at the slippage-adjusted fill price)::

    commission = max(commission_rate * v, min_commission_cny)     # every order, both sides
    transfer   = transfer_fee(fill_date, exchange, price) * v      # stocks only, both sides
    stamp      = stamp_duty_rate(fill_date, side) * v              # stocks only
    cost       = commission + transfer + stamp

Slippage moves the fill price against the trader: buys fill at ``price * (1 + slippage_bps/1e4)``,
sells at ``price * (1 - slippage_bps/1e4)`` (vectorbt's ``slippage`` convention).

The 5 CNY minimum commission only makes sense in money terms: it is applied only when
``run(..., init_cash=...)`` is given. Without ``init_cash`` the portfolio starts at 1.0 (unit
capital) and only the proportional parts apply.

Sources and choices (details and citations: ``docs/backtest.md``)
-----------------------------------------------------------------
* Commission 2.5 bps, 5 CNY minimum: a common retail online-brokerage rate (negotiable; the
  statutory cap is 0.3%). Sell-side reports often assume 2.5-3 bps; pass yours.
* Stamp duty by trade date (:data:`STAMP_DUTY_SELL` / :data:`STAMP_DUTY_BUY`): both sides
  until 2008-09-18 (0.3% each side 2007-05-30 .. 2008-04-23, 0.1% each side 2008-04-24 ..
  2008-09-18), seller only from 2008-09-19 (0.1%), 0.05% from 2023-08-28.
* Transfer fee (过户费) on stocks by date and exchange (``transfer_fee_rate=None``, default):
  Shanghai 1 CNY per 1000 shares before 2012-09-01 and 0.6 CNY per 1000 shares from then
  (charged per share; converted to a rate of the fill price; the 1 CNY minimum is not
  modelled), Shenzhen none, until 2015-07-31; 0.002% of traded value on both exchanges from
  2015-08-01; 0.001% from 2022-04-29. A number instead of None charges that flat rate on
  every date.
* ETFs and indices pay no stamp duty and no transfer fee; commission applies to every asset
  (an index run stands for a cheap index fund or future: pass ``CostModel.percentage`` or
  ``frictionless()`` to say which).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from quantlib.errors import QuantlibError

__all__ = ["DEFAULT_STAMP_DUTY_SCHEDULE", "STAMP_DUTY_BUY", "STAMP_DUTY_SELL", "CostModel",
           "CostModelError", "stamp_duty_rate", "transfer_fee_rates"]

#: Seller's stamp duty: (first effective date, rate) pairs, sorted by date (docs/backtest.md
#: cites each change). 1990-06-28 Shenzhen 0.6% (Shanghai from 1991-10-10 at 0.3%: the
#: schedule uses the Shenzhen dates, one table for both exchanges).
STAMP_DUTY_SELL: tuple[tuple[str, float], ...] = (
    ("1990-06-28", 0.006),
    ("1991-10-10", 0.003),
    ("1997-05-12", 0.005),
    ("1998-06-12", 0.004),
    ("2001-11-16", 0.002),
    ("2005-01-24", 0.001),
    ("2007-05-30", 0.003),
    ("2008-04-24", 0.001),
    ("2023-08-28", 0.0005),
)
#: Buyer's stamp duty (both sides were taxed until 2008-09-18).
STAMP_DUTY_BUY: tuple[tuple[str, float], ...] = (
    ("1990-11-23", 0.006),
    ("1991-10-10", 0.003),
    ("1997-05-12", 0.005),
    ("1998-06-12", 0.004),
    ("2001-11-16", 0.002),
    ("2005-01-24", 0.001),
    ("2007-05-30", 0.003),
    ("2008-04-24", 0.001),
    ("2008-09-19", 0.0),
)
#: Kept for callers of the old name: the seller's schedule.
DEFAULT_STAMP_DUTY_SCHEDULE = STAMP_DUTY_SELL

#: Transfer fee by value on both exchanges (from 2015-08-01), and per share in Shanghai before.
TRANSFER_VALUE_SCHEDULE: tuple[tuple[str, float], ...] = (
    ("2015-08-01", 0.00002),
    ("2022-04-29", 0.00001),
)
SH_TRANSFER_PER_SHARE: tuple[tuple[str, float], ...] = (
    ("1900-01-01", 0.001),
    ("2012-09-01", 0.0006),
    ("2015-08-01", 0.0),
)


class CostModelError(QuantlibError, ValueError):
    """A cost parameter that is negative, not finite, or a malformed stamp-duty schedule."""


def stamp_duty_rate(
    dates: pd.DatetimeIndex | Sequence[object],
    schedule: Sequence[tuple[str, float]] = DEFAULT_STAMP_DUTY_SCHEDULE,
) -> np.ndarray:
    """Return the stamp duty rate of a schedule in force on each date.

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


def transfer_fee_rates(dates: pd.DatetimeIndex, exchange: np.ndarray, price: np.ndarray,
                       rate: float | None = None) -> np.ndarray:
    """Return the transfer fee as a fraction of traded value per (date, asset).

    Parameters
    ----------
    dates : DatetimeIndex, length T (fill dates)
    exchange : ndarray of str, length A (``"SH"``, ``"SZ"``, ``"BJ"``, ``""`` unknown)
    price : (T, A) raw fill prices (the Shanghai per-share fee before 2015-08-01 becomes
        ``fee_per_share / price``)
    rate : float, optional
        A flat rate for every date and exchange instead of the history.

    Raises
    ------
    CostModelError
        A date before 2015-08-01 for an asset whose exchange is unknown (the history differs
        between Shanghai and Shenzhen then).
    """
    n_t, n_a = len(dates), len(exchange)
    if rate is not None:
        return np.full((n_t, n_a), float(rate))
    by_value = stamp_duty_rate(dates, TRANSFER_VALUE_SCHEDULE)[:, None]
    per_share = stamp_duty_rate(dates, SH_TRANSFER_PER_SHARE)[:, None]
    sh = (exchange == "SH")[None, :]
    unknown = (exchange == "")[None, :] & (per_share > 0)
    if unknown.any():
        a = int(np.argwhere(unknown)[0][1])
        raise CostModelError(
            f"transfer fee before 2015-08-01 depends on the exchange, unknown for asset #{a}: "
            "add an 'exchange' column (SH/SZ) to Market(assets=...) or pass "
            "CostModel(transfer_fee_rate=<flat rate>).")
    with np.errstate(invalid="ignore", divide="ignore"):
        sh_fee = np.where(sh & (per_share > 0), per_share / price, 0.0)
    return np.nan_to_num(by_value + sh_fee, nan=0.0, posinf=0.0)


@dataclass(frozen=True, kw_only=True)
class CostModel:
    """Costs of A-share trading (see the module docstring for the formula and sources).

    Parameters
    ----------
    commission_rate : float
        Broker commission as a fraction of traded value, both sides. Default 0.00025.
    min_commission_cny : float
        Minimum commission per order in CNY; used only when ``init_cash`` is given. Default 5.
    transfer_fee_rate : float or None
        Transfer fee on stocks, both sides, as a flat fraction of value; None (default): the
        history by date and exchange (:func:`transfer_fee_rates`).
    slippage_bps : float
        Adverse price move per fill in basis points. Default 0.
    stamp_duty_schedule : tuple of (date, rate)
        Seller's stamp duty on stocks by date. Default :data:`STAMP_DUTY_SELL`.
    stamp_duty_buy_schedule : tuple of (date, rate)
        Buyer's stamp duty on stocks by date (until 2008-09-18). Default
        :data:`STAMP_DUTY_BUY`.
    """

    commission_rate: float = 0.00025
    min_commission_cny: float = 5.0
    transfer_fee_rate: float | None = None
    slippage_bps: float = 0.0
    stamp_duty_schedule: tuple[tuple[str, float], ...] = STAMP_DUTY_SELL
    stamp_duty_buy_schedule: tuple[tuple[str, float], ...] = STAMP_DUTY_BUY

    def __post_init__(self) -> None:
        for name in ("commission_rate", "min_commission_cny", "transfer_fee_rate",
                     "slippage_bps"):
            value = getattr(self, name)
            if value is None and name == "transfer_fee_rate":
                continue
            if (isinstance(value, bool) or not isinstance(value, int | float | np.floating)
                    or not np.isfinite(value) or value < 0):
                raise CostModelError(
                    f"CostModel.{name}={value!r} must be finite and >= 0; pass e.g. "
                    f"{name}=0 to switch it off."
                )
        for name in ("stamp_duty_schedule", "stamp_duty_buy_schedule"):
            schedule = getattr(self, name)
            try:
                starts = pd.DatetimeIndex([d for d, _ in schedule])
                rates = [float(r) for _, r in schedule]
                # JSON round trips (manifests) give lists: keep the model hashable
                object.__setattr__(self, name, tuple((str(d), float(r)) for d, r in schedule))
            except (TypeError, ValueError) as exc:
                raise CostModelError(
                    f"{name} must be a tuple of (date, rate) pairs, e.g. "
                    "(('2008-09-19', 0.001), ('2023-08-28', 0.0005))."
                ) from exc
            if not starts.is_monotonic_increasing or any(r < 0 or not np.isfinite(r)
                                                         for r in rates):
                raise CostModelError(
                    f"{name} {schedule!r} must be sorted by date with finite rates >= 0."
                )

    @classmethod
    def frictionless(cls) -> CostModel:
        """Return a model with no commission, fees, stamp duty or slippage."""
        return cls(commission_rate=0.0, min_commission_cny=0.0, transfer_fee_rate=0.0,
                   slippage_bps=0.0, stamp_duty_schedule=(), stamp_duty_buy_schedule=())

    @classmethod
    def percentage(cls, rate: float, *, slippage_bps: float = 0.0) -> CostModel:
        """Return a flat ``rate`` of traded value on both sides (vectorbt's ``fees=rate``)."""
        return cls(commission_rate=rate, min_commission_cny=0.0, transfer_fee_rate=0.0,
                   slippage_bps=slippage_bps, stamp_duty_schedule=(),
                   stamp_duty_buy_schedule=())

    def stamp_duty_rate(self, dates: pd.DatetimeIndex | Sequence[object], *,
                        sell: bool = True) -> np.ndarray:
        """Return the seller's (or buyer's) stamp duty on each date under this model."""
        return stamp_duty_rate(dates, self.stamp_duty_schedule if sell
                               else self.stamp_duty_buy_schedule)

    def transfer_fee_rates(self, dates: pd.DatetimeIndex, exchange: np.ndarray,
                           price: np.ndarray) -> np.ndarray:
        """Return the transfer fee fraction per (date, asset) under this model."""
        return transfer_fee_rates(dates, exchange, price, self.transfer_fee_rate)

    def scaled(self, factor: float) -> CostModel:
        """Return a model with every rate and the minimum multiplied by ``factor``.

        The transfer-fee history (``transfer_fee_rate=None``) cannot be scaled by a number
        without a price; it is replaced by its current rate (0.001%) times ``factor``.
        """
        transfer = (TRANSFER_VALUE_SCHEDULE[-1][1] if self.transfer_fee_rate is None
                    else self.transfer_fee_rate)
        return CostModel(
            commission_rate=self.commission_rate * factor,
            min_commission_cny=self.min_commission_cny * factor,
            transfer_fee_rate=transfer * factor,
            slippage_bps=self.slippage_bps * factor,
            stamp_duty_schedule=tuple((d, r * factor) for d, r in self.stamp_duty_schedule),
            stamp_duty_buy_schedule=tuple((d, r * factor)
                                          for d, r in self.stamp_duty_buy_schedule),
        )

    def order_cost(self, value: float, *, sell: bool, stock: bool, date: object,
                   money: bool = True, exchange: str = "SH", price: float = 10.0) -> float:
        """Return the cost in CNY of one order of traded ``value`` (scalar helper: docs, tests).

        ``exchange`` and ``price`` matter only for the Shanghai per-share transfer fee before
        2015-08-01.
        """
        minimum = self.min_commission_cny if money else 0.0
        cost = max(self.commission_rate * value, minimum)
        if stock:
            when = pd.DatetimeIndex([date])
            cost += float(self.transfer_fee_rates(when, np.array([exchange], dtype=object),
                                                  np.array([[price]]))[0, 0]) * value
            cost += float(self.stamp_duty_rate(when, sell=sell)[0]) * value
        return cost
