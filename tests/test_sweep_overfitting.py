"""Deflated Sharpe ratio and PBO (CSCV): the paper's example, hand-worked cases, a brute force."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from quantlib.sweep import (
    OverfittingError,
    deflated_sharpe_ratio,
    expected_max_sharpe,
    pbo,
    probabilistic_sharpe_ratio,
)
from quantlib.sweep.overfitting import block_stats, cscv_partitions


def test_dsr_published_example() -> None:
    # Bailey & Lopez de Prado (2014), numerical example: annualised SR 2.5 over 5 years of
    # daily returns (T = 1250, 250 days a year), N = 100 trials whose annualised Sharpe ratios
    # have variance 1/2, skewness -3, kurtosis 10. The paper: SR0 = 0.1132 (daily), DSR = 0.9004.
    sr, var = 2.5 / math.sqrt(250), 0.5 / 250
    assert expected_max_sharpe(100, var) == pytest.approx(0.1132, abs=5e-5)
    dsr = deflated_sharpe_ratio(sr, 1250, 100, var, skew=-3.0, kurtosis=10.0)
    assert dsr == pytest.approx(0.9004, abs=5e-5)


def test_expected_max_sharpe_by_hand() -> None:
    # N = 1: no selection, benchmark 0. N = 2, V = 1: Z^-1(1/2) = 0, so
    # E = g * Z^-1(1 - 1/(2e)) = 0.5772157 * Z^-1(0.8160603) = 0.5772157 * 0.9004 (tables).
    assert expected_max_sharpe(1, 4.0) == 0.0
    assert expected_max_sharpe(2, 1.0) == pytest.approx(0.5772157 * 0.90045, abs=1e-4)
    assert expected_max_sharpe(2, 4.0) == pytest.approx(2 * expected_max_sharpe(2, 1.0))


def test_psr_by_hand() -> None:
    # SR 0.1 per period, T = 101, normal returns: z = 0.1 * 10 / sqrt(1 + 2/4 * 0.01)
    # = 0.997509; Phi(0.997509) = 0.84074.
    assert probabilistic_sharpe_ratio(0.1, 0.0, 101) == pytest.approx(0.84074, abs=1e-5)
    # Negative skew and fat tails widen the error: lower PSR for the same SR.
    assert probabilistic_sharpe_ratio(0.1, 0.0, 101, skew=-2, kurtosis=9) < 0.8407
    assert probabilistic_sharpe_ratio(0.1, 0.1, 101) == 0.5


def _two_strategies() -> np.ndarray:
    # 4 blocks of 2 returns. A: good in blocks 0-1 (0.02, 0.04), bad in 2-3 (-0.02, 0.00);
    # B: the same (0.00, 0.02) in every block.
    a = [0.02, 0.04, 0.02, 0.04, -0.02, 0.0, -0.02, 0.0]
    b = [0.0, 0.02] * 4
    return np.column_stack([a, b])


def test_pbo_hand_worked_two_strategies() -> None:
    # Sharpe ratios by hand (mean / std ddof=1 of the 4 returns of two blocks):
    #   B any two blocks: 0.01 / 0.011547 = 0.866
    #   A {0,1}: 0.03 / 0.011547 = 2.598; A {2,3}: -0.866; A one good + one bad: 0.01/0.02582
    #   = 0.387.
    # Partitions (IS blocks) in order {0,1} {0,2} {0,3} {1,2} {1,3} {2,3}:
    #   {0,1}: IS best A (2.598), OOS {2,3}: A -0.866 < B -> rank 1 of 2 -> w = 1/3 -> -ln 2
    #   {0,2} {0,3} {1,2} {1,3}: IS best B (0.866 > 0.387), OOS: B 0.866 > A 0.387 -> rank 2
    #     -> w = 2/3 -> +ln 2
    #   {2,3}: IS best B, OOS {0,1}: A 2.598 > B -> rank 1 -> -ln 2
    # PBO = 2 / 6.
    res = pbo(_two_strategies(), n_blocks=4)
    ln2 = math.log(2.0)
    np.testing.assert_allclose(res.logits, [-ln2, ln2, ln2, ln2, ln2, -ln2], rtol=1e-12)
    assert res.pbo == pytest.approx(1 / 3)
    assert (res.n_blocks, res.n_trials, res.n_obs) == (4, 2, 8)


def test_pbo_ties_and_dominance() -> None:
    # Three identical strategies: every OOS rank ties, w = (0 + (3 + 1) / 2) / 4 = 1/2, logit 0,
    # which counts as overfit (<= 0): PBO = 1.
    rng = np.random.default_rng(1)
    x = rng.normal(0, 0.01, size=(40, 1))
    same = pbo(np.repeat(x, 3, axis=1), n_blocks=4)
    np.testing.assert_array_equal(same.logits, 0.0)
    assert same.pbo == 1.0
    # One strategy beats the others in every block: always IS best and OOS best, rank N = 3,
    # w = 3/4, logit ln 3, PBO = 0.
    base = rng.normal(0, 0.01, size=(40, 3))
    base[:, 0] = base[:, 1] + 0.02
    base[:, 2] = base[:, 1] - 0.01
    dom = pbo(base, n_blocks=4)
    np.testing.assert_allclose(dom.logits, math.log(3.0))
    assert dom.pbo == 0.0


def _brute_pbo(x: np.ndarray, s: int) -> np.ndarray:
    t = x.shape[0] - x.shape[0] % s
    blocks = np.split(x[x.shape[0] - t:], s)
    out = []
    for part in itertools.combinations(range(s), s // 2):
        ins = np.vstack([blocks[i] for i in part])
        oos = np.vstack([blocks[i] for i in range(s) if i not in part])
        sr_i = ins.mean(0) / ins.std(0, ddof=1)
        sr_o = oos.mean(0) / oos.std(0, ddof=1)
        n = int(np.argmax(sr_i))
        rank = (sr_o < sr_o[n]).sum() + ((sr_o == sr_o[n]).sum() + 1) / 2
        w = rank / (x.shape[1] + 1)
        out.append(math.log(w / (1 - w)))
    return np.array(out)


@pytest.mark.parametrize(("t", "n", "s"), [(203, 7, 6), (100, 2, 4), (333, 25, 8)])
def test_pbo_matches_brute_force(t: int, n: int, s: int) -> None:
    x = np.random.default_rng(t).normal(0.0002, 0.01, size=(t, n))
    np.testing.assert_allclose(pbo(x, s).logits, _brute_pbo(x, s), rtol=1e-9, atol=1e-12)


def test_block_stats_drop_oldest_rows() -> None:
    x = np.arange(11.0)[:, None]
    mean, m2, per = block_stats(x, 2)
    assert per == 5
    np.testing.assert_allclose(mean, [[3.0, 8.0]])  # rows 1..5 and 6..10; row 0 dropped
    np.testing.assert_allclose(m2, [[10.0, 10.0]])
    assert cscv_partitions(4).tolist() == [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]


@pytest.mark.parametrize(("shape", "s", "match"), [
    ((40, 3), 3, "even"), ((40, 3), 0, "even"), ((7, 3), 4, "blocks of >= 2"),
    ((40, 1), 4, "at least 2 trials"),
])
def test_pbo_bad_input(shape: tuple[int, int], s: int, match: str) -> None:
    with pytest.raises(OverfittingError, match=match):
        pbo(np.zeros(shape) + np.arange(shape[0])[:, None], s)


def test_dsr_bad_input() -> None:
    with pytest.raises(OverfittingError, match="n_trials"):
        expected_max_sharpe(0, 1.0)
    with pytest.raises(OverfittingError, match="n_obs"):
        probabilistic_sharpe_ratio(0.1, 0.0, 1)
    with pytest.raises(OverfittingError, match="kurtosis is non-excess"):
        probabilistic_sharpe_ratio(1.0, 0.0, 100, skew=0.0, kurtosis=-10)


@pytest.mark.parametrize(("n", "s", "tile"), [(3000, 16, 512), (500, 10, 64), (41, 2, 8),
                                               (30, 18, 16)])
def test_grouped_cscv_kernel_equals_tiled_kernel(n: int, s: int, tile: int) -> None:
    """The grouped kernel (complementary pairs, subset tables) against the per-partition
    kernel: the same logits, on correlated strategies with exact duplicates, never-invested
    (constant) ones and several strategy tiles (S <= 16: the one-pass pair loop, with 1, 3
    and 4 groups of 4 blocks; S = 18: the generic one); and the brute force on a slice."""
    from quantlib.sweep._nb import cscv_logits_grouped_nb, cscv_logits_nb
    from quantlib.sweep.overfitting import block_stats, cscv_partitions

    rng = np.random.default_rng(n)
    common = rng.normal(0.0003, 0.012, size=(40 * s, 1))
    x = common + rng.normal(0.0, 0.004, size=(40 * s, n))
    x[:, 3] = x[:, 1]  # exact ties
    x[:, 7] = -0.0001  # cash only: zero variance
    mean, m2, per = block_stats(x, s)
    parts = cscv_partitions(s)
    old = np.empty(len(parts))
    new = np.empty(len(parts))
    cscv_logits_nb(np.ascontiguousarray(mean.T), np.ascontiguousarray(m2.T), float(per), parts,
                   old)
    cscv_logits_grouped_nb(np.ascontiguousarray(mean.T), np.ascontiguousarray(m2.T),
                           float(per), parts, new, tile)
    np.testing.assert_array_equal(new, old)
    if n <= 500:
        np.testing.assert_allclose(pbo(x, s).logits, _brute_pbo(x, s), rtol=1e-9, atol=1e-12)
