"""Gaussian processes with spectral kernels, sparse multiple-kernel learning and Kronecker grid inference."""
