"""The timing model against the figures the weekly report printed (real Wind data rows are
asserted to the printed precision; proxy rows to a documented tolerance)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from quantlib.data import load
from quantlib.timing import timing_state

PUBLISHED = Path(__file__).parent / "golden" / "published_calibration.csv"


@pytest.fixture(scope="module")
def state() -> pd.DataFrame:
    wind = load("wind_all_a")
    out = timing_state(wind["close"], wind["amount_cny"])
    out["is_proxy"] = wind["is_proxy"]
    return out


@pytest.fixture(scope="module")
def published(state: pd.DataFrame) -> pd.DataFrame:
    pub = pd.read_csv(PUBLISHED, parse_dates=["date"])
    pub["asof"] = [state.index[state.index < d][-1] for d in pub["date"]]
    return pub


def test_2023_01_20_matches_the_printed_figures(state: pd.DataFrame) -> None:
    row = state.loc["2023-01-20"]
    assert not row["is_proxy"]
    assert round(row["ma_short"], 1) == 4946.0  # printed 4945 (integer, truncated)
    assert round(row["ma_long"], 1) == 4952.4  # printed 4952
    assert abs(row["ma_short"] - 4945) < 1.0 and abs(row["ma_long"] - 4952) < 1.0
    assert abs(100 * row["distance"] - (-0.14)) <= 0.01 + 1e-9  # printed -0.14%
    assert row["regime_label"] == "range"


def test_real_wind_rows_to_printed_precision(published: pd.DataFrame, state: pd.DataFrame) -> None:
    real = published[~state.loc[published["asof"], "is_proxy"].to_numpy()]
    assert list(real["asof"].dt.strftime("%Y-%m-%d")) == ["2023-01-20", "2024-03-01", "2024-09-20"]
    for _, r in real.iterrows():
        s = state.loc[r["asof"]]
        if pd.notna(r["ma20"]):
            assert abs(s["ma_short"] - r["ma20"]) < 1.0, r["date"]
        raw = {1: "up", 0: "range", -1: "down"}[int(s["raw_regime"])]
        assert raw == r["regime_stated"], r["date"]
    # 2024-03-03's printed MA120 4543.1 and distance -8.49% are not consistent with each other
    # (4152.0 / 4543.1 - 1 = -8.61%); the Wind series gives 4531.5 and -8.36%: documented
    # in docs/timing.md, not asserted.


def test_final_regime_agrees_with_the_report_except_one_documented_row(
        published: pd.DataFrame, state: pd.DataFrame) -> None:
    rows = published.dropna(subset=["regime_stated"])
    ours = state.loc[rows["asof"], "regime_label"].to_numpy()
    disagree = rows.loc[ours != rows["regime_stated"].to_numpy(), "date"].dt.strftime("%Y-%m-%d")
    # 2025-03-30 (d = 3.4% > 3%, printed range) and 2025-10-19 (d = 12%, printed range) are
    # reproduced by the uptrend-break override. 2024-03-03 prints "down" with a positive money
    # effect (3.25%); our downtrend-exit rule already calls it range.
    assert list(disagree) == ["2024-03-03"]
    raw = state.loc[rows["asof"], "raw_regime"].map({1: "up", 0: "range", -1: "down"}).to_numpy()
    assert int((raw == rows["regime_stated"].to_numpy()).sum()) == 17


def test_proxy_rows_within_tolerance(published: pd.DataFrame, state: pd.DataFrame) -> None:
    """After 2024-12-12 WIND All A is a proxy (CSI All Share returns regressed onto Wind's).

    Measured on the printed weeks (2026 data): the distance error grows with the time since the
    splice, 0.03-0.17 pp through June 2025, up to 0.57 pp by August 2025 (the proxy drifts as
    the two indices' compositions part); the MA20 agrees within 0.60%, the MA120 within 0.11%.
    The bounds sit just above those figures, so a worse proxy or a changed MA fails here. The
    issue's 0.3 pp is not reachable on this proxy: the later weeks are at 0.3-0.57 pp.
    """
    rows = published[state.loc[published["asof"], "is_proxy"].to_numpy()]
    s = state.loc[rows["asof"]]
    ma = rows.dropna(subset=["ma20"])
    sm = state.loc[ma["asof"]]
    assert (abs(sm["ma_short"].to_numpy() / ma["ma20"].to_numpy() - 1) < 0.0062).all()
    assert (abs(sm["ma_long"].to_numpy() / ma["ma120"].to_numpy() - 1) < 0.0012).all()
    d = rows["ma_distance_pct"].notna().to_numpy()
    err = abs(100 * s["distance"].to_numpy()[d] - rows["ma_distance_pct"].to_numpy()[d])
    early = (rows["asof"] <= "2025-06-30").to_numpy()[d]
    assert early.sum() == 8 and (~early).sum() == 4
    assert (err[early] < 0.2).all() and (err < 0.58).all()


def test_real_wind_distance_to_printed_precision(state: pd.DataFrame) -> None:
    """On real Wind data the distance agrees to 0.05 pp (the printed rounding is 0.005 pp)."""
    assert abs(100 * state.loc["2023-01-20", "distance"] - (-0.14)) < 0.05
