"""Local randomisers: Laplace, Gaussian (analytic calibration), clipped vectors/matrices, randomized response.

Every randomiser is vectorised over the first axis: row ``i`` of the input is one user's value and row
``i`` of the output is that user's report, drawn with independent noise. The calibration depends only
on the declared sensitivity (or clipping radius) and the budget, never on the data.
"""

import math
import numbers
import warnings

import numpy as np

__all__ = [
    "PrivacyLeakWarning",
    "check_bounds",
    "clip_l2",
    "gaussian_mechanism",
    "gaussian_sigma",
    "laplace_mechanism",
    "outer_product_mechanism",
    "randomized_response",
    "truncate",
    "vector_mechanism",
]


class PrivacyLeakWarning(RuntimeWarning):
    """Warning raised when a privacy parameter (a bound, a clip) is read from the private data.

    Bounds that are computed from the data themselves are not covered by the privacy guarantee, as in
    diffprivlib: declare them from domain knowledge to silence the warning.

    Examples
    --------
    >>> import warnings
    >>> from sparsestat.privacy import PrivacyLeakWarning
    >>> issubclass(PrivacyLeakWarning, RuntimeWarning)
    True
    """


# --------------------------------------------------------------------------- argument checks


def _check_epsilon(epsilon, name="epsilon"):
    if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real) or not math.isfinite(epsilon):
        raise TypeError(f"{name} must be a finite real number, got {epsilon!r}.")
    if epsilon <= 0:
        raise ValueError(f"{name} must be > 0 (the privacy budget), got {epsilon}; "
                         "smaller epsilon means more privacy, 0 is not achievable with finite noise.")
    return float(epsilon)


def _check_delta(delta, name="delta", *, allow_zero=True):
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real) or not math.isfinite(delta):
        raise TypeError(f"{name} must be a real number in [0, 1), got {delta!r}.")
    if delta < 0 or delta >= 1 or (not allow_zero and delta == 0):
        interval = "[0, 1)" if allow_zero else "(0, 1)"
        raise ValueError(f"{name} must lie in {interval}, got {delta}; typical values are below 1/n_users.")
    return float(delta)


def _check_positive(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite positive number, got {value!r}.")
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}; a clipping bound or sensitivity of 0 "
                         "would release nothing (or divide by zero).")
    return float(value)


def _rng(random_state):
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    return np.random.default_rng(random_state)


# --------------------------------------------------------------------------- calibration


def gaussian_sigma(sensitivity, epsilon, delta, *, calibration="analytic"):
    r"""Noise scale of the Gaussian mechanism for an :math:`\ell_2` sensitivity and an (epsilon, delta) budget.

    ``"analytic"`` returns the smallest :math:`\sigma` with

    .. math::

        \Phi\Big(\frac{\Delta}{2\sigma} - \frac{\varepsilon\sigma}{\Delta}\Big)
        - e^{\varepsilon}\,\Phi\Big(-\frac{\Delta}{2\sigma} - \frac{\varepsilon\sigma}{\Delta}\Big) \le \delta,

    the exact condition of Balle & Wang (2018), valid for every :math:`\varepsilon > 0`. ``"classic"``
    returns :math:`\Delta\sqrt{2\log(1.25/\delta)}/\varepsilon` (Dwork & Roth, Thm. A.1), which is proven
    only for :math:`\varepsilon < 1`; it raises for larger budgets.

    Parameters
    ----------
    sensitivity : float
        :math:`\ell_2` sensitivity :math:`\Delta` of the released statistic between any two users' inputs.
    epsilon : float
        Privacy budget, > 0.
    delta : float
        Failure probability in (0, 1).
    calibration : {"analytic", "classic"}, default="analytic"
        Which bound to use.

    Returns
    -------
    sigma : float
        Standard deviation of the per-coordinate Gaussian noise.

    References
    ----------
    .. [1] B. Balle, Y.-X. Wang, "Improving the Gaussian mechanism for differential privacy: analytical
       calibration and optimal denoising", ICML 2018.

    Examples
    --------
    >>> from sparsestat.privacy import gaussian_sigma
    >>> gaussian_sigma(1.0, 0.5, 1e-5) < gaussian_sigma(1.0, 0.5, 1e-5, calibration="classic")
    True
    """
    from scipy.special import log_ndtr, ndtr

    sens = _check_positive(sensitivity, "sensitivity")
    eps = _check_epsilon(epsilon)
    dlt = _check_delta(delta, allow_zero=False)
    if calibration == "classic":
        if eps >= 1:
            raise ValueError("calibration='classic' is only valid for epsilon < 1; use calibration='analytic'.")
        return sens * math.sqrt(2 * math.log(1.25 / dlt)) / eps
    if calibration != "analytic":
        raise ValueError(f"calibration must be 'analytic' or 'classic', got {calibration!r}.")

    def excess(s):  # delta(s) - delta, decreasing in s (s = sigma / sensitivity)
        a, b = 0.5 / s, eps * s
        return float(ndtr(a - b) - math.exp(eps + log_ndtr(-a - b)) - dlt)

    lo, hi = 1e-6, 1.0
    while excess(hi) > 0:
        lo, hi = hi, hi * 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if excess(mid) > 0:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * hi:
            break
    return sens * hi


# --------------------------------------------------------------------------- clipping and bounds


def clip_l2(X, radius):
    """Project each row (or a single vector) onto the :math:`\\ell_2` ball of the given radius.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_features,)
        Rows to clip.
    radius : float
        Ball radius, > 0.

    Returns
    -------
    X_clipped : ndarray of the same shape
        ``x * min(1, radius / ||x||)`` row by row.

    Examples
    --------
    >>> from sparsestat.privacy import clip_l2
    >>> clip_l2([[3.0, 4.0], [0.3, 0.4]], 1.0)
    array([[0.6, 0.8],
           [0.3, 0.4]])
    """
    radius = _check_positive(radius, "radius")
    X = np.asarray(X, dtype=float)
    norms = np.linalg.norm(X, axis=-1, keepdims=True)
    scale = np.minimum(1.0, radius / np.maximum(norms, np.finfo(float).tiny))
    return X * scale


def truncate(X, bound):
    """Clip every entry to ``[-bound, bound]`` (or to ``[lower, upper]`` per feature).

    Parameters
    ----------
    X : array-like
        Values to truncate.
    bound : float or tuple of (lower, upper)
        Symmetric bound (> 0) or explicit lower/upper bounds (scalars or arrays broadcasting to ``X``).

    Returns
    -------
    X_truncated : ndarray
        The truncated values.

    Examples
    --------
    >>> from sparsestat.privacy import truncate
    >>> truncate([-5.0, 0.5, 9.0], 2.0)
    array([-2. ,  0.5,  2. ])
    """
    X = np.asarray(X, dtype=float)
    if isinstance(bound, tuple):
        lower, upper = (np.asarray(b, dtype=float) for b in bound)
        if np.any(upper < lower):
            raise ValueError("bounds must satisfy lower <= upper.")
        return np.clip(X, lower, upper)
    b = _check_positive(bound, "bound")
    return np.clip(X, -b, b)


def check_bounds(X, bounds=None, *, name="X", on_violation="clip"):
    """Validate declared per-feature bounds, inferring them (with a ``PrivacyLeakWarning``) when absent.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
        Private data.
    bounds : tuple of (lower, upper) or None, default=None
        Declared bounds, scalars or arrays of shape (n_features,). ``None`` reads them from ``X`` and warns
        that this leaks information outside the privacy guarantee (diffprivlib's convention).
    name : str, default="X"
        Name of the data in messages.
    on_violation : {"clip", "raise"}, default="clip"
        What to do when values fall outside the declared bounds: clip them (with a ``UserWarning``
        naming how many) or raise a ``ValueError``.

    Returns
    -------
    X_bounded : ndarray
        Data inside the bounds.
    lower, upper : ndarray
        The bounds used.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.privacy import check_bounds
    >>> Xb, lo, hi = check_bounds(np.array([[0.5], [2.0]]), (0.0, 1.0))
    >>> Xb.ravel().tolist()
    [0.5, 1.0]
    """
    X = np.asarray(X, dtype=float)
    if bounds is None:
        warnings.warn(
            f"Bounds of {name} were not given and are computed from the data; this leaks information that "
            "the privacy guarantee does not cover. Pass bounds=(lower, upper) from domain knowledge.",
            PrivacyLeakWarning, stacklevel=2,
        )
        return X, X.min(axis=0), X.max(axis=0)
    if not isinstance(bounds, tuple) or len(bounds) != 2:
        raise TypeError(f"bounds must be a tuple (lower, upper), got {bounds!r}.")
    lower, upper = (np.broadcast_to(np.asarray(b, dtype=float), X.shape[1:]) for b in bounds)
    if np.any(~np.isfinite(lower)) or np.any(~np.isfinite(upper)) or np.any(upper < lower):
        raise ValueError("bounds must be finite with lower <= upper.")
    outside = (X < lower) | (X > upper)
    n_out = int(outside.sum())
    if n_out:
        if on_violation == "raise":
            raise ValueError(f"{n_out} values of {name} lie outside the declared bounds; clip them first or "
                             "pass on_violation='clip'.")
        if on_violation != "clip":
            raise ValueError(f"on_violation must be 'clip' or 'raise', got {on_violation!r}.")
        warnings.warn(f"{n_out} values of {name} lie outside the declared bounds and were clipped to them.",
                      UserWarning, stacklevel=2)
        X = np.clip(X, lower, upper)
    return X, np.array(lower), np.array(upper)


# --------------------------------------------------------------------------- randomisers


def laplace_mechanism(value, sensitivity, epsilon, random_state=None):
    r"""Add Laplace noise of scale :math:`\Delta_1/\varepsilon` to every entry (pure :math:`\varepsilon`-DP).

    Parameters
    ----------
    value : array-like
        Values to release; each row is one user's statistic.
    sensitivity : float
        :math:`\ell_1` sensitivity :math:`\Delta_1` of one row between any two users' inputs.
    epsilon : float
        Privacy budget, > 0.
    random_state : int, Generator or None, default=None
        Seed of the noise (fix it only for reproducible tests).

    Returns
    -------
    report : ndarray
        ``value + Laplace(0, sensitivity / epsilon)``.

    References
    ----------
    .. [1] C. Dwork, A. Roth, "The algorithmic foundations of differential privacy", 2014, Thm. 3.6.

    Examples
    --------
    >>> from sparsestat.privacy import laplace_mechanism
    >>> laplace_mechanism([0.0, 1.0], sensitivity=1.0, epsilon=1.0, random_state=0).shape
    (2,)
    """
    sens = _check_positive(sensitivity, "sensitivity")
    eps = _check_epsilon(epsilon)
    value = np.asarray(value, dtype=float)
    return value + _rng(random_state).laplace(0.0, sens / eps, size=value.shape)


def gaussian_mechanism(value, sensitivity, epsilon, delta, random_state=None, *, calibration="analytic"):
    """Add Gaussian noise calibrated to an :math:`\\ell_2` sensitivity and an (epsilon, delta) budget.

    Parameters
    ----------
    value : array-like
        Values to release; each row is one user's statistic.
    sensitivity : float
        :math:`\\ell_2` sensitivity of one row.
    epsilon : float
        Privacy budget, > 0.
    delta : float
        Failure probability in (0, 1).
    random_state : int, Generator or None, default=None
        Seed of the noise.
    calibration : {"analytic", "classic"}, default="analytic"
        See :func:`gaussian_sigma`.

    Returns
    -------
    report : ndarray
        ``value + N(0, sigma^2)`` entrywise.

    Examples
    --------
    >>> from sparsestat.privacy import gaussian_mechanism
    >>> gaussian_mechanism([[0.0, 1.0]], 1.0, 1.0, 1e-5, random_state=0).shape
    (1, 2)
    """
    sigma = gaussian_sigma(sensitivity, epsilon, delta, calibration=calibration)
    value = np.asarray(value, dtype=float)
    return value + sigma * _rng(random_state).standard_normal(value.shape)


def vector_mechanism(X, radius, epsilon, delta=0.0, *, mechanism="gaussian", random_state=None):
    """Clip each user's vector to a ball and release it with calibrated noise.

    With ``mechanism="gaussian"`` rows are clipped to the :math:`\\ell_2` ball of ``radius`` (sensitivity
    ``2 radius``); with ``"laplace"`` to the :math:`\\ell_1` ball (sensitivity ``2 radius``, pure DP).

    Parameters
    ----------
    X : array-like of shape (n_users, n_features)
        One vector per user.
    radius : float
        Clipping radius, > 0.
    epsilon : float
        Privacy budget, > 0.
    delta : float, default=0.0
        Failure probability (required in (0, 1) for the Gaussian mechanism).
    mechanism : {"gaussian", "laplace"}, default="gaussian"
        Noise distribution.
    random_state : int, Generator or None, default=None
        Seed of the noise.

    Returns
    -------
    reports : ndarray of shape (n_users, n_features)
        Noisy clipped vectors.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.privacy import vector_mechanism
    >>> vector_mechanism(np.ones((3, 2)), 1.0, 1.0, 1e-6, random_state=0).shape
    (3, 2)
    """
    radius = _check_positive(radius, "radius")
    X = np.atleast_2d(np.asarray(X, dtype=float))
    if mechanism == "gaussian":
        return gaussian_mechanism(clip_l2(X, radius), 2 * radius, epsilon, delta, random_state)
    if mechanism == "laplace":
        norms = np.abs(X).sum(axis=1, keepdims=True)
        Xc = X * np.minimum(1.0, radius / np.maximum(norms, np.finfo(float).tiny))
        return laplace_mechanism(Xc, 2 * radius, epsilon, random_state)
    raise ValueError(f"mechanism must be 'gaussian' or 'laplace', got {mechanism!r}.")


def _outer_noise(rng, n, d, sigma):
    """(n, d, d) symmetric noise: N(0, sigma^2) diagonal, N(0, sigma^2/2) off-diagonal (drawn row-major)."""
    iu = np.triu_indices(d)
    z = rng.standard_normal((n, iu[0].size))
    z *= np.where(iu[0] == iu[1], sigma, sigma / math.sqrt(2.0))
    E = np.zeros((n, d, d))
    E[:, iu[0], iu[1]] = z
    E[:, iu[1], iu[0]] = z
    return E


def outer_product_mechanism(X, radius, epsilon, delta, random_state=None):
    r"""Release :math:`\tilde x\tilde x^\top` + symmetric Gaussian noise per user, with :math:`\tilde x` clipped.

    Each row is clipped to :math:`\|\tilde x\|_2\le R`. The released vector is the upper triangle of
    :math:`\tilde x\tilde x^\top` with off-diagonal entries scaled by :math:`\sqrt2`, whose norm equals the
    Frobenius norm; for rank-one PSD matrices
    :math:`\|xx^\top - x'x'^\top\|_F^2 = \|x\|^4+\|x'\|^4-2(x^\top x')^2 \le 2R^4`, so the sensitivity is
    :math:`\sqrt2 R^2` and the matrix noise is :math:`N(0,\sigma^2)` on the diagonal and
    :math:`N(0,\sigma^2/2)` off it.

    Parameters
    ----------
    X : array-like of shape (n_users, n_features)
        One vector per user.
    radius : float
        :math:`\ell_2` clipping radius :math:`R`, > 0.
    epsilon : float
        Privacy budget, > 0.
    delta : float
        Failure probability in (0, 1).
    random_state : int, Generator or None, default=None
        Seed of the noise.

    Returns
    -------
    reports : ndarray of shape (n_users, n_features, n_features)
        Symmetric noisy outer products.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.privacy import outer_product_mechanism
    >>> S = outer_product_mechanism(np.ones((2, 3)), 2.0, 1.0, 1e-6, random_state=0)
    >>> S.shape, bool(np.allclose(S, S.transpose(0, 2, 1)))
    ((2, 3, 3), True)
    """
    radius = _check_positive(radius, "radius")
    X = clip_l2(np.atleast_2d(np.asarray(X, dtype=float)), radius)
    sigma = gaussian_sigma(math.sqrt(2.0) * radius**2, epsilon, delta)
    n, d = X.shape
    return X[:, :, None] * X[:, None, :] + _outer_noise(_rng(random_state), n, d, sigma)


def randomized_response(values, epsilon, n_categories=2, random_state=None):
    r"""k-ary randomized response: keep the true category with probability :math:`e^\varepsilon/(e^\varepsilon+k-1)`.

    Otherwise report one of the :math:`k-1` other categories uniformly. This is pure
    :math:`\varepsilon`-LDP (Warner 1965; Kairouz, Oh & Viswanath 2014).

    Parameters
    ----------
    values : array-like of int
        True categories in ``range(n_categories)``, one per user (any shape).
    epsilon : float
        Privacy budget, > 0.
    n_categories : int, default=2
        Number of categories ``k``, >= 2.
    random_state : int, Generator or None, default=None
        Seed of the randomisation.

    Returns
    -------
    reports : ndarray of int
        Randomised categories.

    Examples
    --------
    >>> from sparsestat.privacy import randomized_response
    >>> randomized_response([0, 1, 1, 0], 2.0, random_state=0).shape
    (4,)
    """
    eps = _check_epsilon(epsilon)
    if isinstance(n_categories, bool) or not isinstance(n_categories, numbers.Integral) or n_categories < 2:
        raise ValueError(f"n_categories must be an integer >= 2, got {n_categories!r}.")
    v = np.asarray(values)
    if v.size and (not np.issubdtype(v.dtype, np.integer) or v.min() < 0 or v.max() >= n_categories):
        raise ValueError(f"values must be integers in range({n_categories}).")
    rng = _rng(random_state)
    k = int(n_categories)
    keep = rng.random(v.shape) < math.exp(eps) / (math.exp(eps) + k - 1)
    shift = rng.integers(1, k, size=v.shape)
    return np.where(keep, v, (v + shift) % k)
