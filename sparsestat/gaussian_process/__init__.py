"""Gaussian processes with spectral kernels, sparse multiple-kernel learning and Kronecker grid inference."""

from sparsestat.gaussian_process import kernels
from sparsestat.gaussian_process._kron import kron_mvprod
from sparsestat.gaussian_process._kronecker import KroneckerGP
from sparsestat.gaussian_process._slim import SLIMKernelLearning
from sparsestat.gaussian_process._sparse_spectral import SparseSpectralGP, sparse_spectral_weights

__all__ = ["KroneckerGP", "SLIMKernelLearning", "SparseSpectralGP", "kernels", "kron_mvprod", "sparse_spectral_weights"]
