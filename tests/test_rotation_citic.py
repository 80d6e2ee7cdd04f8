"""The CITIC level-1 universe in `quantlib signal industries` (price-based models only)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from quantlib.cli import main
from quantlib.commands.industries import industry_signal
from quantlib.data import load
from quantlib.data.store import bundled_dir
from quantlib.errors import UnknownNameError
from quantlib.rotation import RotationParamError


def test_citic_trend_picks_are_the_uptrend_industries_by_hand() -> None:
    """Picks = the CITIC industries in a final uptrend on 2025-06-30, derived without
    quantlib.timing (tests/hand_timing.py: pandas moving averages, plain-Python rules)."""
    from hand_timing import hand_timing

    sig = industry_signal("2025-06-30", "trend", 30, None, universe="citic_l1")
    assert sig["universe"] == "citic_l1" and sig["date"] == "2025-06-30"
    picks = sig["models"]["trend"]["picks"]
    close = load("citic_l1", columns=["close"])["close"].loc[:"2025-06-30"]
    hand = {code: hand_timing(close[code]).iloc[-1] for code in close.columns}
    in_uptrend = {code for code, row in hand.items() if row["regime"] == 1}
    assert 0 < len(in_uptrend) < 30  # a day that discriminates
    assert {p["code"] for p in picks} == in_uptrend
    for p in picks:
        assert p["distance"] == pytest.approx(hand[p["code"]]["distance"], abs=1e-10)
        assert p["etfs"] == []  # the ETF map is keyed by Shenwan codes
    names = pd.read_csv(bundled_dir() / "reference" / "citic_l1_names.csv", dtype=str)
    assert len(names) == 30 and names.set_index("code").loc["CI005021", "name_zh"] == "银行"


def test_citic_universe_rejects_models_that_need_shenwan_data() -> None:
    with pytest.raises(RotationParamError, match="does not run on citic_l1"):
        industry_signal(None, "earnings", 5, None, universe="citic_l1")
    with pytest.raises(UnknownNameError, match="Did you mean 'citic_l1'"):
        industry_signal(None, "trend", 5, None, universe="citic")


def test_cli_citic_json() -> None:
    res = CliRunner().invoke(main, ["signal", "industries", "--universe", "citic_l1",
                                    "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert set(out["models"]) == {"trend", "reversal", "blend"}
    assert out["data"]["citic_l1_close"].endswith("2025-12-31")
