"""The bad-input catalogue (issue 13): every case must end in exit 2 (CLI) or a typed exception
(Python API) whose message names the problem, and never in a traceback.

Two tables, :data:`CLI_CASES` and :data:`API_CASES`; add a row to cover a new case.
A CLI row's ``argv`` may be a function of a scratch directory holding broken caches
(:func:`_broken_caches`) and broken replay manifests (:func:`_run_manifest`).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from quantlib import backtest, metrics
from quantlib import data as qdata
from quantlib.backtest import AlignmentError, PricesError
from quantlib.errors import (
    CacheManifestError,
    DataValidationError,
    DateRangeError,
    NotCachedError,
    ReadOnlySnapshotError,
    UnknownDatasetError,
    UnknownNameError,
)
from quantlib.metrics import MetricsError

BUNDLED = str(Path(__file__).resolve().parents[1] / "data_cache")


@dataclass(frozen=True)
class Cli:
    """One command line, the exit code it must give and a regex its output must contain."""

    argv: list[str] | Callable[[Path], list[str]]
    match: str
    code: int = 2
    env: dict[str, str] = field(default_factory=dict)


CLI_CASES: dict[str, Cli] = {
    # ---- data
    "data show unknown dataset": Cli(["data", "show", "hs30"], r"unknown dataset 'hs30'\. "
                                     r"Did you mean 'hs300'"),
    "data show negative tail": Cli(["data", "show", "hs300", "--tail", "-5"],
                                   r"'--tail': -5 is not in the range x>=0"),
    "data show malformed start": Cli(["data", "show", "hs300", "--start", "2024-13-01"],
                                     r"start '2024-13-01' is not a date; write it as YYYY-MM-DD"),
    "data show reversed range": Cli(["data", "show", "hs300", "--start", "2024-06-01", "--end",
                                     "2024-01-01"], r"start 2024-06-01 is after end 2024-01-01"),
    "data show range outside data": Cli(["data", "show", "hs300", "--start", "2099-01-01"],
                                        r"covers 2005-01-04 \.\. 2026-08-21.*does not overlap"),
    "data show 15:00 start": Cli(["data", "show", "hs300", "--start", "2024-01-05 15:00"],
                                 r"start '2024-01-05 15:00' has a time of day"),
    "data show tz start": Cli(["data", "show", "hs300", "--start", "2024-01-05T00:00+08:00"],
                              r"has a time zone"),
    "data show unknown column": Cli(["data", "show", "hs300", "--columns", "clsoe"],
                                    r"unknown column of dataset 'hs300' 'clsoe'.*'close'"),
    "data show codes of a series": Cli(["data", "show", "hs300", "--codes", "000300"],
                                       r"'hs300' is a single series; it has no codes"),
    "data show unknown code": Cli(["data", "show", "sw_l1", "--codes", "999999"],
                                  r"unknown code of dataset 'sw_l1' '999999'"),
    "data show refresh-only not fetched": Cli(["data", "show", "market_pe_lg"],
                                              r"'market_pe_lg' is refresh-only.*quantlib data "
                                              r"refresh market_pe_lg --cache-dir DIR"),
    "data unknown subcommand": Cli(["data", "shwo"], r"no such command 'shwo'.*'show'"),
    "data refresh no name": Cli(["data", "refresh"], r"give a dataset NAME or --all"),
    "data refresh name and --all": Cli(["data", "refresh", "hs300", "--all"],
                                       r"give a dataset NAME or --all \(not both\)"),
    "data refresh unknown dataset": Cli(["data", "refresh", "hs3000", "--quiet"],
                                        r"unknown dataset 'hs3000'"),
    "data refresh frozen dataset": Cli(["data", "refresh", "citic_l1", "--quiet"],
                                       r"'citic_l1' cannot be refreshed"),
    "data refresh malformed end": Cli(["data", "refresh", "hs300", "--end", "2024-99-01"],
                                      r"--end '2024-99-01' is not a date"),
    "data refresh into the bundled snapshot": Cli(
        ["data", "refresh", "hs300", "--quiet", "--cache-dir", BUNDLED],
        r"is \(inside\) the bundled snapshot .* which refresh never edits"),
    "data verify --fix without a cache dir": Cli(["data", "verify", "--fix"],
                                                 r"--fix needs --cache-dir"),
    "data list on a file": Cli(lambda d: ["data", "list", "--cache-dir", str(d / "a_file")],
                               r"'--cache-dir'.*is a file"),
    "manifest is a list": Cli(lambda d: ["data", "show", "hs300", "--cache-dir",
                                         str(d / "list")], r"top level must be an object"),
    "manifest entry is a string": Cli(lambda d: ["data", "show", "hs300", "--cache-dir",
                                                 str(d / "string")],
                                      r"datasets\.hs300 must be an object"),
    "manifest entry without file": Cli(lambda d: ["data", "show", "hs300", "--cache-dir",
                                                  str(d / "nofile")],
                                       r"datasets\.hs300\.file is missing"),
    "manifest entry without sha256": Cli(lambda d: ["data", "show", "hs300", "--cache-dir",
                                                    str(d / "nosha")],
                                         r"datasets\.hs300\.sha256 is missing"),
    "manifest file climbs out": Cli(lambda d: ["data", "show", "hs300", "--cache-dir",
                                               str(d / "dotdot")], r"climbs out with '\.\.'"),
    "manifest file absolute": Cli(lambda d: ["data", "show", "hs300", "--cache-dir",
                                             str(d / "absolute")], r"is an absolute path"),
    "manifest serves another dataset": Cli(lambda d: ["data", "show", "hs300", "--cache-dir",
                                                      str(d / "swapped")],
                                           r"does not hold dataset 'hs300'"),
    "verify a broken manifest": Cli(lambda d: ["data", "verify", "--cache-dir", str(d / "list")],
                                    r"top level must be an object"),
    # ---- signal
    "timing malformed date": Cli(["signal", "timing", "--date", "2024-13-45"],
                                 r"--date '2024-13-45' is not a date"),
    "timing date after the data": Cli(["signal", "timing", "--date", "2099"],
                                      r"--date 2099-01-01 is after the last wind_all_a day in "
                                      r"the data, 2026-08-21"),
    "timing date before the data": Cli(["signal", "timing", "--date", "1990-01-01"],
                                       r"date 1990-01-01 is before the data"),
    "timing history not dates": Cli(["signal", "timing", "--history", "abc", "def"],
                                    r"--history START 'abc' is not a date"),
    "timing history bad end": Cli(["signal", "timing", "--history", "2023-01-01", "2023-02-30"],
                                  r"--history END '2023-02-30' is not a date"),
    "timing history reversed": Cli(["signal", "timing", "--history", "2024-06-01", "2023-01-01"],
                                   r"START 2024-06-01 is after END 2023-01-01"),
    "timing monthly panel": Cli(["signal", "timing", "--index", "sw_l1_pe_ttm:801010"],
                                r"unknown daily price panel \(PANEL:CODE\) 'sw_l1_pe_ttm'"),
    "timing unknown index": Cli(["signal", "timing", "--index", "hs3000"],
                                r"unknown timing index 'hs3000'.*'hs300'"),
    "timing unknown panel code": Cli(["signal", "timing", "--index", "sw_l1:999999"],
                                     r"unknown code of dataset 'sw_l1' '999999'"),
    "timing negative stale days": Cli(["signal", "timing", "--stale-days", "-1"],
                                      r"'--stale-days': -1 is not in the range x>=0"),
    "timing bad QUANTLIB_STALE_DAYS": Cli(["signal", "timing"], r"QUANTLIB_STALE_DAYS='soon'",
                                          env={"QUANTLIB_STALE_DAYS": "soon"}),
    "position date after the data": Cli(["signal", "position", "--date", "2099-01-01"],
                                        r"after the last wind_all_a day"),
    "position malformed date": Cli(["signal", "position", "--date", "2024-02-30"],
                                   r"--date '2024-02-30' is not a date"),
    "position before PE data": Cli(["signal", "position", "--date", "2005-06-01"],
                                   r"no position on 2005-06-01"),
    "position unknown rule": Cli(["signal", "position", "--rule", "mean_3_7"], r"mean_3_7"),
    "industries date after the data": Cli(["signal", "industries", "--date", "2026-05-01"],
                                          r"2026-05-01 is after the last sw_l1 day in the data, "
                                          r"2026-02-26"),
    "industries malformed date": Cli(["signal", "industries", "--date", "xyz"],
                                     r"--date 'xyz' is not a date"),
    "industries unknown model": Cli(["signal", "industries", "--model", "tend"],
                                    r"unknown rotation model 'tend'.*'trend'"),
    "industries unknown universe": Cli(["signal", "industries", "--universe", "sw_l2"],
                                       r"unknown industry universe 'sw_l2'"),
    "industries k too large": Cli(["signal", "industries", "--model", "trend", "--k", "50"],
                                  r"k=50 is larger than the universe of 31"),
    "industries unknown code": Cli(["signal", "industries", "--model", "trend", "--codes",
                                    "801010,999999"], r"999999"),
    "industries model not on citic": Cli(["signal", "industries", "--universe", "citic_l1",
                                          "--model", "two_beta"],
                                         r"model 'two_beta' does not run on citic_l1"),
    "signal unknown subcommand": Cli(["signal", "timng"], r"no such command 'timng'"),
    # ---- weekly
    "weekly date after the data": Cli(["weekly", "--quiet", "--date", "2099"],
                                      r"--date 2099-01-01 is after the last wind_all_a day"),
    "weekly malformed date": Cli(["weekly", "--quiet", "--date", "abc"],
                                 r"date 'abc' is not a date"),
    "weekly date before the data": Cli(["weekly", "--quiet", "--date", "1990-01-01"],
                                       r"date 1990-01-01 is before the data"),
    "weekly k zero": Cli(["weekly", "--quiet", "--k", "0"], r"'--k': 0 is not in the range"),
    "weekly unknown format": Cli(["weekly", "--format", "pdf"], r"'pdf' is not one of"),
    "weekly out is a file": Cli(lambda d: ["weekly", "--quiet", "--out", str(d / "a_file")],
                                r"'--out'.*is a file"),
    # ---- backtest (every row fails before the engine runs)
    "backtest unknown strategy": Cli(["backtest", "ma_distanse_timing", "--quiet"],
                                     r"unknown strategy 'ma_distanse_timing'\. Did you mean "
                                     r"'ma_distance_timing'"),
    "backtest no strategy": Cli(["backtest", "--quiet"], r"give a STRATEGY .* or --manifest"),
    "backtest file without a class": Cli(["backtest", "examples/momentum.py", "--quiet"],
                                         r"'examples/momentum\.py' names a file but no "
                                         r"class; write examples/momentum\.py:ClassName"),
    "backtest missing file": Cli(["backtest", "no_such_file.py:Mine", "--quiet"],
                                 r"no file .*no_such_file\.py'; check the path"),
    "backtest malformed start": Cli(["backtest", "ma_distance_timing", "--start", "2024-13-01",
                                     "--quiet"], r"start '2024-13-01' is not a date"),
    "backtest one-day window": Cli(["backtest", "ma_distance_timing", "--start", "2024-06-03",
                                    "--end", "2024-06-03", "--quiet"],
                                   r"holds 1 trading day\(s\); a backtest needs at least 2"),
    "backtest reversed window": Cli(["backtest", "ma_distance_timing", "--start", "2024-06-05",
                                     "--end", "2024-06-03", "--quiet"],
                                    r"end 2024-06-03 is before start 2024-06-05"),
    "backtest end after the data": Cli(["backtest", "ma_distance_timing", "--end", "2099-01-01",
                                        "--quiet"], r"end 2099-01-01 is after the last price "
                                        r"2026-08-21; omit --end"),
    "backtest start before warm-up": Cli(["backtest", "ma_distance_timing", "--start",
                                          "1995-01-03", "--quiet"],
                                         r"start 1995-01-03 is before ma_distance_timing's first "
                                         r"decision"),
    "backtest param not a number": Cli(["backtest", "ma_distance_timing", "--param",
                                        "range_weight=abc", "--quiet"],
                                       r"parameter 'range_weight' takes float, got 'abc'"),
    "backtest param without value": Cli(["backtest", "ma_distance_timing", "--param",
                                         "range_weight", "--quiet"],
                                        r"--param 'range_weight' is not of the form name=value"),
    "backtest unknown param": Cli(["backtest", "ma_distance_timing", "--param", "shrot=5",
                                   "--quiet"], r"unknown ma_distance_timing parameter 'shrot'"),
    "backtest param out of bounds": Cli(["backtest", "ma_distance_timing", "--param",
                                         "range_weight=5", "--quiet"],
                                        r"parameter 'range_weight' must be <= 1, got 5\.0"),
    "backtest fees as percent": Cli(["backtest", "ma_distance_timing", "--fees", "5",
                                     "--quiet"], r"--fees 5\.0 is a commission rate per side "
                                     r"\(500% of every trade\), above 0\.05.*--allow-high-fees"),
    "backtest negative fees": Cli(["backtest", "ma_distance_timing", "--fees", "-0.001",
                                   "--quiet"], r"commission_rate=-0\.001 must be finite and >= 0"),
    "backtest allow-high-fees alone": Cli(["backtest", "ma_distance_timing", "--allow-high-fees",
                                           "--quiet"], r"--allow-high-fees needs --fees RATE"),
    "backtest negative slippage": Cli(["backtest", "ma_distance_timing", "--slippage-bps", "-5",
                                       "--quiet"], r"slippage_bps=-5\.0 must be finite and >= 0"),
    "backtest cash rate as percent": Cli(["backtest", "ma_distance_timing", "--cash-rate", "5",
                                          "--quiet"], r"cash_rate=5\.0 must be an annual rate "
                                          r"in \[0, 1\)"),
    "backtest unknown fill": Cli(["backtest", "ma_distance_timing", "--fill", "tomorrow"],
                                 r"'tomorrow' is not one of"),
    "backtest out is a file": Cli(lambda d: ["backtest", "ma_distance_timing", "--quiet",
                                             "--out", str(d / "a_file")], r"'--out'.*is a file"),
    "backtest out not writable": Cli(["backtest", "ma_distance_timing", "--quiet", "--out",
                                      "/proc/quantlib-out"], r"cannot write to output directory "
                                     r"'/proc/quantlib-out'"),
    "replay missing manifest": Cli(["backtest", "--manifest", "/nonexistent/manifest.json"],
                                   r"cannot read manifest '/nonexistent/manifest\.json'"),
    "replay manifest not JSON": Cli(lambda d: ["backtest", "--manifest", str(d / "a_file")],
                                    r"cannot read manifest .*a_file'"),
    "replay manifest with options": Cli(lambda d: ["backtest", "--manifest", _run_manifest(d),
                                                   "--param", "short=5", "--fees", "0.001"],
                                        r"--manifest fixes every choice of the run; drop "
                                        r"--param, --fees"),
    "replay manifest of another strategy": Cli(
        lambda d: ["backtest", "valuation_position", "--manifest", _run_manifest(d)],
        r"the manifest is a run of 'ma_distance_timing', not 'valuation_position'"),
    "replay manifest top level a list": Cli(lambda d: ["backtest", "--manifest", _run_manifest(
        d, "top_list")], r"a manifest is a JSON object, got list"),
    "replay manifest params a list": Cli(lambda d: ["backtest", "--manifest", _run_manifest(
        d, "params_list")], r"manifest field 'params' must be an object, got list"),
    "replay manifest costs a string": Cli(lambda d: ["backtest", "--manifest", _run_manifest(
        d, "costs_str")], r"manifest field 'costs' must be an object, got str"),
    "replay manifest extra cost field": Cli(lambda d: ["backtest", "--manifest", _run_manifest(
        d, "cost_extra")], r"manifest field 'costs': unknown field 'rebate'"),
    "replay manifest missing cost field": Cli(lambda d: ["backtest", "--manifest", _run_manifest(
        d, "cost_missing")], r"manifest field 'costs': missing field 'slippage_bps'"),
    "replay manifest data without sha256": Cli(lambda d: ["backtest", "--manifest",
                                                          _run_manifest(d, "data_nosha")],
                                               r"manifest data entry 'wind_all_a' has no sha256"),
    "replay manifest data emptied": Cli(lambda d: ["backtest", "--manifest", _run_manifest(
        d, "data_empty")], r"manifest field 'data' lacks 'wind_all_a', which the strategy reads"),
    "replay manifest without data": Cli(lambda d: ["backtest", "--manifest", _run_manifest(
        d, "data_missing")], r"manifest lacks the field 'data'"),
    "replay manifest on other data": Cli(lambda d: ["backtest", "--manifest", _run_manifest(
        d, "data_changed")], r"dataset 'wind_all_a' differs from the one this manifest was run "
        r"on"),
    "replay manifest outputs a string": Cli(lambda d: ["backtest", "--manifest", _run_manifest(
        d, "outputs_str")], r"manifest field 'outputs' must be an object, got str"),
    "replay manifest without output hashes": Cli(lambda d: ["backtest", "--manifest",
                                                            _run_manifest(d, "outputs_empty")],
                                                 r"manifest field 'outputs' lacks equity\.csv"),
    "replay manifest packages a list": Cli(lambda d: ["backtest", "--manifest", _run_manifest(
        d, "packages_list")], r"manifest field 'packages' must be an object"),
    "replay manifest version": Cli(lambda d: ["backtest", "--manifest", _run_manifest(
        d, "version")], r"manifest_version 99 is not 2"),
    "replay manifest without strategy": Cli(lambda d: ["backtest", "--manifest", _run_manifest(
        d, "no_strategy")], r"manifest lacks the field 'strategy'"),
    "replay manifest unknown strategy": Cli(lambda d: ["backtest", "--manifest", _run_manifest(
        d, "strategy_unknown")], r"unknown strategy 'no_such_strategy'"),
    "replay manifest numeric end": Cli(lambda d: ["backtest", "--manifest", _run_manifest(
        d, "end_number")], r"end 2024 is a number, not a date"),
    "replay manifest bad param": Cli(lambda d: ["backtest", "--manifest", _run_manifest(
        d, "param_text")], r"parameter 'short' takes int, got 'abc'"),
    # ---- sweep
    "sweep unknown strategy": Cli(["sweep", "ma_distanse_timing", "--grid", "short=5,10"],
                                  r"unknown strategy 'ma_distanse_timing'"),
    "sweep no grid": Cli(["sweep", "ma_distance_timing"], r"Missing option '--grid'"),
    "sweep grid without values": Cli(["sweep", "ma_distance_timing", "--grid", "short",
                                      "--quiet"], r"--grid 'short': write name=start:stop:step"),
    "sweep grid zero step": Cli(["sweep", "ma_distance_timing", "--grid", "short=5:10:0",
                                 "--quiet"], r"the step is zero"),
    "sweep grid step pointing away": Cli(["sweep", "ma_distance_timing", "--grid", "short=5:1:1",
                                          "--quiet"], r"step 1 points away from stop 1; use "
                                         r"short=5:1:-1"),
    "sweep grid not numbers": Cli(["sweep", "ma_distance_timing", "--grid", "short=a:b:1",
                                   "--quiet"], r"short: 'a' is not a number"),
    "sweep grid infinite": Cli(["sweep", "ma_distance_timing", "--grid", "short=1:inf:1",
                                "--quiet"], r"'inf' is not a finite number"),
    "sweep grid bad list values": Cli(["sweep", "ma_distance_timing", "--grid", "short=a,b",
                                       "--quiet"], r"no valid combination.*parameter 'short' "
                                      r"takes int, got 'a'"),
    "sweep grid unknown param": Cli(["sweep", "ma_distance_timing", "--grid", "shrot=5,10",
                                     "--quiet"], r"unknown parameter of strategy "
                                    r"ma_distance_timing 'shrot'"),
    "sweep grid twice": Cli(["sweep", "ma_distance_timing", "--grid", "short=5,10", "--grid",
                             "short=3,4", "--quiet"], r"--grid names 'short' twice"),
    "sweep grid and param": Cli(["sweep", "ma_distance_timing", "--grid", "short=5,10",
                                 "--param", "short=3", "--quiet"],
                                r"'short' is given by both --grid and --param"),
    "sweep a billion-value range": Cli(["sweep", "ma_distance_timing", "--grid", "short=1:1e9:1",
                                        "--quiet"], r"the grid has 1,000,000,000 combinations, "
                                       r"above the limit of 2,000,000"),
    "sweep 1000x1000x1000": Cli(["sweep", "ma_distance_timing", "--grid", "short=1:1000:1",
                                 "--grid", "long=1:1000:1", "--grid", "threshold=0.001:1:0.001",
                                 "--quiet"], r"1,000,000,000 combinations, above the limit"),
    "sweep over --max-combinations": Cli(["sweep", "ma_distance_timing", "--grid",
                                          "short=5:60:5", "--grid", "long=60:250:10",
                                          "--max-combinations", "100", "--quiet"],
                                         r"the grid has 240 combinations, above the limit of "
                                         r"100"),
    "sweep max-combinations zero": Cli(["sweep", "ma_distance_timing", "--grid", "short=5,10",
                                        "--max-combinations", "0", "--quiet"],
                                       r"--max-combinations must be >= 1, got 0"),
    "sweep batch size zero": Cli(["sweep", "ma_distance_timing", "--grid", "short=5,10",
                                  "--batch-size", "0", "--quiet"],
                                 r"--batch-size must be >= 1, got 0"),
    "sweep memory zero": Cli(["sweep", "ma_distance_timing", "--grid", "short=5,10",
                              "--memory-mb", "0", "--quiet"], r"--memory-mb must be > 0"),
    "sweep fees as percent": Cli(["sweep", "ma_distance_timing", "--grid", "short=5,10",
                                  "--fees", "5", "--quiet"], r"--fees 5\.0 is a commission rate "
                                 r"per side \(500% of every trade\).*--allow-high-fees"),
    "sweep negative fees": Cli(["sweep", "ma_distance_timing", "--grid", "short=5,10", "--fees",
                                "-0.001", "--quiet"], r"commission_rate=-0\.001 must be finite"),
    "sweep out is a file": Cli(lambda d: ["sweep", "ma_distance_timing", "--grid", "short=5,10",
                                          "--quiet", "--out", str(d / "a_file")],
                               r"'--out'.*is a file"),
    "sweep out not writable": Cli(["sweep", "ma_distance_timing", "--grid", "short=5,10",
                                   "--quiet", "--out", "/proc/quantlib-out"],
                                  r"cannot write to output directory '/proc/quantlib-out'"),
    "sweep unknown metric": Cli(["sweep", "ma_distance_timing", "--grid", "short=5,10",
                                 "--metric", "sharp", "--quiet"],
                                r"unknown selection metric 'sharp'. Did you mean 'sharpe_ratio'"),
    "sweep odd blocks": Cli(["sweep", "ma_distance_timing", "--grid", "short=5,10", "--blocks",
                             "3", "--quiet"], r"n_blocks must be an even integer >= 2, got 3"),
    "sweep malformed start": Cli(["sweep", "ma_distance_timing", "--grid", "short=5,10",
                                  "--start", "2024-13-01", "--quiet"],
                                 r"start '2024-13-01' is not a date"),
    "sweep one-day window": Cli(["sweep", "ma_distance_timing", "--grid", "short=5,10",
                                 "--start", "2024-06-03", "--end", "2024-06-03", "--quiet"],
                                r"holds 1 trading day\(s\)"),
    "sweep bad param value": Cli(["sweep", "ma_distance_timing", "--grid", "short=5,10",
                                  "--param", "range_weight=x", "--quiet"],
                                 r"parameter 'range_weight' takes float, got 'x'"),
    "sweep walk-forward without windows": Cli(["sweep", "ma_distance_timing", "--grid",
                                               "short=5,10", "--walk-forward", "rolling",
                                               "--quiet"],
                                              r"--walk-forward needs --train BARS and --test"),
    # ---- strategies
    "strategies unknown format": Cli(["strategies", "--format", "xml"], r"'xml' is not one of"),
    "strategies extra argument": Cli(["strategies", "ma_distance_timing"],
                                     r"unexpected extra argument \(ma_distance_timing\)"),
    "strategies misspelt command": Cli(["strategy"], r"no such command 'strategy'.*"
                                       r"'strategies'"),
}


def _run_manifest(root: Path, variant: str = "valid") -> str:
    """A replay manifest of ma_distance_timing on the bundled data, broken one way per variant.

    Every variant fails before the engine runs, so the output hashes are placeholders.
    """
    from quantlib.backtest import CostModel
    from quantlib.commands.backtest import CSV_OUTPUTS
    from quantlib.report import manifest as mf
    from quantlib.runner import RunSpec

    # every CostModel field, so the manifest is valid until a variant breaks it
    costs = dataclasses.asdict(CostModel(commission_rate=0.00025, min_commission_cny=0.0,
                                         transfer_fee_rate=0.0, slippage_bps=0.0,
                                         stamp_duty_schedule=(), stamp_duty_buy_schedule=()))
    spec = RunSpec("ma_distance_timing", {"short": 20}, "2020-01-02", "2020-12-31",
                   "next_close", costs, 0.0)
    m: Any = mf.build_manifest(spec, datasets=mf.data_hashes(["wind_all_a"]),
                               packages=mf.package_versions(), command="quantlib backtest",
                               outputs={name: "0" * 64 for name in CSV_OUTPUTS})
    edit: dict[str, Callable[[dict[str, Any]], Any]] = {
        "valid": lambda m: m,
        "top_list": lambda m: [m],
        "params_list": lambda m: {**m, "params": [20]},
        "costs_str": lambda m: {**m, "costs": "cheap"},
        "cost_extra": lambda m: {**m, "costs": {**m["costs"], "rebate": 0.0001}},
        "cost_missing": lambda m: {**m, "costs": {k: v for k, v in m["costs"].items()
                                                  if k != "slippage_bps"}},
        "data_nosha": lambda m: {**m, "data": {"wind_all_a": {"start": "1994-12-30"}}},
        "data_empty": lambda m: {**m, "data": {}},
        "data_missing": lambda m: {k: v for k, v in m.items() if k != "data"},
        "data_changed": lambda m: {**m, "data": {"wind_all_a": {
            **m["data"]["wind_all_a"], "sha256": "f" * 64}}},
        "outputs_str": lambda m: {**m, "outputs": "equity.csv"},
        "outputs_empty": lambda m: {**m, "outputs": {}},
        "packages_list": lambda m: {**m, "packages": ["numpy"]},
        "version": lambda m: {**m, "manifest_version": 99},
        "no_strategy": lambda m: {k: v for k, v in m.items() if k != "strategy"},
        "strategy_unknown": lambda m: {**m, "strategy": "no_such_strategy"},
        "end_number": lambda m: {**m, "end": 2024},
        "param_text": lambda m: {**m, "params": {"short": "abc"}},
    }
    path = root / "manifests" / f"{variant}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(edit[variant](m)))
    return str(path)


def _broken_caches(root: Path) -> Path:
    """Cache directories whose manifests break one rule each (copies of hs300's entry)."""
    from quantlib.data.store import bundled_dir

    bundled = json.loads((bundled_dir() / "manifest.json").read_text())
    entry = bundled["datasets"]["hs300"]
    wind = bundled["datasets"]["wind_all_a"]
    hs300 = (bundled_dir() / entry["file"]).read_bytes()
    variants: dict[str, Any] = {
        "list": [{"datasets": {}}],
        "string": {"datasets": {"hs300": "hs300.parquet"}},
        "nofile": {"datasets": {"hs300": {k: v for k, v in entry.items() if k != "file"}}},
        "nosha": {"datasets": {"hs300": {k: v for k, v in entry.items() if k != "sha256"}}},
        "dotdot": {"datasets": {"hs300": {**entry, "file": "../outside.parquet"}}},
        "absolute": {"datasets": {"hs300": {**entry,
                                            "file": str(bundled_dir() / "hs300.parquet")}}},
        "swapped": {"datasets": {"hs300": {**wind, "file": "wind_all_a.parquet"}}},
    }
    for name, manifest in variants.items():
        (root / name).mkdir()
        (root / name / "manifest.json").write_text(json.dumps(manifest))
        (root / name / "hs300.parquet").write_bytes(hs300)
    (root / "swapped" / "wind_all_a.parquet").write_bytes(
        (bundled_dir() / wind["file"]).read_bytes())
    (root / "a_file").write_text("not a directory")
    return root


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _broken_caches(tmp_path_factory.mktemp("bad_input"))


def _assert_no_traceback(output: str, exception: BaseException | None) -> None:
    assert "Traceback" not in output, output
    assert exception is None or isinstance(exception, SystemExit), repr(exception)


@pytest.mark.parametrize("case", list(CLI_CASES.values()), ids=list(CLI_CASES))
def test_cli_bad_input(case: Cli, scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from quantlib.cli import main

    monkeypatch.delenv("QUANTLIB_CACHE_DIR", raising=False)
    monkeypatch.delenv("QUANTLIB_DEBUG", raising=False)
    argv = case.argv(scratch) if callable(case.argv) else case.argv
    result = CliRunner().invoke(main, argv, env=case.env)
    _assert_no_traceback(result.output, result.exception)
    assert result.exit_code == case.code, result.output
    assert re.search(case.match, result.output, flags=re.S), result.output
    errors = [line for line in result.output.splitlines() if line.startswith(("error:", "Error:"))]
    assert len(errors) == 1, result.output  # one line names the problem


# ---------------------------------------------------------------- Python API ---------------

def _prices() -> pd.DataFrame:
    idx = pd.bdate_range("2024-01-01", periods=6, name="date")
    return pd.DataFrame({"a": [10.0, 10.5, 10.2, 10.8, 11.0, 11.3]}, index=idx)


def _weights(index: Any) -> pd.DataFrame:
    return pd.DataFrame({"a": [1.0]}, index=index)


def _returns() -> pd.Series:
    return _prices()["a"].pct_change().fillna(0.0) * 0.5


@dataclass(frozen=True)
class Api:
    """One call, the exception type it must raise and a regex its message must contain."""

    call: Callable[[], Any]
    error: type[BaseException]
    match: str


API_CASES: dict[str, Api] = {
    "load malformed start": Api(lambda: qdata.load("hs300", start="2024-13-01"), DateRangeError,
                                r"start '2024-13-01' is not a date"),
    "load tz-aware start": Api(lambda: qdata.load("hs300", start=pd.Timestamp(
        "2024-01-01", tz="Asia/Shanghai")), DateRangeError, r"has a time zone"),
    "load numeric start": Api(lambda: qdata.load("hs300", start=2024), DateRangeError,
                              r"start 2024 is a number, not a date"),
    "load refresh-only not fetched": Api(lambda: qdata.load("market_pb_lg"), NotCachedError,
                                         r"'market_pb_lg' is refresh-only"),
    "load unknown dataset": Api(lambda: qdata.load("wind_all"), UnknownDatasetError,
                                r"unknown dataset 'wind_all'.*'wind_all_a'"),
    "load unknown column": Api(lambda: qdata.load("hs300", columns=["pe"]), UnknownNameError,
                               r"unknown column of dataset 'hs300' 'pe'"),
    "load reversed range": Api(lambda: qdata.load("hs300", start="2024-02-01", end="2024-01-01"),
                               DateRangeError, r"start 2024-02-01 is after end 2024-01-01"),
    "refresh into the bundled snapshot": Api(
        lambda: qdata.refresh("hs300", cache_dir=BUNDLED), ReadOnlySnapshotError,
        r"bundled snapshot .* never edits"),
    "refresh text end": Api(lambda: qdata.refresh("hs300", cache_dir="/nonexistent/x",
                                                  end="soon"), DateRangeError,
                            r"end 'soon' is not a date"),
    "run tz-aware prices": Api(lambda: backtest.run(_prices().tz_localize("UTC"), _weights(
        _prices().index[:1].tz_localize("UTC"))), PricesError,
        r"prices index has a time zone \(UTC\).*tz_localize\(None\)"),
    "run tz-aware weights": Api(lambda: backtest.run(_prices(), _weights(
        _prices().index[:1].tz_localize("UTC"))), AlignmentError, r"weights index has a time zone"),
    "run 15:00 rebalance": Api(lambda: backtest.run(_prices(), _weights(
        [pd.Timestamp("2024-01-02 15:00")])), AlignmentError,
        r"time of day, e\.g\. 2024-01-02 15:00:00.*normalize"),
    "run rebalance not a price date": Api(lambda: backtest.run(_prices(), _weights(
        [pd.Timestamp("2024-01-06")])), AlignmentError, r"weights has dates not in prices: "
        r"\['2024-01-06'\]"),
    "run text prices": Api(lambda: backtest.run(_prices().astype(str), _weights(
        _prices().index[:1])), PricesError, r"prices must be numeric"),
    "run negative price": Api(lambda: backtest.run(_prices() * -1, _weights(
        _prices().index[:1])), PricesError, r"prices must be > 0 and finite.*-10\.0"),
    "summary benchmark with NaN first return": Api(
        lambda: metrics.summary(_returns(), benchmark=_prices()["a"].pct_change()),
        MetricsError, r"benchmark has 1 NaN value\(s\), first on 2024-01-01.*fillna\(0\.0\)"),
    "summary benchmark given as prices": Api(
        lambda: metrics.summary(_returns(), benchmark=_prices()["a"]), MetricsError,
        r"benchmark looks like prices \(every value > 0\.5, from 10 to 11\.3\).*pct_change"),
    "summary benchmark on other dates": Api(
        lambda: metrics.summary(_returns(), benchmark=_returns().iloc[1:]), MetricsError,
        r"returns and benchmark have different dates"),
    "summary not returns": Api(lambda: metrics.summary([0.01, 0.02]), MetricsError,
                               r"summary takes a BacktestResult or a pandas Series/DataFrame "
                               r"of returns, got list"),
}


@pytest.mark.parametrize("case", list(API_CASES.values()), ids=list(API_CASES))
def test_api_bad_input(case: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUANTLIB_CACHE_DIR", raising=False)
    with pytest.raises(case.error, match=case.match):
        case.call()


def test_summary_of_a_backtest_with_a_pct_change_benchmark() -> None:
    """The issue's exact call: ``metrics.summary(res, benchmark=close.pct_change())``."""
    from quantlib.backtest import CostModel, Market, Rules

    close = _prices()["a"]
    # fully invested from the first close, no costs: the strategy's returns are the index's
    res = backtest.run(close, _weights(close.index[:1]), fill="same_close_lookahead",
                       costs=CostModel.frictionless(), rules=Rules.none(),
                       market=Market(kind="index"))
    with pytest.raises(MetricsError, match=r"benchmark has 1 NaN value\(s\)"):
        metrics.summary(res, benchmark=close.pct_change())
    # the fix the message names works: regressed on itself, beta is 1 and alpha 0
    out = metrics.summary(res, benchmark=close.pct_change().fillna(0.0))
    assert out["beta"] == pytest.approx(1.0, abs=1e-9)
    assert out["alpha"] == pytest.approx(0.0, abs=1e-9)


def test_catalogue_size() -> None:
    """Issue 13 asks for at least 60 cases across data, signal, weekly, backtest, sweep,
    strategies and the Python API (backtest.run, metrics.summary, data.load)."""
    groups = {argv[0] for c in CLI_CASES.values() if not callable(argv := c.argv)}
    assert {"data", "signal", "weekly", "backtest", "sweep", "strategies"} <= groups
    api = " ".join(API_CASES)
    assert all(word in api for word in ("load", "run", "summary"))
    assert len(CLI_CASES) + len(API_CASES) >= 60


def test_unexpected_errors_are_one_line_with_the_debug_hint(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug (not a typed error) prints one line and the --debug hint, exit 1; --debug raises."""
    from quantlib import cli
    from quantlib.cli import main

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("division by zero\nsecond line")

    monkeypatch.setattr(cli, "_timing_inputs", boom)
    result = CliRunner().invoke(main, ["signal", "timing"])
    assert result.exit_code == 1
    assert result.output.strip() == ("error: unexpected ZeroDivisionError: division by zero "
                                     "(run with --debug for the traceback)")
    result = CliRunner().invoke(main, ["--debug", "signal", "timing"])
    assert isinstance(result.exception, ZeroDivisionError)


def test_typed_errors_with_debug_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    from quantlib.cli import main

    result = CliRunner().invoke(main, ["--debug", "signal", "timing", "--date", "2099"])
    assert isinstance(result.exception, DateRangeError)
    assert isinstance(DataValidationError("x"), ValueError)  # typed errors stay catchable
    assert issubclass(CacheManifestError, OSError)


def test_allow_high_fees_applies_the_fee_on_backtest_and_sweep(tmp_path: Path) -> None:
    """Above 5% a fee needs --allow-high-fees (refusals are catalogue rows); with it, the fee is
    charged: every fill costs 6% of its value, and the sweep scores the same run."""
    from quantlib.cli import main

    window = ["--start", "2024-01-02", "--end", "2024-12-31", "--quiet"]
    out = tmp_path / "bt"
    result = CliRunner().invoke(main, ["backtest", "ma_distance_timing", "--fees", "0.06",
                                       "--allow-high-fees", "--out", str(out), *window])
    assert result.exit_code == 0, result.output
    trades = pd.read_csv(out / "trades.csv")
    assert len(trades) > 0
    assert (trades["cost"] - 0.06 * trades["value"].abs()).abs().max() < 1e-12
    recorded = json.loads((out / "manifest.json").read_text())
    assert recorded["costs"]["commission_rate"] == 0.06
    assert "--fees 0.06" in recorded["command"] and "--allow-high-fees" in recorded["command"]
    sharpe = pd.read_csv(out / "metrics.csv", index_col=0).loc["sharpe_ratio", "strategy"]

    result = CliRunner().invoke(main, ["sweep", "ma_distance_timing", "--grid", "short=20",
                                       "--fees", "0.06", "--allow-high-fees", "--format",
                                       "json", *window])
    assert result.exit_code == 0, result.output
    best = json.loads(result.output)["best"]
    assert best["sharpe_ratio"] == pytest.approx(float(sharpe), rel=1e-9)
    assert best["sharpe_ratio"] < 0  # 6% a side over 9 fills in a year: a loss


def test_api_sweep_counts_a_huge_range_before_building_it() -> None:
    # {"short": "1:1e9:1"} is a billion values: refused from the range arithmetic alone, fast
    # and without allocating (before the count came first, the list was built, then refused)
    from quantlib import sweep as qs

    with pytest.raises(qs.SweepError, match=r"1,000,000,000 combinations, above the limit of "
                                            r"2,000,000"):
        qs.sweep("ma_distance_timing", {"short": "1:1e9:1"})
    with pytest.raises(qs.SweepError, match=r"12,000,000 combinations"):
        qs.sweep("ma_distance_timing", {"short": range(1, 3001), "long": "1:4000:1"})
