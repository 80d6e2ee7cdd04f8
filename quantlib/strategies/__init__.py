"""Where strategies come from: quantlib's built-ins, installed packages, and your own code.

A strategy reference (what ``quantlib backtest REF`` and :func:`resolve` take) is one of:

* a built-in name: ``ma_distance_timing``, ``valuation_position``, ``industry_rotation``,
  ``industry_stocks``;
* a name registered by an installed package in the entry-point group ``quantlib.strategies``
  (``[project.entry-points."quantlib.strategies"] mine = "mypkg.mod:MyStrategy"``);
* ``path/to/file.py:MyStrategy`` (a file, loaded under a private module name);
* ``mypkg.mod:MyStrategy`` (an importable module).

The built-in modules live in the repository's top-level ``strategies/`` folder (and inside the
wheel as ``quantlib/_bundled_strategies``); they are imported as ``quantlib.strategies.<name>``,
never as a top-level ``strategies`` package, so a user's own ``strategies`` package or folder
neither shadows nor is shadowed by them.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quantlib.errors import QuantlibError, UnknownNameError

__all__ = ["BUILTIN", "ENTRY_POINT_GROUP", "StrategyLoadError", "StrategyRef", "available",
           "resolve"]


def _module_dirs() -> list[str]:
    here = Path(__file__).resolve().parent
    bundled = here.parent / "_bundled_strategies"
    repo = here.parents[1] / "strategies"
    if bundled.is_dir():  # an installed wheel
        return [str(bundled)]
    if repo.is_dir() and (here.parents[1] / "pyproject.toml").is_file():  # a checkout
        return [str(repo)]
    return []


__path__ = _module_dirs()

#: Built-in strategy name -> "module:Class".
BUILTIN: dict[str, str] = {
    "ma_distance_timing": "quantlib.strategies.ma_distance_timing:MaDistanceTiming",
    "valuation_position": "quantlib.strategies.valuation_position:ValuationPosition",
    "industry_rotation": "quantlib.strategies.industry_rotation:IndustryRotation",
    "industry_stocks": "quantlib.strategies.industry_stocks:IndustryStocks",
}
ENTRY_POINT_GROUP = "quantlib.strategies"
_USER_PREFIX = "quantlib_user_strategy_"


class StrategyLoadError(QuantlibError, ImportError):
    """A strategy reference that cannot be loaded: no such file, module or attribute, or code
    that raises on import."""


@dataclass(frozen=True)
class StrategyRef:
    """Where a strategy came from, for listings and run manifests.

    Attributes
    ----------
    ref : str
        The reference as given (a name, ``file.py:Class`` or ``module:Class``).
    origin : str
        ``built-in``, ``entry point (<distribution>)``, ``file`` or ``module``.
    target : str
        ``module:Class`` (or ``path:Class`` for files).
    path : str or None
        The source file, when there is one.
    sha256 : str or None
        The source file's hash, for user code (a replay refuses a changed file).
    """

    ref: str
    origin: str
    target: str
    path: str | None = None
    sha256: str | None = None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _entry_points() -> dict[str, Any]:
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def _split(ref: str) -> tuple[str, str]:
    target, _, attr = ref.rpartition(":")
    if not target or not attr or not attr.isidentifier():
        raise StrategyLoadError(f"strategy reference {ref!r}: write NAME (see `quantlib "
                                "strategies`), path/to/file.py:ClassName or package.module:"
                                "ClassName.")
    return target, attr


def _import_module(name: str, ref: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            raise StrategyLoadError(f"strategy {ref!r}: no module named {exc.name!r}; check the "
                                    "spelling, install the package, or give a file path "
                                    "(path/to/file.py:ClassName).") from None
        raise StrategyLoadError(f"strategy {ref!r}: importing {name} failed: {exc}.") from exc
    except Exception as exc:  # user code: any error on import is the user's to see
        raise StrategyLoadError(f"strategy {ref!r}: importing {name} raised "
                                f"{type(exc).__name__}: {exc}. Fix the module.") from exc


def _load_file(path: Path, ref: str) -> Any:
    if not path.is_file():
        raise StrategyLoadError(f"strategy {ref!r}: no file {str(path)!r}; check the path.")
    if path.suffix != ".py":
        raise StrategyLoadError(f"strategy {ref!r}: {str(path)!r} is not a .py file.")
    digest = _sha256(path)
    stem = re.sub(r"\W", "_", path.stem)
    name = f"{_USER_PREFIX}{stem}_{digest[:12]}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise StrategyLoadError(f"strategy {ref!r}: cannot load {str(path)!r} as Python.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # user code: any error on import is the user's to see
        del sys.modules[name]
        raise StrategyLoadError(f"strategy {ref!r}: {path.name} raised {type(exc).__name__} on "
                                f"import: {exc}. Fix the file.") from exc
    return module


def _attr(module: Any, attr: str, ref: str) -> Any:
    try:
        return getattr(module, attr)
    except AttributeError:
        from quantlib.strategy import Strategy

        have = [k for k, v in vars(module).items()
                if isinstance(v, type) and issubclass(v, Strategy) and v is not Strategy]
        raise StrategyLoadError(f"strategy {ref!r}: {module.__name__} has no attribute "
                                f"{attr!r}; strategies there: {have or 'none'}.") from None


def _source(obj: Any) -> Path | None:
    module = sys.modules.get(getattr(obj, "__module__", ""), None)
    file = getattr(module, "__file__", None)
    return Path(file) if file else None


def resolve(ref: Any) -> tuple[Any, StrategyRef]:
    """Return ``(strategy instance, where it came from)`` for a reference, class or instance.

    Raises
    ------
    UnknownNameError
        A bare name that is neither built in nor registered (with close matches).
    StrategyLoadError
        A file, module or attribute that cannot be loaded, or code raising on import.
    StrategyError
        An object that is not a strategy, or inconsistent declarations.
    """
    from quantlib.strategy import check_strategy

    if not isinstance(ref, str):
        strategy = check_strategy(ref)
        cls = type(strategy)
        src = _source(cls)
        user = cls.__module__.split(".")[0] != "quantlib"
        return strategy, StrategyRef(
            f"{cls.__module__}:{cls.__qualname__}", "python object",
            f"{cls.__module__}:{cls.__qualname__}", str(src) if src else None,
            _sha256(src) if (src and user and src.is_file()) else None)
    if ":" not in ref:
        if ref in BUILTIN:
            target = BUILTIN[ref]
            module, attr = target.split(":")
            obj = _attr(_import_module(module, ref), attr, ref)
            return check_strategy(obj, ref), StrategyRef(ref, "built-in", target,
                                                         str(_source(obj) or ""))
        eps = _entry_points()
        if ref in eps:
            ep = eps[ref]
            try:
                obj = ep.load()
            except Exception as exc:  # user code
                raise StrategyLoadError(f"strategy {ref!r} (entry point {ep.value}) raised "
                                        f"{type(exc).__name__} on load: {exc}.") from exc
            dist = getattr(getattr(ep, "dist", None), "name", "?")
            src = _source(obj)
            return check_strategy(obj, ref), StrategyRef(
                ref, f"entry point ({dist})", ep.value, str(src) if src else None,
                _sha256(src) if src and src.is_file() else None)
        if ref.endswith(".py"):  # a file without its class
            raise StrategyLoadError(f"strategy {ref!r} names a file but no class; write "
                                    f"{ref}:ClassName (the Strategy subclass in it).")
        raise UnknownNameError("strategy", ref, [*BUILTIN, *eps])
    target, attr = _split(ref)
    if target.endswith(".py") or "/" in target or "\\" in target:
        path = Path(target).expanduser().resolve()
        obj = _attr(_load_file(path, ref), attr, ref)
        strategy = check_strategy(obj, ref)
        return strategy, StrategyRef(ref, "file", f"{path}:{attr}", str(path), _sha256(path))
    obj = _attr(_import_module(target, ref), attr, ref)
    strategy = check_strategy(obj, ref)
    src = _source(obj)
    return strategy, StrategyRef(ref, "module", f"{target}:{attr}", str(src) if src else None,
                                 _sha256(src) if src and src.is_file() else None)


def available() -> list[tuple[Any, StrategyRef]]:
    """Every strategy ``quantlib strategies`` lists: the built-ins, then entry points."""
    out = [resolve(name) for name in BUILTIN]
    for name in sorted(_entry_points()):
        if name not in BUILTIN:
            out.append(resolve(name))
    return out
