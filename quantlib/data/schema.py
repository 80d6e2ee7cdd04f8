"""The one schema every cached dataset follows, and the checks that enforce it.

Storage (``data_cache/<name>.parquet``):

* ``kind="series"``: one row per date. Columns ``date`` (datetime64[ns], trading days, sorted,
  unique) followed by the dataset's fields.
* ``kind="panel"``: long format, one row per (code, date). Columns ``code`` (str), ``date``,
  then the fields; sorted by (code, date), unique per pair.

In memory (what :func:`quantlib.data.load` returns):

* series: a DataFrame indexed by a ``DatetimeIndex`` named ``date``; columns are the fields.
* panel: a DataFrame indexed by ``date`` with two-level columns ``(field, code)``, so that
  ``load("sw_l1")["close"]`` is a dates x codes frame of closes (NaN where a code has no row).

Column names are English snake_case with their unit in the name where it is not index points
(``amount_cny``, ``volume_shares``, ``guarantee_ratio_pct``). Missing data policy: a field
marked ``nullable`` may hold NaN (documented per dataset, e.g. no volume in the proxy period);
every other field must be complete. Nothing is filled or dropped silently here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from quantlib.errors import DataValidationError

__all__ = ["DATASETS", "Column", "DatasetSpec", "check_date_column", "check_types",
           "validate_fetched", "validate_stored"]


@dataclass(frozen=True)
class Column:
    """One field of a dataset: name, dtype (``float64``, ``bool`` or ``str``) and unit."""

    name: str
    dtype: str = "float64"
    unit: str = "index points"
    nullable: bool = False
    description: str = ""


@dataclass(frozen=True)
class DatasetSpec:
    """What a dataset holds. ``columns`` excludes ``date`` (and ``code`` for panels)."""

    name: str
    kind: str  # "series" | "panel"
    frequency: str  # "daily" | "monthly"
    columns: tuple[Column, ...]
    description: str
    proxy_note: str = ""
    refreshable: bool = False
    #: False: refresh-only, never in the bundled snapshot (``quantlib data refresh NAME``
    #: creates it in a user cache directory).
    bundled: bool = True
    tags: tuple[str, ...] = field(default_factory=tuple)
    #: What the price columns are, for the backtest engine: "index", "etf", "stock", or None
    #: (not tradable prices: valuations, margin, calendar). ``data.load`` puts it in
    #: ``frame.attrs["quantlib"]["asset_kind"]``.
    asset_kind: str | None = None
    #: "raw" (exchange prices) or "forward_adjusted" (前复权: no exchange ticks, see
    #: quantlib.backtest.rules on limits).
    price_basis: str = "raw"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def key_columns(self) -> list[str]:
        return ["code", "date"] if self.kind == "panel" else ["date"]


def _ohlc(nullable: bool = False) -> tuple[Column, ...]:
    return tuple(Column(n, nullable=nullable) for n in ("open", "high", "low", "close"))


_AMOUNT = Column("amount_cny", unit="CNY", description="turnover (traded value)")
_VOLUME = Column("volume_shares", unit="shares", description="traded volume")

DATASETS: dict[str, DatasetSpec] = {
    s.name: s
    for s in (
        DatasetSpec(
            "wind_all_a", "series", "daily",
            (*_ohlc(), Column("source", dtype="str", unit="-",
                              description="wind_rsrs | wind_euclid | proxy (see manifest)"),
             Column("volume_shares", unit="shares", nullable=True,
                    description="NaN in the proxy period (000985 publishes no volume)"),
             Column("amount_cny", unit="CNY"),
             Column("is_proxy", dtype="bool", unit="-",
                    description="True after 2024-12-12: extended from public indices")),
            "WIND All A (881001.WI) daily price index: real Wind exports 1994-12-30..2024-12-12, "
            "then a proxy: returns a + b x CSI All Share (000985) returns, fitted on real Wind.",
            proxy_note="Rows with is_proxy=True (after 2024-12-12) are not Wind data: they "
            "continue the last real Wind close by the return model in the manifest's "
            "'extension' entry (docs/data.md).",
            refreshable=True,
            asset_kind="index",
        ),
        DatasetSpec(
            "csi_all_share", "series", "daily",
            (*_ohlc(), _AMOUNT, Column("pe_ttm", unit="x", description="CSI rolling PE (TTM)")),
            "CSI All Share index (000985), official csindex data, with its trailing PE.",
            refreshable=True,
            asset_kind="index",
        ),
        DatasetSpec(
            "hs300", "series", "daily",
            (*_ohlc(), Column("volume_shares", unit="shares", nullable=True),
             Column("amount_cny", unit="CNY", nullable=True),
             Column("pe_ttm", unit="x", nullable=True, description="from 2015 only")),
            "CSI 300 (000300) daily: Wind export 2005-2022, csindex 2022-2026.",
            refreshable=True,
            asset_kind="index",
        ),
        DatasetSpec(
            "sse_composite", "series", "daily",
            (*_ohlc(), Column("volume_lots", unit="lots of 100 shares"), _AMOUNT),
            "SSE Composite (000001.SH) daily since 1990-12-19.",
            refreshable=True,
            asset_kind="index",
        ),
        DatasetSpec(
            "all_a_pb", "series", "daily",
            (Column("pb_median", unit="x", description="median P/B of all A shares"),),
            "Median P/B of all A shares (legulegu middlePB, as akshare.stock_a_all_pb).",
            proxy_note="Median PB is an equal-count statistic, a proxy for WIND All A's PB.",
            refreshable=True,
        ),
        DatasetSpec(
            "margin", "series", "daily",
            (Column("fin_balance_cny", unit="CNY", description="融资余额"),
             Column("loan_balance_cny", unit="CNY", description="融券余额"),
             Column("fin_buy_cny", unit="CNY", description="融资买入额"),
             Column("guarantee_ratio_pct", unit="%", nullable=True,
                    description="平均维持担保比例")),
            "A-share margin financing balances (Eastmoney / CSF statistics).",
            refreshable=True,
        ),
        DatasetSpec(
            "csi_theme", "panel", "daily",
            (*_ohlc(nullable=True), Column("amount_cny", unit="CNY", nullable=True),
             Column("pe_ttm", unit="x", nullable=True)),
            "Seven CSI thematic indices (computer, AI, cloud, AI industry, comm equipment, "
            "semiconductors, robots); OHLC missing in early years for some.",
            refreshable=True,
            asset_kind="index",
        ),
        DatasetSpec(
            "sw_l1", "panel", "daily",
            (*_ohlc(nullable=True), Column("volume_shares", unit="shares", nullable=True),
             Column("amount_cny", unit="CNY", nullable=True),
             Column("source", dtype="str", unit="-", description="wind | sws | wind_nymath")),
            "The 31 Shenwan (SW2021) level-1 industry indices, daily from 1999-12-30.",
            refreshable=True,
            asset_kind="index",
        ),
        DatasetSpec(
            "sw_l1_pe_ttm", "panel", "monthly",
            (Column("pe_ttm", unit="x", description="Wind PE TTM (negative earnings excluded)"),),
            "Month-end PE (TTM) of the 31 Shenwan level-1 industries, Wind, 2000-01..2022-08.",
            refreshable=True,
        ),
        DatasetSpec(
            "sw_l1_stock_earnings", "panel", "monthly",
            (Column("earnings_cny", unit="CNY", nullable=True,
                    description="sum over members with PE TTM > 0 of float market cap / PE TTM"),
             Column("n_members", unit="stocks", description="mapped stocks with a bar"),
             Column("n_profitable", unit="stocks", description="members with PE TTM > 0")),
            "Month-end TTM earnings of the SW L1 industries from stock bars (baostock PE TTM x "
            "float market cap of 300 CSI 300 members, SW membership snapshot ~2022), "
            "2020-01..2025-04 (April: to 2025-04-07).",
            proxy_note="Different source from sw_l1_pe_ttm (Wind): 300 large caps only, "
                       "membership snapshot ~2022 applied to every month (look-ahead, "
                       "survivorship); see quantlib.rotation.stock_earnings.",
        ),
        DatasetSpec(
            "citic_l1", "panel", "daily",
            (*_ohlc(nullable=True), Column("volume_shares", unit="shares", nullable=True)),
            "The 30 CITIC level-1 industry indices (Wind): OHLCV 2015-2024, closes to 2025-12-31.",
            asset_kind="index",
        ),
        DatasetSpec(
            "etf", "panel", "daily",
            (*_ohlc(), Column("volume_shares", unit="shares"),
             Column("amount_cny", unit="CNY", nullable=True),
             Column("is_adjusted", dtype="bool", unit="-",
                    description="True: Eastmoney forward-adjusted (qfq) prices")),
            "Daily prices of the ETFs named in the research that public copies exist for.",
            refreshable=True,
            asset_kind="etf", price_basis="forward_adjusted",
        ),
        DatasetSpec(
            "market_pe_lg", "panel", "daily",
            (Column("pe", unit="x", description="平均市盈率 (kcb: 市盈率): total market cap / "
                    "total earnings of the market's listed stocks"),),
            "Average PE of four A-share markets, legulegu via akshare.stock_market_pe_lg: codes "
            "sh (上证), sz (深证), cyb (创业板), kcb (科创版). Refresh-only.",
            refreshable=True, bundled=False,
        ),
        DatasetSpec(
            "market_pb_lg", "panel", "daily",
            (Column("pb", unit="x", description="市净率 (legulegu addPb: total market cap / "
                    "total book value)"),
             Column("pb_equal", unit="x", description="等权市净率 (mean of the stocks' PB)"),
             Column("pb_median", unit="x", description="市净率中位数")),
            "PB of four A-share markets, legulegu via akshare.stock_market_pb_lg: codes sh, sz, "
            "cyb, kcb as market_pe_lg. Refresh-only.",
            refreshable=True, bundled=False,
        ),
        DatasetSpec(
            "stocks", "panel", "daily",
            (*(Column(n, unit="CNY", description="unadjusted (raw) price")
               for n in ("open", "high", "low", "close")),
             Column("preclose", unit="CNY",
                    description="exchange reference price (ex-dividend adjusted on ex-dates)"),
             Column("volume_shares", unit="shares", nullable=True,
                    description="NaN on some suspended rows (as in the source)"),
             Column("amount_cny", unit="CNY", nullable=True,
                    description="NaN on some suspended rows (as in the source)"),
             Column("tradestatus", dtype="bool", unit="-",
                    description="False: suspended (baostock tradestatus=0; OHLC = preclose)"),
             Column("is_st", dtype="bool", unit="-", description="ST / *ST on that date"),
             Column("adj_factor", unit="-",
                    description="backward factor: f_t = f_(t-1) x close_(t-1) / preclose_t, "
                                "1 on each stock's first row")),
            "Unadjusted daily bars of A-share stocks (baostock): the CSI 300 members of ~end "
            "2024, 2020-01-02..2025-04-07, and 304 Shenzhen stocks (all ever-ST, ChiNext, "
            "IPOs, most-suspended) 2019-01-02..2022-02-11.",
            proxy_note="Survivor universe: the CSI 300 set is the membership of ~end 2024 "
                       "applied back to 2020 (stocks that left the index are absent).",
            refreshable=True,
            asset_kind="stock",
        ),
        DatasetSpec(
            "trading_calendar", "series", "daily",
            (Column("source", dtype="str", unit="-",
                    description="dataset whose dates define the day"),),
            "SSE trading days 1990-12-19 .. the latest bundled date (from the data itself).",
        ),
    )
}


def _check_columns(frame: pd.DataFrame, expected: list[str], where: str) -> None:
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"{where}: missing column(s) {missing}; got {list(frame.columns)}. "
            "The frame must carry every field of the dataset schema (quantlib.data.schema)."
        )


def _check_dates(dates: pd.Series | pd.Index, where: str) -> None:
    idx = pd.DatetimeIndex(dates)
    if idx.hasnans:
        raise DataValidationError(f"{where}: {int(idx.isna().sum())} missing date(s).")
    if not idx.is_monotonic_increasing:
        pos = int(np.argmax(np.diff(idx.asi8) < 0)) + 1
        raise DataValidationError(
            f"{where}: dates are not sorted (first out of order: {idx[pos].date()} after "
            f"{idx[pos - 1].date()}). Sort by date before passing the frame."
        )
    dup = idx[idx.duplicated()]
    if len(dup):
        raise DataValidationError(
            f"{where}: {len(dup)} duplicated date(s), first {dup[0].date()}. "
            "Each date must appear once (per code)."
        )


def _check_nulls(frame: pd.DataFrame, spec: DatasetSpec, where: str) -> None:
    for col in spec.columns:
        if col.nullable:
            continue
        nulls = frame[col.name].isna()
        if nulls.any():
            first = frame.loc[nulls.to_numpy(), "date"].iloc[0]
            raise DataValidationError(
                f"{where}: column {col.name!r} has {int(nulls.sum())} NaN value(s), first on "
                f"{pd.Timestamp(first).date()}; the schema does not allow NaN there. Fix the "
                "source rows (quantlib never fills or drops them silently)."
            )


def check_date_column(dates: pd.Series, where: str) -> None:
    """Refuse a ``date`` column of text, with a time zone, or with a time of day.

    Raises
    ------
    DataValidationError
        Names what the column holds and how to convert it.
    """
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        raise DataValidationError(
            f"{where}: column 'date' carries a time zone ({dates.dtype.tz}); store naive dates: "
            "frame['date'] = frame['date'].dt.tz_localize(None).")
    if not pd.api.types.is_datetime64_dtype(dates):
        sample = dates.dropna().iloc[0] if dates.notna().any() else None
        raise DataValidationError(
            f"{where}: column 'date' holds {type(sample).__name__} values such as {sample!r}, "
            "not datetimes; convert with frame['date'] = pd.to_datetime(frame['date']).")
    timed = dates.notna() & (dates != dates.dt.normalize())
    if timed.any():
        raise DataValidationError(
            f"{where}: {int(timed.sum())} date(s) carry a time of day, first "
            f"{dates[timed].iloc[0]}; daily rows are dated at midnight: use .dt.normalize().")


def check_types(frame: pd.DataFrame, spec: DatasetSpec, where: str) -> None:
    """Refuse dates that are not naive datetimes at midnight and numbers held as text.

    Raises
    ------
    DataValidationError
        Names the column, what it holds and how to convert it.
    """
    check_date_column(frame["date"], where)
    for col in spec.columns:
        if col.dtype != "float64":
            continue
        values = frame[col.name]
        if not (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)):
            shown = next((v for v in values if not isinstance(v, int | float | np.number)),
                         values.iloc[0])
            raise DataValidationError(
                f"{where}: column {col.name!r} holds {values.dtype} values such as {shown!r}, "
                "not numbers; convert with pd.to_numeric (quantlib never guesses).")


def validate_stored(frame: pd.DataFrame, spec: DatasetSpec, where: str | None = None) -> None:
    """Check a frame in *storage* layout (``date`` [``code``] columns) against ``spec``.

    Raises
    ------
    DataValidationError
        Missing columns, dates that are text, tz-aware or carry a time of day, numbers held as
        text, unsorted or duplicated dates (per code), NaN in a non-nullable field.
    """
    where = where or f"dataset {spec.name!r}"
    _check_columns(frame, [*spec.key_columns, *spec.column_names], where)
    if len(frame) == 0:
        raise DataValidationError(f"{where}: the frame is empty.")
    check_types(frame, spec, where)
    if spec.kind == "panel":
        for code, dates in frame.groupby("code", sort=False)["date"]:
            _check_dates(dates, f"{where}, code {code}")
    else:
        _check_dates(frame["date"], where)
    _check_nulls(frame, spec, where)


validate_fetched = validate_stored
