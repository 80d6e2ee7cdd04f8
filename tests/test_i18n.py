"""The Chinese edition: the message catalogue is complete in both languages, the language and
colour defaults, no English label left on a zh page, 红涨绿跌 on the rendered figures and cells,
and terminal tables aligned by display width."""

from __future__ import annotations

import re
import string
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from quantlib import i18n
from quantlib.cli import main


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}


def test_every_key_in_both_languages_with_the_same_placeholders() -> None:
    en, zh = i18n.MESSAGES["en"], i18n.MESSAGES["zh"]
    assert set(en) == set(zh)
    for key in en:
        assert _fields(en[key]) == _fields(zh[key]), key
        assert zh[key].strip(), key


def test_zh_messages_are_chinese() -> None:
    """Every zh message that is not a code (MA5, TWO BETA, a separator) holds Chinese."""
    codes = {"f.ma5", "f.ma20", "f.ma120", "model.two_beta", "f.etfs"}
    for key, text in i18n.MESSAGES["zh"].items():
        if key not in codes and not key.startswith("p."):
            assert re.search(r"[\u4e00-\u9fff]", text), (key, text)


def test_report_terms() -> None:
    zh = i18n.MESSAGES["zh"]
    assert [zh[f"regime.{r}"] for r in ("up", "range", "down")] == ["上行", "震荡", "下行"]
    assert (zh["f.trend_line"], zh["f.money_effect"], zh["f.distance"]) == (
        "趋势线", "赚钱效应", "均线距离")
    assert (zh["model.trend"], zh["model.reversal"], zh["model.earnings"]) == (
        "行业趋势配置", "困境反转", "盈利趋势")
    assert zh["f.percentile"] == "估值分位" and zh["f.position"] == "仓位"


def test_language_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("QUANTLIB_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    assert i18n.resolve_lang() == "en"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.resolve_lang() == "zh"
    monkeypatch.setenv("LC_ALL", "C.UTF-8")  # LC_ALL overrides LANG
    assert i18n.resolve_lang() == "en"
    monkeypatch.setenv("QUANTLIB_LANG", "zh")
    assert i18n.resolve_lang() == "zh"
    assert i18n.resolve_lang("en") == "en"  # the option wins
    monkeypatch.setenv("QUANTLIB_LANG", "fr")
    with pytest.raises(i18n.LangError, match="QUANTLIB_LANG='fr'"):
        i18n.resolve_lang()
    res = CliRunner().invoke(main, ["strategies"])
    assert res.exit_code == 2 and "QUANTLIB_LANG='fr'" in res.output
    assert i18n.resolve_colors(None, "zh") == "cn" and i18n.resolve_colors(None, "en") == "intl"
    assert i18n.resolve_colors("intl", "zh") == "intl"


def test_chinese_dates_percentages_amounts() -> None:
    assert i18n.fmt_date("zh", "2026-08-21") == "2026年8月21日"
    assert i18n.fmt_date("en", "2026-08-21") == "2026-08-21"
    assert i18n.fmt_pct(-0.04594) == "-4.59%" and i18n.fmt_pct(0.5, 0, False) == "50%"
    assert i18n.fmt_amount_cny("zh", 1.8183e12) == "18,183亿元"


def test_display_width() -> None:
    assert i18n.display_width("综合") == 4 and i18n.display_width("Steel") == 5
    assert i18n.display_width("（上周 50%）") == 12  # full-width brackets count two
    lines = i18n.text_table(["名称", "x"], [["国防军工", "1"], ["Steel", "22"]], "<>")
    assert len({i18n.display_width(line) for line in lines}) == 1


# --- pages --------------------------------------------------------------------------------

#: ASCII words allowed on a Chinese page: codes and names a Chinese analyst writes in Latin
#: letters too (MA20, PE TTM, ETF, TWO BETA, Wind, WIND All A's 'A').
ALLOWED = {"MA", "PE", "TTM", "PB", "ETF", "TWO", "BETA", "Wind", "quantlib", "alpha", "t",
           "VaR", "CVaR", "Omega", "P"}


class _Text(HTMLParser):
    """Visible text of a page, without <style>, <code>, <pre> and the strategy's own notes."""

    SKIP = {"style", "code", "pre", "title"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        cls = dict(attrs).get("class") or ""
        skip = tag in self.SKIP or "src-notes" in cls
        self.stack.append("skip" if skip or (self.stack and self.stack[-1] == "skip") else tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1] == "skip"):
            self.parts.append(data)


def english_words(page: str) -> list[str]:
    """ASCII words of the visible text (SVG labels included) that are not codes: a dataset
    name, a path or a command in backticks does not count."""
    parser = _Text()
    parser.feed(page)
    text = " ".join(parser.parts)
    text = re.sub(r"`[^`]*`", " ", text)  # commands
    text = re.sub(r"\S*[_/.]\S*[A-Za-z]\S*", " ", text)  # wind_all_a, docs/data.md
    words = re.findall(r"[A-Za-z][A-Za-z0-9]*", text)
    return sorted({w for w in words if w not in ALLOWED and not re.fullmatch(r"[A-Z]", w)
                   and not re.search(r"\d", w)})  # hs300, MA20: codes


def test_english_words_finds_english() -> None:
    assert english_words("<p>regime 上行</p><svg><text>Drawdown</text></svg>") == [
        "Drawdown", "regime"]
    assert english_words("<p>见 docs/data.md，运行 `quantlib data refresh x`</p>") == []


@pytest.fixture(scope="module")
def zh_weekly(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("weekly")
    res = CliRunner().invoke(main, ["weekly", "--lang", "zh", "--format", "html", "--quiet",
                                    "--date", "2024-03-15", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return (out / "weekly-2024-03-15.html").read_text("utf-8")


@pytest.fixture(scope="module")
def zh_tearsheet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bt")
    res = CliRunner().invoke(main, ["backtest", "industry_rotation", "--start", "2019-01-04",
                                    "--end", "2020-12-31", "--quiet", "--lang", "zh",
                                    "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "年化收益" in res.output
    return out / "tearsheet.html"


def test_zh_weekly_page_has_no_english_labels(zh_weekly: str) -> None:
    assert english_words(zh_weekly) == []
    for term in ("市场概览", "择时", "均线距离", "趋势线", "赚钱效应", "仓位管理", "估值分位",
                 "行业趋势配置", "困境反转", "数据说明", "2024年3月15日"):
        assert term in zh_weekly, term
    assert '<html lang="zh-CN">' in zh_weekly and 'class="colors-cn"' in zh_weekly


def test_zh_tearsheet_has_no_english_labels(zh_tearsheet: Path) -> None:
    page = zh_tearsheet.read_text("utf-8")
    assert english_words(page) == []
    for term in ("回测设置", "累计收益", "回撤", "绩效指标", "夏普比率", "最大回撤", "持仓权重",
                 "月度收益", "成交记录", "运行清单", "波动率匹配", "年度收益与基准对比",
                 "最大回撤区间", "滚动指标", "A股压力时期", "2020年新冠疫情", "概率夏普比率",
                 "今年以来"):
        assert term in page, term


def test_rotation_legend_names_industries(zh_tearsheet: Path) -> None:
    """The weights legend shows Shenwan names, not codes like 801050."""
    svg = zh_tearsheet.read_text("utf-8").split("持仓权重</h2>")[1]
    legend = re.findall(r"<text[^>]*>([^<]*)</text>", svg.split("</svg>")[0])
    names = [t for t in legend if re.search(r"[\u4e00-\u9fff]", t)]
    assert len(names) >= 3 and not any(re.fullmatch(r"80\d{4}", t.strip()) for t in legend)


def test_en_pages_stay_english() -> None:
    res = CliRunner().invoke(main, ["signal", "position", "--lang", "en", "--date",
                                    "2024-03-15"])
    assert res.exit_code == 0 and "valuation" in res.output and "估值" not in res.output
    res = CliRunner().invoke(main, ["signal", "position", "--lang", "zh", "--date",
                                    "2024-03-15"])
    assert res.exit_code == 0 and "估值分位" in res.output and "市场状态" in res.output


def test_signal_industries_aligns_by_display_width() -> None:
    res = CliRunner().invoke(main, ["signal", "industries", "--lang", "zh", "--model",
                                    "trend", "--date", "2024-03-15"])
    assert res.exit_code == 0, res.output
    rows = [line for line in res.output.splitlines() if re.match(r"\s+(排名|\d+)\s", line)]
    assert len(rows) >= 3  # header + picks
    # every column ends at the same display column: the ETF column starts at one place
    starts = {i18n.display_width(line[:line.rindex("  ") + 2]) for line in rows}
    assert len(starts) == 1, rows
    assert "%" in rows[1]  # distance and money effect as percentages, like everywhere else


# --- colours --------------------------------------------------------------------------------


def _fills(svg: str) -> list[str]:
    return re.findall(r"fill: (#[0-9a-f]{6})", svg)


def test_regime_strip_colours_follow_the_convention() -> None:
    """An 'up' regime is shaded red under cn and green under intl, on the rendered SVG."""
    import pandas as pd

    from quantlib.report import plots
    from quantlib.report.html import figure_svg

    idx = pd.bdate_range("2024-01-01", periods=40)
    weights = pd.DataFrame({"x": 1.0}, index=idx)
    regime = pd.Series(["up"] * 20 + ["down"] * 20, index=idx)
    red, green = i18n.PALETTES["cn"]["up"], i18n.PALETTES["cn"]["down"]
    assert (red, green) == ("#d62728", "#2ca02c")
    cn = figure_svg(plots.weights_figure(weights, regime, colors="cn", lang="zh"))
    intl = figure_svg(plots.weights_figure(weights, regime, colors="intl"))
    # the up strip is drawn first (regime order up, range, down)
    cn_fills = [f for f in _fills(cn) if f in (red, green)]
    intl_fills = [f for f in _fills(intl) if f in (red, green)]
    assert cn_fills[:2] == [red, green] and intl_fills[:2] == [green, red]
    assert "上行" in cn and "下行" in cn


def test_heatmap_gain_is_red_under_cn() -> None:
    import numpy as np
    import pandas as pd
    from matplotlib import colormaps

    from quantlib.report import plots

    monthly = pd.DataFrame([[0.05] + [np.nan] * 11 + [0.05], [-0.05] + [np.nan] * 11 + [-0.05]],
                           index=[2023, 2024], columns=[*range(1, 13), "year"])
    for colors, up_is_red in (("cn", True), ("intl", False)):
        fig = plots.monthly_heatmap_figure(monthly, colors=colors)
        image = fig.axes[0].images[0]
        r, g, _, _ = colormaps[image.get_cmap().name](image.norm(5.0))
        assert bool(r > g) is up_is_red, colors


def test_html_cells_and_css_follow_the_convention(zh_weekly: str) -> None:
    assert re.search(r'<td class="pos">\+\d', zh_weekly) and re.search(
        r'<td class="neg">-\d', zh_weekly)
    css = zh_weekly.split("<style>")[1]
    assert re.search(r"\.colors-cn \.pos,\.colors-cn \.regime-up\{color:#c62828\}", css)
    assert re.search(r"\.colors-cn \.neg,\.colors-cn \.regime-down\{color:#2e7d32\}", css)
    res = CliRunner().invoke(main, ["weekly", "--lang", "zh", "--colors", "intl", "--format",
                                    "html", "--quiet", "--date", "2024-03-15"])
    assert 'class="colors-intl"' in res.output


def test_print_css_for_a4(zh_weekly: str) -> None:
    css = zh_weekly.split("<style>")[1].split("</style>")[0]
    assert "@page{size:A4" in css and "@media print" in css
    assert "break-inside:avoid" in css
    assert zh_weekly.count('<section class="block') == 5


# --- help text and docs -----------------------------------------------------------------------


def _help_texts() -> list[str]:
    runner = CliRunner()
    paths = [[], ["weekly"], ["backtest"], ["strategies"], ["sweep"], ["data"], ["signal"],
             ["signal", "timing"], ["signal", "position"], ["signal", "industries"]]
    out = [runner.invoke(main, [*p, "--help"]).output for p in paths]
    out.append(runner.invoke(main, ["strategies"]).output)
    return out


def test_help_and_docs_cite_no_file_users_lack() -> None:
    """models.md and the spec folder are the maintainers' notes, not shipped: help text, the
    strategy listing, docstrings and docs explain the rules or point at docs/*.md instead."""
    root = Path(__file__).resolve().parents[1]
    texts = {f"help {i}": t for i, t in enumerate(_help_texts())}
    for pattern in ("docs/*.md", "README.md", "quantlib/**/*.py", "strategies/*.py"):
        for path in root.glob(pattern):
            texts[str(path.relative_to(root))] = path.read_text("utf-8")
    cited = {name for name, text in texts.items()
             if re.search(r"models\.md|spec/", text)}
    assert cited == set()
    for page in ("timing", "position", "rotation"):
        assert (root / "docs" / f"{page}.md").exists()
