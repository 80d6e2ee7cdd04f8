"""Annualisation constants: the only place they are defined.

``TRADING_DAYS_PER_YEAR = 242``: the Shanghai Stock Exchange traded on 242.3 days a year on
average over 2000-2025 (min 237, max 246; counted from the bundled SSE Composite calendar,
``scripts/build_data_cache.py`` prints it). Many sell-side reports annualise with 250 or 252;
strategies that reproduce a report may pass the report's value explicitly.
"""

TRADING_DAYS_PER_YEAR = 242
WEEKS_PER_YEAR = 52
MONTHS_PER_YEAR = 12

#: Default annual risk-free rate for Sharpe/Sortino: 1.5%, roughly the 1-year China government
#: bond yield / 1-year deposit-linked money-market yield in 2024-2025. Pass your own where it
#: matters.
DEFAULT_RISK_FREE_RATE = 0.015

__all__ = ["DEFAULT_RISK_FREE_RATE", "MONTHS_PER_YEAR", "TRADING_DAYS_PER_YEAR", "WEEKS_PER_YEAR"]
