"""Semi-NMF: signed (optionally sparse) features, non-negative codes (Ding, Li & Jordan 2010)."""

import math
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sparsestat.decomposition import _nmf_core as core
from sparsestat.decomposition._nmf_utils import check_rank

__all__ = ["SemiNMF"]


def _pos(A):
    return 0.5 * (np.abs(A) + A)


def _neg(A):
    return 0.5 * (np.abs(A) - A)


def _keep_top(F, n_keep):
    """Winner-take-all per column: keep the ``n_keep`` entries of largest magnitude of each column."""
    d = F.shape[0]
    if n_keep >= d:
        return F
    idx = np.argpartition(-np.abs(F), n_keep - 1, axis=0)[:n_keep]
    out = np.zeros_like(F)
    cols = np.arange(F.shape[1])[None, :]
    out[idx, cols] = F[idx, cols]
    return out


class SemiNMF(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Semi-non-negative matrix factorisation with optional top-k sparsity of the features.

    Factors signed data :math:`X \\approx G F^T` (scikit-learn orientation; the papers write
    :math:`A = X^T \\approx F G^T`) with signed features :math:`F` (``components_ = F^T``) and
    non-negative codes :math:`G \\ge 0`:

    .. math::

        \\min_{F,\\ G \\ge 0} \\|X - G F^T\\|_F^2

    Each iteration (Ding et al., 2010; the sparse variant of Shafran et al., 2025):

    1. :math:`F \\leftarrow X^T G (G^T G + \\epsilon I)^{-1}` (ridge solve, ``ridge`` = :math:`\\epsilon`);
    2. optional winner-take-all: keep the :math:`\\lceil s d \\rceil` largest-magnitude entries of each
       feature (``component_sparsity`` = s);
    3. rescale each code column to unit norm (and its feature by the old norm);
    4. :math:`G \\leftarrow G \\odot \\sqrt{([X F]^+ + G [F^T F]^-) / ([X F]^- + G [F^T F]^+)}`.

    Without sparsity the loss is non-increasing (tested); the best iterate is kept and the run stops
    after ``patience`` iterations without a relative improvement above ``tol``. Semi-NMF does not use
    the shared NMF core (its features are signed); ``transform`` solves the non-negative least squares
    for the codes with the core's HALS.

    Parameters
    ----------
    n_components : int, default=8
        Number of features K.
    component_sparsity : float in (0, 1] or None, default=None
        Kept fraction s of each feature's entries (None: dense features).
    init : {"svd", "random", "kmeans"}, default="svd"
        Initial codes: clamped scaled right singular vectors, uniform, or k-means one-hot (+0.2).
    ridge : float, default=1e-6
        Ridge :math:`\\epsilon` of the F solve.
    max_iter : int, default=500
        Maximum iterations.
    tol : float, default=1e-4
        Relative improvement that resets the patience counter.
    patience : int, default=100
        Iterations without improvement before stopping.
    random_state : int, RandomState or None, default=None
        Seed.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        Signed (sparse when requested) features :math:`F^T`.
    codes_ : ndarray of shape (n_samples, n_components)
        Non-negative codes G of the training data (best iterate).
    reconstruction_err_ : float
        :math:`\\|X - G F^T\\|_F` of the best iterate.
    loss_curve_ : list of float
        Squared error after each iteration.
    n_iter_ : int
        Iterations run.
    n_features_in_ : int
        Number of features seen during fit.

    References
    ----------
    .. [1] C. Ding, T. Li, M. I. Jordan, "Convex and semi-nonnegative matrix factorizations", IEEE
       TPAMI 32(1), 2010.
    .. [2] O. Shafran, A. Geiger, M. Geva, "Decomposing MLP activations into interpretable features via
       semi-nonnegative matrix factorization", arXiv 2506.10920, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.decomposition import SemiNMF
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((100, 3)) @ rng.standard_normal((3, 20))
    >>> model = SemiNMF(n_components=3, random_state=0).fit(X)
    >>> bool(model.reconstruction_err_ < 1e-2 * np.linalg.norm(X))
    True
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "component_sparsity": [Interval(Real, 0, 1, closed="right"), None],
        "init": [StrOptions({"svd", "random", "kmeans"})],
        "ridge": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, n_components=8, *, component_sparsity=None, init="svd", ridge=1e-6, max_iter=500, tol=1e-4,
                 patience=100, random_state=None):
        self.n_components = n_components
        self.component_sparsity = component_sparsity
        self.init = init
        self.ridge = ridge
        self.max_iter = max_iter
        self.tol = tol
        self.patience = patience
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _init_codes(self, X, k, rng):
        n = X.shape[0]
        if self.init == "random":
            return np.maximum(rng.random_sample((n, k)), 1e-6)
        if self.init == "kmeans":
            from sklearn.cluster import KMeans

            labels = KMeans(k, n_init=3, random_state=rng.randint(2**31 - 1)).fit_predict(X)
            G = np.full((n, k), 0.2)
            G[np.arange(n), labels] += 1.0
            return G
        U, s, _ = np.linalg.svd(X, full_matrices=False)
        G = np.zeros((n, k))
        r = min(k, len(s))
        G[:, :r] = U[:, :r] * np.sqrt(s[:r])
        G = np.abs(G)  # sign-flipped singular vectors are as good a start; keep all non-negative
        return np.maximum(G, 1e-6)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit and return the non-negative codes G.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Signed data.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        G : ndarray of shape (n_samples, n_components)
            The codes.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        dtype = X.dtype
        Xd = np.asarray(X, dtype=np.float64)
        n, d = Xd.shape
        k = check_rank(self.n_components, Xd.shape, estimator="SemiNMF")
        rng = check_random_state(self.random_state)
        G = self._init_codes(Xd, k, rng)
        n_keep = None if self.component_sparsity is None else max(1, math.ceil(self.component_sparsity * d))
        best = (np.inf, None, None)
        hist = []
        stall = 0
        it = 0
        for it in range(1, self.max_iter + 1):  # noqa: B007 - it is the iteration count stored
            F = np.linalg.solve(G.T @ G + self.ridge * np.eye(k), G.T @ Xd).T  # (d, k)
            if n_keep is not None:
                F = _keep_top(F, n_keep)
            norms = np.linalg.norm(G, axis=0)
            norms[norms == 0] = 1.0
            G = G / norms
            F = F * norms
            XF = Xd @ F
            FtF = F.T @ F
            G = G * np.sqrt((_pos(XF) + G @ _neg(FtF)) / (_neg(XF) + G @ _pos(FtF) + 1e-12))
            loss = float(np.sum((Xd - G @ F.T) ** 2))
            hist.append(loss)
            if loss < best[0] * (1 - self.tol):
                stall = 0
            else:
                stall += 1
            if loss < best[0]:
                best = (loss, F.copy(), G.copy())
            if stall >= self.patience:
                break
        else:
            if self.tol > 0 and stall == 0 and len(hist) > 1:
                warnings.warn(f"SemiNMF still improved by more than tol={self.tol} at max_iter={self.max_iter}; "
                              "increase max_iter.", ConvergenceWarning)
        loss, F, G = best
        # exact codes for the final features (never worse), so that fit_transform(X) == transform(X)
        G = self._codes(Xd, F)
        loss = float(np.sum((Xd - G @ F.T) ** 2))
        self.components_ = F.T.astype(dtype)
        self.codes_ = G.astype(dtype)
        self.reconstruction_err_ = float(np.sqrt(loss))
        self.loss_curve_ = hist
        self.n_iter_ = it
        self.n_components_ = k
        return self.codes_

    def fit(self, X, y=None):
        """Fit the semi-NMF model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Signed data.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : SemiNMF
            The fitted estimator.
        """
        self.fit_transform(X)
        return self

    def transform(self, X):
        """Non-negative codes of new samples with the features fixed (NNLS by HALS).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Signed data.

        Returns
        -------
        G : ndarray of shape (n_samples, n_components)
            The codes.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return self._codes(np.asarray(X, dtype=np.float64), self.components_.T.astype(np.float64)).astype(X.dtype)

    @staticmethod
    def _codes(Xd, F):
        k = F.shape[1]
        G = np.full((Xd.shape[0], k), 1.0 / k)
        data = core.make_data(Xd)
        core.solve(data, G, np.ascontiguousarray(F), core.Penalty(), max_iter=300, tol=1e-12, update_H=False,
                   n_inner=200, inner_ratio=1e-8)
        return G

    def inverse_transform(self, X):
        """Reconstruct data from codes: ``X @ components_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes G.

        Returns
        -------
        X_hat : ndarray of shape (n_samples, n_features)
            The reconstruction.
        """
        check_is_fitted(self)
        return np.asarray(X) @ self.components_
