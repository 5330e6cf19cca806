"""Seeded synthetic generators for every family, and loaders of offline real data."""

from sparsestat.datasets._factorization import make_hyperspectral, make_ratings
from sparsestat.datasets._real import load_dataset
from sparsestat.datasets._regression import make_sparse_classification, make_sparse_regression

__all__ = [
    "load_dataset",
    "make_hyperspectral",
    "make_ratings",
    "make_sparse_classification",
    "make_sparse_regression",
]
