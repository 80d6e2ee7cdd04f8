"""Shared benchmark plumbing: run each side in its own process and measure it fairly.

Each side (vectorbt, quantlib) runs in a fresh subprocess that (1) builds the same inputs,
(2) warms up on a small slice (numba JIT or cache load, timed separately), (3) resets the
kernel's peak-RSS counter (``/proc/self/clear_refs``), (4) runs the full problem once,
untimed for the speed figure (reported apart as "first full call": one-off work either side
may do on the full-size inputs, e.g. vectorbt compiles one more numba specialisation for the
full arrays' memory layout, quantlib loads one from its cache), then (5) runs it ``repeats``
times. Reported: the median wall time of the repeats (and the best), the peak RSS during the
first full call minus the RSS just before it (so the shared inputs are not charged to either
side), the process's total peak, and the load average of the machine. Linux only.
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
    """Call ``fn`` once (untimed for the speed figure; its peak memory is the one reported),
    then ``repeats`` times; return the median and best seconds, the peak MB above the
    baseline, and the result.

    The peak is read after the first call (later calls would also count garbage the allocator
    has not returned yet).
    """
    base = reset_peak()
    t0 = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t0
    peak = _status_kb("VmHWM")
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return {"seconds": float(np.median(times)), "best_seconds": min(times),
            "all_seconds": times, "first_call_seconds": first,
            "peak_mb": (peak - base) / 1024, "rss_before_mb": base / 1024,
            "result": np.asarray(out)}


def load_average() -> str:
    """The machine's 1/5/15-minute load averages (``uptime``), for the record: the timings
    are only comparable on a quiet machine."""
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


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
        "| engine | median time (s) | best (s) | first full call (s) "
        "| peak memory above inputs (MB) | process peak RSS (MB) | warm-up (s) |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *(f"| {name} | {r['seconds']:.3f} | {r['best_seconds']:.3f} | "
          f"{r['first_call_seconds']:.3f} | {r['peak_mb']:.1f} | "
          f"{r['rss_before_mb'] + r['peak_mb']:.0f} | {r['warmup_seconds']:.2f} |"
          for name, r in (("vectorbt", vbt), ("quantlib", ql))),
        "",
        f"- speed ratio vectorbt/quantlib (medians of {len(ql['all_seconds'])} and "
        f"{len(vbt['all_seconds'])} runs): **{vbt['seconds'] / ql['seconds']:.1f}x** "
        f"(best against best: {vbt['best_seconds'] / ql['best_seconds']:.1f}x)",
        f"- memory ratio quantlib/vectorbt: **{ql['peak_mb'] / max(vbt['peak_mb'], 1e-9):.3f}**",
        *([f"- quantlib numba compile time (empty cache): {compile_s:.1f} s "
           "(cached afterwards: `cache=True`)"] if compile_s == compile_s else []),
        f"- final values: {len(a)} strategies, max relative difference {rel.max():.2e} "
        f"(tolerance {rtol:g}): **{'AGREE' if ok else 'DISAGREE'}**",
    ]
    text = "\n".join(lines)
    print(text)
    return text, ok
