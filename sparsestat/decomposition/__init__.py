"""Matrix decompositions: sparse coding, matching pursuit and dictionary learning."""

from sparsestat.decomposition._sparse_coding import LqSparseCoder, sparse_encode_lq

__all__ = [
    "LqSparseCoder",
    "sparse_encode_lq",
]
