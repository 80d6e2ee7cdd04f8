"""Numba kernel of the timing state machine (see :func:`quantlib.timing.timing_state`).

Imported lazily by ``quantlib.timing`` so that importing quantlib does not load numba.
A plain-Python twin lives in ``tests/test_timing.py`` and must give identical output.
"""

from __future__ import annotations

import numpy as np
from numba import njit

WARMUP = -2


@njit(cache=True)
def timing_state_nb(raw, ma_fast, trend, ma_confirm, money):  # pragma: no cover - numba
    """Return (final, broken, confirmed, exited, regime_days) arrays.

    ``raw`` is the threshold regime (1 up, 0 range, -1 down, -2 warm-up). NaN comparisons are
    False, so a rule whose inputs are undefined does not fire.
    """
    n = raw.shape[0]
    final = np.zeros(n, dtype=np.int8)
    broken = np.zeros(n, dtype=np.bool_)
    confirmed = np.zeros(n, dtype=np.bool_)
    exited = np.zeros(n, dtype=np.bool_)
    days = np.zeros(n, dtype=np.int64)
    lock = False
    out_of_down = False
    prev_final = WARMUP
    run = 0
    for t in range(n):
        r = raw[t]
        if r == WARMUP:
            lock = False
            out_of_down = False
            final[t] = 0
            prev_final = WARMUP
            run = 0
            continue
        if r == 1:
            out_of_down = False
            crossed = t > 0 and ma_fast[t] < ma_confirm[t] and ma_fast[t - 1] >= ma_confirm[t - 1]
            if crossed:
                lock = True
            elif lock and ma_fast[t] > ma_confirm[t] and ma_fast[t] > trend[t]:
                lock = False
            broken[t] = ma_fast[t] < trend[t]
            confirmed[t] = lock
            final[t] = 0 if (broken[t] or lock) else 1
        elif r == -1:
            lock = False
            if out_of_down:
                if ma_fast[t] < trend[t]:
                    out_of_down = False
            elif money[t] > 0 and ma_fast[t] > trend[t]:
                out_of_down = True
            exited[t] = out_of_down
            final[t] = 0 if out_of_down else -1
        else:
            lock = False
            out_of_down = False
            final[t] = 0
        run = run + 1 if final[t] == prev_final else 1
        days[t] = run
        prev_final = final[t]
    return final, broken, confirmed, exited, days
