"""Sparse linear models: the Lasso engine (any penalty), paths, cross-validation, LDP and preconditioned Lasso."""

from sparsestat.linear_model._coordinate_descent import (
    ElasticNet,
    Lasso,
    SparseRegression,
    enet_path,
    lasso_path,
    sparse_path,
)
from sparsestat.linear_model._cv import ElasticNetCV, LassoCV, SparseRegressionCV
from sparsestat.linear_model._ldp import LDPSparseRegression
from sparsestat.linear_model._preconditioned import PreconditionedLasso

__all__ = [
    "ElasticNet",
    "ElasticNetCV",
    "LDPSparseRegression",
    "Lasso",
    "LassoCV",
    "PreconditionedLasso",
    "SparseRegression",
    "SparseRegressionCV",
    "enet_path",
    "lasso_path",
    "sparse_path",
]
