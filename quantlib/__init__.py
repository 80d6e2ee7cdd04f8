"""quantlib: China A-share strategy research you can trust, re-run and extend.

Importing quantlib is light: numpy/pandas-free at import time. Subpackages (``quantlib.data``,
``quantlib.backtest``, ``quantlib.metrics`` ...) load on first attribute access.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = ("data", "backtest", "metrics", "periods", "errors", "timing", "valuation",
               "rotation", "sweep")

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"quantlib.{name}")
    raise AttributeError(f"module 'quantlib' has no attribute {name!r}")
