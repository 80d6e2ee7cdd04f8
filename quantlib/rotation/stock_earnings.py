"""Industry TTM earnings from stock bars: a different source for the earnings model after 2022-08.

The bundled Wind SW PE TTM ends 2022-08, so the earnings trend model (业绩趋势) has no data
after it. The bundled stock bars (baostock, 300 CSI 300 members, 2020-01..2025-04) carry each
stock's PE TTM; with a stock -> SW L1 membership snapshot they give an industry's earnings:

* market cap: **float** market cap ``close * volume / (turn / 100)`` (baostock's ``turn`` is
  volume over float shares, in percent; the float share count is the median over the month's
  trading days with volume, the close is the month's last). Total shares are not in the data.
* earnings: ``sum over members with PE TTM > 0 of market cap / PE TTM`` at each month's last
  trading day (loss-makers excluded, like the Wind series).
* members: the JoinQuant SW2021 L1 snapshot (~2022), applied to every month: **look-ahead**
  (a stock is counted in its ~2022 industry in 2020 and in 2025) and **survivorship** (the
  300 are CSI 300 members at the end of 2024). 29 of the 31 industries have members
  (社会服务 801210 and 综合 801230 none), several only 1-4.

:func:`rank_corr_of_changes` checks the source against the Wind PE-derived earnings on their
overlap: the Spearman rank correlation across industries of the ``months``-month earnings
changes, per month. The source is used by the model only when the mean correlation over
2020-01..2022-08 is at least :data:`MIN_RANK_CORR` (0.6); :func:`earnings_extension` applies
that gate. On the bundled data it is **0.41** (3-month changes; 0.57 for 12-month growth), so
the extension is not used (docs/rotation.md says why).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from quantlib.i18n import Message

__all__ = ["MIN_RANK_CORR", "OVERLAP", "STOCK_SOURCE", "EarningsExtension",
           "earnings_extension", "industry_data", "industry_earnings_from_stocks",
           "rank_corr_of_changes", "stock_earnings"]

#: Gate: mean rank correlation of 3-month earnings changes vs Wind needed to use the source.
MIN_RANK_CORR = 0.6
#: The overlap of the two sources used for the check.
OVERLAP = ("2020-01", "2022-08")
STOCK_SOURCE = Message("ext.source", members=300)


def industry_earnings_from_stocks(bars: pd.DataFrame, membership: Mapping[str, str]
                                  ) -> pd.DataFrame:
    """Monthly industry earnings from daily stock bars (see the module docstring).

    Parameters
    ----------
    bars : DataFrame
        Columns ``stock`` (6-digit code), ``date``, ``close``, ``volume`` (shares), ``turn``
        (percent), ``pe_ttm``, ``tradestatus`` (1 = traded).
    membership : mapping
        6-digit stock code -> industry code; stocks not in it are dropped.

    Returns
    -------
    DataFrame, long: ``code, date`` (the month's last trading day in the bars),
    ``earnings_cny``, ``n_members`` (mapped stocks with a bar that month), ``n_profitable``.
    """
    b = bars.assign(code=bars["stock"].map(dict(membership))).dropna(subset=["code"])
    b = b.sort_values(["stock", "date"], kind="mergesort")
    traded = (b["volume"] > 0) & (b["turn"] > 0) & (b["tradestatus"] == 1)
    b = b.assign(float_shares=np.where(traded, b["volume"] / (b["turn"] / 100.0), np.nan),
                 month=b["date"].dt.to_period("M"))
    per = b.groupby(["stock", "month"], sort=True).agg(
        code=("code", "first"), close=("close", "last"), pe=("pe_ttm", "last"),
        shares=("float_shares", "median"))
    month_end = b.groupby("month")["date"].max()
    ok = (per["pe"] > 0) & per["shares"].notna()
    per["earn"] = np.where(ok, per["shares"] * per["close"] / per["pe"].where(ok), np.nan)
    per["profitable"] = ok
    out = per.reset_index().groupby(["code", "month"], sort=True).agg(
        earnings_cny=("earn", lambda s: s.sum(min_count=1)), n_members=("stock", "size"),
        n_profitable=("profitable", "sum")).reset_index()
    out["date"] = out["month"].map(month_end)
    out = out[["code", "date", "earnings_cny", "n_members", "n_profitable"]]
    return out.astype({"n_members": "float64", "n_profitable": "float64"})


def rank_corr_of_changes(a: pd.DataFrame, b: pd.DataFrame, months: int = 3,
                         min_codes: int = 5) -> pd.Series:
    """Spearman correlation across codes of ``X_t / X_{t-months} - 1``, per month.

    ``a`` and ``b`` are month-end x code frames (any day within the month; matched by
    calendar month). Months with fewer than ``min_codes`` codes defined in both are NaN.
    """
    def change(x: pd.DataFrame) -> pd.DataFrame:
        x = x.set_axis(x.index.to_period("M"))
        full = x.reindex(pd.period_range(x.index.min(), x.index.max(), freq="M"))
        return full / full.shift(months) - 1.0
    ca, cb = change(a), change(b)
    cols = ca.columns.intersection(cb.columns)
    rows = ca.index.intersection(cb.index)
    out = {}
    for m in rows:
        x, y = ca.loc[m, cols], cb.loc[m, cols]
        ok = x.notna() & y.notna() & np.isfinite(x) & np.isfinite(y)
        out[m] = (float(x[ok].rank().corr(y[ok].rank())) if ok.sum() >= min_codes
                  else np.nan)
    return pd.Series(out, dtype="float64")


def stock_earnings(cache_dir: str | Path | None = None) -> pd.DataFrame:
    """The bundled stock-based industry earnings: month-ends x SW L1 codes (CNY, float-cap
    weighted; NaN where an industry has no profitable member). Dataset ``sw_l1_stock_earnings``
    (different source, see the module docstring)."""
    from quantlib.data import load

    return load("sw_l1_stock_earnings", cache_dir=cache_dir)["earnings_cny"]


@dataclass(frozen=True)
class EarningsExtension:
    """The stock-based earnings and its check against Wind.

    Attributes
    ----------
    earnings : DataFrame
        Month-ends x codes, CNY (:func:`stock_earnings`).
    rank_corr : Series
        Per month of the overlap: rank correlation of 3-month changes vs Wind.
    mean_rank_corr : float
        Its mean over :data:`OVERLAP`.
    passed : bool
        ``mean_rank_corr >= MIN_RANK_CORR``: only then is the extension used.
    note : str
        One line for the CLI, the page and the tearsheet.
    """

    earnings: pd.DataFrame
    rank_corr: pd.Series
    mean_rank_corr: float
    passed: bool
    note: str


def earnings_extension(close: pd.DataFrame | None = None, pe_ttm: pd.DataFrame | None = None,
                       months: int = 3, cache_dir: str | Path | None = None) -> EarningsExtension:
    """Load the stock-based earnings and run the gate against the Wind PE-derived earnings.

    ``close`` / ``pe_ttm`` default to the bundled ``sw_l1`` closes and ``sw_l1_pe_ttm``.
    """
    from quantlib.data import load
    from quantlib.rotation.earnings import implied_earnings

    if close is None:
        close = load("sw_l1", cache_dir=cache_dir)["close"]
    if pe_ttm is None:
        pe_ttm = load("sw_l1_pe_ttm", cache_dir=cache_dir)["pe_ttm"]
    stock = stock_earnings(cache_dir)
    wind = implied_earnings(close, pe_ttm)
    lo, hi = (pd.Period(p, "M") for p in OVERLAP)

    def clip(x: pd.DataFrame) -> pd.DataFrame:
        per = x.index.to_period("M")
        return x[(per >= lo) & (per <= hi)]
    corr = rank_corr_of_changes(clip(stock), clip(wind), months).dropna()
    mean = float(corr.mean())
    passed = bool(mean >= MIN_RANK_CORR)
    note = Message("ext.note", span=Message("span", start=stock.index[0].date(),
                                            end=stock.index[-1].date()),
                   source=STOCK_SOURCE, months=months, overlap=f"{OVERLAP[0]}..{OVERLAP[1]}",
                   corr=mean, gate=MIN_RANK_CORR,
                   verdict=Message("ext.used" if passed else "ext.not_used"))
    return EarningsExtension(stock, corr, mean, passed, note)


def industry_data(close: pd.DataFrame | None = None, pe_ttm: pd.DataFrame | None = None, *,
                  extension: str = "auto", cache_dir: str | Path | None = None):
    """The rotation models' inputs, with the stock-based earnings attached when allowed.

    ``extension``: ``"auto"`` attaches it only if it passes the gate (:data:`MIN_RANK_CORR`),
    ``"force"`` always (research use; the model flags the months as a different source),
    ``"off"`` never. Returns an :class:`~quantlib.rotation.IndustryData`; its
    ``earnings_note`` says what was done.
    """
    from quantlib.data import load
    from quantlib.errors import UnknownNameError
    from quantlib.rotation._common import IndustryData

    if extension not in ("auto", "force", "off"):
        raise UnknownNameError("earnings extension mode", extension, ("auto", "force", "off"))
    if close is None:
        close = load("sw_l1", cache_dir=cache_dir)["close"]
    if pe_ttm is None:
        pe_ttm = load("sw_l1_pe_ttm", cache_dir=cache_dir)["pe_ttm"]
    if extension == "off":
        return IndustryData(close, pe_ttm)
    ext = earnings_extension(close, pe_ttm, cache_dir=cache_dir)
    use = ext.passed or extension == "force"
    return IndustryData(close, pe_ttm, earnings_ext=ext.earnings if use else None,
                        earnings_note=(Message.join([ext.note, Message("ext.forced")])
                                       if use and not ext.passed else ext.note))
