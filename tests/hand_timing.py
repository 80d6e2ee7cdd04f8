"""The timing system's final regime by hand, for tests that need an independent route.

Moving averages with pandas from docs/timing.md's definitions (distance = MA20 / MA120 - 1,
3% threshold, MA5 fast line, MA20 trend line, money effect = close / trend line - 1); the
break/exit rules by the plain-Python state machine of test_timing.py (``_reference_state``,
written from the docstring, not from the numba kernel). No quantlib.timing call.
"""

from __future__ import annotations

import pandas as pd
from test_timing import _reference_state


def hand_timing(close: pd.Series) -> pd.DataFrame:
    """Distance, raw and final regime (1 / 0 / -1, NaN in warm-up) of one close series."""
    c = close.dropna()
    ma5, ma20, ma120 = (c.rolling(n).mean() for n in (5, 20, 120))
    d = ma20 / ma120 - 1
    raw = [-2 if pd.isna(x) else 1 if x > 0.03 else -1 if x < -0.03 else 0 for x in d]
    final = _reference_state(raw, ma5.tolist(), ma20.tolist(), ma20.tolist(),
                             (c / ma20 - 1).tolist())[0]
    out = pd.DataFrame({"distance": d, "raw": raw, "regime": final}, index=c.index)
    out.loc[out["raw"] == -2, ["raw", "regime"]] = float("nan")
    return out


def uptrend_codes(close: pd.DataFrame, day: str) -> set[str]:
    """Columns whose final regime on ``day`` is up (data up to ``day`` only)."""
    upto = close.loc[:day]
    return {str(c) for c in upto.columns if hand_timing(upto[c]).iloc[-1]["regime"] == 1}


def final_regimes(close: pd.DataFrame) -> pd.DataFrame:
    """Final regime per column and day (dates x codes). Every input to a day's regime is
    causal (trailing means, a forward state machine), so one pass serves every day."""
    return pd.DataFrame({c: hand_timing(close[c])["regime"] for c in close.columns})
