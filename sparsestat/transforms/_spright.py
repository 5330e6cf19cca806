"""SPRIGHT: sparse Walsh-Hadamard transform from a few (noisy) samples, functional form and estimator."""

import math
import numbers
import warnings

import numpy as np

__all__ = ["spright", "SparseWHT"]

_DESIGNS = ("identity", "chains", "random_ml")
_HASHINGS = ("random", "bits")
_NORMS = ("ortho", "forward", "backward")


# --------------------------------------------------------------------------------------------------
# GF(2) helpers (Python integers as bit vectors; n <= 62)


def _gf2_rank(vectors):
    basis = []
    for v in vectors:
        for bv in basis:
            v = min(v, v ^ bv)
        if v:
            basis.append(v)
    return len(basis)


def _gf2_preimages_and_null(cols, n_bits):
    """For the hash ``j_i = parity(cols[i] & k)``: ``pre[i]`` with hash ``e_i`` and a null-space basis."""
    b = len(cols)
    rows = [[int(c), 1 << i] for i, c in enumerate(cols)]  # [row of A, row of T]
    pivots = []
    r = 0
    for col in range(n_bits):
        sel = next((t for t in range(r, b) if (rows[t][0] >> col) & 1), None)
        if sel is None:
            continue
        rows[r], rows[sel] = rows[sel], rows[r]
        for t in range(b):
            if t != r and (rows[t][0] >> col) & 1:
                rows[t][0] ^= rows[r][0]
                rows[t][1] ^= rows[r][1]
        pivots.append(col)
        r += 1
    if r != b:
        raise ValueError("stage hashing matrix is rank deficient")  # pragma: no cover - drawn full rank
    pre = []
    for i in range(b):
        z = 0
        for t in range(b):
            if (rows[t][1] >> i) & 1:
                z |= 1 << pivots[t]
        pre.append(z)
    null = []
    pivset = set(pivots)
    for f in range(n_bits):
        if f in pivset:
            continue
        v = 1 << f
        for t in range(b):
            if (rows[t][0] >> f) & 1:
                v |= 1 << pivots[t]
        null.append(v)
    return pre, null


# --------------------------------------------------------------------------------------------------
# design


def _check_int(value, name, minimum, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer{' or None' if allow_none else ''}, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}.")
    return int(value)


def _stage_bits(n_bits, sparsity, n_stages):
    if sparsity is None:
        return max(1, n_bits // n_stages)
    return min(n_bits, max(1, math.ceil(math.log2(sparsity)) + 1))


def _draw_cols(rng, n_bits, b, n_stages, hashing):
    N = 1 << n_bits
    cols = np.empty((n_stages, b), dtype=np.int64)
    if hashing == "bits":
        if n_stages * b <= n_bits:
            perm = rng.permutation(n_bits)
            for c in range(n_stages):
                cols[c] = 1 << np.sort(perm[c * b : (c + 1) * b]).astype(np.int64)
        else:
            for c in range(n_stages):
                cols[c] = 1 << np.sort(rng.choice(n_bits, b, replace=False)).astype(np.int64)
        return cols
    for c in range(n_stages):
        while True:
            v = [int(t) for t in rng.randint(1, N, size=b, dtype=np.int64)]
            if _gf2_rank(v) == b:
                break
        cols[c] = v
    return cols


def _draw_delays(rng, n_bits, design, n_chains, n_delays):
    N = 1 << n_bits
    unit = 1 << np.arange(n_bits, dtype=np.int64)
    if design == "random_ml":
        return rng.randint(0, N, size=n_delays, dtype=np.int64)
    bases = np.zeros(1, dtype=np.int64) if design == "identity" else rng.randint(0, N, size=n_chains, dtype=np.int64)
    return np.concatenate([np.concatenate(([r], r ^ unit)) for r in bases]).astype(np.int64)


def _default_factor(P):
    return 4.0 if P < 10 else 3.0 if P < 20 else 2.0 if P < 50 else 1.5


def _estimate_noise(energy):
    """Per-entry noise variance: mean bin energy below the first jump by 10 in each stage's sorted energies."""
    est = []
    top = float(energy.max()) if energy.size else 0.0
    tiny = 1e-30 * top
    for e in energy:
        e = np.sort(e)
        jumps = np.nonzero(e[1:] > 10.0 * e[:-1] + tiny)[0]
        stop = jumps[0] + 1 if jumps.size else max(1, e.size // 2)
        est.append(float(e[:stop].mean()))
    return float(np.mean(est))


# --------------------------------------------------------------------------------------------------
# the functional form


def _validate_signal(signal, n_bits):
    if callable(signal):
        if n_bits is None:
            raise ValueError("n_bits is required when the signal is a callable oracle f(positions) -> values.")
        return None, _check_int(n_bits, "n_bits", 1)
    if not hasattr(signal, "shape"):
        signal = np.asarray(signal)
    from sparsestat.utils._array_api import to_numpy

    x = np.asarray(to_numpy(signal))
    if x.ndim != 1:
        raise ValueError(f"signal must be 1-D (length 2**n_bits) or a callable oracle, got shape {x.shape}.")
    N = x.shape[0]
    if N < 2 or N & (N - 1):
        raise ValueError(f"The length of signal must be a power of two >= 2, got {N}; zero-pad it or pass a "
                         "callable oracle with n_bits.")
    if x.dtype.kind not in "fciub":
        raise TypeError(f"signal must be numeric, got dtype {x.dtype}.")
    if x.dtype.kind != "c":
        x = x.astype(np.float64, copy=False)
    else:
        x = x.astype(np.complex128, copy=False)
    nb = N.bit_length() - 1
    if n_bits is not None and _check_int(n_bits, "n_bits", 1) != nb:
        raise ValueError(f"n_bits={n_bits} is inconsistent with the signal length {N} = 2**{nb}.")
    return np.ascontiguousarray(x), nb


def _query(signal, oracle, positions, n_bits):
    flat = positions.ravel()
    if oracle is None:
        from sparsestat.transforms._spright_kernels import count_unique, gather

        n_used = int(count_unique(flat))
        vals = gather(signal, flat)
        if not np.all(np.isfinite(vals)):
            raise ValueError("signal contains NaN or infinity at sampled positions.")
        return vals, n_used
    uniq, inv = np.unique(flat, return_inverse=True)
    try:
        vals = oracle(uniq)
    except IndexError as exc:
        raise ValueError(f"the oracle failed on positions < 2**n_bits = {1 << n_bits} ({exc}); "
                         "is n_bits consistent with the oracle's domain?") from exc
    vals = np.asarray(vals)
    if vals.shape != uniq.shape:
        raise ValueError(f"the oracle returned shape {vals.shape} for {uniq.size} positions; it must return one "
                         "value per queried position (f(positions: int64 array) -> array of the same length).")
    if vals.dtype.kind not in "fciub":
        raise TypeError(f"the oracle must return numbers, got dtype {vals.dtype}.")
    vals = vals.astype(np.complex128 if vals.dtype.kind == "c" else np.float64, copy=False)
    if not np.all(np.isfinite(vals)):
        raise ValueError("the oracle returned NaN or infinity.")
    return vals[inv], int(uniq.size)


def _dense_path(signal, oracle, n_bits, sparsity, noise, threshold_factor):
    from sparsestat.transforms._dense import fwht

    N = 1 << n_bits
    positions = np.arange(N, dtype=np.int64)
    x, n_used = _query(signal, oracle, positions, n_bits) if oracle is not None else (signal, N)
    X = fwht(x, norm="ortho")
    power = np.abs(X) ** 2
    if noise == "auto":
        srt = np.sort(power)
        jumps = np.nonzero(srt[1:] > 10.0 * srt[:-1] + 1e-30 * srt[-1])[0]
        nu = float(srt[: jumps[0] + 1].mean()) if jumps.size else float(np.median(srt))
    else:
        nu = float(noise) ** 2
    f = 4.0 if threshold_factor is None else float(threshold_factor)
    thresh = max(f * nu * (1.0 + 2.0 * math.log(N)), 1e-12 * float(power.max(initial=0.0)))
    keep = np.nonzero(power > thresh)[0]
    if sparsity is not None and keep.size > sparsity:
        keep = np.sort(keep[np.argsort(power[keep])[::-1][:sparsity]])
    info = {"n_samples_used": n_used, "n_peel_iter": 0, "noise_level": math.sqrt(nu), "converged": True,
            "bin_counts": np.zeros((0, 3), dtype=np.int64), "dense_fallback": True}
    return keep.astype(np.int64), X[keep], info


def spright(signal, n_bits=None, *, sparsity=None, n_stages=3, hashing="random", delays="chains", n_chains=None,
            n_delays=None, noise="auto", threshold_factor=None, min_energy=None, max_peel_iter=None, norm="ortho",
            random_state=None):
    """Sparse Walsh-Hadamard transform by SPRIGHT (aliasing, bin classification and peeling).

    Model (``N = 2**n_bits``, :math:`\\langle m,k \\rangle` the parity of ``m & k``):

    .. math::

        x[m] = \\frac{1}{\\sqrt{N}} \\sum_{k} X[k] (-1)^{\\langle m, k \\rangle} + w[m],
        \\qquad \\|X\\|_0 = K \\ll N .

    Each of ``n_stages`` stages samples ``x[M_c l XOR d_p]`` for ``l`` in
    :math:`\\mathbb{F}_2^b` and every delay ``d_p``; a ``B = 2**b``-point FWHT of
    each subsampled vector aliases the spectrum into ``B`` bins. Bins are
    classified as zero-, single- or multi-tons from their energy and the residual
    of the best single-frequency fit; single-tons are decoded (the frequency from
    the delays' signs, the value by least squares) and peeled from every stage
    until no single-ton remains. Samples: ``n_stages * B * P`` (counted once per
    unique position). Time: ``O(n_stages * P * B log B)`` plus ``O(P)`` per peeled
    frequency for the chain designs.

    Parameters
    ----------
    signal : array-like of shape (2**n_bits,) or callable
        The signal, or an oracle ``f(positions) -> values`` called once with an
        int64 array of the (unique) positions it must return values for. Only
        the oracle form is sub-linear in ``N``.
    n_bits : int or None, default=None
        ``n`` with ``N = 2**n``; required for an oracle, checked against an array.
    sparsity : int or None, default=None
        Expected number of non-zero coefficients ``K``, used to size the bins:
        ``b = ceil(log2 K) + 1``. None: ``b = n_bits // n_stages``.
    n_stages : int, default=3
        Number of subsampling stages ``C``.
    hashing : {"random", "bits"}, default="random"
        Subsampling matrices ``M_c``: random full-rank ``n x b`` matrices over
        GF(2) (every pair of distinct frequencies collides with probability
        ``1/B``, whatever the support; needed for structured supports such as
        low-degree Boolean functions), or ``b`` distinct bit positions per stage
        (the paper's and reference code's design; assumes a random support).
    delays : {"chains", "identity", "random_ml"}, default="chains"
        Delay design: ``"identity"`` (``0, e_1, ..., e_n``; noiseless),
        ``"chains"`` (``n_chains`` random offsets ``r`` each followed by
        ``r XOR e_i``; each bit of a single-ton's frequency is a vote over chains
        weighted by the chain's correlation; noise robust) or ``"random_ml"``
        (``n_delays`` random delays, maximum-likelihood search over the
        ``2**(n_bits - b)`` frequencies of the bin; fewest samples, ``O(N)`` time).
    n_chains : int or None, default=None
        Number of chains ``R`` (``"chains"``); None: ``n_bits``.
    n_delays : int or None, default=None
        Number of random delays (``"random_ml"``); None: ``4 * n_bits``.
    noise : "auto", float or 0, default="auto"
        ``"auto"`` estimates the noise from the bin energies; a float is the
        standard deviation ``sigma`` of the time-domain noise ``w`` (complex noise:
        ``E|w|^2 = sigma^2``); 0 means noiseless.
    threshold_factor : float or None, default=None
        ``f`` in the zero-ton/residual threshold ``f * nu`` on per-delay bin
        energies (``nu`` the per-delay noise variance of a bin); None: 4, 3, 2 or
        1.5 for fewer than 10, 20, 50 or more delays.
    min_energy : float or None, default=None
        A single-ton needs ``P |alpha|^2 > min_energy``. None:
        ``nu * (10 + 2 log(C B))`` (a false single-ton from pure noise then has
        probability below about ``1e-4`` per bin).
    max_peel_iter : int or None, default=None
        Maximum peeling sweeps; None: ``10 * n_stages``.
    norm : {"ortho", "forward", "backward"}, default="ortho"
        Scaling of the returned values, as in :func:`fwht`: ``"ortho"`` gives
        ``X`` above (the non-zeros of ``fwht(x, norm="ortho")``), ``"forward"``
        the Fourier coefficients of the pseudo-Boolean function
        ``x[m] = sum_k F[k] (-1)^<m,k>``, ``"backward"`` those of ``fwht(x)``.
    random_state : int, RandomState, Generator or None, default=None
        Seed of the hashing matrices and delays.

    Returns
    -------
    support : ndarray of shape (n_found,), dtype int64
        Sorted frequencies found.
    values : ndarray of shape (n_found,)
        Their coefficients (float64, or complex128 for complex signals).
    info : dict
        ``n_samples_used`` (unique positions queried), ``n_peel_iter``,
        ``noise_level`` (estimated or given time-domain ``sigma``),
        ``converged`` (no multi-ton left and peeling stopped by itself),
        ``bin_counts`` (zero/single/multi-tons per stage at the end),
        ``dense_fallback`` (True when the design would query at least ``N``
        positions: then all ``N`` samples are taken and the dense transform is
        thresholded instead).

    Notes
    -----
    Deviations from the paper and reference code, all stated here:
    the noise level ``nu`` is a per-delay variance and both the zero-ton and the
    residual test compare per-delay energies with ``f * nu``; the default
    ``min_energy`` is a false-alarm bound rather than the SNR-hint rule; chains
    use a correlation-weighted (soft) majority vote; a frequency found twice has
    its values added (the second is the residual of the first), which replaces
    the ``average_duplicates`` option; the coded (BCH) delay designs are not
    implemented. In noiseless mode the thresholds are relative
    (``1e-12`` times the largest bin energy).

    References
    ----------
    .. [1] X. Li, J. K. Bradley, S. Pawar, K. Ramchandran, "SPRIGHT: A Fast and
       Robust Framework for Sparse Walsh-Hadamard Transform", arXiv:1508.06336, 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.transforms import fwht, spright
    >>> X = np.zeros(2**12)
    >>> X[[3, 100, 2049]] = [1.0, -2.0, 0.5]
    >>> x = fwht(X, norm="ortho")
    >>> support, values, info = spright(x, sparsity=3, noise=0, random_state=0)
    >>> support.tolist(), np.round(values, 6).tolist()
    ([3, 100, 2049], [1.0, -2.0, 0.5])
    """
    support, values, info = _spright(signal, n_bits, sparsity, n_stages, hashing, delays, n_chains, n_delays, noise,
                                     threshold_factor, min_energy, max_peel_iter, norm, random_state)
    _warn_if_not_converged([info], max_peel_iter or 10 * n_stages)
    return support, values, info


def _warn_if_not_converged(infos, max_peel_iter):
    bad = [i for i, info in enumerate(infos) if not info["converged"]]
    if not bad:
        return
    from sklearn.exceptions import ConvergenceWarning

    info = infos[bad[0]]
    multi = int(info["bin_counts"][:, 2].sum())
    which = "" if len(infos) == 1 else f" for {len(bad)} of {len(infos)} signals (first: signal {bad[0]})"
    warnings.warn(
        f"SPRIGHT peeling did not converge{which}: {multi} multi-ton bins remain after {info['n_peel_iter']} sweeps "
        f"(max_peel_iter={max_peel_iter}); the criterion is no multi-ton left. The spectrum may be less sparse than "
        "`sparsity`, or the noise higher than assumed: increase `sparsity`, `n_chains` or `max_peel_iter`.",
        ConvergenceWarning,
        stacklevel=3,
    )


def _spright(signal, n_bits, sparsity, n_stages, hashing, delays, n_chains, n_delays, noise, threshold_factor,
             min_energy, max_peel_iter, norm, random_state):
    from sklearn.utils import check_random_state

    x, n_bits = _validate_signal(signal, n_bits)
    oracle = signal if x is None else None
    if n_bits > 62:
        raise ValueError(f"n_bits must be <= 62 (positions are int64), got {n_bits}.")
    N = 1 << n_bits
    sparsity = _check_int(sparsity, "sparsity", 1, allow_none=True)
    if sparsity is not None and sparsity > N:
        raise ValueError(f"sparsity={sparsity} exceeds the transform length N = 2**{n_bits} = {N}.")
    n_stages = _check_int(n_stages, "n_stages", 1)
    if hashing not in _HASHINGS:
        raise ValueError(f"hashing must be one of {_HASHINGS}, got {hashing!r}.")
    if delays not in _DESIGNS:
        raise ValueError(f"delays must be one of {_DESIGNS}, got {delays!r}.")
    if norm not in _NORMS:
        raise ValueError(f"norm must be one of {_NORMS}, got {norm!r}.")
    n_chains = _check_int(n_chains, "n_chains", 1, allow_none=True) or n_bits
    n_delays = _check_int(n_delays, "n_delays", 1, allow_none=True) or 4 * n_bits
    max_peel_iter = _check_int(max_peel_iter, "max_peel_iter", 1, allow_none=True) or 10 * n_stages
    if isinstance(noise, str):
        if noise != "auto":
            raise ValueError(f"noise must be 'auto', 0 or a non-negative float sigma, got {noise!r}.")
    elif isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not (noise >= 0 and np.isfinite(noise)):
        raise ValueError(f"noise must be 'auto', 0 or a non-negative float sigma, got {noise!r}.")
    for name, val in (("threshold_factor", threshold_factor), ("min_energy", min_energy)):
        if val is not None and (isinstance(val, bool) or not isinstance(val, numbers.Real) or not val >= 0):
            raise ValueError(f"{name} must be a non-negative number or None, got {val!r}.")
    rng = check_random_state(random_state)

    b = _stage_bits(n_bits, sparsity, n_stages)
    B = 1 << b
    P = n_delays if delays == "random_ml" else (n_bits + 1) * (1 if delays == "identity" else n_chains)
    if n_stages * P * B >= N:
        support, values, info = _dense_path(x, oracle, n_bits, sparsity, noise, threshold_factor)
    else:
        support, values, info = _sparse_path(x, oracle, n_bits, rng, b, n_stages, hashing, delays, n_chains,
                                             n_delays, noise, threshold_factor, min_energy, max_peel_iter)
    scale = {"ortho": 1.0, "forward": 1.0 / math.sqrt(N), "backward": math.sqrt(N)}[norm]
    order = np.argsort(support)
    return support[order], values[order] * scale, info


def _sparse_path(x, oracle, n_bits, rng, b, n_stages, hashing, delays, n_chains, n_delays, noise,
                 threshold_factor, min_energy, max_peel_iter):
    from sparsestat.transforms._fwht import fwht_rows_inplace
    from sparsestat.transforms._spright_kernels import bin_energies, peel, sample_positions

    N = 1 << n_bits
    B = 1 << b
    cols = _draw_cols(rng, n_bits, b, n_stages, hashing)
    dl = _draw_delays(rng, n_bits, delays, n_chains, n_delays)
    P = dl.shape[0]
    positions = sample_positions(cols, dl)  # (C, P, B)
    vals, n_used = _query(x, oracle, positions, n_bits)
    U = vals.reshape(n_stages * P, B)
    fwht_rows_inplace(U, math.sqrt(N) / B)
    U = np.ascontiguousarray(U.reshape(n_stages, P, B).transpose(0, 2, 1))  # (C, B, P)
    energy = bin_energies(U)
    floor = 1e-12 * float(energy.max()) + 1e-300
    if noise == "auto":
        nu = _estimate_noise(energy)
    else:
        nu = N * float(noise) ** 2 / B
    f = _default_factor(P) if threshold_factor is None else float(threshold_factor)
    thresh = max(f * nu, floor)
    if min_energy is None:
        min_energy = nu * (10.0 + 2.0 * math.log(n_stages * B)) if nu > floor else P * floor
    if delays == "random_ml":
        pre = np.empty((n_stages, b), dtype=np.int64)
        null = np.empty((n_stages, n_bits - b), dtype=np.int64)
        for c in range(n_stages):
            pc, nc = _gf2_preimages_and_null([int(v) for v in cols[c]], n_bits)
            pre[c] = pc
            null[c] = nc
        design = 1
    else:
        pre = np.zeros((n_stages, 1), dtype=np.int64)
        null = np.zeros((n_stages, 1), dtype=np.int64)
        design = 0
    R = 1 if delays == "identity" else n_chains
    capacity = n_stages * B + 1
    support, values, n_iter, still_found, states = peel(U, cols, dl, n_bits, design, R, pre, null, thresh,
                                                        float(min_energy), max_peel_iter, capacity)
    bin_counts = np.stack([(states == s).sum(axis=1) for s in range(3)], axis=1).astype(np.int64)
    if values.dtype.kind == "c" and (x is not None and x.dtype.kind != "c"):
        values = values.real
    info = {"n_samples_used": n_used, "n_peel_iter": int(n_iter), "noise_level": math.sqrt(nu * B / N),
            "converged": bool(not still_found and bin_counts[:, 2].sum() == 0), "bin_counts": bin_counts,
            "dense_fallback": False}
    return support, values, info


# --------------------------------------------------------------------------------------------------
# estimator

from numbers import Integral, Real  # noqa: E402

from sklearn.base import BaseEstimator, TransformerMixin, _fit_context  # noqa: E402
from sklearn.utils._param_validation import Interval, StrOptions  # noqa: E402
from sklearn.utils.validation import check_is_fitted, validate_data  # noqa: E402


class SparseWHT(TransformerMixin, BaseEstimator):
    """Sparse Walsh-Hadamard transform by SPRIGHT, as a scikit-learn transformer.

    Recovers the ``K``-sparse orthonormal Walsh spectrum ``X`` of signals
    ``x[m] = N^{-1/2} sum_k X[k] (-1)^<m,k> + w[m]`` from ``O(K log N)`` samples
    (see :func:`spright` for the algorithm, the designs and the thresholds).

    What ``fit`` means: the object of SPRIGHT is one signal, given either as a
    callable oracle ``f(positions) -> values`` (the sub-linear use: only the
    sampled positions are ever computed) or as an array. Following scikit-learn,
    an array ``X`` holds one signal per row (shape ``(n_signals, n_features)``);
    rows whose length is not a power of two are zero-padded to the next power of
    two. ``fit`` draws the sampling design once (from ``random_state``) and
    recovers the spectrum of every training signal; ``transform`` recovers the
    spectra of new rows with the same design and returns them as a sparse
    matrix; ``inverse_transform`` rebuilds dense signals; :meth:`evaluate`
    evaluates the recovered sparse expansions at arbitrary positions (for an
    oracle, the learnt black-box function). Real-valued arrays only; complex
    signals go through :func:`spright` or a complex-valued oracle.

    Parameters
    ----------
    n_bits : int or None, default=None
        ``n`` with ``N = 2**n``; required for an oracle, inferred from (and
        checked against) the padded row length of an array.
    sparsity : int or None, default=None
        Expected number of non-zeros ``K`` (sizes the bins).
    n_stages : int, default=3
        Number of subsampling stages.
    hashing : {"random", "bits"}, default="random"
        Subsampling matrices (see :func:`spright`).
    delays : {"chains", "identity", "random_ml"}, default="chains"
        Delay design (see :func:`spright`).
    n_chains : int or None, default=None
        Number of chains; None: ``n_bits``.
    n_delays : int or None, default=None
        Number of random delays for ``"random_ml"``; None: ``4 n_bits``.
    noise : "auto" or float, default="auto"
        Noise standard deviation per sample, ``"auto"`` to estimate it, 0 for noiseless.
    threshold_factor : float or None, default=None
        Bin-classification threshold factor ``f``.
    min_energy : float or None, default=None
        Minimum single-ton energy ``P |alpha|^2``.
    max_peel_iter : int or None, default=None
        Maximum peeling sweeps; None: ``10 n_stages``.
    norm : {"ortho", "forward", "backward"}, default="ortho"
        Scaling of the coefficients, as in :func:`fwht`.
    random_state : int, RandomState or None, default=None
        Seed of the sampling design.

    Attributes
    ----------
    coef_ : scipy.sparse.csr_array of shape (n_signals, 2**n_bits_)
        Recovered spectra of the training signals (one row for an oracle).
    support_ : list of ndarray of int64
        Sorted support of each training signal.
    n_bits_ : int
        The ``n`` used.
    n_samples_used_ : ndarray of shape (n_signals,)
        Unique positions queried per signal.
    n_peel_iter_ : ndarray of shape (n_signals,)
        Peeling sweeps per signal.
    noise_level_ : ndarray of shape (n_signals,)
        Estimated (or given) noise standard deviation per sample.
    converged_ : ndarray of shape (n_signals,), dtype bool
        Whether peeling left no multi-ton bin.
    bin_counts_ : list of ndarray of shape (n_stages, 3)
        Zero-, single- and multi-ton bins per stage at the end of peeling.
    n_features_in_ : int
        Row length of the training array (``2**n_bits`` for an oracle).

    See Also
    --------
    spright : The functional form.
    fwht : The dense transform.

    Notes
    -----
    The paper's estimator API sketch has ``predict(positions)``; it is called
    :meth:`evaluate` here because scikit-learn reserves ``predict`` for
    ``predict(X)`` on samples shaped like the training data.

    References
    ----------
    .. [1] X. Li, J. K. Bradley, S. Pawar, K. Ramchandran, "SPRIGHT: A Fast and
       Robust Framework for Sparse Walsh-Hadamard Transform", arXiv:1508.06336, 2015.

    Examples
    --------
    >>> from sparsestat.datasets import make_sparse_boolean_function
    >>> from sparsestat.transforms import SparseWHT
    >>> f, support, values = make_sparse_boolean_function(30, 8, max_degree=2, random_state=0)
    >>> est = SparseWHT(n_bits=30, sparsity=8, delays="identity", noise=0, norm="forward", random_state=0)
    >>> est = est.fit(f)
    >>> bool((est.support_[0] == support).all()), int(est.n_samples_used_[0]) < 2**30 // 10**5
    (True, True)
    """

    _parameter_constraints = {
        "n_bits": [Interval(Integral, 1, 62, closed="both"), None],
        "sparsity": [Interval(Integral, 1, None, closed="left"), None],
        "n_stages": [Interval(Integral, 1, None, closed="left")],
        "hashing": [StrOptions(set(_HASHINGS))],
        "delays": [StrOptions(set(_DESIGNS))],
        "n_chains": [Interval(Integral, 1, None, closed="left"), None],
        "n_delays": [Interval(Integral, 1, None, closed="left"), None],
        "noise": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
        "threshold_factor": [Interval(Real, 0, None, closed="left"), None],
        "min_energy": [Interval(Real, 0, None, closed="left"), None],
        "max_peel_iter": [Interval(Integral, 1, None, closed="left"), None],
        "norm": [StrOptions(set(_NORMS))],
        "random_state": ["random_state"],
    }

    def __init__(self, n_bits=None, *, sparsity=None, n_stages=3, hashing="random", delays="chains",
                 n_chains=None, n_delays=None, noise="auto", threshold_factor=None, min_energy=None,
                 max_peel_iter=None, norm="ortho", random_state=None):
        self.n_bits = n_bits
        self.sparsity = sparsity
        self.n_stages = n_stages
        self.hashing = hashing
        self.delays = delays
        self.n_chains = n_chains
        self.n_delays = n_delays
        self.noise = noise
        self.threshold_factor = threshold_factor
        self.min_energy = min_energy
        self.max_peel_iter = max_peel_iter
        self.norm = norm
        self.random_state = random_state

    def _run(self, signals):
        opts = dict(n_bits=self.n_bits_, sparsity=self.sparsity, n_stages=self.n_stages, hashing=self.hashing,
                    delays=self.delays, n_chains=self.n_chains, n_delays=self.n_delays, noise=self.noise,
                    threshold_factor=self.threshold_factor, min_energy=self.min_energy,
                    max_peel_iter=self.max_peel_iter, norm=self.norm, random_state=self._seed)
        results = [_spright(sig, **opts) for sig in signals]
        _warn_if_not_converged([r[2] for r in results], self.max_peel_iter or 10 * self.n_stages)
        return results

    def _to_sparse(self, results):
        from scipy.sparse import csr_array

        N = 1 << self.n_bits_
        indptr = np.cumsum([0] + [r[0].size for r in results])
        indices = np.concatenate([r[0] for r in results]) if results else np.zeros(0, np.int64)
        data = np.concatenate([r[1] for r in results]) if results else np.zeros(0)
        return csr_array((data, indices, indptr), shape=(len(results), N))

    def _pad_rows(self, X):
        N = 1 << self.n_bits_
        if X.shape[1] == N:
            return np.ascontiguousarray(X, dtype=np.float64)
        out = np.zeros((X.shape[0], N))
        out[:, : X.shape[1]] = X
        return out

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Draw the sampling design and recover the sparse spectrum of each training signal.

        Parameters
        ----------
        X : callable or array-like of shape (n_signals, n_features)
            An oracle ``f(positions: int64 array) -> values`` (needs ``n_bits``)
            or one real signal per row (zero-padded to a power of two).
        y : None
            Ignored.

        Returns
        -------
        self : SparseWHT
            The fitted estimator.
        """
        from sparsestat.utils._validation import check_random_state_int

        self._seed = check_random_state_int(self.random_state)
        if callable(X):
            if self.n_bits is None:
                raise ValueError("n_bits is required when X is a callable oracle f(positions) -> values.")
            self.n_bits_ = int(self.n_bits)
            self.n_features_in_ = 1 << self.n_bits_
            signals = [X]
        else:
            X = validate_data(self, X, dtype=np.float64)
            n = X.shape[1]
            n_bits = max(1, (n - 1).bit_length())
            if self.n_bits is not None and self.n_bits != n_bits:
                raise ValueError(f"n_bits={self.n_bits} is inconsistent with rows of length {n} "
                                 f"(padded to 2**{n_bits}).")
            self.n_bits_ = n_bits
            signals = list(self._pad_rows(X))
        if self.sparsity is not None and self.sparsity > (1 << self.n_bits_):
            raise ValueError(f"sparsity={self.sparsity} exceeds N = 2**{self.n_bits_}.")
        results = self._run(signals)
        self.coef_ = self._to_sparse(results)
        self.support_ = [r[0] for r in results]
        infos = [r[2] for r in results]
        self.n_samples_used_ = np.array([i["n_samples_used"] for i in infos], dtype=np.int64)
        self.n_peel_iter_ = np.array([i["n_peel_iter"] for i in infos], dtype=np.int64)
        self.noise_level_ = np.array([i["noise_level"] for i in infos], dtype=np.float64)
        self.converged_ = np.array([i["converged"] for i in infos], dtype=bool)
        self.bin_counts_ = [i["bin_counts"] for i in infos]
        return self

    def transform(self, X=None):
        """Sparse spectra of new signals (same design), or of the training signals when ``X`` is None.

        Parameters
        ----------
        X : callable, array-like of shape (n_signals, n_features) or None, default=None
            New signals (rows) or an oracle; None returns ``coef_``.

        Returns
        -------
        spectra : scipy.sparse.csr_array of shape (n_signals, 2**n_bits_)
            The recovered spectra.
        """
        check_is_fitted(self)
        if X is None:
            return self.coef_.copy()
        if callable(X):
            return self._to_sparse(self._run([X]))
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self._to_sparse(self._run(list(self._pad_rows(X))))

    def inverse_transform(self, X):
        """Dense signals from spectra (through :func:`ifwht`), cropped to ``n_features_in_`` samples.

        Parameters
        ----------
        X : sparse matrix or array-like of shape (n_signals, 2**n_bits_)
            Spectra, e.g. the output of :meth:`transform`.

        Returns
        -------
        signals : ndarray of shape (n_signals, n_features)
            The rebuilt signals (all ``2**n_bits_`` samples: use for moderate ``n_bits`` only).
        """
        check_is_fitted(self)
        from sparsestat.transforms._dense import ifwht

        dense = X.toarray() if hasattr(X, "toarray") else np.atleast_2d(np.asarray(X))
        N = 1 << self.n_bits_
        if dense.shape[-1] != N:
            raise ValueError(f"X has {dense.shape[-1]} columns; inverse_transform expects 2**n_bits_ = {N}.")
        return ifwht(dense, axis=-1, norm=self.norm)[:, : self.n_features_in_]

    def evaluate(self, positions):
        """Evaluate the recovered sparse expansions at integer positions.

        For ``norm="ortho"`` this is ``N^{-1/2} sum_k X[k] (-1)^<m,k>`` (the
        noiseless signal), for ``"forward"`` ``sum_k F[k] (-1)^<m,k>`` (the
        pseudo-Boolean function); cost ``O(len(positions) * K)``.

        Parameters
        ----------
        positions : array-like of int of shape (n_positions,)
            Positions ``m`` in ``[0, 2**n_bits_)``.

        Returns
        -------
        values : ndarray of shape (n_signals, n_positions)
            One row per training signal.
        """
        check_is_fitted(self)
        m = np.asarray(positions)
        if m.ndim != 1 or m.dtype.kind not in "iu":
            raise ValueError("positions must be a 1-D array of integers in [0, 2**n_bits_).")
        m = m.astype(np.int64)
        N = 1 << self.n_bits_
        if m.size and (m.min() < 0 or m.max() >= N):
            raise ValueError(f"positions must lie in [0, 2**n_bits_ = {N}).")
        scale = {"ortho": 1.0 / math.sqrt(N), "forward": 1.0, "backward": 1.0 / N}[self.norm]
        from sparsestat.transforms._spright_kernels import evaluate_sparse_wht

        out = []
        for r in range(self.coef_.shape[0]):
            row = self.coef_[[r], :]
            k = row.indices.astype(np.int64)
            v = np.asarray(row.data) * scale
            out.append(evaluate_sparse_wht(m, k, v) if k.size else np.zeros(m.size, dtype=v.dtype))
        return np.vstack(out) if out else np.zeros((0, m.size))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
