"""README's quickstart: exactly two commands, and CI runs the README's test command."""

from __future__ import annotations

import re

from conftest import REPO_ROOT


def _quickstart() -> list[str]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block, "README must open with a bash quickstart block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quickstart_has_two_commands_install_and_test() -> None:
    install_run, install_test = _quickstart()
    assert install_run.startswith("python -m pip install -e .") and "quantlib " in install_run
    assert "pytest" in install_test


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _quickstart()[1] in ci
