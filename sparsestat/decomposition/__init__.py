"""Non-negative and semi-non-negative matrix factorisations (and, later, sparse coding)."""

from sparsestat.decomposition._nmf import NMF, non_negative_factorization

__all__ = [
    "NMF",
    "non_negative_factorization",
]
