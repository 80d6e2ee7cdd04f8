"""The strategy protocol: built-ins and user strategies through one run path.

* each built-in's declared warm-up / first decision is what its weights do;
* causality: truncating the data after t changes no decision dated <= t;
* the sweep's best row equals a backtest of its parameters on its window, every metric, for
  every built-in and a user strategy (examples/momentum.py);
* user strategies by file, module and entry point; bad references and bad strategies are
  typed errors (exit 2 on the CLI), never tracebacks;
* a user's own ``strategies`` package neither shadows nor is shadowed by quantlib's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import quantlib
from quantlib.cli import main
from quantlib.errors import UnknownNameError
from quantlib.runner import run_strategy
from quantlib.strategies import BUILTIN, StrategyLoadError, resolve
from quantlib.strategy import ParamError, StrategyError, StrategyWeightsError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "momentum.py"
METRICS = ("total_return", "annual_return", "annual_volatility", "sharpe_ratio",
           "sortino_ratio", "max_drawdown", "calmar_ratio", "win_rate", "annual_turnover",
           "mean_exposure")
GRIDS = {
    "ma_distance_timing": {"short": [10, 20], "long": [60, 120]},
    "valuation_position": {"rule": ["mean_30_70"], "max_stale": [5, 10]},
    "industry_rotation": {"model": ["trend", "two_beta"], "k": [3, 5]},
    f"{EXAMPLE}:Momentum": {"lookback": [20, 60], "k": [3, 5]},
}


@pytest.fixture(scope="module")
def loaded() -> dict:
    return {ref: resolve(ref)[0].load() for ref in GRIDS}


def test_builtins_resolve_to_quantlib_modules_not_a_top_level_package() -> None:
    for name in BUILTIN:
        strategy, source = resolve(name)
        assert strategy.name == name and source.origin == "built-in"
        assert type(strategy).__module__ == f"quantlib.strategies.{name}"
    assert "strategies" not in sys.modules  # nothing imported a top-level `strategies`


# only strategies that declare a shortcut (a warm-up, or their own first_decision): for the
# others the default is the first weights row itself, and the check would be a tautology
@pytest.mark.parametrize("ref", ["ma_distance_timing", "industry_rotation"])
def test_declared_first_decision_is_the_first_weights_row(ref: str, loaded: dict) -> None:
    strategy = resolve(ref)[0]
    data = loaded[ref]
    p = strategy.resolve_params()
    w = strategy.target_weights(data, p)
    assert strategy.first_decision(data, p) == w.index[0]


@pytest.mark.parametrize("ref", list(GRIDS))
def test_truncating_after_t_changes_no_decision_before_t(ref: str, loaded: dict) -> None:
    strategy = resolve(ref)[0]
    data = loaded[ref]
    p = strategy.resolve_params()
    full = strategy.target_weights(data, p)
    # cuts on Fridays: weekly strategies decide on a week's last session, which on data cut
    # mid-week would be the cut day itself (a live run deciding early), not a look-ahead
    for cut in ("2016-04-01", "2020-02-28", "2024-09-27"):
        part = type(strategy)().target_weights(data.truncate(cut), p)  # fresh: no caches
        pd.testing.assert_frame_equal(part, full.loc[:cut], check_freq=False)


@pytest.mark.parametrize("ref", list(GRIDS))
def test_sweep_best_row_equals_the_backtest_of_its_parameters(ref: str, loaded: dict) -> None:
    res = quantlib.sweep(ref, GRIDS[ref], data=loaded[ref])
    best = res.best_params()
    assert all(type(v) is type(resolve(ref)[0].param_specs()[k].default) or v is None
               for k, v in best.items())  # ints stay ints
    run = run_strategy(ref, best, start=res.start, end=res.end, data=loaded[ref])
    got = run.metrics["strategy"]
    for k in METRICS:
        assert res.best[k] == pytest.approx(got[k], rel=1e-12, abs=1e-14), k
    # a one-combination sweep scores the backtest's default window
    single = quantlib.sweep(ref, {k: [v] for k, v in best.items()}, data=loaded[ref])
    default = run_strategy(ref, best, data=loaded[ref])
    assert single.start == pd.Timestamp(default.spec.start)
    assert single.best["sharpe_ratio"] == pytest.approx(
        default.metrics["strategy"]["sharpe_ratio"], rel=1e-12)


def test_valuation_sweep_scores_the_same_window_as_backtest(loaded: dict) -> None:
    """The defect the protocol fixed: the sweep scored 20 years before the model's first
    signal (Sharpe -0.0016 vs 0.24). Both now start on 2015-01-09, the first decision."""
    from quantlib import metrics

    ref = "valuation_position"
    res = quantlib.sweep(ref, {"rule": ["mean_30_70"]}, data=loaded[ref])
    assert res.start == pd.Timestamp("2015-01-09")
    # the former way, independently: no interest in the engine, then r_t + (1 - w_{t-1}) d
    # added to each day's return; it differs from compounding inside the engine only by the
    # interest's effect on order sizes
    plain = run_strategy(ref, {"rule": "mean_30_70"}, cash_rate=0.0, data=loaded[ref]).result
    d = 1.015 ** (1 / 242) - 1
    patched = plain.returns + (1.0 - plain.exposure.shift(1).fillna(0.0)) * d
    assert res.best["sharpe_ratio"] == pytest.approx(metrics.sharpe_ratio(patched), abs=2e-3)
    assert res.best["sharpe_ratio"] == pytest.approx(0.24, abs=5e-3)  # the README's former 0.24


def _write(tmp_path: Path, body: str, name: str = "user_strat.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), "utf-8")
    return path


GOOD = """
from quantlib import Input, Param, Strategy, weights

class Hold(Strategy):
    name = "hold"
    params = {"w": Param(1.0, low=0.0, high=1.0)}
    inputs = {"close": Input("hs300", "close")}
    trade = "close"
    asset = "hs300"

    def target_weights(self, data, p):
        return data.prices.iloc[[0]] * 0 + p.w
"""


def test_user_strategy_from_a_file_by_python_and_cli(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    out = run_strategy(f"{path}:Hold", {"w": 0.5}, end="2005-03-31")
    close = out.strategy.load().prices["hs300"]
    # half in HS300 from the second day's close: equity = 1 - fee + 0.5 * (P_t / P_1 - 1)
    p = close.loc[: "2005-03-31"]
    fee = 0.5 * 0.00025
    expected = (1 - fee) + 0.5 * (p.iloc[1:] / p.iloc[1] - 1)
    np.testing.assert_allclose(out.result.equity.iloc[1:].to_numpy(), expected.to_numpy(),
                               rtol=1e-9)
    res = CliRunner().invoke(main, ["backtest", f"{path}:Hold", "--param", "w=0.5", "--end",
                                    "2005-03-31", "--out", str(tmp_path / "o"), "--quiet"])
    assert res.exit_code == 0, res.output
    m = json.loads((tmp_path / "o" / "manifest.json").read_text("utf-8"))
    assert m["strategy_source"]["origin"] == "file"
    assert len(m["strategy_source"]["sha256"]) == 64
    replay = CliRunner().invoke(main, ["backtest", "--manifest", str(tmp_path / "o" /
                                                                     "manifest.json"),
                                       "--out", str(tmp_path / "o"), "--quiet"])
    assert replay.exit_code == 0 and "reproduced" in replay.output
    path.write_text(path.read_text("utf-8") + "\n# edited\n", "utf-8")
    changed = CliRunner().invoke(main, ["backtest", "--manifest", str(tmp_path / "o" /
                                                                      "manifest.json"),
                                        "--out", str(tmp_path / "o"), "--quiet"])
    assert changed.exit_code == 2 and str(path) in changed.output and "changed" in changed.output


@pytest.mark.parametrize(("body", "ref_suffix", "error", "match"), [
    (GOOD, ":Missing", StrategyLoadError, "has no attribute 'Missing'; strategies there: "
                                          r"\['Hold'\]"),
    ("raise ValueError('boom')\n", ":Hold", StrategyLoadError, "raised ValueError on import"),
    ("class Hold:\n    pass\n", ":Hold", StrategyError, "is not a strategy"),
    (GOOD.replace('trade = "close"', 'trade = "px"'), ":Hold", StrategyError,
     "must name one of its inputs"),
    (GOOD.replace("Param(1.0, low=0.0", "Param(2.0, low=0.0"), ":Hold", StrategyError,
     "the default of parameter 'w' must be <= 1"),
], ids=["no-attribute", "raises-on-import", "not-a-strategy", "bad-trade", "bad-default"])
def test_bad_strategy_references_are_typed_errors(tmp_path: Path, body: str, ref_suffix: str,
                                                  error: type, match: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(error, match=match):
        resolve(f"{path}{ref_suffix}")
    res = CliRunner().invoke(main, ["backtest", f"{path}{ref_suffix}", "--quiet",
                                    "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_unknown_module_name_and_file_are_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(StrategyLoadError, match="no module named 'no_such_pkg'"):
        resolve("no_such_pkg.mod:X")
    with pytest.raises(StrategyLoadError, match="no file"):
        resolve(f"{tmp_path}/absent.py:X")
    with pytest.raises(UnknownNameError, match="Did you mean 'industry_rotation'"):
        resolve("industry_rotaton")


@pytest.mark.parametrize(("args", "match"), [
    (["--param", "w=1.5"], "must be <= 1"),
    (["--param", "w=abc"], "takes float"),
    (["--param", "x=1"], "no hold parameter 'x'|unknown hold parameter"),
], ids=["out-of-bounds", "wrong-type", "unknown"])
def test_bad_parameters_exit_2(tmp_path: Path, args: list[str], match: str) -> None:
    path = _write(tmp_path, GOOD)
    res = CliRunner().invoke(main, ["backtest", f"{path}:Hold", *args, "--quiet",
                                    "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "error:" in res.output


def test_constraint_rejecting_every_combination(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD + "\n    def constraint(self, p):\n        return p.w > 2\n")
    res = CliRunner().invoke(main, ["sweep", f"{path}:Hold", "--grid", "w=0.2,0.4", "--quiet"])
    assert res.exit_code == 2 and "no valid combination" in res.output


@pytest.mark.parametrize(("returned", "match"), [
    ("data.prices.reset_index(drop=True) * 0", "index must be dates"),
    ("(data.prices * 0).rename(columns=lambda c: 'zz')", "are not traded assets"),
    ("data.prices.iloc[[0]] * 0 + 0.95 + p.w", "sum to <= 1"),
    ("(data.prices.iloc[[0]] * 0).set_axis([pd.Timestamp('2005-01-01')])",
     "not trading days"),
], ids=["not-dates", "wrong-columns", "above-one", "off-calendar"])
def test_wrong_weights_are_named(tmp_path: Path, returned: str, match: str) -> None:
    body = "import pandas as pd\n" + GOOD.replace("data.prices.iloc[[0]] * 0 + p.w", returned)
    path = _write(tmp_path, body)
    with pytest.raises(StrategyWeightsError, match=match):
        run_strategy(f"{path}:Hold", {"w": 0.1}, end="2006-01-31")


def test_parameter_errors_in_python() -> None:
    s = resolve("industry_rotation")[0]
    with pytest.raises(ParamError, match="must be one of"):
        s.resolve_params({"model": "momentum"})
    with pytest.raises(ParamError, match="must be >= 1"):
        s.resolve_params({"k": 0})
    with pytest.raises(ParamError, match="must be a mapping"):
        s.resolve_params([("k", 3)])


def test_example_and_readme_commands_from_a_dir_with_its_own_strategies(tmp_path: Path) -> None:
    """A user folder `strategies/` (a package that fails if imported) beside the script: the
    CLI, the documented Python API and the example still work, and the user's package stays
    importable as theirs."""
    (tmp_path / "strategies").mkdir()
    (tmp_path / "strategies" / "__init__.py").write_text("MINE = True\n", "utf-8")
    (tmp_path / "momentum.py").write_text(EXAMPLE.read_text("utf-8"), "utf-8")
    script = textwrap.dedent("""
        import strategies, quantlib
        assert strategies.MINE  # the user's package, not quantlib's
        res = quantlib.sweep("momentum.py:Momentum", {"lookback": [20, 60], "k": [3]})
        run = quantlib.run_strategy("momentum.py:Momentum", res.best_params(),
                                    start=res.start)
        assert abs(run.metrics["strategy"]["sharpe_ratio"] - res.best["sharpe_ratio"]) < 1e-12
        quantlib.run_strategy("ma_distance_timing", start="2020-01-02")
        print("ok", res.best_params())
    """)
    env = {k: v for k, v in os.environ.items() if k != "QUANTLIB_CACHE_DIR"}
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok")
    cli = [sys.executable, "-m", "quantlib.cli"]
    bt = subprocess.run([*cli, "backtest", "momentum.py:Momentum", "--param", "k=3",
                         "--out", "out", "--quiet"], cwd=tmp_path, env=env,
                        capture_output=True, text=True, timeout=300)
    assert bt.returncode == 0, bt.stderr
    again = subprocess.run([*cli, "backtest", "--manifest", "out/manifest.json", "--out", "out",
                            "--quiet"], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0 and "reproduced" in again.stdout, again.stderr
    sw = subprocess.run([*cli, "sweep", "momentum.py:Momentum", "--grid", "lookback=20,60",
                         "--quiet", "--format", "json"], cwd=tmp_path, env=env,
                        capture_output=True, text=True, timeout=300)
    assert sw.returncode == 0, sw.stderr
    assert json.loads(sw.stdout)["combinations"] == 2
