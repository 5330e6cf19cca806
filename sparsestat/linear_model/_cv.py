"""Cross-validated Lasso, ElasticNet and penalised regression (folds in parallel through joblib)."""

import numbers

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import RegressorMixin, _fit_context, clone
from sklearn.linear_model._base import LinearModel
from sklearn.model_selection import check_cv
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from sparsestat.linear_model._base import prepare_data
from sparsestat.linear_model._coordinate_descent import (
    ElasticNet,
    SparseRegression,
    _alpha_grid,
    _check_penalty_factor,
    sparse_path,
)
from sparsestat.utils._validation import check_sample_weight

__all__ = ["ElasticNetCV", "LassoCV", "SparseRegressionCV"]


def _fold_mse(X, y, sw, train, test, penalty, alphas, fit_intercept, pf, positive, max_iter, tol):
    sw_train = None if sw is None else sw[train]
    _, coefs, _, _, intercepts = sparse_path(
        X[train], y[train], penalty, alphas=alphas, fit_intercept=fit_intercept, sample_weight=sw_train,
        penalty_factor=pf, positive=positive, max_iter=max_iter, tol=tol, return_intercept=True,
    )
    pred = np.asarray(X[test] @ coefs) + intercepts
    err = (pred - y[test][:, None]) ** 2
    if sw is None:
        return err.mean(axis=0)
    w = sw[test]
    return (w @ err) / max(w.sum(), np.finfo(float).tiny)


class _PathCV(RegressorMixin, LinearModel):
    _parameter_constraints = {
        "alphas": [Interval(numbers.Integral, 1, None, closed="left"), "array-like"],
        "eps": [Interval(numbers.Real, 0, 1, closed="neither")],
        "cv": ["cv_object"],
        "n_jobs": [numbers.Integral, None],
        "fit_intercept": ["boolean"],
        "penalty_factor": ["array-like", None],
        "positive": ["boolean"],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "selection": [StrOptions({"cyclic", "random"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def _penalties(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _final_estimator(self, penalty, alpha):  # pragma: no cover - abstract
        raise NotImplementedError

    def _fit(self, X, y, sample_weight):
        X, y = validate_data(self, X, y, accept_sparse="csc", dtype=[np.float64, np.float32], order="F",
                             y_numeric=True)
        y = np.asarray(y, dtype=X.dtype)
        if sp.issparse(X):
            X = sp.csc_matrix(X)
        sw = None if sample_weight is None else check_sample_weight(sample_weight, X)
        pf = _check_penalty_factor(self.penalty_factor, X.shape[1])
        data = prepare_data(X, y, sw, self.fit_intercept)
        folds = list(check_cv(self.cv).split(X, y))
        penalties = self._penalties()
        grids = [_alpha_grid(data, self.alphas, self.eps, float(getattr(pen, "l1_ratio", 1.0)), pf, self.positive)
                 for pen in penalties]
        jobs = (delayed(_fold_mse)(X, y, sw, tr, te, pen, grid, self.fit_intercept, pf, self.positive,
                                   self.max_iter, self.tol)
                for pen, grid in zip(penalties, grids) for tr, te in folds)
        mses = Parallel(n_jobs=self.n_jobs, verbose=max(self.verbose - 1, 0))(jobs)
        mse = np.asarray(mses).reshape(len(penalties), len(folds), -1).transpose(0, 2, 1)
        mean = mse.mean(axis=2)
        i_pen, i_alpha = np.unravel_index(np.argmin(mean), mean.shape)
        self.alpha_ = float(grids[i_pen][i_alpha])
        best = penalties[i_pen]
        single = len(penalties) == 1
        self.alphas_ = grids[0] if single else np.asarray(grids)
        self.mse_path_ = mse[0] if single else mse
        final = self._final_estimator(best, self.alpha_)
        final.fit(X, y, sample_weight=sw)
        self.coef_ = final.coef_
        self.intercept_ = final.intercept_
        self.dual_gap_ = final.dual_gap_
        self.n_iter_ = final.n_iter_
        if "l1_ratio" in self.get_params():
            self.l1_ratio_ = float(getattr(best, "l1_ratio", 1.0))
        _, coef_path, _, _ = sparse_path(X, y, best, alphas=grids[i_pen], fit_intercept=self.fit_intercept,
                                         sample_weight=sw, penalty_factor=pf, positive=self.positive,
                                         max_iter=self.max_iter, tol=self.tol)
        self.coef_path_ = coef_path
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _expected_failed_checks(self):
        # Repeating rows changes the folds (and so the chosen alpha); the
        # weighted fits themselves are checked on Lasso/ElasticNet.
        return {
            "check_sample_weight_equivalence_on_dense_data": "CV folds differ when rows are repeated",
            "check_sample_weight_equivalence_on_sparse_data": "CV folds differ when rows are repeated",
        }


class ElasticNetCV(_PathCV):
    r"""Elastic net with ``alpha`` (and ``l1_ratio``) chosen by cross-validation.

    Paths are computed on every fold with warm starts, folds in parallel
    through joblib (``n_jobs``; a Dask joblib backend scales them out), the
    grid from :math:`\alpha_{max}` of the whole (weighted) data; the best alpha
    minimises the mean held-out (weighted) squared error, then the model is
    refitted on all the data. Objective as :class:`ElasticNet`.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        L1/L2 mixing values to try (each in (0, 1]).
    alphas : int or array-like, default=100
        Grid size or the alphas.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the grid.
    cv : int, cross-validation generator or iterable, default=None
        Folds (5-fold when None).
    n_jobs : int, default=None
        Folds fitted in parallel.
    fit_intercept : bool, default=True
        Fit an intercept.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty multipliers.
    positive : bool, default=False
        Non-negative coefficients.
    max_iter : int, default=1000
        Maximum epochs per alpha.
    tol : float, default=1e-4
        Duality-gap tolerance.
    selection : {"cyclic", "random"}, default="cyclic"
        Coordinate order of the final fit.
    random_state : int, RandomState or None, default=None
        Seed of ``selection="random"``.
    verbose : int, default=0
        Verbosity.

    Attributes
    ----------
    alpha_ : float
        Chosen alpha.
    l1_ratio_ : float
        Chosen l1_ratio.
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        Grids.
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)
        Held-out mean squared errors.
    coef_path_ : ndarray of shape (n_features, n_alphas)
        Path on the whole data at the chosen l1_ratio.
    coef_ : ndarray of shape (n_features,)
        Coefficients of the refit.
    intercept_ : float
        Intercept of the refit.
    dual_gap_ : float
        Duality gap of the refit.
    n_iter_ : int
        Epochs of the refit.
    n_features_in_ : int
        Number of features.

    Examples
    --------
    >>> from sparsestat.datasets import make_sparse_regression
    >>> from sparsestat.linear_model import ElasticNetCV
    >>> X, y, _ = make_sparse_regression(100, 50, 5, random_state=0)
    >>> model = ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=20, cv=3).fit(X, y)
    >>> model.mse_path_.shape
    (2, 20, 3)
    """

    _parameter_constraints = {**_PathCV._parameter_constraints, "l1_ratio": [numbers.Real, "array-like"]}

    def __init__(self, *, l1_ratio=0.5, alphas=100, eps=1e-3, cv=None, n_jobs=None, fit_intercept=True,
                 penalty_factor=None, positive=False, max_iter=1000, tol=1e-4, selection="cyclic",
                 random_state=None, verbose=0):
        self.l1_ratio = l1_ratio
        self.alphas = alphas
        self.eps = eps
        self.cv = cv
        self.n_jobs = n_jobs
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.max_iter = max_iter
        self.tol = tol
        self.selection = selection
        self.random_state = random_state
        self.verbose = verbose

    def _penalties(self):
        from sparsestat.penalties import L1
        from sparsestat.penalties import ElasticNet as ENPenalty

        ratios = np.atleast_1d(np.asarray(self.l1_ratio, dtype=float))
        if ratios.size == 0 or np.any(ratios <= 0) or np.any(ratios > 1):
            raise ValueError(f"l1_ratio values must be in (0, 1], got {self.l1_ratio!r}.")
        return [L1() if r == 1 else ENPenalty(l1_ratio=float(r)) for r in ratios]

    def _final_estimator(self, penalty, alpha):
        return ElasticNet(alpha=alpha, l1_ratio=float(getattr(penalty, "l1_ratio", 1.0)),
                          fit_intercept=self.fit_intercept, penalty_factor=self.penalty_factor,
                          positive=self.positive, max_iter=self.max_iter, tol=self.tol, selection=self.selection,
                          random_state=self.random_state)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Choose alpha (and l1_ratio) by cross-validation, then refit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights (they enter alpha_max, the fits and the held-out errors).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)


class LassoCV(ElasticNetCV):
    r"""Lasso with ``alpha`` chosen by cross-validation along a warm-started path.

    See :class:`ElasticNetCV`; objective as :class:`Lasso`.

    Parameters
    ----------
    alphas : int or array-like, default=100
        Grid size or the alphas.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the grid.
    cv : int, cross-validation generator or iterable, default=None
        Folds (5-fold when None).
    n_jobs : int, default=None
        Folds fitted in parallel.
    fit_intercept : bool, default=True
        Fit an intercept.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty multipliers.
    positive : bool, default=False
        Non-negative coefficients.
    max_iter : int, default=1000
        Maximum epochs per alpha.
    tol : float, default=1e-4
        Duality-gap tolerance.
    selection : {"cyclic", "random"}, default="cyclic"
        Coordinate order of the final fit.
    random_state : int, RandomState or None, default=None
        Seed of ``selection="random"``.
    verbose : int, default=0
        Verbosity.

    Attributes
    ----------
    alpha_ : float
        Chosen alpha.
    alphas_ : ndarray of shape (n_alphas,)
        Grid.
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Held-out mean squared errors.
    coef_path_ : ndarray of shape (n_features, n_alphas)
        Path on the whole data.
    coef_ : ndarray of shape (n_features,)
        Coefficients of the refit.
    intercept_ : float
        Intercept.
    dual_gap_ : float
        Duality gap of the refit.
    n_iter_ : int
        Epochs of the refit.
    n_features_in_ : int
        Number of features.

    Examples
    --------
    >>> from sparsestat.datasets import make_sparse_regression
    >>> from sparsestat.linear_model import LassoCV
    >>> X, y, _ = make_sparse_regression(100, 50, 5, random_state=0)
    >>> model = LassoCV(alphas=20, cv=3).fit(X, y)
    >>> model.mse_path_.shape
    (20, 3)
    """

    _parameter_constraints = {k: v for k, v in ElasticNetCV._parameter_constraints.items() if k != "l1_ratio"}

    def __init__(self, *, alphas=100, eps=1e-3, cv=None, n_jobs=None, fit_intercept=True, penalty_factor=None,
                 positive=False, max_iter=1000, tol=1e-4, selection="cyclic", random_state=None, verbose=0):
        super().__init__(l1_ratio=1.0, alphas=alphas, eps=eps, cv=cv, n_jobs=n_jobs, fit_intercept=fit_intercept,
                         penalty_factor=penalty_factor, positive=positive, max_iter=max_iter, tol=tol,
                         selection=selection, random_state=random_state, verbose=verbose)

    def _penalties(self):
        from sparsestat.penalties import L1

        return [L1()]


class SparseRegressionCV(_PathCV):
    r"""Penalised regression with the penalty's ``alpha`` chosen by cross-validation.

    Any separable penalty of :mod:`sparsestat.penalties`; its other
    hyper-parameters (``gamma`` of MCP, ``q`` of Lq...) are kept. See
    :class:`ElasticNetCV` for the procedure and :class:`SparseRegression` for
    the objective and the stopping rule.

    Parameters
    ----------
    penalty : penalty object, default=None
        Separable penalty (``None``: L1).
    alphas : int or array-like, default=100
        Grid size or the alphas.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the grid.
    cv : int, cross-validation generator or iterable, default=None
        Folds (5-fold when None).
    n_jobs : int, default=None
        Folds fitted in parallel.
    fit_intercept : bool, default=True
        Fit an intercept.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty multipliers.
    positive : bool, default=False
        Non-negative coefficients.
    max_iter : int, default=1000
        Maximum epochs per alpha.
    tol : float, default=1e-4
        Tolerance (duality gap or KKT residual).
    selection : {"cyclic", "random"}, default="cyclic"
        Coordinate order of the final fit.
    random_state : int, RandomState or None, default=None
        Seed of ``selection="random"``.
    verbose : int, default=0
        Verbosity.

    Attributes
    ----------
    alpha_ : float
        Chosen alpha.
    alphas_ : ndarray of shape (n_alphas,)
        Grid.
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Held-out mean squared errors.
    coef_path_ : ndarray of shape (n_features, n_alphas)
        Path on the whole data.
    coef_ : ndarray of shape (n_features,)
        Coefficients of the refit.
    intercept_ : float
        Intercept.
    dual_gap_ : float
        Stopping criterion of the refit.
    n_iter_ : int
        Epochs of the refit.
    n_features_in_ : int
        Number of features.

    Examples
    --------
    >>> from sparsestat.datasets import make_sparse_regression
    >>> from sparsestat.linear_model import SparseRegressionCV
    >>> from sparsestat.penalties import SCAD
    >>> X, y, _ = make_sparse_regression(100, 50, 5, random_state=0)
    >>> model = SparseRegressionCV(SCAD(), alphas=20, cv=3).fit(X, y)
    >>> model.alphas_.shape
    (20,)
    """

    _parameter_constraints = {**_PathCV._parameter_constraints, "penalty": "no_validation"}

    def __init__(self, penalty=None, *, alphas=100, eps=1e-3, cv=None, n_jobs=None, fit_intercept=True,
                 penalty_factor=None, positive=False, max_iter=1000, tol=1e-4, selection="cyclic",
                 random_state=None, verbose=0):
        self.penalty = penalty
        self.alphas = alphas
        self.eps = eps
        self.cv = cv
        self.n_jobs = n_jobs
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.max_iter = max_iter
        self.tol = tol
        self.selection = selection
        self.random_state = random_state
        self.verbose = verbose

    def _penalties(self):
        from sparsestat.penalties import L1

        pen = L1() if self.penalty is None else self.penalty
        if not getattr(pen, "is_separable", False) or not hasattr(pen, "numba_spec"):
            raise ValueError(f"SparseRegressionCV needs a separable penalty, got {type(pen).__name__}.")
        return [pen]

    def _final_estimator(self, penalty, alpha):
        pen = clone(penalty).set_params(alpha=alpha)
        return SparseRegression(pen, fit_intercept=self.fit_intercept, penalty_factor=self.penalty_factor,
                                positive=self.positive, max_iter=self.max_iter, tol=self.tol,
                                selection=self.selection, random_state=self.random_state)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Choose alpha by cross-validation, then refit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)
