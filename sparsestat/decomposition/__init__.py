"""Matrix decompositions: sparse coding, matching pursuit and dictionary learning."""

from sparsestat.decomposition._dict_learning import (
    LqDictionaryLearning,
    MatchingPursuitDictionaryLearning,
    dictionary_recovery_score,
)
from sparsestat.decomposition._matching_pursuit import MatchingPursuitCoder, matching_pursuit
from sparsestat.decomposition._sparse_coding import LqSparseCoder, sparse_encode_lq

__all__ = [
    "LqDictionaryLearning",
    "LqSparseCoder",
    "MatchingPursuitCoder",
    "MatchingPursuitDictionaryLearning",
    "dictionary_recovery_score",
    "matching_pursuit",
    "sparse_encode_lq",
]
