"""TWO BETA model: which of two beta directions leads, and its strongest industries.

The research names two "beta directions" (usually technology growth; in March 2024 upstream
cyclicals: 周期上游 (有色, 煤炭)) without a formula (OPEN). Our design:

* Sleeves (SW level-1 codes): ``tech_growth`` = electronics 801080, computers 801750,
  telecom 801770, media 801760, defence 801740 (the calibration weeks' 科技: 算力, AI应用,
  消费电子, 军工); ``upstream_cyclical`` = nonferrous metals 801050 and coal 801950 (the
  report's 周期: 有色, 煤炭; :data:`CYCLICAL`). The broader cyclical sleeve of the first
  version (+ oil and petrochemicals 801960, basic chemicals 801030, steel 801040) is
  :data:`CYCLICAL_BROAD`.
* Lead (``rule="ratio_trend"``, default): the timing system applied to relative strength.
  ``spread`` = distance of the MA20 from the MA``ratio_long`` (default 250 days) of the ratio
  of the sleeves' equal-weight indices (cyclical / tech). Hysteresis: the first defined day
  leads by the sign of the spread (tech on 0); then cyclicals take the lead when
  ``spread > margin`` (default 5%) and tech takes it back when ``spread < -margin``. About 0.6
  switches a year 2015-2026 (5 since 2018). Chosen by ``scripts/calibrate_two_beta.py``:
  every ratio_trend rule with a 250-day long MA reproduces all 11 printed directions, at every
  margin 0-8% and with either cyclical sleeve, and it is stable out of sample (docs/rotation.md).
* Other rules, kept by parameter: ``rule="alpha"`` (the first default, with
  ``lookback=60, margin=0.05, sleeve_b=CYCLICAL_BROAD``): beta-adjusted relative strength, an
  industry's residual ``e_t = r_t - beta_{t-1} * m_t`` (yesterday's 250-day beta on the
  market, no in-sample fit) summed over ``lookback`` days, a sleeve's alpha the mean over its
  members, ``spread = alpha(cyclical) - alpha(tech)``; ``rule="raw"``: the same with raw
  returns (no beta adjustment).
* Market: the equal-weight mean of all industries' daily returns (the universe itself), or a
  market close passed explicitly. Beta: rolling OLS slope on the market (with an intercept,
  ``beta_window`` = 250 days), from rolling moments; equal to statsmodels ``RollingOLS``.
* Score: industries of the leading sleeve, by their own ``lookback``-day (60) beta-adjusted
  alpha; the other sleeve and the non-sleeve industries are not eligible (so with cyclicals
  leading at most 2 industries are picked, as the report names 2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from quantlib.errors import MissingExtraError, UnknownNameError
from quantlib.i18n import MESSAGES, Message
from quantlib.rotation._common import IndustryData, ModelScores, RotationParamError

__all__ = ["CYCLICAL", "CYCLICAL_BROAD", "RULES", "TECH", "TwoBetaParams", "lead_names",
           "lead_with_hysteresis", "rolling_beta", "two_beta_scores"]

TECH = ("801080", "801750", "801770", "801760", "801740")
#: The report's 周期 sleeve (有色, 煤炭), the default.
CYCLICAL = ("801050", "801950")
#: The first version's cyclical sleeve (+ 石油石化, 基础化工, 钢铁): ``TwoBetaParams(sleeve_b=)``.
CYCLICAL_BROAD = ("801050", "801950", "801960", "801030", "801040")
RULES = ("alpha", "raw", "ratio_trend")


@dataclass(frozen=True)
class TwoBetaParams:
    """Parameters of the TWO BETA model (see the module docstring for the rule)."""

    sleeve_a: tuple[str, ...] = TECH
    sleeve_b: tuple[str, ...] = CYCLICAL
    name_a: str = "tech_growth"
    name_b: str = "upstream_cyclical"
    beta_window: int = 250
    lookback: int = 60
    margin: float = 0.05
    rule: str = "ratio_trend"
    ratio_long: int = 250

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise UnknownNameError("TWO BETA rule", self.rule, RULES)
        for name in ("beta_window", "lookback", "ratio_long"):
            if int(getattr(self, name)) < 2:
                raise RotationParamError(f"{name} must be >= 2 days, got {getattr(self, name)}.")
        if not self.margin >= 0:
            raise RotationParamError(f"margin must be >= 0, got {self.margin!r}.")
        if set(self.sleeve_a) & set(self.sleeve_b) or not self.sleeve_a or not self.sleeve_b:
            raise RotationParamError("the two sleeves must be non-empty and disjoint.")


def rolling_beta(returns: pd.DataFrame, market: pd.Series, window: int,
                 *, method: str = "moments") -> pd.DataFrame:
    """Rolling OLS slope of each column on ``market`` (with intercept), ``window`` days.

    ``beta_t = cov(r, m) / var(m)`` over days t-window+1..t; NaN until the window holds
    ``window`` complete observations, and wherever the window has a missing value.

    ``method="moments"`` (default) computes it from rolling means of ``r``, ``m``, ``r*m`` and
    ``m*m`` in one vectorised pass; ``method="statsmodels"`` fits statsmodels ``RollingOLS``
    per column (about 100x slower). They agree to ~1e-13 on gap-free data; around a gap
    ``RollingOLS(missing="skip")`` stretches the window over the missing days while the
    default leaves the beta NaN until the window is complete again (``tests/test_rotation.py``).
    """
    if method == "statsmodels":
        return _rolling_beta_statsmodels(returns, market, window)
    if method != "moments":
        raise UnknownNameError("rolling beta method", method, ("moments", "statsmodels"))
    r = returns.astype("float64")
    m = pd.DataFrame(np.repeat(market.to_numpy(dtype="float64")[:, None], r.shape[1], axis=1),
                     index=r.index, columns=r.columns)
    both = r.notna() & m.notna()
    r, m = r.where(both), m.where(both)
    roll = {"min_periods": window}
    mean_r = r.rolling(window, **roll).mean()
    mean_m = m.rolling(window, **roll).mean()
    cov = (r * m).rolling(window, **roll).mean() - mean_r * mean_m
    var = (m * m).rolling(window, **roll).mean() - mean_m * mean_m
    return cov / var


def _rolling_beta_statsmodels(returns: pd.DataFrame, market: pd.Series,
                              window: int) -> pd.DataFrame:
    try:
        from statsmodels.regression.rolling import RollingOLS
    except ImportError:
        raise MissingExtraError(
            "rolling_beta(method='statsmodels') needs statsmodels, an optional extra: pip "
            "install 'quantlib[stats]'; the default method='moments' gives the same betas "
            "without it.") from None

    out = pd.DataFrame(np.nan, index=returns.index, columns=returns.columns)
    exog = np.column_stack([np.ones(len(market)), market.to_numpy(dtype="float64")])
    for code in returns.columns:
        y = returns[code].to_numpy(dtype="float64")
        ok = ~np.isnan(y) & ~np.isnan(exog[:, 1])
        if ok.sum() < window:
            continue
        first = int(np.argmax(ok))
        fit = RollingOLS(y[first:], exog[first:], window=window, missing="skip").fit(
            params_only=True)
        out.iloc[first:, out.columns.get_loc(code)] = fit.params[:, 1]
    return out


def lead_with_hysteresis(spread: pd.Series, margin: float) -> pd.Series:
    """Leading sleeve per day: 0 = sleeve A, 1 = sleeve B, NaN before the spread exists.

    Starts at ``spread > 0``; switches to B when ``spread > margin``, back to A when
    ``spread < -margin``; NaN spreads keep the previous lead.
    """
    values = spread.to_numpy(dtype="float64")
    lead = np.full(len(values), np.nan)
    state = np.nan
    for i, s in enumerate(values):
        if np.isnan(s):
            lead[i] = state
            continue
        if np.isnan(state):
            state = 1.0 if s > 0 else 0.0
        elif s > margin:
            state = 1.0
        elif s < -margin:
            state = 0.0
        lead[i] = state
    return pd.Series(lead, index=spread.index)


def _market_returns(close: pd.DataFrame, market_close: pd.Series | None) -> pd.Series:
    if market_close is None:
        return close.pct_change(fill_method=None).mean(axis=1, skipna=True)
    return market_close.reindex(close.index).pct_change(fill_method=None)


def _sleeve_index(returns: pd.DataFrame) -> pd.Series:
    mean = returns.mean(axis=1, skipna=True)
    return (1.0 + mean.fillna(0.0)).cumprod().where(returns.notna().any(axis=1).cummax())


def _sleeve_name(name: str) -> Message | str:
    """A sleeve's name for the rule line: the catalogue's (科技成长) when it has one."""
    return Message(f"sleeve.{name}") if f"sleeve.{name}" in MESSAGES["en"] else name


def two_beta_scores(data: IndustryData, params: TwoBetaParams | None = None,
                    market_close: pd.Series | None = None) -> ModelScores:
    """Pick the leading sleeve and rank its industries by beta-adjusted alpha (see module)."""
    p = params or TwoBetaParams()
    members = [*p.sleeve_a, *p.sleeve_b]
    missing = [c for c in members if c not in data.close.columns]
    if missing:
        raise RotationParamError(
            f"TWO BETA needs its sleeve industries in the data; missing {', '.join(missing)}. "
            "Add them to the universe, or pass other sleeves in TwoBetaParams.")
    returns = data.close.pct_change(fill_method=None)
    market = _market_returns(data.close, market_close)
    beta = rolling_beta(returns[members], market, p.beta_window)
    resid = returns[members] - beta.shift(1).mul(market, axis=0)
    alpha = resid.rolling(p.lookback, min_periods=p.lookback).sum()
    a_alpha = alpha[list(p.sleeve_a)].mean(axis=1)
    b_alpha = alpha[list(p.sleeve_b)].mean(axis=1)
    if p.rule == "alpha":
        spread = b_alpha - a_alpha
    elif p.rule == "raw":
        raw = returns[members].rolling(p.lookback, min_periods=p.lookback).sum()
        spread = raw[list(p.sleeve_b)].mean(axis=1) - raw[list(p.sleeve_a)].mean(axis=1)
    else:
        ratio = _sleeve_index(returns[list(p.sleeve_b)]) / _sleeve_index(returns[list(p.sleeve_a)])
        ma_long = ratio.rolling(p.ratio_long, min_periods=p.ratio_long).mean()
        spread = (ratio.rolling(20, min_periods=20).mean() - ma_long) / ma_long
    lead = lead_with_hysteresis(spread, p.margin)
    score = pd.DataFrame(np.nan, index=data.close.index, columns=data.close.columns)
    for flag, sleeve in ((0.0, p.sleeve_a), (1.0, p.sleeve_b)):
        rows = (lead == flag).to_numpy()
        score.loc[rows, list(sleeve)] = alpha.loc[rows, list(sleeve)].to_numpy()
    sleeves = pd.DataFrame({f"alpha_{p.name_a}": a_alpha, f"alpha_{p.name_b}": b_alpha,
                            "spread": spread, "lead_is_b": lead})
    covered = lead.notna()
    note = Message("rule.two_beta", name_a=_sleeve_name(p.name_a), sleeve_a=",".join(p.sleeve_a),
                   name_b=_sleeve_name(p.name_b), sleeve_b=",".join(p.sleeve_b), rule=p.rule,
                   ratio=(Message("rule.two_beta_ratio", long=p.ratio_long)
                          if p.rule == "ratio_trend" else ""),
                   beta_window=p.beta_window, lookback=p.lookback, margin=p.margin)
    return ModelScores("two_beta", score, covered,
                       fields={"beta": beta, "alpha": alpha, "sleeves": sleeves}, note=note)


def lead_names(scores: ModelScores, params: TwoBetaParams | None = None) -> pd.Series:
    """The leading sleeve's name per day (``None`` before it is defined)."""
    p = params or TwoBetaParams()
    flag = scores.fields["sleeves"]["lead_is_b"]
    return flag.map({0.0: p.name_a, 1.0: p.name_b}).astype("object")
