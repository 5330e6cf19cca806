"""Lasso, ElasticNet and penalised least squares with any penalty of :mod:`sparsestat.penalties`."""

import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import MultiOutputMixin, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model._base import LinearModel
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sparsestat.linear_model._base import alpha_max, effective_tols, prepare_data
from sparsestat.utils._validation import check_random_state_int, check_sample_weight

__all__ = ["ElasticNet", "Lasso", "SparseRegression", "enet_path", "lasso_path", "sparse_path"]


# --------------------------------------------------------------------------- penalty plumbing


def _penalty_spec(penalty, n_features, col_sq, n):
    """(code, alpha, p1 per feature, p2, convex) of a separable penalty for the kernels."""
    code, params = penalty.numba_spec()
    p1 = np.full(n_features, float(params[1]))
    from sparsestat.penalties import CEL0

    if isinstance(penalty, CEL0):
        # CEL0 is defined relative to the atoms of the least-squares fit: for the
        # 1/(2n) scaling these are the centred column norms divided by sqrt(n).
        p1 = np.sqrt(col_sq / n)
        p1[p1 == 0] = 1.0
    return int(code), float(params[0]), p1, float(params[2]), bool(penalty.is_convex)


def _check_penalty_factor(penalty_factor, n_features):
    if penalty_factor is None:
        return np.ones(n_features)
    pf = np.asarray(penalty_factor, dtype=np.float64)
    if pf.shape != (n_features,):
        raise ValueError(
            f"penalty_factor must have shape (n_features,) = ({n_features},), got {pf.shape}."
        )
    if not np.all(np.isfinite(pf)) or np.any(pf < 0):
        raise ValueError("penalty_factor must be finite and non-negative (0 leaves a feature unpenalised).")
    return pf


def _validate_fit_data(est, X, y, reset=True):
    X, y = validate_data(
        est, X, y, accept_sparse="csc", dtype=[np.float64, np.float32], order="F",
        multi_output=True, y_numeric=True, copy=False, reset=reset,
    )
    y = np.asarray(y, dtype=X.dtype)
    if sp.issparse(X):
        X = sp.csc_matrix(X)
    if y.ndim == 2 and y.shape[1] == 1 and not getattr(est, "_keep_2d_y", False):
        pass
    return X, y


def _solve(data, w0, code, alpha, pf, p1, p2, convex, positive, max_iter, tol, selection, seed,
           verbose, screen=True, ws_start=10, tols=None):
    """Run the coordinate-descent kernel on every target of ``data``.

    ``tols`` (absolute, per target) is computed from ``tol`` when not given;
    paths pass it once for the whole grid.
    """
    from sparsestat.linear_model._cd import cd_solver

    Y = data.ys[:, None] if data.ys.ndim == 1 else data.ys
    n_targets = Y.shape[1]
    if tols is None:
        tols = effective_tols(data, tol, convex and code in (0, 1))
    W = np.zeros((n_targets, data.col_sq.shape[0]))
    crits = np.zeros(n_targets)
    n_iters = np.zeros(n_targets, dtype=np.int64)
    for t in range(n_targets):
        yt = np.ascontiguousarray(Y[:, t])
        w = np.array(w0[t] if w0 is not None else np.zeros(data.col_sq.shape[0]), dtype=np.float64)
        w, crit, n_ep, _, _ = cd_solver(
            *data.kernel_args(), yt, data.u, data.x_mean, data.col_sq, w, code, alpha, pf, p1, p2,
            positive, convex, max_iter, float(tols[t]), ws_start, screen, True, selection == "random", seed,
            verbose > 1,
        )
        W[t] = w
        crits[t] = crit
        n_iters[t] = n_ep
    return W, crits, tols, n_iters


def _warn_convergence(crits, tols, tol, n_iters, max_iter, gap_based):
    bad = crits > tols
    if not np.any(bad):
        return
    t = int(np.argmax(crits - tols))
    if gap_based:
        what = (f"duality gap {crits[t]:.3e} > effective tolerance {tols[t]:.3e} "
                f"(tol={tol:g} times ||y - mean(y)||^2 / n_samples)")
    else:
        what = (f"KKT residual {crits[t]:.3e} > effective tolerance {tols[t]:.3e} "
                f"(tol={tol:g} times ||X^T y||_inf / n_samples)")
    warnings.warn(
        f"Coordinate descent did not converge after {n_iters[t]} epochs (max_iter={max_iter}): {what}. "
        "Increase max_iter, standardise the features, or raise tol.",
        ConvergenceWarning,
        stacklevel=3,
    )


# --------------------------------------------------------------------------- estimators


class _PenalizedRegressionBase(MultiOutputMixin, RegressorMixin, LinearModel):
    """Shared fit/predict of the least-squares estimators with a separable or group penalty."""

    _parameter_constraints = {
        "fit_intercept": ["boolean"],
        "penalty_factor": ["array-like", None],
        "positive": ["boolean"],
        "precompute": ["boolean", StrOptions({"auto"})],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "selection": [StrOptions({"cyclic", "random"})],
        "solver": [StrOptions({"cd", "fista"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def _get_penalty(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _fit(self, X, y, sample_weight):
        penalty = self._get_penalty()
        if hasattr(penalty, "_check_params"):
            penalty._check_params()
        if self.solver == "fista":
            from sparsestat.linear_model._fista import fista_fit

            return fista_fit(self, X, y, sample_weight, penalty)
        X, y = _validate_fit_data(self, X, y)
        n_samples, n_features = X.shape
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X)
        pf = _check_penalty_factor(self.penalty_factor, n_features)
        data = prepare_data(X, y, sample_weight, self.fit_intercept)
        w0 = None
        if self.warm_start and hasattr(self, "coef_"):
            coef = np.atleast_2d(self.coef_)
            if coef.shape == (1 if y.ndim == 1 else y.shape[1], n_features):
                w0 = coef.astype(np.float64)
        seed = check_random_state_int(self.random_state) if self.selection == "random" else 0
        if getattr(penalty, "is_separable", True):
            code, alpha, p1, p2, convex = _penalty_spec(penalty, n_features, data.col_sq, data.n)
            W, crits, tols, n_iters = _solve(
                data, w0, code, alpha, pf, p1, p2, convex, self.positive, self.max_iter, self.tol,
                self.selection, seed, self.verbose,
            )
            gap_based = convex and code in (0, 1)
        else:
            from sparsestat.linear_model._group import solve_group

            W, crits, tols, n_iters = solve_group(data, w0, penalty, pf, self.positive, self.max_iter,
                                                  self.tol, self.verbose)
            gap_based = True
        _warn_convergence(crits, tols, self.tol, n_iters, self.max_iter, gap_based)
        single = y.ndim == 1
        self.coef_ = (W[0] if single else W).astype(X.dtype, copy=False)
        intercept = data.y_mean - (W @ data.x_mean if not single else W[0] @ data.x_mean)
        self.intercept_ = (np.asarray(intercept, dtype=X.dtype) if not single else X.dtype.type(intercept)) \
            if self.fit_intercept else (np.zeros(W.shape[0], dtype=X.dtype) if not single else X.dtype.type(0))
        self.dual_gap_ = crits[0] if single else crits
        self.stop_crit_ = self.dual_gap_
        self.n_iter_ = int(n_iters[0]) if single else n_iters
        return self

    def predict(self, X):
        """Predict with the fitted linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predictions.
        """
        check_is_fitted(self)
        if self.solver == "fista":
            from sparsestat.linear_model._fista import fista_predict

            out = fista_predict(self, X)
            if out is not None:
                return out
        X = validate_data(self, X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32],
                          reset=False)
        return self._decision_function(X)

    @property
    def sparse_coef_(self):
        """Sparse (CSR) representation of ``coef_``."""
        return sp.csr_matrix(np.atleast_2d(self.coef_))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


class ElasticNet(_PenalizedRegressionBase):
    r"""Linear regression with combined L1 and L2 priors (elastic net), by coordinate descent.

    Minimises, with :math:`s_i` the sample weights normalised to sum to
    :math:`n` and :math:`p_j` the penalty factors,

    .. math::

        \frac{1}{2n}\sum_i s_i (y_i - x_i^\top w - b)^2
        + \alpha\rho \sum_j p_j |w_j| + \frac{\alpha (1-\rho)}{2} \|w\|_2^2,

    the scikit-learn scaling, so ``alpha`` means the same as in
    :class:`sklearn.linear_model.ElasticNet`. The solver is working-set
    coordinate descent in Numba with Anderson extrapolation and gap-safe
    screening; it stops on the duality gap, like scikit-learn:
    ``gap <= tol * ||y - mean(y)||^2 / n``.

    Parameters
    ----------
    alpha : float, default=1.0
        Overall penalty strength (non-negative).
    l1_ratio : float in [0, 1], default=0.5
        Mixing :math:`\rho` between L1 (1) and L2 (0).
    fit_intercept : bool, default=True
        Fit an unpenalised intercept (by implicit centring; sparse X stays sparse).
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multipliers :math:`p_j` of the L1 part (0 leaves a feature
        unpenalised), as in glmnet.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    precompute : bool or "auto", default=False
        Accepted for scikit-learn compatibility; the working-set solver does
        not use a Gram matrix.
    max_iter : int, default=1000
        Maximum number of coordinate-descent epochs (passes over a working set).
    tol : float, default=1e-4
        Tolerance on the duality gap, relative to ``||y - mean(y)||^2 / n``.
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    selection : {"cyclic", "random"}, default="cyclic"
        Order in which the coordinates of a working set are visited.
    solver : {"cd", "fista"}, default="cd"
        ``"cd"``: Numba coordinate descent (dense or sparse X).
        ``"fista"``: array-API FISTA for dense X; CuPy inputs stay on the GPU.
    random_state : int, RandomState or None, default=None
        Seed of ``selection="random"``.
    verbose : int, default=0
        Print solver progress when > 1.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept.
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap reached, in the scaled objective.
    n_iter_ : int or ndarray of shape (n_targets,)
        Epochs run.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    Lasso : The L1-only special case.
    SparseRegression : Any penalty of :mod:`sparsestat.penalties`.

    References
    ----------
    .. [1] H. Zou and T. Hastie, "Regularization and variable selection via the
       elastic net", JRSS-B 67(2), 2005.
    .. [2] J. Friedman, T. Hastie and R. Tibshirani, "Regularization paths for
       generalized linear models via coordinate descent", J. Stat. Softw. 33(1), 2010.
    .. [3] M. Massias, A. Gramfort and J. Salmon, "Celer: a fast solver for the
       Lasso with dual extrapolation", ICML 2018.
    .. [4] Q. Bertrand et al., "Beyond L1: faster and better sparse models with
       skglm", NeurIPS 2022.

    Examples
    --------
    >>> from sparsestat.datasets import make_sparse_regression
    >>> from sparsestat.linear_model import ElasticNet
    >>> X, y, _ = make_sparse_regression(100, 50, 5, random_state=0)
    >>> model = ElasticNet(alpha=0.1, l1_ratio=0.7).fit(X, y)
    >>> bool(model.dual_gap_ <= 1e-4 * ((y - y.mean()) ** 2).mean())
    True
    """

    _parameter_constraints = {
        **_PenalizedRegressionBase._parameter_constraints,
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "l1_ratio": [Interval(numbers.Real, 0, 1, closed="both")],
    }

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, penalty_factor=None, positive=False,
                 precompute=False, max_iter=1000, tol=1e-4, warm_start=False, selection="cyclic", solver="cd",
                 random_state=None, verbose=0):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.selection = selection
        self.solver = solver
        self.random_state = random_state
        self.verbose = verbose

    def _get_penalty(self):
        from sparsestat.penalties import L1
        from sparsestat.penalties import ElasticNet as ENPenalty

        if self.l1_ratio == 1.0:
            return L1(alpha=self.alpha)
        return ENPenalty(alpha=self.alpha, l1_ratio=self.l1_ratio)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by coordinate descent.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (CSC is used as is; other sparse formats are converted).
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; integer weights are equivalent to repeated rows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)


class Lasso(ElasticNet):
    r"""Linear regression with an L1 prior (the Lasso), by coordinate descent.

    Minimises

    .. math::

        \frac{1}{2n}\sum_i s_i (y_i - x_i^\top w - b)^2 + \alpha \sum_j p_j |w_j|,

    the scikit-learn scaling. See :class:`ElasticNet` for the solver.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength (non-negative).
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multipliers of the penalty (0 leaves a feature unpenalised).
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    precompute : bool or "auto", default=False
        Accepted for scikit-learn compatibility (not used).
    max_iter : int, default=1000
        Maximum number of coordinate-descent epochs.
    tol : float, default=1e-4
        Tolerance on the duality gap, relative to ``||y - mean(y)||^2 / n``.
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    selection : {"cyclic", "random"}, default="cyclic"
        Coordinate order within a working set.
    solver : {"cd", "fista"}, default="cd"
        Numba coordinate descent, or array-API FISTA (dense, CuPy-capable).
    random_state : int, RandomState or None, default=None
        Seed of ``selection="random"``.
    verbose : int, default=0
        Print solver progress when > 1.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept.
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap reached.
    n_iter_ : int or ndarray of shape (n_targets,)
        Epochs run.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    ElasticNet, LassoCV, lasso_path

    References
    ----------
    .. [1] R. Tibshirani, "Regression shrinkage and selection via the lasso",
       JRSS-B 58(1), 1996.

    Examples
    --------
    >>> from sparsestat.datasets import make_sparse_regression
    >>> from sparsestat.linear_model import Lasso
    >>> X, y, coef = make_sparse_regression(200, 500, 5, snr=20, random_state=0)
    >>> model = Lasso(alpha=0.05).fit(X, y)
    >>> set((coef != 0).nonzero()[0]) <= set((model.coef_ != 0).nonzero()[0])
    True
    """

    _parameter_constraints = {
        k: v for k, v in ElasticNet._parameter_constraints.items() if k != "l1_ratio"
    }

    def __init__(self, alpha=1.0, *, fit_intercept=True, penalty_factor=None, positive=False, precompute=False,
                 max_iter=1000, tol=1e-4, warm_start=False, selection="cyclic", solver="cd", random_state=None,
                 verbose=0):
        super().__init__(alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept, penalty_factor=penalty_factor,
                         positive=positive, precompute=precompute, max_iter=max_iter, tol=tol,
                         warm_start=warm_start, selection=selection, solver=solver, random_state=random_state,
                         verbose=verbose)


class SparseRegression(_PenalizedRegressionBase):
    r"""Penalised least squares with any penalty of :mod:`sparsestat.penalties`.

    Minimises

    .. math::

        \frac{1}{2n}\sum_i s_i (y_i - x_i^\top w - b)^2 + \sum_j p_j\,\mathrm{pen}(w_j),

    where ``penalty`` is an object such as :class:`~sparsestat.penalties.MCP`,
    :class:`~sparsestat.penalties.SCAD`, :class:`~sparsestat.penalties.L0`,
    :class:`~sparsestat.penalties.Lq`, :class:`~sparsestat.penalties.CEL0`,
    :class:`~sparsestat.penalties.L1`, :class:`~sparsestat.penalties.ElasticNet`
    or :class:`~sparsestat.penalties.GroupL1` (block coordinate descent). Its
    parameters are reachable from a grid search as ``penalty__alpha``.

    Convex penalties stop on the duality gap (as :class:`Lasso`); nonconvex ones
    on the largest distance of the gradient to the penalty's subdifferential
    (KKT residual), relative to :math:`\|X^\top y\|_\infty / n`; coordinate
    descent then reaches a stationary point, which depends on the start.

    For :class:`~sparsestat.penalties.CEL0` the atom norms are those of the
    design's centred columns divided by :math:`\sqrt n` (the least-squares
    problem CEL0 is the exact relaxation of); the penalty's own
    ``atom_norms`` are ignored here.

    Parameters
    ----------
    penalty : penalty object, default=None
        The sparsity prior; ``None`` means ``L1(alpha=1.0)``.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multipliers of the penalty strength.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    precompute : bool or "auto", default=False
        Accepted for scikit-learn compatibility (not used).
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float, default=1e-4
        Tolerance (duality gap for convex penalties, KKT residual otherwise).
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    selection : {"cyclic", "random"}, default="cyclic"
        Coordinate order within a working set.
    solver : {"cd", "fista"}, default="cd"
        Numba coordinate descent, or array-API proximal gradient (dense, CuPy-capable).
    random_state : int, RandomState or None, default=None
        Seed of ``selection="random"``.
    verbose : int, default=0
        Print solver progress when > 1.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept.
    stop_crit_ : float or ndarray of shape (n_targets,)
        Stopping criterion reached (duality gap or KKT residual).
    dual_gap_ : float or ndarray of shape (n_targets,)
        Same as ``stop_crit_`` (the duality gap for convex penalties).
    n_iter_ : int or ndarray of shape (n_targets,)
        Epochs run.
    n_features_in_ : int
        Number of features seen in ``fit``.

    References
    ----------
    .. [1] C.-H. Zhang, "Nearly unbiased variable selection under minimax
       concave penalty", Ann. Statist. 38(2), 2010.
    .. [2] J. Fan and R. Li, "Variable selection via nonconcave penalized
       likelihood and its oracle properties", JASA 96, 2001.
    .. [3] E. Soubies, L. Blanc-Féraud and G. Aubert, "A continuous exact ℓ0
       penalty (CEL0) for least squares regularized problem", SIAM J. Imaging
       Sci. 8(3), 2015.

    Examples
    --------
    >>> from sparsestat.datasets import make_sparse_regression
    >>> from sparsestat.linear_model import SparseRegression
    >>> from sparsestat.penalties import MCP
    >>> X, y, coef = make_sparse_regression(200, 500, 5, snr=20, random_state=0)
    >>> model = SparseRegression(MCP(alpha=0.1, gamma=3.0)).fit(X, y)
    >>> sorted((model.coef_ != 0).nonzero()[0]) == sorted(coef.nonzero()[0])
    True
    """

    _parameter_constraints = {
        **_PenalizedRegressionBase._parameter_constraints,
        "penalty": "no_validation",
    }

    def __init__(self, penalty=None, *, fit_intercept=True, penalty_factor=None, positive=False, precompute=False,
                 max_iter=1000, tol=1e-4, warm_start=False, selection="cyclic", solver="cd", random_state=None,
                 verbose=0):
        self.penalty = penalty
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.selection = selection
        self.solver = solver
        self.random_state = random_state
        self.verbose = verbose

    def _get_penalty(self):
        from sparsestat.penalties import L1

        if self.penalty is None:
            return L1(alpha=1.0)
        if not hasattr(self.penalty, "prox") or not hasattr(self.penalty, "value"):
            raise TypeError(
                "penalty must be a penalty object from sparsestat.penalties (e.g. MCP(alpha=0.1)), "
                f"got {type(self.penalty).__name__}."
            )
        if getattr(self.penalty, "is_separable", True) and not hasattr(self.penalty, "numba_spec"):
            raise TypeError(f"penalty {type(self.penalty).__name__} cannot be used by coordinate descent.")
        return self.penalty

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; integer weights are equivalent to repeated rows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    @classmethod
    def _test_instances(cls):
        from sparsestat.penalties import L1, MCP, SCAD, GroupL1

        # scikit-learn's checks lower ``alpha`` to 0.01 on estimators that have
        # one; the penalty carries it here, so the instances set it themselves.
        return [cls(L1(alpha=0.01)), cls(MCP(alpha=0.1)), cls(SCAD(alpha=0.1)), cls(GroupL1(alpha=0.01, groups=1))]


# --------------------------------------------------------------------------- paths


def _alpha_grid(data, alphas, eps, l1_ratio, pf, positive):
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, bool):
        if alphas < 1:
            raise ValueError(f"alphas must be a positive int (grid size) or an array of alphas, got {alphas}.")
        if not (isinstance(eps, numbers.Real) and 0 < eps < 1):
            raise ValueError(f"eps must be in (0, 1), got {eps!r}.")
        amax = alpha_max(data, l1_ratio, pf, positive)
        return np.geomspace(amax, amax * eps, alphas)
    grid = np.asarray(alphas, dtype=np.float64).ravel()
    if grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
        raise ValueError("alphas must contain finite, non-negative values.")
    return np.sort(grid)[::-1]


def sparse_path(X, y, penalty=None, *, alphas=100, eps=1e-3, fit_intercept=False, sample_weight=None,
                penalty_factor=None, positive=False, max_iter=1000, tol=1e-4, coef_init=None,
                return_intercept=False, verbose=0):
    r"""Regularisation path of penalised least squares with any separable penalty.

    The path is computed from the largest alpha down, each fit warm-started at
    the previous solution. ``alpha`` overrides the penalty's own ``alpha``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Target.
    penalty : penalty object, default=None
        A separable penalty of :mod:`sparsestat.penalties` (``None``: L1).
    alphas : int or array-like, default=100
        Grid size (a geometric grid from :math:`\alpha_{max}` down to
        ``eps * alpha_max``) or the alphas themselves.
    eps : float, default=1e-3
        Ratio of the smallest to the largest alpha of the grid.
    fit_intercept : bool, default=False
        Centre the data (implicitly) and fit an intercept.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights; they enter alpha_max and the grid.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty multipliers.
    positive : bool, default=False
        Non-negative coefficients.
    max_iter : int, default=1000
        Maximum epochs per alpha.
    tol : float, default=1e-4
        Tolerance per alpha (see :class:`SparseRegression`).
    coef_init : ndarray of shape (n_features,), default=None
        Start of the first fit.
    return_intercept : bool, default=False
        Also return the intercepts along the path.
    verbose : int, default=0
        Verbosity.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The alphas, decreasing.
    coefs : ndarray of shape (n_features, n_alphas) or (n_targets, n_features, n_alphas)
        Coefficients along the path.
    stop_crits : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Duality gap (convex) or KKT residual reached at each alpha.
    n_iters : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Epochs at each alpha.
    intercepts : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Only when ``return_intercept`` is True.

    Examples
    --------
    >>> from sparsestat.datasets import make_sparse_regression
    >>> from sparsestat.linear_model import sparse_path
    >>> from sparsestat.penalties import MCP
    >>> X, y, _ = make_sparse_regression(50, 100, 5, random_state=0)
    >>> alphas, coefs, crits, n_iters = sparse_path(X, y, MCP(gamma=3.0), alphas=10)
    >>> coefs.shape
    (100, 10)
    """
    from sklearn.utils import check_array, check_consistent_length

    from sparsestat.penalties import L1

    penalty = L1() if penalty is None else penalty
    if not getattr(penalty, "is_separable", True):
        raise ValueError("sparse_path supports separable penalties; use SparseRegression for GroupL1.")
    X = check_array(X, accept_sparse="csc", dtype=[np.float64, np.float32], order="F")
    y = check_array(y, ensure_2d=False, dtype=X.dtype)
    check_consistent_length(X, y)
    if sp.issparse(X):
        X = sp.csc_matrix(X)
    n_samples, n_features = X.shape
    if sample_weight is not None:
        sample_weight = check_sample_weight(sample_weight, X)
    pf = _check_penalty_factor(penalty_factor, n_features)
    data = prepare_data(X, y, sample_weight, fit_intercept)
    code, _, p1, p2, convex = _penalty_spec(penalty, n_features, data.col_sq, data.n)
    l1_ratio = float(getattr(penalty, "l1_ratio", 1.0))
    grid = _alpha_grid(data, alphas, eps, l1_ratio, pf, positive)
    T = 1 if data.ys.ndim == 1 else data.ys.shape[1]
    coefs = np.zeros((T, n_features, grid.size))
    crits = np.zeros((T, grid.size))
    iters = np.zeros((T, grid.size), dtype=np.int64)
    gap_based = convex and code in (0, 1)
    tols = effective_tols(data, tol, gap_based)
    W = None if coef_init is None else np.tile(np.asarray(coef_init, dtype=np.float64).reshape(-1), (T, 1))
    for k, a in enumerate(grid):
        W, crits[:, k], _, iters[:, k] = _solve(data, W, code, float(a), pf, p1, p2, convex, positive, max_iter,
                                                tol, "cyclic", 0, verbose, tols=tols)
        coefs[:, :, k] = W
        _warn_convergence(crits[:, k], tols, tol, iters[:, k], max_iter, gap_based)
    coefs = coefs.astype(X.dtype, copy=False)
    intercepts = np.asarray(data.y_mean).reshape(-1, 1) - np.einsum("j,tjk->tk", data.x_mean, coefs)
    if T == 1 and data.ys.ndim == 1:
        out = (grid, coefs[0], crits[0], iters[0])
        intercepts = intercepts[0]
    else:
        out = (grid, coefs, crits, iters)
    return out + (intercepts,) if return_intercept else out


def enet_path(X, y, *, l1_ratio=0.5, alphas=100, eps=1e-3, fit_intercept=False, sample_weight=None,
              penalty_factor=None, positive=False, max_iter=1000, tol=1e-4, coef_init=None, verbose=0):
    r"""Elastic-net regularisation path by warm-started coordinate descent.

    Objective as in :class:`ElasticNet`. Like scikit-learn's ``enet_path``, the
    data are not centred unless ``fit_intercept=True``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Target.
    l1_ratio : float in (0, 1], default=0.5
        L1/L2 mixing.
    alphas : int or array-like, default=100
        Grid size or the alphas.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the grid.
    fit_intercept : bool, default=False
        Implicitly centre the data.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty multipliers.
    positive : bool, default=False
        Non-negative coefficients.
    max_iter : int, default=1000
        Maximum epochs per alpha.
    tol : float, default=1e-4
        Duality-gap tolerance relative to ``||y||^2 / n``.
    coef_init : ndarray of shape (n_features,), default=None
        Start of the first fit.
    verbose : int, default=0
        Verbosity.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        Decreasing alphas.
    coefs : ndarray of shape (n_features, n_alphas) or (n_targets, n_features, n_alphas)
        Coefficients.
    dual_gaps : ndarray
        Duality gaps reached.
    n_iters : ndarray
        Epochs per alpha.

    Examples
    --------
    >>> from sparsestat.datasets import make_sparse_regression
    >>> from sparsestat.linear_model import enet_path
    >>> X, y, _ = make_sparse_regression(50, 100, 5, random_state=0)
    >>> alphas, coefs, gaps, n_iters = enet_path(X, y, l1_ratio=0.5, alphas=5)
    >>> coefs.shape
    (100, 5)
    """
    from sparsestat.penalties import L1
    from sparsestat.penalties import ElasticNet as ENPenalty

    if not (isinstance(l1_ratio, numbers.Real) and 0 < l1_ratio <= 1):
        raise ValueError(f"l1_ratio must be in (0, 1] for a path, got {l1_ratio!r}.")
    penalty = L1() if l1_ratio == 1 else ENPenalty(l1_ratio=l1_ratio)
    return sparse_path(X, y, penalty, alphas=alphas, eps=eps, fit_intercept=fit_intercept,
                       sample_weight=sample_weight, penalty_factor=penalty_factor, positive=positive,
                       max_iter=max_iter, tol=tol, coef_init=coef_init, verbose=verbose)


def lasso_path(X, y, *, alphas=100, eps=1e-3, fit_intercept=False, sample_weight=None, penalty_factor=None,
               positive=False, max_iter=1000, tol=1e-4, coef_init=None, verbose=0):
    r"""Lasso regularisation path by warm-started working-set coordinate descent.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Target.
    alphas : int or array-like, default=100
        Grid size or the alphas.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the grid.
    fit_intercept : bool, default=False
        Implicitly centre the data.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty multipliers.
    positive : bool, default=False
        Non-negative coefficients.
    max_iter : int, default=1000
        Maximum epochs per alpha.
    tol : float, default=1e-4
        Duality-gap tolerance relative to ``||y||^2 / n``.
    coef_init : ndarray of shape (n_features,), default=None
        Start of the first fit.
    verbose : int, default=0
        Verbosity.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        Decreasing alphas.
    coefs : ndarray of shape (n_features, n_alphas) or (n_targets, n_features, n_alphas)
        Coefficients.
    dual_gaps : ndarray
        Duality gaps reached.
    n_iters : ndarray
        Epochs per alpha.

    Examples
    --------
    >>> from sparsestat.datasets import make_sparse_regression
    >>> from sparsestat.linear_model import lasso_path
    >>> X, y, _ = make_sparse_regression(50, 100, 5, random_state=0)
    >>> alphas, coefs, gaps, n_iters = lasso_path(X, y, alphas=5)
    >>> bool((coefs[:, 0] == 0).all())
    True
    """
    return enet_path(X, y, l1_ratio=1.0, alphas=alphas, eps=eps, fit_intercept=fit_intercept,
                     sample_weight=sample_weight, penalty_factor=penalty_factor, positive=positive,
                     max_iter=max_iter, tol=tol, coef_init=coef_init, verbose=verbose)
