"""The core install works without the optional extras; each extra's absence is one clear line.

The core dependencies exclude akshare (``refresh`` extra), statsmodels and scipy (``stats``) and
vectorbt (``vectorbt``): README.md gives the install size this buys. These tests hide the
extras' modules (``sys.modules[name] = None`` makes ``import name`` raise ImportError, as on
a core-only install) and run the product's main paths.
"""

from __future__ import annotations

import math
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
EXTRAS_ONLY = ("akshare", "statsmodels", "scipy", "vectorbt")


def test_core_dependencies_exclude_the_extras() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = {d.split(">")[0].split("=")[0].split("[")[0].strip().lower()
            for d in project["dependencies"]}
    assert not core & set(EXTRAS_ONLY), core
    extras = project["optional-dependencies"]
    assert any(d.startswith("akshare") for d in extras["refresh"])
    assert any(d.startswith("statsmodels") for d in extras["stats"])
    assert any(d.startswith("vectorbt") for d in extras["vectorbt"])


def test_weekly_and_a_tearsheet_run_without_the_extras(tmp_path: Path) -> None:
    """A child interpreter where the extras cannot be imported runs the quickstart's weekly
    page and a full backtest with its tearsheet (alpha/beta, PSR and the charts included)."""
    blocked = ", ".join(repr(m) for m in EXTRAS_ONLY)
    code = (
        "import sys\n"
        f"for m in ({blocked}):\n"
        "    sys.modules[m] = None\n"
        "from quantlib.cli import main\n"
        "import contextlib, io\n"
        "for args in (['weekly'], ['backtest', 'ma_distance_timing', '--start', '2019-01-02',\n"
        f"              '--out', {str(tmp_path / 'bt')!r}]):\n"
        "    try:\n"
        "        main(args, standalone_mode=False)\n"
        "    except SystemExit as e:\n"
        "        assert not e.code, (args, e.code)\n"
        f"loaded = [m for m in ({blocked}) if sys.modules.get(m) is not None]\n"
        "assert not loaded, loaded\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    # alpha/beta and their HAC t-statistics were computed without statsmodels
    metrics = (tmp_path / "bt" / "metrics.csv").read_text(encoding="utf-8").splitlines()
    row = {ln.split(",")[0]: ln.split(",")[1] for ln in metrics[1:]}
    for key in ("alpha", "beta", "alpha_tstat", "beta_tstat"):
        assert math.isfinite(float(row[key])), (key, row[key])


def _hide(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    for mod in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setitem(sys.modules, name, None)


def test_refresh_without_akshare_says_which_extra_once(tiny_cache: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from quantlib.cli import main

    _hide(monkeypatch, "akshare")
    before = {p.name: p.read_bytes() for p in tiny_cache.iterdir()}
    for args in (["data", "refresh", "csi_all_share"], ["data", "refresh", "--all"]):
        result = CliRunner().invoke(main, [*args, "--quiet", "--cache-dir", str(tiny_cache)])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        errors = [ln for ln in result.output.splitlines() if "akshare" in ln]
        assert len(errors) == 1, result.output  # --all: said once, not once per dataset
        assert "pip install 'quantlib[refresh]'" in errors[0]
        assert "FAILED" not in result.output
    after = {p.name: p.read_bytes() for p in tiny_cache.iterdir() if p.name != ".quantlib.lock"}
    assert after == before


def test_missing_extras_raise_typed_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np
    import pandas as pd

    from quantlib.data.akshare import fetch_hs300
    from quantlib.errors import MissingExtraError, QuantlibError
    from quantlib.rotation.two_beta import rolling_beta

    assert issubclass(MissingExtraError, QuantlibError) and issubclass(MissingExtraError,
                                                                       ImportError)
    _hide(monkeypatch, "statsmodels")
    idx = pd.bdate_range("2024-01-01", periods=80)
    rng = np.random.default_rng(1)
    market = pd.Series(rng.normal(0, 0.01, 80), index=idx)
    returns = pd.DataFrame({"a": 0.5 * market + rng.normal(0, 0.002, 80)}, index=idx)
    with pytest.raises(MissingExtraError, match=r"quantlib\[stats\]"):
        rolling_beta(returns, market, 60, method="statsmodels")
    # the default method needs nothing optional: beta of a = 0.5 m + noise is about 0.5
    assert rolling_beta(returns, market, 60)["a"].iloc[-1] == pytest.approx(0.5, abs=0.05)
    _hide(monkeypatch, "akshare")
    with pytest.raises(MissingExtraError, match=r"quantlib\[refresh\]"):
        fetch_hs300(pd.Timestamp("2024-01-02"), None)
