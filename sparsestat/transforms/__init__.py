"""Fast Walsh-Hadamard transforms: the dense FWHT and SPRIGHT, the noise-robust sparse WHT."""

from sparsestat.transforms._dense import WalshHadamardTransformer, fwht, ifwht, walsh_permutation
from sparsestat.transforms._spright import SparseWHT, spright

__all__ = ["SparseWHT", "WalshHadamardTransformer", "fwht", "ifwht", "spright", "walsh_permutation"]
