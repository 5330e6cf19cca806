"""Feature selection: variance-inflation-factor screening."""

from sparsestat.feature_selection._vif import VIFSelector, variance_inflation_factors

__all__ = ["VIFSelector", "variance_inflation_factors"]
