"""Gaussian processes with spectral kernels, sparse multiple-kernel learning and Kronecker grid inference."""

from sparsestat.gaussian_process import kernels
from sparsestat.gaussian_process._kron import kron_mvprod
from sparsestat.gaussian_process._kronecker import KroneckerGP

__all__ = ["KroneckerGP", "kernels", "kron_mvprod"]
