"""Parameter grids: parse ``a:b:step`` ranges, validate names against a strategy's Params,
enumerate the combinations as a tidy frame.

Pure functions, no pandas at import (loaded inside the functions that build frames).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from quantlib.errors import QuantlibError, UnknownNameError

__all__ = ["GridError", "combinations", "expand_grid", "grid_size", "parse_grid_option",
           "parse_range", "range_size"]


class GridError(QuantlibError, ValueError):
    """An empty grid, a zero or wrong-signed step, an unparsable range or value."""


def _decimals(text: str) -> int:
    text = text.strip().lower()
    if "e" in text:
        mant, exp = text.split("e")
        return max(0, _decimals(mant) - int(exp))
    return len(text.split(".")[1]) if "." in text else 0


def _number(text: str, what: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError as exc:
        raise GridError(f"{what}: {text!r} is not a number; write ranges as start:stop:step, "
                        "e.g. short=5:60:5 or threshold=0:0.06:0.005.") from exc
    if not math.isfinite(value):
        raise GridError(f"{what}: {text!r} is not a finite number.")
    return value


def parse_range(text: str, name: str = "range") -> list[int | float]:
    """Return the values of an inclusive range ``start:stop:step`` (or ``start:stop``, step 1).

    ``stop`` is included when it lies on the grid (within 1e-9 of a step). Float values are
    rounded to the decimals written in the text (``0:0.06:0.005`` gives 0.03, not
    0.030000000000000002), so they equal the literals a user would type.

    Raises
    ------
    GridError
        A step of zero, a step whose sign points away from ``stop``, or non-numbers.
    """
    parts, nums, n = _range_parts(text, name)
    start, _, step = nums
    if all(isinstance(v, int) for v in nums):
        return [start + i * step for i in range(n)]
    nd = max(_decimals(p) for p in parts)
    return [round(start + i * step, nd) for i in range(n)]


def range_size(text: str, name: str = "range") -> int:
    """Return how many values ``parse_range(text)`` gives, without building them (so a grid
    such as ``short=1:1e9:1`` can be refused before it allocates)."""
    return _range_parts(text, name)[2]


def _range_parts(text: str, name: str) -> tuple[list[str], list[int | float], int]:
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise GridError(f"{name}={text!r}: a range is start:stop[:step], e.g. {name}=5:60:5.")
    nums = [_number(p, name) for p in parts] + ([1] if len(parts) == 2 else [])
    start, stop, step = nums
    if step == 0:
        raise GridError(f"{name}={text!r}: the step is zero; use a positive step such as "
                        f"{name}={parts[0]}:{parts[1]}:1.")
    if (stop - start) * step < 0:
        raise GridError(f"{name}={text!r}: step {step} points away from stop {stop}; use "
                        f"{name}={parts[0]}:{parts[1]}:{-step}.")
    return parts, nums, math.floor((stop - start) / step + 1e-9) + 1


def grid_size(grid: Mapping[str, Any]) -> int | None:
    """Return the number of combinations of a grid as :func:`expand_grid` would expand it,
    counted without building any list (``a:b:step`` strings by arithmetic, sequences and
    ranges by ``len``); None when a value is an iterator whose length is unknown."""
    size = 1
    for name, values in grid.items():
        if isinstance(values, str):
            n = range_size(values, str(name)) if ":" in values else 1
        elif isinstance(values, Sequence | range) and not isinstance(values, bytes):
            n = len(values)
        elif hasattr(values, "__iter__"):
            return None
        else:
            n = 1
        size *= max(n, 1)
    return size


def _parse_scalar(text: str) -> Any:
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return _number(text, "value")
    except GridError:
        return text.strip()


def parse_grid_option(items: Sequence[str]) -> dict[str, list[Any]]:
    """Parse CLI ``--grid`` items: ``name=a:b:step`` (a range) or ``name=v1,v2,...`` (a list).

    List values are parsed as int, float, true/false, else kept as strings.
    """
    grid: dict[str, list[Any]] = {}
    for item in items:
        name, sep, spec = item.partition("=")
        name = name.strip()
        if not sep or not name or not spec.strip():
            raise GridError(f"--grid {item!r}: write name=start:stop:step or name=v1,v2 "
                            "(e.g. --grid short=5:60:5 --grid use_rules=true,false).")
        if name in grid:
            raise GridError(f"--grid names {name!r} twice; give each parameter once.")
        grid[name] = parse_range(spec, name) if ":" in spec else [
            _parse_scalar(v) for v in spec.split(",") if v.strip()]
    return grid


def expand_grid(grid: Mapping[str, Any], names: Sequence[str],
                owner: str = "the strategy") -> dict[str, list[Any]]:
    """Validate a grid against the declared parameter ``names``; return name -> values.

    A value may be a sequence, a scalar (one value) or an ``a:b:step`` string.

    Raises
    ------
    GridError
        The grid is empty or a parameter has no values.
    UnknownNameError
        A name that is not a declared parameter (with a did-you-mean).
    """
    if not isinstance(grid, Mapping) or len(grid) == 0:
        raise GridError("the grid is empty; give at least one parameter, e.g. "
                        "{'short': range(5, 61, 5)} or --grid short=5:60:5.")
    fields = list(names)
    out: dict[str, list[Any]] = {}
    for name, values in grid.items():
        if name not in fields:
            raise UnknownNameError(f"parameter of {owner}", name, fields)
        if isinstance(values, str):
            values = parse_range(values, name) if ":" in values else [_parse_scalar(values)]
        elif not isinstance(values, Sequence | range) or isinstance(values, bytes):
            values = list(values) if hasattr(values, "__iter__") else [values]
        values = [v.item() if hasattr(v, "item") else v for v in values]
        if len(values) == 0:
            raise GridError(f"parameter {name!r} has no values; give at least one.")
        if len(set(map(repr, values))) != len(values):
            raise GridError(f"parameter {name!r} repeats values {values}; list each once.")
        out[name] = list(values)
    return out


def combinations(grid: Mapping[str, list[Any]]) -> Any:
    """Return every combination as a DataFrame (one column per parameter, C order: the last
    parameter varies fastest), index ``combo`` 0..N-1."""
    import numpy as np
    import pandas as pd

    names = list(grid)
    sizes = [len(grid[n]) for n in names]
    idx = np.indices(sizes).reshape(len(sizes), -1)
    cols = {n: pd.Series(grid[n], dtype=object).iloc[idx[i]].to_numpy() for i, n in
            enumerate(names)}
    frame = pd.DataFrame(cols).infer_objects()
    frame.index.name = "combo"
    return frame
