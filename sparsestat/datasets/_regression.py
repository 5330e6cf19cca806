"""Generators of sparse regression and classification problems."""

import numbers

import numpy as np
from sklearn.utils import check_random_state

from sparsestat.utils._validation import check_positive_int

__all__ = ["make_sparse_regression", "make_sparse_classification"]


def _toeplitz_design(rng, n_samples, n_features, rho):
    """Rows ~ N(0, Σ) with Σ_ij = rho^|i-j|, drawn as an AR(1) process in O(np)."""
    Z = rng.standard_normal((n_samples, n_features))
    X = np.empty((n_samples, n_features), order="F")
    X[:, 0] = Z[:, 0]
    scale = np.sqrt(1.0 - rho * rho)
    for j in range(1, n_features):
        X[:, j] = rho * X[:, j - 1] + scale * Z[:, j]
    return X


def _check_rho(rho):
    if isinstance(rho, bool) or not isinstance(rho, numbers.Real) or not (-1 < rho < 1):
        raise ValueError(f"rho must be a real number in (-1, 1), got {rho!r}.")


def make_sparse_regression(
    n_samples=100,
    n_features=200,
    n_informative=10,
    *,
    rho=0.5,
    snr=5.0,
    density=None,
    coef_scale="uniform",
    n_targets=1,
    random_state=None,
):
    """Generate a sparse linear regression problem ``y = X @ coef + noise``.

    Dense designs have rows drawn from :math:`N(0, \\Sigma)` with the Toeplitz
    correlation :math:`\\Sigma_{ij} = \\rho^{|i-j|}`; the support is drawn at
    random. The noise variance is set so that
    :math:`\\mathrm{SNR} = \\|X\\beta\\|^2 / \\|\\varepsilon\\|^2` in expectation.

    Parameters
    ----------
    n_samples : int, default=100
        Number of samples.
    n_features : int, default=200
        Number of features.
    n_informative : int, default=10
        Number of non-zero coefficients (the support size).
    rho : float in (-1, 1), default=0.5
        Toeplitz correlation between neighbouring features (dense design only).
    snr : float > 0 or inf, default=5.0
        Signal-to-noise ratio; ``np.inf`` gives noiseless data.
    density : float in (0, 1] or None, default=None
        When given, the design is a ``scipy.sparse`` CSC matrix with this
        fraction of standard-normal non-zeros (independent columns).
    coef_scale : {"uniform", "ones"}, default="uniform"
        Non-zero coefficients are random signs times U(1, 2) ("uniform") or
        random signs ("ones").
    n_targets : int, default=1
        Number of outputs sharing the support; ``y`` is 2-D when > 1.
    random_state : int, RandomState or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features) (Fortran order) or CSC matrix
        The design.
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        The response.
    coef : ndarray of shape (n_features,) or (n_targets, n_features)
        The true coefficients.

    Examples
    --------
    >>> from sparsestat.datasets import make_sparse_regression
    >>> X, y, coef = make_sparse_regression(50, 100, 5, random_state=0)
    >>> X.shape, y.shape, int((coef != 0).sum())
    ((50, 100), (50,), 5)
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    n_features = check_positive_int(n_features, "n_features")
    n_informative = check_positive_int(n_informative, "n_informative", minimum=0)
    n_targets = check_positive_int(n_targets, "n_targets")
    if n_informative > n_features:
        raise ValueError(f"n_informative={n_informative} must be <= n_features={n_features}.")
    _check_rho(rho)
    if isinstance(snr, bool) or not isinstance(snr, numbers.Real) or not snr > 0:
        raise ValueError(f"snr must be a positive number (np.inf for no noise), got {snr!r}.")
    if density is not None and not (isinstance(density, numbers.Real) and 0 < density <= 1):
        raise ValueError(f"density must be in (0, 1] or None, got {density!r}.")
    if coef_scale not in ("uniform", "ones"):
        raise ValueError(f"coef_scale must be 'uniform' or 'ones', got {coef_scale!r}.")
    rng = check_random_state(random_state)
    if density is None:
        X = _toeplitz_design(rng, n_samples, n_features, rho)
    else:
        import scipy.sparse as sp

        # per-column Binomial counts and uniform rows: O(nnz), unlike sp.random on huge shapes
        counts = rng.binomial(n_samples, density, size=n_features)
        rows = rng.randint(0, n_samples, size=int(counts.sum()))
        cols = np.repeat(np.arange(n_features), counts)
        X = sp.csc_matrix((rng.standard_normal(rows.size), (rows, cols)), shape=(n_samples, n_features))
        X.sum_duplicates()
    support = np.sort(rng.choice(n_features, n_informative, replace=False))
    coef = np.zeros((n_targets, n_features))
    signs = rng.choice([-1.0, 1.0], size=(n_targets, n_informative))
    mags = rng.uniform(1.0, 2.0, size=(n_targets, n_informative)) if coef_scale == "uniform" else 1.0
    coef[:, support] = signs * mags
    signal = np.asarray(X @ coef.T)
    noise = rng.standard_normal(signal.shape)
    if np.isfinite(snr) and n_informative > 0:
        sigma = np.linalg.norm(signal, axis=0) / (np.sqrt(snr) * np.sqrt(n_samples))
        signal = signal + noise * sigma
    elif n_informative == 0:
        signal = signal + noise
    if n_targets == 1:
        return X, signal[:, 0], coef[0]
    return X, signal, coef


def make_sparse_classification(
    n_samples=200,
    n_features=50,
    n_classes=3,
    n_informative=5,
    *,
    rho=0.3,
    scale=2.0,
    random_state=None,
):
    """Generate a sparse multinomial (softmax) classification problem.

    Each class has its own sparse coefficient vector on a random subset of
    ``n_informative`` features; labels are drawn from the softmax of
    ``X @ coef.T * scale``.

    Parameters
    ----------
    n_samples : int, default=200
        Number of samples.
    n_features : int, default=50
        Number of features.
    n_classes : int >= 2, default=3
        Number of classes.
    n_informative : int, default=5
        Non-zero coefficients per class.
    rho : float in (-1, 1), default=0.3
        Toeplitz correlation of the design.
    scale : float > 0, default=2.0
        Multiplies the logits (larger means better separated classes).
    random_state : int, RandomState or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The design.
    y : ndarray of shape (n_samples,)
        Integer labels in ``range(n_classes)``.
    coef : ndarray of shape (n_classes, n_features)
        The true (centred) coefficients.

    Examples
    --------
    >>> from sparsestat.datasets import make_sparse_classification
    >>> X, y, coef = make_sparse_classification(100, 20, 3, random_state=0)
    >>> sorted(set(y.tolist()))
    [0, 1, 2]
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    n_features = check_positive_int(n_features, "n_features")
    n_classes = check_positive_int(n_classes, "n_classes", minimum=2)
    n_informative = check_positive_int(n_informative, "n_informative", minimum=0)
    if n_informative > n_features:
        raise ValueError(f"n_informative={n_informative} must be <= n_features={n_features}.")
    _check_rho(rho)
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not scale > 0:
        raise ValueError(f"scale must be a positive number, got {scale!r}.")
    rng = check_random_state(random_state)
    X = np.ascontiguousarray(_toeplitz_design(rng, n_samples, n_features, rho))
    coef = np.zeros((n_classes, n_features))
    for k in range(n_classes):
        idx = rng.choice(n_features, n_informative, replace=False)
        coef[k, idx] = rng.choice([-1.0, 1.0], n_informative) * rng.uniform(0.5, 1.5, n_informative)
    logits = scale * X @ coef.T
    logits -= logits.max(axis=1, keepdims=True)
    prob = np.exp(logits)
    prob /= prob.sum(axis=1, keepdims=True)
    u = rng.random_sample((n_samples, 1))
    y = (u > np.cumsum(prob, axis=1)).sum(axis=1)
    y = np.minimum(y, n_classes - 1)
    return X, y.astype(np.int64), coef
