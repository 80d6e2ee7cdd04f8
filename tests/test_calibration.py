"""quantlib.calibration: out-of-sample scoring of a rule-choosing procedure, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from quantlib.calibration import choose, grid_neighbours, neighbourhood_mean, out_of_sample

# rows = weeks (chronological), columns = candidates in preference order
HITS = pd.DataFrame({"A": [True, True, False, False],
                     "B": [False, True, True, True],
                     "C": [True, False, True, True]})
GRID = pd.DataFrame({"x": [1, 2, 3]}, index=["A", "B", "C"])


def test_best_fit_in_sample_leave_one_out_and_half_by_hand() -> None:
    o = out_of_sample(HITS)
    # all rows: A 2, B 3, C 3 -> B (tie, earlier column)
    assert (o["in_sample_choice"], o["in_sample"], o["n"]) == ("B", 3, 4)
    # without r0: A1 B3 C2 -> B, misses r0; without r1: A1 B2 C3 -> C, misses r1;
    # without r2: 2/2/2 -> A, misses r2; without r3: 2/2/2 -> A, misses r3
    assert o["loo_choices"] == ["B", "C", "A", "A"] and o["loo"] == 0
    # earlier half r0, r1: A 2, B 1, C 1 -> A; A on r2, r3: 0 of 2
    assert (o["half_choice"], o["half"], o["half_n"]) == ("A", 0, 2)


def test_neighbourhood_and_robust_choice_by_hand() -> None:
    near = grid_neighbours(GRID, ["x"])
    assert near == {"A": ["A", "B"], "B": ["A", "B", "C"], "C": ["B", "C"]}
    rate = HITS.mean()  # A .5, B .75, C .75
    nm = neighbourhood_mean(rate, near)
    assert nm.to_dict() == pytest.approx({"A": 0.625, "B": 2 / 3, "C": 0.75})
    assert choose(HITS, procedure="robust", neighbours=near) == "C"
    assert choose(HITS, procedure="best_fit") == "B"


def test_grid_neighbours_respect_groups_and_steps() -> None:
    grid = pd.DataFrame({"fam": ["f", "f", "f", "g"], "h": [20, 60, 250, 60],
                         "m": [0.0, 0.0, 0.0, 0.0]}, index=["p", "q", "r", "s"])
    near = grid_neighbours(grid, ["h", "m"], ["fam"])
    # steps are positions in the sorted distinct values (20, 60, 250), not distances
    assert near["p"] == ["p", "q"] and near["r"] == ["q", "r"] and near["s"] == ["s"]


def test_unknown_procedure() -> None:
    with pytest.raises(ValueError, match="procedure"):
        choose(HITS, procedure="magic")
