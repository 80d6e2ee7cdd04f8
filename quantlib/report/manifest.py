"""Run manifests: everything needed to re-run a backtest to the last digit, and the checks
that refuse a replay on different data.

A manifest is a JSON-able dict: the quantlib version, the :class:`~quantlib.runner.RunSpec`
(strategy reference, full parameters, resolved window, fill, costs, cash rate), where the
strategy came from (and its source file's sha256 for user code), the sha256 of every dataset
the run read (from the data manifest), the versions of the packages that shape the numbers,
the command line, and the sha256 of each output CSV.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from quantlib.errors import QuantlibError
from quantlib.runner import RunSpec

__all__ = [
    "MANIFEST_VERSION",
    "PACKAGES",
    "DataMismatchError",
    "ManifestError",
    "SourceChangedError",
    "build_manifest",
    "check_data",
    "check_source",
    "data_hashes",
    "package_versions",
    "package_warnings",
    "sha256_bytes",
    "spec_from_manifest",
]

MANIFEST_VERSION = 2
#: Packages whose versions can change a backtest's digits. (statsmodels was one until
#: alpha/beta moved to numpy; a manifest that still records it is not warned about.)
PACKAGES = ("quantlib", "numpy", "pandas", "numba", "pyarrow", "matplotlib")


class ManifestError(QuantlibError, ValueError):
    """A manifest that cannot be read or lacks a field."""


class DataMismatchError(QuantlibError, ValueError):
    """The data a manifest was run on differs from the data available now."""


class SourceChangedError(QuantlibError, ValueError):
    """The strategy's source file differs from the one the manifest was run with."""


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def data_hashes(names: Iterable[str], cache_dir: str | Path | None = None
                ) -> dict[str, dict[str, Any]]:
    """sha256, range and origin of each dataset, from the data manifest (no file read)."""
    from quantlib.data.store import locate

    out = {}
    for name in names:
        ds = locate(name, cache_dir)
        e = ds.entry
        out[name] = {"sha256": e["sha256"], "start": e.get("start"), "end": e.get("end"),
                     "rows": e.get("rows"),
                     "location": "bundled" if ds.is_bundled else str(ds.directory)}
    return out


def package_versions() -> dict[str, str]:
    """Installed versions of :data:`PACKAGES` and Python (``"not installed"`` if absent)."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def build_manifest(spec: RunSpec, *, datasets: Mapping[str, Mapping[str, Any]],
                   packages: Mapping[str, str], command: str,
                   outputs: Mapping[str, str], source: Any = None) -> dict[str, Any]:
    """Assemble the manifest dict (see the module docstring)."""
    from quantlib import __version__

    return {
        "manifest_version": MANIFEST_VERSION,
        "quantlib_version": __version__,
        "strategy": spec.strategy,
        "strategy_source": None if source is None else {
            "origin": source.origin, "target": source.target, "path": source.path,
            "sha256": source.sha256},
        "params": dict(spec.params),
        "start": spec.start, "end": spec.end, "fill": spec.fill,
        "cash_rate": spec.cash_rate,
        "init_cash": spec.init_cash,
        "costs": {k: ([list(x) for x in v] if k == "stamp_duty_schedule" else v)
                  for k, v in spec.costs.items()},
        "data": {k: dict(v) for k, v in datasets.items()},
        "packages": dict(packages),
        "command": command,
        "outputs": dict(outputs),
    }


def spec_from_manifest(manifest: Mapping[str, Any]) -> RunSpec:
    """The :class:`~quantlib.runner.RunSpec` recorded in ``manifest``.

    Raises
    ------
    ManifestError
        A missing field or an unknown manifest version.
    """
    if not isinstance(manifest, Mapping):
        raise ManifestError(f"a manifest is a JSON object, got {type(manifest).__name__}; "
                            "pass the manifest.json written by `quantlib backtest`.")
    if manifest.get("manifest_version") != MANIFEST_VERSION:
        raise ManifestError(f"manifest_version {manifest.get('manifest_version')!r} is not "
                            f"{MANIFEST_VERSION}; re-create it with this quantlib.")
    try:
        fields = {k: manifest[k] for k in ("strategy", "params", "start", "end", "fill",
                                           "costs", "cash_rate")}
    except KeyError as exc:
        raise ManifestError(f"manifest lacks the field {exc.args[0]!r}; it was not written by "
                            "`quantlib backtest`, or was edited.") from None
    for key in ("params", "costs"):
        if not isinstance(fields[key], Mapping):
            raise ManifestError(f"manifest field {key!r} must be an object, got "
                                f"{type(fields[key]).__name__}; the manifest was edited.")
    if not isinstance(fields["strategy"], str):
        raise ManifestError("manifest field 'strategy' must be a string reference.")
    _check_cost_fields(fields["costs"])
    for key in ("data", "outputs", "packages"):
        if not isinstance(manifest.get(key, {}), Mapping):
            raise ManifestError(f"manifest field {key!r} must be an object, got "
                                f"{type(manifest[key]).__name__}; the manifest was edited.")
    return RunSpec(strategy=fields["strategy"], params=dict(fields["params"]),
                   start=fields["start"], end=fields["end"], fill=fields["fill"],
                   costs=dict(fields["costs"]), cash_rate=fields["cash_rate"],
                   init_cash=manifest.get("init_cash"))


def _check_cost_fields(costs: Mapping[str, Any]) -> None:
    """The recorded costs name exactly the CostModel's fields (none filled in by default)."""
    import dataclasses

    from quantlib.backtest.costs import CostModel

    known = [f.name for f in dataclasses.fields(CostModel)]
    extra = sorted(set(costs) - set(known))
    missing = [k for k in known if k not in costs]
    if extra or missing:
        what = "; ".join([*(f"unknown field {k!r}" for k in extra),
                          *(f"missing field {k!r}" for k in missing)])
        raise ManifestError(f"manifest field 'costs': {what} (a CostModel has "
                            f"{', '.join(known)}); the manifest was edited. Re-create it with "
                            "`quantlib backtest`.")


def check_source(manifest: Mapping[str, Any], source: Any) -> None:
    """Refuse a replay when the strategy's source file changed since the manifest.

    Raises
    ------
    SourceChangedError
        Names the file and both hashes.
    """
    rec = manifest.get("strategy_source") or {}
    want = rec.get("sha256") if isinstance(rec, Mapping) else None
    if want and source.sha256 != want:
        raise SourceChangedError(
            f"strategy file {source.path} changed since the manifest was written (sha256 "
            f"{want[:12]}.. then, {str(source.sha256)[:12]}.. now): the run cannot be "
            "reproduced. Restore the file (e.g. from version control) or start a new run "
            "without --manifest.")


def check_data(manifest: Mapping[str, Any], current: Mapping[str, Mapping[str, Any]]) -> None:
    """Refuse a replay when any dataset's sha256 differs from the manifest's.

    Raises
    ------
    DataMismatchError
        Names the dataset, both hashes and both ranges.
    """
    recorded = manifest.get("data")
    if recorded is None:
        raise ManifestError("manifest lacks the field 'data' (the datasets' sha256); the "
                            "manifest was edited. Re-create it with `quantlib backtest`.")
    if not isinstance(recorded, Mapping):
        raise ManifestError("manifest field 'data' must be an object of dataset entries, got "
                            f"{type(recorded).__name__}; the manifest was edited.")
    unrecorded = [name for name in current if name not in recorded]
    if unrecorded:  # an entry removed would switch the data check off for that dataset
        raise ManifestError(f"manifest field 'data' lacks {', '.join(map(repr, unrecorded))}, "
                            "which the strategy reads; the manifest was edited. Re-create it "
                            "with `quantlib backtest`.")
    for name, rec in recorded.items():
        if not isinstance(rec, Mapping) or not isinstance(rec.get("sha256"), str):
            raise ManifestError(f"manifest data entry {name!r} has no sha256; the manifest "
                                "was edited. Re-create it with `quantlib backtest`.")
        now = current.get(name)
        if now is None or now["sha256"] != rec["sha256"]:
            got = "missing" if now is None else (f"sha256 {now['sha256'][:12]}.. ({now['start']}"
                                                 f" .. {now['end']}, {now['location']})")
            raise DataMismatchError(
                f"dataset {name!r} differs from the one this manifest was run on: manifest "
                f"sha256 {rec['sha256'][:12]}.. ({rec.get('start')} .. {rec.get('end')}), now "
                f"{got}. The run cannot be reproduced on this data; use the same data "
                f"(e.g. the bundled snapshot: drop --cache-dir / QUANTLIB_CACHE_DIR) or start "
                f"a new run without --manifest.")


def package_warnings(manifest: Mapping[str, Any], current: Mapping[str, str]) -> list[str]:
    """One line per package whose version differs from the manifest's (digits may differ).

    Only packages in ``current`` (:data:`PACKAGES` and python) are compared: a package an older
    quantlib recorded but no longer depends on cannot change the digits."""
    recorded = manifest.get("packages") or {}
    if not isinstance(recorded, Mapping):
        raise ManifestError("manifest field 'packages' must be an object of versions.")
    return [f"{k} is {current.get(k)} here, {v} in the manifest: digits may differ"
            for k, v in recorded.items() if k in current and current[k] != v]
