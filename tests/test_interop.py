"""vectorbt is an extra, not a runtime dependency; BacktestResult.to_vectorbt replays a run in
vectorbt to the same equity; BacktestResult.returns goes to quantstats as it is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quantlib import backtest as bt
from quantlib.interop import returns_for_quantstats

ROOT = Path(__file__).resolve().parents[1]


def _market(seed: int = 0, n: int = 160) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2019-01-01", periods=n)
    close = pd.DataFrame(20 * np.exp(np.cumsum(rng.normal(0, 0.02, (n, 3)), 0)), idx,
                         ["600000", "000001", "300750"])
    w = pd.DataFrame(rng.dirichlet(np.ones(4), n)[:, :3], idx, close.columns).iloc[::5]
    return close, w


def test_nothing_in_quantlib_imports_vectorbt() -> None:
    """With vectorbt made unimportable, the library, a backtest, a tearsheet's metrics and the
    CLI modules still work; to_vectorbt says which extra to install."""
    code = (
        "import sys; sys.modules['vectorbt'] = None\n"
        "import numpy as np, pandas as pd\n"
        "import quantlib, quantlib.cli, quantlib.metrics, quantlib.report.tearsheet\n"
        "import quantlib.commands.backtest, quantlib.commands.weekly, quantlib.sweep\n"
        "from quantlib import backtest as bt\n"
        "idx = pd.bdate_range('2020-01-01', periods=30)\n"
        "close = pd.DataFrame({'a': np.linspace(10, 12, 30)}, idx)\n"
        "r = bt.run(close, pd.DataFrame({'a': 1.0}, idx[:1]), record_trades=True,\n"
        "           market=bt.Market(kind='index'))\n"
        "try:\n"
        "    r.to_vectorbt(close)\n"
        "except quantlib.interop.MissingExtraError as e:\n"
        "    print('MISSING', e)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('vectorbt', 'plotly'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""}, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "MISSING" in out.stdout and "quantlib[vectorbt]" in out.stdout
    assert out.stdout.strip().endswith("['vectorbt']")  # only the blocked entry, no plotly


def test_vectorbt_is_an_extra_not_a_dependency() -> None:
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not any(d.startswith("vectorbt") for d in meta["dependencies"])
    assert any(d.startswith("vectorbt") for d in meta["optional-dependencies"]["vectorbt"])
    assert any(d.startswith("vectorbt") for d in meta["optional-dependencies"]["test"])


@pytest.mark.parametrize("a_share", [False, True], ids=["frictionless-pct", "a-share-cny"])
def test_to_vectorbt_replays_the_same_equity(a_share: bool) -> None:
    """vectorbt, given the fills, values the portfolio like quantlib on every day: with
    percentage fees and unit capital, and with A-share costs (minimum commission, stamp duty),
    lots and 1,000,000 CNY."""
    vbt = pytest.importorskip("vectorbt")
    close, w = _market()
    if a_share:
        r = bt.run(close, w, init_cash=1_000_000.0, record_trades=True,
                   market=bt.Market(kind="stock"))
        assert (r.trades["shares"] % 100 == 0).all()  # whole lots
    else:
        r = bt.run(close, w, costs=bt.CostModel.percentage(0.001), rules=bt.Rules.none(),
                   record_trades=True, market=bt.Market(kind="index"))
    pf = r.to_vectorbt(close)
    assert isinstance(pf, vbt.Portfolio)
    np.testing.assert_allclose(pf.value().to_numpy(), r.equity.to_numpy(), rtol=1e-10)
    assert len(pf.orders.records) == len(r.trades)
    np.testing.assert_allclose(pf.orders.records["fees"].sum(), r.trades["cost"].sum(),
                               rtol=1e-10)


def test_returns_ready_for_quantstats() -> None:
    """quantstats' and empyrical's statistics of result.returns equal quantlib's metrics."""
    qs = pytest.importorskip("quantstats")
    emp = pytest.importorskip("empyrical")
    from quantlib import metrics

    close, w = _market(1, 400)
    r = bt.run(close, w, costs=bt.CostModel.percentage(0.0005), rules=bt.Rules.none(),
               market=bt.Market(kind="index"))
    rets = returns_for_quantstats(r)
    assert rets.dtype == np.float64 and rets.index.tz is None and rets.name == "strategy"
    pd.testing.assert_series_equal(rets, r.returns.rename("strategy"), check_freq=False)
    assert qs.stats.max_drawdown(rets) == pytest.approx(metrics.max_drawdown(r.returns),
                                                        rel=1e-12)
    rf_daily = (1 + metrics.RF) ** (1 / 242) - 1  # quantlib's default risk-free rate, daily
    assert emp.sharpe_ratio(rets, risk_free=rf_daily, annualization=242) == pytest.approx(
        metrics.sharpe_ratio(r.returns), rel=1e-9)
    assert qs.stats.volatility(rets, periods=242, annualize=True) == pytest.approx(
        metrics.annual_volatility(r.returns), rel=1e-9)
