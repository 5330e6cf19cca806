"""Seeded synthetic generators for every family, and loaders of offline real data."""

from sparsestat.datasets._coding import load_image_patches, make_sparse_coded_signals
from sparsestat.datasets._rare_event import make_overtaking_tests, make_rare_event_tests
from sparsestat.datasets._real import load_dataset
from sparsestat.datasets._regression import make_sparse_classification, make_sparse_regression

__all__ = [
    "load_dataset",
    "load_image_patches",
    "make_overtaking_tests",
    "make_sparse_coded_signals",
    "make_rare_event_tests",
    "make_sparse_classification",
    "make_sparse_regression",
]
