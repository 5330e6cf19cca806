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
from sparsestat.linear_model._multinomial import MultinomialLasso, MultinomialLassoCV, multinomial_lasso_path
from sparsestat.linear_model._simultaneous import SimultaneousGLM, bootstrap_coefs, permutation_test

__all__ = [
    "ElasticNet",
    "ElasticNetCV",
    "Lasso",
    "LassoCV",
    "MultinomialLasso",
    "MultinomialLassoCV",
    "SparseRegression",
    "SimultaneousGLM",
    "SparseRegressionCV",
    "bootstrap_coefs",
    "enet_path",
    "lasso_path",
    "multinomial_lasso_path",
    "permutation_test",
    "sparse_path",
]
