"""60-day momentum on the 31 Shenwan L1 industries: each week, hold the k strongest, 1/k each.

quantlib backtest examples/momentum.py:Momentum --param k=3
quantlib sweep examples/momentum.py:Momentum --grid lookback=20:120:20 --grid k=3,5
"""

from quantlib import Input, Param, Strategy, indicators, schedules, weights


class Momentum(Strategy):
    name = "momentum"
    title = "Shenwan L1 60-day momentum, top k weekly"
    params = {"lookback": Param(60, low=2, help="momentum window (days)"),
              "k": Param(5, low=1, high=31, help="industries held")}
    inputs = {"close": Input("sw_l1", "close")}
    trade = "close"  # Shenwan indices: no stamp duty, no lots

    def target_weights(self, data, p):
        score = indicators.momentum(data["close"], p.lookback)
        days = schedules.week_ends(data.calendar)
        # decide from the first week end with a full lookback (earlier scores are NaN)
        return weights.top_k_equal(score, p.k, days[days >= data.calendar[p.lookback]])
