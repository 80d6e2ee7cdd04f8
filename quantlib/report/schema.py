"""JSON Schemas (draft 2020-12) of the JSON outputs: ``quantlib weekly --format json`` and
``quantlib signal timing|position|industries --format json`` (and ``timing --history``).

One unit everywhere: **every ratio is a fraction** (0.0123 means 1.23%): returns, MA distance,
money effect, position, PE/PB percentiles, industry-model ratio fields. Amounts are CNY, prices
index points, dates ``YYYY-MM-DD``. Industry names come as ``name_zh`` and ``name_en`` (null
where the universe has no English names). ``--lang`` changes only the sentences (``changes``,
``notes``, ``reason``, the models' ``note``, ``proxy_note``, ``inputs_note``, ``window``,
``pe_input``, ``pb_input``, the ``data`` coverage lines, ``freshness.warnings``), never a key,
a code or a number.

``python -m quantlib.report.schema NAME`` prints one schema (``weekly``, ``signal_timing``,
``signal_timing_history``, ``signal_position``, ``signal_industries``).
"""

from __future__ import annotations

import json
import sys
from typing import Any

__all__ = ["SCHEMAS"]

_DATE: dict[str, Any] = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_DATE_OR_NULL: dict[str, Any] = {"anyOf": [_DATE, {"type": "null"}]}
#: A fraction that is a share of a whole (position, percentile): 0..1.
_SHARE: dict[str, Any] = {"type": "number", "minimum": 0, "maximum": 1,
          "description": "fraction in [0, 1]; 0.55 means 55%"}
#: A signed ratio (return, distance): a fraction, never a percentage.
_RATIO: dict[str, Any] = {"type": "number", "minimum": -1, "maximum": 10,
          "description": "fraction; 0.0123 means +1.23%"}
_REGIME: dict[str, Any] = {"enum": ["up", "range", "down"]}
_NAME: dict[str, Any] = {"name_zh": {"type": "string"}, "name_en": {"type": ["string", "null"]}}

_FRESHNESS: dict[str, Any] = {
    "type": "object", "required": ["today", "stale_after_trading_days", "datasets", "warnings"],
    "properties": {
        "today": _DATE, "stale_after_trading_days": {"type": "integer", "minimum": 0},
        "datasets": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["last_date", "trading_days_behind", "stale"],
            "properties": {"last_date": _DATE, "trading_days_behind": {"type": "integer"},
                           "stale": {"type": "boolean"}}}},
        "warnings": {"type": "array", "items": {"type": "string"}}},
}

_TIMING_SNAPSHOT: dict[str, Any] = {
    "type": "object",
    "required": ["date", "close", "ma_fast", "ma_short", "ma_long", "distance", "trend_line",
                 "money_effect", "raw_regime", "regime", "regime_days", "regime_since"],
    "properties": {
        "date": _DATE, "close": {"type": "number", "exclusiveMinimum": 0},
        "ma_fast": {"type": "number"}, "ma_short": {"type": "number"},
        "ma_long": {"type": "number"}, "trend_line": {"type": "number"},
        "distance": {**_RATIO, "description": "(MA20 - MA120) / MA120 as a fraction"},
        "money_effect": {**_RATIO, "description": "money effect (赚钱效应) as a fraction"},
        "raw_regime": _REGIME, "regime": _REGIME, "regime_days": {"type": "integer"},
        "regime_since": _DATE,
        "uptrend_broken": {"type": "boolean"}, "break_confirmed": {"type": "boolean"},
        "downtrend_exited": {"type": "boolean"}, "volume_shrink": {"type": "boolean"},
        "turnover": {"type": "number", "description": "CNY"},
        "volume_level": {"type": "number", "description": "CNY"}},
}

_POSITION: dict[str, Any] = {
    "type": "object",
    "required": ["date", "pe", "pe_date", "pe_percentile", "pb", "pb_date", "pb_percentile",
                 "rule", "valuation_class", "regime", "position", "proxy"],
    "properties": {
        "date": _DATE, "pe": {"type": "number"}, "pb": {"type": "number"},
        "pe_date": _DATE, "pb_date": _DATE, "pe_percentile": _SHARE, "pb_percentile": _SHARE,
        "rule": {"type": "string"}, "valuation_class": {"enum": ["cheap", "normal", "expensive"]},
        "regime": _REGIME, "position": {**_SHARE, "description": "equity weight, fraction"},
        "proxy": {"type": "boolean"}},
    "not": {"anyOf": [{"required": ["pe_pct"]}, {"required": ["pb_pct"]}]},
}

_PICK: dict[str, Any] = {
    "type": "object", "required": ["rank", "code", "name_zh", "name_en", "score", "etfs"],
    "properties": {
        "rank": {"type": "integer", "minimum": 1}, "code": {"type": "string"}, **_NAME,
        "score": {"type": "number"}, "etfs": {"type": "array", "items": {"type": "string"}},
        "distance": _RATIO, "money_effect": _RATIO, "alpha": _RATIO, "growth": _RATIO,
        "accel": _RATIO, "drawdown": _RATIO, "percentile": _SHARE},
    "not": {"required": ["name"]},
}

_MODEL_BLOCK: dict[str, Any] = {
    "type": "object", "required": ["covered", "note", "picks"],
    "properties": {"covered": {"type": "boolean"}, "note": {"type": "string"},
                   "picks": {"type": "array", "items": _PICK},
                   "reason": {"type": "string"}, "lead": {"type": ["string", "null"]}},
}

_NAMED: dict[str, Any] = {"type": "object", "required": ["code", "name_zh", "name_en"],
          "properties": {"code": {"type": "string"}, **_NAME}}

SCHEMAS: dict[str, dict[str, Any]] = {
    "weekly": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "quantlib weekly --format json",
        "description": __doc__.split("\n\n")[1].replace("\n", " "),
        "type": "object",
        "required": ["date", "week_start", "lang", "market", "industry_returns", "timing",
                     "position", "industries", "notes", "data_end", "freshness"],
        "properties": {
            "date": _DATE, "week_start": _DATE, "lang": {"enum": ["en", "zh"]},
            "market": {"type": "array", "items": {
                "type": "object",
                "required": ["dataset", "index", "as_of", "base", "close", "week_return",
                             "current_week"],
                "properties": {"dataset": {"type": "string"}, "index": {"type": "string"},
                               "as_of": _DATE, "base": _DATE, "close": {"type": "number"},
                               "week_return": _RATIO, "current_week": {"type": "boolean"}}}},
            "industry_returns": {"type": "object", "properties": {
                "as_of": _DATE, "count": {"type": "integer"},
                **{k: {"type": "array", "items": {
                    "type": "object", "required": ["code", "name_zh", "name_en", "week_return"],
                    "properties": {"code": {"type": "string"}, **_NAME, "week_return": _RATIO,
                                   "base": _DATE}}} for k in ("best", "worst", "all")}}},
            "timing": {"type": "object",
                       "required": ["index", "as_of", "now", "proxy", "previous", "changes"],
                       "properties": {"as_of": _DATE, "now": _TIMING_SNAPSHOT,
                                      "previous": {"anyOf": [_TIMING_SNAPSHOT,
                                                             {"type": "null"}]},
                                      "proxy": {"type": "boolean"},
                                      "changes": {"type": "array",
                                                  "items": {"type": "string"}}}},
            "position": {"anyOf": [
                {**_POSITION, "properties": {**_POSITION["properties"],
                                             "available": {"const": True},
                                             "previous_position": {"anyOf": [
                                                 _SHARE, {"type": "null"}]},
                                             "previous_date": _DATE_OR_NULL}},
                {"type": "object", "required": ["available", "reason"],
                 "properties": {"available": {"const": False}}}]},
            "industries": {"anyOf": [
                {"type": "object", "required": ["available", "as_of", "k", "models"],
                 "properties": {"available": {"const": True}, "as_of": _DATE,
                                "models": {"type": "object", "additionalProperties": {
                                    **_MODEL_BLOCK, "properties": {
                                        **_MODEL_BLOCK["properties"],
                                        "entered": {"type": "array", "items": _NAMED},
                                        "left": {"type": "array", "items": _NAMED}}}}}},
                {"type": "object", "required": ["available", "reason"],
                 "properties": {"available": {"const": False}}}]},
            "notes": {"type": "array", "items": {"type": "string"}},
            "data_end": {"type": "object", "additionalProperties": _DATE},
            "freshness": _FRESHNESS},
    },
    "signal_timing": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "quantlib signal timing --format json",
        **_TIMING_SNAPSHOT,
        "required": [*_TIMING_SNAPSHOT["required"], "index", "proxy", "freshness"],
        "properties": {**_TIMING_SNAPSHOT["properties"], "index": {"type": "string"},
                       "proxy": {"type": "boolean"},
                       "proxy_note": {"type": ["string", "null"]}, "freshness": _FRESHNESS},
    },
    "signal_timing_history": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "quantlib signal timing --history START END --format json",
        "type": "object", "required": ["index", "changes", "freshness"],
        "properties": {
            "index": {"type": "string"}, "freshness": _FRESHNESS,
            "changes": {"type": "array", "items": {
                "type": "object",
                "required": ["date", "previous", "regime", "close", "distance", "money_effect",
                             "previous_lasted_days"],
                "properties": {"date": _DATE, "previous": _REGIME, "regime": _REGIME,
                               "close": {"type": "number"}, "distance": _RATIO,
                               "money_effect": _RATIO,
                               "previous_lasted_days": {"type": "integer"}}}}},
    },
    "signal_position": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "quantlib signal position --format json",
        **_POSITION,
        "required": [*_POSITION["required"], "freshness"],
        "properties": {**_POSITION["properties"], "freshness": _FRESHNESS},
    },
    "signal_industries": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "quantlib signal industries --format json",
        "type": "object", "required": ["date", "k", "universe", "data", "models", "freshness"],
        "properties": {"date": _DATE, "k": {"type": "integer", "minimum": 1},
                       "universe": {"enum": ["sw_l1", "citic_l1"]},
                       "data": {"type": "object"},
                       "models": {"type": "object", "additionalProperties": _MODEL_BLOCK},
                       "freshness": _FRESHNESS},
    },
}


if __name__ == "__main__":  # pragma: no cover
    name = sys.argv[1] if len(sys.argv) > 1 else "weekly"
    print(json.dumps(SCHEMAS[name], indent=2, ensure_ascii=False))
