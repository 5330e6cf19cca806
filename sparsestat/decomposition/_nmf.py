"""Masked / weighted NMF: a drop-in for scikit-learn's ``NMF`` that also handles missing values."""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sparsestat.decomposition import _nmf_core as core
from sparsestat.decomposition._nmf_utils import (
    check_no_empty_lines,
    check_nonnegative,
    check_rank,
    filled_for_init,
    mean_observed,
    nndsvd_init,
    observation_mask,
    random_init,
)
from sparsestat.utils._array_api import asarray_like, get_namespace, is_numpy_namespace, to_numpy

__all__ = ["NMF", "non_negative_factorization"]


def _regularization(alpha_W, alpha_H, l1_ratio, shape):
    n, m = shape
    aH = alpha_W if alpha_H == "same" else alpha_H
    return core.Penalty(
        l1_W=m * alpha_W * l1_ratio, l2_W=m * alpha_W * (1 - l1_ratio),
        l1_H=n * aH * l1_ratio, l2_H=n * aH * (1 - l1_ratio),
    )


class NMF(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Non-negative matrix factorisation with missing values (masked / weighted NMF).

    A drop-in replacement for :class:`sklearn.decomposition.NMF` (Frobenius loss) that also accepts
    missing entries: NaN in a dense ``X``, an explicit ``mask``, or, with
    ``implicit_zeros="missing"``, a sparse ``X`` whose stored entries are the observed ones (the
    recommender convention). It minimises over :math:`W \\ge 0, H \\ge 0`

    .. math::

        \\tfrac12 \\|\\Omega \\odot (X - W H)\\|_F^2
        + \\alpha_W \\rho\\, m \\|W\\|_1 + \\tfrac{\\alpha_W (1-\\rho)}{2} m \\|W\\|_F^2
        + \\alpha_H \\rho\\, n \\|H\\|_1 + \\tfrac{\\alpha_H (1-\\rho)}{2} n \\|H\\|_F^2

    with :math:`\\Omega` the 0/1 observation mask, :math:`\\rho` = ``l1_ratio`` and the penalty
    scaling of scikit-learn (``n`` samples, ``m`` features). Without missing values the HALS solver
    works on Gram matrices (accelerated HALS: several cheap inner sweeps per costly product); with
    missing values it runs exact coordinate updates over the observed entries only, O(nnz k).

    Parameters
    ----------
    n_components : int, None or "auto", default="auto"
        Rank k. ``"auto"`` takes it from custom ``W``/``H`` or uses ``n_features`` (as scikit-learn);
        None means ``n_features``. A rank above ``min(n_samples, n_features)`` warns.
    init : {"random", "nndsvd", "nndsvda", "nndsvdar", "custom"} or None, default=None
        Initialisation, as in scikit-learn (None: "nndsvda" if k <= min(n, m), else "random"). With
        missing values the SVD inits use the zero-filled data divided by the observed fraction.
    solver : {"hals", "cd", "mu"}, default="hals"
        "hals" (alias "cd"): exact block-coordinate descent (monotone). "mu": Lee-Seung
        multiplicative updates (monotone); the only solver that runs on array-API input (CuPy).
    beta_loss : {"frobenius"}, default="frobenius"
        Kept for drop-in compatibility; only the Frobenius loss is implemented (use scikit-learn for
        Kullback-Leibler or Itakura-Saito).
    tol : float, default=1e-4
        Stop when the relative decrease of the objective in one iteration is below ``tol``.
    max_iter : int, default=200
        Maximum number of outer iterations.
    random_state : int, RandomState or None, default=None
        Seed of the randomised SVD and of the random init.
    alpha_W : float, default=0.0
        Regularisation strength of W.
    alpha_H : float or "same", default="same"
        Regularisation strength of H ("same" copies ``alpha_W``).
    l1_ratio : float in [0, 1], default=0.0
        Share of the l1 penalty in the elastic-net regularisation.
    implicit_zeros : {"observed", "missing"}, default="observed"
        For sparse ``X``: "observed" treats the implicit zeros as observed zeros (scikit-learn);
        "missing" treats only the stored entries as observed (ratings).
    verbose : int, default=0
        Print the objective every iteration when > 0.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        The factor H.
    n_components_ : int
        The rank used.
    W_ : ndarray of shape (n_samples, n_components)
        The factor W of the training data (used by :meth:`predict_cells`).
    reconstruction_err_ : float
        Frobenius norm of the residual over the observed entries, :math:`\\|\\Omega \\odot (X - WH)\\|_F`.
    n_iter_ : int
        Outer iterations run.
    converged_ : bool
        Whether the relative objective change fell below ``tol``.
    loss_curve_ : list of float
        Objective after each iteration (index 0: at the initialisation).
    observed_fraction_ : float
        Fraction of observed entries of the training data.
    n_features_in_ : int
        Number of features seen during fit.

    See Also
    --------
    NBMF : binary components, QUBO sub-solvers.
    StructuredSparseNMF : graph and l1 regularised NMF for unmixing.

    References
    ----------
    .. [1] D. D. Lee and H. S. Seung, "Algorithms for non-negative matrix factorization", NIPS 2001.
    .. [2] A. Cichocki and A.-H. Phan, "Fast local algorithms for large scale nonnegative matrix and
       tensor factorizations", IEICE Trans. Fundamentals 92(3), 2009 (HALS).
    .. [3] N. Gillis and F. Glineur, "Accelerated multiplicative updates and hierarchical ALS
       algorithms for nonnegative matrix factorization", Neural Computation 24(4), 2012.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.decomposition import NMF
    >>> rng = np.random.default_rng(0)
    >>> X = rng.gamma(2.0, size=(30, 3)) @ rng.gamma(2.0, size=(3, 20))
    >>> X[rng.random(X.shape) < 0.3] = np.nan  # 30% missing
    >>> model = NMF(n_components=3, max_iter=500, tol=1e-8, random_state=0).fit(X)
    >>> bool(model.reconstruction_err_ < 1e-2 * np.sqrt(np.nansum(X**2)))
    True
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left"), None, StrOptions({"auto"})],
        "init": [StrOptions({"random", "nndsvd", "nndsvda", "nndsvdar", "custom"}), None],
        "solver": [StrOptions({"hals", "cd", "mu"})],
        "beta_loss": [StrOptions({"frobenius"})],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "alpha_W": [Interval(Real, 0, None, closed="left")],
        "alpha_H": [Interval(Real, 0, None, closed="left"), StrOptions({"same"})],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "implicit_zeros": [StrOptions({"observed", "missing"})],
        "verbose": ["verbose"],
    }

    def __init__(self, n_components="auto", *, init=None, solver="hals", beta_loss="frobenius", tol=1e-4,
                 max_iter=200, random_state=None, alpha_W=0.0, alpha_H="same", l1_ratio=0.0,
                 implicit_zeros="observed", verbose=0):
        self.n_components = n_components
        self.init = init
        self.solver = solver
        self.beta_loss = beta_loss
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state
        self.alpha_W = alpha_W
        self.alpha_H = alpha_H
        self.l1_ratio = l1_ratio
        self.implicit_zeros = implicit_zeros
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    # ------------------------------------------------------------------ validation helpers
    def _validate_X(self, X, reset):
        try:
            xp = None if sp.issparse(X) or isinstance(X, (list, tuple)) else get_namespace(X)
        except TypeError:  # not an array-API array: let validate_data convert it
            xp = None
        if xp is not None and not is_numpy_namespace(xp):
            if self.solver != "mu":
                raise ValueError(
                    f"solver={self.solver!r} runs on the CPU with Numba; pass solver='mu' to keep "
                    f"{xp.__name__} arrays on their device, or convert X to NumPy."
                )
            if X.ndim != 2:
                raise ValueError(f"X must be 2-D, got {X.ndim} dimensions.")
            if reset:
                self.n_features_in_ = X.shape[1]
            elif X.shape[1] != self.n_features_in_:
                raise ValueError(f"X has {X.shape[1]} features, but NMF was fitted with {self.n_features_in_}.")
            return X, xp
        X = validate_data(self, X, accept_sparse=("csr", "csc"), dtype=[np.float64, np.float32],
                          ensure_all_finite="allow-nan", reset=reset)
        check_nonnegative(X, "X", estimator=type(self).__name__)
        return X, None

    def _rank(self, X, W, H):
        k = self.n_components
        if k == "auto":
            if self.init == "custom" and H is not None:
                return H.shape[0]
            if self.init == "custom" and W is not None:
                return W.shape[1]
            return X.shape[1]
        if k is None:
            return X.shape[1]
        return check_rank(k, X.shape, estimator=type(self).__name__)

    def _initial(self, X, mask_spec, k, W, H):
        n, m = X.shape
        init = self.init
        if init is None:
            init = "nndsvda" if k <= min(n, m) else "random"
        if init == "custom":
            if W is None or H is None:
                raise ValueError("init='custom' needs both W and H; pass them to fit_transform(X, W=..., H=...).")
            W = np.array(W, dtype=np.float64)
            H = np.array(H, dtype=np.float64)
            if W.shape != (n, k) or H.shape != (k, m):
                raise ValueError(f"custom W and H must have shapes {(n, k)} and {(k, m)}, got {W.shape} and {H.shape}.")
            check_nonnegative(W, "W")
            check_nonnegative(H, "H")
            return W, H
        if init == "random":
            return random_init(mean_observed(X, mask_spec), (n, k), (k, m), self.random_state)
        Xf = filled_for_init(X, mask_spec)
        if sp.issparse(Xf):
            Xf = Xf.astype(np.float64)
        else:
            Xf = np.asarray(Xf, dtype=np.float64)
        return nndsvd_init(Xf, k, init, self.random_state)

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None, mask=None, **params):
        """Learn the factorisation of ``X`` (missing entries are ignored).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Non-negative data; NaN marks a missing entry. Array-API arrays (CuPy) need ``solver="mu"``.
        y : Ignored
            Not used, present for API consistency.
        mask : array-like of shape (n_samples, n_features) or None, default=None
            1 (True) where an entry is observed; combined with the NaN entries.
        **params : dict
            ``W`` and ``H`` for ``init="custom"``.

        Returns
        -------
        self : NMF
            The fitted estimator.
        """
        self.fit_transform(X, mask=mask, **params)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None, W=None, H=None, mask=None):
        """Learn the factorisation and return W.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Non-negative data; NaN marks a missing entry.
        y : Ignored
            Not used, present for API consistency.
        W : array-like of shape (n_samples, n_components) or None, default=None
            Initial W when ``init="custom"``.
        H : array-like of shape (n_components, n_features) or None, default=None
            Initial H when ``init="custom"``.
        mask : array-like of shape (n_samples, n_features) or None, default=None
            1 (True) where an entry is observed.

        Returns
        -------
        W : ndarray of shape (n_samples, n_components)
            The codes of the training samples.
        """
        X, xp = self._validate_X(X, reset=True)
        if xp is not None:
            return self._fit_xp(X, xp, mask)
        dtype = X.dtype
        X, mask_spec, n_obs = observation_mask(X, mask, self.implicit_zeros)
        check_no_empty_lines(X, mask_spec)
        k = self._rank(X, W, H)
        W0, H0 = self._initial(X, mask_spec, k, W, H)
        data = core.make_data(X if sp.issparse(X) else np.asarray(X, dtype=np.float64), mask_spec)
        pen = _regularization(self.alpha_W, self.alpha_H, self.l1_ratio, X.shape)
        Wf = np.ascontiguousarray(W0)
        Ht = np.ascontiguousarray(H0.T)
        solver = "hals" if self.solver in ("hals", "cd") else "mu"
        n_iter, conv, obj, hist = core.solve(data, Wf, Ht, pen, solver=solver, max_iter=self.max_iter,
                                             tol=self.tol, record=True)
        # final W refinement with H fixed, so that fit_transform(X) equals fit(X).transform(X)
        # (on the Gram layout one outer pass suffices: its inner sweeps reuse the same products)
        _, _, obj, _ = core.solve(data, Wf, Ht, pen, solver=solver, max_iter=1 if data.layout == "gram" else 3,
                                  tol=1e-10, update_H=False, n_inner=50, inner_ratio=1e-4)
        hist.append(obj)
        if self.verbose:
            for i, v in enumerate(hist):
                print(f"NMF iteration {i}: objective {v:.6g}")
        if not conv and self.tol > 0:
            warnings.warn(
                f"NMF stopped after max_iter={self.max_iter} iterations with a relative objective change "
                f"of {abs(hist[-2] - hist[-1]) / max(abs(hist[-2]), 1e-300):.2e} > tol={self.tol}; increase "
                "max_iter or tol.", ConvergenceWarning)
        self.n_components_ = k
        self.components_ = Ht.T.astype(dtype)
        self.W_ = Wf.astype(dtype)
        self.reconstruction_err_ = float(np.sqrt(max(2.0 * core.objective(data, Wf, Ht, core.Penalty()), 0.0)))
        self.n_iter_ = n_iter
        self.converged_ = conv
        self.loss_curve_ = hist
        self.observed_fraction_ = n_obs / (X.shape[0] * X.shape[1])
        self._n_samples_fit = X.shape[0]
        return self.W_

    def _fit_xp(self, X, xp, mask):
        """Multiplicative updates on the array-API namespace of ``X`` (CuPy / array_api_strict)."""
        Xh = to_numpy(X).astype(np.float64)
        Xh, mask_spec, n_obs = observation_mask(Xh, None if mask is None else to_numpy(mask), "observed")
        check_nonnegative(Xh, "X", estimator=type(self).__name__)
        check_no_empty_lines(Xh, mask_spec)
        k = self._rank(Xh, None, None)
        W0, H0 = self._initial(Xh, mask_spec, k, None, None)
        dt = X.dtype
        Xd = xp.asarray(asarray_like(np.asarray(Xh, dtype=np.float64), X), dtype=dt)
        Md = None if mask_spec is None else xp.asarray(asarray_like(mask_spec, X), dtype=dt)
        Wd = xp.asarray(asarray_like(W0, X), dtype=dt)
        Hd = xp.asarray(asarray_like(H0, X), dtype=dt)
        pen = _regularization(self.alpha_W, self.alpha_H, self.l1_ratio, Xh.shape)
        Wd, Hd, n_iter, conv, obj = core.mu_xp(xp, Xd, Md, Wd, Hd, l1_W=pen.l1_W, l2_W=pen.l2_W, l1_H=pen.l1_H,
                                               l2_H=pen.l2_H, max_iter=self.max_iter, tol=self.tol)
        Wd, _, _, _, obj = core.mu_xp(xp, Xd, Md, Wd, Hd, l1_W=pen.l1_W, l2_W=pen.l2_W, max_iter=3, tol=1e-10,
                                      update_H=False)
        if not conv and self.tol > 0:
            warnings.warn(f"NMF (mu, array API) reached max_iter={self.max_iter} before the relative objective "
                          f"change fell below tol={self.tol}; increase max_iter.", ConvergenceWarning)
        R = Xd - Wd @ Hd
        if Md is not None:
            R = R * Md
        self.n_components_ = k
        self.components_ = Hd
        self.W_ = Wd
        self.reconstruction_err_ = float(xp.sqrt(xp.sum(R * R)))
        self.n_iter_ = n_iter
        self.converged_ = conv
        self.loss_curve_ = [obj]
        self.observed_fraction_ = n_obs / (Xh.shape[0] * Xh.shape[1])
        self._n_samples_fit = Xh.shape[0]
        return Wd

    # ------------------------------------------------------------------ transform & co
    def transform(self, X, mask=None):
        """Codes of new samples with H fixed (masked non-negative least squares).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Non-negative data; NaN marks a missing entry.
        mask : array-like of shape (n_samples, n_features) or None, default=None
            1 (True) where an entry is observed.

        Returns
        -------
        W : ndarray of shape (n_samples, n_components)
            The codes.
        """
        check_is_fitted(self)
        X, xp = self._validate_X(X, reset=False)
        n, m = X.shape
        k = self.n_components_
        if xp is not None:
            Xh = to_numpy(X).astype(np.float64)
            Xh, mask_spec, _ = observation_mask(Xh, None if mask is None else to_numpy(mask), "observed")
            check_no_empty_lines(Xh, mask_spec)
            Md = None if mask_spec is None else xp.asarray(asarray_like(mask_spec, X), dtype=X.dtype)
            Xd = xp.asarray(asarray_like(Xh, X), dtype=X.dtype)
            avg = np.sqrt(max(mean_observed(Xh, mask_spec), 0.0) / k)
            Wd = xp.full((n, k), avg, dtype=X.dtype, device=getattr(X, "device", None))
            pen = _regularization(self.alpha_W, self.alpha_H, self.l1_ratio, (n, m))
            Wd, _, _, _, _ = core.mu_xp(xp, Xd, Md, Wd, self.components_, l1_W=pen.l1_W, l2_W=pen.l2_W,
                                        max_iter=max(self.max_iter, 200), tol=min(self.tol, 1e-4) * 1e-6,
                                        update_H=False)
            return Wd
        dtype = X.dtype
        X, mask_spec, _ = observation_mask(X, mask, self.implicit_zeros)
        if mask_spec is not None:
            rows = (np.diff(X.tocsr().indptr) if isinstance(mask_spec, str) else mask_spec.sum(axis=1))
            if np.any(rows == 0):
                raise ValueError("X has a row with no observed entry; its code is undetermined.")
        data = core.make_data(X if sp.issparse(X) else np.asarray(X, dtype=np.float64), mask_spec)
        pen = _regularization(self.alpha_W, self.alpha_H, self.l1_ratio, (n, m))
        avg = np.sqrt(max(mean_observed(X, mask_spec), 0.0) / k)
        W = np.full((n, k), avg)
        Ht = np.ascontiguousarray(self.components_.T, dtype=np.float64)
        solver = "hals" if self.solver in ("hals", "cd") else "mu"
        core.solve(data, W, Ht, pen, solver=solver, max_iter=max(self.max_iter, 200), tol=min(self.tol, 1e-4) * 1e-6,
                   update_H=False, n_inner=200, inner_ratio=1e-6)
        return W.astype(dtype)

    def inverse_transform(self, X):
        """Reconstruct data from codes: ``X @ components_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes W.

        Returns
        -------
        X_hat : ndarray of shape (n_samples, n_features)
            The reconstruction W H.
        """
        check_is_fitted(self)
        xp = get_namespace(X)
        if not is_numpy_namespace(xp):
            return X @ self.components_
        X = np.asarray(X)
        return X @ self.components_

    def complete(self, X, mask=None):
        """Fill the missing cells of ``X`` with the model's predictions ``transform(X) @ components_``.

        (A method named ``predict`` would make scikit-learn treat the transformer as a regressor.)

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Non-negative data with missing entries (NaN or ``mask``).
        mask : array-like of shape (n_samples, n_features) or None, default=None
            1 (True) where an entry is observed.

        Returns
        -------
        X_filled : ndarray of shape (n_samples, n_features)
            ``X`` with every missing cell replaced by its prediction (observed cells unchanged).
        """
        X_hat = self.inverse_transform(self.transform(X, mask=mask))
        Xd = X.toarray() if sp.issparse(X) else np.array(X, dtype=X_hat.dtype)
        missing = np.isnan(Xd)
        if mask is not None:
            missing |= ~np.asarray(mask, dtype=bool)
        if sp.issparse(X) and self.implicit_zeros == "missing":
            stored = np.zeros(X.shape, dtype=bool)
            stored[X.nonzero()] = True
            missing |= ~stored
        return np.where(missing, X_hat, Xd)

    def predict_cells(self, rows, cols):
        """Predictions ``(W_ H)[rows, cols]`` for cells of the training matrix.

        Parameters
        ----------
        rows : array-like of int
            Row (sample) indices.
        cols : array-like of int
            Column (feature) indices, same length as ``rows``.

        Returns
        -------
        values : ndarray
            The predicted values.
        """
        check_is_fitted(self)
        return _predict_cells(to_numpy(self.W_), to_numpy(self.components_), rows, cols)


def _predict_cells(W, H, rows, cols):
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    if rows.shape != cols.shape:
        raise ValueError(f"rows and cols must have the same shape, got {rows.shape} and {cols.shape}.")
    if rows.size and (rows.min() < 0 or rows.max() >= W.shape[0]):
        raise ValueError(f"rows must be in [0, {W.shape[0]}); they index the training samples.")
    if cols.size and (cols.min() < 0 or cols.max() >= H.shape[1]):
        raise ValueError(f"cols must be in [0, {H.shape[1]}); they index the features.")
    return np.einsum("ik,ki->i", W[rows], H[:, cols])


def non_negative_factorization(X, W=None, H=None, n_components="auto", *, mask=None, init=None, solver="hals",
                               tol=1e-4, max_iter=200, alpha_W=0.0, alpha_H="same", l1_ratio=0.0,
                               random_state=None, implicit_zeros="observed"):
    """Functional form of :class:`NMF`: factor ``X ~ W H`` with missing values ignored.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Non-negative data; NaN marks a missing entry.
    W : array-like of shape (n_samples, n_components) or None, default=None
        Initial W for ``init="custom"``.
    H : array-like of shape (n_components, n_features) or None, default=None
        Initial H for ``init="custom"``.
    n_components : int, None or "auto", default="auto"
        Rank.
    mask : array-like of shape (n_samples, n_features) or None, default=None
        1 where observed.
    init : str or None, default=None
        See :class:`NMF`.
    solver : {"hals", "cd", "mu"}, default="hals"
        Update rule.
    tol : float, default=1e-4
        Relative objective change tolerance.
    max_iter : int, default=200
        Maximum number of iterations.
    alpha_W : float, default=0.0
        Regularisation of W.
    alpha_H : float or "same", default="same"
        Regularisation of H.
    l1_ratio : float, default=0.0
        l1 share of the regularisation.
    random_state : int, RandomState or None, default=None
        Seed.
    implicit_zeros : {"observed", "missing"}, default="observed"
        Meaning of the implicit zeros of a sparse ``X``.

    Returns
    -------
    W : ndarray of shape (n_samples, n_components)
        The codes.
    H : ndarray of shape (n_components, n_features)
        The components.
    n_iter : int
        Iterations run.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.decomposition import non_negative_factorization
    >>> X = np.array([[1.0, 1.0, np.nan], [2.0, 1.0, 0.5], [3.0, np.nan, 1.5]])
    >>> W, H, n_iter = non_negative_factorization(X, n_components=2, random_state=0, max_iter=1000)
    >>> W.shape, H.shape
    ((3, 2), (2, 3))
    """
    est = NMF(n_components=n_components, init=init, solver=solver, tol=tol, max_iter=max_iter, alpha_W=alpha_W,
              alpha_H=alpha_H, l1_ratio=l1_ratio, random_state=random_state, implicit_zeros=implicit_zeros)
    Wout = est.fit_transform(X, W=W, H=H, mask=mask)
    return Wout, est.components_, est.n_iter_
