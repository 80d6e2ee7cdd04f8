"""A small mutation check: how many one-operator changes of a module do its tests catch?

For each arithmetic, comparison, boolean or unary operator in the target module (AST nodes,
in source order), write a copy of the package with that one operator flipped (``+`` <-> ``-``,
``*`` <-> ``/``, ``**`` -> ``*``, ``<`` <-> ``<=``, ``>`` <-> ``>=``, ``==`` <-> ``!=``,
``is`` <-> ``is not``, ``in`` <-> ``not in``, ``and`` <-> ``or``, ``-x`` -> ``x``, ``not x``
-> ``x``) and run the given test files against it in a subprocess. A mutant is *killed* when a
test fails (or the run times out), *survives* when every test passes. Nothing in the working
tree is modified: the package is copied into a temporary directory, next to symlinks of
everything else in the repository.

    python scripts/mutation_check.py quantlib/metrics.py tests/test_metrics.py \
        tests/test_metrics_oracles.py
    python scripts/mutation_check.py quantlib/backtest/engine.py tests/test_engine.py \
        --sample 40 --seed 0

``--tests-from REV`` runs the test files as they were at a git revision (to score the suite
before a change). Not part of CI: each mutant is one pytest run (seconds to a minute).
Results: docs/testing.md.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BINOPS: dict[type, type] = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div,
                            ast.Div: ast.Mult, ast.Pow: ast.Mult, ast.FloorDiv: ast.Div,
                            ast.Mod: ast.FloorDiv, ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd}
CMPOPS: dict[type, type] = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
                            ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot,
                            ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
BOOLOPS: dict[type, type] = {ast.And: ast.Or, ast.Or: ast.And}


@dataclass(frozen=True)
class Site:
    index: int  # position among mutable nodes in ast.walk order
    line: int
    what: str  # e.g. "Add -> Sub"


def _mutable(node: ast.AST) -> str | None:
    if isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in BINOPS:
        return f"{type(node.op).__name__} -> {BINOPS[type(node.op)].__name__}"
    if isinstance(node, ast.Compare) and type(node.ops[0]) in CMPOPS:
        return f"{type(node.ops[0]).__name__} -> {CMPOPS[type(node.ops[0])].__name__}"
    if isinstance(node, ast.BoolOp):
        return f"{type(node.op).__name__} -> {BOOLOPS[type(node.op)].__name__}"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.Not):
        return f"{type(node.op).__name__} removed"
    return None


def _in_docstring_or_annotation(tree: ast.AST) -> set[int]:
    """ids of nodes inside annotations (``str | None``): flipping those changes nothing."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        anns = []
        if isinstance(node, ast.arg | ast.AnnAssign) and node.annotation is not None:
            anns.append(node.annotation)
        if isinstance(node, ast.FunctionDef) and node.returns is not None:
            anns.append(node.returns)
        for ann in anns:
            skip.update(id(n) for n in ast.walk(ann))
    return skip


def sites(source: str) -> list[Site]:
    tree = ast.parse(source)
    skip = _in_docstring_or_annotation(tree)
    out = []
    for i, node in enumerate(n for n in ast.walk(tree) if id(n) not in skip):
        what = _mutable(node)
        if what:
            out.append(Site(i, getattr(node, "lineno", 0), what))
    return out


def mutate(source: str, site: Site) -> str:
    tree = ast.parse(source)
    skip = _in_docstring_or_annotation(tree)
    node = [n for n in ast.walk(tree) if id(n) not in skip][site.index]
    if isinstance(node, ast.BinOp | ast.AugAssign):
        node.op = BINOPS[type(node.op)]()
    elif isinstance(node, ast.Compare):
        node.ops[0] = CMPOPS[type(node.ops[0])]()
    elif isinstance(node, ast.BoolOp):
        node.op = BOOLOPS[type(node.op)]()
    elif isinstance(node, ast.UnaryOp):
        node.op = ast.UAdd()  # -x -> +x; not x -> +x (truthiness of x kept by bool())
        if site.what.startswith("Not"):
            return ast.unparse(_replace_not(tree, node))
    return ast.unparse(tree)


def _replace_not(tree: ast.AST, target: ast.UnaryOp) -> ast.AST:
    class Strip(ast.NodeTransformer):
        def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
            self.generic_visit(node)
            return node.operand if node is target else node

    return ast.fix_missing_locations(Strip().visit(tree))


def sandbox(tmp: Path, tests: list[str], tests_from: str | None) -> Path:
    """tmp/repo: symlinks to everything in the repository but quantlib/ (copied) and tests/
    (a directory of symlinks, the chosen test files possibly from another revision)."""
    repo = tmp / "repo"
    repo.mkdir()
    for entry in ROOT.iterdir():
        if entry.name in ("quantlib", "tests", ".git", ".venv", ".mypy_cache"):
            continue
        (repo / entry.name).symlink_to(entry)
    shutil.copytree(ROOT / "quantlib", repo / "quantlib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "tests").mkdir()
    for entry in (ROOT / "tests").iterdir():
        if entry.name != "__pycache__":
            (repo / "tests" / entry.name).symlink_to(entry)
    if tests_from:
        for t in tests:
            dest = repo / t
            dest.unlink(missing_ok=True)
            text = subprocess.run(["git", "show", f"{tests_from}:{t}"], cwd=ROOT,
                                  capture_output=True, text=True, check=True).stdout
            dest.write_text(text)
    return repo


def run_tests(repo: Path, tests: list[str], timeout: float) -> str:
    env = {**os.environ, "PYTHONPATH": str(repo), "PYTHONDONTWRITEBYTECODE": "1"}
    env = {k: v for k, v in env.items() if not k.startswith("QUANTLIB_")}
    try:
        res = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p",
                              "no:cacheprovider", "-m", "not slow", *tests],
                             cwd=repo, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout"
    return "passed" if res.returncode == 0 else "failed"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("module", help="e.g. quantlib/metrics.py")
    ap.add_argument("tests", nargs="+", help="test files to run against each mutant")
    ap.add_argument("--sample", type=int, default=0, help="mutate only N random sites")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per mutant")
    ap.add_argument("--tests-from", default=None, help="git revision of the test files")
    ap.add_argument("--lines", default="", help="only sites on these lines (comma-separated)")
    args = ap.parse_args(argv)
    source = (ROOT / args.module).read_text()
    all_sites = sites(source)
    if args.lines:
        wanted = {int(x) for x in args.lines.split(",")}
        all_sites = [s for s in all_sites if s.line in wanted]
    chosen = (sorted(random.Random(args.seed).sample(all_sites, args.sample),
                     key=lambda s: s.index) if 0 < args.sample < len(all_sites) else all_sites)
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        repo = sandbox(Path(tmp), args.tests, args.tests_from)
        target = repo / args.module
        target.write_text(ast.unparse(ast.parse(source)))
        if run_tests(repo, args.tests, args.timeout) != "passed":
            print("the unmutated module fails these tests; nothing to measure", file=sys.stderr)
            return 2
        survivors = []
        t0 = time.time()
        for k, site in enumerate(chosen, 1):
            target.write_text(mutate(source, site))
            outcome = run_tests(repo, args.tests, args.timeout)
            if outcome == "passed":
                survivors.append(site)
            print(f"[{k}/{len(chosen)}] line {site.line:4d} {site.what:<16} {outcome}",
                  flush=True)
    killed = len(chosen) - len(survivors)
    print(f"\n{args.module}: {killed}/{len(chosen)} mutants killed "
          f"({100 * killed / max(len(chosen), 1):.0f}%), {len(all_sites)} sites, "
          f"{time.time() - t0:.0f} s; tests {' '.join(args.tests)}"
          + (f" at {args.tests_from}" if args.tests_from else ""))
    for s in survivors:
        print(f"  survived: line {s.line} {s.what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
