"""Sparse Bayesian learning: classic SBL/RVM and Kronecker-structured SBL (AM, SVD, pattern-coupled)."""

from sparsestat.bayes._kron import KroneckerOperator, kron_diag_quadform, kron_matvec, kron_vectors
from sparsestat.bayes._krosbl import KroneckerSBL, kronecker_sbl
from sparsestat.bayes._sbl import SparseBayesianLearning, sparse_bayesian_learning

__all__ = [
    "KroneckerOperator",
    "KroneckerSBL",
    "SparseBayesianLearning",
    "kron_diag_quadform",
    "kron_matvec",
    "kron_vectors",
    "kronecker_sbl",
    "sparse_bayesian_learning",
]
