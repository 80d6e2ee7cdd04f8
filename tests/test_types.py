"""mypy on quantlib/ and strategies/ with the configuration in pyproject.toml ([tool.mypy]).

Run from the suite so that CI (the README's test command) type-checks every change. The
configuration says which modules are strict and which are not enforced yet (docs/testing.md).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_passes_on_the_package() -> None:
    from mypy import api

    cwd = os.getcwd()
    os.chdir(ROOT)  # mypy reads [tool.mypy] and resolves ``files`` from the project root
    try:
        stdout, stderr, status = api.run(["--config-file", str(ROOT / "pyproject.toml")])
    finally:
        os.chdir(cwd)
    assert status == 0, stdout + stderr
    assert "Success: no issues found" in stdout


def test_mypy_catches_a_type_error(tmp_path: Path) -> None:
    """The check is live: the same configuration rejects a wrong call into the typed API."""
    from mypy import api

    bad = tmp_path / "bad.py"
    bad.write_text("from quantlib.metrics import total_return\n"
                   "x: str = total_return.__name__ + 1\n")
    stdout, _, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), str(bad)])
    assert status == 1 and "Unsupported operand types" in stdout
