"""quantlib backtest / strategies: outputs, the manifest replay reproducing every digit, the
tearsheet numbers against a direct engine run, and bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from quantlib.cli import main
from quantlib.commands.backtest import CSV_OUTPUTS

SHORT = {  # strategy -> a short window and a non-default parameter
    "ma_distance_timing": ["--start", "2015-01-05", "--end", "2019-12-31",
                           "--param", "range_weight=0.25", "--fees", "0.0003"],
    "valuation_position": ["--start", "2016-01-04", "--end", "2018-12-28",
                           "--param", "rule=pe_20_80"],
    "industry_rotation": ["--start", "2019-01-04", "--end", "2020-06-30", "--param", "k=3",
                          "--slippage-bps", "2"],
}


def _invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for name, extra in SHORT.items():
        d = tmp_path_factory.mktemp(name)
        res = _invoke("backtest", name, *extra, "--out", str(d), "--quiet")
        assert res.exit_code == 0, res.output
        out[name] = d
    return out


@pytest.mark.parametrize("name", list(SHORT))
def test_manifest_replay_reproduces_every_digit(runs: dict[str, Path], name: str,
                                                tmp_path: Path) -> None:
    first = runs[name]
    res = _invoke("backtest", "--manifest", str(first / "manifest.json"), "--out",
                  str(tmp_path), "--quiet")
    assert res.exit_code == 0, res.output
    assert f"reproduced: {len(CSV_OUTPUTS)} outputs identical" in res.output
    for csv in CSV_OUTPUTS:
        assert (first / csv).read_bytes() == (tmp_path / csv).read_bytes(), csv
    a = json.loads((first / "manifest.json").read_text())
    b = json.loads((tmp_path / "manifest.json").read_text())
    assert {k: v for k, v in a.items() if k != "command"} == {
        k: v for k, v in b.items() if k not in ("command", "replayed_from")}


def test_manifest_records_everything(runs: dict[str, Path]) -> None:
    from quantlib import __version__
    from quantlib.data.store import locate

    m = json.loads((runs["ma_distance_timing"] / "manifest.json").read_text())
    assert m["quantlib_version"] == __version__ and m["strategy"] == "ma_distance_timing"
    assert m["params"] == {"short": 20, "long": 120, "threshold": 0.03, "trend_method": "sma",
                           "trend_window": 20, "range_weight": 0.25, "use_rules": True}
    assert (m["start"], m["end"], m["fill"]) == ("2015-01-05", "2019-12-31", "next_close")
    assert m["costs"]["commission_rate"] == 0.0003
    assert m["data"]["wind_all_a"]["sha256"] == locate("wind_all_a").entry["sha256"]
    assert {"numpy", "pandas", "numba", "python", "quantlib"} <= set(m["packages"])
    assert "--param range_weight=0.25" in m["command"] and "--fees 0.0003" in m["command"]
    assert set(m["outputs"]) == set(CSV_OUTPUTS)
    rot = json.loads((runs["industry_rotation"] / "manifest.json").read_text())
    assert set(rot["data"]) == {"sw_l1", "sw_l1_pe_ttm", "wind_all_a"}


def test_canonical_command_reproduces_too(runs: dict[str, Path], tmp_path: Path) -> None:
    import shlex

    m = json.loads((runs["valuation_position"] / "manifest.json").read_text())
    args = shlex.split(m["command"])[1:]
    args[args.index("--out") + 1] = str(tmp_path)
    res = _invoke(*args, "--quiet")
    assert res.exit_code == 0, res.output
    for csv in CSV_OUTPUTS:
        assert (runs["valuation_position"] / csv).read_bytes() == (tmp_path / csv).read_bytes()


def test_replay_refuses_changed_data(runs: dict[str, Path], tmp_path: Path) -> None:
    m = json.loads((runs["industry_rotation"] / "manifest.json").read_text())
    m["data"]["sw_l1_pe_ttm"]["sha256"] = "0" * 64
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(m))
    res = _invoke("backtest", "--manifest", str(path), "--out", str(tmp_path / "o"), "--quiet")
    assert res.exit_code == 2
    assert "dataset 'sw_l1_pe_ttm' differs from the one this manifest was run on" in res.output
    assert not (tmp_path / "o").exists()  # refused before any output


def test_replay_with_other_options_is_refused(runs: dict[str, Path]) -> None:
    res = _invoke("backtest", "--manifest", str(runs["ma_distance_timing"] / "manifest.json"),
                  "--param", "short=10")
    assert res.exit_code == 2 and "--manifest fixes every choice" in res.output


def test_outputs_and_tearsheet(runs: dict[str, Path]) -> None:
    d = runs["industry_rotation"]
    page = (d / "tearsheet.html").read_text("utf-8")
    assert page.count("<figure") >= 4 and page.count("<svg") >= 4
    for section in ("Cumulative returns", "Drawdown", "Weights over time", "Monthly returns",
                    "Metrics", "Trades", "Run manifest", "volatility-matched",
                    "Yearly returns vs benchmark", "Worst drawdown periods",
                    "Rolling statistics", "A-share stress periods", "2020 Covid",
                    "probabilistic Sharpe ratio", "Trailing returns"):
        assert section in page
    assert "http" not in page.replace("https://", "") and "<script" not in page
    equity = pd.read_csv(d / "equity.csv", index_col="date", parse_dates=True)
    assert equity.index[0] == pd.Timestamp("2019-01-04")
    assert equity.index[-1] == pd.Timestamp("2020-06-30")
    weights = pd.read_csv(d / "weights.csv", index_col="date", parse_dates=True)
    assert weights.shape[1] == 31 and (weights.sum(axis=1) <= 1 + 1e-9).all()
    trades = pd.read_csv(d / "trades.csv", parse_dates=["date"], dtype={"asset": str})
    assert list(trades.columns) == ["date", "asset", "side", "shares", "price", "value", "cost"]
    # The trend model with k=3 by hand (tests/hand_timing.py): no Shenwan industry is in a
    # final uptrend on the week ends 2019-01-04 .. 01-18 (cash), only 801010 (银行) on 01-25
    # and 02-01 (1/3 there, 2/3 cash: top_k_equal leaves empty slots in cash); later weeks
    # pick 3 of the industries in an uptrend.
    from hand_timing import final_regimes

    from quantlib.data import load

    regimes = final_regimes(load("sw_l1", end="2020-06-30", columns=["close"])["close"])
    targets = pd.read_csv(d / "targets.csv", index_col="date", parse_dates=True)
    for day, row in targets.iterrows():
        held = set(row.index[row > 0])
        up = set(regimes.columns[regimes.loc[day] == 1])
        assert held <= up and len(held) == min(3, len(up)), day
        np.testing.assert_array_equal(row[row > 0].to_numpy(), 1 / 3)
        if day <= pd.Timestamp("2019-02-01"):
            assert up == ({"801010"} if day >= pd.Timestamp("2019-01-25") else set()), day
    first = trades.iloc[0]  # decided at the close of Friday 01-25, filled Monday 01-28
    assert (first["date"], first["asset"], first["side"]) == (
        pd.Timestamp("2019-01-28"), "801010", "buy")
    assert first["value"] == pytest.approx(1 / 3 * 1.0002, rel=1e-12)  # + 2 bp slippage
    assert equity.loc[:"2019-01-25", "equity"].eq(1.0).all()  # cash until the first fill
    # the fill day's close: the cost and the slippage paid on the 1/3 bought at that close
    assert first["cost"] == pytest.approx(first["value"] * 0.00025, rel=1e-12)  # INDEX_COSTS
    assert equity.loc["2019-01-28", "equity"] == pytest.approx(
        1 - first["cost"] - (first["value"] - 1 / 3), rel=1e-12)


def test_tearsheet_equity_by_the_reference_loop(runs: dict[str, Path]) -> None:
    """equity.csv of the timing run (2015-2019, range weight 0.25, 0.03% fees) from an
    independent route: the final regime by hand (tests/hand_timing.py), the window rule as
    docs/report.md states it (day one holds cash and trades, at the next bar, the target in
    force at its close; later rows where the target changes), and the plain-Python reference
    loop (tests/reference_engine.py) for the equity."""
    from hand_timing import hand_timing
    from reference_engine import reference_run

    from quantlib.backtest import CostModel, Rules
    from quantlib.data import load

    close = load("wind_all_a", end="2019-12-31", columns=["close"])["close"]
    regime = hand_timing(close)["regime"].dropna()
    target = regime.map({1: 1.0, 0: 0.25, -1: 0.0}).loc["2015-01-05":]
    w = target[target.ne(target.shift())].to_frame("wind_all_a")
    assert w.index[0] == pd.Timestamp("2015-01-05") and len(w) > 10
    prices = close.loc["2015-01-05":].to_frame("wind_all_a")
    costs = CostModel(commission_rate=0.0003, min_commission_cny=0.0, transfer_fee_rate=0.0,
                      stamp_duty_schedule=())
    ref = reference_run(prices, w, costs=costs, rules=Rules(),
                        assets=pd.DataFrame({"kind": ["index"]}, index=["wind_all_a"]))
    got = pd.read_csv(runs["ma_distance_timing"] / "equity.csv", index_col="date",
                      parse_dates=True)
    assert got.index.equals(prices.index)
    np.testing.assert_allclose(got["equity"].to_numpy(), ref.equity, rtol=1e-10)
    assert got["equity"].iloc[0] == 1.0  # day one holds cash
    trades = pd.read_csv(runs["ma_distance_timing"] / "trades.csv", parse_dates=["date"])
    assert len(trades) == len(ref.trades)


def test_default_window_matches_the_timing_script(tmp_path: Path) -> None:
    import importlib.util

    res = _invoke("backtest", "ma_distance_timing", "--out", str(tmp_path), "--quiet")
    assert res.exit_code == 0, res.output
    spec = importlib.util.spec_from_file_location(
        "backtest_timing", Path(__file__).parents[1] / "scripts" / "backtest_timing.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    table = script.compare()
    metrics = pd.read_csv(tmp_path / "metrics.csv", index_col="metric")
    for key in ("total_return", "annual_return", "annual_volatility", "max_drawdown"):
        assert float(metrics.loc[key, "strategy"]) == pytest.approx(
            table.loc["timing (rules, range 0.5)", key], rel=1e-12)
        assert float(metrics.loc[key, "benchmark"]) == pytest.approx(
            table.loc["buy and hold", key], rel=1e-12)


@pytest.mark.parametrize(("args", "match"), [
    (["ma_distance_timin"], "unknown strategy 'ma_distance_timin'. Did you mean "
                            "'ma_distance_timing'?"),
    (["ma_distance_timing", "--param", "treshold=0.02"],
     "unknown ma_distance_timing parameter 'treshold'. Did you mean 'threshold'"),
    (["ma_distance_timing", "--param", "short=ten"], "parameter 'short' takes int, got 'ten'"),
    (["industry_rotation", "--param", "model=trnd"], "Did you mean 'trend'?"),
    (["ma_distance_timing", "--start", "1995-01-03"],
     "start 1995-01-03 is before ma_distance_timing's first decision on 1995-06-26"),
    (["valuation_position", "--start", "2010-01-04"], "warm-up"),
    (["ma_distance_timing", "--start", "2031-01-01"], "after the last price"),
    (["ma_distance_timing", "--start", "yesterday-ish"], "is not a date"),
    (["ma_distance_timing", "--fees", "-1"], "commission_rate=-1.0 must be finite and >= 0"),
    (["ma_distance_timing", "--fill", "next_open"], "use --fill next_close"),
    ([], "give a STRATEGY"),
], ids=["strategy", "param-name", "param-type", "param-value", "warm-up", "position-warm-up",
        "late", "bad-date", "fees", "fill", "none"])
def test_bad_input(args: list[str], match: str, tmp_path: Path) -> None:
    res = _invoke("backtest", *args, "--out", str(tmp_path / "o"), "--quiet")
    assert res.exit_code == 2, res.output
    assert match in res.output


def test_unwritable_out_fails_before_running(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = _invoke("backtest", "ma_distance_timing", "--out", str(blocker / "o"), "--quiet")
    assert res.exit_code == 2 and "cannot write to output directory" in res.output


def test_unreadable_manifest(tmp_path: Path) -> None:
    bad = tmp_path / "m.json"
    bad.write_text("{not json")
    res = _invoke("backtest", "--manifest", str(bad))
    assert res.exit_code == 2 and "cannot read manifest" in res.output


def test_progress_bar_and_quiet(tmp_path: Path) -> None:
    args = ["backtest", "ma_distance_timing", "--start", "2024-01-02", "--out", str(tmp_path)]
    loud = _invoke(*args)
    quiet = _invoke(*args, "--quiet")
    assert loud.exit_code == quiet.exit_code == 0
    assert "backtest ma_distance_timing:" in loud.stderr and quiet.stderr == ""


def test_strategies_lists_parameters_and_defaults() -> None:
    from quantlib.strategies import BUILTIN

    res = _invoke("strategies")
    assert res.exit_code == 0
    for name in BUILTIN:
        assert f"{name}  (built-in: quantlib.strategies.{name}:" in res.output
    assert re.search(r"range_weight +float +default 0\.5 ", res.output)
    items = json.loads(_invoke("strategies", "--format", "json").stdout)
    rot = next(i for i in items if i["name"] == "industry_rotation")
    k = next(p for p in rot["params"] if p["name"] == "k")
    assert (k["type"], k["default"], k["bounds"]) == ("int", "5", "[1, 31]")
    assert rot["datasets"] == ["sw_l1", "sw_l1_pe_ttm", "wind_all_a"]


def test_replay_into_its_own_folder_leaves_the_record_untouched(tmp_path: Path) -> None:
    first = _invoke("backtest", "ma_distance_timing", "--start", "2020-01-02", "--end",
                    "2020-12-31", "--out", str(tmp_path), "--quiet")
    assert first.exit_code == 0, first.output
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    res = _invoke("backtest", "--manifest", str(tmp_path / "manifest.json"), "--out",
                  str(tmp_path), "--quiet")
    assert res.exit_code == 0 and "reproduced" in res.output, res.output
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
