"""Registered strategies: shape of the weights and causality (truncate after t: nothing changes)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlib.data import load
from strategies import STRATEGIES, ma_distance_timing


def test_registry_names_match_modules() -> None:
    assert all(name == module.NAME for name, module in STRATEGIES.items())
    assert "ma_distance_timing" in STRATEGIES


@pytest.fixture(scope="module")
def wind() -> pd.DataFrame:
    return load("wind_all_a", columns=["close"]).rename(columns={"close": "wind_all_a"})


def test_timing_weights_follow_the_final_regime(wind: pd.DataFrame) -> None:
    from quantlib.timing import timing_state

    w = ma_distance_timing.target_weights(wind)
    assert set(np.unique(w["wind_all_a"])) == {0.0, 0.5, 1.0}
    assert (w["wind_all_a"].diff().iloc[1:] != 0).all()  # rows only where the target changes
    regime = timing_state(wind["wind_all_a"])["regime"]
    expected = regime.loc[w.index].map({1: 1.0, 0: 0.5, -1: 0.0}).to_numpy(dtype=float)
    np.testing.assert_array_equal(w["wind_all_a"].to_numpy(), expected)
    assert w.index[0] == regime.first_valid_index()


def test_timing_weights_are_causal(wind: pd.DataFrame) -> None:
    full = ma_distance_timing.target_weights(wind)
    rng = np.random.default_rng(3)
    for t in rng.choice(np.arange(200, len(wind)), size=20, replace=False):
        cut = wind.index[t]
        part = ma_distance_timing.target_weights(wind.iloc[: t + 1])
        pd.testing.assert_frame_equal(part, full.loc[:cut])
