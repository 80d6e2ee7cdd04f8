"""The message catalogue: every label the weekly page, the signals, the tearsheet and the
strategy listing print, in English and Chinese (one dict per language), the language and colour
choice, and the Chinese ways of writing dates, percentages and amounts.

Language: ``--lang`` wins, then ``QUANTLIB_LANG``, then the locale (``LC_ALL``, ``LC_MESSAGES``,
``LANG`` starting with ``zh``), else English. Colours: ``--colors cn`` is red for up and green
for down (红涨绿跌, what A-share readers expect), ``intl`` the reverse; the default is ``cn``
in Chinese and ``intl`` in English.

Import-light (stdlib and click): the CLI modules import it at start.
"""

from __future__ import annotations

import os
import unicodedata
from typing import Any

import click

from quantlib.errors import QuantlibError

__all__ = [
    "COLORS",
    "LANGS",
    "MESSAGES",
    "PALETTES",
    "LangError",
    "Message",
    "colors_option",
    "display_width",
    "fmt_amount_cny",
    "fmt_date",
    "fmt_pct",
    "label",
    "lang_option",
    "localize",
    "pad",
    "resolve_colors",
    "resolve_lang",
    "text",
    "text_table",
    "tr",
]

LANGS = ("en", "zh")
COLORS = ("cn", "intl")

#: Up / down / neutral colours of each convention (charts, CSS, regime strips).
PALETTES = {
    "cn": {"up": "#d62728", "down": "#2ca02c", "range": "#bbbbbb", "cmap": "RdYlGn_r"},
    "intl": {"up": "#2ca02c", "down": "#d62728", "range": "#bbbbbb", "cmap": "RdYlGn"},
}


class LangError(QuantlibError, ValueError):
    """An unknown language or colour convention (option or environment variable)."""


# One entry per label. Placeholders are str.format fields; both languages carry the same ones.
MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        # regimes, classes, models
        "regime.up": "up", "regime.range": "range", "regime.down": "down",
        "valuation.cheap": "cheap", "valuation.normal": "normal",
        "valuation.expensive": "expensive",
        "model.trend": "industry trend", "model.two_beta": "TWO BETA",
        "model.earnings": "earnings trend", "model.reversal": "distressed reversal",
        "model.blend": "blend",
        "sleeve.tech_growth": "tech growth", "sleeve.upstream_cyclical": "upstream cyclical",
        "index.wind_all_a": "WIND All A (881001)", "index.csi_all_share": "CSI All Share (000985)",
        "index.hs300": "CSI 300 (000300)", "index.sse_composite": "SSE Composite (000001)",
        "side.buy": "buy", "side.sell": "sell", "p.colon": ": ", "p.semi": "; ",
        "bench.buy and hold": "buy and hold",
        "bench.equal weight of the listed assets, same rebalance dates":
            "equal weight of the listed assets, same rebalance dates",
        # timing fields
        "f.close": "close", "f.ma5": "MA5", "f.ma20": "MA20", "f.ma120": "MA120",
        "f.distance": "distance", "f.trend_line": "trend line", "f.money_effect": "money effect",
        "f.regime": "regime", "f.rules": "rules", "f.turnover": "turnover", "f.value": "value",
        "f.percentile": "percentile", "f.as_of": "as of", "f.week": "week", "f.index": "index",
        "f.rank": "rank", "f.code": "code", "f.name": "name", "f.score": "score",
        "f.etfs": "ETFs", "f.best": "best", "f.worst": "worst", "f.pe": "PE (TTM)",
        "f.pb": "PB (median)", "f.valuation": "valuation", "f.position": "position",
        "f.window": "window", "f.beta": "beta", "f.alpha": "alpha", "f.growth": "growth",
        "f.accel": "acceleration", "f.drawdown": "drawdown", "f.basis": "basis",
        "i.rule_source": "rule: {note}",
        "timing.distance_value": "{value}  (threshold ±3%)",
        "timing.trend_value": "{value}  (MA5 {side})", "timing.above": "above",
        "timing.below": "below",
        "timing.regime_value": "{regime} since {since} ({days} days); raw {raw}",
        "timing.turnover_value": "{amount} (shrink level {level})",
        "rule.uptrend_broken": "uptrend broken", "rule.break_confirmed": "break confirmed",
        "rule.downtrend_exited": "downtrend exited", "rule.volume_shrink": "volume shrink",
        "timing.head": "timing on {index}, {date}",
        "h.previous": "previous", "h.lasted": "previous lasted (days)",
        "timing.no_change": "no regime change on {index} between {start} and {end}",
        "timing.proxy": "PROXY: WIND All A is real Wind data to 2024-12-12; later days are "
                        "extended by a return model on the CSI All Share (000985), see "
                        "docs/data.md.",
        # weekly changes
        "chg.none": "no previous week in the data",
        "chg.regime": "regime {old} -> {new}",
        "chg.regime_same": "regime unchanged: {regime} (since {since})",
        "chg.distance": "distance {old} -> {new}",
        "chg.money_pos": "money effect turned positive ({value})",
        "chg.money_neg": "money effect turned negative ({value})",
        "chg.cross": "MA5 crossed {side} the trend line",
        "chg.flag_on": "{flag}: now on", "chg.flag_off": "{flag}: now off",
        # weekly page
        "w.title": "quantlib weekly, week ending {date}",
        "w.market": "Market", "w.market_head": "MARKET  week {start} .. {end}",
        "w.timing": "Timing (WIND All A)", "w.position": "Position",
        "w.industries": "Industries: picks per model", "w.notes": "Data notes",
        "w.timing_head": "TIMING  WIND All A, as of {date}", "w.proxy_tag": "[PROXY]",
        "w.proxy_data": "(proxy data)", "w.as_of": "as of {date}",
        "w.since_last": "since last week ({date})", "w.since_last_plain": "Since last week",
        "w.no_data_week": "no data this week",
        "w.sw_week": "Shenwan L1 industries, week ending {date} ({count} with data)",
        "w.sw_not_this_week": "[last SW date, not this week]",
        "w.sw_head": "Shenwan L1 industries, week ending {date}",
        "w.unavailable": "unavailable: {reason}",
        "w.position_unavailable": "POSITION  unavailable: {reason}",
        "w.industries_unavailable": "INDUSTRIES  unavailable: {reason}",
        "w.position_head": "POSITION  WIND All A, as of {date}",
        "w.pe_value": "{value}  percentile {pct}  (as of {date})",
        "w.valuation_value": "{cls}  (rule {rule})",
        "w.position_value": "{pos} equity, rest cash{change}",
        "w.last_week": "  (last week {pos})",
        "w.position_sentence": "valuation {cls} (rule {rule}), regime {regime}: position "
                               "{pos} equity{change}.",
        "w.industries_head": "INDUSTRIES  picks per model, as of {date} (top {k})",
        "w.no_picks": "no picks: {reason}",
        "w.lead_paren": " (leading sleeve: {lead})",
        "w.vs": "vs {date}: in {entered}; out {left}",
        "w.etf_legend": "[ETF codes in brackets, at most two; '-' = no ETF mapped]",
        "w.notes_head": "DATA NOTES", "w.chart_alt": "WIND All A with moving averages",
        "w.chart_title": "WIND All A: closes, moving averages, regime (trend line = MA20)",
        "w.printed": "Printed from quantlib; figures rest on the data listed under data notes.",
        # weekly notes and reasons
        "n.proxy": "WIND All A on {date} is a PROXY (real Wind data ends 2024-12-12; later days "
                   "follow a return model on the CSI All Share, docs/data.md): the WIND All A "
                   "return, the timing block and the position block rest on it.",
        "n.stale_index": "{index}: no data in this week; its row is the week ending {date} "
                         "(its last date).",
        "n.position": "Position: PE/PB are proxies (CSI All Share PE-TTM as of {pe_date}, all-A "
                      "median PB as of {pb_date}), not WIND All A's; see docs/position.md.",
        "n.position_lg": "Position: PE is the {pe_input} as of {pe_date}, PB the {pb_input} as "
                         "of {pb_date}; closer to WIND All A's PE/PB than the proxies, not Wind's "
                         "own (docs/position.md).",
        "n.industries": "Industries: as of {as_of}, the last Shenwan L1 date on or before "
                        "{date}; picks and industry returns are from that week, not {date}'s.",
        "n.earnings": "Earnings model: Wind SW PE TTM {span}; on {date} it {where}. {extension}",
        "n.earnings_yes": "makes picks", "n.earnings_no": "makes NO picks (outside its data)",
        "n.ext_used": "The stock-based earnings extension is used (it passed its check "
                      "against Wind).",
        "n.ext_unused": "The stock-based earnings extension is NOT used (it failed its check "
                        "against Wind).",
        "n.last_dates": "Data last dates: {dates}.",
        "n.stale": "STALE: {name} ends {last}, {behind} trading days before today ({today}; "
                   "limit {limit}): {hint}.",
        "r.not_covered": "the model has no data on {date} (outside the coverage in its rule "
                         "line); it makes no picks there and has no fallback",
        "r.none_meet": "no industry meets the model's conditions on this day",
        # signal position / industries
        "p.head": "position model on WIND All A, {date}",
        "p.window_value": "{window}; data from PE {pe}, PB {pb}",
        "p.position_value": "{pos} equity (WIND All A), rest cash",
        "p.proxy": "PROXY: the valuation inputs are the CSI All Share (000985) PE-TTM and the "
                   "all-A median PB, not WIND All A's PE/PB (not public); percentiles differ "
                   "from the report's. See docs/position.md.",
        "p.wind_proxy": "PROXY: WIND All A after 2024-12-12 is extended from the CSI All Share "
                        "(docs/data.md).",
        "i.head": "industry picks, {date} (top {k})", "i.data": "data {name}: {value}",
        "i.lead": "leading sleeve: {lead} (spread {spread})",
        # strategies
        "s.inputs": "inputs: {inputs}; trades {trade} as {kind}",
        "s.benchmark": "benchmark: {benchmark}; cash earns {rate} a year",
        "s.parameters": "parameters:", "s.default": "default",
        "s.run": "Run one with: `quantlib backtest NAME --param name=value ...`",
        "s.own": "Your own: `quantlib backtest path/to/file.py:ClassName` (docs/strategies.md).",
        # tearsheet
        "t.title": "{name} backtest {start} .. {end}", "t.setup": "Setup",
        "t.orders": "Orders blocked and lot-rounding cash",
        "t.orders_examples": "Blocked orders (first {shown} of {total}):",
        "o.orders": "orders (rebalance bar x stock)", "o.suspended": "blocked: suspended",
        "o.limit": "blocked: at the price limit", "o.other": "unfilled, other reason",
        "o.cash_mean": "lot-rounding cash, mean per rebalance",
        "o.cash_last": "lot-rounding cash, last rebalance", "o.value": "value",
        "o.cny": "{value} CNY", "t.outcome": "outcome",
        "outcome.suspension": "suspended", "outcome.limit": "price limit",
        "outcome.other": "other",
        "t.params": "Parameters", "t.equity": "Cumulative returns", "t.drawdown": "Drawdown",
        "t.metrics": "Metrics", "t.weights": "Weights over time",
        "t.monthly": "Monthly returns", "t.trades": "Trades ({n} fills; all in trades.csv)",
        "t.notes": "Data notes", "t.manifest": "Run manifest",
        "t.rerun": "Re-run with", "t.strategy": "strategy", "t.benchmark": "benchmark",
        "t.year": "year", "t.month": "month",
        "t.window": "window", "t.fill": "fill", "t.commission": "commission",
        "t.slippage": "slippage", "t.stamp_duty": "stamp duty", "t.none": "none",
        "t.commission_value": "{bps} bps per side, minimum {min} CNY",
        "t.slippage_value": "{bps} bps",
        "t.date": "date", "t.asset": "asset", "t.side": "side", "t.shares": "shares",
        "t.price": "price", "t.amount": "value", "t.cost": "cost", "t.value": "value",
        "t.value_cny": "value (CNY)", "t.cost_cny": "cost (CNY)",
        "t.value_pct": "value (% of equity)", "t.cost_pct": "cost (% of equity)",
        "t.equity_title": "{name}: equity vs benchmark", "t.growth_log": "growth of 1 (log)",
        "t.drawdown_pct": "drawdown %", "t.weight": "weight", "t.other": "other",
        "t.weekly_means": "(weekly means)", "t.monthly_pct": "Monthly returns %",
        "t.regime_strip": "regime", "t.notes_source": "Strategy notes:",
        "t.tearsheet_done": "{name} {start} .. {end}: annual return {ret} (benchmark {bret}), "
                            "Sharpe {sharpe}, max drawdown {mdd}, {n} fills",
        # tearsheet analytics
        "a.returns": "Cumulative returns (linear) and volatility-matched",
        "a.vol_matched": "strategy at the benchmark's volatility",
        "a.trailing": "Trailing returns to {date}", "a.yearly": "Yearly returns vs benchmark",
        "a.excess": "excess", "a.risk": "Risk and distribution",
        "a.distribution": "Daily and monthly return distributions", "a.daily": "daily returns",
        "a.monthly": "monthly returns", "a.frequency": "count",
        "a.rolling": "Rolling statistics ({n} trading days)",
        "a.drawdowns": "Worst drawdown periods", "a.not_recovered": "not recovered",
        "a.dd.start": "start", "a.dd.trough": "trough", "a.dd.end": "end",
        "a.dd.recovery": "recovery", "a.dd.days": "days", "a.dd.trading_days": "trading days",
        "a.dd.depth": "depth",
        "a.tr.mtd": "month to date", "a.tr.3m": "3 months", "a.tr.6m": "6 months",
        "a.tr.ytd": "year to date", "a.tr.1y": "1 year", "a.tr.3y": "3 years (annual)",
        "a.tr.5y": "5 years (annual)", "a.tr.all": "whole run (annual)",
        "a.k.var_95": "daily VaR (95%, historical)", "a.k.cvar_95": "daily CVaR (95%)",
        "a.k.skew": "skew", "a.k.kurtosis": "excess kurtosis", "a.k.tail_ratio": "tail ratio",
        "a.k.omega": "Omega ratio", "a.k.psr": "probabilistic Sharpe ratio (P > 0)",
        "a.k.win_rate": "win rate (days up / days that moved)", "a.k.best_day": "best day",
        "a.k.worst_day": "worst day", "a.k.best_month": "best month",
        "a.k.worst_month": "worst month", "a.k.best_year": "best year",
        "a.k.worst_year": "worst year",
        "a.stress": "A-share stress periods", "a.period": "period", "a.from": "from",
        "a.to": "to", "a.stress_none": "The run covers none of the stress periods.",
        "a.stress_note": "Returns compounded from the close before the first day to the close "
                         "of the last; periods the run does not cover whole are left out.",
        "a.s.crash_2008": "2008 crash", "a.s.crash_2015": "2015-06 crash",
        "a.s.circuit_breaker_2016": "2016-01 circuit breaker",
        "a.s.trade_war_2018": "2018 trade war", "a.s.covid_2020": "2020 Covid",
        "a.s.microcap_2024": "2024-01 micro-cap crash", "a.s.rally_2024_09": "2024-09-24 rally",

        # sentences the models, checks and strategies write (quantlib.i18n.Message)
        "p.list": ", ", "span": "{start} .. {end}",
        "rule.trend": "timing regime per industry (MA{short}/MA{long}, threshold "
                      "{threshold:.0%}); defined from the {long}th day of each index.",
        "rule.two_beta": "sleeves {name_a}={sleeve_a} vs {name_b}={sleeve_b}; rule={rule}"
                         "{ratio}, beta window {beta_window}d, lookback {lookback}d, margin "
                         "{margin:g}.",
        "rule.two_beta_ratio": " (MA20/MA{long} of the ratio)",
        "rule.earnings": "earnings from PE TTM: scores for month-ends {span} (usable {max_age} "
                         "days after each); PE data {pe_span}. Outside: no picks (no price "
                         "fallback).",
        "rule.no_month": "no month",
        "rule.earnings_ext": "From {span}: a DIFFERENT SOURCE (stock-based earnings, its own "
                             "growth).",
        "rule.reversal": "decline >= {min_drawdown:.0%} from the {high_window}-day high within "
                         "{recent_window} days; valuation percentile <= {max_percentile:.0%} "
                         "(basis {basis}: PE TTM to the last bundled month, else price); "
                         "distance rising through {turn_level:+.0%} within {turn_window} days, "
                         "money effect > 0.",
        "rule.blend": "blend of {models} (mean rank score over covered models)",
        "ext.source": "stock bars (baostock PE TTM x float market cap, {members} CSI 300 "
                      "members, SW membership snapshot ~2022: look-ahead and survivorship)",
        "ext.note": "stock-based industry earnings {span} ({source}): rank correlation of "
                    "{months}-month changes with the Wind PE-derived earnings {overlap} = "
                    "{corr:.2f} (gate {gate:g}): {verdict} to extend the earnings model.",
        "ext.used": "used", "ext.not_used": "NOT used", "ext.forced": "Forced by the caller.",
        "cov.pe": "{span} (Wind, loss-makers excluded; used by earnings and by reversal's PE "
                  "percentile)",
        "cov.no_pe": "no industry PE for this universe: reversal uses its price percentile; the "
                     "ETF map covers Shenwan codes only",
        "data.note": "note", "data.earnings_extension": "earnings_extension",
        "v.window": "{span} (expanding)",
        "v.no_position": "no position on {day}: PE/PB or the regime is undefined there (PE data "
                         "starts 2015-01-05; the regime needs 120 days). First day with a "
                         "position: {first}.",
        "v.none": "none",
        "v.pe_proxy": "CSI All Share (000985) PE-TTM", "v.pb_proxy": "all-A median PB",
        "v.pe_lg": "all-market PE (legulegu 上证+深证, cap-weighted)",
        "v.pb_lg": "all-market PB (legulegu 上证+深证, cap-weighted)",
        "v.lg_note": "Valuation inputs: all-market PE and PB combined from legulegu's 上证 and "
                     "深证 market figures (market_pe_lg, market_pb_lg: total market cap over "
                     "total earnings / book), SSE weight {w:.0%} of capitalisation (a fixed "
                     "share, docs/position.md); closer to WIND All A's PE/PB than the proxies, "
                     "still not Wind's figures.",
        "n.refresh": "run `quantlib data refresh {name}` (or `quantlib data refresh --all`)",
        "n.frozen": "it is a frozen export that akshare does not serve (docs/data.md)",
        "kind.index": "index", "kind.etf": "ETF", "kind.stock": "stock",
        "type.int": "int", "type.float": "float", "type.bool": "bool", "type.str": "str",
        "type.optional": "{type} | None",
        "origin.built-in": "built-in", "origin.file": "file", "origin.module": "module",
        "s.no_zh": "[this strategy declares no text in this language; its English text follows]",
        "t.no_zh": "This strategy declares no text in this language; its English text follows.",
        "t.wrote": "wrote {out}/: tearsheet.html, manifest.json, {files}",
        "t.weights_caption": "Rows: the {shown} {unit} held most, by time-weighted mean weight "
                             "(the weight of every day of the run averaged), of {held} held at "
                             "some time; colour: weekly mean weight.",
        "t.other_caption": "{other}: {n} more {unit}, {mean} mean weight together (the grey "
                           "row, on its own scale: darkest = {max}).",
        "t.unit.industry": "industries", "t.unit.asset": "assets",
        # metric names
        "m.start": "start", "m.end": "end", "m.total_return": "total return",
        "m.annual_return": "annual return", "m.annual_volatility": "annual volatility",
        "m.sharpe_ratio": "Sharpe ratio", "m.sortino_ratio": "Sortino ratio",
        "m.max_drawdown": "max drawdown", "m.max_drawdown_peak": "max drawdown peak",
        "m.max_drawdown_trough": "max drawdown trough",
        "m.max_drawdown_recovery": "max drawdown recovery", "m.calmar_ratio": "Calmar ratio",
        "m.win_rate": "win rate", "m.annual_turnover": "annual turnover",
        "m.mean_exposure": "mean exposure", "m.alpha": "alpha (annual)", "m.beta": "beta",
        "m.alpha_tstat": "alpha t-stat", "m.beta_tstat": "beta t-stat",
    },
    "zh": {
        "regime.up": "上行", "regime.range": "震荡", "regime.down": "下行",
        "valuation.cheap": "低估", "valuation.normal": "适中", "valuation.expensive": "高估",
        "model.trend": "行业趋势配置", "model.two_beta": "TWO BETA", "model.earnings": "盈利趋势",
        "model.reversal": "困境反转", "model.blend": "多模型合成",
        "sleeve.tech_growth": "科技成长", "sleeve.upstream_cyclical": "上游周期",
        "index.wind_all_a": "万得全A (881001)", "index.csi_all_share": "中证全指 (000985)",
        "index.hs300": "沪深300 (000300)", "index.sse_composite": "上证指数 (000001)",
        "side.buy": "买入", "side.sell": "卖出", "p.colon": "：", "p.semi": "；",
        "bench.buy and hold": "买入持有",
        "bench.equal weight of the listed assets, same rebalance dates":
            "所列资产等权（与策略同日调仓）",
        "f.close": "收盘", "f.ma5": "MA5", "f.ma20": "MA20", "f.ma120": "MA120",
        "f.distance": "均线距离", "f.trend_line": "趋势线", "f.money_effect": "赚钱效应",
        "f.regime": "市场状态", "f.rules": "规则", "f.turnover": "成交额", "f.value": "数值",
        "f.percentile": "估值分位", "f.as_of": "数据日期", "f.week": "周涨跌", "f.index": "指数",
        "f.rank": "排名", "f.code": "代码", "f.name": "名称", "f.score": "得分",
        "f.etfs": "ETF", "f.best": "领涨", "f.worst": "领跌", "f.pe": "市盈率 PE (TTM)",
        "f.pb": "市净率 PB (中位数)", "f.valuation": "估值", "f.position": "仓位",
        "f.window": "窗口", "f.beta": "贝塔", "f.alpha": "超额收益", "f.growth": "盈利增速",
        "f.accel": "盈利加速度", "f.drawdown": "回撤", "f.basis": "估值口径",
        "i.rule_source": "规则：{note}",
        "timing.distance_value": "{value}  (阈值 ±3%)",
        "timing.trend_value": "{value}  (MA5 位于趋势线{side})", "timing.above": "上方",
        "timing.below": "下方",
        "timing.regime_value": "{regime}，自{since}起（{days}个交易日）；原始信号 {raw}",
        "timing.turnover_value": "{amount}（缩量水平 {level}）",
        "rule.uptrend_broken": "上行趋势破位", "rule.break_confirmed": "破位确认",
        "rule.downtrend_exited": "走出下行趋势", "rule.volume_shrink": "成交缩量",
        "timing.head": "{index} 择时信号，{date}",
        "h.previous": "原状态", "h.lasted": "原状态持续（交易日）",
        "timing.no_change": "{index} 在 {start} 至 {end} 之间市场状态没有变化",
        "timing.proxy": "代理数据：万得全A 的真实 Wind 数据截至2024年12月12日，之后按中证全指"
                        "(000985) 的收益模型延伸，详见 docs/data.md。",
        "chg.none": "数据中没有上一周",
        "chg.regime": "市场状态 {old} → {new}",
        "chg.regime_same": "市场状态不变：{regime}（自{since}起）",
        "chg.distance": "均线距离 {old} → {new}",
        "chg.money_pos": "赚钱效应转正（{value}）",
        "chg.money_neg": "赚钱效应转负（{value}）",
        "chg.cross": "MA5 穿到趋势线{side}",
        "chg.flag_on": "{flag}：出现", "chg.flag_off": "{flag}：解除",
        "w.title": "量化择时周报 · {date}当周",
        "w.market": "市场概览", "w.market_head": "市场概览  {start} 至 {end}",
        "w.timing": "择时（万得全A）", "w.position": "仓位管理",
        "w.industries": "行业配置：各模型推荐", "w.notes": "数据说明",
        "w.timing_head": "择时  万得全A，数据日期 {date}", "w.proxy_tag": "[代理数据]",
        "w.proxy_data": "（代理数据）", "w.as_of": "数据日期 {date}",
        "w.since_last": "与上周（{date}）相比", "w.since_last_plain": "与上周相比",
        "w.no_data_week": "本周无数据",
        "w.sw_week": "申万一级行业，截至{date}当周（{count}个行业有数据）",
        "w.sw_not_this_week": "[申万最新日期，不在本周]",
        "w.sw_head": "申万一级行业，截至{date}当周",
        "w.unavailable": "无法计算：{reason}",
        "w.position_unavailable": "仓位管理  无法计算：{reason}",
        "w.industries_unavailable": "行业配置  无法计算：{reason}",
        "w.position_head": "仓位管理  万得全A，数据日期 {date}",
        "w.pe_value": "{value}  估值分位 {pct}  （数据日期 {date}）",
        "w.valuation_value": "{cls}  （规则 {rule}）",
        "w.position_value": "股票仓位 {pos}，其余为现金{change}",
        "w.last_week": "（上周 {pos}）",
        "w.position_sentence": "估值{cls}（规则 {rule}），市场状态{regime}：股票仓位 {pos}"
                               "{change}。",
        "w.industries_head": "行业配置  各模型推荐，数据日期 {date}（前{k}名）",
        "w.no_picks": "无推荐：{reason}",
        "w.lead_paren": "（领先组合：{lead}）",
        "w.vs": "与{date}相比：调入 {entered}；调出 {left}",
        "w.etf_legend": "[方括号内为对应ETF代码，最多两只；'-' 表示没有对应ETF]",
        "w.notes_head": "数据说明", "w.chart_alt": "万得全A 收盘与均线",
        "w.chart_title": "万得全A：收盘、均线与市场状态（趋势线 = MA20）",
        "w.printed": "由 quantlib 生成；各数字所依据的数据见“数据说明”。",
        "n.proxy": "{date} 的万得全A 为代理数据（真实 Wind 数据截至2024年12月12日，之后按中证全指"
                   "的收益模型延伸，见 docs/data.md）：万得全A 周涨跌、择时和仓位均以此为基础。",
        "n.stale_index": "{index}：本周无数据，该行是截至{date}（其最后日期）的一周。",
        "n.position": "仓位：PE/PB 为代理指标（中证全指 PE-TTM，数据日期 {pe_date}；全A 市净率"
                      "中位数，数据日期 {pb_date}），并非万得全A 本身的估值；见 docs/position.md。",
        "n.position_lg": "仓位：PE 为{pe_input}（数据日期 {pe_date}），PB 为{pb_input}（数据日期 "
                         "{pb_date}）；比代理指标更接近万得全A 的估值，但并非 Wind 数据"
                         "（docs/position.md）。",
        "n.industries": "行业：数据日期 {as_of}，即 {date} 及之前最后一个申万一级交易日；推荐和"
                        "行业涨跌来自那一周，而非 {date} 当周。",
        "n.earnings": "盈利趋势模型：Wind 申万行业 PE TTM 覆盖 {span}；在 {date} {where}。"
                      "{extension}",
        "n.ext_used": "基于个股的行业盈利扩展已采用（通过了与 Wind 数据的一致性检验）。",
        "n.ext_unused": "基于个股的行业盈利扩展未采用（未通过与 Wind 数据的一致性检验）。",
        "n.earnings_yes": "有推荐", "n.earnings_no": "无推荐（超出数据范围）",
        "n.last_dates": "各数据集最后日期：{dates}。",
        "n.stale": "数据过期：{name} 截至 {last}，比今天（{today}）落后 {behind} 个交易日（上限 "
                   "{limit}）：{hint}。",
        "r.not_covered": "模型在 {date} 没有数据（超出规则说明中的覆盖范围），当日不做推荐，"
                         "也不改用其他数据",
        "r.none_meet": "当日没有行业满足模型条件",
        "p.head": "万得全A 仓位管理模型，{date}",
        "p.window_value": "{window}；PE 数据始于 {pe}，PB 始于 {pb}",
        "p.position_value": "股票仓位 {pos}（万得全A），其余为现金",
        "p.proxy": "代理数据：估值输入为中证全指(000985) PE-TTM 和全A 市净率中位数，并非万得全A "
                   "本身的 PE/PB（未公开）；分位数与周报不同。见 docs/position.md。",
        "p.wind_proxy": "代理数据：2024年12月12日之后的万得全A 由中证全指延伸（docs/data.md）。",
        "i.head": "行业推荐，{date}（前{k}名）", "i.data": "数据 {name}：{value}",
        "i.lead": "领先组合：{lead}（差值 {spread}）",
        "s.inputs": "输入：{inputs}；交易 {trade}，资产类型 {kind}",
        "s.benchmark": "基准：{benchmark}；现金年化收益 {rate}",
        "s.parameters": "参数：", "s.default": "默认",
        "s.run": "运行：`quantlib backtest 策略名 --param 参数=值 ...`",
        "s.own": "自定义策略：`quantlib backtest 路径/文件.py:类名`（见 docs/strategies.md）。",
        "t.title": "{name} 回测 {start} 至 {end}", "t.setup": "回测设置",
        "t.orders": "委托受阻与整手余额",
        "t.orders_examples": "受阻委托（{total} 笔中的前 {shown} 笔）：",
        "o.orders": "委托数（调仓日 × 股票）", "o.suspended": "受阻：停牌",
        "o.limit": "受阻：涨跌停", "o.other": "未成交：其他原因",
        "o.cash_mean": "整手取整留存现金，每次调仓平均",
        "o.cash_last": "整手取整留存现金，最近一次调仓", "o.value": "数值",
        "o.cny": "{value}元", "t.outcome": "原因",
        "outcome.suspension": "停牌", "outcome.limit": "涨跌停", "outcome.other": "其他",
        "t.params": "参数", "t.equity": "累计收益", "t.drawdown": "回撤",
        "t.metrics": "绩效指标", "t.weights": "持仓权重",
        "t.monthly": "月度收益", "t.trades": "成交记录（共{n}笔；完整记录见 trades.csv）",
        "t.notes": "数据说明", "t.manifest": "运行清单",
        "t.rerun": "复现命令", "t.strategy": "策略", "t.benchmark": "基准",
        "t.year": "年份", "t.month": "月份",
        "t.window": "区间", "t.fill": "成交方式", "t.commission": "佣金",
        "t.slippage": "滑点", "t.stamp_duty": "印花税", "t.none": "无",
        "t.commission_value": "单边 {bps} 个基点，最低 {min} 元",
        "t.slippage_value": "{bps} 个基点",
        "t.date": "日期", "t.asset": "标的", "t.side": "方向", "t.shares": "数量",
        "t.price": "价格", "t.amount": "金额", "t.cost": "费用", "t.value": "金额",
        "t.value_cny": "金额（元）", "t.cost_cny": "费用（元）",
        "t.value_pct": "金额（占净值）", "t.cost_pct": "费用（占净值）",
        "t.equity_title": "{name}：策略与基准净值", "t.growth_log": "净值（对数坐标）",
        "t.drawdown_pct": "回撤 %", "t.weight": "权重", "t.other": "其他",
        "t.weekly_means": "（周均值）", "t.monthly_pct": "月度收益 %",
        "t.regime_strip": "市场状态", "t.notes_source": "策略说明：",
        "t.tearsheet_done": "{name} {start} 至 {end}：年化收益 {ret}（基准 {bret}），夏普比率 "
                            "{sharpe}，最大回撤 {mdd}，成交 {n} 笔",
        "a.returns": "累计收益（线性）与波动率匹配",
        "a.vol_matched": "策略（按基准波动率缩放）",
        "a.trailing": "区间收益（截至{date}）", "a.yearly": "年度收益与基准对比",
        "a.excess": "超额", "a.risk": "风险与收益分布",
        "a.distribution": "日收益与月收益分布", "a.daily": "日收益",
        "a.monthly": "月收益", "a.frequency": "频数",
        "a.rolling": "滚动指标（{n}个交易日）",
        "a.drawdowns": "最大回撤区间", "a.not_recovered": "尚未修复",
        "a.dd.start": "开始", "a.dd.trough": "谷底", "a.dd.end": "结束",
        "a.dd.recovery": "修复日", "a.dd.days": "自然日", "a.dd.trading_days": "交易日",
        "a.dd.depth": "回撤幅度",
        "a.tr.mtd": "本月以来", "a.tr.3m": "近3个月", "a.tr.6m": "近6个月",
        "a.tr.ytd": "今年以来", "a.tr.1y": "近1年", "a.tr.3y": "近3年（年化）",
        "a.tr.5y": "近5年（年化）", "a.tr.all": "回测全程（年化）",
        "a.k.var_95": "日 VaR（95%，历史法）", "a.k.cvar_95": "日 CVaR（95%）",
        "a.k.skew": "偏度", "a.k.kurtosis": "超额峰度", "a.k.tail_ratio": "尾部比率",
        "a.k.omega": "Omega 比率", "a.k.psr": "概率夏普比率（P > 0）",
        "a.k.win_rate": "胜率（上涨日/有涨跌的交易日）", "a.k.best_day": "最佳单日",
        "a.k.worst_day": "最差单日", "a.k.best_month": "最佳月份",
        "a.k.worst_month": "最差月份", "a.k.best_year": "最佳年份",
        "a.k.worst_year": "最差年份",
        "a.stress": "A股压力时期", "a.period": "时期", "a.from": "起",
        "a.to": "止", "a.stress_none": "回测区间不含任何压力时期。",
        "a.stress_note": "收益自首日前一交易日收盘复利计算至末日收盘；"
                         "未被回测区间完整覆盖的时期不列出。",
        "a.s.crash_2008": "2008年股灾", "a.s.crash_2015": "2015年6月股灾",
        "a.s.circuit_breaker_2016": "2016年1月熔断",
        "a.s.trade_war_2018": "2018年贸易战", "a.s.covid_2020": "2020年新冠疫情",
        "a.s.microcap_2024": "2024年1月微盘股踩踏", "a.s.rally_2024_09": "2024年9·24行情",
        "m.start": "开始日期", "m.end": "结束日期", "m.total_return": "累计收益",
        "m.annual_return": "年化收益", "m.annual_volatility": "年化波动率",
        "m.sharpe_ratio": "夏普比率", "m.sortino_ratio": "索提诺比率",
        "m.max_drawdown": "最大回撤", "m.max_drawdown_peak": "最大回撤起点",
        "m.max_drawdown_trough": "最大回撤谷底",
        "m.max_drawdown_recovery": "最大回撤修复日", "m.calmar_ratio": "卡玛比率",
        "m.win_rate": "日胜率", "m.annual_turnover": "年化换手率",
        "m.mean_exposure": "平均仓位", "m.alpha": "年化超额收益 (alpha)", "m.beta": "贝塔",
        "m.alpha_tstat": "alpha t 值", "m.beta_tstat": "贝塔 t 值",

        "p.list": "、", "span": "{start}至{end}",
        "rule.trend": "各行业指数各自的择时状态（MA{short}/MA{long}，阈值 {threshold:.0%}）；"
                      "自各指数第{long}个交易日起有定义。",
        "rule.two_beta": "两个组合：{name_a}={sleeve_a}，{name_b}={sleeve_b}；切换规则 {rule}"
                         "{ratio}，贝塔窗口 {beta_window} 天，回看 {lookback} 天，切换阈值 "
                         "{margin:g}。",
        "rule.two_beta_ratio": "（两组合比值的 MA20 对 MA{long}）",
        "rule.earnings": "由 PE TTM 推算盈利：月末得分覆盖 {span}（每个月末之后 {max_age} 天内"
                         "有效）；PE 数据 {pe_span}。超出范围不做推荐（不改用价格）。",
        "rule.no_month": "无月份",
        "rule.earnings_ext": "{span}：来自另一数据源（基于个股的盈利，只用其自身增速）。",
        "rule.reversal": "{recent_window} 天内自 {high_window} 日高点下跌至少 "
                         "{min_drawdown:.0%}；估值分位不高于 {max_percentile:.0%}（口径 "
                         "{basis}：数据所及月份用 PE TTM，其余用价格）；{turn_window} 天内均线"
                         "距离向上穿过 {turn_level:+.0%}，且赚钱效应为正。",
        "rule.blend": "{models} 的合成（对有数据的模型取排名得分的均值）",
        "ext.source": "个股行情（baostock PE TTM × 流通市值，{members} 只沪深300成分股，申万行业"
                      "归属取约2022年的一次快照：有前视偏差和幸存者偏差）",
        "ext.note": "基于个股的行业盈利 {span}（{source}）：与 Wind PE 推算盈利在 {overlap} 的 "
                    "{months} 个月变化的秩相关为 {corr:.2f}（门槛 {gate:g}）：{verdict}用于延伸"
                    "盈利趋势模型。",
        "ext.used": "已", "ext.not_used": "未", "ext.forced": "（由调用方强制采用。）",
        "cov.pe": "{span}（Wind 数据，剔除亏损公司；盈利趋势模型和困境反转的 PE 分位使用）",
        "cov.no_pe": "该行业体系没有行业 PE：困境反转使用价格分位；ETF 对照表只覆盖申万代码",
        "data.note": "说明", "data.earnings_extension": "个股盈利延伸",
        "v.window": "{span}（扩展窗口）",
        "v.no_position": "{day} 没有仓位：当日 PE/PB 或市场状态无定义（PE 数据始于2015年1月5日；"
                         "市场状态需要120个交易日）。第一个有仓位的日期：{first}。",
        "v.none": "无",
        "v.pe_proxy": "中证全指 (000985) PE-TTM", "v.pb_proxy": "全A 市净率中位数",
        "v.pe_lg": "全市场市盈率（乐咕乐股 上证+深证，市值加权）",
        "v.pb_lg": "全市场市净率（乐咕乐股 上证+深证，市值加权）",
        "v.lg_note": "估值输入：由乐咕乐股的上证和深证市场数据合成的全市场 PE 和 PB"
                     "（market_pe_lg、market_pb_lg：总市值除以总盈利或总净资产），上证按固定的 "
                     "{w:.0%} 市值占比加权（见 docs/position.md）；比代理指标更接近万得全A 的"
                     "估值，但仍不是 Wind 数据。",
        "n.refresh": "请运行 `quantlib data refresh {name}`（或 `quantlib data refresh --all`）",
        "n.frozen": "这是 akshare 不提供的固定导出数据（见 docs/data.md）",
        "kind.index": "指数", "kind.etf": "ETF", "kind.stock": "股票",
        "type.int": "整数", "type.float": "小数", "type.bool": "布尔值", "type.str": "文本",
        "type.optional": "{type}，可为空",
        "origin.built-in": "内置", "origin.file": "文件", "origin.module": "模块",
        "s.no_zh": "[该策略没有声明中文说明（title_zh、summary_zh、notes_zh、help_zh），以下为"
                   "英文原文]",
        "t.no_zh": "该策略没有声明中文说明（notes_zh），以下为策略的英文原文。",
        "t.wrote": "已写入 {out}/：tearsheet.html、manifest.json、{files}",
        "t.weights_caption": "各行为按时间加权平均仓位（全程每日仓位的平均）排序、持有最多的 "
                             "{shown} {unit}（曾持有的共 {held} {unit}）；颜色为每周平均仓位。",
        "t.other_caption": "{other}：另外 {n} {unit}，合计平均仓位 {mean}（灰色一行，单独刻度，"
                           "最深为 {max}）。",
        "t.unit.industry": "个行业", "t.unit.asset": "个标的",
    },
}


def _from_locale() -> str | None:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else None
    return None


def resolve_lang(lang: str | None = None) -> str:
    """The language to print: ``lang``, else ``QUANTLIB_LANG``, else the locale, else ``en``.

    Raises
    ------
    LangError
        ``lang`` or ``QUANTLIB_LANG`` is not one of :data:`LANGS`.
    """
    if lang is None:
        env = os.environ.get("QUANTLIB_LANG")
        if env:
            if env not in LANGS:
                raise LangError(f"QUANTLIB_LANG={env!r} is not a language quantlib prints; "
                                f"set it to one of {', '.join(LANGS)} or unset it.")
            return env
        return _from_locale() or "en"
    if lang not in LANGS:
        raise LangError(f"unknown language {lang!r}; pass --lang {' or --lang '.join(LANGS)}.")
    return lang


def resolve_colors(colors: str | None, lang: str) -> str:
    """``colors`` if given (``cn`` or ``intl``), else ``cn`` for Chinese and ``intl`` else."""
    if colors is None:
        return "cn" if lang == "zh" else "intl"
    if colors not in COLORS:
        raise LangError(f"unknown colour convention {colors!r}; pass --colors cn (red up, "
                        "green down) or --colors intl (green up, red down).")
    return colors


def tr(lang: str, key: str, **fields: Any) -> str:
    """The message ``key`` in ``lang``, its ``{fields}`` filled in (a field that is a
    :class:`Message` or a date is written in ``lang`` too)."""
    return _format(lang, key, fields) if fields else MESSAGES[lang][key]


class Message(str):
    """A sentence a model, a dataset check or a strategy writes, kept translatable: the string
    itself is the English text (so it prints, compares and serialises as before), and
    :meth:`render` gives it in any language from the catalogue.

    ``Message(key, **fields)`` formats catalogue entry ``key``; a field that is a date is
    written the language's way (:func:`fmt_date`), a field that is a ``Message`` is rendered in
    the same language, a list of them is joined. ``Message.join(parts)`` is several sentences
    in a row (a space between them in English, none in Chinese).
    """

    key: str
    fields: dict[str, Any]
    parts: tuple[Any, ...]

    def __new__(cls, key: str, **fields: Any) -> Message:
        obj = super().__new__(cls, _format("en", key, fields))
        obj.key, obj.fields, obj.parts = key, fields, ()
        return obj

    @classmethod
    def join(cls, parts: Any) -> Message:
        """The sentences ``parts`` (messages or plain text) in a row; empty ones dropped."""
        kept = tuple(p for p in parts if p)
        obj = str.__new__(cls, " ".join(map(str, kept)))
        obj.key, obj.fields, obj.parts = "", {}, kept
        return obj

    def render(self, lang: str) -> str:
        """The text in ``lang``."""
        if self.parts:
            return ("" if lang == "zh" else " ").join(text(lang, p) for p in self.parts)
        return _format(lang, self.key, self.fields)

    def __reduce__(self) -> tuple[Any, ...]:  # pickles (sweep workers) keep the key
        return (_rebuild, (self.key, self.fields, self.parts))


def _rebuild(key: str, fields: dict[str, Any], parts: tuple[Any, ...]) -> Message:
    return Message.join(parts) if parts else Message(key, **fields)


def _field(lang: str, value: Any) -> Any:
    import datetime

    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, datetime.date):
        return fmt_date(lang, value)
    if isinstance(value, list | tuple):
        return MESSAGES[lang]["p.list"].join(text(lang, v) for v in value)
    return value


def _format(lang: str, key: str, fields: dict[str, Any]) -> str:
    return MESSAGES[lang][key].format(**{k: _field(lang, v) for k, v in fields.items()})


def text(lang: str, value: Any) -> str:
    """``value`` in ``lang``: a :class:`Message` rendered, anything else as ``str``."""
    return value.render(lang) if isinstance(value, Message) else str(value)


def localize(obj: Any, lang: str) -> Any:
    """``obj`` (dicts, lists, tuples) with every :class:`Message` rendered in ``lang`` as a
    plain string: what a JSON output or a page receives."""
    if isinstance(obj, Message):
        return obj.render(lang)
    if isinstance(obj, dict):
        return {k: localize(v, lang) for k, v in obj.items()}
    if isinstance(obj, list):
        return [localize(v, lang) for v in obj]
    if isinstance(obj, tuple):
        return tuple(localize(v, lang) for v in obj)
    return obj


def label(lang: str, prefix: str, value: Any) -> str:
    """``tr(lang, prefix + "." + value)`` when the catalogue has it, else ``str(value)``
    (codes the catalogue does not name, e.g. a user strategy's sleeve)."""
    key = f"{prefix}.{value}"
    return MESSAGES[lang].get(key, str(value))


def fmt_date(lang: str, day: Any) -> str:
    """``2026-08-21`` in English, ``2026年8月21日`` in Chinese (``None`` -> ``-``)."""
    if day is None:
        return "-"
    text = str(day)[:10]
    if lang != "zh" or len(text) != 10 or text[4] != "-":
        return text
    y, m, d = text.split("-")
    return f"{y}年{int(m)}月{int(d)}日"


def fmt_pct(value: Any, digits: int = 2, sign: bool = True) -> str:
    """A fraction as a percentage (``0.0123`` -> ``+1.23%``); blank for None/NaN. The same in
    both languages: Chinese writes percentages with the % sign too."""
    if value is None or value != value:
        return ""
    return f"{100 * float(value):{'+' if sign else ''}.{digits}f}%"


def fmt_amount_cny(lang: str, value: float) -> str:
    """An amount in CNY: ``1.82 tn CNY`` / ``18,183亿元`` (Chinese counts in 亿, 1e8)."""
    if lang == "zh":
        return f"{value / 1e8:,.0f}亿元"
    return f"{value / 1e8:,.0f} yi CNY"


def display_width(text: str) -> int:
    """Terminal columns of ``text``: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else
               0 if unicodedata.combining(ch) else 1 for ch in str(text))


def pad(text: Any, width: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``width`` display columns (``<`` left, ``>`` right)."""
    text = str(text)
    fill = " " * max(0, width - display_width(text))
    return text + fill if align == "<" else fill + text


def text_table(header: list[str], rows: list[list[Any]], align: str | None = None,
               indent: str = "  ") -> list[str]:
    """Rows aligned by display width (Chinese names count two columns a character).
    ``align`` holds one ``<`` or ``>`` per column (default: left)."""
    cells = [[str(c) for c in header], *[[str(c) for c in r] for r in rows]]
    widths = [max(display_width(r[i]) for r in cells) for i in range(len(header))]
    align = align or "<" * len(header)
    return [indent + "  ".join(pad(c, w, a) for c, w, a in zip(r, widths, align, strict=True))
            .rstrip() for r in cells]


def lang_option(fn: Any) -> Any:
    """``--lang zh|en`` (default: QUANTLIB_LANG, then the locale, else en)."""
    return click.option("--lang", "lang", type=click.Choice(LANGS), default=None,
                        help="Language of the output: zh or en (default: QUANTLIB_LANG, then "
                        "the locale, else en).")(fn)


def colors_option(fn: Any) -> Any:
    """``--colors cn|intl`` (default: cn with --lang zh, else intl)."""
    return click.option("--colors", "colors", type=click.Choice(COLORS), default=None,
                        help="Up/down colours: cn = red up, green down (红涨绿跌); intl = green "
                        "up, red down (default: cn in Chinese, else intl).")(fn)
