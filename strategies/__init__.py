"""Registered strategies: one module per report-derived strategy (NAME, UNIVERSE, Params,
target_weights). The registry is explicit so that grep finds every strategy."""

from __future__ import annotations

from types import ModuleType

from strategies import industry_rotation, ma_distance_timing, valuation_position

STRATEGIES: dict[str, ModuleType] = {
    m.NAME: m for m in (ma_distance_timing, valuation_position, industry_rotation)
}

__all__ = ["STRATEGIES"]
