"""Non-negative and semi-non-negative matrix factorisations (and, later, sparse coding)."""

from sparsestat.decomposition._nbmf import NBMF, solve_qubo
from sparsestat.decomposition._nmf import NMF, non_negative_factorization
from sparsestat.decomposition._nmf_unmixing import (
    CorrentropyNMF,
    StructuredSparseNMF,
    abundance_rmse,
    spectral_angle_distance,
    vca,
)
from sparsestat.decomposition._seminmf import SemiNMF

__all__ = [
    "CorrentropyNMF",
    "NBMF",
    "NMF",
    "SemiNMF",
    "StructuredSparseNMF",
    "abundance_rmse",
    "non_negative_factorization",
    "solve_qubo",
    "spectral_angle_distance",
    "vca",
]
