"""Vectorized A-share backtests: target weights in, :class:`BacktestResult` out.

``run(prices, weights)`` simulates one or many strategies with numba kernels (imported on the
first call, so ``import quantlib.backtest`` stays light). See ``docs/backtest.md``.

Timing
------
A weights row dated t holds the target weights decided at the close of t. They trade on the
next bar: at its close (``fill="next_close"``, default) or its open (``fill="next_open"``).
``fill="same_close_lookahead"`` trades at the close of t itself, which uses information the
strategy could not have had; it exists for comparisons only. Rows of the weights table are the
rebalance dates; between them positions drift with prices. Cash is implicit: a row summing to
0.7 holds 30% cash.

Pending orders: an order blocked by a price limit or a suspension is re-attempted on every
following bar (same target weight, recomputed against that bar's portfolio value) until it
fills or the next rebalance row replaces it.
"""

from __future__ import annotations

import importlib
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlib.backtest import _inputs
from quantlib.backtest._inputs import (
    FILL_MODES,
    AlignmentError,
    BacktestInputError,
    FillModeError,
    Market,
    PricesError,
    WeightsError,
)
from quantlib.backtest._params import KernelParams
from quantlib.backtest._perbar import PerBarResult, run_perbar
from quantlib.backtest.costs import CostModel, CostModelError, stamp_duty_rate
from quantlib.backtest.result import BacktestResult
from quantlib.backtest.rules import (
    AssetInfo,
    AssetKindError,
    Rules,
    RulesError,
    lot_sizes,
    tradable_masks,
)

__all__ = [
    "FILL_MODES",
    "MIN_ORDER_SHARES",
    "NAN_ROWS",
    "AdjustedPricesWarning",
    "AlignmentError",
    "AssetInfo",
    "AssetKindError",
    "BacktestInputError",
    "BacktestResult",
    "CostModel",
    "CostModelError",
    "FillModeError",
    "Market",
    "PerBarResult",
    "PricesError",
    "Rules",
    "RulesError",
    "WeightsError",
    "cash_rate_per_bar",
    "final_values",
    "run",
    "run_perbar",
    "stamp_duty_rate",
]


#: What a NaN in the weights means: an error (default), or, for a row that is NaN for every
#: asset of a strategy, "this strategy places no orders on this date" (``"hold"``).
NAN_ROWS = ("error", "hold")

#: Orders for fewer shares than this are skipped (vectorbt's default ``min_size``).
MIN_ORDER_SHARES = 1e-8


class AdjustedPricesWarning(UserWarning):
    """Price limits on forward-adjusted prices without ``preclose`` (a conservative test)."""


def _engine() -> Any:
    return importlib.import_module("quantlib.backtest.engine")


@dataclass(frozen=True, eq=False)
class EngineInputs:
    """What :func:`_prepare` hands the numba kernels: the one typed boundary between pandas and
    numba. Arrays are (T, A) float64 unless noted; T bars, A assets, S strategies.
    """

    prices: pd.DataFrame          #: the checked price frame (its index and columns label results)
    strat: pd.Index | None        #: strategy labels, None for a single unnamed strategy
    wdates: pd.DatetimeIndex      #: dates of the weights rows
    close_ff: np.ndarray          #: forward-filled close
    fill_price: np.ndarray        #: close or open, the price orders fill at
    fill_row: np.ndarray          #: (T,) int64: weights row that trades at bar t, -1 for none
    weights: np.ndarray           #: (W, S, A) target weights
    buy_ok: np.ndarray            #: bool: a buy may fill at bar t
    sell_ok: np.ndarray           #: bool: a sell may fill at bar t
    buy_extra: np.ndarray         #: transfer fee and stamp duty of a buy, fraction of value
    sell_extra: np.ndarray        #: same for a sell
    share_ratio: np.ndarray       #: adj_factor_t / adj_factor_{t-1} (1.0 off ex-dates)
    params: KernelParams          #: scalar parameters of the kernels
    lots: np.ndarray              #: (A,) board lot per asset (0: fractional shares)

    @property
    def n_strats(self) -> int:
        return 1 if self.strat is None else len(self.strat)

    @property
    def init_cash(self) -> float:
        """Starting value: the cash given, or 1.0 for a run in fractions of capital."""
        return self.params.init_cash

    def kernel_args(self, with_weights: bool = True) -> tuple[Any, ...]:
        """The kernels' leading positional arguments, in their order: ``close_ff, fill_price,
        fill_row, weights, buy_ok, sell_ok, buy_extra, sell_extra, share_ratio, params, lots``
        (without ``weights`` for the fused sweep kernel, which computes its own)."""
        head = (self.close_ff, self.fill_price, self.fill_row)
        tail = (self.buy_ok, self.sell_ok, self.buy_extra, self.sell_extra, self.share_ratio,
                self.params, self.lots)
        return (*head, self.weights, *tail) if with_weights else (*head, *tail)


def _prepare(prices: Any, weights: Any, fill: str, costs: CostModel | None,
             rules: Rules | None, init_cash: float | None, market: Market | None,
             strategies: Any, nan_rows: str = "error", cash_rate: float = 0.0) -> EngineInputs:
    lag = _inputs.check_fill(fill)
    if nan_rows not in NAN_ROWS:
        raise BacktestInputError(f"nan_rows={nan_rows!r}: choose 'error' (NaN weights are "
                                 "an error) or 'hold' (a strategy's all-NaN row places no "
                                 "orders).")
    costs = CostModel() if costs is None else costs
    rules = Rules() if rules is None else rules
    market = Market() if market is None else market
    per_bar_cash = cash_rate_per_bar(cash_rate)
    if init_cash is not None and not (np.isfinite(init_cash) and init_cash > 0):
        raise BacktestInputError(f"init_cash={init_cash!r} must be a positive number or None.")
    attrs = _dataset_attrs(prices)
    prices = _inputs.check_prices(prices)
    w, wdates, strat = _inputs.weights_matrix(weights, prices, strategies)
    n_a = prices.shape[1]
    code, row, col = _check_weights(w, n_a, 1.0 + _inputs._SUM_TOL, nan_rows == "hold")
    if code:
        raise _inputs.weights_error(code, row, col, wdates, float(w[row, col]), n_a)
    close = prices.to_numpy(dtype=np.float64)
    close_ff = prices.ffill().to_numpy(dtype=np.float64)
    open_ = _inputs.align_extra(market.open, prices, "market.open")
    if open_ is not None:
        _inputs.check_prices(pd.DataFrame(open_, index=prices.index, columns=prices.columns))
    fill_price = close
    if fill == "next_open":
        if open_ is None:
            raise BacktestInputError('fill="next_open" needs opening prices: pass '
                                     "market=Market(open=open_frame).")
        fill_price = open_
    volume = _inputs.align_extra(market.volume, prices, "market.volume")
    frames = _inputs.market_frames(market, prices)
    info = AssetInfo.from_frame(market.assets, prices.columns,
                                market.kind if market.kind is not None
                                else attrs.get("asset_kind"))
    prev_close = np.vstack([np.full((1, n_a), np.nan), close_ff[:-1]])
    preclose, share_ratio = _preclose_and_ratio(frames, prev_close, prices)
    adjusted = attrs.get("price_basis") == "forward_adjusted" and frames["preclose"] is None
    if adjusted and rules.price_limits and (info.kind != "index").any():
        warnings.warn(AdjustedPricesWarning(
            f"prices of dataset {attrs.get('dataset')!r} are forward-adjusted and no "
            "Market(preclose=...) was given: price limits use a conservative ratio test "
            "(never a fill at a real limit; may block a tick short of one). Pass raw prices "
            "with preclose and adj_factor for exact limits."), stacklevel=3)
    buy_ok, sell_ok = tradable_masks(fill_price, preclose, prices.index, info, rules,
                                     volume=volume, tradestatus=frames["tradestatus"],
                                     st=frames["is_st"], limit_free=frames["limit_free"],
                                     adjusted=adjusted)
    fill_row = np.full(len(prices), -1, dtype=np.int64)
    bar = prices.index.get_indexer(wdates) + lag
    keep = bar < len(prices)
    fill_row[bar[keep]] = np.arange(len(wdates))[keep]
    buy_extra, sell_extra = _stock_costs(costs, prices.index, info, fill_price)
    money = init_cash is not None
    params = KernelParams(
        init_cash=float(init_cash) if init_cash is not None else 1.0,
        commission_rate=float(costs.commission_rate),
        min_commission=float(costs.min_commission_cny) if money else 0.0,
        slippage=costs.slippage_bps / 1e4, min_order_shares=MIN_ORDER_SHARES,
        single_asset_ok=1.0, cash_rate_per_bar=per_bar_cash)
    return EngineInputs(
        prices=prices, strat=strat, wdates=wdates, close_ff=close_ff, fill_price=fill_price,
        fill_row=fill_row, weights=w, buy_ok=buy_ok, sell_ok=sell_ok,
        buy_extra=buy_extra, sell_extra=sell_extra, share_ratio=share_ratio, params=params,
        lots=lot_sizes(info, rules, money),
    )


def _check_weights(w: np.ndarray, n_assets: int, max_sum: float,
                   allow_hold: bool) -> tuple[int, int, int]:
    """``engine.check_weights_nb``'s (code, row, column) for (rows, strategies * assets)
    float64 weights, read in their memory order: C-contiguous as they are, F-contiguous (a
    sweep matrix built column by column) through their C-contiguous transpose, both by the
    parallel ``check_weights_contig_nb``; any other layout by the serial row-order scan."""
    eng = _engine()
    if w.flags.c_contiguous:
        return eng.check_weights_contig_nb(w, n_assets, max_sum, allow_hold, False)
    if w.flags.f_contiguous:
        return eng.check_weights_contig_nb(w.T, n_assets, max_sum, allow_hold, True)
    return eng.check_weights_nb(w, n_assets, max_sum, allow_hold)


def _dataset_attrs(prices: Any) -> dict[str, Any]:
    """The ``attrs["quantlib"]`` entry a frame from ``quantlib.data.load`` carries, or {}."""
    entry = getattr(prices, "attrs", {}).get("quantlib")
    return entry if isinstance(entry, dict) else {}


def _preclose_and_ratio(frames: dict[str, np.ndarray | None], prev_close: np.ndarray,
                        prices: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return (preclose for limits, share ratio per bar) from Market's frames.

    ``preclose`` given: used as is. Else with ``adj_factor``: ``close_{t-1} * f_{t-1} / f_t``
    (the reference price after an ex-date). Else the previous close. The share ratio is
    ``f_t / f_{t-1}`` (1.0 without a factor). Both given: they must agree (a factor that
    jumps on a day the preclose shows no ex-date is an error).
    """
    factor = frames["adj_factor"]
    pre = frames["preclose"]
    n_t, n_a = prev_close.shape
    if factor is None:
        return (prev_close if pre is None else pre), np.ones((n_t, n_a))
    f_ff = pd.DataFrame(factor).ffill().to_numpy()
    prev_f = np.vstack([np.full((1, n_a), np.nan), f_ff[:-1]])
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = f_ff / prev_f
        implied = prev_close / ratio
    ratio = np.where(np.isfinite(ratio) & (ratio > 0), ratio, 1.0)
    if pre is None:
        return implied, ratio
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = prev_close / pre
    check = np.isfinite(expected) & ~np.isnan(factor) & ~np.isnan(prev_f)
    bad = check & ~np.isclose(ratio, expected, rtol=1e-6, atol=0.0)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise BacktestInputError(
            f"market.adj_factor and market.preclose disagree for {prices.columns[c]!r} on "
            f"{prices.index[r].date()}: factor ratio {ratio[r, c]:.8g}, previous close / "
            f"preclose {expected[r, c]:.8g}. The factor must be derived from preclose "
            "(factor_t = factor_{t-1} * close_{t-1} / preclose_t).")
    return pre, ratio


def _stock_costs(costs: CostModel, dates: pd.DatetimeIndex, info: AssetInfo,
                 fill_price: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (buy_extra, sell_extra), (T, A): transfer fee and stamp duty of stocks by date."""
    n_t, n_a = fill_price.shape
    stock = info.kind == "stock"
    buy, sell = np.zeros((n_t, n_a)), np.zeros((n_t, n_a))
    if stock.any():
        transfer = costs.transfer_fee_rates(dates, info.exchange[stock], fill_price[:, stock])
        buy[:, stock] = transfer + costs.stamp_duty_rate(dates, sell=False)[:, None]
        sell[:, stock] = transfer + costs.stamp_duty_rate(dates, sell=True)[:, None]
    return buy, sell


def cash_rate_per_bar(cash_rate: float) -> float:
    """Interest per bar on cash for an annual ``cash_rate``: ``(1 + rate) ** (1 / 242) - 1``.

    Raises
    ------
    BacktestInputError
        A rate that is not a finite number in [0, 1) a year.
    """
    from quantlib.periods import TRADING_DAYS_PER_YEAR

    if (isinstance(cash_rate, bool) or not isinstance(cash_rate, int | float | np.floating)
            or not np.isfinite(cash_rate) or not 0.0 <= cash_rate < 1.0):
        raise BacktestInputError(f"cash_rate={cash_rate!r} must be an annual rate in [0, 1), "
                                 "e.g. 0.015 for 1.5% a year (0 for no interest).")
    return float((1.0 + cash_rate) ** (1.0 / TRADING_DAYS_PER_YEAR) - 1.0)


def _simulate(p: EngineInputs, store: bool, record_trades: bool) -> dict[str, np.ndarray]:
    n_t, n_a = p.close_ff.shape
    n_s = p.n_strats
    shape2 = (n_t, n_s) if store else (0, 0)
    out = dict(
        eq=np.zeros(shape2), cost=np.zeros(shape2), traded=np.zeros(shape2),
        pos=np.zeros((n_t, n_s * n_a) if store else (0, 0)),
        rec=np.zeros((n_s * n_t * n_a if record_trades else 0, 6)),
        rec_count=np.zeros(n_s, dtype=np.int64), final=np.zeros((n_s, 2)),
    )
    _engine().simulate_nb(
        *p.kernel_args(), store,
        out["eq"], out["cost"], out["traded"], out["pos"], out["rec"], out["rec_count"],
        out["final"],
    )
    return out


def _trades_frame(p: EngineInputs, out: dict[str, np.ndarray]) -> pd.DataFrame:
    n_t, n_a = p.close_ff.shape
    per = n_t * n_a
    chunks = [out["rec"][s * per: s * per + c] for s, c in enumerate(out["rec_count"])]
    rec = np.concatenate(chunks) if chunks else np.zeros((0, 6))
    strat_id = np.repeat(np.arange(p.n_strats), out["rec_count"])
    labels = p.strat if p.strat is not None else pd.Index([0])
    return pd.DataFrame({
        "date": p.prices.index[rec[:, 0].astype(np.int64)],
        "strategy": labels[strat_id],
        "asset": p.prices.columns[rec[:, 1].astype(np.int64)],
        "side": np.where(rec[:, 2] > 0, "buy", "sell"),
        "shares": rec[:, 3], "price": rec[:, 4], "value": rec[:, 3] * rec[:, 4],
        "cost": rec[:, 5],
    })


def _result(p: EngineInputs, out: dict[str, np.ndarray], record_trades: bool) -> BacktestResult:
    prices, strat = p.prices, p.strat
    init = p.init_cash
    n_s, n_a = p.n_strats, prices.shape[1]
    eq, traded = out["eq"], out["traded"]
    prev = np.vstack([np.full((1, n_s), init), eq[:-1]])
    close3 = np.nan_to_num(p.close_ff)[:, None, :]
    shares3 = out["pos"].reshape(len(prices), n_s, n_a)
    with np.errstate(divide="ignore", invalid="ignore"):  # a wiped-out portfolio: NaN weights
        weights3 = shares3 * close3 / eq[:, :, None]
        turnover = traded / prev
        exposure = 1.0 - _cash(eq, shares3, close3) / eq
        returns = eq / prev - 1.0
    cols = strat if strat is not None else pd.Index(["strategy"])
    poscols = (pd.MultiIndex.from_product([strat, prices.columns]) if strat is not None
               else prices.columns)

    def frame(a: np.ndarray) -> pd.Series | pd.DataFrame:
        df = pd.DataFrame(a, index=prices.index, columns=cols)
        return df if strat is not None else df.iloc[:, 0].rename(None)

    return BacktestResult(
        equity=frame(eq), returns=frame(returns),
        positions=pd.DataFrame(weights3.reshape(len(prices), -1), prices.index, poscols),
        trades=_trades_frame(p, out) if record_trades else _trades_frame(
            p, {**out, "rec": np.zeros((0, 6)), "rec_count": np.zeros(n_s, np.int64)}),
        turnover=frame(turnover), costs=frame(out["cost"]), exposure=frame(exposure),
        shares=pd.DataFrame(out["pos"], prices.index, poscols), init_cash=init,
    )


def _cash(eq: np.ndarray, shares3: np.ndarray, close3: np.ndarray) -> np.ndarray:
    return eq - (shares3 * close3).sum(axis=2)


def run(
    prices: pd.DataFrame | pd.Series,
    weights: pd.DataFrame | pd.Series | np.ndarray,
    *,
    fill: str = "next_close",
    costs: CostModel | None = None,
    rules: Rules | None = None,
    init_cash: float | None = None,
    market: Market | None = None,
    strategies: Any = None,
    record_trades: bool = False,
    nan_rows: str = "error",
    cash_rate: float = 0.0,
) -> BacktestResult:
    """Backtest target weights on A-share rules.

    Parameters
    ----------
    prices : DataFrame (dates x assets)
        Closes: fill price for ``next_close`` and valuation price. NaN = no price (not listed
        or suspended: no trade, position held and valued at the last close). Must be > 0.
    weights : DataFrame, Series or ndarray
        Target weights per rebalance date (rows must be dates of ``prices``). Columns: the
        assets (one strategy) or a (strategy, asset) MultiIndex (many strategies). A 3-D
        ndarray (time, strategy, asset) covers every price date; label strategies with
        ``strategies``. Each row must be >= 0 and sum to <= 1.
    fill : {"next_close", "next_open", "same_close_lookahead"}
        When weights decided at the close of t trade. The last is look-ahead, for comparisons.
    costs : CostModel, optional
        Defaults to ``CostModel()`` (A-share retail costs). ``CostModel.frictionless()`` for none.
    rules : Rules, optional
        Defaults to ``Rules()`` (all A-share rules on). ``Rules.none()`` switches them off.
    init_cash : float, optional
        Capital in CNY. Enables the minimum commission and 100-share lots. Without it the
        portfolio starts at 1.0 with fractional shares.
    market : Market, optional
        Opening prices, volumes and per-asset metadata (board, kind, ST).
    strategies : sequence, optional
        Strategy labels for 3-D ndarray weights.
    record_trades : bool
        Fill ``result.trades`` with one row per fill (costs memory for large sweeps).
    nan_rows : {"error", "hold"}
        ``"error"`` (default): any NaN weight raises :class:`WeightsError`. ``"hold"``: a row
        that is NaN for every asset of a strategy means that strategy does not rebalance on
        that date (its positions drift and its pending orders stay), so strategies with
        different rebalance dates can run in one call (e.g. ``pd.concat`` of their weights).
        A row NaN for only some assets is still an error.
    cash_rate : float
        Annual interest on uninvested cash (e.g. 0.015), compounded per bar at
        ``(1 + cash_rate) ** (1 / 242) - 1``: the cash held after trading at the close of
        t - 1 (all of the capital before the first bar) grows by that factor over bar t, before
        bar t's orders. 0 (default): cash earns nothing.

    Returns
    -------
    BacktestResult
    """
    p = _prepare(prices, weights, fill, costs, rules, init_cash, market, strategies, nan_rows,
                 cash_rate)
    out = _simulate(p, store=True, record_trades=record_trades)
    return _result(p, out, record_trades)


def final_values(
    prices: pd.DataFrame | pd.Series,
    weights: pd.DataFrame | pd.Series | np.ndarray,
    **kwargs: Any,
) -> pd.Series:
    """Return only the final portfolio value per strategy (same arguments as :func:`run`).

    Stores nothing per bar: memory is O(strategies x assets) beyond the inputs, which is what
    parameter sweeps over thousands of strategies need.
    """
    record = kwargs.pop("record_trades", False)
    if record:
        raise BacktestInputError("final_values does not record trades; use run().")
    p = _prepare(prices, weights, kwargs.pop("fill", "next_close"), kwargs.pop("costs", None),
                 kwargs.pop("rules", None), kwargs.pop("init_cash", None),
                 kwargs.pop("market", None), kwargs.pop("strategies", None),
                 kwargs.pop("nan_rows", "error"), kwargs.pop("cash_rate", 0.0))
    if kwargs:
        raise TypeError(f"final_values() got unexpected keyword arguments {sorted(kwargs)}")
    out = _simulate(p, store=False, record_trades=False)
    index = p.strat if p.strat is not None else pd.Index(["strategy"])
    return pd.Series(out["final"][:, 0], index=index, name="final_value")
