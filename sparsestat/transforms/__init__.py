"""Fast Walsh-Hadamard transforms: the dense FWHT and SPRIGHT, the noise-robust sparse WHT."""

from sparsestat.transforms._dense import WalshHadamardTransformer, fwht, ifwht, walsh_permutation

__all__ = ["WalshHadamardTransformer", "fwht", "ifwht", "walsh_permutation"]
