"""Variance reduction for rare-event evaluation: sparse control variates and importance sampling."""

from sparsestat.variance_reduction._control_variates import SparseControlVariates, sparse_control_variates
from sparsestat.variance_reduction._importance import ImportanceSamplingEstimator, relative_half_width

__all__ = ["ImportanceSamplingEstimator", "SparseControlVariates", "relative_half_width", "sparse_control_variates"]
