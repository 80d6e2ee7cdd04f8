"""Valuation-percentile position management (docs/position.md; 仓位管理模型).

Three pure steps turn a valuation history and the timing regime into an equity weight:

1. :func:`valuation_percentile`: each day's PE (or PB) as a percentile of its own history since
   ``start`` (default 2014-10-17, the report's window), causal.
2. :func:`valuation_class`: ``cheap`` / ``normal`` / ``expensive`` from the PE and PB
   percentiles by a named rule (:data:`CLASS_RULES`, or a :class:`ClassRule`).
3. :func:`position`: the report's 3x3 table (regime x class -> equity weight).

Percentile formula (``method``), for today's value ``x_t`` among the ``n`` values of the window
(today included): ``L`` = number of values ``< x_t``, ``E`` = number equal to ``x_t`` (today
counts, so ``E >= 1``)::

    mean   (default): 100 * (L + E / 2) / n      ties count half; first day = 50
    weak            : 100 * (L + E) / n          share of history <= today; first day = 100
    strict          : 100 * L / n                share of history <  today; first day = 0

``weak`` equals pandas ``expanding().rank(method="max", pct=True) * 100``; pandas' default
``method="average"`` gives ``100 * (L + (E + 1) / 2) / n``, which is ``mean`` plus ``50 / n``
(it puts the first day at 100). The window holds the days from ``start`` on (earlier days are
excluded, and their percentile is NaN); with ``window=w`` only the last ``w`` observations
(fewer until ``w`` are available). All values in percent, 0..100.

PB alignment: the all-A median PB misses days of the WIND All A calendar. Percentiles are
computed on each series' own dates (no artificial duplicates), then put on the calendar by
:func:`align_asof`: the last value on or before each day (causal), NaN once it is more than
``max_stale`` trading days old. No other fill happens anywhere.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from quantlib.errors import DataValidationError, DateRangeError, QuantlibError, UnknownNameError
from quantlib.i18n import Message

__all__ = [
    "CLASSES",
    "CLASS_RULES",
    "COMBINES",
    "DEFAULT_CLASS_RULE",
    "PERCENTILE_METHODS",
    "REGIME_KEYS",
    "REPORT_START",
    "REPORT_TABLE",
    "ClassRule",
    "PositionModel",
    "PositionTableError",
    "align_asof",
    "check_table",
    "position",
    "position_state",
    "snapshot",
    "valuation_class",
    "valuation_percentile",
]

REPORT_START = "2014-10-17"
PERCENTILE_METHODS = ("mean", "weak", "strict")
CLASSES = ("cheap", "normal", "expensive")
#: Row order of a position table and the regime codes of :mod:`quantlib.timing`.
REGIME_KEYS = (("up", 1), ("range", 0), ("down", -1))
#: The report's table (framework paper), as fractions: rows up/range/down, columns
#: cheap/normal/expensive.
REPORT_TABLE: tuple[tuple[float, ...], ...] = ((0.9, 0.8, 0.7), (0.6, 0.5, 0.4),
                                               (0.3, 0.2, 0.1))
COMBINES = ("pe", "pb", "max", "min", "mean")


class PositionTableError(QuantlibError, ValueError):
    """A position table that is not 3x3 or holds weights outside [0, 1]."""


@dataclass(frozen=True)
class ClassRule:
    """How the PE and PB percentiles make one valuation class.

    ``score = combine(pe_pct, pb_pct)``; ``cheap`` if ``score <= cheap_max``, ``expensive`` if
    ``score >= expensive_min``, ``normal`` otherwise (both cut-offs inclusive on the outer side).

    Attributes
    ----------
    combine : str
        ``pe`` (PE only), ``pb`` (PB only), ``max``, ``min`` or ``mean`` of the two.
    cheap_max, expensive_min : float
        Cut-offs in percent, ``0 <= cheap_max < expensive_min <= 100``.
    """

    combine: str = "mean"
    cheap_max: float = 30.0
    expensive_min: float = 70.0

    def __post_init__(self) -> None:
        if self.combine not in COMBINES:
            raise UnknownNameError("percentile combination", self.combine, COMBINES)
        if not 0.0 <= self.cheap_max < self.expensive_min <= 100.0:
            raise DataValidationError(
                f"cut-offs must satisfy 0 <= cheap_max < expensive_min <= 100 (percent), got "
                f"cheap_max={self.cheap_max!r}, expensive_min={self.expensive_min!r}.")

    @property
    def name(self) -> str:
        return f"{self.combine}_{self.cheap_max:g}_{self.expensive_min:g}"


def _named_rules() -> dict[str, ClassRule]:
    rules = [ClassRule(c, lo, hi) for c in COMBINES for lo, hi in ((20, 80), (30, 70))]
    rules += [ClassRule("pe", 40, 90), ClassRule("pb", 20, 80), ClassRule("mean", 32.5, 80)]
    return {r.name: r for r in rules}


#: Named rules offered by :func:`valuation_class` (``scripts/calibrate_position.py`` fits them).
CLASS_RULES: dict[str, ClassRule] = _named_rules()
#: Default: mean of the PE and PB percentiles, cheap <= 32.5, expensive >= 80. The cheap cut
#: lies midway between the printed tuples that bracket it (PE 40 / PB 20, mean 30: cheap;
#: PE 60 / PB 10, mean 35: normal); the report prints PE 85 / PB 50 (mean 67.5) as normal and
#: we read PE 90 / PB 50 (mean 70) the same way (a high PE alone is not expensive),
#: so expensive needs more than 70, and 80 sits inside the plateau 75..95 where the fit does
#: not change. 8 of 11 printed positions, the upper bound; the half split 5 of 6 (docs/position.md).
#: The first default ``mean_30_70`` put the cheap cut exactly on a printed tuple and the
#: expensive cut exactly on PE 90 / PB 50.
DEFAULT_CLASS_RULE = "mean_32.5_80"


def _check_valuation(series: pd.Series, what: str) -> pd.Series:
    if not isinstance(series, pd.Series) or not isinstance(series.index, pd.DatetimeIndex):
        raise DataValidationError(f"{what} must be a pandas Series with a DatetimeIndex, "
                                  f"got {type(series).__name__}.")
    if not series.index.is_monotonic_increasing or series.index.has_duplicates:
        raise DataValidationError(f"{what}: dates must be sorted and unique; sort and "
                                  "de-duplicate the index first.")
    values = series.to_numpy(dtype="float64")
    nan = np.isnan(values)
    if nan.any():
        run = _longest_run(nan)
        first = series.index[nan][0].date()
        raise DataValidationError(
            f"{what} has {int(nan.sum())} NaN value(s) (first {first}, longest run {run} days); "
            "a percentile would count them silently. Drop them (series.dropna(): the percentile "
            "then uses the days with data) and put the result on a calendar with align_asof().")
    if (values <= 0).any():
        i = int(np.argmax(values <= 0))
        raise DataValidationError(
            f"{what} has {int((values <= 0).sum())} non-positive value(s) (first on "
            f"{series.index[i].date()}: {values[i]!r}); "
            "PE/PB of a loss-making or broken aggregate are not comparable. Pass a positive "
            "valuation series (drop or replace those days explicitly).")
    return series.astype("float64")


def _longest_run(mask: np.ndarray) -> int:
    best = cur = 0
    for m in mask:
        cur = cur + 1 if m else 0
        best = max(best, cur)
    return best


def _percentiles(values: np.ndarray, method: str, window: int | None) -> np.ndarray:
    """Percentile of each value within the values before it (and itself): sorted-list walk."""
    out = np.empty(len(values))
    hist: list[float] = []
    for t, x in enumerate(values):
        if window is not None and t >= window:
            hist.pop(bisect.bisect_left(hist, values[t - window]))
        bisect.insort(hist, x)
        lo, hi, n = bisect.bisect_left(hist, x), bisect.bisect_right(hist, x), len(hist)
        out[t] = {"mean": (lo + hi) / 2.0, "weak": hi, "strict": lo}[method] * 100.0 / n
    return out


def valuation_percentile(series: pd.Series, *, start: str | pd.Timestamp | None = REPORT_START,
                         method: str = "mean", window: int | None = None,
                         min_periods: int = 1) -> pd.Series:
    """Return each day's value as a percentile (0..100) of its own history since ``start``.

    Parameters
    ----------
    series : Series
        Daily PE or PB, DatetimeIndex sorted, positive, no NaN.
    start : date-like or None
        First day of the history (the report's 2014-10-17 by default); earlier days are
        excluded and get NaN. None: from the first day of the data.
    method : {"mean", "weak", "strict"}
        Tie rule, see the module docstring (``mean``: ties count half).
    window : int, optional
        Rolling window in observations (trading days); None: expanding.
    min_periods : int
        NaN until the history holds this many observations.

    Returns
    -------
    Series of float, same index as ``series``. Causal: the value on t uses days <= t only.

    Raises
    ------
    DataValidationError, DateRangeError, UnknownNameError
    """
    if method not in PERCENTILE_METHODS:
        raise UnknownNameError("percentile method", method, PERCENTILE_METHODS)
    for name, val in (("window", window), ("min_periods", min_periods)):
        if val is not None and (not isinstance(val, int | np.integer) or val < 1):
            raise DataValidationError(f"{name} must be a positive integer, got {val!r}.")
    series = _check_valuation(series, "valuation series")
    mask = np.ones(len(series), dtype=bool)
    if start is not None:
        first = pd.Timestamp(start)
        if len(series) == 0 or first > series.index[-1]:
            end = series.index[-1].date() if len(series) else "empty"
            raise DateRangeError(f"percentile start {first.date()} is after the data (last day "
                                 f"{end}); pass an earlier start, or start=None.")
        mask = series.index >= first
    out = np.full(len(series), np.nan)
    pct = _percentiles(series.to_numpy()[mask], method, window)
    count = np.arange(1, mask.sum() + 1)
    if window is not None:
        count = np.minimum(count, window)
    out[mask] = np.where(count >= min_periods, pct, np.nan)
    return pd.Series(out, index=series.index, name=series.name)


def align_asof(series: pd.Series, calendar: pd.DatetimeIndex, *, max_stale: int = 10) -> pd.Series:
    """Put ``series`` on ``calendar``: the last value on or before each day (an as-of join).

    Causal (never uses a later value). A day whose last value is more than ``max_stale``
    calendar rows old, or that precedes the series, gets NaN. NaN in ``series`` is dropped
    first (a missing value is "no observation", it does not reset the as-of value).
    """
    if not isinstance(calendar, pd.DatetimeIndex):
        raise DataValidationError(f"calendar must be a DatetimeIndex, got {type(calendar)}.")
    src = series.dropna()
    pos = _asof_positions(src.index, calendar, max_stale)
    values = np.where(pos >= 0, src.to_numpy(dtype="float64")[np.maximum(pos, 0)], np.nan)
    return pd.Series(values, index=calendar, name=series.name)


def _asof_positions(dates: pd.DatetimeIndex, calendar: pd.DatetimeIndex,
                    max_stale: int) -> np.ndarray:
    """Row in ``dates`` of the as-of value for each calendar day; -1 where none or too stale."""
    pos = dates.searchsorted(calendar, side="right") - 1
    # staleness in calendar rows: rows since the last calendar day <= the source date used
    src_row = calendar.searchsorted(dates[np.maximum(pos, 0)], side="right") - 1
    stale = np.arange(len(calendar)) - src_row
    return np.where((pos < 0) | (stale > max_stale), -1, pos)


def _rule(rule: str | ClassRule) -> ClassRule:
    if isinstance(rule, ClassRule):
        return rule
    if rule not in CLASS_RULES:
        raise UnknownNameError("valuation class rule", str(rule), CLASS_RULES)
    return CLASS_RULES[rule]


def valuation_class(pe_pct: Any, pb_pct: Any, *,
                    rule: str | ClassRule = DEFAULT_CLASS_RULE) -> Any:
    """Classify valuation as ``cheap`` / ``normal`` / ``expensive`` from two percentiles.

    Parameters
    ----------
    pe_pct, pb_pct : float or Series
        PE and PB percentiles in percent (0..100), aligned Series or scalars.
    rule : str or ClassRule
        A name of :data:`CLASS_RULES` (``"{combine}_{cheap_max}_{expensive_min}"``) or a rule.

    Returns
    -------
    str (scalars; None when an input is NaN) or Series of object (None where undefined).
    """
    r = _rule(rule)
    pe, pb = np.asarray(pe_pct, dtype="float64"), np.asarray(pb_pct, dtype="float64")
    stack = np.stack(np.broadcast_arrays(pe, pb))
    if r.combine == "pe":
        score = stack[0]
    elif r.combine == "pb":
        score = stack[1]
    else:
        with np.errstate(invalid="ignore"):
            score = getattr(np, r.combine)(stack, axis=0)
    missing = np.isnan(stack).any(axis=0) if r.combine in ("max", "min", "mean") \
        else np.isnan(score)
    labels = np.where(score <= r.cheap_max, "cheap",
                      np.where(score >= r.expensive_min, "expensive", "normal")).astype(object)
    labels[missing] = None
    if isinstance(pe_pct, pd.Series) or isinstance(pb_pct, pd.Series):
        index = pe_pct.index if isinstance(pe_pct, pd.Series) else pb_pct.index
        return pd.Series(labels, index=index, dtype=object, name="valuation_class")
    return labels.item() if labels.ndim == 0 else labels


def check_table(table: Sequence[Sequence[float]] | pd.DataFrame) -> np.ndarray:
    """Validate a position table and return it as a 3x3 float array (rows up/range/down).

    A DataFrame must have index ``up, range, down`` and columns ``cheap, normal, expensive``
    (any order); a nested sequence is read in that order.
    """
    if isinstance(table, pd.DataFrame):
        rows, cols = [k for k, _ in REGIME_KEYS], list(CLASSES)
        if sorted(map(str, table.index)) != sorted(rows) or \
                sorted(map(str, table.columns)) != sorted(cols):
            raise PositionTableError(
                f"a table DataFrame needs index {rows} and columns {cols}; got index "
                f"{list(table.index)} and columns {list(table.columns)}.")
        table = table.loc[rows, cols].to_numpy()
    try:
        arr = np.asarray(table, dtype="float64")
    except (TypeError, ValueError) as exc:
        raise PositionTableError(f"the position table must be 3x3 numbers: {exc}") from exc
    if arr.shape != (3, 3):
        raise PositionTableError(
            f"the position table must be 3x3 (rows up/range/down, columns cheap/normal/"
            f"expensive), got shape {arr.shape}.")
    if not ((arr >= 0) & (arr <= 1)).all():
        raise PositionTableError(
            f"table weights must be fractions in [0, 1] (0.9 = 90%), got {arr.tolist()}; "
            "divide percentages by 100.")
    return arr


def _regime_rows(regime: Any) -> np.ndarray:
    codes: dict[object, int] = {**{k: i for i, (k, _) in enumerate(REGIME_KEYS)},
             **{c: i for i, (_, c) in enumerate(REGIME_KEYS)}}
    flat = np.asarray(pd.Series(regime).astype(object), dtype=object)
    rows = np.full(len(flat), -1)
    for i, v in enumerate(flat):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            continue
        key = int(v) if isinstance(v, int | np.integer | float) else str(v)
        if key not in codes:
            raise UnknownNameError("regime", str(v), [k for k, _ in REGIME_KEYS])
        rows[i] = codes[key]
    return rows


def position(regime: Any, valuation_class: Any, *,
             table: Sequence[Sequence[float]] | pd.DataFrame = REPORT_TABLE) -> Any:
    """Return the equity weight for a regime and a valuation class (the report's 3x3 table).

    Parameters
    ----------
    regime : int, str or Series
        1 / 0 / -1 (``quantlib.timing`` codes) or ``"up"`` / ``"range"`` / ``"down"``.
    valuation_class : str or Series
        ``cheap`` / ``normal`` / ``expensive`` (:func:`valuation_class`).
    table : 3x3 nested sequence or DataFrame
        Weights in [0, 1]; default :data:`REPORT_TABLE` (up 0.9/0.8/0.7, range 0.6/0.5/0.4,
        down 0.3/0.2/0.1).

    Returns
    -------
    float (scalars) or Series (NaN where the regime or the class is missing).
    """
    arr = check_table(table)
    rows = _regime_rows(regime)
    cls = np.asarray(pd.Series(valuation_class).astype(object), dtype=object)
    cols = np.full(len(cls), -1)
    for i, v in enumerate(cls):
        if isinstance(v, str):
            if v not in CLASSES:
                raise UnknownNameError("valuation class", v, CLASSES)
            cols[i] = CLASSES.index(v)
    if len(rows) != len(cols):
        raise DataValidationError(f"regime ({len(rows)}) and valuation_class ({len(cols)}) "
                                  "have different lengths; align them first.")
    if isinstance(regime, pd.Series) and isinstance(valuation_class, pd.Series) \
            and not regime.index.equals(valuation_class.index):
        raise DataValidationError("regime and valuation_class have different indexes; align "
                                  "them first (e.g. valuation_class.reindex(regime.index)).")
    ok = (rows >= 0) & (cols >= 0)
    out = np.where(ok, arr[np.maximum(rows, 0), np.maximum(cols, 0)], np.nan)
    for s in (regime, valuation_class):
        if isinstance(s, pd.Series):
            return pd.Series(out, index=s.index, name="position")
    return float(out[0])


@dataclass(frozen=True)
class PositionModel:
    """Every choice of the position model, defaulting to the report's (and our fitted) ones.

    Attributes
    ----------
    start : str
        First day of the percentile history (report: 2014-10-17).
    method : str
        Percentile tie rule (:data:`PERCENTILE_METHODS`).
    window : int or None
        Rolling percentile window in trading days; None = expanding (report).
    rule : str or ClassRule
        Valuation class rule (default :data:`DEFAULT_CLASS_RULE`).
    table : tuple
        3x3 position table (default :data:`REPORT_TABLE`).
    max_stale : int
        As-of join: a PB/PE value older than this many trading days is not used.
    timing : TimingParams or None
        Regime parameters (None: the report's, ``quantlib.timing.TimingParams()``).
    """

    start: str = REPORT_START
    method: str = "mean"
    window: int | None = None
    rule: str | ClassRule = DEFAULT_CLASS_RULE
    table: tuple[tuple[float, ...], ...] = REPORT_TABLE
    max_stale: int = 10
    timing: Any = None

    def __post_init__(self) -> None:
        if self.method not in PERCENTILE_METHODS:
            raise UnknownNameError("percentile method", self.method, PERCENTILE_METHODS)
        _rule(self.rule)
        check_table(self.table)


def position_state(close: pd.Series, pe: pd.Series, pb: pd.Series,
                   model: PositionModel | None = None) -> pd.DataFrame:
    """Compute the position model day by day on the calendar of ``close``.

    ``pe`` and ``pb`` are the raw valuation series on their own dates (NaN rows dropped):
    percentiles are computed there, then both values and percentiles are put on the calendar
    by :func:`align_asof`. The regime is :func:`quantlib.timing.timing_state` on ``close``.

    Returns
    -------
    DataFrame indexed like ``close``: ``close, regime, regime_label, pe, pe_date, pe_pct, pb,
    pb_date, pb_pct, valuation_class, position`` (NaN/None where any input is undefined).
    ``*_date`` is the source date each as-of value comes from.
    """
    from quantlib.timing import timing_state

    m = model or PositionModel()
    state = timing_state(close, params=m.timing)
    out = pd.DataFrame({"close": state["close"], "regime": state["regime"],
                        "regime_label": state["regime_label"]}, index=close.index)
    for name, raw in (("pe", pe), ("pb", pb)):
        src = _check_valuation(raw.dropna(), name)
        pct = valuation_percentile(src, start=m.start, method=m.method, window=m.window)
        pos = _asof_positions(src.index, close.index, m.max_stale)
        ok = pos >= 0
        out[name] = np.where(ok, src.to_numpy()[np.maximum(pos, 0)], np.nan)
        out[f"{name}_date"] = pd.DatetimeIndex(src.index[np.maximum(pos, 0)]).where(ok)
        out[f"{name}_pct"] = np.where(ok, pct.to_numpy()[np.maximum(pos, 0)], np.nan)
    out["valuation_class"] = valuation_class(out["pe_pct"], out["pb_pct"], rule=m.rule)
    out["position"] = position(out["regime"], out["valuation_class"], table=m.table)
    return out


def snapshot(state: pd.DataFrame, date: str | pd.Timestamp | None = None,
             *, model: PositionModel | None = None) -> dict[str, Any]:
    """The position block of one day (default the last) from :func:`position_state`'s frame.

    ``date`` may be a non-trading day: the last trading day on or before it is used.

    Raises
    ------
    DataValidationError
        ``date`` is before the data, or no position is defined there (PE/PB or regime warm-up).
    """
    from quantlib._dates import day_on_or_before

    m = model or PositionModel()
    day = day_on_or_before(state.index, date)
    row = state.loc[day]
    if pd.isna(row["position"]):
        first = state["position"].first_valid_index()
        raise DataValidationError(Message(
            "v.no_position", day=day.date(),
            first=first.date() if first is not None else Message("v.none")))
    start = pd.Timestamp(m.start)

    def window_start(col: str) -> str:
        dates = pd.DatetimeIndex(state[col].dropna())
        return str(dates[dates >= start].min().date())

    return {
        "date": str(day.date()), "close": float(row["close"]),
        "pe": float(row["pe"]), "pe_date": str(row["pe_date"].date()),
        "pe_pct": float(row["pe_pct"]), "pb": float(row["pb"]),
        "pb_date": str(row["pb_date"].date()), "pb_pct": float(row["pb_pct"]),
        "window": Message("v.window", span=Message("span", start=start.date(), end=day.date())),
        "pe_window_start": window_start("pe_date"), "pb_window_start": window_start("pb_date"),
        "rule": str(m.rule), "valuation_class": str(row["valuation_class"]),
        "regime": str(row["regime_label"]), "position": float(row["position"]),
    }


#: The notes the CLI prints (English as the string, Chinese by ``.render("zh")``).
PROXY_NOTE = Message("p.proxy")
WIND_NOTE = Message("timing.proxy")


#: The SSE's share of the SSE + SZSE market capitalisation used by :func:`all_market_pe_pb`
#: (legulegu's market frames carry no market cap). A documented constant, not a measured
#: series: the SSE held roughly 55-65% of A-share capitalisation over 2015-2025.
SH_CAP_SHARE = 0.6

LG_NOTE = Message("v.lg_note", w=SH_CAP_SHARE)
INPUT_LABELS = {
    "proxy": {"pe": Message("v.pe_proxy"), "pb": Message("v.pb_proxy")},
    "legulegu": {"pe": Message("v.pe_lg"), "pb": Message("v.pb_lg")},
}


def all_market_pe_pb(pe_panel: pd.DataFrame, pb_panel: pd.DataFrame,
                     sh_weight: float = SH_CAP_SHARE) -> tuple[pd.Series, pd.Series]:
    """All-market PE and PB from the 上证 (``sh``) and 深证 (``sz``) market figures.

    Each market's figure is its total market cap over its total earnings (book value), so the
    two markets together are ``(C_sh + C_sz) / (C_sh / PE_sh + C_sz / PE_sz)``: the
    capitalisation-weighted harmonic mean ``1 / (w / PE_sh + (1 - w) / PE_sz)`` with ``w`` the
    SSE's cap share (:data:`SH_CAP_SHARE`). Dates where either market has no value are left
    out (never filled).

    Parameters
    ----------
    pe_panel : DataFrame
        Dates x codes PE (``load("market_pe_lg")["pe"]``) with columns ``sh`` and ``sz``.
    pb_panel : DataFrame
        Dates x codes cap-weighted PB (``load("market_pb_lg")["pb"]``), same codes.
    """
    if not 0 < sh_weight < 1:
        raise DataValidationError(f"sh_weight={sh_weight} must be a share in (0, 1).")

    def combine(panel: pd.DataFrame, what: str) -> pd.Series:
        missing = [c for c in ("sh", "sz") if c not in panel]
        if missing:
            raise DataValidationError(f"{what} lacks market code(s) {missing}; refresh it "
                                      "with all its codes.")
        both = panel[["sh", "sz"]].dropna()
        out = 1.0 / (sh_weight / both["sh"] + (1.0 - sh_weight) / both["sz"])
        return out.rename(what)

    return combine(pe_panel, "market_pe_lg"), combine(pb_panel, "market_pb_lg")


def valuation_inputs(cache_dir: str | Path | None) -> tuple[pd.Series, pd.Series, str]:
    """The PE and PB series the position model reads, and which they are.

    ``"legulegu"`` when ``market_pe_lg`` and ``market_pb_lg`` are both in the cache (a user
    cache after ``quantlib data refresh``): :func:`all_market_pe_pb`. Otherwise ``"proxy"``:
    the CSI All Share PE-TTM and the all-A median PB of the bundled snapshot.
    """
    from quantlib.data import load
    from quantlib.errors import NotCachedError

    try:
        pe_panel = load("market_pe_lg", cache_dir=cache_dir)["pe"]
        pb_panel = load("market_pb_lg", cache_dir=cache_dir)["pb"]
    except NotCachedError:
        pe = load("csi_all_share", columns=["pe_ttm"], cache_dir=cache_dir)["pe_ttm"]
        pb = load("all_a_pb", cache_dir=cache_dir)["pb_median"]
        return pe, pb, "proxy"
    pe, pb = all_market_pe_pb(pe_panel, pb_panel)
    return pe, pb, "legulegu"


def load_position_state(cache_dir: str | Path | None, rule: str | None = None
                        ) -> tuple[Any, Any, Any]:
    """Load WIND All A and the PE/PB inputs (hash-checked) and run the position model.

    The inputs are :func:`valuation_inputs`' (the legulegu all-market figures when cached, else
    the proxies); which ones is in ``state.attrs["inputs"]``.

    Returns ``(wind, model, state)``: the WIND frame (close, is_proxy), the
    :class:`~quantlib.valuation.PositionModel` and :func:`~quantlib.valuation.position_state`.
    """
    from quantlib.data import load
    from quantlib.valuation import DEFAULT_CLASS_RULE, PositionModel, position_state

    wind = load("wind_all_a", columns=["close", "is_proxy"], cache_dir=cache_dir)
    pe, pb, source = valuation_inputs(cache_dir)
    model = PositionModel(rule=rule or DEFAULT_CLASS_RULE)
    close = wind["close"].loc[wind["close"].first_valid_index():]
    state = position_state(close, pe, pb, model)
    state.attrs["inputs"] = source
    return wind, model, state


def used_datasets(source: str) -> tuple[str, ...]:
    """The datasets the position model reads with inputs ``source`` (for freshness)."""
    valuation = (("market_pe_lg", "market_pb_lg") if source == "legulegu"
                 else ("csi_all_share", "all_a_pb"))
    return ("wind_all_a", *valuation)


def describe(wind: Any, model: Any, state: Any, date: str | None) -> dict[str, Any]:
    """:func:`quantlib.valuation.snapshot` of one day plus which inputs it used and the notes
    the CLI prints (``inputs``, ``pe_input``, ``pb_input``, ``proxy``, ``proxy_note``)."""
    from quantlib.valuation import snapshot

    snap = snapshot(state, date, model=model)
    source = state.attrs.get("inputs", "proxy")
    note = PROXY_NOTE if source == "proxy" else LG_NOTE
    snap.update(inputs=source, pe_input=INPUT_LABELS[source]["pe"],
                pb_input=INPUT_LABELS[source]["pb"], proxy=source == "proxy",
                proxy_note=note, inputs_note=note,
                wind_proxy=bool(wind.loc[snap["date"], "is_proxy"]))
    return snap
