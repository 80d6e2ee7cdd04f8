"""The weekly page and the backtest tearsheet: assembly, tables, figures, HTML, run manifests.

Submodules (imported on first attribute access, so ``import quantlib.report`` stays light):

* :mod:`~quantlib.report.weekly` - :func:`load_weekly_inputs`, :func:`weekly_report` (a dict);
* :mod:`~quantlib.report.tearsheet` - the tearsheet's data of a run;
* :mod:`~quantlib.report.manifest` - run manifests and the replay checks;
* :mod:`~quantlib.report.tables`, :mod:`~quantlib.report.plots` (matplotlib ``Figure``),
  :mod:`~quantlib.report.html` (``render(template, context)``).

Nothing here writes files: ``quantlib weekly`` and ``quantlib backtest`` do. See
``docs/report.md``.
"""

from __future__ import annotations

import importlib
from typing import Any

_SUBMODULES = ("html", "manifest", "plots", "tables", "tearsheet", "weekly")
__all__ = list(_SUBMODULES)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"quantlib.report.{name}")
    raise AttributeError(f"module 'quantlib.report' has no attribute {name!r}")
