"""Validation helpers shared by the estimators (clear errors naming the argument)."""

import numbers

import numpy as np

__all__ = ["check_random_state_int", "check_sample_weight", "check_positive_int", "check_probability"]


def check_sample_weight(sample_weight, X, dtype=None):
    """Validate ``sample_weight`` against ``X``: finite, non-negative, right length, not all zero.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or float or None
        The weights; None means unit weights.
    X : array-like of shape (n_samples, n_features)
        The data the weights belong to.
    dtype : dtype or None
        Output dtype (that of ``X`` when None).

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,)
        The validated weights.
    """
    from sklearn.utils.validation import _check_sample_weight

    if dtype is None:
        dtype = getattr(X, "dtype", np.float64)
        if dtype not in (np.float32, np.float64):
            dtype = np.float64
    sw = _check_sample_weight(sample_weight, X, dtype=dtype, ensure_non_negative=True)
    if not np.all(np.isfinite(sw)):
        raise ValueError("sample_weight contains NaN or infinity; pass finite, non-negative weights.")
    if sw.size and not np.any(sw > 0):
        raise ValueError("sample_weight sums to zero; at least one sample must have a positive weight.")
    return sw


def check_positive_int(value, name, *, minimum=1):
    """Return ``value`` as int, raising a ``ValueError`` naming ``name`` otherwise.

    Parameters
    ----------
    value : int
        The value to check.
    name : str
        The argument's name, used in the message.
    minimum : int, default=1
        Smallest allowed value.

    Returns
    -------
    int
        The checked value.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}.")
    return int(value)


def check_probability(value, name, *, closed=(True, True)):
    """Check that ``value`` is a real number in [0, 1] (bounds open/closed as asked).

    Parameters
    ----------
    value : float
        The value to check.
    name : str
        The argument's name, used in the message.
    closed : tuple of bool, default=(True, True)
        Whether 0 and 1 are allowed.

    Returns
    -------
    float
        The checked value.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}.")
    lo_ok = value >= 0 if closed[0] else value > 0
    hi_ok = value <= 1 if closed[1] else value < 1
    if not (np.isfinite(value) and lo_ok and hi_ok):
        lo = "[" if closed[0] else "("
        hi = "]" if closed[1] else ")"
        raise ValueError(f"{name} must be in {lo}0, 1{hi}, got {value}.")
    return float(value)


def check_random_state_int(random_state):
    """Turn ``random_state`` into an integer seed for Numba kernels.

    Numba's RNG is separate from NumPy's, so kernels that draw take an integer
    seed drawn here from the user's ``random_state``.

    Parameters
    ----------
    random_state : int, RandomState, Generator or None
        The user's seed.

    Returns
    -------
    seed : int
        A seed in [0, 2**31 - 1).
    """
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**31 - 1))
    from sklearn.utils import check_random_state

    return int(check_random_state(random_state).randint(0, 2**31 - 1))
