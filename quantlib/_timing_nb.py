"""Numba kernel of the timing state machine (see :func:`quantlib.timing.timing_state`).

Imported lazily by ``quantlib.timing`` so that importing quantlib does not load numba.
A plain-Python twin lives in ``tests/test_timing.py`` and must give identical output.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

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


@njit(cache=True, parallel=True)
def timing_weights_nb(sma, ma_fast, ma_confirm, trend, money, s_idx, l_idx, threshold, k_idx,
                      range_weight, use_rules, out):  # pragma: no cover - numba
    """Fill ``out`` (T, B) with the target weight of every combination, bar by bar.

    ``sma`` (W, T): every MA window needed; ``trend``/``money`` (K, T): trend line and money
    effect per trend definition; per combination b: rows ``s_idx[b]``, ``l_idx[b]`` of ``sma``,
    ``threshold[b]``, row ``k_idx[b]`` of ``trend``/``money``, ``range_weight[b]`` and
    ``use_rules[b]``. The raw regime is ``(MA_s - MA_l) / MA_l`` against +-threshold (NaN:
    warm-up); with rules the final regime is :func:`quantlib._timing_nb.timing_state_nb`'s.
    Weight: up 1, range ``range_weight``, down 0, warm-up 0 (cash).
    """
    n_b = out.shape[1]
    for b in prange(n_b):
        combo_weights_nb(sma, ma_fast, ma_confirm, trend, money, s_idx[b], l_idx[b],
                         threshold[b], k_idx[b], range_weight[b], use_rules[b], out[:, b])


@njit(cache=True)
def combo_weights_nb(sma, ma_fast, ma_confirm, trend, money, s_row, l_row, th, k_row, rw,
                     rules, out):  # pragma: no cover - numba
    """Fill ``out`` (T,) with one combination's target weight per bar (see
    :func:`timing_weights_nb`); shared by it and the fused sweep kernel."""
    n_t = out.shape[0]
    s = sma[s_row]
    lg = sma[l_row]
    raw = np.empty(n_t, dtype=np.int8)
    for t in range(n_t):
        d = (s[t] - lg[t]) / lg[t]
        if np.isnan(d):
            raw[t] = WARMUP
        elif d > th:
            raw[t] = 1
        elif d < -th:
            raw[t] = -1
        else:
            raw[t] = 0
    if rules:
        final = timing_state_nb(raw, ma_fast, trend[k_row], ma_confirm, money[k_row])[0]
    else:
        final = raw
    for t in range(n_t):
        if raw[t] == WARMUP:
            out[t] = 0.0
        elif final[t] == 1:
            out[t] = 1.0
        elif final[t] == 0:
            out[t] = rw
        else:
            out[t] = 0.0
