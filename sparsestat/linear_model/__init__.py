"""Sparse linear models: Lasso engine (any penalty), paths and cross-validation."""

from sparsestat.linear_model._coordinate_descent import (
    ElasticNet,
    Lasso,
    SparseRegression,
    enet_path,
    lasso_path,
    sparse_path,
)

__all__ = ["ElasticNet", "Lasso", "SparseRegression", "enet_path", "lasso_path", "sparse_path"]
