"""The strategy protocol: a strategy declares, in one place, everything a run needs.

A strategy is a subclass of :class:`Strategy` with class-level declarations:

* ``name`` and ``title``, optionally ``summary`` (default: the first paragraph of the module
  docstring);
* the Chinese text next to the English: ``title_zh``, ``summary_zh``, ``notes_zh`` and each
  ``Param(help_zh=...)`` (``Benchmark(name_zh=...)`` for an own benchmark). A strategy without
  them shows its English text on Chinese pages, and the page says so once
  (:meth:`Strategy.text`);
* ``params``: name -> :class:`Param` (type, default, bounds or choices, help);
* ``inputs``: name -> :class:`Input` (a dataset and a field: prices *and* non-price inputs
  such as PE/PB, each under its own name);
* ``trade``: the input whose columns the engine trades, ``asset_kind`` (index, etf, stock) and,
  for a one-series input, ``asset`` (its column name);
* ``costs``, ``benchmark``, ``cash_rate``, ``init_cash`` (CNY capital, or None for a unit
  portfolio with fractional shares), ``notes`` (caveats shown on the tearsheet);
* ``target_weights(data, p)``: the weights table the engine takes (rows = decision dates);
* optionally ``warmup(p)`` (bars before the first possible decision), ``constraint(p)`` (which
  parameter combinations are valid, as ``backtesting.py``'s ``optimize(constraint=)``),
  ``batch_weights(data, combos)`` (weights of many combinations at once, for sweeps),
  ``regime(data)`` (labels to shade the tearsheet's weights chart) and
  ``engine_market(data, prices)`` (the engine's :class:`~quantlib.backtest.Market` for the
  run's window: raw-price facts, limits, suspensions; default: ``market(columns)``).

Everything downstream (``quantlib backtest``, ``quantlib sweep``, the tearsheet, the manifest
replay) reads only these declarations: no library module switches on a strategy's name.
See ``docs/strategies.md``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from quantlib.backtest.costs import CostModel
from quantlib.errors import QuantlibError, UnknownNameError

__all__ = [
    "ASSET_KINDS",
    "BUY_AND_HOLD",
    "EQUAL_WEIGHT",
    "INDEX_COSTS",
    "Benchmark",
    "Input",
    "Param",
    "ParamError",
    "ParamSet",
    "Strategy",
    "StrategyData",
    "StrategyError",
    "StrategyWeightsError",
]

#: What a traded column can be; the engine's rules follow (no stamp duty or lots on indices).
ASSET_KINDS = ("index", "etf", "stock")
_TYPES: dict[str, type] = {"int": int, "float": float, "bool": bool, "str": str}


class StrategyError(QuantlibError, TypeError):
    """An object that is not a strategy, or a strategy whose declarations are inconsistent."""


class ParamError(QuantlibError, ValueError):
    """A parameter value of the wrong type, outside its bounds, or rejected by the constraint."""


class StrategyWeightsError(QuantlibError, ValueError):
    """A strategy returned a weights table the engine cannot take (index, columns, values)."""


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class Param:
    """One parameter: its default, type, bounds or choices.

    Parameters
    ----------
    default : int, float, bool, str or None
        The value when none is given. Its type is the parameter's type unless ``type`` says
        otherwise (needed when the default is None).
    low, high : float, optional
        Inclusive bounds for numbers.
    choices : tuple, optional
        The allowed values (strings or numbers).
    type : {"int", "float", "bool", "str"}, optional
    optional : bool
        None is allowed (implied by a None default).
    help : str
        One line for ``quantlib strategies`` and the docs.
    help_zh : str
        The same line in Chinese (``quantlib strategies --lang zh``).
    """

    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] | None = None
    type: str | None = None
    optional: bool = False
    help: str = ""
    help_zh: str = ""

    def __post_init__(self) -> None:
        kind = self.type or _type_name(self.default)
        if kind not in _TYPES:
            raise StrategyError(f"Param type {kind!r} is not one of {sorted(_TYPES)}; declare "
                                "type='int'|'float'|'bool'|'str'.")
        object.__setattr__(self, "type", kind)
        if self.default is None:
            object.__setattr__(self, "optional", True)
        if self.choices is not None:
            object.__setattr__(self, "choices", tuple(self.choices))

    @property
    def type_text(self) -> str:
        return f"{self.type} | None" if self.optional else str(self.type)

    def check(self, name: str, value: Any) -> Any:
        """Return ``value`` as this parameter's type, or raise :class:`ParamError`.

        Integral floats become ints for an ``int`` parameter (a CSV's 20.0); ints become floats
        for a ``float`` one; numpy scalars become Python scalars. Nothing else is converted.
        """
        if isinstance(value, np.generic):
            value = value.item()
        if value is None:
            if self.optional:
                return None
            raise ParamError(f"parameter {name!r} needs a {self.type}, got None; e.g. "
                             f"{name}={self.default!r}.")
        value = self._typed(name, value)
        if self.choices is not None and value not in self.choices:
            from quantlib.errors import did_you_mean

            hint = did_you_mean(str(value), [str(c) for c in self.choices])
            raise ParamError(f"parameter {name!r} must be one of {list(self.choices)}, got "
                             f"{value!r}.{hint}")
        if self.type in ("int", "float"):
            if self.low is not None and value < self.low:
                raise ParamError(f"parameter {name!r} must be >= {self.low:g}, got {value!r}.")
            if self.high is not None and value > self.high:
                raise ParamError(f"parameter {name!r} must be <= {self.high:g}, got {value!r}.")
        return value

    def _typed(self, name: str, value: Any) -> Any:
        ok: Any = value
        if self.type == "bool":
            ok = value if isinstance(value, bool) else _BAD
        elif self.type == "int":
            if isinstance(value, bool):
                ok = _BAD
            elif isinstance(value, int):
                ok = value
            elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
                ok = int(value)
            else:
                ok = _BAD
        elif self.type == "float":
            if isinstance(value, bool) or not isinstance(value, int | float):
                ok = _BAD
            elif not math.isfinite(value):
                ok = _BAD
            else:
                ok = float(value)
        elif not isinstance(value, str):
            ok = _BAD
        if ok is _BAD:
            raise ParamError(f"parameter {name!r} takes {self.type_text}, got {value!r} "
                             f"({type(value).__name__}); e.g. {name}={self.default!r}.")
        return ok

    def parse(self, name: str, text: str) -> Any:
        """Parse a command-line value (``--param name=text``) and check it."""
        raw = text.strip()
        if raw.lower() in ("none", "null") and self.optional:
            return None
        try:
            if self.type == "bool":
                low = raw.lower()
                if low not in ("true", "1", "yes", "on", "false", "0", "no", "off"):
                    raise ValueError(raw)
                value: Any = low in ("true", "1", "yes", "on")
            elif self.type == "int":
                value = int(raw)
            elif self.type == "float":
                value = float(raw)
            else:
                value = raw
        except ValueError:
            raise ParamError(f"parameter {name!r} takes {self.type_text}, got {text!r}; e.g. "
                             f"--param {name}={self.default!r}.") from None
        return self.check(name, value)


_BAD = object()


def _type_name(value: Any) -> str:
    for name, t in (("bool", bool), ("int", int), ("float", float), ("str", str)):
        if isinstance(value, t):
            return name
    return type(value).__name__


class ParamSet(Mapping[str, Any]):
    """A strategy's full, checked parameter values: ``p.short`` or ``p["short"]``; immutable."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no parameter {name!r}; have {sorted(self._values)}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("parameters are read-only; use p.replace(name=value)")

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"ParamSet({inner})"

    def __hash__(self) -> int:
        return hash(tuple(self._values.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self) == dict(other)

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def replace(self, **changes: Any) -> ParamSet:
        return ParamSet({**self._values, **changes})


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Input:
    """One named data input: a field of a cached dataset.

    Parameters
    ----------
    dataset : str
        A name of ``quantlib.data.datasets()``.
    column : str
        The field: a series dataset gives a Series (e.g. ``Input("wind_all_a", "close")``), a
        panel a dates x codes frame (``Input("sw_l1", "close")``).
    codes : tuple of str, optional
        Panels only: keep these codes.
    """

    dataset: str
    column: str
    codes: tuple[str, ...] | None = None

    def load(self, cache_dir: str | Path | None = None) -> pd.Series | pd.DataFrame:
        from quantlib.data import load

        frame = load(self.dataset, columns=[self.column], codes=self.codes, cache_dir=cache_dir)
        out = frame[self.column]  # panels: dates x codes; series datasets: one Series
        if isinstance(out, pd.DataFrame):
            out.columns = [str(c) for c in out.columns]
            out.columns.name = "code"
        return out


@dataclass(frozen=True)
class Benchmark:
    """What a strategy is compared with: a name and ``weights(targets, prices) -> weights``.

    ``kind="index"``: buy and hold the strategy's input named ``input`` (a one-series index
    such as ``Input("hs300", "close")``) with index costs, instead of its traded assets.
    """

    name: str
    kind: str  # "buy_and_hold" | "equal_weight" | "index"
    input: str | None = None
    name_zh: str | None = None

    def label(self, lang: str) -> str:
        """The name in ``lang``: the catalogue's for the built-in benchmarks, else ``name_zh``
        in Chinese when declared, else ``name``."""
        from quantlib.i18n import MESSAGES

        key = f"bench.{self.name}"
        if key in MESSAGES[lang]:
            return MESSAGES[lang][key]
        return self.name_zh if lang == "zh" and self.name_zh else self.name

    def weights(self, targets: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
        """The benchmark's weights over the same window (same first decision date)."""
        days = targets.index[:1] if self.kind == "buy_and_hold" else targets.index
        listed = prices.loc[days].notna()
        return listed.div(listed.sum(axis=1), axis=0).astype("float64")


#: Everything bought on the first decision date in equal parts (one asset: all in), then held.
BUY_AND_HOLD = Benchmark("buy and hold", "buy_and_hold")
#: Equal weight of the assets with a price, rebalanced on the strategy's own decision dates.
EQUAL_WEIGHT = Benchmark("equal weight of the listed assets, same rebalance dates",
                         "equal_weight")


#: Index/ETF sleeve costs: 2.5 bps commission a side, no minimum commission, no stamp duty or
#: transfer fee (indices and ETFs are not taxed like stocks).
INDEX_COSTS = CostModel(commission_rate=0.00025, min_commission_cny=0.0, transfer_fee_rate=0.0,
                        stamp_duty_schedule=())


@dataclass(frozen=True)
class StrategyData:
    """A strategy's loaded inputs: ``data["close"]``, ``data.prices`` (what is traded).

    Attributes
    ----------
    inputs : dict
        Input name -> Series or DataFrame, as declared in ``Strategy.inputs``.
    prices : DataFrame
        The traded closes, dates x assets (the calendar of the run).
    datasets : tuple of str
        The datasets read (for the run manifest's hashes).
    """

    inputs: dict[str, Any]
    prices: pd.DataFrame
    datasets: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> Any:
        try:
            return self.inputs[name]
        except KeyError:
            raise UnknownNameError("strategy input", name, self.inputs) from None

    def __contains__(self, name: object) -> bool:
        return name in self.inputs

    @property
    def calendar(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.prices.index)

    def truncate(self, end: Any) -> StrategyData:
        """Rows dated <= ``end`` in every input (as-of runs, causality tests)."""
        end = pd.Timestamp(end)
        return StrategyData({k: None if v is None else v.loc[:end]
                             for k, v in self.inputs.items()},
                            self.prices.loc[:end], self.datasets)


# --------------------------------------------------------------------------- the protocol


class Strategy:
    """Base class of every strategy; subclass it and declare (see the module docstring).

    Example
    -------
    >>> class Momentum(Strategy):
    ...     name = "momentum"
    ...     params = {"lookback": Param(60, low=2), "k": Param(5, low=1)}
    ...     inputs = {"close": Input("sw_l1", "close")}
    ...     trade = "close"
    ...     def target_weights(self, data, p):
    ...         score = indicators.momentum(data["close"], p.lookback)
    ...         return weights.top_k_equal(score, p.k, schedules.week_ends(data.calendar))
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    #: One paragraph for ``quantlib strategies`` ("" = the module docstring's first paragraph).
    summary: ClassVar[str] = ""
    #: The Chinese text (``--lang zh``): title, summary, notes (one per English note).
    title_zh: ClassVar[str] = ""
    summary_zh: ClassVar[str] = ""
    notes_zh: ClassVar[tuple[str, ...]] = ()
    params: ClassVar[dict[str, Any]] = {}
    inputs: ClassVar[dict[str, Input]] = {}
    trade: ClassVar[str] = ""
    asset: ClassVar[str | None] = None
    asset_kind: ClassVar[str] = "index"
    costs: ClassVar[Any] = INDEX_COSTS
    benchmark: ClassVar[Benchmark] = BUY_AND_HOLD
    cash_rate: ClassVar[float] = 0.0
    #: Capital in CNY (whole 100-share lots, the minimum commission); None: a portfolio of
    #: 1.0 with fractional units (indices). ``quantlib backtest --init-cash`` overrides it.
    init_cash: ClassVar[float | None] = None
    notes: ClassVar[tuple[str, ...]] = ()

    # ------------------------------------------------------------------ to override

    def target_weights(self, data: StrategyData, p: ParamSet) -> pd.DataFrame:
        """Target weights decided at the close of each row's date (dates x traded assets)."""
        raise NotImplementedError(f"{type(self).__name__} must define target_weights(data, p)")

    def warmup(self, p: ParamSet) -> int | None:
        """Bars of the calendar before the first possible decision (None: not declared)."""
        return None

    def constraint(self, p: ParamSet) -> bool | str:
        """True for a valid combination; False or the reason (a str) for an invalid one."""
        return True

    def regime(self, data: StrategyData) -> pd.Series | None:
        """Labels per day to shade the tearsheet's weights chart (None: no shading)."""
        return None

    #: Optional: ``batch_weights(data, combos) -> ndarray (T, B, A)`` of many combinations at
    #: once (NaN rows = no decision that bar). Sweeps use it when defined.
    batch_weights: ClassVar[Any] = None
    #: Optional: ``batch_signals(data, combos)`` -> the shared inputs of a signal family the
    #: fused sweep kernels know (e.g. :class:`quantlib.timing.TimingBatch`), or None to
    #: decline. Sweeps then run signal, simulation and metrics in one numba pass.
    batch_signals: ClassVar[Any] = None

    # ------------------------------------------------------------------ provided

    @classmethod
    def param_specs(cls) -> dict[str, Param]:
        """The declared parameters as :class:`Param` (a bare default becomes ``Param(v)``)."""
        return {k: v if isinstance(v, Param) else Param(v) for k, v in cls.params.items()}

    def resolve_params(self, values: Mapping[str, Any] | None = None) -> ParamSet:
        """Defaults updated by ``values``, each checked; then the constraint.

        Raises
        ------
        UnknownNameError
            A name the strategy does not declare (with close matches).
        ParamError
            A value of the wrong type, outside its bounds, or rejected by ``constraint``.
        """
        if values is not None and not isinstance(values, Mapping):
            raise ParamError(f"{self.name}: parameters must be a mapping name -> value, e.g. "
                             f"{{'k': 5}}; got {type(values).__name__}.")
        specs = self.param_specs()
        out = {k: s.default for k, s in specs.items()}
        for key, value in (values or {}).items():
            if key not in specs:
                raise UnknownNameError(f"{self.name} parameter", key, specs)
            out[key] = specs[key].check(key, value)
        p = ParamSet(out)
        ok = self.constraint(p)
        if ok is not True:
            why = ok if isinstance(ok, str) and ok else "rejected by the strategy's constraint"
            given = ", ".join(f"{k}={v!r}" for k, v in out.items() if k in (values or {}))
            raise ParamError(f"{self.name}: {why} ({given or 'the defaults'}).")
        return p

    def parse_params(self, pairs: list[str] | tuple[str, ...]) -> dict[str, Any]:
        """``["k=5", "model=blend"]`` -> typed values (``--param`` on the command line)."""
        specs = self.param_specs()
        out: dict[str, Any] = {}
        for pair in pairs:
            if "=" not in pair:
                first = next(iter(specs), "name")
                raise ParamError(f"--param {pair!r} is not of the form name=value; e.g. "
                                 f"--param {first}=...")
            key, text = (s.strip() for s in pair.split("=", 1))
            if key not in specs:
                raise UnknownNameError(f"{self.name} parameter", key, specs)
            out[key] = specs[key].parse(key, text)
        return out

    def load(self, cache_dir: str | Path | None = None) -> StrategyData:
        """Load every declared input from the cache; build the traded price frame."""
        inputs = {name: spec.load(cache_dir) for name, spec in self.inputs.items()}
        return self.data_from(inputs)

    def data_from(self, inputs: Mapping[str, Any]) -> StrategyData:
        """Wrap already-loaded inputs (tests, notebooks, your own data) as :class:`StrategyData`.

        Raises
        ------
        StrategyError
            An input is missing, or the traded input is not dated closes.
        """
        missing = [k for k in self.inputs if k not in inputs]
        if missing:
            raise StrategyError(f"{self.name}: inputs {missing} are missing; it declares "
                                f"{list(self.inputs)}.")
        traded = inputs[self.trade]
        if isinstance(traded, pd.Series):
            traded = traded.to_frame(self.asset or traded.name or self.name)
        if not isinstance(traded, pd.DataFrame) or not isinstance(traded.index,
                                                                   pd.DatetimeIndex):
            raise StrategyError(f"{self.name}: input {self.trade!r} (traded) must be a dated "
                                "Series or DataFrame of closes.")
        return StrategyData(dict(inputs), traded.astype("float64"), self.datasets())

    @classmethod
    def datasets(cls) -> tuple[str, ...]:
        """The datasets the declared inputs read, in order, once each."""
        return tuple(dict.fromkeys(s.dataset for s in cls.inputs.values()))

    def first_decision(self, data: StrategyData, p: ParamSet) -> pd.Timestamp:
        """The first date the strategy can decide on: ``calendar[warmup(p)]`` when it declares
        a warm-up, else the first row of its weights."""
        n = self.warmup(p)
        cal = data.calendar
        if n is not None:
            return cal[min(int(n), len(cal) - 1)]
        w = self.target_weights(data, p)
        return w.index[0] if len(w) else cal[-1]

    def market(self, columns: pd.Index) -> Any:
        """Per-asset metadata for the engine (the declared ``asset_kind``)."""
        from quantlib.backtest import Market

        return Market(assets=pd.DataFrame({"kind": self.asset_kind}, index=list(columns)))

    def engine_market(self, data: StrategyData, prices: pd.DataFrame) -> Any:
        """The engine's market data for the window ``prices`` (default: :meth:`market`)."""
        return self.market(prices.columns)

    def cost_model(self) -> CostModel:
        if not isinstance(self.costs, CostModel):
            raise StrategyError(f"strategy {self.name}: costs must be a "
                                "quantlib.backtest.CostModel, e.g. INDEX_COSTS.")
        return self.costs

    @classmethod
    def text(cls, lang: str = "en") -> dict[str, Any]:
        """Title, summary, notes and parameter help in ``lang``.

        Chinese comes from ``title_zh``, ``summary_zh``, ``notes_zh`` and ``Param.help_zh``;
        where one is missing the English stands in and ``missing`` lists which declarations
        were (the pages then say once that the text is the strategy's English). ``notes_zh``
        must hold one line per English note when given.
        """
        import sys

        module = sys.modules.get(cls.__module__)
        summary = cls.summary or " ".join(
            (getattr(module, "__doc__", None) or "").strip().split("\n\n")[0].split())
        specs = cls.param_specs()
        text = {"title": cls.title, "summary": summary}
        notes = tuple(cls.notes)
        helps = {k: s.help for k, s in specs.items()}
        missing: list[str] = []
        if lang == "zh":
            for key in ("title", "summary"):
                zh = getattr(cls, f"{key}_zh")
                if zh:
                    text[key] = zh
                elif text[key]:
                    missing.append(f"{key}_zh")
            if cls.notes_zh:
                if len(cls.notes_zh) != len(cls.notes):
                    raise StrategyError(f"strategy {cls.name}: notes_zh has "
                                        f"{len(cls.notes_zh)} lines, notes {len(cls.notes)}; "
                                        "give one per note.")
                notes = tuple(cls.notes_zh)
            elif cls.notes:
                missing.append("notes_zh")
            for k, s in specs.items():
                if s.help_zh:
                    helps[k] = s.help_zh
                elif s.help:
                    missing.append(f"{k}.help_zh")
        return {**text, "notes": notes, "params": helps, "missing": missing}

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """Name, title, inputs, parameters (type, default, bounds), costs, benchmark."""
        return {
            "name": cls.name, "title": cls.title,
            "inputs": {k: f"{v.dataset}:{v.column}" for k, v in cls.inputs.items()},
            "trade": cls.trade, "asset_kind": cls.asset_kind,
            "benchmark": cls.benchmark.name, "cash_rate": cls.cash_rate,
            "init_cash": cls.init_cash,
            "params": [{"name": k, "type": s.type_text, "default": repr(s.default),
                        "bounds": _bounds_text(s), "help": s.help}
                       for k, s in cls.param_specs().items()],
        }


def _bounds_text(s: Param) -> str:
    if s.choices is not None:
        return "|".join(map(str, s.choices))
    lo = "" if s.low is None else f"{s.low:g}"
    hi = "" if s.high is None else f"{s.high:g}"
    return f"[{lo}, {hi}]" if lo or hi else ""


def check_strategy(obj: Any, where: str = "") -> Strategy:
    """Return an instance of a strategy class or object, after checking its declarations.

    Raises
    ------
    StrategyError
        Not a :class:`Strategy` (subclass or instance), or declarations that do not fit
        together (no name, no inputs, ``trade`` not an input, a bad default, an unknown kind).
    """
    origin = f" ({where})" if where else ""
    if isinstance(obj, type) and issubclass(obj, Strategy):
        try:
            obj = obj()
        except TypeError as exc:
            raise StrategyError(f"cannot instantiate strategy {obj.__name__}{origin}: {exc}; "
                                "a strategy class must take no constructor arguments.") from None
    if not isinstance(obj, Strategy):
        raise StrategyError(f"{obj!r}{origin} is not a strategy: subclass quantlib.Strategy and "
                            "declare name, params, inputs, trade and target_weights "
                            "(docs/strategies.md).")
    cls = type(obj)
    label = cls.__name__ + origin
    if not cls.name or not isinstance(cls.name, str):
        raise StrategyError(f"strategy {label} has no name; set name = 'my_strategy'.")
    if type(obj).target_weights is Strategy.target_weights:
        raise StrategyError(f"strategy {label} does not define target_weights(self, data, p).")
    if not cls.inputs or not all(isinstance(v, Input) for v in cls.inputs.values()):
        raise StrategyError(f"strategy {label}: inputs must map names to Input(dataset, column)"
                            ", e.g. inputs = {'close': Input('sw_l1', 'close')}.")
    if cls.trade not in cls.inputs:
        raise StrategyError(f"strategy {label}: trade = {cls.trade!r} must name one of its "
                            f"inputs {list(cls.inputs)} (the closes the engine trades).")
    if cls.asset_kind not in ASSET_KINDS:
        raise StrategyError(f"strategy {label}: asset_kind {cls.asset_kind!r} is not one of "
                            f"{list(ASSET_KINDS)}.")
    if not isinstance(cls.benchmark, Benchmark):
        raise StrategyError(f"strategy {label}: benchmark must be BUY_AND_HOLD, EQUAL_WEIGHT "
                            "or a quantlib.strategy.Benchmark.")
    if cls.benchmark.kind == "index" and cls.benchmark.input not in cls.inputs:
        raise StrategyError(f"strategy {label}: the index benchmark reads input "
                            f"{cls.benchmark.input!r}, which is not one of {list(cls.inputs)}.")
    if cls.init_cash is not None and not (isinstance(cls.init_cash, int | float)
                                          and math.isfinite(cls.init_cash)
                                          and cls.init_cash > 0):
        raise StrategyError(f"strategy {label}: init_cash {cls.init_cash!r} must be a positive "
                            "number of CNY or None.")
    if cls.notes_zh and len(cls.notes_zh) != len(cls.notes):
        raise StrategyError(f"strategy {label}: notes_zh has {len(cls.notes_zh)} lines and "
                            f"notes {len(cls.notes)}; give one Chinese line per note.")
    for k, s in cls.param_specs().items():
        try:
            s.check(k, s.default)
        except ParamError as exc:
            raise StrategyError(f"strategy {label}: the default of {exc}") from None
    return obj


def check_weights(strategy: Strategy, weights: Any, prices: pd.DataFrame) -> pd.DataFrame:
    """Check a strategy's ``target_weights`` output against its traded prices.

    Raises
    ------
    StrategyWeightsError
        Not a DataFrame, an index that is not dates of the calendar, columns that are not
        traded assets, NaN, negative weights or rows summing above 1.
    """
    name = strategy.name
    if isinstance(weights, pd.Series):
        weights = weights.to_frame(prices.columns[0]) if prices.shape[1] == 1 else weights
    if not isinstance(weights, pd.DataFrame):
        raise StrategyWeightsError(f"{name}.target_weights returned {type(weights).__name__}; "
                                   "return a DataFrame of weights (dates x traded assets).")
    if not isinstance(weights.index, pd.DatetimeIndex):
        raise StrategyWeightsError(f"{name}.target_weights: the index must be dates "
                                   f"(DatetimeIndex), got {type(weights.index).__name__}.")
    off = weights.index.difference(prices.index)
    if len(off):
        raise StrategyWeightsError(
            f"{name}.target_weights: {len(off)} row date(s) are not trading days of the traded "
            f"prices, e.g. {off[0]}; decide on dates of data.calendar.")
    unknown = [c for c in weights.columns if c not in prices.columns]
    if unknown:
        raise StrategyWeightsError(
            f"{name}.target_weights: columns {unknown[:5]} are not traded assets "
            f"{list(prices.columns)[:5]}; use the columns of data.prices.")
    if not weights.index.is_monotonic_increasing or weights.index.has_duplicates:
        raise StrategyWeightsError(f"{name}.target_weights: dates must be sorted and unique.")
    w = weights.reindex(columns=prices.columns, fill_value=0.0)
    try:
        values = w.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        raise StrategyWeightsError(f"{name}.target_weights: weights must be numbers.") from None
    if np.isnan(values).any():
        r = int(np.argwhere(np.isnan(values))[0][0])
        raise StrategyWeightsError(f"{name}.target_weights: NaN weight on {w.index[r].date()}; "
                                   "use 0 for no position and omit rows without a decision.")
    if (values < 0).any() or (values.sum(axis=1) > 1 + 1e-9).any():
        raise StrategyWeightsError(f"{name}.target_weights: weights must be >= 0 and each row "
                                   "sum to <= 1 (the rest is cash).")
    return w.astype("float64")
