"""The JSON outputs of `quantlib weekly` and `quantlib signal ...` follow their documented
schemas (quantlib.report.schema): one unit (fractions) for every ratio, name_zh and name_en
as separate fields, in both languages."""

from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner

from quantlib.cli import main
from quantlib.report.schema import SCHEMAS

jsonschema = pytest.importorskip("jsonschema")


def _json(*args: str) -> dict:
    res = CliRunner().invoke(main, [*args, "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _errors(name: str, doc: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMAS[name])
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


def test_schemas_are_valid_schemas() -> None:
    for schema in SCHEMAS.values():
        jsonschema.Draft202012Validator.check_schema(schema)


@pytest.fixture(scope="module")
def weekly() -> dict:
    return _json("weekly", "--quiet", "--date", "2024-03-15")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_weekly_json_follows_the_schema(lang: str) -> None:
    doc = _json("weekly", "--quiet", "--date", "2024-03-15", "--lang", lang)
    assert _errors("weekly", doc) == []
    assert doc["lang"] == lang


def test_weekly_units_and_names(weekly: dict) -> None:
    pos = weekly["position"]
    assert 0 <= pos["pe_percentile"] <= 1 and 0 <= pos["pb_percentile"] <= 1
    pick = weekly["industries"]["models"]["trend"]["picks"][0]
    assert pick["name_zh"] and pick["name_en"] and " " not in pick["name_zh"]
    best = weekly["industry_returns"]["best"][0]
    assert set(best) >= {"name_zh", "name_en"} and "name" not in best


def test_the_schema_catches_a_percent_and_a_joined_name(weekly: dict) -> None:
    """The checks have teeth: a percentile written as 55.5 or a "中文 English" name fails."""
    bad = copy.deepcopy(weekly)
    bad["position"]["pe_percentile"] = 55.5
    assert _errors("weekly", bad)
    bad = copy.deepcopy(weekly)
    pick = bad["industries"]["models"]["trend"]["picks"][0]
    pick["name"] = pick.pop("name_zh") + " " + pick.pop("name_en")
    assert _errors("weekly", bad)
    bad = copy.deepcopy(weekly)
    bad["timing"]["now"]["distance"] = -4.59  # a percentage where a fraction belongs
    assert _errors("weekly", bad)


def test_signal_json_follows_the_schemas() -> None:
    timing = _json("signal", "timing", "--date", "2024-03-15")
    assert _errors("signal_timing", timing) == []
    history = _json("signal", "timing", "--history", "2024-01-01", "2024-06-30")
    assert _errors("signal_timing_history", history) == [] and history["changes"]
    position = _json("signal", "position", "--date", "2024-03-15", "--lang", "zh")
    assert _errors("signal_position", position) == []
    industries = _json("signal", "industries", "--date", "2024-03-15")
    assert _errors("signal_industries", industries) == []
    citic = _json("signal", "industries", "--date", "2024-03-15", "--universe", "citic_l1",
                  "--model", "trend")
    assert _errors("signal_industries", citic) == []
    assert citic["models"]["trend"]["picks"][0]["name_en"] is None  # no English CITIC names


def test_same_fraction_in_weekly_and_signal(weekly: dict) -> None:
    """distance and money_effect: the same fraction in the weekly page, signal timing and
    signal industries' trend model (it used to be a percentage in one, a fraction in another)."""
    timing = _json("signal", "timing", "--date", "2024-03-15")
    assert weekly["timing"]["now"]["distance"] == timing["distance"]
    assert abs(timing["distance"]) < 1
    ind = _json("signal", "industries", "--date", "2024-03-15", "--model", "trend")
    pick = ind["models"]["trend"]["picks"][0]
    assert abs(pick["distance"]) < 1 and abs(pick["money_effect"]) < 1
