"""A-share rules: limit fractions by board and date, limit prices, tradability masks, lots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlib.backtest import AssetInfo, Rules
from quantlib.backtest.rules import limit_pct, limit_prices, lot_sizes, tradable_masks
from quantlib.errors import UnknownNameError

BOARDS = np.array(["main", "main", "chinext", "chinext", "star", "bse", "etf", "index"])
ST = np.array([False, True, False, True, False, False, False, False])


def test_limit_fraction_by_board_st_and_chinext_reform_date():
    dates = pd.DatetimeIndex(["2020-08-21", "2020-08-24"])
    pct = limit_pct(dates, BOARDS, ST)
    np.testing.assert_array_equal(pct[0], [0.1, 0.05, 0.1, 0.05, 0.2, 0.3, 0.1, np.inf])
    np.testing.assert_array_equal(pct[1], [0.1, 0.05, 0.2, 0.2, 0.2, 0.3, 0.1, np.inf])


def test_limit_prices_round_half_up_to_tick():
    prev = np.array([[10.05, 3.33, 1.234]])
    up, down = limit_prices(prev, np.array([[0.1, 0.05, 0.1]]), np.array([[0.01, 0.01, 0.001]]))
    np.testing.assert_allclose(up, [[11.06, 3.50, 1.357]])     # 11.055 -> 11.06 (half up)
    np.testing.assert_allclose(down, [[9.05, 3.16, 1.111]])    # 9.045 -> 9.05, 3.1635 -> 3.16


def test_masks_block_buy_at_limit_up_sell_at_limit_down_and_suspension():
    dates = pd.bdate_range("2024-01-02", periods=3)
    close = np.array([[10.0, 10.0], [11.0, 9.0], [11.5, 9.0]])
    prev = np.vstack([[np.nan, np.nan], close[:-1]])
    volume = np.array([[1.0, 1.0], [1.0, 1.0], [0.0, 1.0]])
    info = AssetInfo.from_frame(None, pd.Index(["a", "b"]))
    buy_ok, sell_ok = tradable_masks(close, prev, volume, dates, info, Rules())
    np.testing.assert_array_equal(buy_ok, [[True, True], [False, True], [False, True]])
    np.testing.assert_array_equal(sell_ok, [[True, True], [True, False], [False, True]])
    buy_ok, sell_ok = tradable_masks(close, prev, volume, dates, info,
                                     Rules(price_limits=False, suspension=False))
    assert buy_ok.all() and sell_ok.all()
    nan_close = close.copy()
    nan_close[1, 0] = np.nan
    buy_ok, _ = tradable_masks(nan_close, prev, None, dates, info, Rules.none())
    assert not buy_ok[1, 0]  # a missing price always blocks


def test_asset_info_defaults_and_lots():
    assets = pd.DataFrame({"kind": ["stock", "etf", "index"]}, index=["s", "e", "i"])
    info = AssetInfo.from_frame(assets, pd.Index(["s", "e", "i"]))
    assert list(info.board) == ["main", "etf", "index"]
    assert list(info.t_plus_one) == [True, True, False]
    np.testing.assert_array_equal(lot_sizes(info, Rules(), money=True), [100, 100, 0])
    np.testing.assert_array_equal(lot_sizes(info, Rules(), money=False), [0, 0, 0])


def test_unknown_board_and_missing_asset_rows():
    with pytest.raises(UnknownNameError, match="chinxt"):
        AssetInfo.from_frame(pd.DataFrame({"board": ["chinxt"]}, index=["a"]), pd.Index(["a"]))
    with pytest.raises(ValueError, match="no row"):
        AssetInfo.from_frame(pd.DataFrame({"board": ["main"]}, index=["a"]), pd.Index(["a", "b"]))
