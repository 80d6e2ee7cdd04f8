"""MA-distance timing sweep on WIND All A: quantlib vs vectorbt, same inputs, same results.

Run from the repository root::

    python benchmarks/timing_sweep.py            # --repeats N (default 5) timed runs a side

Three comparisons, each side in its own process, in one run (medians of the repeats, after
one untimed full-size call per side; the load average is printed at the start and the end):

1. final values of the 3,120 strategies (weights given): ``final_values`` vs vectorbt, and
   against quantlib's reference loop (the general multi-asset kernel, which visits every bar
   and every order: the path before the single-asset kernel skipped no-op bars) to 1e-12;
   quantlib also on one thread (vectorbt's simulation is single-threaded);
2. the whole timing sweep from the closes: ``quantlib.sweep`` (fused path: moving averages,
   regime, simulation, 13 metrics per strategy, DSR and PBO over 12,870 CSCV partitions) vs
   vectorbt's simulation alone on precomputed weights (``1 + total_return`` against
   vectorbt's final values);
3. per-bar outputs for 1,000 strategies: ``backtest.run_perbar(..., outputs=("equity",))``
   plus ``returns()`` vs vectorbt ``from_orders`` plus ``returns()``; and quantlib's
   ``final_values`` on the same 1,000 (the per-bar path's cost over the kernel's).

Strategy grid (3,120 strategies): short MA 5..60 step 5 (12) x long MA 60..250 step 10 (20) x
threshold 0..6% step 0.5% (13). Weight 1 when ``(MA_s - MA_l) / MA_l > threshold`` else 0,
decided at the close, filled at the next close, fees 0.1% of traded value, initial value 1.0.

Data: ``quantlib.data.load("wind_all_a", end="2024-12-12")["close"]`` (1994-12-30 ..
2024-12-12, 7,272 bars). Every strategy runs over the whole history; the MAs are computed on it
and the weight is 0 (cash) until the longest MA of the grid is defined (bar 249: the first
day a sweep of the whole grid scores every strategy on).

vectorbt: ``Portfolio.from_orders(close, size=weights.shift(1), size_type="targetpercent",
fees=0.001, init_cash=1.0)`` then ``final_value()`` (the shift makes vectorbt fill at the
next close, as quantlib does internally). quantlib: ``quantlib.backtest.final_values`` with
``CostModel.percentage(0.001)`` and ``Rules.none()``. Each side runs in its own process
(see ``_harness.py``); final values must agree to 1e-9 relative with vectorbt's and to 1e-12
with the reference loop's.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _harness

SHORT = range(5, 61, 5)
LONG = range(60, 251, 10)
THRESH = np.round(np.arange(0, 0.0601, 0.005), 4)
FEES = 0.001
RTOL = 1e-9
SMALL = (400, 8)  # warm-up slice: bars, strategies
N_PERBAR = 1000  # strategies of the per-bar comparison


def load_close() -> pd.Series:
    """WIND All A daily close, 1994-12-30 .. 2024-12-12."""
    from quantlib import data

    close = data.load("wind_all_a", end="2024-12-12")["close"].astype(np.float64)
    close.index = pd.DatetimeIndex(close.index)
    return close


def sweep_weights(close: pd.Series) -> tuple[np.ndarray, pd.MultiIndex]:
    """Return weights (T, 3120) in {0, 1} and the (short, long, threshold) labels."""
    ma = {n: close.rolling(n).mean().to_numpy() for n in {*SHORT, *LONG}}
    out = np.empty((len(close), len(SHORT) * len(LONG) * len(THRESH)), order="F")
    k = 0
    with np.errstate(invalid="ignore"):
        for s in SHORT:
            for lg in LONG:
                dist = (ma[s] - ma[lg]) / ma[lg]
                for th in THRESH:
                    out[:, k] = dist > th
                    k += 1
    # every strategy starts deciding on the longest MA's first bar, the window a sweep scores
    # all of them on (quantlib.sweep's default start): cash before it
    out[: max(LONG) - 1] = 0.0
    labels = pd.MultiIndex.from_product([SHORT, LONG, THRESH], names=["short", "long", "threshold"])
    return out, labels


def build_quantlib() -> dict[str, Any]:
    close = load_close()
    weights, labels = sweep_weights(close)
    return {"close": close.to_frame("wind_all_a"), "weights": weights, "labels": labels}


def _quantlib_inputs(inp: dict[str, Any], small: bool) -> tuple[Any, np.ndarray, Any]:
    """Closes, weights as bars x strategies x 1 asset, and labels (cut to SMALL if small)."""
    close, w = inp["close"], inp["weights"]
    if small:
        close, w = close.iloc[: SMALL[0]], w[: SMALL[0], : SMALL[1]]
    return close, w.reshape(w.shape[0], w.shape[1], 1), inp["labels"][: w.shape[1]]


def make_quantlib(inp: dict[str, Any], small: bool) -> Any:
    from quantlib import backtest as bt

    close, w3, labels = _quantlib_inputs(inp, small)

    def call() -> np.ndarray:
        return bt.final_values(close, w3, strategies=labels, costs=bt.CostModel.percentage(FEES),
                               rules=bt.Rules.none(), fill="next_close",
                               market=bt.Market(kind="index")).to_numpy()

    return call


def make_quantlib_reference(inp: dict[str, Any], small: bool) -> Any:
    """The same final values through the general multi-asset kernel (``single_asset_ok=0``):
    every bar and every order through the engine's full loop, no bar skipped."""
    import dataclasses

    from quantlib import backtest as bt

    close, w3, labels = _quantlib_inputs(inp, small)

    def call() -> np.ndarray:
        p = bt._prepare(close, w3, "next_close", bt.CostModel.percentage(FEES), bt.Rules.none(),
                        None, bt.Market(kind="index"), labels)
        p = dataclasses.replace(p, params=p.params._replace(single_asset_ok=0.0))
        return bt._simulate(p, store=False, record_trades=False)["final"][:, 0]

    return call


def build_vectorbt() -> dict[str, Any]:
    close = load_close()
    weights, _labels = sweep_weights(close)
    size = pd.DataFrame(weights, index=close.index).shift(1)  # fill at the next close
    del weights
    return {"close": close, "size": size}


def make_vectorbt(inp: dict[str, Any], small: bool) -> Any:
    import vectorbt as vbt

    close, size = inp["close"], inp["size"]
    if small:
        close, size = close.iloc[: SMALL[0]], size.iloc[: SMALL[0], : SMALL[1]]

    def call() -> np.ndarray:
        pf = vbt.Portfolio.from_orders(close, size, size_type="targetpercent", fees=FEES,
                                       init_cash=1.0, freq="D")
        return pf.final_value().to_numpy()

    return call


def build_sweep() -> dict[str, Any]:
    return {"close": load_close()}


def make_sweep(inp: dict[str, Any], small: bool) -> Any:
    from quantlib import backtest as bt
    from quantlib import sweep as qs

    close = inp["close"]
    grid = {"short": "5:60:5", "long": "60:250:10", "threshold": "0:0.06:0.005"}
    if small:
        grid = {"short": [5, 10], "long": [60, 70], "threshold": [0.0]}
    opts = qs.BacktestOptions(costs=bt.CostModel.percentage(FEES), rules=bt.Rules.none())

    def call() -> np.ndarray:
        res = qs.sweep("ma_distance_timing", grid, data={"close": close}, options=opts,
                       params={"use_rules": False, "range_weight": 0.0})
        return 1.0 + res.table["total_return"].to_numpy()

    return call


def make_perbar(inp: dict[str, Any], small: bool) -> Any:
    from quantlib import backtest as bt

    close, w = inp["close"], inp["weights"][:, :N_PERBAR]
    if small:
        close, w = close.iloc[: SMALL[0]], w[: SMALL[0], : SMALL[1]]
    w3 = w.reshape(w.shape[0], w.shape[1], 1)
    labels = inp["labels"][: w.shape[1]]

    def call() -> np.ndarray:
        res = bt.run_perbar(close, w3, strategies=labels, costs=bt.CostModel.percentage(FEES),
                            rules=bt.Rules.none(), fill="next_close", outputs=("equity",))
        res.returns()
        return res.final_values()

    return call


def make_final_1000(inp: dict[str, Any], small: bool) -> Any:
    return make_quantlib(dict(inp, weights=inp["weights"][:, :N_PERBAR]), small)


def make_vectorbt_perbar(inp: dict[str, Any], small: bool) -> Any:
    import vectorbt as vbt

    close, size = inp["close"], inp["size"].iloc[:, :N_PERBAR]
    if small:
        close, size = close.iloc[: SMALL[0]], size.iloc[: SMALL[0], : SMALL[1]]

    def call() -> np.ndarray:
        pf = vbt.Portfolio.from_orders(close, size, size_type="targetpercent", fees=FEES,
                                       init_cash=1.0, freq="D")
        pf.returns()
        return pf.final_value().to_numpy()

    return call


SIDES = {"quantlib": (build_quantlib, make_quantlib), "vectorbt": (build_vectorbt, make_vectorbt),
         "quantlib_reference": (build_quantlib, make_quantlib_reference),
         "quantlib_sweep": (build_sweep, make_sweep),
         "quantlib_perbar": (build_quantlib, make_perbar),
         "quantlib_final_1000": (build_quantlib, make_final_1000),
         "vectorbt_perbar": (build_vectorbt, make_vectorbt_perbar)}


def main() -> int:
    repeats = int(dict(zip(sys.argv[1::2], sys.argv[2::2], strict=False)).get("--repeats", 5))
    script = Path(__file__).resolve()
    n = len(SHORT) * len(LONG) * len(THRESH)
    print(f"MA timing sweep: {n} strategies on WIND All A, fees {FEES:.1%}, repeats {repeats}; "
          f"at the start: {_harness.load_average()}")
    compile_s = _harness.cold_compile_seconds(script)
    vbt = _harness.run_side(script, "vectorbt", repeats)
    ql = _harness.run_side(script, "quantlib", repeats)
    _, ok = _harness.report(f"MA timing sweep, final values ({n} strategies x 7,272 bars)",
                            vbt, ql, compile_s, RTOL)
    ql1 = _harness.run_side(script, "quantlib", repeats, env={"NUMBA_NUM_THREADS": "1"})
    print(f"- quantlib on one thread (`NUMBA_NUM_THREADS=1`; vectorbt's simulation is "
          f"single-threaded): median {ql1['seconds']:.3f} s: "
          f"**{vbt['seconds'] / ql1['seconds']:.1f}x**")
    ref = _harness.run_side(script, "quantlib_reference", 1)
    diff = np.abs(ql["result"] / ref["result"] - 1.0).max()
    same = bool(np.array_equal(ql["result"], ref["result"]))
    ok_ref = bool(diff <= 1e-12)
    print(f"- against quantlib's reference loop (general kernel, every bar; "
          f"{ref['seconds']:.3f} s): max relative difference {diff:.2e}"
          f"{' (bitwise identical)' if same else ''}: **{'AGREE' if ok_ref else 'DISAGREE'}** "
          "to 1e-12")
    print()
    sw = _harness.run_side(script, "quantlib_sweep", repeats)
    # the sweep drops short >= long (short 60, long 60: 13 strategies that never invest)
    valid = np.array([s < lg for s in SHORT for lg in LONG for _ in THRESH])
    _, ok2 = _harness.report(
        f"Whole timing sweep from the closes ({int(valid.sum())} valid strategies: signals, "
        f"simulation, 13 metrics, DSR, PBO) vs vectorbt's simulation of the {n} precomputed "
        "weights", dict(vbt, result=vbt["result"][valid]), sw, float("nan"), RTOL)
    print()
    vp = _harness.run_side(script, "vectorbt_perbar", repeats)
    qp = _harness.run_side(script, "quantlib_perbar", repeats)
    _, ok3 = _harness.report(f"Per-bar outputs, {N_PERBAR} strategies x 7,272 bars "
                             "(equity and returns per bar)", vp, qp, float("nan"), RTOL)
    qf = _harness.run_side(script, "quantlib_final_1000", repeats)
    print(f"- quantlib final_values on the same {N_PERBAR}: {qf['seconds']:.3f} s; per-bar "
          f"path / final_values: **{qp['seconds'] / qf['seconds']:.1f}x**")
    print(f"\nat the end: {_harness.load_average()}")
    return 0 if ok and ok_ref and ok2 and ok3 else 1


if __name__ == "__main__":
    if "--side" in sys.argv:
        _harness.child_main(SIDES)
    else:
        sys.exit(main())
