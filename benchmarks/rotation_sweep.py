"""Shenwan industry rotation sweep: quantlib vs vectorbt, same inputs, same results.

Run from the repository root::

    python benchmarks/rotation_sweep.py          # add --repeats 3 for steadier timings

31 Shenwan level-1 industries (``quantlib.data.load("sw_l1")["close"]``, forward-filled over
the rare missing days so that both engines see the same prices). Each week's last trading day,
hold the top k industries by momentum ``close / close.shift(L) - 1`` at 1/k each (ties: the
first column), filled at the next close, fees 0.1% of traded value, initial value 1.0. Grid:
12 lookbacks L x 8 values of k = 96 strategies x 31 assets.

vectorbt: ``Portfolio.from_orders`` with ``size_type="targetpercent"``, one cash-sharing group
per strategy, ``call_seq="auto"`` (sells before buys), weights reindexed to every bar and
shifted one bar (NaN = no order). quantlib: ``final_values`` with (strategy, asset) weights
holding only the weekly rows.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _harness

LOOKBACKS = (5, 10, 20, 40, 60, 80, 100, 120, 150, 180, 220, 250)
TOP_K = (1, 2, 3, 4, 5, 6, 8, 10)
FEES = 0.001
RTOL = 1e-9
SMALL = (300, 2)  # warm-up slice: bars, strategies


def load_close() -> pd.DataFrame:
    """Shenwan L1 industry closes, dates x 31, forward-filled, from the first full row."""
    from quantlib import data

    close = data.load("sw_l1")["close"].astype(np.float64)
    close.index = pd.DatetimeIndex(close.index)
    close = close.ffill()
    return close.loc[close.notna().all(axis=1).idxmax():]


def rotation_weights(close: pd.DataFrame) -> pd.DataFrame:
    """Return weekly target weights with (lookback_k, industry) MultiIndex columns."""
    weekly = close.index.to_series().groupby(close.index.to_period("W")).max().to_numpy()
    parts = {}
    for lb in LOOKBACKS:
        mom = (close / close.shift(lb) - 1.0).loc[weekly].to_numpy()
        ranked = np.argsort(-np.nan_to_num(mom, nan=-np.inf), axis=1, kind="stable")
        valid = ~np.isnan(mom).any(axis=1)
        for k in TOP_K:
            w = np.zeros_like(mom)
            np.put_along_axis(w, ranked[:, :k], 1.0 / k, axis=1)
            w[~valid] = 0.0
            parts[f"L{lb}_k{k}"] = pd.DataFrame(w, index=weekly, columns=close.columns)
    return pd.concat(parts, axis=1)


def build_quantlib() -> dict[str, Any]:
    close = load_close()
    return {"close": close, "weights": rotation_weights(close)}


def make_quantlib(inp: dict[str, Any], small: bool) -> Any:
    from quantlib import backtest as bt

    close, w = inp["close"], inp["weights"]
    if small:
        close = close.iloc[: SMALL[0]]
        w = w.loc[: close.index[-1]].iloc[:, : SMALL[1] * close.shape[1]]

    def call() -> np.ndarray:
        return bt.final_values(close, w, costs=bt.CostModel.percentage(FEES),
                               rules=bt.Rules.none(), fill="next_close",
                               market=bt.Market(kind="index")).to_numpy()

    return call


def build_vectorbt() -> dict[str, Any]:
    close = load_close()
    weights = rotation_weights(close)
    n_s = weights.shape[1] // close.shape[1]
    size = weights.reindex(close.index).shift(1)
    wide_close = pd.DataFrame(np.tile(close.to_numpy(), n_s), close.index, size.columns)
    return {"close": wide_close, "size": size, "n_assets": close.shape[1]}


def make_vectorbt(inp: dict[str, Any], small: bool) -> Any:
    import vectorbt as vbt

    close, size = inp["close"], inp["size"]
    if small:
        close = close.iloc[: SMALL[0], : SMALL[1] * inp["n_assets"]]
        size = size.iloc[: SMALL[0], : SMALL[1] * inp["n_assets"]]

    def call() -> np.ndarray:
        pf = vbt.Portfolio.from_orders(close, size, size_type="targetpercent", fees=FEES,
                                       init_cash=1.0, cash_sharing=True, group_by=0,
                                       call_seq="auto", freq="D")
        return pf.final_value().to_numpy()

    return call


SIDES = {"quantlib": (build_quantlib, make_quantlib), "vectorbt": (build_vectorbt, make_vectorbt)}


def main() -> int:
    repeats = int(dict(zip(sys.argv[1::2], sys.argv[2::2], strict=False)).get("--repeats", 2))
    script = Path(__file__).resolve()
    n = len(LOOKBACKS) * len(TOP_K)
    print(f"SW L1 rotation sweep: {n} strategies x 31 industries, weekly, fees {FEES:.1%}")
    compile_s = _harness.cold_compile_seconds(script)
    vbt = _harness.run_side(script, "vectorbt", repeats)
    ql = _harness.run_side(script, "quantlib", repeats)
    _, ok = _harness.report(f"SW L1 rotation sweep ({n} strategies x 31 industries)", vbt, ql,
                            compile_s, RTOL)
    return 0 if ok else 1


if __name__ == "__main__":
    if "--side" in sys.argv:
        _harness.child_main(SIDES)
    else:
        sys.exit(main())
