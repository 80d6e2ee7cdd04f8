"""Rotation causality, strategy and CLI tests (issue: industry-trend rotation).

Causality: run each model on the bundled data truncated after t and on the full data; every
score dated <= t must be identical (nothing before t may depend on later data).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from quantlib import rotation as R
from quantlib.cli import main
from quantlib.data import load
from quantlib.strategies import resolve

CUT = "2019-06-28"


@pytest.fixture(scope="module")
def data() -> R.IndustryData:
    close = load("sw_l1", start="2014-01-01", end="2020-06-30", columns=["close"])["close"]
    pe = load("sw_l1_pe_ttm", start="2008-01-01", end="2020-06-30")["pe_ttm"]
    return R.IndustryData(close, pe)


@pytest.mark.parametrize("model", ["trend", "two_beta", "earnings", "reversal", "blend"])
def test_truncating_after_t_changes_nothing_before_t(data: R.IndustryData, model: str) -> None:
    full = R.model_scores(model, data)
    cut = R.model_scores(model, data.truncate(CUT))
    pd.testing.assert_frame_equal(full.score.loc[:CUT], cut.score, check_freq=False)
    pd.testing.assert_series_equal(full.covered.loc[:CUT], cut.covered, check_freq=False)
    assert cut.score.notna().any().any()


def test_strategy_weekly_weights_and_late_start() -> None:
    close = load("sw_l1", start="2021-01-01", end="2023-12-31", columns=["close"])["close"]
    close.loc[:"2022-06-30", "801980"] = np.nan  # an industry whose history starts late
    rot = resolve("industry_rotation")[0]
    data = rot.data_from({"close": close, "pe_ttm": None, "market": close.iloc[:, 0]})
    w = rot.target_weights(data, rot.resolve_params({"model": "trend", "k": 5}))
    assert (w.index.day_of_week <= 4).all() and w.index.is_unique
    assert len(w) > 50 and (w.sum(axis=1) <= 1 + 1e-12).all()
    assert (w.loc[:"2022-12-30", "801980"] == 0).all()  # never picked before 120 days of data
    assert set(np.round(w.to_numpy().ravel(), 12)) <= {0.0, 0.2}


def test_strategy_earnings_model_goes_to_cash_after_the_pe_data() -> None:
    close = load("sw_l1", start="2021-01-01", end="2023-03-31", columns=["close"])["close"]
    pe = load("sw_l1_pe_ttm", start="2019-01-01")["pe_ttm"]
    rot = resolve("industry_rotation")[0]
    data = rot.data_from({"close": close, "pe_ttm": pe, "market": close.iloc[:, 0]})
    w = rot.target_weights(data, rot.resolve_params({"model": "earnings"}))
    assert (w.loc["2021-03":"2022-09"].sum(axis=1) > 0.99).all()
    assert (w.loc["2022-11":].sum(axis=1) == 0).all()


def test_cli_json_trend_and_errors() -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["signal", "industries", "--model", "trend", "--date",
                               "2024-03-29", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["date"] == "2024-03-29" and list(out["models"]) == ["trend"]
    picks = out["models"]["trend"]["picks"]
    assert picks[0]["code"] == "801050" and "560860" in picks[0]["etfs"]
    bad = runner.invoke(main, ["signal", "industries", "--model", "trnd"])
    assert bad.exit_code == 2 and "Did you mean 'trend'" in bad.output
    big = runner.invoke(main, ["signal", "industries", "--model", "trend", "--k", "40"])
    assert big.exit_code == 2 and "larger than the universe of 31" in big.output


def test_cli_text_says_earnings_has_no_data_after_2022() -> None:
    res = CliRunner().invoke(main, ["signal", "industries", "--model", "earnings"])
    assert res.exit_code == 0, res.output
    assert "2022-08-31" in res.output and "no picks" in res.output
    assert "no fallback" in res.output


def test_two_beta_march_2024_on_bundled_data() -> None:
    """The report switched to upstream cyclicals (有色, 煤炭) in March 2024 and named 科技
    before and after. The default rule (ratio_trend, MA20/MA250, margin 5%, narrow cyclical
    sleeve) switches on 2024-01-11 and leads with cyclicals through Feb-Apr 2024, tech on
    2023-12-29; the first rule (alpha, 60 days, broad sleeve) is still available and switched
    on 2024-01-10 after a brief tech lead from 2023-12-08."""
    close = load("sw_l1", start="2022-01-01", end="2024-06-28", columns=["close"])["close"]
    data = R.IndustryData(close)
    lead = R.lead_names(R.two_beta_scores(data))
    for day in ("2024-02-29", "2024-03-01", "2024-03-29", "2024-04-30"):
        assert lead.loc[day] == "upstream_cyclical"
    assert lead.loc["2023-12-29"] == "tech_growth"
    changes = lead[lead.ne(lead.shift())].loc["2023-06":"2024-06"]
    assert [str(d.date()) for d in changes.index] == ["2024-01-11"]
    old = R.TwoBetaParams(rule="alpha", lookback=60, ratio_long=120,
                          sleeve_b=R.CYCLICAL_BROAD)
    lead = R.lead_names(R.two_beta_scores(data, old), old)
    for day in ("2024-02-29", "2024-03-29", "2024-04-30"):
        assert lead.loc[day] == "upstream_cyclical"
    changes = lead[lead.ne(lead.shift())].loc["2023-12":"2024-06"]
    assert [str(d.date()) for d in changes.index] == ["2023-12-08", "2024-01-10"]


def test_two_beta_against_the_printed_directions() -> None:
    """The report's printed direction (周期 on 2024-03-03, 科技 on ten 2025 issues), read from
    the CSV here, against the leader as of the last trading day before each report date:
    the default rule reproduces all 11, the first rule 9 (the issue's count)."""
    pub = pd.read_csv(Path(__file__).parent / "golden" / "published_calibration.csv",
                      parse_dates=["date"]).dropna(subset=["two_beta_picks"])
    printed = ["upstream_cyclical" if "周期" in t else "tech_growth"
               for t in pub["two_beta_picks"]]
    assert printed.count("upstream_cyclical") == 1 and len(printed) == 11
    close = load("sw_l1", columns=["close"])["close"]
    asof = [close.index[close.index < d][-1] for d in pub["date"]]
    data = R.IndustryData(close)
    old = R.TwoBetaParams(rule="alpha", lookback=60, sleeve_b=R.CYCLICAL_BROAD)
    counts = []
    for p in (R.TwoBetaParams(), old):
        lead = R.lead_names(R.two_beta_scores(data, p), p)
        counts.append(sum(lead.loc[d] == x for d, x in zip(asof, printed, strict=True)))
    assert counts == [11, 9]
