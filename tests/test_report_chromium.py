"""Open the tearsheet and the weekly page in headless Chromium (offline): no console message,
and a screenshot that is not blank. Skipped when Chromium is not installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from quantlib.cli import main

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser",
                                                 "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (Debian: apt-get install -y "
    "chromium); the HTML render check needs it")


def _open(page: Path, tmp: Path) -> tuple[list[str], Path]:
    """Render ``page`` offline; return Chromium's console lines and the screenshot path."""
    shot = tmp / (page.stem + ".png")
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--enable-logging=stderr", "--v=0", f"--user-data-dir={tmp / 'profile'}",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1200,2400",
         f"--screenshot={shot}", page.as_uri()],
        capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [line for line in proc.stderr.splitlines() if ":CONSOLE" in line], shot


def _not_blank(shot: Path) -> float:
    from matplotlib.image import imread

    pixels = imread(shot)[..., :3]
    return float((pixels.mean(axis=2) < 0.9).mean())  # share of non-white pixels


def test_the_check_catches_console_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><p>x</p><script>undefinedFn();</script>"
                   "</body></html>")
    console, _ = _open(bad, tmp_path)
    assert any("Uncaught ReferenceError" in line for line in console)


def test_tearsheet_renders_without_console_errors(tmp_path: Path) -> None:
    out = tmp_path / "bt"
    res = CliRunner().invoke(main, ["backtest", "industry_rotation", "--start", "2018-01-05",
                                    "--end", "2021-12-31", "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    console, shot = _open(out / "tearsheet.html", tmp_path)
    assert console == []
    assert np.isfinite(share := _not_blank(shot)) and share > 0.05


def test_weekly_page_renders_without_console_errors(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["weekly", "--format", "html", "--out", str(tmp_path),
                                    "--quiet"])
    assert res.exit_code == 0, res.output
    console, shot = _open(tmp_path / "weekly-2026-08-21.html", tmp_path)
    assert console == []
    assert _not_blank(shot) > 0.03  # text and an SVG chart on white


def _red_green(shot: Path) -> tuple[float, float]:
    """Shares of clearly red and clearly green pixels in a screenshot."""
    from matplotlib.image import imread

    px = imread(shot)[..., :3]
    r, g, b = px[..., 0], px[..., 1], px[..., 2]
    red = (r > 0.6) & (g < 0.5) & (b < 0.5)
    green = (g > 0.45) & (r < 0.45) & (b < 0.5)
    return float(red.mean()), float(green.mean())


def test_zh_pages_render_with_red_up(tmp_path: Path) -> None:
    """The Chinese weekly page and tearsheet render without console messages; on a week when
    WIND All A rose (2024-09-27, the 9-24 rally: regime 上行 shading, gains in red) the page
    holds more red than green, and --colors intl turns that around."""
    shares = {}
    for colors in ("cn", "intl"):
        out = tmp_path / colors
        res = CliRunner().invoke(main, ["weekly", "--format", "html", "--out", str(out),
                                        "--quiet", "--lang", "zh", "--colors", colors,
                                        "--date", "2024-09-27"])
        assert res.exit_code == 0, res.output
        console, shot = _open(out / "weekly-2024-09-27.html", tmp_path)
        assert console == []
        shares[colors] = _red_green(shot)
    assert shares["cn"][0] > shares["cn"][1] and shares["intl"][1] > shares["intl"][0]
    bt = tmp_path / "bt"
    res = CliRunner().invoke(main, ["backtest", "ma_distance_timing", "--start", "2019-01-02",
                                    "--end", "2021-12-31", "--out", str(bt), "--quiet",
                                    "--lang", "zh"])
    assert res.exit_code == 0, res.output
    console, shot = _open(bt / "tearsheet.html", tmp_path)
    assert console == [] and _not_blank(shot) > 0.05


def _print_pages(page: Path, tmp: Path) -> list[Path]:
    """``page`` printed to PDF by Chromium (A4, the page's print CSS), each page a PNG."""
    pdf = tmp / (page.stem + ".pdf")
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         f"--user-data-dir={tmp / 'profile'}", "--host-resolver-rules=MAP * ~NOTFOUND",
         "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0 and pdf.exists(), proc.stderr[-2000:]
    subprocess.run([shutil.which("pdftoppm"), "-r", "40", "-png", str(pdf), str(tmp / "p")],
                   check=True, timeout=120)
    return sorted(tmp.glob("p-*.png"), key=lambda p: int(p.stem.split("-")[-1]))


def _filled_to(png: Path) -> float:
    """How far down the page (0..1) the lowest printed pixel is."""
    from matplotlib.image import imread

    px = imread(png)[..., :3]
    rows = np.nonzero((px.mean(axis=2) < 0.9).any(axis=1))[0]
    return float(rows[-1] / px.shape[0])


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not "
                    "installed; the print check rasterises the PDF with it")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_weekly_page_prints_without_a_blank_first_page(lang: str, tmp_path: Path) -> None:
    """Printed to A4, page 1 is used to the bottom: a block that does not fit (the timing
    chart and table) flows on instead of moving whole to page 2 (page 1 was filled to 43%
    before, the rest left blank); the page prints on 3 sheets."""
    res = CliRunner().invoke(main, ["weekly", "--format", "html", "--out", str(tmp_path),
                                    "--quiet", "--lang", lang])
    assert res.exit_code == 0, res.output
    pages = _print_pages(tmp_path / "weekly-2026-08-21.html", tmp_path)
    assert len(pages) <= 3
    assert _filled_to(pages[0]) > 0.7
