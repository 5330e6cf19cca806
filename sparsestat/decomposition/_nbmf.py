"""NBMF: non-negative / binary matrix factorisation with masking and pluggable QUBO sub-solvers."""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sparsestat.decomposition import _nmf_kernels as K
from sparsestat.decomposition._nmf import _predict_cells
from sparsestat.decomposition._nmf_utils import (
    check_no_empty_lines,
    check_nonnegative,
    check_rank,
    mean_observed,
    observation_mask,
)
from sparsestat.utils._validation import check_random_state_int

__all__ = ["NBMF", "solve_qubo"]

_METHODS = {"exhaustive": 0, "anneal": 1, "greedy": 2}
_MAX_EXHAUSTIVE = 24


def solve_qubo(Q, method="exhaustive", *, x0=None, random_state=None, n_sweeps=1000, n_restarts=10):
    """Minimise the quadratic unconstrained binary objective :math:`x^T Q x` over :math:`x \\in \\{0,1\\}^k`.

    Parameters
    ----------
    Q : array-like of shape (k, k)
        The QUBO matrix; it is symmetrised as :math:`(Q + Q^T)/2` (same objective).
    method : {"exhaustive", "anneal", "greedy"}, default="exhaustive"
        "exhaustive": Gray-code enumeration of all :math:`2^k` states, O(2^k k), exact (k <= 24).
        "anneal": simulated annealing (Metropolis single flips, geometric temperature schedule) with
        restarts. "greedy": best single-flip descent from ``x0``.
    x0 : array-like of shape (k,) or None, default=None
        Starting state for "anneal" (first restart) and "greedy" (zeros when None).
    random_state : int, RandomState or None, default=None
        Seed of the annealer.
    n_sweeps : int, default=1000
        Annealing sweeps per restart.
    n_restarts : int, default=10
        Annealing restarts (the first from ``x0``).

    Returns
    -------
    x : ndarray of shape (k,), dtype uint8
        The best state found (the global minimiser for "exhaustive").
    energy : float
        Its objective :math:`x^T Q x`.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.decomposition import solve_qubo
    >>> Q = np.array([[-1.0, 2.0], [2.0, -1.0]])
    >>> x, e = solve_qubo(Q)
    >>> x.tolist(), float(e)
    ([1, 0], -1.0)
    """
    Q = np.asarray(Q, dtype=np.float64)
    if Q.ndim != 2 or Q.shape[0] != Q.shape[1]:
        raise ValueError(f"Q must be a square matrix, got shape {Q.shape}.")
    if not np.all(np.isfinite(Q)):
        raise ValueError("Q contains NaN or infinity.")
    Q = np.ascontiguousarray(0.5 * (Q + Q.T))
    k = Q.shape[0]
    if method not in _METHODS:
        raise ValueError(f"method must be one of {sorted(_METHODS)}, got {method!r}.")
    h0 = np.zeros(k, dtype=np.uint8) if x0 is None else np.asarray(x0).astype(np.uint8).ravel()
    if h0.shape != (k,) or np.any(h0 > 1):
        raise ValueError(f"x0 must be a 0/1 vector of length {k}.")
    if method == "exhaustive":
        if k > _MAX_EXHAUSTIVE:
            raise ValueError(f"exhaustive search enumerates 2^k states; k={k} > {_MAX_EXHAUSTIVE}: "
                             "use method='anneal'.")
        if k == 0:
            return h0, 0.0
        return K.qubo_exhaustive(Q)
    if method == "greedy":
        return K.qubo_greedy(Q, h0, 10 * k + 10)
    seed = check_random_state_int(random_state)
    t_hot, t_cold = K.qubo_temperatures(Q)
    return K.qubo_anneal(Q, h0, int(n_sweeps), int(n_restarts), t_hot, t_cold, seed)


def _csr_csc(X, mask_spec):
    """CSR (rows) and CSC (columns) index arrays and values of the observed entries."""
    n, m = X.shape
    if mask_spec is None:
        C = sp.csr_matrix(np.ones((n, m)))
        C.data = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64).ravel().copy()
    elif isinstance(mask_spec, str):
        C = sp.csr_matrix(X, dtype=np.float64, copy=True)
        C.sum_duplicates()
    else:
        rows, cols = np.nonzero(mask_spec)
        # COO -> CSR keeps explicit zeros: a rated 0 stays an observed entry
        C = sp.csr_matrix((np.asarray(X, dtype=np.float64)[rows, cols], (rows, cols)), shape=(n, m))
    C.sort_indices()
    Cc = C.tocsc()
    Cc.sort_indices()
    csr = (C.indptr.astype(np.int64), C.indices.astype(np.int64), C.data.astype(np.float64))
    csc = (Cc.indptr.astype(np.int64), Cc.indices.astype(np.int64), Cc.data.astype(np.float64))
    return csr, csc


def _observed_sse(W, Ht, csr):
    indptr, indices, x = csr
    e = np.empty_like(x)
    K.sparse_residual(W, Ht.astype(np.float64), indptr, indices, x, e)
    return float(e @ e)


class NBMF(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Non-negative / binary matrix factorisation with masked (unrated) entries.

    Approximates a non-negative rating matrix :math:`V \\approx W H` with :math:`W \\ge 0` real and
    :math:`H \\in \\{0, 1\\}^{k \\times m}` binary, fitting only the rated entries
    :math:`\\Omega` (Terui et al., 2025):

    .. math::

        \\min_{W \\ge 0,\\ H \\in \\{0,1\\}^{k\\times m}} \\|\\Omega \\odot (V - W H)\\|_F^2 + \\alpha \\|W\\|_F^2

    Alternating minimisation: the W-step is a masked ridge non-negative least squares per row
    (projected gradient, as in the paper, or exact coordinate-descent NNLS); the H-step splits into
    one QUBO per column, :math:`\\min_h h^T Q_j h` with
    :math:`Q_j = W_{\\Omega_j}^T W_{\\Omega_j} - 2\\,\\mathrm{diag}(W_{\\Omega_j}^T v_{\\Omega_j})`, solved by
    exhaustive Gray-code search (exact), simulated annealing, greedy descent, or a user callable
    (an Ising machine / D-Wave / simulated-bifurcation back end). Both steps never increase the
    objective (the QUBO solvers keep the previous column when they find nothing better), so the
    objective is monotone.

    Not to be confused with the Bernoulli "NBMF" of Magron & Fevotte (PyPI ``nbmf-mm``), a
    different model for binary data.

    Parameters
    ----------
    n_components : int, default=10
        Rank k (number of binary features).
    alpha : float, default=0.0
        Ridge penalty on W (O'Malley et al., 2018).
    mask_missing : bool, default=True
        Fit only the observed entries (the paper's masking). False fills the missing entries with 0
        and fits every entry (the unmasked NBMF baseline).
    qubo_solver : {"auto", "exhaustive", "anneal", "greedy"} or callable, default="auto"
        H-step sub-solver. "auto": exhaustive for k <= 12, annealing above. A callable receives
        ``Q`` (k, k) and returns a 0/1 vector of length k; it is called once per column.
    w_solver : {"pgm", "nnls"}, default="pgm"
        W-step: projected gradient with step 1/L (Lin, 2007; the constant step satisfies Lin's
        Armijo condition) or exact coordinate-descent NNLS.
    max_iter : int, default=50
        Outer iterations.
    tol : float, default=1e-4
        Stop when the relative objective change of one iteration is below ``tol``.
    anneal_sweeps : int, default=200
        Annealing sweeps per restart (qubo_solver="anneal").
    anneal_restarts : int, default=2
        Annealing restarts per column (the first from the current column).
    random_state : int, RandomState or None, default=None
        Seed of the initialisation and of the annealer.
    verbose : int, default=0
        Print the objective every iteration when > 0.

    Attributes
    ----------
    W_ : ndarray of shape (n_samples, n_components)
        Non-negative user factors.
    components_ : ndarray of shape (n_components, n_features), dtype uint8
        Binary item factors H.
    reconstruction_err_ : float
        :math:`\\|\\Omega \\odot (V - W H)\\|_F` at the end.
    loss_curve_ : list of float
        Objective after each iteration (index 0: initialisation).
    n_iter_ : int
        Outer iterations run.
    converged_ : bool
        Whether the relative objective change fell below ``tol``.
    qubo_calls_ : int
        Number of QUBO sub-problems solved.
    n_features_in_ : int
        Number of features seen during fit.

    References
    ----------
    .. [1] Y. Terui, Y. Inoue, Y. Hamakawa, K. Tatsumura, K. Kudo, "Collaborative filtering based on
       nonnegative/binary matrix factorization", Frontiers in Big Data 8, 2025 (arXiv 2410.10381).
    .. [2] D. O'Malley, V. V. Vesselinov, B. S. Alexandrov, L. B. Alexandrov, "Nonnegative/binary
       matrix factorization with a D-Wave quantum annealer", PLoS ONE 13(12), 2018.
    .. [3] C.-J. Lin, "Projected gradient methods for nonnegative matrix factorization", Neural
       Computation 19(10), 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.decomposition import NBMF
    >>> rng = np.random.default_rng(0)
    >>> V = rng.gamma(2.0, size=(40, 3)) @ (rng.random((3, 30)) < 0.4)
    >>> V[rng.random(V.shape) < 0.3] = np.nan
    >>> model = NBMF(n_components=3, random_state=0).fit(V)
    >>> model.components_.dtype, model.components_.shape
    (dtype('uint8'), (3, 30))
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "mask_missing": ["boolean"],
        "qubo_solver": [StrOptions({"auto", "exhaustive", "anneal", "greedy"}), callable],
        "w_solver": [StrOptions({"pgm", "nnls"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "anneal_sweeps": [Interval(Integral, 1, None, closed="left")],
        "anneal_restarts": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, n_components=10, *, alpha=0.0, mask_missing=True, qubo_solver="auto", w_solver="pgm",
                 max_iter=50, tol=1e-4, anneal_sweeps=200, anneal_restarts=2, random_state=None, verbose=0):
        self.n_components = n_components
        self.alpha = alpha
        self.mask_missing = mask_missing
        self.qubo_solver = qubo_solver
        self.w_solver = w_solver
        self.max_iter = max_iter
        self.tol = tol
        self.anneal_sweeps = anneal_sweeps
        self.anneal_restarts = anneal_restarts
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _expected_failed_checks(self):
        reason = ("sparse input follows the recommender convention (stored entries = rated); the check's random "
                  "sparse matrices contain users without any rating, which NBMF rejects by design")
        return {"check_estimator_sparse_array": reason, "check_estimator_sparse_matrix": reason,
                "check_estimator_sparse_tag": reason}

    def _prepare(self, X, mask, reset):
        X = validate_data(self, X, accept_sparse=("csr", "csc"), dtype=[np.float64, np.float32],
                          ensure_all_finite="allow-nan", reset=reset)
        check_nonnegative(X, "X", estimator="NBMF")
        dtype = X.dtype
        Xc, mask_spec, n_obs = observation_mask(X, mask, "missing")
        if not self.mask_missing and mask_spec is not None:
            # unmasked baseline: unrated entries are zeros and every entry is fitted
            if isinstance(mask_spec, str):
                Xc = Xc.toarray()
            else:
                Xc = np.where(mask_spec > 0, Xc, 0.0)
            mask_spec = None
        return Xc, mask_spec, dtype

    def _method(self, k):
        solver = self.qubo_solver
        if callable(solver):
            return -1
        if solver == "auto":
            solver = "exhaustive" if k <= 12 else "anneal"
        if solver == "exhaustive" and k > _MAX_EXHAUSTIVE:
            raise ValueError(f"qubo_solver='exhaustive' enumerates 2^k states; n_components={k} > "
                             f"{_MAX_EXHAUSTIVE}: use 'anneal' or 'auto'.")
        return _METHODS[solver]

    def _h_step(self, W, Ht, csc, method, seed):
        indptr, rows, vals = csc
        if method >= 0:
            K.nbmf_h_step(W, Ht, indptr, rows, vals, method, self.anneal_sweeps, self.anneal_restarts, seed)
            return
        k = W.shape[1]
        Q = np.empty((k, k))
        for j in range(Ht.shape[0]):
            lo, hi = indptr[j], indptr[j + 1]
            K.nbmf_build_q(W, rows[lo:hi], vals[lo:hi], Q)
            h = np.asarray(self.qubo_solver(Q.copy())).ravel()
            if h.shape != (k,) or not np.isin(h, (0, 1)).all():
                raise ValueError(f"qubo_solver must return a 0/1 vector of length {k}, got {h!r}.")
            h = h.astype(np.uint8)
            if K.qubo_energy(Q, h) <= K.qubo_energy(Q, Ht[j]):
                Ht[j] = h

    def _objective(self, W, Ht, csr):
        return _observed_sse(W, Ht, csr) + self.alpha * float(np.sum(W * W))

    def fit(self, X, y=None, mask=None):
        """Fit W (non-negative) and binary H on the observed entries of ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Non-negative ratings; NaN (dense) or absent entries (sparse) are unrated.
        y : Ignored
            Not used, present for API consistency.
        mask : array-like of shape (n_samples, n_features) or None, default=None
            1 (True) where an entry is rated.

        Returns
        -------
        self : NBMF
            The fitted estimator.
        """
        self.fit_transform(X, mask=mask)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None, mask=None):
        """Fit and return the user factors W.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Non-negative ratings with unrated entries.
        y : Ignored
            Not used, present for API consistency.
        mask : array-like of shape (n_samples, n_features) or None, default=None
            1 (True) where an entry is rated.

        Returns
        -------
        W : ndarray of shape (n_samples, n_components)
            The user factors.
        """
        Xc, mask_spec, dtype = self._prepare(X, mask, reset=True)
        check_no_empty_lines(Xc, mask_spec)
        n, m = Xc.shape
        k = check_rank(self.n_components, (n, m), estimator="NBMF")
        method = self._method(k)
        csr, csc = _csr_csc(Xc, mask_spec)
        rng = check_random_state(self.random_state)
        mean = max(mean_observed(Xc, mask_spec), 1e-12)
        Ht = (rng.random_sample((m, k)) < 0.5).astype(np.uint8)
        W = rng.random_sample((n, k)) * (2.0 * mean / max(0.5 * k, 1.0))
        seed = check_random_state_int(rng)
        wm = 0 if self.w_solver == "nnls" else 1
        obj = self._objective(W, Ht, csr)
        hist = [obj]
        converged = False
        calls = 0
        it = 0
        for it in range(1, self.max_iter + 1):
            K.nbmf_w_step(W, Ht.astype(np.float64), csr[0], csr[1], csr[2], self.alpha, wm, 500, 1e-8)
            self._h_step(W, Ht, csc, method, seed + 7919 * it)
            calls += m
            cur = self._objective(W, Ht, csr)
            hist.append(cur)
            if self.verbose:
                print(f"NBMF iteration {it}: objective {cur:.6g}")
            if abs(hist[-2] - cur) <= self.tol * max(abs(hist[-2]), 1e-300):
                converged = True
                break
        # final exact W-step from transform's starting point, so that fit_transform(X) equals
        # fit(X).transform(X) even where the NNLS minimiser is not unique (rank-deficient binary H)
        W[:] = mean / k
        K.nbmf_w_step(W, Ht.astype(np.float64), csr[0], csr[1], csr[2], self.alpha, 0, 2000, 1e-12)
        hist.append(self._objective(W, Ht, csr))
        if not converged and self.tol > 0:
            warnings.warn(f"NBMF stopped after max_iter={self.max_iter} iterations with a relative objective change "
                          f"above tol={self.tol}; increase max_iter.", ConvergenceWarning)
        self.W_ = W.astype(dtype)
        self.components_ = np.ascontiguousarray(Ht.T)
        self.reconstruction_err_ = float(np.sqrt(_observed_sse(W, Ht, csr)))
        self.loss_curve_ = hist
        self.n_iter_ = it
        self.converged_ = converged
        self.qubo_calls_ = calls
        self.n_components_ = k
        return self.W_

    def transform(self, X, mask=None):
        """User factors of new rows with H fixed (masked ridge NNLS, exact).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Non-negative ratings with unrated entries.
        mask : array-like of shape (n_samples, n_features) or None, default=None
            1 (True) where an entry is rated.

        Returns
        -------
        W : ndarray of shape (n_samples, n_components)
            The user factors (rows with no rating are 0).
        """
        check_is_fitted(self)
        Xc, mask_spec, dtype = self._prepare(X, mask, reset=False)
        csr, _ = _csr_csc(Xc, mask_spec)
        n = Xc.shape[0]
        W = np.full((n, self.n_components_), max(mean_observed(Xc, mask_spec), 1e-12) / self.n_components_)
        # same starting point as the last W-step of fit (see fit_transform)
        K.nbmf_w_step(W, self.components_.T.astype(np.float64), csr[0], csr[1], csr[2], self.alpha, 0, 2000, 1e-12)
        return W.astype(dtype)

    def inverse_transform(self, X):
        """Predicted ratings ``X @ components_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            User factors.

        Returns
        -------
        V_hat : ndarray of shape (n_samples, n_features)
            Predicted ratings.
        """
        check_is_fitted(self)
        X = np.asarray(X)
        return X @ self.components_.astype(X.dtype if X.dtype.kind == "f" else np.float64)

    def predict_cells(self, rows, cols):
        """Predicted ratings ``(W_ H)[rows, cols]`` of training users.

        Parameters
        ----------
        rows : array-like of int
            User (row) indices.
        cols : array-like of int
            Item (column) indices.

        Returns
        -------
        values : ndarray
            Predictions.
        """
        check_is_fitted(self)
        return _predict_cells(self.W_, self.components_.astype(self.W_.dtype), rows, cols)

    def score(self, X, y=None, mask=None):
        """Negative RMSE of the training users' predictions on the observed cells of ``X``.

        ``X`` has the training shape and holds, e.g., held-out ratings (NaN elsewhere).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples_fit, n_features)
            Ratings to score; NaN (or absent sparse entries) are ignored.
        y : Ignored
            Not used, present for API consistency.
        mask : array-like or None, default=None
            1 (True) where an entry counts.

        Returns
        -------
        score : float
            Minus the root mean squared error.
        """
        check_is_fitted(self)
        Xv = validate_data(self, X, accept_sparse=("csr", "csc"), dtype=np.float64, ensure_all_finite="allow-nan",
                           reset=False)
        Xc, mask_spec, _ = observation_mask(Xv, mask, "missing")
        if Xc.shape[0] != self.W_.shape[0]:
            raise ValueError(f"X must have the training shape ({self.W_.shape[0]}, {self.n_features_in_}) "
                             f"(the held-out cells of the training users), got {Xc.shape}.")
        csr, _ = _csr_csc(Xc, mask_spec)
        sse = _observed_sse(self.W_.astype(np.float64), self.components_.T.copy(), csr)
        return -float(np.sqrt(sse / max(len(csr[2]), 1)))

