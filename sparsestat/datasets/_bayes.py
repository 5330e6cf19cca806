"""Generators of Kronecker-structured sparse recovery problems (KroSBL experiments)."""

import numbers

import numpy as np
from sklearn.utils import check_random_state

from sparsestat.utils._validation import check_positive_int

__all__ = ["make_kronecker_sparse"]


def make_kronecker_sparse(factor_shapes=((8, 15), (12, 15), (15, 15)), n_nonzero=3, *, snr_db=25.0,
                          complex_data=False, block=False, random_state=None):
    """Generate ``y = (A_1 ⊗ ⋯ ⊗ A_I) x + n`` with a Kronecker-supported sparse ``x``.

    Follows the configuration of He & Joseph's KroSBL experiments: Gaussian
    factors :math:`A_i \\sim N(0, 1)^{M_i \\times N_i}`,
    :math:`x = x_1 \\otimes \\cdots \\otimes x_I` with each :math:`x_i` having
    ``n_nonzero`` standard-normal entries, and the noise variance
    :math:`\\sigma^2 = (\\|y_0\\|^2/M) / 10^{\\mathrm{SNR}/10}`.

    Parameters
    ----------
    factor_shapes : sequence of (int, int), default=((8, 15), (12, 15), (15, 15))
        ``(M_i, N_i)`` of each factor.
    n_nonzero : int or sequence of int, default=3
        Non-zeros per factor (so ``x`` has their product non-zeros).
    snr_db : float, default=25.0
        Signal-to-noise ratio in dB (``np.inf`` for noiseless data).
    complex_data : bool, default=False
        Draw circularly-symmetric complex factors, coefficients and noise.
    block : bool, default=False
        Put each factor's non-zeros in one contiguous run (burst / block sparsity).
    random_state : int, RandomState or None, default=None
        Seed.

    Returns
    -------
    factors : list of ndarray of shape (M_i, N_i)
        The factor matrices.
    y : ndarray of shape (prod M_i,)
        Noisy measurements.
    x : ndarray of shape (prod N_i,)
        The true coefficients.
    noise_variance : float
        The noise variance used.

    Examples
    --------
    >>> from sparsestat.datasets import make_kronecker_sparse
    >>> factors, y, x, noise_variance = make_kronecker_sparse(random_state=0)
    >>> [A.shape for A in factors], y.shape, int((x != 0).sum())
    ([(8, 15), (12, 15), (15, 15)], (1440,), 27)
    """
    rng = check_random_state(random_state)
    shapes = [(check_positive_int(m, "factor_shapes M_i"), check_positive_int(n, "factor_shapes N_i"))
              for m, n in factor_shapes]
    if not shapes:
        raise ValueError("factor_shapes must list at least one (M_i, N_i) pair.")
    ks = [n_nonzero] * len(shapes) if isinstance(n_nonzero, numbers.Integral) else list(n_nonzero)
    if len(ks) != len(shapes):
        raise ValueError(f"n_nonzero has {len(ks)} entries but there are {len(shapes)} factors.")
    for (_, n), k in zip(shapes, ks, strict=True):
        check_positive_int(k, "n_nonzero")
        if k > n:
            raise ValueError(f"n_nonzero={k} exceeds the factor's number of columns N_i={n}.")
    if isinstance(snr_db, bool) or not isinstance(snr_db, numbers.Real) or np.isnan(snr_db):
        raise ValueError(f"snr_db must be a real number (np.inf for noiseless data), got {snr_db!r}.")

    def draw(*shape):
        if complex_data:
            return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)
        return rng.standard_normal(shape)

    factors, xs = [], []
    for (m, n), k in zip(shapes, ks, strict=True):
        factors.append(draw(m, n))
        xi = np.zeros(n, dtype=np.complex128 if complex_data else np.float64)
        if block:
            start = rng.randint(0, n - k + 1)
            supp = np.arange(start, start + k)
        else:
            supp = np.sort(rng.choice(n, k, replace=False))
        xi[supp] = draw(k)
        xs.append(xi)
    x = xs[0]
    for xi in xs[1:]:
        x = np.kron(x, xi)
    T = x.reshape([n for _, n in shapes])
    for A in factors:  # mode products: contract the leading axis, append the new one
        T = np.tensordot(T, A, axes=([0], [1]))
    y0 = T.reshape(-1)
    if np.isfinite(snr_db):
        noise_variance = float(np.sum(np.abs(y0) ** 2) / y0.size / 10 ** (snr_db / 10))
        y = y0 + np.sqrt(noise_variance) * draw(y0.size)
    else:
        noise_variance = 0.0
        y = y0
    return factors, y, x, noise_variance
