"""Shared helpers of the NMF family: input checks, observation masks, initialisations."""

import numbers
import warnings

import numpy as np
import scipy.sparse as sp

__all__ = []


def check_nonnegative(X, name, *, estimator="NMF"):
    """Raise a ``ValueError`` when ``X`` (dense with NaN, or sparse) has a negative entry."""
    data = X.data if sp.issparse(X) else X
    if data.size and np.nanmin(data) < 0:
        raise ValueError(
            f"Negative values in data passed to {estimator} ({name}); it needs a non-negative {name}. "
            "Shift or clip the data, or use SemiNMF for signed data."
        )


def observation_mask(X, mask, implicit_zeros):
    """Combine NaN entries, an explicit ``mask`` and the sparse convention into one description.

    Returns ``(X_clean, mask_spec, n_observed)`` where ``mask_spec`` is None (all observed), a dense
    float 0/1 array, or ``"stored"`` (the stored entries of a sparse ``X_clean`` are observed).
    """
    n, m = X.shape
    if sp.issparse(X):
        X = X.tocsr()
        if mask is not None:
            mask = _check_mask(mask, X.shape)
            return X.toarray(), mask, int(mask.sum())
        if implicit_zeros == "missing":
            X = X.copy()
            X.sum_duplicates()
            return X, "stored", int(X.nnz)
        return X, None, n * m
    nan = np.isnan(X)
    has_nan = bool(nan.any())
    if mask is None:
        if not has_nan:
            return X, None, n * m
        M = (~nan).astype(np.float64)
    else:
        M = _check_mask(mask, X.shape)
        if np.any(nan & (M > 0)):
            raise ValueError("mask marks entries as observed where X is NaN; set mask to 0 (False) there.")
    X = np.where(M > 0, X, 0.0) if has_nan else X
    if M.all():
        return X, None, n * m
    return X, M, int(M.sum())


def _check_mask(mask, shape):
    if sp.issparse(mask):
        mask = mask.toarray()
    mask = np.asarray(mask)
    if mask.shape != shape:
        raise ValueError(f"mask must have the shape of X {shape}, got {mask.shape}.")
    if mask.dtype == bool:
        return mask.astype(np.float64)
    if not np.isin(mask, (0, 1)).all():
        raise ValueError("mask must be boolean or contain only 0 and 1 (1 = observed).")
    return mask.astype(np.float64)


def check_no_empty_lines(X, mask_spec, *, what="X"):
    """Raise when a row or a column has no observed entry (its factor would be undetermined)."""
    if mask_spec is None:
        return
    if isinstance(mask_spec, str):
        rows = np.diff(X.tocsr().indptr)
        cols = np.diff(X.tocsc().indptr)
    else:
        rows = mask_spec.sum(axis=1)
        cols = mask_spec.sum(axis=0)
    if np.any(rows == 0):
        raise ValueError(
            f"{what} has {int(np.sum(rows == 0))} row(s) with no observed entry (e.g. row "
            f"{int(np.flatnonzero(rows == 0)[0])}); drop them or observe at least one entry per row."
        )
    if np.any(cols == 0):
        raise ValueError(
            f"{what} has {int(np.sum(cols == 0))} column(s) with no observed entry (e.g. column "
            f"{int(np.flatnonzero(cols == 0)[0])}); drop them or observe at least one entry per column."
        )


def check_rank(n_components, shape, *, estimator="NMF"):
    """Validate a rank: positive int (clear error), warn when above min(n, m)."""
    if isinstance(n_components, bool) or not isinstance(n_components, numbers.Integral):
        raise TypeError(f"n_components must be a positive integer, got {n_components!r}.")
    if n_components < 1:
        raise ValueError(f"n_components must be >= 1, got {n_components}; pass the factorisation rank.")
    if n_components > min(shape):
        warnings.warn(
            f"n_components={n_components} exceeds min(n_samples, n_features)={min(shape)}: {estimator} is "
            "then not identifiable and the extra components are redundant.",
            UserWarning,
        )
    return int(n_components)


def filled_for_init(X, mask_spec):
    """Zero-filled data rescaled by the observed fraction (dense or sparse), used by SVD inits."""
    if mask_spec is None:
        return X
    if isinstance(mask_spec, str):
        frac = X.nnz / (X.shape[0] * X.shape[1])
        return X / frac
    frac = mask_spec.mean()
    return (X * mask_spec) / frac


def nndsvd_init(X, k, variant="nndsvda", random_state=None, eps=1e-6):
    """NNDSVD initialisation (Boutsidis & Gallopoulos 2008), as in scikit-learn; float64 output.

    Uses :func:`sklearn.utils.extmath.randomized_svd` with ``random_state`` so that the starting
    point equals scikit-learn's for the same seed.
    """
    from sklearn.utils import check_random_state
    from sklearn.utils.extmath import randomized_svd

    U, S, Vt = randomized_svd(X, k, random_state=random_state)
    n, m = X.shape
    W = np.zeros((n, k))
    H = np.zeros((k, m))
    W[:, 0] = np.sqrt(S[0]) * np.abs(U[:, 0])
    H[0, :] = np.sqrt(S[0]) * np.abs(Vt[0, :])
    for j in range(1, k):
        x, y = U[:, j], Vt[j, :]
        x_p, y_p = np.maximum(x, 0), np.maximum(y, 0)
        x_n, y_n = np.abs(np.minimum(x, 0)), np.abs(np.minimum(y, 0))
        x_p_nrm, y_p_nrm = np.linalg.norm(x_p), np.linalg.norm(y_p)
        x_n_nrm, y_n_nrm = np.linalg.norm(x_n), np.linalg.norm(y_n)
        m_p, m_n = x_p_nrm * y_p_nrm, x_n_nrm * y_n_nrm
        if m_p > m_n:
            u, v, sigma = x_p / x_p_nrm, y_p / y_p_nrm, m_p
        else:
            u, v, sigma = x_n / x_n_nrm, y_n / y_n_nrm, m_n
        lbd = np.sqrt(S[j] * sigma)
        W[:, j] = lbd * u
        H[j, :] = lbd * v
    W[W < eps] = 0
    H[H < eps] = 0
    if variant == "nndsvda":
        avg = X.mean()
        W[W == 0] = avg
        H[H == 0] = avg
    elif variant == "nndsvdar":
        rng = check_random_state(random_state)
        avg = X.mean()
        W[W == 0] = abs(avg * rng.standard_normal(size=len(W[W == 0])) / 100)
        H[H == 0] = abs(avg * rng.standard_normal(size=len(H[H == 0])) / 100)
    return W, H


def random_init(X_mean, shape_W, shape_H, random_state=None):
    """scikit-learn's random init: |N(0, 1)| scaled by sqrt(mean(X) / k)."""
    from sklearn.utils import check_random_state

    rng = check_random_state(random_state)
    k = shape_W[1]
    avg = np.sqrt(max(X_mean, 0.0) / k)
    H = avg * rng.standard_normal(size=shape_H)
    W = avg * rng.standard_normal(size=shape_W)
    np.abs(H, out=H)
    np.abs(W, out=W)
    return W, H


def mean_observed(X, mask_spec):
    """Mean of the observed entries."""
    if mask_spec is None:
        return float(X.mean())
    if isinstance(mask_spec, str):
        return float(X.data.mean()) if X.nnz else 0.0
    return float((X * mask_spec).sum() / max(mask_spec.sum(), 1.0))
