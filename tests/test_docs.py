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


def test_strategies_doc_code_runs(tmp_path, monkeypatch) -> None:
    """docs/strategies.md: the example class is examples/momentum.py's, and its Python block
    runs as written (from the repository root, as the doc's paths assume)."""
    import re

    doc = (REPO_ROOT / "docs" / "strategies.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", doc, flags=re.S)
    example = (REPO_ROOT / "examples" / "momentum.py").read_text(encoding="utf-8")
    assert blocks[0].strip() in example  # the doc shows the example's code, verbatim
    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.delenv("QUANTLIB_CACHE_DIR", raising=False)
    scope: dict = {}
    exec(compile(blocks[1], "docs/strategies.md", "exec"), scope)
    res, best = scope["res"], scope["best"]
    for key in ("sharpe_ratio", "annual_return", "max_drawdown", "annual_turnover"):
        assert abs(res.best[key] - best.metrics["strategy"][key]) <= 1e-12 * max(
            1.0, abs(best.metrics["strategy"][key]))


def test_backtest_doc_headline_example_runs(monkeypatch) -> None:
    """docs/backtest.md's first block runs as written; it asserts its printed figure (2.8041,
    the SW L1 index rotation with commission only: indices pay no stamp duty, no limits)."""
    import re

    doc = (REPO_ROOT / "docs" / "backtest.md").read_text(encoding="utf-8")
    block = re.findall(r"```python\n(.*?)```", doc, flags=re.S)[0]
    assert "2.8041" in block
    monkeypatch.delenv("QUANTLIB_CACHE_DIR", raising=False)
    scope: dict = {}
    exec(compile(block, "docs/backtest.md", "exec"), scope)
    assert round(scope["res"].final_value, 4) == 3.7583  # the last line: frictionless
