"""Matrix decompositions: sparse coding, matching pursuit and dictionary learning."""

from sparsestat.decomposition._matching_pursuit import MatchingPursuitCoder, matching_pursuit
from sparsestat.decomposition._sparse_coding import LqSparseCoder, sparse_encode_lq

__all__ = [
    "LqSparseCoder",
    "MatchingPursuitCoder",
    "matching_pursuit",
    "sparse_encode_lq",
]
