"""Market timing on a broad index: MA distance regime, trend line, money-making effect, break
rules and the volume-shrink signal (docs/timing.md; 量化择时周报).

All functions are pure and causal: the value on day t uses closes up to t only. A decision
made on day t's close can be traded from t+1 (the backtest engine applies that lag).

Defaults are the report's: ``d_t = (MA20_t - MA120_t) / MA120_t``, regime up when d > 3%,
down when d < -3%, range otherwise. The trend line's formula is never printed (OPEN): the
default is MA20, and :data:`TREND_METHODS` lists the alternatives whose fit to the published
figures ``scripts/calibrate_timing.py`` measures (see ``docs/timing.md``).

Warm-up: every moving average is NaN until its window is full (``min_periods = window``), so
the distance and the regime are undefined (``<NA>``) for the first ``long - 1`` days.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlib.errors import DataValidationError, QuantlibError, UnknownNameError

__all__ = [
    "DOWN",
    "RANGE",
    "REGIME_LABELS",
    "TREND_METHODS",
    "UP",
    "VOLUME_RULES",
    "TimingBatch",
    "TimingParams",
    "break_confirmation",
    "downtrend_exit",
    "ma_distance",
    "money_effect",
    "regime",
    "regime_changes",
    "regime_weights_batch",
    "sma",
    "snapshot",
    "timing_batch",
    "timing_frame",
    "timing_state",
    "trend_line",
    "uptrend_break",
    "volume_level",
    "volume_shrink",
]

UP, RANGE, DOWN = 1, 0, -1
REGIME_LABELS = {UP: "up", RANGE: "range", DOWN: "down"}
TREND_METHODS = ("sma", "ema", "sma_lag1", "wma")
VOLUME_RULES = ("absolute", "peak_fraction", "quantile")


class TimingParamError(QuantlibError, ValueError):
    """Inconsistent timing parameters (short >= long, negative threshold, ...)."""


@dataclass(frozen=True)
class TimingParams:
    """Parameters of :func:`timing_state`, defaulting to the report's.

    Attributes
    ----------
    short, long : int
        Windows of the two moving averages whose distance sets the regime (20, 120).
    threshold : float
        Regime threshold on the distance (0.03 = 3%).
    fast : int
        The fast MA used by the break and exit rules (5).
    trend_method, trend_window : str, int
        Trend-line definition (OPEN; default MA20): one of :data:`TREND_METHODS`.
    confirm_window : int
        The MA the fast MA must cross below to confirm an uptrend break (20).
    volume_rule : str
        Level rule of the volume-shrink signal (OPEN): one of :data:`VOLUME_RULES`.
    volume_level : float
        ``absolute``: the level in CNY; ``peak_fraction``: the fraction of the rolling peak;
        ``quantile``: the rolling quantile.
    volume_window : int
        Window (days) of the rolling peak / quantile and of the prior-fall test.
    volume_min_fall : float
        The shrink signal needs the close at least this far below its ``volume_window`` high
        (the "after a fall" part of the rule).
    """

    short: int = 20
    long: int = 120
    threshold: float = 0.03
    fast: int = 5
    trend_method: str = "sma"
    trend_window: int = 20
    confirm_window: int = 20
    volume_rule: str = "peak_fraction"
    volume_level: float = 0.55
    volume_window: int = 120
    volume_min_fall: float = 0.05

    def __post_init__(self) -> None:
        for name in ("short", "long", "fast", "trend_window", "confirm_window", "volume_window"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or value < 1:
                raise TimingParamError(f"{name} must be a positive integer window, got {value!r}.")
        if self.short >= self.long:
            raise TimingParamError(
                f"short window {self.short} must be shorter than long window {self.long}."
            )
        if not self.threshold >= 0:
            raise TimingParamError(
                f"threshold must be >= 0 (a distance band around zero), got {self.threshold!r}."
            )
        if self.trend_method not in TREND_METHODS:
            raise UnknownNameError("trend-line method", self.trend_method, TREND_METHODS)
        if self.volume_rule not in VOLUME_RULES:
            raise UnknownNameError("volume rule", self.volume_rule, VOLUME_RULES)


def _check_series(close: pd.Series, what: str = "close", min_len: int = 1) -> pd.Series:
    if not isinstance(close, pd.Series):
        raise DataValidationError(f"{what} must be a pandas Series indexed by date, "
                                  f"got {type(close).__name__}.")
    idx = close.index
    if not isinstance(idx, pd.DatetimeIndex):
        raise DataValidationError(f"{what} must have a DatetimeIndex, got {type(idx).__name__}.")
    if not idx.is_monotonic_increasing or idx.has_duplicates:
        raise DataValidationError(f"{what}: dates must be sorted and unique; sort and "
                                  "de-duplicate the index first.")
    spacing = pd.Series(idx).diff().median() if len(idx) > 2 else pd.Timedelta(0)
    if spacing > pd.Timedelta(days=4):
        raise DataValidationError(
            f"{what} does not look daily (median spacing {spacing}); the windows count trading "
            "days, so pass the daily series."
        )
    if close.isna().any():
        first = close.index[close.isna().to_numpy()][0]
        raise DataValidationError(
            f"{what} has {int(close.isna().sum())} NaN value(s), first on {first.date()}; "
            "moving averages would silently skip them. Drop or fill them explicitly first."
        )
    if len(close) < min_len:
        raise DataValidationError(
            f"{what} has {len(close)} rows, fewer than the long window {min_len}: no regime "
            f"can be computed. Pass at least {min_len} days (more for a defined history)."
        )
    return close.astype("float64")


def sma(close: pd.Series, window: int) -> pd.Series:
    """Simple moving average ``mean(close[t-window+1 .. t])``; NaN until the window is full."""
    return close.rolling(window, min_periods=window).mean()


def ma_distance(close: pd.Series, short: int = 20, long: int = 120) -> pd.Series:
    """Distance between moving averages: ``(SMA_short - SMA_long) / SMA_long`` (a fraction)."""
    TimingParams(short=short, long=long)
    close = _check_series(close, min_len=long)
    ma_long = sma(close, long)
    return (sma(close, short) - ma_long) / ma_long


def regime(distance: pd.Series, threshold: float = 0.03) -> pd.Series:
    """Raw regime from the distance: 1 (up) if d > threshold, -1 (down) if d < -threshold,
    else 0 (range); ``<NA>`` where the distance is undefined (warm-up). Dtype ``Int8``."""
    TimingParams(threshold=threshold)
    values = np.where(distance > threshold, UP, np.where(distance < -threshold, DOWN, RANGE))
    out = pd.Series(values, index=distance.index, dtype="Int8")
    return out.mask(distance.isna())


def trend_line(close: pd.Series, method: str = "sma", window: int = 20) -> pd.Series:
    """Trend line (趋势线). Its formula is OPEN in the research; the methods:

    * ``sma``: simple moving average of ``window`` closes (default, MA20);
    * ``ema``: exponential MA, ``alpha = 2 / (window + 1)``, seeded with the first close,
      NaN for the first ``window - 1`` days;
    * ``sma_lag1``: yesterday's SMA (a line that lags one more day);
    * ``wma``: linearly weighted MA (weights 1..window, newest heaviest).
    """
    TimingParams(trend_method=method, trend_window=window)
    close = _check_series(close)
    if method == "sma":
        return sma(close, window)
    if method == "ema":
        line = close.ewm(span=window, adjust=False).mean()
        line.iloc[: window - 1] = np.nan
        return line
    if method == "sma_lag1":
        return sma(close, window).shift(1)
    weights = np.arange(1, window + 1, dtype="float64")
    return close.rolling(window, min_periods=window).apply(
        lambda x: float(np.dot(x, weights) / weights.sum()), raw=True)


def money_effect(close: pd.Series, trend: pd.Series) -> pd.Series:
    """Money-making effect (赚钱效应): ``close / trend_line - 1``."""
    return close / trend - 1.0


def uptrend_break(ma_fast: pd.Series, trend: pd.Series) -> pd.Series:
    """True where the fast MA (MA5) is below the trend line: an uptrend counts as broken."""
    return (ma_fast < trend).fillna(False)


def break_confirmation(ma_fast: pd.Series, ma_confirm: pd.Series) -> pd.Series:
    """True on the day the fast MA crosses below the confirming MA (MA5 below MA20)."""
    below = ma_fast < ma_confirm
    was_above = (ma_fast.shift(1) >= ma_confirm.shift(1))
    return (below & was_above).fillna(False)


def downtrend_exit(money: pd.Series, ma_fast: pd.Series, trend: pd.Series) -> pd.Series:
    """True where the downtrend exit conditions hold: money effect > 0 and MA5 > trend line."""
    return ((money > 0) & (ma_fast > trend)).fillna(False)


def volume_level(turnover: pd.Series, rule: str = "peak_fraction", level: float = 0.55,
                 window: int = 120) -> pd.Series:
    """The turnover level below which volume counts as shrunk (OPEN in the research).

    * ``absolute``: ``level`` CNY every day (the report quotes 0.9-1.7 trillion per episode);
    * ``peak_fraction``: ``level`` x the highest turnover of the last ``window`` days;
    * ``quantile``: the ``level`` quantile of the last ``window`` days' turnover.
    """
    TimingParams(volume_rule=rule, volume_window=window)
    turnover = _check_series(turnover, "turnover")
    if rule == "absolute":
        return pd.Series(float(level), index=turnover.index)
    roll = turnover.rolling(window, min_periods=window)
    if rule == "peak_fraction":
        return level * roll.max()
    return roll.quantile(level)


def volume_shrink(turnover: pd.Series, level: pd.Series, close: pd.Series,
                  window: int = 120, min_fall: float = 0.05) -> pd.Series:
    """True on the day turnover falls below ``level`` after a fall of at least ``min_fall``
    from the ``window``-day closing high (the report's 缩量 exhaustion signal; it is read in the
    range regime only, which :func:`timing_state` applies)."""
    below = turnover < level
    crossed = below & ~below.shift(1, fill_value=True)
    fell = close <= (1.0 - min_fall) * close.rolling(window, min_periods=1).max()
    return (crossed & fell).fillna(False)


def timing_state(close: pd.Series, turnover: pd.Series | None = None,
                 params: TimingParams | None = None) -> pd.DataFrame:
    """Compute every timing quantity and the final regime, day by day.

    The final regime applies the report's rules on top of the raw threshold regime, with a
    state machine (numba) because the rules depend on the previous state:

    * raw up (d > threshold): **up**, unless MA5 < trend line (uptrend broken -> **range**).
      When MA5 crosses below MA20 during a raw uptrend the break is *confirmed* and a lock
      holds the regime at range until MA5 is back above both MA20 and the trend line.
    * raw down (d < -threshold): **down**, until the money effect is positive and MA5 is above
      the trend line (downtrend exit -> **range**); the exit holds while MA5 stays at or above
      the trend line and is revoked when MA5 falls back below it.
    * raw range: **range**; the lock and the exit reset.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``close``: ``close, ma_fast, ma_short, ma_long, distance, raw_regime,
        trend_line, money_effect, uptrend_broken, break_confirmed, downtrend_exited, regime,
        regime_label, regime_days`` and, with ``turnover``, ``turnover, volume_level,
        volume_shrink`` (shrink only flagged in the range regime).
    """
    p = params or TimingParams()
    close = _check_series(close, min_len=p.long)
    out = pd.DataFrame(index=close.index)
    out["close"] = close
    out["ma_fast"] = sma(close, p.fast)
    out["ma_short"] = sma(close, p.short)
    out["ma_long"] = sma(close, p.long)
    out["distance"] = (out["ma_short"] - out["ma_long"]) / out["ma_long"]
    out["raw_regime"] = regime(out["distance"], p.threshold)
    out["trend_line"] = trend_line(close, p.trend_method, p.trend_window)
    out["money_effect"] = money_effect(close, out["trend_line"])
    ma_confirm = out["ma_short"] if p.confirm_window == p.short else sma(close, p.confirm_window)
    raw = out["raw_regime"].fillna(-2).to_numpy(dtype=np.int8)
    from quantlib._timing_nb import timing_state_nb

    final, broken, confirmed, exited, days = timing_state_nb(
        raw, out["ma_fast"].to_numpy(), out["trend_line"].to_numpy(), ma_confirm.to_numpy(),
        out["money_effect"].to_numpy())
    out["uptrend_broken"] = broken
    out["break_confirmed"] = confirmed
    out["downtrend_exited"] = exited
    out["regime"] = pd.Series(final, index=close.index, dtype="Int8").mask(raw == -2)
    out["regime_label"] = out["regime"].map(REGIME_LABELS).astype("object")
    out["regime_days"] = pd.Series(days, index=close.index, dtype="Int64").mask(raw == -2)
    if turnover is not None:
        turnover = _check_series(turnover.reindex(close.index), "turnover")
        level = volume_level(turnover, p.volume_rule, p.volume_level, p.volume_window)
        out["turnover"] = turnover
        out["volume_level"] = level
        shrink = volume_shrink(turnover, level, close, p.volume_window, p.volume_min_fall)
        out["volume_shrink"] = shrink & (out["regime"] == RANGE).fillna(False)
    return out


def snapshot(state: pd.DataFrame, date: str | pd.Timestamp | None = None) -> dict[str, object]:
    """The timing block of one day (default the last): every quantity, the regime and since when.

    ``date`` may be a non-trading day: the last trading day on or before it is used.

    Raises
    ------
    DataValidationError
        ``date`` is before the data, or inside the warm-up where the regime is undefined.
    """
    from quantlib._dates import day_on_or_before

    day = day_on_or_before(state.index, date)
    row = state.loc[day]
    if pd.isna(row["regime"]):
        first = state["regime"].first_valid_index()
        raise DataValidationError(
            f"date {day.date()} is inside the warm-up: the regime needs {len(state.loc[:first])} "
            f"days of history (the long MA window); the first defined day is "
            f"{first.date() if first is not None else 'never'}."
        )
    days = int(row["regime_days"])
    since = state.index[state.index.get_loc(day) - days + 1]
    out: dict[str, object] = {"date": str(day.date())}
    for col in ("close", "ma_fast", "ma_short", "ma_long", "distance", "trend_line",
                "money_effect"):
        out[col] = float(row[col])
    out["raw_regime"] = REGIME_LABELS[int(row["raw_regime"])]
    out["regime"] = str(row["regime_label"])
    out["regime_days"] = days
    out["regime_since"] = str(since.date())
    for col in ("uptrend_broken", "break_confirmed", "downtrend_exited", "volume_shrink"):
        if col in row:
            out[col] = bool(row[col])
    for col in ("turnover", "volume_level"):
        if col in row and pd.notna(row[col]):
            out[col] = float(row[col])
    return out


def regime_changes(state: pd.DataFrame, start: str | pd.Timestamp | None = None,
                   end: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Days on which the final regime changed, with the regime left and its length."""
    regimes = state["regime_label"]
    previous = regimes.shift(1)
    changed = regimes.ne(previous) & regimes.notna() & previous.notna()
    out = state.loc[changed, ["close", "distance", "money_effect", "regime_label"]].copy()
    out.insert(0, "previous", previous[changed])
    out["previous_lasted_days"] = state["regime_days"].shift(1)[changed]
    return out.rename(columns={"regime_label": "regime"}).loc[start:end]


def timing_frame(close: pd.DataFrame, params: TimingParams | None = None
                 ) -> dict[str, pd.DataFrame]:
    """:func:`timing_state` for many series at once (dates x codes), e.g. the 31 industries.

    Each column may start late (NaN before its first close) but must have no NaN after it.
    The moving averages are computed frame-wide; the numba state machine runs per column.
    Column by column the result equals :func:`timing_state` on that column's series
    (``tests/test_timing.py``), at a fraction of the cost.

    Returns
    -------
    dict of DataFrames (dates x codes, float64; regimes 1 / 0 / -1, NaN in warm-up):
    ``ma_fast, ma_short, ma_long, distance, raw_regime, trend_line, money_effect, regime,
    regime_days, uptrend_broken, break_confirmed, downtrend_exited``.
    """
    p = params or TimingParams()
    if not isinstance(close, pd.DataFrame):
        raise DataValidationError("timing_frame needs a DataFrame (dates x codes); use "
                                  "timing_state for one series.")
    _check_series(close.iloc[:, 0].fillna(0.0), "close index")  # index checks only
    started = close.notna().cummax()
    holes = started & close.isna()
    if holes.any().any():
        bad = holes.any()[lambda s: s].index.tolist()
        raise DataValidationError(f"timing_frame: column(s) {bad} have NaN after their first "
                                  "close; run timing_state on each of them after handling it.")
    close = close.astype("float64")
    out = {"ma_fast": sma(close, p.fast), "ma_short": sma(close, p.short),
           "ma_long": sma(close, p.long)}
    out["distance"] = (out["ma_short"] - out["ma_long"]) / out["ma_long"]
    if p.trend_method == "sma":
        out["trend_line"] = sma(close, p.trend_window)
    else:
        out["trend_line"] = close.apply(lambda s: trend_line(s.dropna(), p.trend_method,
                                                             p.trend_window).reindex(s.index))
    out["money_effect"] = close / out["trend_line"] - 1.0
    ma_confirm = out["ma_short"] if p.confirm_window == p.short else sma(close, p.confirm_window)
    d = out["distance"].to_numpy()
    raw = np.where(d > p.threshold, UP, np.where(d < -p.threshold, DOWN, RANGE)).astype(np.int8)
    raw[np.isnan(d)] = -2
    out["raw_regime"] = pd.DataFrame(np.where(raw == -2, np.nan, raw), close.index,
                                     close.columns)
    from quantlib._timing_nb import timing_state_nb

    names = ("regime", "uptrend_broken", "break_confirmed", "downtrend_exited", "regime_days")
    cols = {k: np.full(close.shape, np.nan) for k in names}
    fast, trend = out["ma_fast"].to_numpy(), out["trend_line"].to_numpy()
    conf, money = ma_confirm.to_numpy(), out["money_effect"].to_numpy()
    for j in range(close.shape[1]):
        res = timing_state_nb(raw[:, j], fast[:, j], trend[:, j], conf[:, j], money[:, j])
        for k, v in zip(names, res, strict=True):
            cols[k][:, j] = v
    warm = raw == -2
    cols["regime"][warm] = np.nan
    cols["regime_days"][warm] = np.nan
    for k in names:
        out[k] = pd.DataFrame(cols[k], index=close.index, columns=close.columns)
    return out


@dataclass(frozen=True)
class TimingBatch:
    """The shared inputs of many timing combinations (see :func:`timing_batch`).

    ``sma`` (W, T): every MA window the batch needs; ``fast``/``confirm`` (T,): MA5 and MA20;
    ``trend``/``money`` (K, T): trend line and money effect per trend definition; per
    combination: the rows ``s_idx``/``l_idx`` of ``sma``, ``threshold``, the row ``k_idx`` of
    ``trend``/``money``, ``range_weight`` and ``use_rules``.
    """

    sma: np.ndarray
    fast: np.ndarray
    confirm: np.ndarray
    trend: np.ndarray
    money: np.ndarray
    s_idx: np.ndarray
    l_idx: np.ndarray
    threshold: np.ndarray
    k_idx: np.ndarray
    range_weight: np.ndarray
    use_rules: np.ndarray

    def kernel_args(self) -> tuple[np.ndarray, ...]:
        """The arrays in the order of ``quantlib._timing_nb.timing_weights_nb``."""
        return (self.sma, self.fast, self.confirm, self.trend, self.money, self.s_idx,
                self.l_idx, self.threshold, self.k_idx, self.range_weight, self.use_rules)


def timing_batch(close: pd.Series, short: Any, long: Any, threshold: Any, trend_method: Any,
                 trend_window: Any, range_weight: Any, use_rules: Any) -> TimingBatch:
    """Every moving average, trend line and money effect that many timing parameter sets need,
    each computed once with the same pandas calls as :func:`timing_state` (so values are
    bitwise equal), and each combination's rows in them. Each argument after ``close`` is a
    sequence with one value per combination."""
    close = _check_series(close)
    short_a = np.asarray(short, dtype=np.int64)
    long_a = np.asarray(long, dtype=np.int64)
    methods = [str(m) for m in trend_method]
    tw = [int(w) for w in trend_window]
    windows = sorted({*map(int, short_a), *map(int, long_a)})
    sma_rows = np.vstack([sma(close, w).to_numpy() for w in windows])
    trends = sorted(set(zip(methods, tw, strict=True)))
    lines = [trend_line(close, m, w) for m, w in trends]
    trend = np.vstack([x.to_numpy() for x in lines])
    money = np.vstack([money_effect(close, x).to_numpy() for x in lines])
    tp = TimingParams()
    pos = {w: i for i, w in enumerate(windows)}
    kpos = {k: i for i, k in enumerate(trends)}
    return TimingBatch(
        sma=sma_rows, fast=sma(close, tp.fast).to_numpy(),
        confirm=sma(close, tp.confirm_window).to_numpy(), trend=trend, money=money,
        s_idx=np.array([pos[int(v)] for v in short_a], dtype=np.int64),
        l_idx=np.array([pos[int(v)] for v in long_a], dtype=np.int64),
        threshold=np.asarray(threshold, dtype=np.float64),
        k_idx=np.array([kpos[k] for k in zip(methods, tw, strict=True)], dtype=np.int64),
        range_weight=np.asarray(range_weight, dtype=np.float64),
        use_rules=np.asarray(use_rules, dtype=np.bool_))


def regime_weights_batch(close: pd.Series, short: Any, long: Any, threshold: Any,
                         trend_method: Any, trend_window: Any, range_weight: Any,
                         use_rules: Any) -> np.ndarray:
    """Target weights of many timing parameter sets at once: (T, B), NaN where unchanged.

    Each argument after ``close`` is a sequence with one value per combination B. The weight
    is 1 in an uptrend, ``range_weight`` in a range, 0 in a downtrend (the final regime of
    :func:`timing_state` with its break/exit rules when ``use_rules``, else the raw threshold
    regime). The shared series come from :func:`timing_batch`; a numba kernel derives every
    combination's regime in parallel. A value is kept only where it changes (NaN = no new
    decision), as a strategy emitting rows on changes would.
    """
    from quantlib._timing_nb import timing_weights_nb

    tb = timing_batch(close, short, long, threshold, trend_method, trend_window,
                      range_weight, use_rules)
    out = np.empty((tb.sma.shape[1], len(tb.s_idx)), order="F")
    timing_weights_nb(*tb.kernel_args(), out)  # type: ignore[call-arg]  # numba dispatcher
    # rows only where a combination's target changes: NaN = hold (engine nan_rows="hold");
    # before the first change the portfolio is all cash either way
    out[1:][out[1:] == out[:-1]] = np.nan
    out[0][out[0] == 0.0] = np.nan  # from an all-cash start a target of 0 is no change
    return out
