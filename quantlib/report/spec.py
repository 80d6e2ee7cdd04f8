"""What a backtest run is: :class:`BacktestSpec`, and parsing ``--param k=v`` into ``Params``.

A spec holds every choice that changes the numbers (strategy, full parameter set, window,
fill, costs), so that the run manifest can record it and a later run can replay it exactly.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from quantlib.errors import DateRangeError, QuantlibError, UnknownNameError

__all__ = [
    "BacktestSpec",
    "ParamTypeError",
    "param_table",
    "parse_date",
    "parse_params",
    "strategy_module",
    "validate_params",
]


class ParamTypeError(QuantlibError, TypeError):
    """A strategy parameter given in the wrong form or of the wrong type."""


@dataclass(frozen=True)
class BacktestSpec:
    """Every input of a backtest run that can change its numbers.

    Attributes
    ----------
    strategy : str
        Registered strategy name (``strategies.STRATEGIES``).
    params : dict
        The strategy's full parameter set (defaults filled in).
    start, end : str or None
        Inclusive window (YYYY-MM-DD); ``None``: the first decision / the last price.
    fill : str
        Engine fill mode (``next_close``, ``next_open``, ``same_close_lookahead``).
    costs : dict
        :class:`quantlib.backtest.CostModel` fields.
    """

    strategy: str
    params: dict[str, Any]
    start: str | None
    end: str | None
    fill: str
    costs: dict[str, Any]

    def cost_model(self) -> Any:
        """The :class:`~quantlib.backtest.CostModel` of ``costs``."""
        from quantlib.backtest import CostModel

        kw = dict(self.costs)
        kw["stamp_duty_schedule"] = tuple(tuple(x) for x in kw.get("stamp_duty_schedule", ()))
        return CostModel(**kw)


def parse_date(value: Any, what: str) -> Any:
    """``pd.Timestamp`` of ``value`` (a day), or :class:`DateRangeError` saying how to write it."""
    import pandas as pd

    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise DateRangeError(f"{what} {value!r} is not a date; write it as YYYY-MM-DD, e.g. "
                             "2024-03-15.") from None
    if ts is pd.NaT or ts.tzinfo is not None:
        raise DateRangeError(f"{what} {value!r} is not a plain date; write it as YYYY-MM-DD.")
    return ts.normalize()


def strategy_module(name: str) -> ModuleType:
    """Return the registered strategy module ``name`` (close matches on a typo).

    Raises
    ------
    UnknownNameError
    """
    from strategies import STRATEGIES

    if name not in STRATEGIES:
        raise UnknownNameError("strategy", name, STRATEGIES)
    return STRATEGIES[name]


def _type_names(annotation: Any) -> list[str]:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__",
                                                                    str(annotation))
    return [t.strip() for t in str(text).split("|")]


def _coerce_text(text: str, types: list[str]) -> Any:
    if text.strip().lower() in ("none", "null") and "None" in types:
        return None
    for t in types:
        try:
            if t == "bool":
                low = text.strip().lower()
                if low in ("true", "1", "yes", "on"):
                    return True
                if low in ("false", "0", "no", "off"):
                    return False
                raise ValueError(text)
            if t == "int":
                return int(text)
            if t == "float":
                value = float(text)
                if not math.isfinite(value):
                    raise ValueError(text)
                return value
            if t == "str":
                return text
        except ValueError:
            continue
    raise ValueError(text)


def _check_value(value: Any, types: list[str]) -> bool:
    checks = {"bool": lambda v: isinstance(v, bool),
              "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
              "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
              "str": lambda v: isinstance(v, str), "None": lambda v: v is None}
    return any(checks.get(t, lambda v: True)(value) for t in types)


def parse_params(module: ModuleType, pairs: Sequence[str]) -> dict[str, Any]:
    """Turn ``["k=5", "model=blend"]`` into typed values of ``module.Params``.

    Types come from the ``Params`` annotations (``int``, ``float``, ``bool``, ``str``, ``X |
    None``); ``none`` gives ``None`` where allowed.

    Raises
    ------
    ParamTypeError
        A pair without ``=``, or a value that does not parse as the field's type.
    UnknownNameError
        A parameter the strategy does not have (with close matches).
    """
    fields = {f.name: f for f in dataclasses.fields(module.Params)}
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ParamTypeError(f"--param {pair!r} is not of the form name=value; e.g. "
                                 f"--param {next(iter(fields))}=...")
        key, text = (s.strip() for s in pair.split("=", 1))
        if key not in fields:
            raise UnknownNameError(f"{module.NAME} parameter", key, fields)
        types = _type_names(fields[key].type)
        try:
            out[key] = _coerce_text(text, types)
        except ValueError:
            raise ParamTypeError(
                f"parameter {key!r} of {module.NAME!r} takes {' | '.join(types)}, got {text!r}; "
                f"e.g. --param {key}={fields[key].default!r}.") from None
    return out


def validate_params(module: ModuleType, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check typed ``values`` against ``module.Params`` and return the full parameter set.

    Raises
    ------
    UnknownNameError, ParamTypeError
        Unknown names, values of the wrong type; the strategy's own ``Params`` may raise too.
    """
    fields = {f.name: f for f in dataclasses.fields(module.Params)}
    for key, value in values.items():
        if key not in fields:
            raise UnknownNameError(f"{module.NAME} parameter", key, fields)
        types = _type_names(fields[key].type)
        if not _check_value(value, types):
            raise ParamTypeError(f"parameter {key!r} of {module.NAME!r} takes "
                                 f"{' | '.join(types)}, got {value!r} "
                                 f"({type(value).__name__}).")
    params = module.Params(**values)
    return dataclasses.asdict(params)


def param_table(module: ModuleType) -> list[dict[str, str]]:
    """One record per parameter of ``module.Params``: name, type, default."""
    return [{"name": f.name, "type": " | ".join(_type_names(f.type)),
             "default": repr(f.default)} for f in dataclasses.fields(module.Params)]
