"""Sparse linear models: the Lasso engine (any penalty), paths and cross-validation, best subsets."""

from sparsestat.linear_model._best_subset import BestSubsetClassifier, BestSubsetRegression
from sparsestat.linear_model._coordinate_descent import (
    ElasticNet,
    Lasso,
    SparseRegression,
    enet_path,
    lasso_path,
    sparse_path,
)
from sparsestat.linear_model._cv import ElasticNetCV, LassoCV, SparseRegressionCV
from sparsestat.linear_model._distributed import DistributedBestSubset
from sparsestat.linear_model._multinomial import MultinomialLasso, MultinomialLassoCV, multinomial_lasso_path
from sparsestat.linear_model._simultaneous import SimultaneousGLM, bootstrap_coefs, permutation_test
from sparsestat.linear_model._splicing import splicing

__all__ = [
    "BestSubsetClassifier",
    "BestSubsetRegression",
    "DistributedBestSubset",
    "ElasticNet",
    "ElasticNetCV",
    "Lasso",
    "LassoCV",
    "MultinomialLasso",
    "MultinomialLassoCV",
    "SimultaneousGLM",
    "SparseRegression",
    "SparseRegressionCV",
    "bootstrap_coefs",
    "enet_path",
    "lasso_path",
    "multinomial_lasso_path",
    "permutation_test",
    "sparse_path",
    "splicing",
]
