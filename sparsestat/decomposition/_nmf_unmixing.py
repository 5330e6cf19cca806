"""Hyperspectral unmixing NMFs: structured sparse (graph + l1) and correntropy (half-quadratic) NMF.

Orientation: ``X`` is (n_pixels, n_bands) = Y^T of the unmixing papers; ``components_`` (K, n_bands)
are the endmember spectra M^T and the codes (n_pixels, K) the abundances A^T.
"""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sparsestat.decomposition import _nmf_core as core
from sparsestat.decomposition._nmf_utils import check_nonnegative, check_rank, nndsvd_init, random_init

__all__ = ["StructuredSparseNMF", "CorrentropyNMF", "vca", "spectral_angle_distance", "abundance_rmse"]


# ---------------------------------------------------------------------------------------------
# VCA initialisation and unmixing metrics
# ---------------------------------------------------------------------------------------------


def vca(X, n_endmembers, *, random_state=None):
    """Vertex component analysis: pick ``n_endmembers`` extreme pixels as endmember spectra.

    Projects the pixels on the top singular subspace, then repeatedly projects them on a random
    direction orthogonal to the endmembers found so far and takes the most extreme pixel
    (Nascimento & Bioucas-Dias, 2005; the projective projection of the high-SNR case).

    Parameters
    ----------
    X : array-like of shape (n_pixels, n_bands)
        Non-negative pixel spectra.
    n_endmembers : int
        Number of endmembers K.
    random_state : int, RandomState or None, default=None
        Seed of the random directions.

    Returns
    -------
    endmembers : ndarray of shape (n_endmembers, n_bands)
        The selected pixel spectra.
    indices : ndarray of shape (n_endmembers,)
        Their pixel indices.

    References
    ----------
    .. [1] J. M. P. Nascimento and J. M. Bioucas-Dias, "Vertex component analysis: a fast algorithm
       to unmix hyperspectral data", IEEE TGRS 43(4), 2005.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.decomposition import vca
    >>> E = np.eye(3)
    >>> A = np.random.default_rng(0).dirichlet(np.ones(3), size=50)
    >>> X = np.vstack([A @ E, E])
    >>> sorted(vca(X, 3, random_state=0)[1].tolist())
    [50, 51, 52]
    """
    X = np.asarray(X, dtype=np.float64)
    rng = check_random_state(random_state)
    N, L = X.shape
    K = int(n_endmembers)
    U, _, _ = np.linalg.svd(X.T @ X / N)
    Xp = X @ U[:, :K]  # (N, K)
    u = Xp.mean(axis=0)
    denom = Xp @ u
    denom[np.abs(denom) < 1e-12] = 1e-12
    Yp = (Xp / denom[:, None]).T  # (K, N) projective projection
    A = np.zeros((K, K))
    A[-1, 0] = 1.0
    idx = np.zeros(K, dtype=np.int64)
    for i in range(K):
        w = rng.random_sample(K)
        f = w - A @ np.linalg.pinv(A) @ w
        f /= max(np.linalg.norm(f), 1e-300)
        v = f @ Yp
        idx[i] = int(np.argmax(np.abs(v)))
        A[:, i] = Yp[:, idx[i]]
    return X[idx].copy(), idx


def _angles(E_true, E_est):
    Tn = E_true / np.maximum(np.linalg.norm(E_true, axis=1, keepdims=True), 1e-300)
    En = E_est / np.maximum(np.linalg.norm(E_est, axis=1, keepdims=True), 1e-300)
    return np.arccos(np.clip(Tn @ En.T, -1.0, 1.0))


def spectral_angle_distance(E_true, E_est, *, match=True, return_permutation=False):
    """Mean spectral angle (radians) between true and estimated endmembers.

    Parameters
    ----------
    E_true : array-like of shape (K, n_bands)
        True endmember spectra.
    E_est : array-like of shape (K, n_bands)
        Estimated spectra (``components_``).
    match : bool, default=True
        Pair the spectra by the Hungarian algorithm on the angle matrix (else in order).
    return_permutation : bool, default=False
        Also return ``perm`` such that ``E_est[perm[r]]`` matches ``E_true[r]``.

    Returns
    -------
    sad : float
        Mean angle :math:`\\arccos(\\langle t, e\\rangle / \\|t\\|\\|e\\|)` over the matched pairs.
    perm : ndarray of shape (K,)
        Only when ``return_permutation`` is True.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.decomposition import spectral_angle_distance
    >>> E = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> float(spectral_angle_distance(E, 2 * E[::-1]))
    0.0
    """
    from scipy.optimize import linear_sum_assignment

    E_true = np.asarray(E_true, dtype=np.float64)
    E_est = np.asarray(E_est, dtype=np.float64)
    if E_true.shape != E_est.shape:
        raise ValueError(f"E_true and E_est must have the same shape, got {E_true.shape} and {E_est.shape}.")
    ang = _angles(E_true, E_est)
    if match:
        rows, perm = linear_sum_assignment(ang)
    else:
        rows, perm = np.arange(len(ang)), np.arange(len(ang))
    sad = float(ang[rows, perm].mean())
    return (sad, perm) if return_permutation else sad


def abundance_rmse(A_true, A_est, *, permutation=None, E_true=None, E_est=None):
    """Root mean squared error between abundance maps after matching (and rescaling) the endmembers.

    Parameters
    ----------
    A_true : array-like of shape (n_pixels, K)
        True abundances.
    A_est : array-like of shape (n_pixels, K)
        Estimated abundances (the codes).
    permutation : array-like of shape (K,) or None, default=None
        ``A_est[:, permutation[r]]`` is compared with ``A_true[:, r]`` (from
        :func:`spectral_angle_distance`); identity when None.
    E_true : array-like of shape (K, n_bands) or None, default=None
        True endmembers; with ``E_est``, each estimated abundance column is rescaled by the factor that
        best maps its endmember onto the true one (NMF's scale ambiguity).
    E_est : array-like of shape (K, n_bands) or None, default=None
        Estimated endmembers.

    Returns
    -------
    rmse : float
        :math:`\\sqrt{\\mathrm{mean}((A_{true} - A_{est})^2)}`.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.decomposition import abundance_rmse
    >>> A = np.array([[0.2, 0.8], [0.5, 0.5]])
    >>> abundance_rmse(A, A[:, ::-1], permutation=[1, 0])
    0.0
    """
    A_true = np.asarray(A_true, dtype=np.float64)
    A_est = np.asarray(A_est, dtype=np.float64)
    K = A_true.shape[1]
    perm = np.arange(K) if permutation is None else np.asarray(permutation)
    A = A_est[:, perm].copy()
    if E_true is not None and E_est is not None:
        Et = np.asarray(E_true, dtype=np.float64)
        Ee = np.asarray(E_est, dtype=np.float64)[perm]
        scale = np.sum(Ee * Ee, axis=1) / np.maximum(np.sum(Ee * Et, axis=1), 1e-300)
        A *= scale[None, :]
    return float(np.sqrt(np.mean((A_true - A) ** 2)))


# ---------------------------------------------------------------------------------------------
# shared estimator machinery
# ---------------------------------------------------------------------------------------------


class _UnmixingBase(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _validate(self, X, reset):
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=reset)
        check_nonnegative(X, "X", estimator=type(self).__name__)
        return X

    def _init_factors(self, X, k):
        init = self.init
        n, m = X.shape
        if k > min(n, m):  # VCA and NNDSVD need k <= min(n_pixels, n_bands) (a warning was raised already)
            init = "random"
        if init == "vca":
            E, _ = vca(X, k, random_state=self.random_state)
            H = np.maximum(E, 1e-12)
            W = np.full((n, k), 1.0 / k)
            data = core.make_data(X)
            core.solve(data, W, np.ascontiguousarray(H.T), core.Penalty(), max_iter=20, tol=1e-6, update_H=False)
            return W, H
        if init == "random":
            return random_init(float(X.mean()), (n, k), (k, m), self.random_state)
        return nndsvd_init(X, k, "nndsvda", self.random_state)

    def _abundances(self, X, l1, delta, col_w=None):
        """Abundances of ``X`` with the endmembers fixed (non-negative l1 least squares, exact)."""
        n = X.shape[0]
        k = self.components_.shape[0]
        data = core.make_data(np.asarray(X, dtype=np.float64), col_w=col_w)
        W = np.full((n, k), 1.0 / k)
        Ht = np.ascontiguousarray(self.components_.T, dtype=np.float64)
        core.solve(data, W, Ht, core.Penalty(l1_W=l1, delta=delta), max_iter=200, tol=1e-12, update_H=False,
                   n_inner=100, inner_ratio=1e-6)
        return W

    def inverse_transform(self, X):
        """Reconstruct spectra from abundances: ``X @ components_``.

        Parameters
        ----------
        X : array-like of shape (n_pixels, n_components)
            Abundances.

        Returns
        -------
        X_hat : ndarray of shape (n_pixels, n_bands)
            Reconstructed spectra.
        """
        check_is_fitted(self)
        return np.asarray(X) @ self.components_

    def fit(self, X, y=None):
        """Unmix ``X``: learn the endmembers (``components_``) and the abundances.

        Parameters
        ----------
        X : array-like of shape (n_pixels, n_bands)
            Non-negative pixel spectra.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self.fit_transform(X)
        return self


def _knn_heat_graph(X, n_neighbors, sigma, spatial_shape, graph):
    """Symmetric heat-kernel affinity S_ij = exp(-|x_i - x_j|^2 / sigma) on a kNN or spatial graph."""
    from sklearn.neighbors import kneighbors_graph

    n = X.shape[0]
    if graph == "spatial":
        if spatial_shape is None or int(np.prod(spatial_shape)) != n:
            raise ValueError(f"graph='spatial' needs spatial_shape=(rows, cols) with rows * cols = n_pixels = {n}, "
                             f"got {spatial_shape!r}.")
        r, c = (int(s) for s in spatial_shape)
        idx = np.arange(n).reshape(r, c)
        pairs = []
        for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
            a = idx[max(0, -dr):r - max(0, dr), max(0, -dc):c - max(0, dc)]
            b = idx[max(0, dr):r + min(0, dr) or None, max(0, dc):c + min(0, dc) or None]
            pairs.append((a.ravel(), b.ravel()))
        ii = np.concatenate([p[0] for p in pairs])
        jj = np.concatenate([p[1] for p in pairs])
        d2 = np.sum((X[ii] - X[jj]) ** 2, axis=1)
        D = sp.csr_matrix((d2, (ii, jj)), shape=(n, n))
    else:
        nn = min(int(n_neighbors), n - 1)
        if nn < 1:
            return sp.csr_matrix((n, n)), 1.0
        D = kneighbors_graph(X, nn, mode="distance", include_self=False).tocsr()
        D.data = D.data**2
    D = D.maximum(D.T).tocsr()
    if isinstance(sigma, str):
        sig = float(np.median(D.data)) if D.nnz else 1.0
        sig = sig if sig > 0 else 1.0
    else:
        sig = float(sigma)
    S = D.copy()
    S.data = np.exp(-D.data / sig)
    return S, sig


# ---------------------------------------------------------------------------------------------
# Structured sparse NMF
# ---------------------------------------------------------------------------------------------


class StructuredSparseNMF(_UnmixingBase):
    """Structured sparse NMF (SS-NMF): graph-Laplacian + l1 regularised NMF for hyperspectral unmixing.

    With pixels as rows (``X`` = Y^T, abundances W = A^T, endmembers H = M^T) it solves

    .. math::

        \\min_{W \\ge 0, H \\ge 0} \\tfrac12 \\|X - W H\\|_F^2 + \\tfrac{\\lambda}{2}\\mathrm{Tr}(W^T L W)
        + \\mu \\|W\\|_1 \\;\\left[+ \\tfrac{\\delta^2}{2} \\|1 - W 1\\|^2\\right]

    with :math:`L = D - S` the Laplacian of a heat-kernel kNN graph on the pixel spectra
    (:math:`S_{ij} = e^{-\\|x_i - x_j\\|^2/\\sigma}`, symmetrised), so that similar pixels get
    correlated sparse abundances (Zhu et al., 2014). The bracketed term is the optional abundance
    sum-to-one constraint by augmentation. Solved by the shared masked/weighted NMF core, with HALS
    (exact coordinate updates, default) or the paper's multiplicative updates; both decrease the
    objective monotonically.

    The objective form is reconstructed from the paper's abstract (graph + lasso); the updates are
    the standard graph-regularised NMF derivation.

    Parameters
    ----------
    n_components : int, default=4
        Number of endmembers K.
    lambda_graph : float, default=0.1
        Graph regularisation weight :math:`\\lambda`.
    alpha_l1 : float, default=0.1
        l1 weight :math:`\\mu` on the abundances.
    graph : {"knn", "spatial", "precomputed"}, default="knn"
        Pixel graph: kNN on spectra, the 8-neighbourhood of the image grid (``spatial_shape``), or an
        affinity passed as ``fit(X, affinity=S)``.
    n_neighbors : int, default=5
        Neighbours of the kNN graph.
    sigma : float or "auto", default="auto"
        Heat-kernel width (``"auto"``: median squared distance over the graph edges).
    spatial_shape : tuple of int or None, default=None
        (rows, cols) of the image for ``graph="spatial"``.
    sum_to_one : float or None, default=None
        Augmentation weight :math:`\\delta` of the abundance sum-to-one constraint (15-20 is usual).
    solver : {"hals", "mu"}, default="hals"
        Update rule.
    init : {"vca", "nndsvda", "random"}, default="vca"
        Initial endmembers (VCA pixels, NNDSVD or random).
    max_iter : int, default=1000
        Maximum iterations.
    tol : float, default=1e-4
        Relative objective change tolerance.
    random_state : int, RandomState or None, default=None
        Seed.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_bands)
        Endmember spectra.
    abundances_ : ndarray of shape (n_pixels, n_components)
        Abundances of the training pixels.
    graph_laplacian_ : scipy.sparse.csr_matrix of shape (n_pixels, n_pixels)
        The Laplacian L = D - S used.
    sigma_ : float
        Heat-kernel width used.
    reconstruction_err_ : float
        :math:`\\|X - W H\\|_F`.
    loss_curve_ : list of float
        Objective after each iteration.
    n_iter_ : int
        Iterations run.
    converged_ : bool
        Whether the tolerance was reached.
    n_features_in_ : int
        Number of bands seen during fit.

    References
    ----------
    .. [1] F. Zhu, Y. Wang, S. Xiang, B. Fan, C. Pan, "Structured sparse method for hyperspectral
       unmixing", ISPRS J. Photogramm. Remote Sens. 88, 2014 (arXiv 1403.4682).
    .. [2] D. Cai, X. He, J. Han, T. S. Huang, "Graph regularized nonnegative matrix factorization for
       data representation", IEEE TPAMI 33(8), 2011.

    Examples
    --------
    >>> from sparsestat.datasets import make_hyperspectral
    >>> from sparsestat.decomposition import StructuredSparseNMF, spectral_angle_distance
    >>> X, E, A, _ = make_hyperspectral(n_rows=16, n_cols=16, n_bands=40, snr=30, random_state=0)
    >>> model = StructuredSparseNMF(n_components=4, random_state=0).fit(X)
    >>> bool(spectral_angle_distance(E, model.components_) < 0.2)
    True
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "lambda_graph": [Interval(Real, 0, None, closed="left")],
        "alpha_l1": [Interval(Real, 0, None, closed="left")],
        "graph": [StrOptions({"knn", "spatial", "precomputed"})],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "sigma": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "spatial_shape": [tuple, list, None],
        "sum_to_one": [Interval(Real, 0, None, closed="neither"), None],
        "solver": [StrOptions({"hals", "mu"})],
        "init": [StrOptions({"vca", "nndsvda", "random"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, n_components=4, *, lambda_graph=0.1, alpha_l1=0.1, graph="knn", n_neighbors=5, sigma="auto",
                 spatial_shape=None, sum_to_one=None, solver="hals", init="vca", max_iter=1000, tol=1e-4,
                 random_state=None):
        self.n_components = n_components
        self.lambda_graph = lambda_graph
        self.alpha_l1 = alpha_l1
        self.graph = graph
        self.n_neighbors = n_neighbors
        self.sigma = sigma
        self.spatial_shape = spatial_shape
        self.sum_to_one = sum_to_one
        self.solver = solver
        self.init = init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def fit(self, X, y=None, affinity=None):
        """Unmix ``X``: learn the endmembers (``components_``) and the abundances.

        Parameters
        ----------
        X : array-like of shape (n_pixels, n_bands)
            Non-negative pixel spectra.
        y : Ignored
            Not used, present for API consistency.
        affinity : sparse matrix of shape (n_pixels, n_pixels) or None, default=None
            Symmetric non-negative pixel affinity S, required by ``graph="precomputed"``.

        Returns
        -------
        self : StructuredSparseNMF
            The fitted estimator.
        """
        self.fit_transform(X, affinity=affinity)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None, affinity=None):
        """Fit and return the abundances of the training pixels.

        Parameters
        ----------
        X : array-like of shape (n_pixels, n_bands)
            Non-negative pixel spectra.
        y : Ignored
            Not used, present for API consistency.
        affinity : sparse matrix of shape (n_pixels, n_pixels) or None, default=None
            Pixel affinity for ``graph="precomputed"``.

        Returns
        -------
        abundances : ndarray of shape (n_pixels, n_components)
            The abundances.
        """
        X = self._validate(X, reset=True)
        dtype = X.dtype
        Xd = np.asarray(X, dtype=np.float64)
        n = Xd.shape[0]
        k = check_rank(self.n_components, Xd.shape, estimator=type(self).__name__)
        if self.graph == "precomputed":
            if affinity is None:
                raise ValueError("graph='precomputed' needs fit(X, affinity=S) with S of shape (n_pixels, n_pixels).")
            S = sp.csr_matrix(affinity, dtype=np.float64)
            if S.shape != (n, n):
                raise ValueError(f"affinity must have shape {(n, n)}, got {S.shape}.")
            if S.nnz and S.data.min() < 0:
                raise ValueError("affinity must be non-negative.")
            S = (0.5 * (S + S.T)).tocsr()
            sig = float("nan")
        elif self.lambda_graph > 0:
            S, sig = _knn_heat_graph(Xd, self.n_neighbors, self.sigma, self.spatial_shape, self.graph)
        else:
            S, sig = sp.csr_matrix((n, n)), float("nan")
        S.setdiag(0)
        S.eliminate_zeros()
        W, H = self._init_factors(Xd, k)
        Ht = np.ascontiguousarray(H.T)
        W = np.ascontiguousarray(W)
        delta = 0.0 if self.sum_to_one is None else float(self.sum_to_one)
        pen = core.Penalty(l1_W=self.alpha_l1, lam=self.lambda_graph, S=S, delta=delta)
        data = core.make_data(Xd)
        n_iter, conv, _, hist = core.solve(data, W, Ht, pen, solver=self.solver, max_iter=self.max_iter, tol=self.tol,
                                           record=True)
        if not conv and self.tol > 0:
            warnings.warn(f"StructuredSparseNMF reached max_iter={self.max_iter} before the relative objective change "
                          f"fell below tol={self.tol}; increase max_iter.", ConvergenceWarning)
        deg = np.asarray(S.sum(axis=1)).ravel()
        self.graph_laplacian_ = (sp.diags(deg) - S).tocsr()
        self.sigma_ = sig
        self.components_ = Ht.T.astype(dtype)
        self.abundances_ = W.astype(dtype)
        self.reconstruction_err_ = float(np.linalg.norm(Xd - W @ Ht.T))
        self.loss_curve_ = hist
        self.n_iter_ = n_iter
        self.converged_ = conv
        return self.abundances_

    def transform(self, X):
        """Abundances of new pixels with the endmembers fixed (non-negative l1 least squares, no graph term).

        Parameters
        ----------
        X : array-like of shape (n_pixels, n_bands)
            Non-negative pixel spectra.

        Returns
        -------
        abundances : ndarray of shape (n_pixels, n_components)
            The abundances.
        """
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        delta = 0.0 if self.sum_to_one is None else float(self.sum_to_one)
        return self._abundances(X, self.alpha_l1, delta).astype(X.dtype)

    def _expected_failed_checks(self):
        reason = ("transform drops the graph term (new pixels are not in the graph), so it differs from the "
                  "graph-regularised abundances of fit_transform by design")
        return {"check_transformer_general": reason, "check_transformer_general(readonly_memmap=True)": reason,
                "check_transformer_data_not_an_array": reason}


# ---------------------------------------------------------------------------------------------
# Correntropy NMF
# ---------------------------------------------------------------------------------------------


class CorrentropyNMF(_UnmixingBase):
    """Correntropy NMF (CENMF): robust unmixing that learns small weights for noisy bands.

    Maximises the band-wise correntropy of the residual minus an l1 sparsity prior on the
    abundances (Wang et al., 2015), with pixels as rows (``X`` = Y^T, band l = column l):

    .. math::

        \\max_{W \\ge 0, H \\ge 0} \\sum_{l=1}^{L} \\exp\\Big(-\\frac{\\|x_{:l} - W h_{:l}\\|^2}{2\\sigma^2}\\Big)
        - \\lambda \\|W\\|_1

    by half-quadratic (HQ) iterations: the band weights :math:`p_l = \\exp(-e_l^2 / 2\\sigma^2)` of the
    current residuals define a weighted NMF :math:`\\tfrac12 \\sum_l p_l e_l^2 + \\sigma^2 \\lambda \\|W\\|_1`
    (a minorisation of the objective), which ``inner_iter`` sweeps of the shared NMF core decrease.
    With a fixed ``sigma`` the objective therefore increases monotonically (tested); with
    ``sigma="auto"`` the width :math:`\\sigma^2 = \\sum_l e_l^2 / (2L)` is re-estimated every iteration.

    Deviations (reconstruction, to verify against the paper): only the l1 prior is implemented (the
    paper also mentions l1/2); the inner solver is HALS (exact coordinate updates) rather than the
    paper's multiplicative updates, which minimise the same weighted objective.

    Parameters
    ----------
    n_components : int, default=4
        Number of endmembers K.
    alpha_sparse : float, default=0.1
        Sparsity weight :math:`\\lambda`.
    sigma : float or "auto", default="auto"
        Kernel width :math:`\\sigma` (a positive float keeps it fixed).
    sum_to_one : float or None, default=None
        Augmentation weight :math:`\\delta` of the abundance sum-to-one constraint.
    init : {"vca", "nndsvda", "random"}, default="vca"
        Initial endmembers.
    max_iter : int, default=1000
        Maximum HQ iterations.
    inner_iter : int, default=1
        Weighted-NMF iterations per HQ step.
    tol : float, default=1e-4
        Relative change tolerance of the objective.
    random_state : int, RandomState or None, default=None
        Seed.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_bands)
        Endmember spectra.
    abundances_ : ndarray of shape (n_pixels, n_components)
        Abundances of the training pixels.
    band_weights_ : ndarray of shape (n_bands,)
        Final HQ weights :math:`p_l` (small for noisy bands).
    sigma_ : float
        Final kernel width.
    reconstruction_err_ : float
        :math:`\\|X - W H\\|_F`.
    loss_curve_ : list of float
        Correntropy objective (to maximise) after each iteration.
    n_iter_ : int
        HQ iterations run.
    converged_ : bool
        Whether the tolerance was reached.
    n_features_in_ : int
        Number of bands seen during fit.

    References
    ----------
    .. [1] Y. Wang, C. Pan, S. Xiang, F. Zhu, "Robust hyperspectral unmixing with correntropy-based
       metric", IEEE Trans. Image Process. 24(11), 2015 (arXiv 1305.7311).

    Examples
    --------
    >>> from sparsestat.datasets import make_hyperspectral
    >>> from sparsestat.decomposition import CorrentropyNMF
    >>> X, E, A, bad = make_hyperspectral(n_rows=16, n_cols=16, n_bands=40, n_corrupted_bands=4, random_state=0)
    >>> model = CorrentropyNMF(n_components=4, random_state=0).fit(X)
    >>> bool(model.band_weights_[bad].max() < model.band_weights_[~bad].min())
    True
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "alpha_sparse": [Interval(Real, 0, None, closed="left")],
        "sigma": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "sum_to_one": [Interval(Real, 0, None, closed="neither"), None],
        "init": [StrOptions({"vca", "nndsvda", "random"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "inner_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, n_components=4, *, alpha_sparse=0.1, sigma="auto", sum_to_one=None, init="vca",
                 max_iter=1000, inner_iter=1, tol=1e-4, random_state=None):
        self.n_components = n_components
        self.alpha_sparse = alpha_sparse
        self.sigma = sigma
        self.sum_to_one = sum_to_one
        self.init = init
        self.max_iter = max_iter
        self.inner_iter = inner_iter
        self.tol = tol
        self.random_state = random_state

    def _sigma2(self, e2):
        if isinstance(self.sigma, str):
            return max(float(e2.sum()) / (2.0 * len(e2)), 1e-300)
        return float(self.sigma) ** 2

    def _objective(self, e2, W, sig2, delta):
        val = float(np.sum(np.exp(-e2 / (2.0 * sig2)))) - self.alpha_sparse * float(W.sum())
        if delta > 0:
            val -= delta**2 / (2.0 * sig2) * float(np.sum((1.0 - W.sum(axis=1)) ** 2))
        return val

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit and return the abundances of the training pixels.

        Parameters
        ----------
        X : array-like of shape (n_pixels, n_bands)
            Non-negative pixel spectra.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        abundances : ndarray of shape (n_pixels, n_components)
            The abundances.
        """
        X = self._validate(X, reset=True)
        dtype = X.dtype
        Xd = np.asarray(X, dtype=np.float64)
        k = check_rank(self.n_components, Xd.shape, estimator=type(self).__name__)
        W, H = self._init_factors(Xd, k)
        W = np.ascontiguousarray(W)
        Ht = np.ascontiguousarray(H.T)
        delta = 0.0 if self.sum_to_one is None else float(self.sum_to_one)

        def band_err(W, Ht):
            R = Xd - W @ Ht.T
            return np.sum(R * R, axis=0)

        e2 = band_err(W, Ht)
        sig2 = self._sigma2(e2)
        hist = [self._objective(e2, W, sig2, delta)]
        data = core.make_data(Xd)
        converged = False
        it = 0
        for it in range(1, self.max_iter + 1):  # noqa: B007 - it is the iteration count stored
            p = np.exp(-e2 / (2.0 * sig2))
            data.col_w = np.maximum(p, 1e-300)
            pen = core.Penalty(l1_W=sig2 * self.alpha_sparse, delta=delta)
            core.solve(data, W, Ht, pen, solver="hals", max_iter=self.inner_iter, tol=0.0)
            e2 = band_err(W, Ht)
            obj = self._objective(e2, W, sig2, delta)  # the fixed-sigma HQ objective (monotone)
            sig2 = self._sigma2(e2)
            hist.append(obj)
            if abs(hist[-1] - hist[-2]) <= self.tol * max(abs(hist[-2]), 1e-300):
                converged = True
                break
        if not converged and self.tol > 0:
            warnings.warn(f"CorrentropyNMF reached max_iter={self.max_iter} before the relative objective change fell "
                          f"below tol={self.tol}; increase max_iter.", ConvergenceWarning)
        self.band_weights_ = np.exp(-e2 / (2.0 * sig2))
        self.sigma_ = float(np.sqrt(sig2))
        self.components_ = Ht.T.astype(dtype)
        # abundances re-solved exactly for the final weights, so that fit_transform(X) == transform(X)
        W = self._abundances(Xd, sig2 * self.alpha_sparse, delta, col_w=np.maximum(self.band_weights_, 1e-300))
        self.abundances_ = W.astype(dtype)
        self.reconstruction_err_ = float(np.sqrt(e2.sum()))
        self.loss_curve_ = hist
        self.n_iter_ = it
        self.converged_ = converged
        return self.abundances_

    def transform(self, X):
        """Abundances of new pixels with the endmembers and band weights fixed (weighted l1 NNLS).

        Parameters
        ----------
        X : array-like of shape (n_pixels, n_bands)
            Non-negative pixel spectra.

        Returns
        -------
        abundances : ndarray of shape (n_pixels, n_components)
            The abundances.
        """
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        delta = 0.0 if self.sum_to_one is None else float(self.sum_to_one)
        sig2 = self.sigma_**2
        return self._abundances(X, sig2 * self.alpha_sparse, delta,
                                col_w=np.maximum(self.band_weights_, 1e-300)).astype(X.dtype)
