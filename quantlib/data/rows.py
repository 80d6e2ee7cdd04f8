"""Row rules: what a row of market data must satisfy to be stored (refresh) or pass ``verify``.

:func:`validate_stored` (``schema.py``) checks the *shape* of a frame (columns, order,
duplicates, NaN); this module checks that its *values* can be real market data:

* prices (open/high/low/close, and the dataset's jump field such as ``pb_median``) are
  finite and > 0; other numeric fields are finite and >= 0 (PE may be negative: losses);
* high >= low, and open and close lie inside [low, high] when all four are present;
* dates carry no time of day, are not after today, and are trading days: on or before the
  last day of the ``trading_calendar`` dataset they must be in it, after it (the calendar
  cannot know later holidays) they must be Monday..Friday; monthly datasets are labelled by
  calendar month-end and only checked against today;
* the jump field moves by at most :data:`JUMP_LIMITS` from one row to the next (per code);
  before :data:`PRICE_LIMIT_START` (no daily price limits) the limit is
  :data:`EARLY_JUMP_LIMIT`;
* missing trading days inside the range (holes) are reported as notes, never filled.

:data:`KNOWN_QUIRKS` lists the few rows of the bundled snapshot that break a rule for a
documented reason; they are reported as notes instead of problems.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from quantlib.data.schema import DatasetSpec

__all__ = [
    "EARLY_JUMP_LIMIT",
    "JUMP_LIMITS",
    "KNOWN_QUIRKS",
    "OVERLAP_TOLERANCE",
    "PRICE_LIMIT_START",
    "holes",
    "row_problems",
]

PRICE_FIELDS = ("open", "high", "low", "close")
#: Daily price limits (10%) on Shanghai and Shenzhen stocks began on 1996-12-16. Before it an
#: index could double in a day (SSE Composite +105% on 1992-05-21 when limits were lifted).
PRICE_LIMIT_START = pd.Timestamp("1996-12-16")
EARLY_JUMP_LIMIT = 1.10
#: Dataset -> (field, largest allowed |v_t / v_(t-1) - 1| from PRICE_LIMIT_START on). Chosen
#: above the largest real move in the bundled data (``docs/data.md``, "Row rules"): broad
#: indices 10.0% (10% limits), industry indices 13.9%, CSI themes 16.6%, ETFs 20.0% (20% limits
#: on ChiNext/STAR), median PB 12.5%, margin balance 10.9%. ``sw_l1_pe_ttm`` has no limit: a
#: PE-TTM jumps when earnings collapse (801040 +364% in 2009-09).
JUMP_LIMITS: dict[str, tuple[str, float]] = {
    "wind_all_a": ("close", 0.15), "csi_all_share": ("close", 0.15), "hs300": ("close", 0.15),
    "sse_composite": ("close", 0.15), "sw_l1": ("close", 0.20), "citic_l1": ("close", 0.20),
    "csi_theme": ("close", 0.25), "etf": ("close", 0.25), "all_a_pb": ("pb_median", 0.20),
    "margin": ("fin_balance_cny", 0.20),
}
#: Largest relative difference between a fetched value and the cached one on an overlapping
#: date (after the splice ratio) that is taken as rounding, not as a revision. Index copies
#: from different vendors agree to 0.01 points (about 1e-5 relative).
OVERLAP_TOLERANCE = 1e-3
_SHOWN = 5  # offending rows named per rule


@dataclass(frozen=True)
class KnownQuirk:
    """Rows of the bundled snapshot that break a rule for a documented reason."""

    dataset: str
    code: str
    start: str
    end: str
    reason: str

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        rows = (frame["date"] >= self.start) & (frame["date"] <= self.end)
        if "code" in frame:
            rows &= frame["code"] == self.code
        return rows.to_numpy()


KNOWN_QUIRKS = (
    KnownQuirk("citic_l1", "CI005030", "2017-01-03", "2019-11-28",
               "open/high/low/volume are 0 before CI005030 traded (Wind export placeholder; "
               "close constant 1808.37)"),
)


def _label(frame: pd.DataFrame, mask: np.ndarray, detail: pd.Series | None = None) -> str:
    rows = frame.loc[mask]
    parts = []
    for i in rows.index[:_SHOWN]:
        text = str(pd.Timestamp(rows.at[i, "date"]).date())
        if "code" in rows:
            text = f"{rows.at[i, 'code']} {text}"
        if detail is not None:
            text += f" ({detail.at[i]})"
        parts.append(text)
    more = f" and {len(rows) - _SHOWN} more" if len(rows) > _SHOWN else ""
    return ", ".join(parts) + more


def _positive_fields(spec: DatasetSpec) -> list[str]:
    jump = JUMP_LIMITS.get(spec.name, ("", 0.0))[0]
    return [c for c in spec.column_names
            if c in PRICE_FIELDS or c == jump or c in ("preclose", "adj_factor")]


Finding = tuple[np.ndarray, str, "pd.Series | None"]  # offending rows, rule, value per row


def _bad_values(frame: pd.DataFrame, spec: DatasetSpec) -> list[Finding]:
    out = []
    positive = _positive_fields(spec)
    for col in spec.columns:
        if col.dtype != "float64":
            continue
        v = frame[col.name].to_numpy(dtype="float64")
        present = ~np.isnan(v)
        if col.name in positive:
            bad, rule = present & ~(np.isfinite(v) & (v > 0)), "must be finite and > 0"
        elif col.name.startswith("pe"):
            bad, rule = present & ~np.isfinite(v), "must be finite"
        else:
            bad, rule = present & ~(np.isfinite(v) & (v >= 0)), "must be finite and >= 0"
        if bad.any():
            out.append((bad, f"{col.name} {rule}", frame[col.name].map(lambda x: f"{x:g}")))
    return out


def _ohlc_outside(frame: pd.DataFrame, spec: DatasetSpec) -> list[Finding]:
    if not set(PRICE_FIELDS) <= set(spec.column_names):
        return []
    o, h, lo, c = (frame[f].to_numpy(dtype="float64") for f in PRICE_FIELDS)
    with np.errstate(invalid="ignore"):
        inverted = h < lo
        outside = ~inverted & ((o > h) | (o < lo) | (c > h) | (c < lo))
    ohlc = frame[list(PRICE_FIELDS)].apply(
        lambda r: "O/H/L/C " + "/".join(f"{x:g}" for x in r), axis=1) if (
        inverted | outside).any() else None
    return [(m, text, ohlc) for m, text in (
        (inverted, "high < low"), (outside, "open or close outside [low, high]")) if m.any()]


def _bad_dates(frame: pd.DataFrame, spec: DatasetSpec, calendar: pd.DatetimeIndex,
               today: pd.Timestamp) -> list[Finding]:
    dates = pd.DatetimeIndex(frame["date"])
    out = []
    future = np.asarray(dates > today)
    if future.any():
        out.append((future, f"date after today ({today.date()})", None))
    if spec.name == "trading_calendar" or spec.frequency != "daily":
        return out  # monthly rows are labelled by calendar month-end (2000-04-30, a Sunday)
    weekend = np.asarray(dates.day_of_week >= 5)
    known = np.asarray(dates <= calendar.max()) if len(calendar) else np.zeros(len(dates), bool)
    closed = ((known & ~np.asarray(dates.isin(calendar))) | (~known & weekend)) & ~future
    if closed.any():
        end = calendar.max().date() if len(calendar) else "-"
        out.append((closed, f"not a trading day (trading_calendar to {end}, weekdays after "
                            "it)", None))
    return out


def _jumps(frame: pd.DataFrame, spec: DatasetSpec) -> list[Finding]:
    if spec.name not in JUMP_LIMITS:
        return []
    field, limit = JUMP_LIMITS[spec.name]
    present = frame[field].notna().to_numpy()
    sub = frame.loc[present]
    keys = sub["code"] if "code" in sub else pd.Series(0, index=sub.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = sub[field] / sub.groupby(keys, sort=False)[field].shift(1) - 1.0
    allowed = np.where(sub["date"] < PRICE_LIMIT_START, EARLY_JUMP_LIMIT, limit)
    big = (change.abs() > allowed).to_numpy()
    mask = np.zeros(len(frame), dtype=bool)
    mask[np.flatnonzero(present)[big]] = True
    if not mask.any():
        return []
    detail = change.reindex(frame.index).map(lambda x: f"{x:+.1%}")
    return [(mask, f"{field} moves more than {limit:.0%} from the row before (the "
                   f"{spec.name} limit; {EARLY_JUMP_LIMIT:.0%} before "
                   f"{PRICE_LIMIT_START.date()})", detail)]


def row_problems(frame: pd.DataFrame, spec: DatasetSpec, *, calendar: pd.DatetimeIndex,
                 today: pd.Timestamp, judge: np.ndarray | None = None,
                 allow_jumps: bool = False) -> tuple[list[str], list[str]]:
    """Check a storage-layout frame (sorted per code) against the row rules.

    Parameters
    ----------
    frame : DataFrame
        Storage layout, already through :func:`~quantlib.data.schema.validate_stored`.
    calendar : DatetimeIndex
        Trading days (the ``trading_calendar`` dataset).
    today : Timestamp
        Rows after it are refused.
    judge : bool array, optional
        Only these rows are judged (a refresh judges its new rows; the rows before them still
        serve as the base of the first jump). Default: every row.
    allow_jumps : bool
        Report jumps beyond the limit as notes (``--accept-revision``), not problems.

    Returns
    -------
    (problems, notes) : lists of str
        One problem per broken rule, naming up to five offending rows (code, date, value).
    """
    frame = frame.reset_index(drop=True)
    judged = np.ones(len(frame), dtype=bool) if judge is None else np.asarray(judge, dtype=bool)
    excused = np.zeros(len(frame), dtype=bool)
    notes = []
    for quirk in KNOWN_QUIRKS:
        if quirk.dataset == spec.name:
            m = quirk.mask(frame) & judged
            if m.any():
                excused |= m
                notes.append(f"{int(m.sum())} known quirk row(s) of {quirk.code} "
                             f"{quirk.start}..{quirk.end}: {quirk.reason}")
    problems: list[str] = []
    findings = [*_bad_values(frame, spec), *_ohlc_outside(frame, spec),
                *_bad_dates(frame, spec, calendar, today)]
    jumps = _jumps(frame, spec)
    for (mask, head, detail), is_jump in [*((f, False) for f in findings),
                                          *((f, True) for f in jumps)]:
        mask = mask & judged & ~excused
        if mask.any():
            text = f"{head} on {int(mask.sum())} row(s): {_label(frame, mask, detail)}"
            (notes if is_jump and allow_jumps else problems).append(text)
    return problems, notes


def holes(frame: pd.DataFrame, calendar: pd.DatetimeIndex,
          judge: np.ndarray | None = None) -> list[str]:
    """Trading days missing between a series' (each code's) judged rows and the row before."""
    frame = frame.reset_index(drop=True)
    judged = np.ones(len(frame), dtype=bool) if judge is None else np.asarray(judge, dtype=bool)
    groups = frame.groupby("code", sort=False) if "code" in frame else [(None, frame)]
    out = []
    for code, g in groups:
        rows = judged[g.index.to_numpy()]
        if not rows.any():
            continue
        first = int(np.argmax(rows))
        span = g["date"].iloc[max(first - 1, 0):]
        inside = calendar[(calendar >= span.min()) & (calendar <= span.max())]
        missing = inside.difference(pd.DatetimeIndex(span))
        if len(missing):
            where = f"{code}: " if code is not None else ""
            out.append(f"{where}{len(missing)} trading day(s) missing, "
                       f"{missing[0].date()} .. {missing[-1].date()}")
    return out
