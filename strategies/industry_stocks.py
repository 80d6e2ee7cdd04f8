"""Stock-level industry rotation: the industry-rotation picks, held as CSI 300 stocks.

Each week, at the close of its last trading day, take the industries the ``industry_rotation``
strategy picks (its ``model`` and ``k``, on the Shenwan L1 indices) and hold, in each picked
industry, the ``n`` CSI 300 members with the largest average traded amount (CNY) over the last
``liquidity_days`` sessions: ``1/k`` per industry, split equally among its members (an industry
without a member leaves its ``1/k`` in cash). The engine trades the raw stock prices at the next
close with 1,000,000 CNY, whole 100-share lots, A-share costs, price limits from ``preclose``
and suspensions; the benchmark is the CSI 300 index.

Data caveats (also on the tearsheet):

* CSI 300 membership by date from the qlib periods (semiannual review windows).
* Stock -> SW L1 industry from ONE snapshot (JoinQuant, ~2022) applied to every date:
  look-ahead (a stock's industry as of ~2022 is used in 2020) and stocks listed or
  reclassified after it are never picked.
* The bundled bars cover the CSI 300 members of ~end 2024 (2020-01-02 .. 2025-04-07): a stock
  that was a member in 2020 but left the index before 2025 has no bars and is skipped
  (survivorship); the skipped member count per week is in ``coverage``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from quantlib.strategies.industry_rotation import IndustryRotation

from quantlib.backtest.costs import CostModel
from quantlib.strategy import Benchmark, Input, Param, Strategy, StrategyData

#: The bundled source folder of the CSI 300 bar set (``stock_info().source``).
CSI300_SOURCE = "wywzxxz_hs300_baostock_raw"
CSI300 = Benchmark("CSI 300 (000300)", "index", input="benchmark", name_zh="沪深300 (000300)")


class IndustryStocks(Strategy):
    name = "industry_stocks"
    title = "Industry rotation in CSI 300 stocks (行业轮动 · 沪深300成分股)"
    title_zh = "行业轮动 · 沪深300成分股"
    summary_zh = "个股层面的行业轮动：把行业轮动策略选出的行业，换成持有其中的沪深300成分股。"
    params = {
        # the industry picks are IndustryRotation's: the same declarations
        "model": IndustryRotation.params["model"],
        "k": IndustryRotation.params["k"],
        "n": Param(3, low=1, high=50, help="stocks per industry", help_zh="每个行业持有的股票数"),
        "liquidity_days": Param(20, low=1, high=250,
                                help="sessions of traded amount that rank the members",
                                help_zh="按多少个交易日的成交额给成分股排序"),
    }
    inputs = {
        "close": Input("stocks", "close"),
        "amount": Input("stocks", "amount_cny"),
        "sw_close": Input("sw_l1", "close"),
        "pe_ttm": Input("sw_l1_pe_ttm", "pe_ttm"),
        "market": Input("wind_all_a", "close"),
        "benchmark": Input("hs300", "close"),
    }
    trade = "close"
    asset_kind = "stock"
    benchmark = CSI300
    costs = CostModel()  # stock costs: commission, 5 CNY minimum, stamp duty, transfer fee
    init_cash = 1_000_000.0
    cash_rate = 0.0
    notes = ("Stocks: unadjusted baostock bars; fills, lots and limits on raw prices, "
             "dividends via the preclose-derived adjustment factor.",
             "CSI 300 membership by date (qlib periods); SW L1 industry of a stock from one "
             "JoinQuant snapshot (~2022) for every date: look-ahead and survivorship.",
             "Universe: the CSI 300 members of ~end 2024 that have bars (2020-01-02 .. "
             "2025-04-07); earlier members that later left the index are absent.",
             "Members ranked by average traded amount (CNY), a size/liquidity proxy: the data "
             "has no market capitalisation.",
             "Benchmark: CSI 300 price index (dividends not included).")
    notes_zh = ("股票：baostock 不复权行情；成交、整手和涨跌停都按原始价格，分红通过由前收盘价推出"
                "的复权因子计入。",
                "沪深300成分按日期取自 qlib 的区间数据；个股的申万一级行业取自一次聚宽快照（约"
                "2022年）并用于所有日期：有前视偏差和幸存者偏差。",
                "股票池：约2024年底的沪深300成分股中有行情的股票（2020年1月2日至2025年4月7日）；"
                "之前是成分股、后来调出的股票不在其中。",
                "成分股按平均成交额（元）排序，作为规模/流动性的代理：数据中没有市值。",
                "基准：沪深300价格指数（不含分红）。")

    def __init__(self) -> None:
        self._rotation = IndustryRotation()

    # ------------------------------------------------------------------ data

    def data_from(self, inputs):
        """Trade only the CSI 300 bar set, from its first day (the SZ-only set ends 2022)."""
        from quantlib.data.stocks import stock_info

        info = stock_info()
        codes = info.index[info["source"].str.contains(CSI300_SOURCE)]
        close = inputs["close"]
        first = info.loc[info["source"] == CSI300_SOURCE, "first_bar"].min()  # 2020-01-02
        inputs = {**inputs,
                  "close": close.loc[first:, [c for c in close.columns if c in set(codes)]],
                  "amount": inputs["amount"].loc[first:]}
        return super().data_from(inputs)

    def engine_market(self, data, prices):
        from quantlib.data.stocks import StockDataError, stock_market

        close, market = stock_market(list(prices.columns), prices.index[0], prices.index[-1])
        if not close.index.equals(prices.index):
            raise StockDataError("stock bars and the run window disagree on trading days")
        return market

    # ------------------------------------------------------------------ signal

    def industry_picks(self, data: StrategyData, p) -> pd.DataFrame:
        """The rotation strategy's weekly industry weights (dates x SW L1 codes)."""
        sub = StrategyData({"close": data["sw_close"], "pe_ttm": data["pe_ttm"],
                            "market": data["market"]}, data["sw_close"].astype("float64"))
        rp = self._rotation.resolve_params({"model": p.model, "k": p.k})
        return self._rotation.target_weights(sub, rp)

    def target_weights(self, data, p):
        from quantlib.data.stocks import csi300_members, stock_sw_l1

        prices = data.prices
        picks = self.industry_picks(data, p)
        days = picks.index[(picks.index >= prices.index[0]) & (picks.index <= prices.index[-1])]
        days = days[days.isin(prices.index)]
        sw = stock_sw_l1().reindex(prices.columns)
        members = csi300_members(days).reindex(columns=prices.columns, fill_value=False)
        amount = data["amount"].reindex(index=prices.index, columns=prices.columns)
        liquidity = amount.rolling(p.liquidity_days, min_periods=p.liquidity_days).mean()
        rows = []
        for day in days:
            row = pd.Series(0.0, index=prices.columns)
            chosen = picks.loc[day]
            chosen = chosen[chosen > 0]
            eligible = members.loc[day] & prices.loc[day].notna()
            for industry in chosen.index:
                pool = liquidity.loc[day, eligible & (sw == industry)].dropna()
                top = pool.sort_values(ascending=False, kind="mergesort").index[: p.n]
                if len(top):
                    row[top] = float(chosen[industry]) / len(top)
            rows.append(row)
        out = pd.DataFrame(rows, index=pd.DatetimeIndex(days, name="date"))
        return out[out.index >= self._first_full_week(liquidity, days)]

    @staticmethod
    def _first_full_week(liquidity: pd.DataFrame, days: pd.DatetimeIndex) -> pd.Timestamp:
        ready = liquidity.notna().any(axis=1)
        first = ready.idxmax() if ready.any() else liquidity.index[-1]
        later = days[days >= first]
        return later[0] if len(later) else days[-1]

    def regime(self, data):
        return self._rotation.regime(StrategyData({"market": data["market"]},
                                                  data.prices)).reindex(data.calendar)


def coverage(data: StrategyData, days: pd.DatetimeIndex) -> pd.DataFrame:
    """Per decision day: CSI 300 members, members with bars, members with an SW industry."""
    from quantlib.data.stocks import csi300_members, stock_sw_l1

    members = csi300_members(days)
    have = members.columns.isin(data.prices.columns)
    sw = members.columns.isin(stock_sw_l1().index)
    return pd.DataFrame({"members": members.sum(axis=1),
                         "with_bars": members.loc[:, have].sum(axis=1),
                         "with_bars_and_industry": members.loc[:, have & sw].sum(axis=1)},
                        index=days).astype(np.int64)
