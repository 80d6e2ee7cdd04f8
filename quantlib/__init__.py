"""quantlib: China A-share strategy research you can trust, re-run and extend.

Importing quantlib is light: numpy/pandas-free at import time. Subpackages (``quantlib.data``,
``quantlib.backtest``, ``quantlib.metrics`` ...) and the strategy API (``Strategy``, ``Param``,
``Input``, ``run_strategy``, ``sweep``) load on first attribute access.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = ("data", "backtest", "metrics", "periods", "errors", "timing", "valuation",
               "rotation", "sweep", "strategy", "strategies", "runner", "indicators",
               "schedules", "weights")
#: Public names -> the module that defines them (imported on first use).
_NAMES = {
    "Strategy": "quantlib.strategy", "Param": "quantlib.strategy",
    "Input": "quantlib.strategy", "ParamSet": "quantlib.strategy",
    "StrategyData": "quantlib.strategy", "BUY_AND_HOLD": "quantlib.strategy",
    "EQUAL_WEIGHT": "quantlib.strategy", "INDEX_COSTS": "quantlib.strategy",
    "run_strategy": "quantlib.runner", "StrategyRun": "quantlib.runner",
}

__all__ = ["__version__", *_SUBMODULES, *_NAMES]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"quantlib.{name}")
    if name in _NAMES:
        return getattr(importlib.import_module(_NAMES[name]), name)
    raise AttributeError(f"module 'quantlib' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
