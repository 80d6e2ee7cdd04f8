"""Walk-forward analysis: choose parameters in-sample, apply them out-of-sample, stitch.

Splits are positions in the prices index, half-open: ``train = [train_start, train_end)``,
``test = [test_start, test_end)`` with ``test_start = train_end``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlib.errors import QuantlibError
from quantlib.sweep import _builders, _run
from quantlib.sweep._core import (
    MAX_COMBINATIONS,
    BacktestOptions,
    SweepError,
    SweepResult,
    _execute,
    _plan,
)

__all__ = ["Split", "SplitError", "WalkForwardResult", "expanding_splits", "rolling_splits",
           "splits_frame", "walk_forward"]

_REPORT = ("total_return", "annual_return", "annual_volatility", "sharpe_ratio",
           "max_drawdown", "calmar_ratio", "annual_turnover", "mean_exposure")


class SplitError(QuantlibError, ValueError):
    """Split windows that are empty, overlap wrongly or run past the data."""


@dataclass(frozen=True)
class Split:
    """One walk-forward split (positions, half-open; ``test_start == train_end``)."""

    train_start: int
    train_end: int
    test_start: int
    test_end: int


def _check_lengths(n_obs: int, train: int, test: int, step: int, start: int) -> None:
    for name, v, low in (("train", train, 2), ("test", test, 1), ("step", step, 1),
                         ("start", start, 0)):
        if not isinstance(v, int | np.integer) or isinstance(v, bool) or v < low:
            raise SplitError(f"{name} must be an integer >= {low} (bars), got {v!r}.")
    if start + train + test > n_obs:
        raise SplitError(
            f"splits longer than the data: start {start} + train {train} + test {test} bars "
            f"> {n_obs} bars available. Shorten train/test or pass more data.")


def _n(n_obs: int | pd.Index) -> int:
    return n_obs if isinstance(n_obs, int | np.integer) else len(n_obs)


def rolling_splits(n_obs: int | pd.Index, *, train: int, test: int, step: int | None = None,
                   start: int = 0) -> tuple[Split, ...]:
    """Return rolling splits: a train window of fixed length ``train`` moving by ``step``.

    Split k: ``train = [start + k*step, start + k*step + train)``, ``test`` the next ``test``
    bars. ``step`` defaults to ``test`` (contiguous test windows). Only full test windows are
    kept: the last bars that do not fill one are left out.
    """
    n, step = _n(n_obs), test if step is None else step
    _check_lengths(n, train, test, step, start)
    out, k = [], 0
    while start + k * step + train + test <= n:
        a = start + k * step
        out.append(Split(a, a + train, a + train, a + train + test))
        k += 1
    return tuple(out)


def expanding_splits(n_obs: int | pd.Index, *, train: int, test: int, step: int | None = None,
                     start: int = 0) -> tuple[Split, ...]:
    """Return expanding splits: every train window starts at ``start`` and grows by ``step``.

    Split k: ``train = [start, start + train + k*step)``, ``test`` the next ``test`` bars.
    """
    n, step = _n(n_obs), test if step is None else step
    _check_lengths(n, train, test, step, start)
    out, k = [], 0
    while start + train + k * step + test <= n:
        end = start + train + k * step
        out.append(Split(start, end, end, end + test))
        k += 1
    return tuple(out)


def splits_frame(splits: Sequence[Split], index: pd.Index) -> pd.DataFrame:
    """Return the splits as first/last dates (inclusive), one row per split."""
    return pd.DataFrame(
        [{"train_first": index[s.train_start], "train_last": index[s.train_end - 1],
          "test_first": index[s.test_start], "test_last": index[s.test_end - 1]}
         for s in splits], index=pd.RangeIndex(len(splits), name="split"))


def _check_splits(splits: Sequence[Split], n_obs: int) -> tuple[Split, ...]:
    splits = tuple(splits)
    if not splits:
        raise SplitError("no splits; build them with rolling_splits or expanding_splits.")
    for i, s in enumerate(splits):
        if not (0 <= s.train_start < s.train_end == s.test_start < s.test_end <= n_obs):
            raise SplitError(f"split {i} {s} is not 0 <= train_start < train_end == test_start "
                             f"< test_end <= {n_obs} (bars of the prices).")
        if i and s.test_start < splits[i - 1].test_end:
            raise SplitError(f"split {i} tests from bar {s.test_start}, inside split {i - 1}'s "
                             "test window; test windows must not overlap.")
    return splits


@dataclass(frozen=True)
class WalkForwardResult:
    """Walk-forward output.

    Attributes
    ----------
    splits : DataFrame
        One row per split: dates, the chosen parameters, ``is_*`` and ``oos_*`` metrics of
        the chosen combination over its train and test windows.
    returns : Series
        Stitched out-of-sample daily returns (one engine run of the stitched weights), from
        the first test bar to the last.
    summary : DataFrame
        Rows ``in_sample_mean``, ``out_of_sample_mean`` (over splits) and
        ``out_of_sample_stitched``; columns the main metrics.
    sweep : SweepResult
        The full-period sweep the choices were made from (with its overfitting stats).
    """

    splits: pd.DataFrame
    returns: pd.Series
    summary: pd.DataFrame
    sweep: SweepResult

    @property
    def equity(self) -> pd.Series:
        """Stitched out-of-sample equity, starting at 1.0 before the first test bar."""
        return (1.0 + self.returns).cumprod().rename("equity")


def _window_metrics(r: np.ndarray, turn: np.ndarray, expo: np.ndarray,
                    opts: BacktestOptions) -> dict[str, float]:
    cols = _run._metric_columns(r[:, None], turn[:, None], expo[:, None], opts.risk_free,
                                opts.periods_per_year)
    return {k: float(cols[k][0]) for k in _REPORT}


def walk_forward(strategy: Any, grid: Mapping[str, Any], *,
                 splits: Sequence[Split] | Callable[[int], Sequence[Split]],
                 data: Any = None, params: Mapping[str, Any] | None = None,
                 metric: str = "sharpe_ratio", start: Any = None, end: Any = None,
                 options: BacktestOptions | None = None,
                 execution: _run.Execution | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 cache_dir: Any = None, n_blocks: int = 16,
                 max_combinations: int = MAX_COMBINATIONS) -> WalkForwardResult:
    """Choose the best combination in each train window, apply it in the test window, stitch.

    Splits are bar positions within the sweep's window (``start``..``end``, by default the
    latest first decision to the last price); pass ``splits`` as a function of the window's
    length in bars to size them on it, e.g. ``lambda n: rolling_splits(n, train=1210,
    test=242)``. Every
    combination is simulated once over the window (one engine call per batch); its ``metric``
    over each train window picks that split's best (the first on ties; NaN never wins). The
    out-of-sample series is one engine run of stitched weights: decisions on the bars of
    split k's test window come from split k's choice, so the switch between choices trades
    (and pays costs) as it would live. Per split, the chosen combination's metrics over its
    train and test windows are reported side by side. ``sweep`` of the result is the full
    sweep of the window (with ``n_blocks`` CSCV blocks), the same as :func:`sweep` returns.
    """
    import dataclasses

    from quantlib.backtest import run
    from quantlib.runner import carry_in

    options = options or BacktestOptions()
    execution = execution or _run.Execution()
    plan = _plan(strategy, grid, data, params, metric, start, end, options, n_blocks, execution,
                 cache_dir=cache_dir, max_combinations=max_combinations)
    a, b = plan.spec.window
    splits = _check_splits(splits(b - a + 1) if callable(splits) else splits, b - a + 1)
    plan = dataclasses.replace(plan, spec=dataclasses.replace(
        plan.spec, windows=tuple((s.train_start, s.train_end) for s in splits)))
    result, win = _execute(plan, execution, progress)
    chosen = []
    for k, row in enumerate(win):
        if np.all(np.isnan(row)):
            raise SweepError(f"no combination has a defined {metric} in split {k}'s train "
                             "window (still in the warm-up?); start the splits later.")
        chosen.append(int(np.nanargmax(row)))
    picks = plan.combos.iloc[chosen].reset_index(drop=True)
    d = plan.spec.data
    eng = d.prices.iloc[a: b + 1]
    w = carry_in(_builders.batch_weights(plan.strategy, d, picks), a, b)
    kw = plan.spec.engine_kwargs
    each = run(eng, w, strategies=range(len(picks)), **kw)
    # NaN rows hold (each combination's own rebalance dates); at the first bar of a test
    # window the stitched strategy adopts the new choice's current target
    held = pd.DataFrame(w.reshape(len(eng), -1)).ffill().fillna(0.0).to_numpy().reshape(w.shape)
    stitched = np.full((len(eng), eng.shape[1]), np.nan)
    for k, s in enumerate(splits):
        stitched[s.test_start:s.test_end] = w[s.test_start:s.test_end, k, :]
        stitched[s.test_start] = held[s.test_start, k, :]
    oos = run(eng, pd.DataFrame(stitched, index=eng.index, columns=eng.columns), **kw)
    first, last = splits[0].test_start, splits[-1].test_end
    table, summary = _tables(splits, picks[list(plan.swept)], plan.combos.index[chosen], each,
                             oos, eng.index, options, (first, last))
    return WalkForwardResult(splits=table, returns=oos.returns.iloc[first:last].rename("oos"),
                             summary=summary, sweep=result)


def _tables(splits: tuple[Split, ...], picks: pd.DataFrame, combo_ids: pd.Index, each: Any,
            oos: Any, index: pd.Index, opts: BacktestOptions,
            span: tuple[int, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    r, tu, ex = (x.to_numpy() for x in (each.returns, each.turnover, each.exposure))
    rows = []
    for k, s in enumerate(splits):
        ins = _window_metrics(r[s.train_start:s.train_end, k], tu[s.train_start:s.train_end, k],
                              ex[s.train_start:s.train_end, k], opts)
        out = _window_metrics(r[s.test_start:s.test_end, k], tu[s.test_start:s.test_end, k],
                              ex[s.test_start:s.test_end, k], opts)
        rows.append({**{f"is_{m}": v for m, v in ins.items()},
                     **{f"oos_{m}": v for m, v in out.items()}})
    table = pd.concat([splits_frame(splits, index), picks.set_axis(
        pd.RangeIndex(len(splits), name="split")).assign(combo=np.asarray(combo_ids)),
        pd.DataFrame(rows, index=pd.RangeIndex(len(splits), name="split"))], axis=1)
    a, b = span
    stitched = _window_metrics(oos.returns.to_numpy()[a:b], oos.turnover.to_numpy()[a:b],
                               oos.exposure.to_numpy()[a:b], opts)
    summary = pd.DataFrame({
        "in_sample_mean": {m: table[f"is_{m}"].mean() for m in _REPORT},
        "out_of_sample_mean": {m: table[f"oos_{m}"].mean() for m in _REPORT},
        "out_of_sample_stitched": stitched}).T
    return table, summary
