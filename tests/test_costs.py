"""CostModel: stamp duty schedule, scalar order costs, frictionless/percentage presets, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlib.backtest import CostModel, CostModelError, stamp_duty_rate


def test_stamp_duty_halves_on_2023_08_28():
    dates = pd.DatetimeIndex(["2008-09-19", "2023-08-25", "2023-08-28", "2024-12-12"])
    np.testing.assert_array_equal(stamp_duty_rate(dates), [0.001, 0.001, 0.0005, 0.0005])
    np.testing.assert_array_equal(CostModel.frictionless().stamp_duty_rate(dates), 0.0)


def test_custom_schedule_and_dates_before_it():
    sched = (("2008-04-24", 0.001), ("2023-08-28", 0.0005))
    got = stamp_duty_rate(pd.DatetimeIndex(["2007-01-04", "2010-01-04"]), sched)
    np.testing.assert_array_equal(got, [0.0, 0.001])


@pytest.mark.parametrize("value, sell, stock, date, expected", [
    (100_000.0, False, True, "2024-01-02", 25.0 + 1.0),            # 2.5bp + transfer 0.1bp
    (10_000.0, False, True, "2024-01-02", 5.0 + 0.1),              # 5 CNY minimum binds
    (100_000.0, True, True, "2023-08-25", 25.0 + 1.0 + 100.0),     # stamp 0.1%
    (100_000.0, True, True, "2023-08-28", 25.0 + 1.0 + 50.0),      # stamp 0.05%
    (100_000.0, True, False, "2023-08-25", 25.0),                  # ETF: no stamp, no transfer
])
def test_order_cost_by_hand(value, sell, stock, date, expected):
    cost = CostModel().order_cost(value, sell=sell, stock=stock, date=date)
    assert cost == pytest.approx(expected)


def test_minimum_only_in_money_terms_and_presets():
    assert CostModel().order_cost(0.5, sell=False, stock=False, date="2024-01-02",
                                  money=False) == pytest.approx(0.5 * 0.00025)
    pct = CostModel.percentage(0.001)
    assert pct.order_cost(1000.0, sell=True, stock=True, date="2020-01-02") == pytest.approx(1.0)
    free = CostModel.frictionless()
    assert free.order_cost(1e6, sell=True, stock=True, date="2020-01-02") == 0.0
    doubled = CostModel().scaled(2.0)
    assert doubled.commission_rate == 0.0005 and doubled.min_commission_cny == 10.0


@pytest.mark.parametrize("kwargs", [
    {"commission_rate": -0.001}, {"min_commission_cny": float("nan")},
    {"slippage_bps": float("inf")}, {"stamp_duty_schedule": (("2023-08-28", 0.0005),
                                                             ("2008-01-01", 0.001))},
    {"stamp_duty_schedule": (("not a date", 0.001),)},
])
def test_bad_cost_parameters_raise(kwargs):
    with pytest.raises(CostModelError):
        CostModel(**kwargs)
