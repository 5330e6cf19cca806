"""Fast Walsh-Hadamard transforms: the dense FWHT and SPRIGHT, the noise-robust sparse WHT."""

from sparsestat.transforms._dense import WalshHadamardTransformer, fwht, ifwht, walsh_permutation
from sparsestat.transforms._spright import spright

__all__ = ["WalshHadamardTransformer", "fwht", "ifwht", "spright", "walsh_permutation"]
