"""Hardening of the data layer (issue 13): manifest schema and containment, the read-only
bundled snapshot, the cache lock and orphans, row validation on write and in verify."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quantlib.data import load
from quantlib.data.cache import read_manifest
from quantlib.errors import CacheManifestError, CorruptCacheError


def _manifest(cache: Path) -> dict:
    return json.loads((cache / "manifest.json").read_text())


def _write_manifest(cache: Path, manifest: object) -> None:
    (cache / "manifest.json").write_text(json.dumps(manifest))


# ---------------------------------------------------------------- manifest -----------------

@pytest.mark.parametrize("edit, match", [
    (lambda m: [m], "top level must be an object, got list"),
    (lambda m: {"schema_version": 1}, "'datasets' must be an object"),
    (lambda m: {**m, "datasets": {"csi_all_share": "csi_all_share.parquet"}},
     "datasets.csi_all_share must be an object"),
    (lambda m: _drop(m, "file"), r"datasets.csi_all_share.file is missing"),
    (lambda m: _drop(m, "sha256"), r"datasets.csi_all_share.sha256 is missing"),
    (lambda m: _set(m, "sha256", None), r"datasets.csi_all_share.sha256 is missing"),
    (lambda m: _set(m, "sha256", "abc"), r"sha256 'abc' is not 64 lowercase hex"),
    (lambda m: _set(m, "rows", "20"), r"datasets.csi_all_share.rows must be a int"),
    (lambda m: _set(m, "file", "../outside.parquet"), r"climbs out with '\.\.'"),
    (lambda m: _set(m, "file", "/etc/passwd"), "is an absolute path"),
])
def test_manifest_schema_errors_name_the_field(tiny_cache: Path, edit, match: str) -> None:
    _write_manifest(tiny_cache, edit(_manifest(tiny_cache)))
    with pytest.raises(CacheManifestError, match=match):
        load("csi_all_share", cache_dir=tiny_cache)


def _drop(m: dict, field: str) -> dict:
    del m["datasets"]["csi_all_share"][field]
    return m


def _set(m: dict, field: str, value: object) -> dict:
    m["datasets"]["csi_all_share"][field] = value
    return m


def test_manifest_file_symlinked_out_of_the_cache_is_refused(tiny_cache: Path,
                                                             tmp_path: Path) -> None:
    outside = tmp_path / "outside.parquet"
    outside.write_bytes((tiny_cache / "csi_all_share.parquet").read_bytes())
    (tiny_cache / "link.parquet").symlink_to(outside)
    _write_manifest(tiny_cache, _set(_manifest(tiny_cache), "file", "link.parquet"))
    with pytest.raises(CacheManifestError, match=r"outside .*\(a symlink out of the cache\)"):
        load("csi_all_share", cache_dir=tiny_cache)
    assert outside.exists()


def test_load_refuses_a_file_of_another_dataset_even_with_its_hash(tiny_cache: Path) -> None:
    """hs300's entry pointing at wind_all_a's file (with its true hash): the columns differ."""
    m = _manifest(tiny_cache)
    m["datasets"]["csi_all_share"] = dict(m["datasets"]["wind_all_a"])
    _write_manifest(tiny_cache, m)
    with pytest.raises(CorruptCacheError, match=r"does not hold dataset 'csi_all_share'.*"
                                                r"missing \['pe_ttm'\]"):
        load("csi_all_share", cache_dir=tiny_cache)


def test_bundled_manifest_passes_the_schema() -> None:
    from quantlib.data.store import bundled_dir

    manifest = read_manifest(bundled_dir())
    assert len(manifest["datasets"]) == 12
