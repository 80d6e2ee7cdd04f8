"""Shared benchmark plumbing: run each side in its own process and measure it fairly.

Each side (vectorbt, quantlib) runs in a fresh subprocess that (1) builds the same inputs,
(2) warms up on a small slice (numba JIT or cache load, timed separately), (3) resets the
kernel's peak-RSS counter (``/proc/self/clear_refs``), then (4) runs the full problem
``repeats`` times. Reported: best wall time, and peak RSS during the first run minus the RSS
just before it (so the shared inputs are not charged to either side), plus the process's total
peak. Linux only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _status_kb(key: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{key} not in /proc/self/status (Linux only)")


def reset_peak() -> int:
    """Reset VmHWM to the current RSS and return the current RSS in kB."""
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    return _status_kb("VmRSS")


def measure(fn: Callable[[], np.ndarray], repeats: int) -> dict[str, Any]:
    """Run ``fn`` ``repeats`` times; return best seconds, peak MB above baseline, result.

    The peak is read after the first run (later runs would also count garbage the allocator
    has not returned yet).
    """
    base = reset_peak()
    times, out, peak = [], None, 0
    for i in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        if i == 0:
            peak = _status_kb("VmHWM")
    return {"seconds": min(times), "all_seconds": times, "peak_mb": (peak - base) / 1024,
            "rss_before_mb": base / 1024, "result": np.asarray(out)}


def child_main(sides: dict[str, tuple[Callable[[], Any], Callable[[Any, bool], Callable]]]) -> None:
    """Entry point of a child process: ``--side NAME --out FILE --repeats N``."""
    args = dict(zip(sys.argv[1::2], sys.argv[2::2], strict=False))
    build, make = sides[args["--side"]]
    inputs = build()
    t0 = time.perf_counter()
    np.asarray(make(inputs, True)())  # warm-up on a small slice: JIT compile or cache load
    warm = time.perf_counter() - t0
    res = measure(make(inputs, False), int(args["--repeats"]))
    np.save(args["--out"] + ".npy", res.pop("result"))
    res["warmup_seconds"] = warm
    Path(args["--out"]).write_text(json.dumps(res))


def run_side(script: Path, side: str, repeats: int, env: dict[str, str] | None = None) -> dict:
    """Run one side in a subprocess and return its measurements plus ``result`` array."""
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "res.json")
        cmd = [sys.executable, str(script), "--side", side, "--out", out,
               "--repeats", str(repeats)]
        full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        subprocess.run(cmd, check=True, env=full_env)
        res = json.loads(Path(out).read_text())
        res["result"] = np.load(out + ".npy")
    return res


def cold_compile_seconds(script: Path) -> float:
    """Warm-up time of the quantlib side with an empty numba cache (= compile time)."""
    with tempfile.TemporaryDirectory() as cache:
        res = run_side(script, "quantlib", 1, env={"NUMBA_CACHE_DIR": cache})
    return float(res["warmup_seconds"])


def report(title: str, vbt: dict, ql: dict, compile_s: float, rtol: float) -> tuple[str, bool]:
    """Print and return a Markdown results table and whether final values agree."""
    a, b = vbt["result"], ql["result"]
    rel = np.abs(b / a - 1.0)
    ok = bool(np.all(rel <= rtol))
    lines = [
        f"### {title}",
        "",
        "| engine | best time (s) | peak memory above inputs (MB) | process peak RSS (MB) "
        "| warm-up (s) |",
        "|---|---:|---:|---:|---:|",
        *(f"| {name} | {r['seconds']:.3f} | {r['peak_mb']:.1f} | "
          f"{r['rss_before_mb'] + r['peak_mb']:.0f} | {r['warmup_seconds']:.2f} |"
          for name, r in (("vectorbt", vbt), ("quantlib", ql))),
        "",
        f"- speed ratio vectorbt/quantlib: **{vbt['seconds'] / ql['seconds']:.1f}x**",
        f"- memory ratio quantlib/vectorbt: **{ql['peak_mb'] / max(vbt['peak_mb'], 1e-9):.3f}**",
        *([f"- quantlib numba compile time (empty cache): {compile_s:.1f} s "
           "(cached afterwards: `cache=True`)"] if compile_s == compile_s else []),
        f"- final values: {len(a)} strategies, max relative difference {rel.max():.2e} "
        f"(tolerance {rtol:g}): **{'AGREE' if ok else 'DISAGREE'}**",
    ]
    text = "\n".join(lines)
    print(text)
    return text, ok
