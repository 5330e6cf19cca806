"""Generators of signals with a sparse Walsh-Hadamard spectrum, and sparse pseudo-Boolean functions."""

import math
import numbers

import numpy as np
from sklearn.utils import check_random_state

from sparsestat.utils._validation import check_positive_int

__all__ = ["make_sparse_wht_signal", "make_sparse_boolean_function"]

_COEFS = ("random_phase", "pm1", "uniform")


def _draw_values(rng, K, coef):
    if coef == "random_phase":
        return np.exp(2j * np.pi * rng.random(K))
    if coef == "pm1":
        return rng.choice([-1.0, 1.0], size=K)
    if coef == "uniform":
        return rng.choice([-1.0, 1.0], size=K) * rng.uniform(1.0, 2.0, size=K)
    raise ValueError(f"coef must be one of {_COEFS}, got {coef!r}.")


def _check_snr(snr_db):
    if isinstance(snr_db, bool) or not isinstance(snr_db, numbers.Real) or math.isnan(snr_db):
        raise ValueError(f"snr_db must be a real number (np.inf for no noise), got {snr_db!r}.")


def make_sparse_wht_signal(n_bits, sparsity, *, snr_db=np.inf, coef="random_phase", random_state=None):
    """Signal of length ``2**n_bits`` whose orthonormal Walsh spectrum is ``sparsity``-sparse, plus noise.

    .. math::

        x[m] = \\frac{1}{\\sqrt{N}} \\sum_{k \\in S} X[k] (-1)^{\\langle m, k \\rangle} + w[m],
        \\qquad \\mathrm{SNR} = \\frac{\\|x - w\\|^2}{\\mathbb{E}\\|w\\|^2} = \\frac{\\sum_k |X[k]|^2}{N \\sigma^2},

    with a uniformly random support ``S`` and Gaussian noise ``w`` (complex
    circular when the coefficients are complex) of variance :math:`\\sigma^2`
    per sample, set from ``snr_db``. The SNR is the per-sample (time-domain)
    ratio, so ``x = fwht(X, norm="ortho") + w``.

    Parameters
    ----------
    n_bits : int
        ``n``, the signal has ``N = 2**n`` samples.
    sparsity : int
        Number ``K`` of non-zero coefficients (``K <= N``).
    snr_db : float, default=np.inf
        Signal-to-noise ratio in dB; ``np.inf`` gives a noiseless signal.
    coef : {"random_phase", "pm1", "uniform"}, default="random_phase"
        Coefficients of unit modulus and uniform phase (complex signal), random
        signs, or random signs times U(1, 2).
    random_state : int, RandomState or None, default=None
        Seed.

    Returns
    -------
    x : ndarray of shape (2**n_bits,)
        The noisy signal (complex128 for ``"random_phase"``, else float64).
    support : ndarray of shape (sparsity,), dtype int64
        Sorted support of the spectrum.
    values : ndarray of shape (sparsity,)
        The coefficients ``X[support]``.
    sigma : float
        The noise standard deviation per sample (0 when noiseless).

    Examples
    --------
    >>> from sparsestat.datasets import make_sparse_wht_signal
    >>> x, support, values, sigma = make_sparse_wht_signal(10, 5, coef="pm1", random_state=0)
    >>> x.shape, support.shape, sigma
    ((1024,), (5,), 0.0)
    """
    n_bits = check_positive_int(n_bits, "n_bits")
    if n_bits > 34:
        raise ValueError(f"n_bits={n_bits} is too large for a dense signal; use make_sparse_boolean_function.")
    N = 1 << n_bits
    sparsity = check_positive_int(sparsity, "sparsity")
    if sparsity > N:
        raise ValueError(f"sparsity={sparsity} exceeds N = 2**n_bits = {N}.")
    _check_snr(snr_db)
    rng = check_random_state(random_state)
    if 4 * sparsity >= N:
        support = np.sort(rng.choice(N, size=sparsity, replace=False)).astype(np.int64)
    else:  # rejection sampling: no permutation of all N positions
        chosen = set()
        while len(chosen) < sparsity:
            chosen.update(int(v) for v in rng.randint(0, N, size=sparsity - len(chosen), dtype=np.int64))
        support = np.array(sorted(chosen), dtype=np.int64)
    values = _draw_values(rng, sparsity, coef)
    from sparsestat.transforms import ifwht  # public API, imported lazily (datasets stay below the families)

    X = np.zeros(N, dtype=values.dtype)
    X[support] = values
    x = ifwht(X, norm="ortho", overwrite_x=True)
    sigma = 0.0
    if np.isfinite(snr_db):
        sigma = math.sqrt(float(np.sum(np.abs(values) ** 2)) / N / 10.0 ** (snr_db / 10.0))
        if x.dtype.kind == "c":
            x += (sigma / math.sqrt(2.0)) * (rng.standard_normal(N) + 1j * rng.standard_normal(N))
        else:
            x += sigma * rng.standard_normal(N)
    return x, support, values, sigma


def _eval_sparse_wht():
    from sparsestat.utils._numba import njit

    global _EVAL
    if _EVAL is None:

        @njit
        def kernel(m, support, values):
            out = np.zeros(m.shape[0], dtype=values.dtype)
            for i in range(m.shape[0]):
                acc = values[0] * 0
                for t in range(support.shape[0]):
                    v = m[i] & support[t]
                    v ^= v >> 32
                    v ^= v >> 16
                    v ^= v >> 8
                    v ^= v >> 4
                    v ^= v >> 2
                    v ^= v >> 1
                    acc += -values[t] if v & 1 else values[t]
                out[i] = acc
            return out

        _EVAL = kernel
    return _EVAL


_EVAL = None


class _SparseBooleanFunction:
    """Picklable oracle ``f(m) = sum_k F[k] (-1)^<m,k> (+ noise)`` evaluated on integer positions."""

    def __init__(self, n_bits, support, values, sigma, seed):
        self.n_bits = n_bits
        self.support = support
        self.values = values
        self.sigma = sigma
        self._rng = np.random.default_rng(seed)

    def __call__(self, positions):
        m = np.asarray(positions, dtype=np.int64)
        if m.size and (m.min() < 0 or m.max() >= (1 << self.n_bits)):
            raise IndexError(f"positions must lie in [0, 2**{self.n_bits}).")
        out = _eval_sparse_wht()(m.ravel(), self.support, self.values).reshape(m.shape)
        if self.sigma > 0:
            out = out + self.sigma * self._rng.standard_normal(m.shape)
        return out


def make_sparse_boolean_function(n_bits, sparsity, *, max_degree=None, noise=0.0, coef="uniform",
                                 random_state=None):
    """Black-box sparse pseudo-Boolean function of ``n_bits`` bits, as an oracle on integer positions.

    .. math::

        f(m) = \\sum_{k \\in S} F[k] (-1)^{\\langle m, k \\rangle} + w(m),
        \\qquad m \\in \\{0, 1\\}^n \\ (\\text{bits of the integer } m),

    with ``|S| = sparsity`` frequencies of Hamming weight (degree) at most
    ``max_degree`` drawn uniformly, and i.i.d. ``N(0, noise^2)`` noise on every
    query. No array of length ``2**n_bits`` is ever built, so ``n_bits`` can be
    large (up to 62). ``F`` are the ``norm="forward"`` coefficients of
    :func:`sparsestat.transforms.spright`.

    Parameters
    ----------
    n_bits : int
        Number of Boolean inputs ``n`` (at most 62).
    sparsity : int
        Number of non-zero Fourier coefficients.
    max_degree : int or None, default=None
        Largest interaction order (Hamming weight of a frequency); None: ``n_bits``.
    noise : float, default=0.0
        Standard deviation of the query noise.
    coef : {"uniform", "pm1"}, default="uniform"
        Coefficients: random signs times U(1, 2), or random signs.
    random_state : int, RandomState or None, default=None
        Seed of the function (and of its noise stream).

    Returns
    -------
    f : callable
        The oracle ``f(positions: int array) -> float64 array``; picklable.
    support : ndarray of shape (sparsity,), dtype int64
        Sorted frequencies.
    values : ndarray of shape (sparsity,)
        Their coefficients ``F``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.datasets import make_sparse_boolean_function
    >>> f, support, values = make_sparse_boolean_function(40, 5, max_degree=2, random_state=0)
    >>> f(np.array([0, 1, 2**39])).shape
    (3,)
    """
    n_bits = check_positive_int(n_bits, "n_bits")
    if n_bits > 62:
        raise ValueError(f"n_bits must be <= 62 (positions are int64), got {n_bits}.")
    sparsity = check_positive_int(sparsity, "sparsity")
    max_degree = n_bits if max_degree is None else check_positive_int(max_degree, "max_degree", minimum=0)
    max_degree = min(max_degree, n_bits)
    n_freq = sum(math.comb(n_bits, d) for d in range(max_degree + 1))
    if sparsity > n_freq:
        raise ValueError(f"sparsity={sparsity} exceeds the {n_freq} frequencies of degree <= {max_degree}.")
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not (noise >= 0 and math.isfinite(noise)):
        raise ValueError(f"noise must be a finite non-negative float, got {noise!r}.")
    if coef not in ("uniform", "pm1"):
        raise ValueError(f"coef must be 'uniform' or 'pm1', got {coef!r}.")
    rng = check_random_state(random_state)
    weights = np.array([math.comb(n_bits, d) for d in range(max_degree + 1)], dtype=float)
    chosen = set()
    while len(chosen) < sparsity:
        d = int(rng.choice(max_degree + 1, p=weights / weights.sum()))
        bits = rng.choice(n_bits, size=d, replace=False)
        chosen.add(int(np.sum(np.left_shift(1, bits.astype(np.int64)))) if d else 0)
    support = np.array(sorted(chosen), dtype=np.int64)
    values = _draw_values(rng, sparsity, coef)
    f = _SparseBooleanFunction(n_bits, support, values, float(noise), int(rng.randint(0, 2**31 - 1)))
    return f, support, values
