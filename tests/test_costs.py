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


# Hand-computed costs of a 100,000 CNY stock order, commission 2.5 bps (25 CNY), on the
# trading days either side of each dated change (docs/backtest.md cites the sources).
# Shanghai per-share transfer fee before 2015-08-01 at a 10 CNY price: 10,000 shares.
@pytest.mark.parametrize(("date", "sell", "exchange", "expected"), [
    # stamp duty both sides 0.1% (2005-01-24 .. 2007-05-29) -> 0.3% from 2007-05-30
    ("2007-05-29", False, "SZ", 25.0 + 100.0),
    ("2007-05-30", False, "SZ", 25.0 + 300.0),
    ("2007-05-30", True, "SZ", 25.0 + 300.0),
    # 0.3% -> 0.1% both sides from 2008-04-24
    ("2008-04-23", True, "SZ", 25.0 + 300.0),
    ("2008-04-24", False, "SZ", 25.0 + 100.0),
    # buyers stop paying from 2008-09-19; sellers keep 0.1%
    ("2008-09-18", False, "SZ", 25.0 + 100.0),
    ("2008-09-19", False, "SZ", 25.0),
    ("2008-09-19", True, "SZ", 25.0 + 100.0),
    # Shanghai transfer fee 1 CNY / 1000 shares -> 0.6 CNY from 2012-09-01 (10,000 shares)
    ("2012-08-31", False, "SH", 25.0 + 10.0),
    ("2012-09-03", False, "SH", 25.0 + 6.0),
    # both exchanges 0.002% of value from 2015-08-01 (2 CNY); Shenzhen none before
    ("2015-07-31", False, "SZ", 25.0),
    ("2015-07-31", False, "SH", 25.0 + 6.0),
    ("2015-08-03", False, "SZ", 25.0 + 2.0),
    ("2015-08-03", False, "SH", 25.0 + 2.0),
    # 0.001% from 2022-04-29
    ("2022-04-28", True, "SH", 25.0 + 2.0 + 100.0),
    ("2022-04-29", True, "SH", 25.0 + 1.0 + 100.0),
    # seller's duty 0.05% from 2023-08-28
    ("2023-08-25", True, "SZ", 25.0 + 1.0 + 100.0),
    ("2023-08-28", True, "SZ", 25.0 + 1.0 + 50.0),
    # 1990s: 0.5% from 1997-05-12, 0.4% from 1998-06-12, 0.2% from 2001-11-16 (both sides)
    ("1997-05-09", True, "SZ", 25.0 + 300.0),
    ("1997-05-12", False, "SZ", 25.0 + 500.0),
    ("1998-06-12", True, "SZ", 25.0 + 400.0),
    ("2001-11-16", False, "SZ", 25.0 + 200.0),
    ("2005-01-24", True, "SZ", 25.0 + 100.0),
])
def test_stock_costs_either_side_of_each_change(date, sell, exchange, expected):
    got = CostModel().order_cost(100_000.0, sell=sell, stock=True, date=date,
                                 exchange=exchange, price=10.0)
    assert got == pytest.approx(expected, rel=1e-12)


def test_etf_and_index_pay_commission_only_on_any_date():
    for date in ("2007-06-01", "2012-08-31", "2024-01-02"):
        assert CostModel().order_cost(100_000.0, sell=True, stock=False,
                                      date=date) == pytest.approx(25.0)


def test_engine_charges_the_dated_costs_per_kind():
    # 100,000 CNY each of one SH stock, one ETF and one index at 10 CNY, bought on 2008-09-18
    # (weights decided 09-17) and sold on 2008-09-19. Stock buy: commission 25 + buyer's stamp
    # 0.1% = 100 + SH transfer 10,000 shares x 0.001 = 10 -> 135. Sell: 25 + 100 + 10 = 135
    # (sellers still pay on 09-19, buyers no longer). ETF and index: commission 25 each side.
    import quantlib.backtest as bt

    idx = pd.DatetimeIndex(["2008-09-17", "2008-09-18", "2008-09-19"])
    close = pd.DataFrame(10.0, idx, ["sh.600000", "510050", "000300"])
    assets = pd.DataFrame({"kind": ["stock", "etf", "index"]}, index=close.columns)
    weights = pd.DataFrame([[0.1, 0.1, 0.1], [0.0, 0.0, 0.0]], idx[:2], close.columns)
    res = bt.run(close, weights, init_cash=1_000_000.0, market=bt.Market(assets=assets),
                 record_trades=True)
    costs = res.trades.set_index(["asset", "side"])["cost"]
    assert costs[("sh.600000", "buy")] == pytest.approx(135.0)
    assert costs[("sh.600000", "sell")] == pytest.approx(135.0)
    for code in ("510050", "000300"):
        assert costs[(code, "buy")] == pytest.approx(25.0)
        assert costs[(code, "sell")] == pytest.approx(25.0)
