"""Numba kernels of the portfolio simulation: NumPy in, NumPy out.

Imported lazily by :func:`quantlib.backtest.run` (this module imports numba). Every kernel is
``cache=True`` with ``error_model="numpy"`` (no division-by-zero checks: prices are validated
> 0 at the boundary). The plain-Python reference implementation of the same loop lives in
``tests/reference_engine.py`` and the two are checked against each other.

Order arithmetic mirrors ``vectorbt.portfolio.nb`` (``execute_order_nb``, ``buy_nb``,
``sell_nb``) for ``size_type="targetpercent"`` with cash sharing and ``call_seq="auto"``:

* the portfolio value ``V`` is computed once per bar before any order, valuing every position
  at its fill price (last close if the asset has no fill price);
* order size for a target weight ``w``: ``w * V / price - shares`` (shares);
* orders run in ascending order of ``w * V - shares * price`` (sells first, freeing cash that
  buys may use on the same bar), with the same insertion argsort as vectorbt;
* a buy whose cost ``v + fee(v)`` exceeds the cash is cut to what the cash affords, fees
  included (``v = cash / (1 + rate)``, or ``(cash - min_fee) / (1 + other rates)`` when the
  minimum commission binds);
* values within 1e-9 relative / 1e-12 absolute of zero are treated as zero, like vectorbt;
* an order for fewer than ``min_shares`` shares (``params.min_order_shares``, default 1e-8:
  vectorbt's ``min_size``) is skipped, so drift corrections of a few billionths of a share do
  not trade.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, types

from quantlib.backtest._params import KernelParams

# Explicit signatures: inputs are read-only, any-layout ("A") arrays, so C/F-ordered, sliced
# and pandas' read-only arrays all hit one compiled (and cached) specialization.
_F2 = types.Array(types.float64, 2, "A", readonly=True)
_F1 = types.Array(types.float64, 1, "A", readonly=True)
_B2 = types.Array(types.boolean, 2, "A", readonly=True)
_I1 = types.Array(types.int64, 1, "A", readonly=True)
_OUT2 = types.Array(types.float64, 2, "C")
#: KernelParams as numba sees it: a named tuple of float64, fields read by name in the kernels.
_PARAMS = types.NamedUniTuple(types.float64, len(KernelParams._fields), KernelParams)
_CHECK_SIG = types.UniTuple(types.int64, 3)(_F2, types.int64, types.float64, types.boolean)
_CHECK_CONTIG_SIG = types.UniTuple(types.int64, 3)(types.Array(types.float64, 2, "C",
                                                               readonly=True),
                                                   types.int64, types.float64, types.boolean,
                                                   types.boolean)
_SIM_SIG = types.void(_F2, _F2, _I1, _F2, _B2, _B2, _F2, _F2, _F2, _PARAMS, _F1, types.boolean,
                      _OUT2, _OUT2, _OUT2, _OUT2, _OUT2, types.Array(types.int64, 1, "C"), _OUT2)

__all__ = ["check_weights_contig_nb", "check_weights_nb", "simulate_nb"]

#: Lots a target size may fall short of a whole number of lots by floating-point rounding and
#: still count as that number (a target of exactly 500 shares computed as 499.99999999999994
#: must buy 5 lots, not 4). Only for the target's own size: what cash affords is floored
#: strictly, so a buy never costs more than the cash.
LOT_TOL = 1e-9
#: (shares, traded value, fee, cash moved) of a buy or a sell; shares 0.0: nothing done.
_Fill = tuple[float, float, float, float]
#: (status, cash, shares held, side, shares, price, value, fee) of one order (see _execute).
_Order = tuple[int, float, float, float, float, float, float, float]

_REL_TOL = 1e-9
_ABS_TOL = 1e-12


@njit(cache=True, error_model="numpy")
def _is_close(a: float, b: float) -> bool:
    # vectorbt's is_close_nb for the finite values the state holds (NaN compares False).
    if a == b:
        return True
    return abs(a - b) <= max(_REL_TOL * max(abs(a), abs(b)), _ABS_TOL)


@njit(cache=True, error_model="numpy")
def _add(a: float, b: float) -> float:
    if np.sign(a) != np.sign(b):
        if _is_close(abs(a), abs(b)):
            return 0.0
    elif _is_close(a + b, 0.0):
        return 0.0
    return a + b


@njit(cache=True, error_model="numpy")
def _insert_argsort(values: np.ndarray, idx: np.ndarray, n: int) -> None:
    for j in range(1, n):
        v_j = values[j]
        i_j = idx[j]
        i = j - 1
        while i >= 0 and (values[i] > v_j or np.isnan(values[i])):
            values[i + 1] = values[i]
            idx[i + 1] = idx[i]
            i -= 1
        values[i + 1] = v_j
        idx[i + 1] = i_j


@njit(cache=True, error_model="numpy")
def _fee(value: float, comm: float, min_comm: float, extra: float) -> float:
    return max(comm * value, min_comm) + extra * value


@njit(cache=True, error_model="numpy")
def _affordable_value(cash: float, comm: float, min_comm: float, extra: float) -> float:
    """Largest traded value ``v`` with ``v + fee(v) <= cash`` (<= 0 when none)."""
    v = cash / (1.0 + comm + extra)
    if comm * v >= min_comm:
        return v
    return (cash - min_comm) / (1.0 + extra)


@njit(_CHECK_SIG, cache=True, error_model="numpy")
def check_weights_nb(weights: np.ndarray, n_assets: int, max_sum: float,
                     allow_hold: bool) -> tuple[int, int, int]:
    """Return (code, row, column): 0 ok, 1 NaN/inf, 2 negative, 3 row sum above ``max_sum``,
    4 a strategy's row partly NaN (only checked with ``allow_hold``).

    ``weights`` is (rows, strategies * assets); ``row`` is the first row with a problem and
    ``column`` the offending column in it (for code 3 the first column of the strategy).
    With ``allow_hold`` a strategy's row that is NaN for every asset is valid: that strategy
    places no orders on that date.
    """
    n_rows, n_cols = weights.shape
    # rows outer: weights are (rows, strategies * assets) in C order, so this reads memory in
    # order (column-outer strided through 3,120 columns took 0.15 s of a 0.4 s final_values)
    for r in range(n_rows):
        for c0 in range(0, n_cols, n_assets):
            if allow_hold:
                n_nan = 0
                for a in range(n_assets):
                    if np.isnan(weights[r, c0 + a]):
                        n_nan += 1
                if n_nan == n_assets:
                    continue
                if n_nan > 0:
                    for a in range(n_assets):
                        if np.isnan(weights[r, c0 + a]):
                            return 4, r, c0 + a
            total = 0.0
            for a in range(n_assets):
                w = weights[r, c0 + a]
                if not np.isfinite(w):
                    return 1, r, c0 + a
                if w < 0:
                    return 2, r, c0 + a
                total += w
            if total > max_sum:
                return 3, r, c0
    return 0, -1, -1


@njit(cache=True, error_model="numpy", inline="always")
def _weight(weights: np.ndarray, transposed: bool, r: int, c: int) -> float:
    """Weight of row ``r``, column ``c`` of the (rows, strategies * assets) matrix, stored as
    is or transposed."""
    return weights[c, r] if transposed else weights[r, c]


@njit(cache=True, error_model="numpy")
def _check_strategy_row(weights: np.ndarray, transposed: bool, r: int, c0: int, n_assets: int,
                        max_sum: float, allow_hold: bool) -> tuple[int, int]:
    """(code, column) of one strategy's weights on row ``r`` (columns ``c0`` ..
    ``c0 + n_assets - 1``): 0 (valid) or the first problem, as :func:`check_weights_nb`."""
    if allow_hold:
        n_nan = 0
        for a in range(n_assets):
            if np.isnan(_weight(weights, transposed, r, c0 + a)):
                n_nan += 1
        if n_nan == n_assets:
            return 0, -1
        if n_nan > 0:
            for a in range(n_assets):
                if np.isnan(_weight(weights, transposed, r, c0 + a)):
                    return 4, c0 + a
    total = 0.0
    for a in range(n_assets):
        w = _weight(weights, transposed, r, c0 + a)
        if not np.isfinite(w):
            return 1, c0 + a
        if w < 0:
            return 2, c0 + a
        total += w
    if total > max_sum:
        return 3, c0
    return 0, -1


@njit(cache=True, error_model="numpy")
def _n_bad(values: np.ndarray, max_sum: float, allow_hold: bool) -> int:
    """How many of the contiguous one-asset weights ``values`` are invalid: outside
    [0, max_sum] (inf included), NaN unless ``allow_hold``. No branch per weight: SIMD."""
    nan_bad = not allow_hold
    n_bad = 0
    for i in range(values.shape[0]):
        w = values[i]
        n_bad += (w < 0.0) | (w > max_sum) | (nan_bad & (w != w))
    return n_bad


@njit(cache=True, error_model="numpy")
def _first_bad(weights: np.ndarray, transposed: bool, r0: int, r1: int, c0: int, c1: int,
               n_assets: int, max_sum: float, allow_hold: bool) -> tuple[int, int, int]:
    """(code, row, column) of the first problem on rows r0..r1-1 of the strategies in columns
    c0..c1-1, in row order (strategies in order within a row), or (0, -1, -1). One-asset
    weights are first tested a contiguous run at a time (a row, or 1,024 rows of a column)."""
    if n_assets == 1:
        if transposed:  # one strategy (c1 == c0 + 1) down its contiguous column
            while r0 < r1:
                r_end = min(r0 + 1024, r1)
                if _n_bad(weights[c0, r0:r_end], max_sum, allow_hold):
                    break
                r0 = r_end
        else:
            while r0 < r1 and not _n_bad(weights[r0, c0:c1], max_sum, allow_hold):
                r0 += 1
    for r in range(r0, r1):
        for k in range(c0, c1, n_assets):
            code, col = _check_strategy_row(weights, transposed, r, k, n_assets, max_sum,
                                            allow_hold)
            if code:
                return code, r, col
    return 0, -1, -1


@njit(_CHECK_CONTIG_SIG, cache=True, error_model="numpy")
def check_weights_contig_nb(weights: np.ndarray, n_assets: int, max_sum: float,
                            allow_hold: bool, transposed: bool) -> tuple[int, int, int]:
    """:func:`check_weights_nb` on a C-contiguous matrix, reading memory in order: the
    weights themselves (``transposed`` False: rows in order) or the transpose of column-major
    weights (``transposed`` True, shape (strategies * assets, rows): strategy by strategy
    down its own contiguous rows, each scan stopping at the earliest bad row found so far).
    The earliest (row, strategy) wins, so the answer is that of one scan in row order
    (tested against one for C, F and strided layouts). ``backtest._prepare`` picks the form
    from the array's flags; other layouts take :func:`check_weights_nb`.

    One-asset weights are tested a contiguous run at a time without a branch per weight
    (SIMD): 0.007 s for the 3,120 x 7,272 F-ordered sweep matrix (181 MB), where the strided
    row-order scan took 0.07 s. The pass is bound by memory: in parallel it saved about 1 ms
    and cost 3 s more compilation, so it is serial.
    """
    n_rows, n_cols = (weights.shape[1], weights.shape[0]) if transposed else weights.shape
    if n_rows == 0 or n_cols < n_assets:
        return 0, -1, -1
    if not transposed:
        return _first_bad(weights, False, 0, n_rows, 0, n_cols - n_cols % n_assets, n_assets,
                          max_sum, allow_hold)
    best_code, best_row, best_col = 0, n_rows, -1
    for c0 in range(0, n_cols - n_assets + 1, n_assets):
        # only a strictly earlier row can beat what an earlier strategy found
        code, r, c = _first_bad(weights, True, 0, best_row, c0, c0 + n_assets, n_assets,
                                max_sum, allow_hold)
        if code:
            best_code, best_row, best_col = code, r, c
    if best_code == 0:
        return 0, -1, -1
    return best_code, best_row, best_col


@njit(cache=True, error_model="numpy")
def _bar_value(t: int, cash: float, pos: np.ndarray, fill_price: np.ndarray,
               close_ff: np.ndarray, vps: np.ndarray) -> float:
    value = cash
    for a in range(pos.shape[0]):
        vp = fill_price[t, a]
        if np.isnan(vp) and t > 0:
            vp = close_ff[t - 1, a]
        vps[a] = vp
        if pos[a] != 0:
            value += pos[a] * vp
    return value


@njit(cache=True, error_model="numpy")
def _is_less(a: float, b: float) -> bool:
    return not _is_close(a, b) and a < b


@njit(cache=True, error_model="numpy")
def _buy(size: float, price: float, cash: float, comm: float, min_comm: float, extra: float,
         lot: float, min_shares: float) -> _Fill:
    """Return (shares, traded value, fee, total cash spent); shares 0 = nothing done."""
    size, req, fee, total = _buy_size(size, price, cash, comm, min_comm, extra, lot)
    if size == 0.0 or _is_less(size, min_shares):
        return 0.0, 0.0, 0.0, 0.0
    return size, req, fee, total


@njit(cache=True, error_model="numpy")
def _buy_size(size: float, price: float, cash: float, comm: float, min_comm: float,
              extra: float, lot: float) -> _Fill:
    if lot > 0:  # LOT_TOL: 0.5 * 21,600 / 21.6 is 499.99999999999994, still 5 lots
        size = np.floor(size / lot + LOT_TOL) * lot
        if size <= 0:
            return 0.0, 0.0, 0.0, 0.0
    req = size * price
    fee = _fee(req, comm, min_comm, extra)
    total = req + fee
    if _is_close(total, cash) or total < cash:
        return size, req, fee, total
    v = _affordable_value(_add(cash, 0.0), comm, min_comm, extra)
    if v <= 0:
        return 0.0, 0.0, 0.0, 0.0
    if lot > 0:
        size = np.floor(v / price / lot) * lot
        if size <= 0:
            return 0.0, 0.0, 0.0, 0.0
        req = size * price
        fee = _fee(req, comm, min_comm, extra)
        return size, req, fee, req + fee
    return v / price, v, cash - v, cash


@njit(cache=True, error_model="numpy")
def _sell(size: float, price: float, comm: float, min_comm: float, extra: float, lot: float,
          to_zero: bool, min_shares: float) -> _Fill:
    """Return (shares, traded value, fee, net cash received); shares 0 = nothing done."""
    if lot > 0 and not to_zero:  # shares held are whole: the tolerance never exceeds them
        size = np.floor(size / lot + LOT_TOL) * lot
        if size <= 0:
            return 0.0, 0.0, 0.0, 0.0
    if _is_less(size, min_shares):
        return 0.0, 0.0, 0.0, 0.0
    acq = size * price
    fee = _fee(acq, comm, min_comm, extra)
    net = _add(acq, -fee)
    if net < 0:
        return 0.0, 0.0, 0.0, 0.0
    return size, acq, fee, net


@njit(cache=True, error_model="numpy", inline="always")
def _execute(t: int, a: int, target_a: float, value: float, vp: float, cash: float,
             pos_a: float, fill_price: np.ndarray, buy_ok: np.ndarray, sell_ok: np.ndarray,
             buy_extra: np.ndarray, sell_extra: np.ndarray, lots: np.ndarray,
             params: KernelParams) -> _Order:
    """Run one order. Return (status, cash, shares held, side, shares, price, value, fee).

    status 0: blocked (stays pending); 1: done without a fill; 2: filled.
    """
    price = fill_price[t, a]
    if np.isnan(price):
        return 0, cash, pos_a, 0.0, 0.0, 0.0, 0.0, 0.0  # no price (suspended): pending
    if _is_close(cash, 0.0):
        cash = 0.0
    if _is_close(pos_a, 0.0):
        pos_a = 0.0
    if value <= 0:
        return 1, cash, pos_a, 0.0, 0.0, 0.0, 0.0, 0.0
    size = target_a * value / vp - pos_a
    if _is_close(size, 0.0):
        return 1, cash, pos_a, 0.0, 0.0, 0.0, 0.0, 0.0
    comm, min_comm, slip = params.commission_rate, params.min_commission, params.slippage
    min_shares = params.min_order_shares
    if size > 0:
        if not buy_ok[t, a]:
            return 0, cash, pos_a, 0.0, 0.0, 0.0, 0.0, 0.0  # limit-up / suspended: pending
        if cash == 0.0:
            return 1, cash, pos_a, 0.0, 0.0, 0.0, 0.0, 0.0
        adj = price * (1.0 + slip)
        shares, val, fee, spent = _buy(size, adj, cash, comm, min_comm, buy_extra[t, a], lots[a],
                                       min_shares)
        if shares == 0.0:
            return 1, cash, pos_a, 0.0, 0.0, 0.0, 0.0, 0.0
        return 2, _add(cash, -spent), _add(pos_a, shares), 1.0, shares, adj, val, fee
    if not sell_ok[t, a]:
        return 0, cash, pos_a, 0.0, 0.0, 0.0, 0.0, 0.0  # limit-down / suspended: pending
    adj = price * (1.0 - slip)
    to_zero = target_a == 0.0 or -size >= pos_a
    shares, val, fee, got = _sell(min(-size, pos_a), adj, comm, min_comm, sell_extra[t, a],
                                  lots[a], to_zero, min_shares)
    if shares == 0.0:
        return 1, cash, pos_a, 0.0, 0.0, 0.0, 0.0, 0.0
    return 2, cash + got, _add(pos_a, -shares), -1.0, shares, adj, val, fee


@njit(cache=True, error_model="numpy")
def _ex_date(pos: float, ratio: float, prev_close: float, lot: float) -> tuple[float, float]:
    """Return (shares held after an ex-date, cash in lieu) for ``pos`` shares and factor ``ratio``.

    The shares are scaled by ``ratio`` (dividends and bonus shares reinvested at the reference
    price ``prev_close / ratio``, total return). With lots (CNY runs, whole shares) the scaled
    count is cut to whole shares and the fraction is paid in cash at that reference price, so
    the value held is unchanged. Why scaling and not dividend cash: the ratio alone cannot tell
    a cash dividend from bonus shares or a split, and paying a split out as cash would empty
    the position (docs/backtest.md, "Prices the engine trades on").
    """
    scaled = pos * ratio
    if lot <= 0:
        return scaled, 0.0
    nearest = np.round(scaled)
    if _is_close(scaled, nearest):  # a 10-for-10 bonus: 2000 shares, not 1999.9999999
        return nearest, 0.0
    whole = np.floor(scaled)
    return whole, (scaled - whole) * (prev_close / ratio)


@njit(cache=True, error_model="numpy")
def _record(rec_out: np.ndarray, j: int, t: int, a: int, side: float, shares: float,
            price: float, fee: float) -> None:
    rec_out[j, 0] = t
    rec_out[j, 1] = a
    rec_out[j, 2] = side
    rec_out[j, 3] = shares
    rec_out[j, 4] = price
    rec_out[j, 5] = fee


@njit(cache=True, error_model="numpy")
def _strategy_nb(s: int, close_ff: np.ndarray, fill_price: np.ndarray, fill_row: np.ndarray,
                 weights: np.ndarray, buy_ok: np.ndarray, sell_ok: np.ndarray,
                 buy_extra: np.ndarray, sell_extra: np.ndarray, share_ratio: np.ndarray,
                 params: KernelParams, lots: np.ndarray, store: bool, eq_out: np.ndarray,
                 cost_out: np.ndarray, traded_out: np.ndarray, pos_out: np.ndarray,
                 rec_out: np.ndarray, rec_count: np.ndarray, final_out: np.ndarray) -> None:
    n_bars, n_assets = close_ff.shape
    cash = params.init_cash
    pos = np.zeros(n_assets)
    target = np.zeros(n_assets)
    pending = np.zeros(n_assets, dtype=np.bool_)
    vps = np.empty(n_assets)
    order_val = np.empty(n_assets)
    idx = np.empty(n_assets, dtype=np.int64)
    n_pending = 0
    c0 = s * n_assets
    n_rec = 0
    rec_base = s * (rec_out.shape[0] // final_out.shape[0])
    total_cost = 0.0
    cash_growth = 1.0 + params.cash_rate_per_bar
    for t in range(n_bars):
        if cash > 0.0:  # cash held over the previous close earns one bar of interest
            cash *= cash_growth
        for a in range(n_assets):  # ex-date: dividends/splits become shares (total return)
            if pos[a] != 0.0 and share_ratio[t, a] != 1.0:
                pos[a], in_lieu = _ex_date(pos[a], share_ratio[t, a], close_ff[t - 1, a],
                                           lots[a])
                cash += in_lieu
        r = fill_row[t]
        if r >= 0 and not np.isnan(weights[r, c0]):  # a NaN row: this strategy holds
            for a in range(n_assets):
                target[a] = weights[r, c0 + a]
                pending[a] = True
            n_pending = n_assets
        bar_cost = 0.0
        bar_traded = 0.0
        if n_pending > 0:
            value = _bar_value(t, cash, pos, fill_price, close_ff, vps)
            if _is_close(value, 0.0):
                value = 0.0
            n = 0
            for a in range(n_assets):
                if pending[a]:
                    order_val[n] = target[a] * value - pos[a] * vps[a]
                    idx[n] = a
                    n += 1
            _insert_argsort(order_val, idx, n)  # sells first, then buys, like vectorbt "auto"
            for k in range(n):
                a = idx[k]
                status, cash, pos[a], side, shares, adj, val, fee = _execute(
                    t, a, target[a], value, vps[a], cash, pos[a], fill_price,
                    buy_ok, sell_ok, buy_extra, sell_extra, lots, params)
                if status == 0:
                    continue
                pending[a] = False
                if status == 2:
                    bar_cost += fee
                    bar_traded += val
                    if rec_out.shape[0] > 0:
                        _record(rec_out, rec_base + n_rec, t, a, side, shares, adj, fee)
                        n_rec += 1
            n_pending = 0
            for a in range(n_assets):
                if pending[a]:
                    n_pending += 1
        total_cost += bar_cost
        if store:
            equity = cash
            for a in range(n_assets):
                if pos[a] != 0:
                    equity += pos[a] * close_ff[t, a]
                pos_out[t, c0 + a] = pos[a]
            eq_out[t, s] = equity
            cost_out[t, s] = bar_cost
            traded_out[t, s] = bar_traded
    equity = cash
    for a in range(n_assets):
        if pos[a] != 0:
            equity += pos[a] * close_ff[n_bars - 1, a]
    final_out[s, 0] = equity
    final_out[s, 1] = total_cost
    rec_count[s] = n_rec


#: A single-asset position held with no cash at a target weight of exactly 1.0 is re-sized as
#: ``(shares * price) / price - shares``, which differs from 0 by at most ``shares * 2**-52``
#: (two roundings): within the 1e-12 zero tolerance while ``shares <= 4,000`` (8.9e-13), so
#: such a bar is provably a no-op and :func:`_next_held_event` may skip it.
_HELD_NOOP_MAX_SHARES = 4000.0


@njit(cache=True, error_model="numpy")
def _next_flat_event(t: int, s: int, fill_row: np.ndarray, weights: np.ndarray) -> int:
    """First bar >= ``t`` on which a flat single-asset strategy (no shares, nothing pending,
    cash that does not change by itself) has something to do: a weights row that is neither
    0 nor NaN (hold). On the bars before it the per-bar loop would only find target 0 with
    no shares (nothing to trade). ``len(fill_row)`` when there is none."""
    n_bars = fill_row.shape[0]
    while t < n_bars:
        r = fill_row[t]
        if r >= 0:
            x = weights[r, s]
            if x != 0.0 and not np.isnan(x):
                return t
        t += 1
    return t


@njit(cache=True, error_model="numpy")
def _next_held_event(t: int, s: int, pos: float, fill_row: np.ndarray, weights: np.ndarray,
                     fill_price: np.ndarray, share_ratio: np.ndarray) -> int:
    """First bar >= ``t`` on which a single-asset strategy fully invested with no cash (cash
    exactly 0, ``1e-12 < pos <= _HELD_NOOP_MAX_SHARES`` shares, nothing pending) may change:
    an ex-date, a weights row other than 1.0 or NaN, or a row of 1.0 on a bar without a fill
    price or with a value outside (1e-12, 1e300). On the bars before it the per-bar loop
    finds either no order or a target of 1.0 whose size ``pos * p / p - pos`` is within the
    zero tolerance (see ``_HELD_NOOP_MAX_SHARES``), and leaves cash and shares as they are."""
    n_bars = fill_row.shape[0]
    while t < n_bars:
        if share_ratio[t, 0] != 1.0:
            return t
        r = fill_row[t]
        if r >= 0:
            x = weights[r, s]
            if x == 1.0:
                value = pos * fill_price[t, 0]
                if not 1e-12 < value < 1e300:  # also a NaN fill price
                    return t
            elif not np.isnan(x):
                return t
        t += 1
    return t


@njit(cache=True, error_model="numpy")
def _store_idle_bars(t0: int, t1: int, s: int, cash: float, pos: float, close_ff: np.ndarray,
                     eq_out: np.ndarray, cost_out: np.ndarray, traded_out: np.ndarray,
                     pos_out: np.ndarray) -> None:
    """Per-bar outputs of bars t0..t1-1 of a single-asset strategy whose cash and shares do
    not change (as the per-bar loop writes them: no cost, nothing traded)."""
    for t in range(t0, min(t1, close_ff.shape[0])):
        equity = cash
        if pos != 0:
            equity += pos * close_ff[t, 0]
        pos_out[t, s] = pos
        eq_out[t, s] = equity
        cost_out[t, s] = 0.0
        traded_out[t, s] = 0.0


@njit(cache=True, error_model="numpy")
def _strategy_1asset_nb(s: int, close_ff: np.ndarray, fill_price: np.ndarray,
                        fill_row: np.ndarray, weights: np.ndarray, buy_ok: np.ndarray,
                        sell_ok: np.ndarray, buy_extra: np.ndarray, sell_extra: np.ndarray,
                        share_ratio: np.ndarray, params: KernelParams, lots: np.ndarray,
                        store: bool, eq_out: np.ndarray, cost_out: np.ndarray,
                        traded_out: np.ndarray, pos_out: np.ndarray, rec_out: np.ndarray,
                        rec_count: np.ndarray, final_out: np.ndarray) -> None:
    """Same as ``_strategy_nb`` for one asset, with scalars instead of per-asset arrays.

    It jumps over runs of bars that provably change nothing (:func:`_next_flat_event`,
    :func:`_next_held_event`): in cash with a target of 0 (or no order), or all in with no
    cash at a target of 1.0 (or no order), as sweeps of all-or-nothing weights spend most
    bars; with ``store`` their outputs are written as the per-bar loop writes them. Results
    are bit for bit those of visiting every bar (tested against the general kernel
    ``_strategy_nb``, which does).
    """
    n_bars = close_ff.shape[0]
    cash = params.init_cash
    pos = 0.0
    target = 0.0
    pending = False
    n_rec = 0
    rec_base = s * (rec_out.shape[0] // final_out.shape[0])
    total_cost = 0.0
    cash_growth = 1.0 + params.cash_rate_per_bar
    t = -1
    while t < n_bars - 1:
        t += 1
        if not pending:  # jump over bars that change nothing
            t0 = t
            if pos == 0.0:
                if cash_growth == 1.0 or not cash > 0.0:
                    t = _next_flat_event(t, s, fill_row, weights)
            elif cash == 0.0 and 1e-12 < pos <= _HELD_NOOP_MAX_SHARES:
                t = _next_held_event(t, s, pos, fill_row, weights, fill_price, share_ratio)
            if store and t > t0:
                _store_idle_bars(t0, t, s, cash, pos, close_ff, eq_out, cost_out, traded_out,
                                 pos_out)
            if t >= n_bars:
                break
        if cash > 0.0:  # cash held over the previous close earns one bar of interest
            cash *= cash_growth
        if pos != 0.0 and share_ratio[t, 0] != 1.0:  # ex-date (see _strategy_nb)
            pos, in_lieu = _ex_date(pos, share_ratio[t, 0], close_ff[t - 1, 0], lots[0])
            cash += in_lieu
        r = fill_row[t]
        if r >= 0 and not np.isnan(weights[r, s]):  # a NaN row: this strategy holds
            target = weights[r, s]
            pending = True
        bar_cost = 0.0
        bar_traded = 0.0
        if pending and target == 0.0 and pos == 0.0:
            pending = False  # nothing to do: size would be exactly 0 (shortcut, same result)
        if pending:
            vp = fill_price[t, 0]
            if np.isnan(vp) and t > 0:
                vp = close_ff[t - 1, 0]
            value = cash
            if pos != 0:
                value += pos * vp
            if _is_close(value, 0.0):
                value = 0.0
            status = -1
            price = fill_price[t, 0]
            if not np.isnan(price) and value > 0:  # cheap exit of _execute's no-op case
                cash_ = 0.0 if _is_close(cash, 0.0) else cash
                pos_ = 0.0 if _is_close(pos, 0.0) else pos
                if _is_close(target * value / vp - pos_, 0.0):
                    cash, pos, status = cash_, pos_, 1
            if status == -1:
                status, cash, pos, side, shares, adj, val, fee = _execute(
                    t, 0, target, value, vp, cash, pos, fill_price, buy_ok, sell_ok,
                    buy_extra, sell_extra, lots, params)
            if status != 0:
                pending = False
            if status == 2:
                bar_cost = fee
                bar_traded = val
                if rec_out.shape[0] > 0:
                    _record(rec_out, rec_base + n_rec, t, 0, side, shares, adj, fee)
                    n_rec += 1
        total_cost += bar_cost
        if store:
            equity = cash
            if pos != 0:
                equity += pos * close_ff[t, 0]
            pos_out[t, s] = pos
            eq_out[t, s] = equity
            cost_out[t, s] = bar_cost
            traded_out[t, s] = bar_traded
    equity = cash
    if pos != 0:
        equity += pos * close_ff[n_bars - 1, 0]
    final_out[s, 0] = equity
    final_out[s, 1] = total_cost
    rec_count[s] = n_rec


@njit(_SIM_SIG, cache=True, error_model="numpy", parallel=True)
def simulate_nb(close_ff: np.ndarray, fill_price: np.ndarray, fill_row: np.ndarray,
                weights: np.ndarray, buy_ok: np.ndarray, sell_ok: np.ndarray,
                buy_extra: np.ndarray, sell_extra: np.ndarray, share_ratio: np.ndarray,
                params: KernelParams, lots: np.ndarray, store: bool, eq_out: np.ndarray,
                cost_out: np.ndarray, traded_out: np.ndarray, pos_out: np.ndarray,
                rec_out: np.ndarray, rec_count: np.ndarray, final_out: np.ndarray) -> None:
    """Simulate every strategy (in parallel over strategies) on shared price arrays.

    Parameters
    ----------
    close_ff : (T, A) closes, forward-filled (valuation at the end of each bar).
    fill_price : (T, A) fill price per bar (NaN = no fill possible, e.g. suspended).
    fill_row : (T,) int64, the weights row whose orders are placed on this bar, or -1.
    weights : (R, S * A) target weights, strategy-major columns.
    buy_ok, sell_ok : (T, A) bool, tradability masks (price limits, suspension).
    buy_extra, sell_extra : (T, A) proportional cost beyond commission (transfer fee and
        stamp duty) of a buy / a sell.
    share_ratio : (T, A) factor applied to the shares held at the start of bar t (ex-date
        adjustment ``adj_factor_t / adj_factor_{t-1}``; 1.0 elsewhere). With a lot size the
        scaled count is cut to whole shares, the fraction paid in cash at
        ``close_ff[t-1] / share_ratio`` (the ex-date reference price).
    params : KernelParams (float64 named tuple): init_cash, commission_rate, min_commission,
        slippage (fraction), min_order_shares, single_asset_ok (1.0 allows the single-asset
        fast path), cash_rate_per_bar (0.0: cash earns nothing).
    lots : (A,) shares per lot, 0 = fractional.
    store : bool, write the per-bar outputs (else only ``final_out``).
    eq_out, cost_out, traded_out : (T, S) or (0, 0) outputs; pos_out (T, S * A) or (0, 0).
    rec_out : (S * T * A, 6) trade records (bar, asset, side, shares, price, fee) or (0, 6).
    rec_count : (S,) number of records per strategy; final_out : (S, 2) final value, costs.
    """
    n_strats = final_out.shape[0]
    # single-asset fast path (same semantics)
    if close_ff.shape[1] == 1 and params.single_asset_ok > 0:
        for s in prange(n_strats):
            _strategy_1asset_nb(s, close_ff, fill_price, fill_row, weights, buy_ok, sell_ok,
                                buy_extra, sell_extra, share_ratio, params, lots, store,
                                eq_out, cost_out, traded_out, pos_out, rec_out, rec_count,
                                final_out)
        return
    for s in prange(n_strats):
        _strategy_nb(s, close_ff, fill_price, fill_row, weights, buy_ok, sell_ok, buy_extra,
                     sell_extra, share_ratio, params, lots, store, eq_out, cost_out,
                     traded_out, pos_out, rec_out, rec_count, final_out)
