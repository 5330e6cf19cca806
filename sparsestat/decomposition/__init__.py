"""Matrix decompositions: non-negative/binary/semi-NMF, ℓq sparse coding, matching pursuit, dictionary learning."""

from sparsestat.decomposition._dict_learning import (
    LqDictionaryLearning,
    MatchingPursuitDictionaryLearning,
    dictionary_recovery_score,
)
from sparsestat.decomposition._matching_pursuit import MatchingPursuitCoder, matching_pursuit
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
from sparsestat.decomposition._sparse_coding import LqSparseCoder, sparse_encode_lq

__all__ = [
    "CorrentropyNMF",
    "LqDictionaryLearning",
    "LqSparseCoder",
    "MatchingPursuitCoder",
    "MatchingPursuitDictionaryLearning",
    "NBMF",
    "NMF",
    "SemiNMF",
    "StructuredSparseNMF",
    "abundance_rmse",
    "dictionary_recovery_score",
    "matching_pursuit",
    "non_negative_factorization",
    "solve_qubo",
    "sparse_encode_lq",
    "spectral_angle_distance",
    "vca",
]
