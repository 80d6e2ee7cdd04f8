"""industry_stocks: picks recomputed with plain pandas, CNY run, blocked orders, CLI."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from quantlib import data
from quantlib.cli import main
from quantlib.runner import run_strategy
from quantlib.strategies import resolve

REFERENCE = Path(__file__).resolve().parents[1] / "data_cache" / "reference"
WINDOW = ("2021-01-08", "2021-06-30")


@pytest.fixture(scope="module")
def outcome():
    return run_strategy("industry_stocks", start=WINDOW[0], end=WINDOW[1])


def test_picks_recomputed_with_plain_pandas(outcome):
    strat = outcome.strategy
    day = pd.Timestamp("2021-03-05")  # a Friday
    row = outcome.weights.loc[day]
    # the industries: the rotation strategy's own weekly picks (its signal, not re-derived)
    rot, _ = resolve("industry_rotation")
    rot_data = rot.load()
    industries = rot.target_weights(rot_data, rot.resolve_params({"k": 5})).loc[day]
    industries = industries[industries > 0]
    # members on that day, from the raw periods file copy
    periods = pd.read_csv(REFERENCE / "csi300_membership.csv", dtype=str)
    on = periods[(periods["start"] <= "2021-03-05") & (periods["end"] >= "2021-03-05")]
    sw = pd.read_csv(REFERENCE / "stock_sw_l1.csv", dtype=str).set_index("code")["sw_code"]
    amount = data.load("stocks", "2020-12-01", "2021-03-05", columns=["amount_cny"])[
        "amount_cny"]
    mean20 = amount.tail(20).mean()
    expected = {}
    for industry, w in industries.items():
        pool = [c for c in on["code"] if sw.get(c) == industry and c in outcome.prices.columns
                and pd.notna(outcome.prices.at[day, c])]
        top = mean20[pool].dropna().sort_values(ascending=False).index[:3]
        for code in top:
            expected[code] = w / len(top)
    got = row[row > 0].to_dict()
    assert got == pytest.approx(expected)
    assert len(got) >= 3 and sum(got.values()) <= 1 + 1e-12
    assert strat.name == "industry_stocks"


def test_cny_run_whole_lots_and_index_benchmark(outcome):
    trades = outcome.result.trades
    assert len(trades) > 50
    buys, sells = trades[trades["side"] == "buy"], trades[trades["side"] == "sell"]
    assert (buys["shares"] % 100 == 0).all()
    # sells are whole lots, or a full exit of a position that grew by reinvested dividends
    # (the engine turns a dividend into shares of the same stock on its ex-date)
    shares = outcome.result.shares
    odd = sells[sells["shares"] % 100 != 0]
    for _, row in odd.iterrows():
        assert shares.at[row["date"], row["asset"]] == 0.0
    assert len(odd) <= 0.05 * len(sells)
    assert outcome.spec.init_cash == 1_000_000.0
    # benchmark: all in CSI 300 at the first close, then the index's own path
    hs = data.load("hs300", WINDOW[0], WINDOW[1])["close"]
    eq = outcome.benchmark.equity
    assert eq.iloc[-1] / eq.iloc[1] == pytest.approx(hs.iloc[-1] / hs.iloc[1], rel=1e-12)
    # all the cash buys the index, the 2.5 bps commission included: v x (1 + rate) = 1e6
    assert eq.iloc[1] == pytest.approx(1e6 / (1 + 0.00025), rel=1e-12)


def _half_up(x: float) -> float:
    return float(Decimal(str(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_blocked_orders_agree_with_the_engine_and_the_raw_bars():
    from quantlib.report.orders import order_summary

    run = run_strategy("industry_stocks", start="2020-07-03", end="2020-07-31")
    s = order_summary(run)
    # every order the engine did not fill is a suspension or a limit day by the raw bars
    assert s.unfilled_other == 0
    assert s.blocked_limit >= 3
    bars = data.load("stocks", "2020-07-17", "2020-07-20", codes=["600760"])
    pre = bars.at[pd.Timestamp("2020-07-20"), ("preclose", "600760")]
    close = bars.at[pd.Timestamp("2020-07-20"), ("close", "600760")]
    assert close == _half_up(pre * 1.10)  # 中航沈飞 closed limit-up on 2020-07-20
    hit = s.examples[(s.examples["asset"] == "600760")]
    assert hit["outcome"].tolist() == ["limit"] and hit["side"].tolist() == ["buy"]
    assert (run.result.trades.query("asset == '600760'")["date"]
            != pd.Timestamp("2020-07-20")).all()
    assert 0 < s.lot_cash_mean_cny < 1e6 * 0.2


def test_cli_init_cash_tearsheet(tmp_path):
    out = tmp_path / "run"
    res = CliRunner().invoke(main, ["backtest", "industry_stocks", "--init-cash", "1000000",
                                    "--start", "2024-01-05", "--end", "2024-03-29", "--out",
                                    str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    trades = pd.read_csv(out / "trades.csv", dtype={"asset": str})
    assert len(trades) and (trades.loc[trades["side"] == "buy", "shares"] % 100 == 0).all()
    page = (out / "tearsheet.html").read_text("utf-8")
    assert "blocked: at the price limit" in page and "value (CNY)" in page
    assert "lot-rounding cash" in page
    bad = CliRunner().invoke(main, ["backtest", "industry_stocks", "--init-cash", "-5",
                                    "--out", str(tmp_path / "bad")])
    assert bad.exit_code == 2 and "--init-cash" in bad.output


def test_limit_classification_follows_the_engine_rules_by_board_st_and_date():
    """Hand-computed limit prices (preclose 10.00): main-board ST 5% (10.50 / 9.50) on
    2026-07-03, 10% (11.00 / 9.00) from 2026-07-06; a main-board listing after 2023-04-10 has
    no limit on its first 5 sessions; a limit_free (relisting) day has none."""
    from quantlib.backtest import Market
    from quantlib.report.orders import limit_blocked

    days = pd.DatetimeIndex(["2026-07-03", "2026-07-06"])
    cols = ["600001", "600002", "600003", "600004"]
    fill = pd.DataFrame({"600001": [10.50, 10.50], "600002": [12.00, 12.00],
                         "600003": [9.50, 9.00], "600004": [11.00, 11.00]}, index=days)
    market = Market(
        assets=pd.DataFrame({"kind": "stock", "board": "main",
                             "list_date": [pd.NaT, pd.Timestamp("2026-07-03"), pd.NaT,
                                           pd.NaT]}, index=cols),
        preclose=pd.DataFrame(10.0, index=days, columns=cols),
        is_st=pd.DataFrame({"600001": True, "600002": False, "600003": True,
                            "600004": False}, index=days),
        limit_free=pd.DataFrame({c: [False, c == "600004"] for c in cols}, index=days))
    buy, sell = limit_blocked(market, fill)
    assert buy["600001"].tolist() == [True, False]  # 10.50 = ST limit-up, then under 11.00
    assert buy["600002"].tolist() == [False, False]  # listing days 1-2: no limit
    assert sell["600003"].tolist() == [True, True]  # 9.50 (5%), then 9.00 (10%)
    assert buy["600003"].tolist() == [False, False]
    assert buy["600004"].tolist() == [True, False]  # 11.00 at the limit; relisting day free
    assert not sell[["600001", "600002", "600004"]].to_numpy().any()
