"""Data preparation shared by the penalised least-squares estimators.

Centring is implicit (column means are passed to the kernels), sample weights
are normalised to sum to ``n_samples`` and enter as a row scaling by their
square root, sparse designs stay CSC and are never densified.
"""

import numpy as np
import scipy.sparse as sp

__all__ = ["PreparedData", "prepare_data", "alpha_max", "effective_tols"]


class PreparedData:
    """Row-scaled design and response plus the quantities the kernels need.

    Attributes
    ----------
    Xd, Xi, Xp, is_sparse : kernel view of the (row-scaled, uncentred) design
        (dense: ``Xd`` is the Fortran buffer raveled, ``Xi``/``Xp`` unused)
    ys : ndarray (n_samples,) or (n_samples, n_targets), centred and row-scaled response
    u : ndarray (n_samples,), square roots of the normalised weights
    x_mean, y_mean : weighted means (zeros without intercept)
    col_sq : squared norms of the centred, row-scaled columns
    n : float, sum of normalised weights (= n_samples)
    """

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def kernel_args(self):
        return self.Xd, self.Xi, self.Xp, self.is_sparse


def _index_dtype(arr):
    if arr.dtype == np.int32:
        return arr
    small = arr.size == 0 or arr.max() < np.iinfo(np.int32).max
    return arr.astype(np.int32 if small else np.int64)


def prepare_data(X, y, sample_weight, fit_intercept):
    """Scale rows by sqrt(weights), compute weighted means, build the kernel view.

    Parameters
    ----------
    X : ndarray (Fortran) or CSC matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
    sample_weight : ndarray of shape (n_samples,) or None (validated, non-negative)
    fit_intercept : bool

    Returns
    -------
    PreparedData
    """
    n_samples, n_features = X.shape
    dtype = X.dtype
    if sample_weight is None:
        u = np.ones(n_samples)
        sw = None
    else:
        sw = np.asarray(sample_weight, dtype=np.float64) * (n_samples / np.sum(sample_weight))
        u = np.sqrt(sw)
    n_total = float(n_samples)
    if fit_intercept:
        if sw is None:
            x_mean = np.asarray(X.mean(axis=0), dtype=np.float64).ravel()
            y_mean = np.mean(y, axis=0, dtype=np.float64)
        else:
            x_mean = np.asarray(sw @ X, dtype=np.float64).ravel() / n_total
            y_mean = (sw @ np.asarray(y, dtype=np.float64)) / n_total
    else:
        x_mean = np.zeros(n_features)
        y_mean = np.zeros(y.shape[1:]) if y.ndim > 1 else 0.0
    yc = np.asarray(y, dtype=np.float64) - y_mean
    ys = (yc * (u if yc.ndim == 1 else u[:, None])).astype(dtype)
    if sp.issparse(X):
        Xs = X if sw is None else sp.csc_matrix(sp.diags(u.astype(dtype)) @ X)
        Xs = Xs if Xs.format == "csc" else sp.csc_matrix(Xs)
        if not Xs.has_sorted_indices:
            Xs = Xs.sorted_indices()
        Xd = np.ascontiguousarray(Xs.data, dtype=dtype)
        Xi = _index_dtype(Xs.indices)
        Xp = Xs.indptr.astype(Xi.dtype)
        is_sparse = True
        from sparsestat.linear_model._cd import csc_col_sq

        sq = csc_col_sq(Xd, Xp)
    else:
        Xk = np.asfortranarray(X if sw is None else X * u[:, None].astype(dtype))
        Xd = Xk.ravel(order="F")  # a view: column j is Xd[j * n:(j + 1) * n]
        Xi = np.empty(0, dtype=np.int32)
        Xp = np.zeros(1, dtype=np.int32)
        is_sparse = False
        sq = np.einsum("ij,ij->j", Xk, Xk, dtype=np.float64)
    col_sq = np.maximum(sq - n_total * x_mean**2, 0.0)
    # guard against cancellation for (near-)constant columns
    col_sq[col_sq <= 1e-12 * np.maximum(sq, 1e-300)] = 0.0
    return PreparedData(Xd=Xd, Xi=Xi, Xp=Xp, is_sparse=is_sparse, ys=ys, u=u, x_mean=x_mean,
                        y_mean=y_mean, col_sq=col_sq, n=n_total, Xs_matrix=Xs if sp.issparse(X) else Xk,
                        sw=sw)


def centred_correlation(data, v):
    """``Xc^T v`` for the centred, row-scaled design, without densifying."""
    Xs = data.Xs_matrix
    corr = np.asarray(Xs.T @ v, dtype=np.float64)
    s = data.u @ v
    if v.ndim == 1:
        return corr - data.x_mean * s
    return corr - np.outer(data.x_mean, s)


def alpha_max(data, l1_ratio=1.0, penalty_factor=None, positive=False):
    """Smallest alpha for which all penalised coefficients are zero (per target, maximum).

    With ``penalty_factor`` zeros, the unpenalised features are fitted first by
    least squares, as glmnet does.
    """
    ys = data.ys
    pf = np.ones(data.col_sq.shape[0]) if penalty_factor is None else penalty_factor
    free = pf == 0
    if np.any(free):
        Xs = data.Xs_matrix
        Xf = Xs[:, np.flatnonzero(free)]
        Xf = Xf.toarray() if sp.issparse(Xf) else np.asarray(Xf)
        Xf = Xf - np.outer(data.u, data.x_mean[free])
        coef, *_ = np.linalg.lstsq(Xf, ys, rcond=None)
        ys = ys - Xf @ coef
    corr = centred_correlation(data, ys)
    if corr.ndim > 1:
        corr = corr if positive else np.abs(corr)
        corr = corr.max(axis=1)
    elif not positive:
        corr = np.abs(corr)
    penalised = pf > 0
    if not np.any(penalised):
        return 1.0
    amax = np.max(corr[penalised] / pf[penalised]) / (data.n * max(l1_ratio, 1e-3))
    return float(amax) if amax > 0 else float(np.finfo(np.float64).tiny)


def effective_tols(data, tol, gap_based):
    """Absolute stopping tolerance of each target, in the scaled objective.

    On the duality gap: ``tol * ||ys_t||^2 / n`` (scikit-learn's rule). On the
    KKT residual: ``tol * ||Xc^T ys_t||_inf / n`` (1 when that is 0).
    """
    Y = data.ys[:, None] if data.ys.ndim == 1 else data.ys
    if gap_based:
        return tol * np.einsum("ij,ij->j", Y, Y, dtype=np.float64) / data.n
    scale = np.max(np.abs(centred_correlation(data, Y.astype(np.float64))), axis=0) / data.n
    return tol * np.where(scale > 0, scale, 1.0)
