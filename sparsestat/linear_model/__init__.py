"""Sparse linear models: the Lasso engine (any penalty), paths and cross-validation."""

from sparsestat.linear_model._coordinate_descent import (
    ElasticNet,
    Lasso,
    SparseRegression,
    enet_path,
    lasso_path,
    sparse_path,
)
from sparsestat.linear_model._cv import ElasticNetCV, LassoCV, SparseRegressionCV

__all__ = [
    "ElasticNet",
    "ElasticNetCV",
    "Lasso",
    "LassoCV",
    "SparseRegression",
    "SparseRegressionCV",
    "enet_path",
    "lasso_path",
    "sparse_path",
]
