"""Variance inflation factors and iterative VIF screening."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.feature_selection import SelectorMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["VIFSelector", "variance_inflation_factors"]


def _standardise(X):
    Xc = X - X.mean(axis=0)
    sd = np.sqrt((Xc * Xc).sum(axis=0))
    const = sd <= 1e-12 * np.maximum(np.abs(X).max(axis=0), 1e-300)
    Z = np.divide(Xc, sd, out=np.zeros_like(Xc), where=~const)
    return Z, const


def _dependent_columns(Z, cols):
    """Columns of Z[:, cols] that are exact linear combinations of the others (pivoted QR)."""
    from scipy.linalg import qr

    if len(cols) == 0:
        return []
    _, R, piv = qr(Z[:, cols], mode="economic", pivoting=True)
    d = np.abs(np.diag(R))
    tol = max(Z.shape) * np.finfo(float).eps * (d[0] if d.size else 0.0) * 10
    rank = int(np.sum(d > tol))
    return [cols[i] for i in piv[rank:]]


def variance_inflation_factors(X):
    """Variance inflation factor of every column of X.

    ``VIF_j = 1 / (1 - R_j^2)`` with ``R_j^2`` from regressing column ``j`` on
    all the others with an intercept, i.e. the diagonal of the inverse
    correlation matrix. Constant columns and columns in an exact linear
    dependency get ``inf``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data.

    Returns
    -------
    vif : ndarray of shape (n_features,)
        Variance inflation factors (>= 1).

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.feature_selection import variance_inflation_factors
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 3)); X[:, 2] = X[:, 0] + 0.1 * rng.standard_normal(200)
    >>> vif = variance_inflation_factors(X)
    >>> bool(vif[2] > 50 and vif[1] < 1.2)
    True
    """
    from sklearn.utils import check_array

    X = check_array(X, dtype=np.float64)
    Z, const = _standardise(X)
    p = X.shape[1]
    vif = np.full(p, np.inf)
    cols = [j for j in range(p) if not const[j]]
    dep = _dependent_columns(Z, cols)
    if dep:
        # every column with a non-zero weight in a null vector has R^2 = 1
        Zk = Z[:, cols]
        _, s, Vt = np.linalg.svd(Zk, full_matrices=False)
        null = Vt[s <= s[0] * max(Zk.shape) * np.finfo(float).eps * 10]
        involved = np.any(np.abs(null) > 1e-8, axis=0)
        free = [c for c, inv in zip(cols, involved) if not inv]
        for j in free:
            others = [c for c in cols if c != j]
            coef, *_ = np.linalg.lstsq(Z[:, others], Z[:, j], rcond=None)
            res = Z[:, j] - Z[:, others] @ coef
            vif[j] = 1.0 / max(res @ res, np.finfo(float).tiny)
        return vif
    if cols:
        corr = Z[:, cols].T @ Z[:, cols]
        vif[cols] = np.diag(np.linalg.inv(corr))
    return vif


class VIFSelector(SelectorMixin, BaseEstimator):
    """Drop features whose variance inflation factor exceeds a threshold.

    With ``iterative=True`` the feature with the largest VIF is dropped and
    the VIFs recomputed, until every remaining VIF is at most ``threshold``;
    the inverse correlation matrix is downdated by a Schur complement,
    ``S' = S[-j,-j] - S[-j,j] S[j,-j] / S[j,j]``, so each removal costs
    O(p²). Constant columns and columns in an exact linear dependency
    (found by a pivoted QR) are dropped first (VIF = inf). With
    ``iterative=False`` all features above the threshold are dropped at once.

    Parameters
    ----------
    threshold : float, default=10.0
        Largest VIF kept.
    iterative : bool, default=True
        Drop one feature at a time and recompute.
    always_keep : array-like of int, default=None
        Indices of features never dropped (they still count in the VIFs of others).

    Attributes
    ----------
    vif_ : ndarray of shape (n_features,)
        Final VIF of each kept feature (``nan`` for dropped ones).
    vif_history_ : list of (int, float)
        ``(dropped feature, its VIF at removal)`` in order.
    support_ : ndarray of shape (n_features,) of bool
        Kept features.
    dropped_ : ndarray of int
        Dropped features, in order of removal.
    n_features_in_ : int
        Number of features seen in fit.

    See Also
    --------
    variance_inflation_factors : The VIFs of all columns.

    Notes
    -----
    The VIFs equal statsmodels' ``variance_inflation_factor`` on the design
    with a constant column added.

    References
    ----------
    .. [1] X. Liao et al., "What Benefits Drive Membership in Medicare
       Advantage Plans?", arXiv:2511.08603, 2025 (VIF screening before a
       multinomial Lasso).

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.feature_selection import VIFSelector
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 4)); X[:, 3] = X[:, 0] + 0.05 * rng.standard_normal(200)
    >>> sel = VIFSelector(threshold=10).fit(X)
    >>> sel.get_support().tolist()
    [True, True, True, False]
    """

    _parameter_constraints = {
        "threshold": [Interval(numbers.Real, 1, None, closed="left")],
        "iterative": ["boolean"],
        "always_keep": ["array-like", None],
    }

    def __init__(self, threshold=10.0, *, iterative=True, always_keep=None):
        self.threshold = threshold
        self.iterative = iterative
        self.always_keep = always_keep

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the VIFs and choose the features to keep.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data.
        y : None
            Ignored.

        Returns
        -------
        self : VIFSelector
            Fitted selector.
        """
        X = validate_data(self, X, dtype=np.float64)
        p = X.shape[1]
        keep_always = np.zeros(p, dtype=bool)
        if self.always_keep is not None:
            idx = np.asarray(self.always_keep, dtype=np.int64).ravel()
            if np.any(idx < 0) or np.any(idx >= p):
                raise ValueError(f"always_keep must hold feature indices in [0, {p}), got {idx.tolist()}.")
            keep_always[idx] = True
        Z, const = _standardise(X)
        history = []
        support = np.ones(p, dtype=bool)
        for j in np.flatnonzero(const & ~keep_always):
            support[j] = False
            history.append((int(j), float("inf")))
        while True:
            cols = list(np.flatnonzero(support))
            dep = [j for j in _dependent_columns(Z, [c for c in cols if not const[c]]) if not keep_always[j]]
            if not dep:
                break
            support[dep[-1]] = False
            history.append((int(dep[-1]), float("inf")))
        cols = np.flatnonzero(support & ~const)
        vif = np.full(p, np.nan)
        if cols.size:
            S = np.linalg.inv(Z[:, cols].T @ Z[:, cols])
            idx = list(cols)
            if self.iterative:
                while True:
                    d = np.diag(S).copy()
                    cand = np.array([not keep_always[c] for c in idx])
                    if not np.any(cand) or d[cand].max() <= self.threshold:
                        break
                    k = int(np.flatnonzero(cand)[np.argmax(d[cand])])
                    history.append((int(idx[k]), float(d[k])))
                    support[idx[k]] = False
                    rest = np.arange(len(idx)) != k
                    S = S[np.ix_(rest, rest)] - np.outer(S[rest, k], S[k, rest]) / S[k, k]
                    idx.pop(k)
            else:
                d = np.diag(S)
                order = np.argsort(-d)
                for k in order:
                    if d[k] > self.threshold and not keep_always[idx[k]]:
                        history.append((int(idx[k]), float(d[k])))
                        support[idx[k]] = False
                kept = [k for k in range(len(idx)) if support[idx[k]]]
                idx = [idx[k] for k in kept]
                S = np.linalg.inv(Z[:, idx].T @ Z[:, idx]) if idx else np.zeros((0, 0))
            vif[idx] = np.diag(S)
        vif[support & const] = np.inf
        self.vif_ = vif
        self.vif_history_ = history
        self.support_ = support
        self.dropped_ = np.array([h[0] for h in history], dtype=np.int64)
        return self

    def _get_support_mask(self):
        check_is_fitted(self)
        return self.support_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
