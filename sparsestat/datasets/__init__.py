"""Seeded synthetic generators for every family, and loaders of offline real data."""

from sparsestat.datasets._rare_event import make_overtaking_tests, make_rare_event_tests
from sparsestat.datasets._real import load_dataset
from sparsestat.datasets._regression import make_sparse_classification, make_sparse_regression
from sparsestat.datasets._spright import make_sparse_boolean_function, make_sparse_wht_signal

__all__ = [
    "load_dataset",
    "make_overtaking_tests",
    "make_rare_event_tests",
    "make_sparse_boolean_function",
    "make_sparse_classification",
    "make_sparse_regression",
    "make_sparse_wht_signal",
]
