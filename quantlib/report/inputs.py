"""Input builders: how each registered strategy's data is assembled for a backtest.

A strategy module only declares ``target_weights(prices, params)``; which datasets feed it,
what the engine trades, the default costs and the benchmark live here, keyed by the
strategy's ``NAME`` (:data:`INPUT_BUILDERS`). The recipes are those of
``scripts/backtest_timing.py``, ``scripts/backtest_position.py`` and
``scripts/backtest_rotation.py``, so that ``quantlib backtest`` and the scripts agree.

Every builder reads data only through :func:`quantlib.data.load` and declares the dataset
names it reads (for the run manifest's hashes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from quantlib.backtest import BacktestResult, CostModel, Market
from quantlib.errors import UnknownNameError

__all__ = ["INDEX_COSTS", "INPUT_BUILDERS", "InputBuilder", "StrategyInputs", "builder_for"]

#: Index/ETF trading costs of the scripts: 2.5 bps commission per side, no minimum, no stamp
#: duty or transfer fee.
INDEX_COSTS = CostModel(commission_rate=0.00025, min_commission_cny=0.0, transfer_fee_rate=0.0,
                        stamp_duty_schedule=())
WIND_PROXY_NOTE = ("WIND All A is real Wind data to 2024-12-12 and a proxy (return model on the "
                   "CSI All Share) after; see docs/data.md.")


@dataclass(frozen=True)
class StrategyInputs:
    """Everything a backtest of one strategy needs, loaded.

    Attributes
    ----------
    signal : DataFrame
        The ``prices`` argument of the strategy's ``target_weights`` (may carry feature columns).
    kwargs : dict
        Extra keyword arguments of ``target_weights`` (e.g. ``pe_ttm``).
    prices : DataFrame
        Closes the engine trades, dates x assets.
    market : Market
        Asset metadata for the engine (kind ``index``: no stamp duty, no lots).
    regime : Series
        WIND All A's final timing regime label per day (``up``/``range``/``down``), for shading.
    benchmark : Callable
        ``benchmark(weights, prices) -> weights``: the benchmark's weights over the same window.
    benchmark_name : str
        How the benchmark is called in the tearsheet.
    notes : tuple of str
        Data caveats (proxies, coverage) shown on the tearsheet.
    adjust : Callable, optional
        ``adjust(result, params) -> Series`` of returns replacing the engine's (cash interest).
    """

    signal: pd.DataFrame
    kwargs: dict[str, Any]
    prices: pd.DataFrame
    market: Market
    regime: pd.Series
    benchmark: Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame]
    benchmark_name: str
    notes: tuple[str, ...] = ()
    adjust: Callable[[BacktestResult, Any], pd.Series] | None = None


@dataclass(frozen=True)
class InputBuilder:
    """How to load a strategy's inputs: the datasets it reads, its default costs, the loader."""

    datasets: tuple[str, ...]
    costs: CostModel
    load: Callable[[str | Path | None], StrategyInputs]
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _index_market(columns: pd.Index) -> Market:
    return Market(assets=pd.DataFrame({"kind": "index"}, index=list(columns)))


def _wind_regime(wind: pd.DataFrame) -> pd.Series:
    from quantlib.timing import timing_state

    close = wind["close"].dropna()
    return timing_state(close)["regime_label"]


def _buy_and_hold(weights: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(1.0, index=weights.index[:1], columns=prices.columns)


def _timing_inputs(cache_dir: str | Path | None) -> StrategyInputs:
    from quantlib.data import load

    wind = load("wind_all_a", columns=["close"], cache_dir=cache_dir)
    prices = wind.rename(columns={"close": "wind_all_a"})
    return StrategyInputs(
        signal=prices, kwargs={}, prices=prices, market=_index_market(prices.columns),
        regime=_wind_regime(wind), benchmark=_buy_and_hold,
        benchmark_name="buy and hold WIND All A", notes=(WIND_PROXY_NOTE,
                                                         "Cash earns nothing."))


def _cash_interest(result: BacktestResult, params: Any) -> pd.Series:
    from strategies.valuation_position import with_cash_return

    return with_cash_return(result.returns, result.exposure, params.cash_rate)


def _position_inputs(cache_dir: str | Path | None) -> StrategyInputs:
    from quantlib.data import load
    from strategies.valuation_position import FEATURES, UNIVERSE

    wind = load("wind_all_a", columns=["close"], cache_dir=cache_dir)
    pe = load("csi_all_share", columns=["pe_ttm"], cache_dir=cache_dir)["pe_ttm"]
    pb = load("all_a_pb", cache_dir=cache_dir)["pb_median"]
    signal = pd.DataFrame({UNIVERSE[0]: wind["close"]})
    signal[FEATURES[0]] = pe.reindex(wind.index)
    signal[FEATURES[1]] = pb.reindex(wind.index)
    prices = signal[[UNIVERSE[0]]]
    return StrategyInputs(
        signal=signal, kwargs={}, prices=prices, market=_index_market(prices.columns),
        regime=_wind_regime(wind), benchmark=_buy_and_hold,
        benchmark_name="buy and hold WIND All A",
        notes=(WIND_PROXY_NOTE, "PE/PB are proxies (CSI All Share PE-TTM, all-A median PB); "
               "see docs/position.md.", "Cash earns Params.cash_rate a year, accrued daily "
               "(strategy and benchmark)."),
        adjust=_cash_interest)


def _equal_weight(weights: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    listed = prices.loc[weights.index].notna()
    return listed.div(listed.sum(axis=1), axis=0).astype("float64")


def _rotation_inputs(cache_dir: str | Path | None) -> StrategyInputs:
    from quantlib.data import load

    close = load("sw_l1", columns=["close"], cache_dir=cache_dir)["close"]
    pe = load("sw_l1_pe_ttm", cache_dir=cache_dir)["pe_ttm"]
    wind = load("wind_all_a", columns=["close"], cache_dir=cache_dir)
    regime = _wind_regime(wind).reindex(close.index)
    return StrategyInputs(
        signal=close, kwargs={"pe_ttm": pe}, prices=close, market=_index_market(close.columns),
        regime=regime, benchmark=_equal_weight,
        benchmark_name="equal weight of the listed SW L1 industries, same rebalance dates",
        notes=(f"Shenwan L1 industry indices (not ETFs), data to {close.index[-1].date()}.",
               f"sw_l1_pe_ttm ends {pe.index[-1].date()}: the earnings model makes no picks "
               "after that (cash); see docs/rotation.md.",
               "Shading: WIND All A's timing regime (the market, not the industries).",
               "Cash earns nothing."))


#: Strategy NAME -> how to build its backtest inputs.
INPUT_BUILDERS: dict[str, InputBuilder] = {
    "ma_distance_timing": InputBuilder(
        ("wind_all_a",), INDEX_COSTS, _timing_inputs,
        "WIND All A closes; bought and sold as an index sleeve"),
    "valuation_position": InputBuilder(
        ("wind_all_a", "csi_all_share", "all_a_pb"), INDEX_COSTS, _position_inputs,
        "WIND All A closes + CSI All Share PE-TTM + all-A median PB; cash interest"),
    "industry_rotation": InputBuilder(
        ("sw_l1", "sw_l1_pe_ttm", "wind_all_a"),
        CostModel(commission_rate=0.00025, min_commission_cny=0.0, transfer_fee_rate=0.0,
                  stamp_duty_schedule=(), slippage_bps=5.0),
        _rotation_inputs, "Shenwan L1 closes + month-end PE-TTM; 5 bps slippage"),
}


def builder_for(name: str) -> InputBuilder:
    """Return the input builder of strategy ``name``.

    Raises
    ------
    UnknownNameError
        No builder is registered under ``name`` (with close matches).
    """
    if name not in INPUT_BUILDERS:
        raise UnknownNameError("strategy input builder", name, INPUT_BUILDERS)
    return INPUT_BUILDERS[name]
