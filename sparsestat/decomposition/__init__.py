"""Non-negative and semi-non-negative matrix factorisations (and, later, sparse coding)."""

from sparsestat.decomposition._nbmf import NBMF, solve_qubo
from sparsestat.decomposition._nmf import NMF, non_negative_factorization

__all__ = [
    "NBMF",
    "NMF",
    "non_negative_factorization",
    "solve_qubo",
]
