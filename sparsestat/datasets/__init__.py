"""Seeded synthetic generators for every family, and loaders of offline real data."""

from sparsestat.datasets._bayes import make_kronecker_sparse
from sparsestat.datasets._coding import load_image_patches, make_sparse_coded_signals
from sparsestat.datasets._factorization import make_hyperspectral, make_ratings
from sparsestat.datasets._random_support import make_ill_conditioned_regression
from sparsestat.datasets._rare_event import make_overtaking_tests, make_rare_event_tests
from sparsestat.datasets._real import load_dataset
from sparsestat.datasets._regression import make_sparse_classification, make_sparse_regression
from sparsestat.datasets._spright import make_sparse_boolean_function, make_sparse_wht_signal

__all__ = [
    "load_dataset",
    "load_image_patches",
    "make_hyperspectral",
    "make_ill_conditioned_regression",
    "make_kronecker_sparse",
    "make_overtaking_tests",
    "make_rare_event_tests",
    "make_ratings",
    "make_sparse_boolean_function",
    "make_sparse_classification",
    "make_sparse_coded_signals",
    "make_sparse_regression",
    "make_sparse_wht_signal",
]
