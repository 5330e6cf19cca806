"""Sparse linear models: the Lasso engine (any penalty), paths and CV, multinomial and simultaneous GLMs,
best subsets (also distributed), LDP sparse regression and the preconditioned Lasso."""

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
from sparsestat.linear_model._ldp import LDPSparseRegression
from sparsestat.linear_model._multinomial import MultinomialLasso, MultinomialLassoCV, multinomial_lasso_path
from sparsestat.linear_model._preconditioned import PreconditionedLasso
from sparsestat.linear_model._simultaneous import SimultaneousGLM, bootstrap_coefs, permutation_test
from sparsestat.linear_model._splicing import splicing

__all__ = [
    "BestSubsetClassifier",
    "BestSubsetRegression",
    "DistributedBestSubset",
    "ElasticNet",
    "ElasticNetCV",
    "LDPSparseRegression",
    "Lasso",
    "LassoCV",
    "MultinomialLasso",
    "MultinomialLassoCV",
    "PreconditionedLasso",
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
