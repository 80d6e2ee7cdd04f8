"""The autouse fixture in conftest.py: a developer's QUANTLIB_* variables never reach a test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_no_quantlib_variable_inside_a_test() -> None:
    assert [k for k in os.environ if k.startswith("QUANTLIB_")] == []


def test_a_set_cache_dir_does_not_leak_into_the_suite(tmp_path: Path) -> None:
    # Run the test above in a child pytest whose environment sets the variables a developer
    # might have: without the fixture it fails, and load() would read an empty user cache.
    env = {**os.environ, "QUANTLIB_CACHE_DIR": str(tmp_path / "user-cache"),
           "QUANTLIB_STALE_DAYS": "0", "QUANTLIB_DEBUG": "1"}
    here = Path(__file__)
    res = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         f"{here}::test_no_quantlib_variable_inside_a_test"],
        cwd=here.parents[1], env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 passed" in res.stdout
