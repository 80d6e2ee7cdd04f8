"""quantlib weekly: every block's date, its numbers by hand (pandas moving averages and the
plain-Python state machine of tests/hand_timing.py, the report's 3x3 table), the data notes,
the CLI formats and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from quantlib.cli import main
from quantlib.data import load
from quantlib.errors import DataValidationError
from quantlib.report import tables
from quantlib.report.weekly import load_weekly_inputs, weekly_report


@pytest.fixture(scope="module")
def inputs():
    return load_weekly_inputs()


@pytest.fixture(scope="module")
def report(inputs) -> dict:
    return weekly_report(inputs)


def test_default_date_is_the_last_wind_day(report: dict) -> None:
    assert report["date"] == "2026-08-21" and report["week_start"] == "2026-08-17"
    assert report["timing"]["as_of"] == "2026-08-21"
    assert report["position"]["as_of"] == "2026-08-21"


def test_blocks_say_which_date_they_use(report: dict) -> None:
    market = {r["dataset"]: r for r in report["market"]}
    assert market["sse_composite"]["as_of"] == "2026-02-27"
    assert not market["sse_composite"]["current_week"]
    assert all(market[n]["current_week"] for n in ("wind_all_a", "csi_all_share", "hs300"))
    assert report["industries"]["as_of"] == "2026-02-26"
    assert report["industry_returns"]["as_of"] == "2026-02-26"
    assert not report["industry_returns"]["current_week"]
    assert report["position"]["pb_date"] == "2026-08-13"
    notes = " ".join(report["notes"])
    assert "Industries: as of 2026-02-26, the last Shenwan L1 date" in notes
    assert "SSE Composite (000001): no data in this week" in notes
    assert "PROXY" in notes and "PE/PB are proxies" in notes
    assert "sw_l1 2026-02-26" in notes and "all_a_pb 2026-08-13" in notes


def test_index_week_return_by_hand(report: dict) -> None:
    close = load("hs300", start="2026-08-01", columns=["close"])["close"]
    row = next(r for r in report["market"] if r["dataset"] == "hs300")
    assert row["base"] == "2026-08-14"
    assert row["week_return"] == close["2026-08-21"] / close["2026-08-14"] - 1


def test_industry_returns_are_sorted_and_complete(report: dict) -> None:
    ind = report["industry_returns"]
    rets = [r["week_return"] for r in ind["all"]]
    assert rets == sorted(rets, reverse=True) and ind["count"] == 31
    assert ind["best"] == ind["all"][:5] and ind["worst"] == ind["all"][::-1][:5]
    sw = load("sw_l1", start="2026-02-01", columns=["close"])["close"]
    top = ind["best"][0]
    assert top["week_return"] == pytest.approx(
        sw.loc["2026-02-26", top["code"]] / sw.loc[top["base"], top["code"]] - 1, rel=1e-14)


def test_timing_block_by_hand(report: dict) -> None:
    """The timing block against pandas moving averages and the plain-Python state machine
    (tests/hand_timing.py), not against quantlib.timing."""
    from hand_timing import hand_timing

    close = load("wind_all_a", end="2026-08-21", columns=["close"])["close"]
    hand = hand_timing(close).loc["2026-08-21"]
    now = report["timing"]["now"]
    assert now["distance"] == pytest.approx(hand["distance"], rel=1e-12)
    assert now["ma_short"] == pytest.approx(close.iloc[-20:].mean(), rel=1e-12)
    assert now["ma_long"] == pytest.approx(close.iloc[-120:].mean(), rel=1e-12)
    assert now["money_effect"] == pytest.approx(close.iloc[-1] / close.iloc[-20:].mean() - 1,
                                                rel=1e-12)
    labels = {1: "up", 0: "range", -1: "down"}
    assert (now["raw_regime"], now["regime"]) == (labels[hand["raw"]], labels[hand["regime"]])
    assert (now["raw_regime"], now["regime"]) == ("down", "range")  # the downtrend-exit rule
    assert report["timing"]["previous"]["date"] == "2026-08-14"
    assert report["timing"]["changes"][0].startswith("regime")


# The report's 3x3 table (framework paper), written out here independently of quantlib.
TABLE = {"up": {"cheap": 0.9, "normal": 0.8, "expensive": 0.7},
         "range": {"cheap": 0.6, "normal": 0.5, "expensive": 0.4},
         "down": {"cheap": 0.3, "normal": 0.2, "expensive": 0.1}}


def test_position_block_by_the_table(report: dict) -> None:
    """Class by the default rule's text (mean of PE and PB percentiles, cheap <= 32.5,
    expensive >= 80), position by the report's table, regime from the timing block."""
    pos = report["position"]
    # percentiles are fractions in the report, like every ratio of the JSON
    assert 0 <= pos["pe_percentile"] <= 1 and "pe_pct" not in pos
    score = 100 * (pos["pe_percentile"] + pos["pb_percentile"]) / 2
    cls = "cheap" if score <= 32.5 else "expensive" if score >= 80 else "normal"
    assert pos["valuation_class"] == cls == "normal"
    assert pos["regime"] == report["timing"]["now"]["regime"]
    assert pos["position"] == TABLE[pos["regime"]][cls] == 0.5
    assert report["position"]["previous_date"] == "2026-08-14"
    pe = load("csi_all_share", end="2026-08-21", columns=["pe_ttm"])["pe_ttm"]
    assert pos["pe"] == pytest.approx(float(pe.iloc[-1]), abs=0.005)


def test_industry_trend_changes_since_last_week_by_hand(inputs) -> None:
    """2024-03-15 vs 2024-03-08: three Shenwan industries in a final uptrend each week (by
    hand, tests/hand_timing.py), so the trend model's picks are exactly those and the week's
    changes are the set differences."""
    from hand_timing import uptrend_codes

    sw = load("sw_l1", end="2024-03-15", columns=["close"])["close"]
    old, new = uptrend_codes(sw, "2024-03-08"), uptrend_codes(sw, "2024-03-15")
    assert old == {"801110", "801780", "801950"} and new == {"801110", "801160", "801960"}
    block = weekly_report(inputs, "2024-03-15")["industries"]["models"]["trend"]
    assert block["previous_date"] == "2024-03-08"
    assert {p["code"] for p in block["picks"]} == new
    assert {r["code"] for r in block["entered"]} == new - old == {"801160", "801960"}
    assert {r["code"] for r in block["left"]} == old - new == {"801780", "801950"}


def test_past_week_has_aligned_dates_and_the_readme_regime(inputs) -> None:
    rep = weekly_report(inputs, "2023-01-22")  # a Sunday: the week ending Friday 2023-01-20
    assert rep["date"] == "2023-01-20"
    assert rep["timing"]["now"]["regime"] == "range"
    assert round(100 * rep["timing"]["now"]["distance"], 2) == -0.13
    assert rep["industries"]["as_of"] == "2023-01-20"
    assert all(r["current_week"] for r in rep["market"])
    assert not any(n.startswith("Industries:") for n in rep["notes"])


def test_block_without_data_says_why(inputs) -> None:
    rep = weekly_report(inputs, "2012-06-01")
    assert rep["position"]["available"] is False
    assert "PE data starts 2015-01-05" in rep["position"]["reason"]
    text = tables.weekly_text(rep)
    assert "POSITION  unavailable:" in text
    csi = next(r for r in rep["market"] if r["dataset"] == "wind_all_a")
    assert csi["as_of"] == "2012-06-01"


@pytest.mark.parametrize(("date", "match"), [
    ("1990-01-01", "before the data: WIND All A starts 1994-12-30"),
    ("1995-03-01", "inside the warm-up: the regime needs 120 days"),
], ids=["before-data", "warm-up"])
def test_dates_the_data_cannot_support(inputs, date: str, match: str) -> None:
    with pytest.raises(DataValidationError, match=match):
        weekly_report(inputs, date)


def test_text_layout(report: dict) -> None:
    text = tables.weekly_text(report)
    for head in ("MARKET  week 2026-08-17 .. 2026-08-21", "TIMING  WIND All A, as of 2026-08-21",
                 "POSITION  WIND All A, as of 2026-08-21",
                 "INDUSTRIES  picks per model, as of 2026-02-26", "DATA NOTES"):
        assert head in text
    assert max(len(line) for line in text.splitlines() if not line.startswith("  - ")) <= 200


def test_cli_json_and_quiet(report: dict) -> None:
    res = CliRunner().invoke(main, ["weekly", "--format", "json", "--quiet"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == json.loads(json.dumps(report))
    assert res.stderr == ""


def test_cli_writes_html_with_progress(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["weekly", "--format", "html", "--out", str(tmp_path),
                                    "--date", "2024-03-15"])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "weekly-2024-03-15.html").read_text("utf-8")
    assert "<svg" in page and "week ending 2024-03-15" in page
    assert "http" not in page and "<script" not in page
    assert "weekly:" in res.stderr  # the progress bar


@pytest.mark.parametrize(("args", "match"), [
    (["--date", "1990-01-01"], "before the data"),
    (["--date", "not-a-date"], "not-a-date"),
    (["--k", "40"], "40 is not in the range"),
], ids=["early", "garbage", "k"])
def test_cli_bad_input(args: list[str], match: str) -> None:
    res = CliRunner().invoke(main, ["weekly", "--quiet", *args])
    assert res.exit_code == 2 and match in res.output


def test_cli_unwritable_out(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = CliRunner().invoke(main, ["weekly", "--quiet", "--out", str(blocker / "sub")])
    assert res.exit_code == 2
    assert "cannot write to output directory" in res.output and "--out" in res.output


def test_earnings_model_shown_where_its_data_reaches(inputs, report: dict) -> None:
    """Inside the Wind PE data (2022-06) the page lists earnings picks; on the last day it has
    none and the data notes say why (the stock-based extension failed its check vs Wind)."""
    from quantlib.report.weekly import weekly_report

    inside = weekly_report(inputs, "2022-06-24")["industries"]["models"]["earnings"]
    assert inside["covered"] and len(inside["picks"]) == 5
    last = report["industries"]["models"]["earnings"]
    assert not last["covered"] and not last["picks"]
    note = [n for n in report["notes"] if n.startswith("Earnings model:")]
    assert len(note) == 1 and "makes NO picks" in note[0] and "NOT used" in note[0]
