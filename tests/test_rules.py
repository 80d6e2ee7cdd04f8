"""A-share rules: limit fractions by board and date, limit prices, tradability masks, lots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlib.backtest import AssetInfo, Rules
from quantlib.backtest.rules import (
    AssetKindError,
    board_of_code,
    limit_bands,
    limit_prices,
    lot_sizes,
    tradable_masks,
)
from quantlib.errors import UnknownNameError

BOARDS = ["main", "main", "chinext", "chinext", "star", "bse", "etf", "index"]
ST = [False, True, False, True, False, False, False, False]


def info_of(boards, st=None, list_date=None):
    kinds = ["etf" if b == "etf" else "index" if b == "index" else "stock" for b in boards]
    cols = pd.Index([f"c{i}" for i in range(len(boards))])
    frame = pd.DataFrame({"kind": kinds, "board": boards,
                          "st": st if st is not None else [False] * len(boards)}, index=cols)
    if list_date is not None:
        frame["list_date"] = pd.to_datetime(list_date)
    return AssetInfo.from_frame(frame, cols)


def test_limit_band_by_board_st_and_reform_dates():
    dates = pd.DatetimeIndex(["1996-12-13", "2020-08-21", "2020-08-24", "2026-07-03",
                              "2026-07-06"])
    up, down = limit_bands(dates, info_of(BOARDS, ST))
    inf = np.inf
    np.testing.assert_array_equal(up[0], [inf] * 8)  # no limits before 1996-12-16
    np.testing.assert_array_equal(up[1], [0.1, 0.05, 0.1, 0.05, 0.2, 0.3, 0.1, inf])
    np.testing.assert_array_equal(up[2], [0.1, 0.05, 0.2, 0.2, 0.2, 0.3, 0.1, inf])
    np.testing.assert_array_equal(up[3], [0.1, 0.05, 0.2, 0.2, 0.2, 0.3, 0.1, inf])
    np.testing.assert_array_equal(up[4], [0.1, 0.10, 0.2, 0.2, 0.2, 0.3, 0.1, inf])  # ST 10%
    np.testing.assert_array_equal(up, down)


def test_ipo_days_by_board_and_date():
    # listing day = dates[0]; STAR and post-reform ChiNext/main: 5 free days; main 2019: +44/-36
    dates = pd.bdate_range("2023-04-10", periods=7)
    boards = ["star", "chinext", "main", "main"]
    listed = ["2023-04-10", "2023-04-10", "2023-04-10", "2030-01-01"]
    up, down = limit_bands(dates, info_of(boards, list_date=listed))
    assert np.isinf(up[:5, :3]).all() and np.isinf(down[:5, :3]).all()
    np.testing.assert_array_equal(up[5], [0.2, 0.2, 0.1, 0.1])
    old = pd.bdate_range("2019-04-01", periods=3)
    up, down = limit_bands(old, info_of(["main", "chinext"], list_date=["2019-04-01"] * 2))
    np.testing.assert_array_equal(up[0], [0.44, 0.44])
    np.testing.assert_array_equal(down[0], [0.36, 0.36])
    np.testing.assert_array_equal(up[1], [0.1, 0.1])


def test_limit_prices_round_half_up_to_tick():
    prev = np.array([[10.05, 3.33, 1.234, 0.35]])
    pct = np.array([[0.1, 0.05, 0.1, 0.1]])
    up, down = limit_prices(prev, pct, pct, np.array([[0.01, 0.01, 0.001, 0.01]]))
    np.testing.assert_allclose(up, [[11.06, 3.50, 1.357, 0.39]])   # 11.055 -> 11.06 (half up)
    np.testing.assert_allclose(down, [[9.05, 3.16, 1.111, 0.32]])  # 9.045 -> 9.05, 0.315->0.32


def test_masks_block_buy_at_limit_up_sell_at_limit_down_and_suspension():
    dates = pd.bdate_range("2024-01-02", periods=3)
    close = np.array([[10.0, 10.0], [11.0, 9.0], [11.5, 9.0]])
    prev = np.vstack([[np.nan, np.nan], close[:-1]])
    volume = np.array([[1.0, 1.0], [1.0, 1.0], [0.0, 1.0]])
    info = info_of(["main", "main"])
    buy_ok, sell_ok = tradable_masks(close, prev, dates, info, Rules(), volume=volume)
    np.testing.assert_array_equal(buy_ok, [[True, True], [False, True], [False, True]])
    np.testing.assert_array_equal(sell_ok, [[True, True], [True, False], [False, True]])
    status = np.array([[1.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    buy_ok, _ = tradable_masks(close, prev, dates, info, Rules(), tradestatus=status)
    np.testing.assert_array_equal(buy_ok, [[True, True], [False, False], [True, True]])
    buy_ok, sell_ok = tradable_masks(close, prev, dates, info,
                                     Rules(price_limits=False, suspension=False), volume=volume)
    assert buy_ok.all() and sell_ok.all()
    nan_close = close.copy()
    nan_close[1, 0] = np.nan
    buy_ok, _ = tradable_masks(nan_close, prev, dates, info, Rules.none())
    assert not buy_ok[1, 0]  # a missing price always blocks


def test_adjusted_prices_ratio_test_blocks_a_real_limit_a_fixed_tick_would_miss():
    # raw 0.35 -> limit-up 0.39 (+11.43%); forward-adjusted by 0.1 the same day reads
    # 0.035 -> 0.039. Tick rounding at 0.01 on adjusted prices: limit 0.04 > 0.039, a fill.
    dates = pd.bdate_range("2024-01-02", periods=2)
    adj = np.array([[0.035], [0.039]])
    prev = np.vstack([[np.nan], adj[:-1]])
    info = info_of(["main"])
    wrong, _ = tradable_masks(adj, prev, dates, info, Rules())
    assert wrong[1, 0]  # the tick test on adjusted prices would let the buy fill
    right, _ = tradable_masks(adj, prev, dates, info, Rules(), adjusted=True)
    assert not right[1, 0]


def test_asset_info_kinds_boards_from_codes_and_lots():
    cols = pd.Index(["sh.600000", "688981.SH", "300750", "510300", "000300"])
    assets = pd.DataFrame({"kind": ["stock", "stock", "stock", "etf", "index"]}, index=cols)
    info = AssetInfo.from_frame(assets, cols)
    assert list(info.board) == ["main", "star", "chinext", "etf", "index"]
    assert list(info.exchange) == ["SH", "SH", "SZ", "SH", "SZ"]
    np.testing.assert_array_equal(lot_sizes(info, Rules(), money=True), [100] * 4 + [0])
    np.testing.assert_array_equal(lot_sizes(info, Rules(), money=False), [0] * 5)
    assert board_of_code("bj.830799") == "bse" and board_of_code("510300") is None


def test_unknown_kind_board_and_missing_asset_rows_are_errors():
    with pytest.raises(AssetKindError, match="Market\\(kind='index'\\)"):
        AssetInfo.from_frame(None, pd.Index(["a"]))
    with pytest.raises(ValueError, match="board unknown"):
        AssetInfo.from_frame(None, pd.Index(["a"]), kind="stock")
    with pytest.raises(UnknownNameError, match="chinxt"):
        AssetInfo.from_frame(pd.DataFrame({"kind": "stock", "board": ["chinxt"]}, index=["a"]),
                             pd.Index(["a"]))
    with pytest.raises(ValueError, match="no row"):
        AssetInfo.from_frame(pd.DataFrame({"board": ["main"]}, index=["a"]), pd.Index(["a", "b"]))
    with pytest.raises(ValueError, match="kind and board disagree"):
        AssetInfo.from_frame(pd.DataFrame({"kind": ["index"], "board": ["main"]}, index=["a"]),
                             pd.Index(["a"]))
