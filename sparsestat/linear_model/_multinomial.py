"""Multinomial (softmax) Lasso with elementwise or feature-grouped penalty, its path and CV."""

import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from sparsestat.linear_model._coordinate_descent import _check_penalty_factor
from sparsestat.utils._validation import check_sample_weight

__all__ = ["MultinomialLasso", "MultinomialLassoCV", "multinomial_lasso_path"]


# --------------------------------------------------------------------------- numerics


def _logsumexp(eta):
    mx = eta.max(axis=1, keepdims=True)
    return (mx + np.log(np.exp(eta - mx).sum(axis=1, keepdims=True))).ravel()


def _softmax(eta):
    e = np.exp(eta - eta.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class _Design:
    """Kernel view of X (float64, dense Fortran buffer or CSC) plus the products the outer loop needs."""

    def __init__(self, X):
        if sp.issparse(X):
            Xc = sp.csc_matrix(X, dtype=np.float64)
            Xc.sort_indices()
            self.X = Xc
            self.Xd = np.ascontiguousarray(Xc.data)
            self.Xi = Xc.indices.astype(np.int64)
            self.Xp = Xc.indptr.astype(np.int64)
            self.is_sparse = True
        else:
            self.X = np.asfortranarray(X, dtype=np.float64)
            self.Xd = self.X.ravel(order="F")
            self.Xi = np.empty(0, dtype=np.int64)
            self.Xp = np.zeros(1, dtype=np.int64)
            self.is_sparse = False
        self.n, self.p = X.shape

    def eta(self, W, b):
        out = self.X @ W.T if not self.is_sparse else np.asarray(self.X @ W.T)
        return out + b

    def grad(self, R):
        """X^T R as (K, p) for R of shape (n, K)."""
        if self.is_sparse:
            return np.asarray(self.X.T @ R).T
        return (R.T @ self.X)


def _penalty_value(W, alpha, l1_ratio, pf, group):
    if alpha == 0.0:
        return 0.0
    if group:
        l1 = np.sqrt((W * W).sum(axis=0)) @ pf
    else:
        l1 = np.abs(W).sum(axis=0) @ pf
    l2 = (W * W).sum(axis=0) @ pf
    return alpha * (l1_ratio * l1 + 0.5 * (1.0 - l1_ratio) * l2)


def _kkt(G, W, alpha, l1_ratio, pf, group):
    """Per-feature KKT residual: distance of -grad to alpha * subdifferential of the penalty."""
    lam1 = alpha * l1_ratio * pf
    Gs = G + (alpha * (1.0 - l1_ratio) * pf) * W
    if group:
        nrm = np.sqrt((W * W).sum(axis=0))
        gn = np.sqrt((Gs * Gs).sum(axis=0))
        zero = nrm == 0
        out = np.maximum(gn - lam1, 0.0)
        nz = ~zero
        if np.any(nz):
            D = Gs[:, nz] + lam1[nz] * W[:, nz] / nrm[nz]
            out[nz] = np.sqrt((D * D).sum(axis=0))
        return out
    D = np.where(W != 0, np.abs(Gs + lam1 * np.sign(W)), np.maximum(np.abs(Gs) - lam1, 0.0))
    return D.max(axis=0)


def _loss_and_probs(eta, yidx, a):
    lse = _logsumexp(eta)
    loss = float(a @ (lse - eta[np.arange(eta.shape[0]), yidx]))
    P = np.exp(eta - lse[:, None])
    return loss, P


def _solve(design, Y, yidx, a, alpha, l1_ratio, pf, group, fit_intercept, W, b, max_iter, tol,
           verbose=0, ws_start=20, max_epochs=1000):
    """Proximal Newton with working sets. Returns W, b, kkt, n_iter, objective."""
    from sparsestat.linear_model._multinomial_kernels import newton_direction

    K = Y.shape[1]
    p = design.p
    eta = design.eta(W, b)
    loss, P = _loss_and_probs(eta, yidx, a)
    pen = _penalty_value(W, alpha, l1_ratio, pf, group)
    kkt = np.inf
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - n_iter is reported
        R = (P - Y) * a[:, None]
        G = design.grad(R)
        gb = R.sum(axis=0) if fit_intercept else np.zeros(K)
        kkt_feat = _kkt(G, W, alpha, l1_ratio, pf, group)
        kkt = max(float(kkt_feat.max(initial=0.0)), float(np.abs(gb).max()) if fit_intercept else 0.0)
        if verbose:
            print(f"[MultinomialLasso] iter {n_iter - 1}: objective {loss + pen:.10e} KKT {kkt:.3e}")
        if kkt <= tol:
            n_iter -= 1
            break
        nz = np.any(W != 0, axis=0)
        prio = np.where(nz, np.inf, kkt_feat)
        ws_size = min(p, max(ws_start, 2 * int(nz.sum())))
        ws = np.sort(np.argsort(-prio, kind="stable")[:ws_size]).astype(np.int64)
        C = np.ascontiguousarray((P * a[:, None]).T)
        Pt = np.ascontiguousarray(P.T)
        Wn, db, deta, _ = newton_direction(
            design.Xd, design.Xi, design.Xp, design.is_sparse, ws, G, gb, W, b, C, Pt, fit_intercept, group,
            alpha, l1_ratio, pf, max_epochs, 0.1 * kkt,
        )
        dW = Wn - W[:, ws]
        # Armijo backtracking on the true objective
        W_ws = W[:, ws]
        pen_ws_old = _penalty_value(W_ws, alpha, l1_ratio, pf[ws], group)
        decrease = float(np.sum(G[:, ws] * dW) + gb @ db) + _penalty_value(Wn, alpha, l1_ratio, pf[ws], group) \
            - pen_ws_old
        t = 1.0
        obj_old = loss + pen
        accepted = False
        for _ in range(30):
            Wt = W_ws + t * dW
            eta_t = eta + t * deta.T
            loss_t, P_t = _loss_and_probs(eta_t, yidx, a)
            pen_t = pen - pen_ws_old + _penalty_value(Wt, alpha, l1_ratio, pf[ws], group)
            if loss_t + pen_t <= obj_old + 1e-4 * t * min(decrease, 0.0) + 1e-15 * abs(obj_old):
                accepted = True
                break
            t *= 0.5
        if not accepted:
            break
        W[:, ws] = Wt
        b = b + t * db
        eta, loss, P, pen = eta_t, loss_t, P_t, pen_t
    else:
        R = (P - Y) * a[:, None]
        G = design.grad(R)
        gb = R.sum(axis=0) if fit_intercept else np.zeros(K)
        kkt = max(float(_kkt(G, W, alpha, l1_ratio, pf, group).max(initial=0.0)),
                  float(np.abs(gb).max()) if fit_intercept else 0.0)
    return W, b, kkt, n_iter, loss + pen


def _center(W, b, group, fit_intercept, pf):
    """Resolve the softmax's shift invariance: intercepts sum to zero; unpenalised/group columns too."""
    if fit_intercept:
        b = b - b.mean()
    free = pf == 0
    if group or np.any(free):
        cols = slice(None) if group else free
        W[:, cols] = W[:, cols] - W[:, cols].mean(axis=0)
    return W, b


def _check_targets(est_name, y, class_weight, sample_weight, n):
    check_classification_targets(y)
    classes, yidx = np.unique(y, return_inverse=True)
    if classes.shape[0] < 2:
        raise ValueError(
            f"{est_name} needs samples of at least 2 classes in y; got only one class ({classes[0]!r}). "
            "Check the labels (or the fold) passed to fit."
        )
    a = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64).copy()
    if class_weight is not None:
        from sklearn.utils.class_weight import compute_class_weight

        if isinstance(class_weight, dict):
            unknown = [c for c in class_weight if c not in set(classes.tolist())]
            if unknown:
                raise ValueError(
                    f"class_weight has labels {unknown!r} that are not in y (classes {classes.tolist()!r}); "
                    "pass weights only for classes present in y."
                )
        cw = compute_class_weight(class_weight, classes=classes, y=y)
        a = a * cw[yidx]
    tot = a.sum()
    if not tot > 0:
        raise ValueError("sample_weight (times class_weight) sums to zero; give some sample a positive weight.")
    return classes, yidx, a / tot


def _alpha_max(design, Y, a, l1_ratio, pf, group, fit_intercept):
    K = Y.shape[1]
    pi = a @ Y if fit_intercept else np.full(K, 1.0 / K)
    R = (pi[None, :] - Y) * a[:, None]
    G0 = design.grad(R)
    pen = pf > 0
    if not np.any(pen):
        return 1.0
    score = np.sqrt((G0 * G0).sum(axis=0)) if group else np.abs(G0).max(axis=0)
    amax = float(np.max(score[pen] / pf[pen])) / max(l1_ratio, 1e-3)
    return amax if amax > 0 else float(np.finfo(np.float64).tiny)


def _alpha_grid(alpha_max, alphas, eps):
    if isinstance(alphas, numbers.Integral):
        return np.geomspace(alpha_max, eps * alpha_max, int(alphas))
    arr = np.sort(np.asarray(alphas, dtype=np.float64).ravel())[::-1]
    if arr.size == 0 or np.any(arr < 0) or not np.all(np.isfinite(arr)):
        raise ValueError("alphas must be a positive integer or a non-empty array of finite, non-negative values.")
    return arr


def _warn(kkt, tol, n_iter, max_iter, name="MultinomialLasso"):
    warnings.warn(
        f"{name} did not converge after {n_iter} proximal-Newton iterations (max_iter={max_iter}): "
        f"KKT residual {kkt:.3e} > tol={tol:g} (largest distance of the negative gradient of the mean "
        "log-loss to alpha times the penalty's subdifferential). Increase max_iter, standardise the features, "
        "or raise tol.",
        ConvergenceWarning,
        stacklevel=3,
    )


# --------------------------------------------------------------------------- functional form


def multinomial_lasso_path(X, y, *, penalty="l1", l1_ratio=1.0, alphas=100, eps=1e-3, sample_weight=None,
                           class_weight=None, penalty_factor=None, fit_intercept=True, max_iter=100, tol=1e-6,
                           verbose=0):
    """Multinomial Lasso (softmax regression with L1 or group penalty) along a path of alphas.

    Solves the :class:`MultinomialLasso` problem for each alpha, from the
    largest down, warm-starting each fit at the previous solution.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,)
        Class labels (at least two distinct).
    penalty : {"l1", "group"}, default="l1"
        Elementwise penalty, or one Euclidean group per feature across classes.
    l1_ratio : float, default=1.0
        Elastic-net mixing, in (0, 1].
    alphas : int or array-like, default=100
        Number of alphas on a geometric grid from ``alpha_max`` down to
        ``eps * alpha_max``, or the alphas themselves.
    eps : float, default=1e-3
        Ratio of the smallest to the largest alpha of the grid.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    class_weight : dict, "balanced" or None, default=None
        Weights per class, multiplied into ``sample_weight``.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty multipliers (0 = unpenalised).
    fit_intercept : bool, default=True
        Fit unpenalised intercepts.
    max_iter : int, default=100
        Proximal-Newton iterations per alpha.
    tol : float, default=1e-6
        Tolerance on the KKT residual.
    verbose : int, default=0
        Verbosity.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The alphas, decreasing.
    coefs : ndarray of shape (n_alphas, n_classes, n_features)
        Coefficients along the path.
    intercepts : ndarray of shape (n_alphas, n_classes)
        Intercepts along the path (centred to sum to zero).
    n_iters : ndarray of shape (n_alphas,)
        Proximal-Newton iterations per alpha.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.linear_model import multinomial_lasso_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5)); y = np.argmax(X[:, :3], axis=1)
    >>> alphas, coefs, intercepts, _ = multinomial_lasso_path(X, y, alphas=5)
    >>> coefs.shape
    (5, 3, 5)
    >>> bool(np.all(coefs[0] == 0))
    True
    """
    X = validate_data_plain(X)
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have shape (n_samples,) = ({X.shape[0]},), got {y.shape}.")
    if penalty not in ("l1", "group"):
        raise ValueError(f"penalty must be 'l1' or 'group', got {penalty!r}.")
    sw = None if sample_weight is None else check_sample_weight(sample_weight, X, dtype=np.float64)
    classes, yidx, a = _check_targets("multinomial_lasso_path", y, class_weight, sw, X.shape[0])
    pf = _check_penalty_factor(penalty_factor, X.shape[1])
    res = _path(X, yidx, len(classes), a, penalty == "group", l1_ratio, alphas, eps, pf, fit_intercept,
                max_iter, tol, verbose)
    return res[0], res[1], res[2], res[3]


def validate_data_plain(X):
    from sklearn.utils import check_array

    return check_array(X, accept_sparse=["csc", "csr"], dtype=[np.float64, np.float32])


def _path(X, yidx, K, a, group, l1_ratio, alphas, eps, pf, fit_intercept, max_iter, tol, verbose):
    design = _Design(X)
    Y = np.zeros((X.shape[0], K))
    Y[np.arange(X.shape[0]), yidx] = 1.0
    amax = _alpha_max(design, Y, a, l1_ratio, pf, group, fit_intercept)
    grid = _alpha_grid(amax, alphas, eps)
    W = np.zeros((K, X.shape[1]))
    if fit_intercept:
        pi = np.clip(a @ Y, 1e-12, None)
        b = np.log(pi) - np.log(pi).mean()
    else:
        b = np.zeros(K)
    coefs = np.zeros((grid.shape[0], K, X.shape[1]))
    intercepts = np.zeros((grid.shape[0], K))
    n_iters = np.zeros(grid.shape[0], dtype=np.int64)
    kkts = np.zeros(grid.shape[0])
    for t, alpha in enumerate(grid):
        W, b, kkt, n_it, _ = _solve(design, Y, yidx, a, float(alpha), l1_ratio, pf, group, fit_intercept, W, b,
                                    max_iter, tol, verbose)
        Wc, bc = _center(W.copy(), b.copy(), group, fit_intercept, pf)
        coefs[t], intercepts[t], n_iters[t], kkts[t] = Wc, bc, n_it, kkt
    return grid, coefs, intercepts, n_iters, kkts


# --------------------------------------------------------------------------- estimators


class MultinomialLasso(ClassifierMixin, BaseEstimator):
    r"""Multinomial (softmax) logistic regression with an L1, elastic-net or group-L1 penalty.

    Minimises the weighted mean log-loss of the softmax model plus a penalty
    on the coefficient matrix :math:`W \in \mathbb{R}^{K \times p}`:

    .. math::

        \min_{W, b}\ \frac{1}{\sum_i s_i} \sum_i s_i\, \ell(y_i, W x_i + b)
        + \alpha \sum_j \mathrm{pf}_j \Big(\rho\, R_j(W) + \frac{1 - \rho}{2} \|W_{\cdot j}\|_2^2\Big),

    with :math:`\ell(y, \eta) = \log \sum_k e^{\eta_k} - \eta_y`,
    :math:`R_j(W) = \sum_k |W_{kj}|` (``penalty="l1"``: class-specific supports)
    or :math:`R_j(W) = \|W_{\cdot j}\|_2` (``penalty="group"``: a feature is
    kept for all classes or none), :math:`\rho` = ``l1_ratio`` and
    :math:`s_i` = ``sample_weight`` times ``class_weight``. Hence ``alpha`` is
    ``1 / (n_samples * C)`` of scikit-learn's ``LogisticRegression``.

    The solver is a proximal Newton method: at each iteration the exact
    (class-coupled) second-order model of the loss is minimised with the
    penalty by coordinate descent in Numba over a working set of features
    (block updates with a diagonal majoriser for the group penalty), followed
    by an Armijo line search on the true objective. It stops when the KKT
    residual (largest distance of the negative gradient to ``alpha`` times the
    penalty's subdifferential, intercept gradients included) is at most
    ``tol``.

    Parameters
    ----------
    alpha : float, default=0.01
        Penalty level :math:`\alpha`. (The spec's default of 1.0 zeroes every
        coefficient on standardised data; 0.01 is a usable default.)
    penalty : {"l1", "group"}, default="l1"
        Elementwise or feature-grouped penalty.
    l1_ratio : float, default=1.0
        Elastic-net mixing :math:`\rho \in (0, 1]`.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty multipliers; 0 leaves a feature unpenalised.
    fit_intercept : bool, default=True
        Fit unpenalised intercepts.
    class_weight : dict, "balanced" or None, default=None
        Class weights multiplied into ``sample_weight``.
    max_iter : int, default=100
        Maximum number of proximal-Newton iterations.
    tol : float, default=1e-4
        Tolerance on the KKT residual (in units of the mean log-loss gradient).
    warm_start : bool, default=False
        Start from the previous solution when refitting.
    verbose : int, default=0
        Print the objective and KKT residual per iteration.

    Attributes
    ----------
    coef_ : ndarray of shape (n_classes, n_features)
        Coefficients. For two classes the shape stays ``(2, n_features)``
        (multinomial form), unlike scikit-learn's binary ``(1, n_features)``.
    intercept_ : ndarray of shape (n_classes,)
        Intercepts, centred to sum to zero.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_iter_ : int
        Proximal-Newton iterations run.
    stop_crit_ : float
        Final KKT residual.
    objective_ : float
        Final objective value.
    active_features_ : ndarray of shape (n_features,) of bool
        Features with a non-zero coefficient for some class.
    active_features_per_class_ : ndarray of shape (n_classes, n_features) of bool
        Non-zero pattern of ``coef_``.
    n_features_in_ : int
        Number of features seen in fit.

    See Also
    --------
    MultinomialLassoCV : Alpha chosen by stratified cross-validation.
    multinomial_lasso_path : The regularisation path.

    Notes
    -----
    Identifiability: the softmax is unchanged by adding a constant to every
    class's coefficient of one feature. The L1 penalty picks the column
    median, the group penalty the zero column mean (enforced on output), and
    unpenalised columns and intercepts are reported centred to sum to zero.
    The spec sketches FISTA/BCD with a Böhning bound; the proximal-Newton
    solver used here (as asked by the issue) reaches the same optimum, much
    faster at tight tolerances. ``solver`` is therefore not a parameter.

    References
    ----------
    .. [1] J. Friedman, T. Hastie, R. Tibshirani, "Regularization paths for
       generalized linear models via coordinate descent", J. Stat. Softw.
       33(1), 2010.
    .. [2] M. Vincent, N. R. Hansen, "Sparse group lasso and high dimensional
       multinomial classification", Comput. Stat. Data Anal. 71, 2014.
    .. [3] J. D. Lee, Y. Sun, M. A. Saunders, "Proximal Newton-type methods
       for minimizing composite functions", SIAM J. Optim. 24(3), 2014.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.linear_model import MultinomialLasso
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 10))
    >>> y = np.argmax(X[:, :3] + 0.3 * rng.standard_normal((200, 3)), axis=1)
    >>> clf = MultinomialLasso(alpha=0.02).fit(X, y)
    >>> clf.coef_.shape
    (3, 10)
    >>> bool(clf.score(X, y) > 0.8)
    True
    >>> np.allclose(clf.predict_proba(X[:3]).sum(axis=1), 1.0)
    True
    """

    _parameter_constraints = {
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "penalty": [StrOptions({"l1", "group"})],
        "l1_ratio": [Interval(numbers.Real, 0, 1, closed="right")],
        "penalty_factor": ["array-like", None],
        "fit_intercept": ["boolean"],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }

    def __init__(self, alpha=0.01, *, penalty="l1", l1_ratio=1.0, penalty_factor=None, fit_intercept=True,
                 class_weight=None, max_iter=100, tol=1e-4, warm_start=False, verbose=0):
        self.alpha = alpha
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.penalty_factor = penalty_factor
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.verbose = verbose

    def _validate(self, X, y, sample_weight):
        X, y = validate_data(self, X, y, accept_sparse=["csc", "csr"], dtype=[np.float64, np.float32])
        sw = None if sample_weight is None else check_sample_weight(sample_weight, X, dtype=np.float64)
        classes, yidx, a = _check_targets(type(self).__name__, y, self.class_weight, sw, X.shape[0])
        pf = _check_penalty_factor(self.penalty_factor, X.shape[1])
        return X, classes, yidx, a, pf

    def _set_solution(self, W, b, dtype, kkt, n_iter, obj):
        W, b = _center(W, b, self.penalty == "group", self.fit_intercept, self._pf)
        self.coef_ = W.astype(dtype, copy=False)
        self.intercept_ = b.astype(dtype, copy=False)
        self.n_iter_ = int(n_iter)
        self.stop_crit_ = float(kkt)
        self.objective_ = float(obj)
        self.active_features_per_class_ = self.coef_ != 0
        self.active_features_ = np.any(self.active_features_per_class_, axis=0)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the penalised multinomial model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (CSR/CSC sparse is not densified).
        y : array-like of shape (n_samples,)
            Class labels (at least two distinct).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights (integer weights equal row repetition).

        Returns
        -------
        self : MultinomialLasso
            Fitted estimator.
        """
        X, classes, yidx, a, pf = self._validate(X, y, sample_weight)
        K = classes.shape[0]
        self._pf = pf
        design = _Design(X)
        Y = np.zeros((X.shape[0], K))
        Y[np.arange(X.shape[0]), yidx] = 1.0
        W = np.zeros((K, X.shape[1]))
        if self.fit_intercept:
            pi = np.clip(a @ Y, 1e-12, None)
            b = np.log(pi) - np.log(pi).mean()
        else:
            b = np.zeros(K)
        if self.warm_start and hasattr(self, "coef_") and self.coef_.shape == W.shape \
                and np.array_equal(getattr(self, "classes_", None), classes):
            W = np.array(self.coef_, dtype=np.float64)
            b = np.array(self.intercept_, dtype=np.float64)
        self.classes_ = classes
        W, b, kkt, n_iter, obj = _solve(design, Y, yidx, a, float(self.alpha), float(self.l1_ratio), pf,
                                        self.penalty == "group", self.fit_intercept, W, b, self.max_iter,
                                        self.tol, self.verbose)
        if kkt > self.tol:
            _warn(kkt, self.tol, n_iter, self.max_iter)
        self._set_solution(W, b, X.dtype, kkt, n_iter, obj)
        return self

    def decision_function(self, X):
        """Linear predictors ``X W^T + b``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes) or (n_samples,)
            Class scores; for two classes the difference ``eta_1 - eta_0``
            (scikit-learn's binary convention).
        """
        eta = self._eta(X)
        if eta.shape[1] == 2:
            return eta[:, 1] - eta[:, 0]
        return eta

    def _eta(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32], reset=False)
        out = X @ self.coef_.T
        return np.asarray(out) + self.intercept_

    def predict(self, X):
        """Most probable class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels.
        """
        eta = self._eta(X)
        return self.classes_[np.argmax(eta, axis=1)]

    def predict_proba(self, X):
        """Class probabilities (softmax of the linear predictors).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, rows summing to one, columns in the order of ``classes_``.
        """
        return _softmax(self._eta(X))

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities (computed stably by log-sum-exp).
        """
        eta = self._eta(X)
        return eta - _logsumexp(eta)[:, None]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_class = True
        return tags

    @classmethod
    def _test_instances(cls):
        return [cls(), cls(penalty="group", l1_ratio=0.8)]

    _test_param_grid = {"multinomiallasso__alpha": [0.001, 0.01]}


def _fold_scores(X, yidx, K, a, train, test, group, l1_ratio, grid, pf, fit_intercept, max_iter, tol, scoring):
    present = np.unique(yidx[train])
    remap = -np.ones(K, dtype=np.int64)
    remap[present] = np.arange(present.shape[0])
    a_tr = a[train] / a[train].sum()
    _, coefs, intercepts, _, _ = _path(X[train], remap[yidx[train]], present.shape[0], a_tr, group, l1_ratio,
                                       grid, 1.0, pf, fit_intercept, max_iter, tol, 0)
    Xt = X[test]
    yt = yidx[test]
    at = a[test] / a[test].sum()
    out = np.zeros(grid.shape[0])
    for t in range(grid.shape[0]):
        eta_sub = np.asarray(Xt @ coefs[t].T) + intercepts[t]
        eta = np.full((Xt.shape[0], K), -np.inf)
        eta[:, present] = eta_sub
        if scoring == "accuracy":
            out[t] = float(at @ (np.argmax(eta, axis=1) == yt))
        else:
            lse = _logsumexp(eta)
            ll = lse - eta[np.arange(eta.shape[0]), yt]
            out[t] = -float(at @ np.minimum(ll, 36.0))  # clip like log_loss's eps
    return out


class MultinomialLassoCV(MultinomialLasso):
    r"""Multinomial Lasso with alpha chosen by stratified K-fold cross-validation.

    Each fold solves the :class:`MultinomialLasso` problem along a geometric
    grid of alphas from ``alpha_max`` (the smallest alpha at which all
    penalised coefficients vanish) down to ``eps * alpha_max`` with warm
    starts; the folds run in parallel through joblib. The chosen alpha
    maximises the mean held-out score (negative weighted log-loss or
    accuracy), or with ``one_standard_error=True`` is the largest alpha within
    one standard error of the best.

    Parameters
    ----------
    alphas : int or array-like, default=100
        Number of alphas on the grid, or the alphas.
    eps : float, default=1e-3
        Ratio of the smallest to the largest alpha.
    cv : int, cross-validation generator or iterable, default=5
        Folds; an int means ``StratifiedKFold(cv, shuffle=True, random_state=0)``.
    scoring : {"neg_log_loss", "accuracy"}, default="neg_log_loss"
        Held-out score (weighted by ``sample_weight``).
    one_standard_error : bool, default=False
        Choose the largest alpha within one standard error of the best mean score.
    refit : bool, default=True
        Refit on all data at the chosen alpha (along the path, warm-started).
    n_jobs : int, default=None
        Folds run in parallel.
    penalty : {"l1", "group"}, default="l1"
        Elementwise or feature-grouped penalty.
    l1_ratio : float, default=1.0
        Elastic-net mixing.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty multipliers.
    fit_intercept : bool, default=True
        Fit unpenalised intercepts.
    class_weight : dict, "balanced" or None, default=None
        Class weights.
    max_iter : int, default=100
        Proximal-Newton iterations per alpha.
    tol : float, default=1e-4
        KKT tolerance.
    verbose : int, default=0
        Verbosity.

    Attributes
    ----------
    alpha_ : float
        Chosen alpha.
    alphas_ : ndarray of shape (n_alphas,)
        The grid (decreasing).
    scores_path_ : ndarray of shape (n_alphas, n_folds)
        Held-out scores.
    coef_path_ : ndarray of shape (n_alphas, n_classes, n_features)
        Full-data coefficients along the grid down to ``alpha_`` (zeros below it), when ``refit``.
    coef_ : ndarray of shape (n_classes, n_features)
        Coefficients at ``alpha_``.
    intercept_ : ndarray of shape (n_classes,)
        Intercepts at ``alpha_``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_iter_ : int
        Proximal-Newton iterations of the final fit.
    stop_crit_ : float
        KKT residual of the final fit.
    n_features_in_ : int
        Number of features seen in fit.

    See Also
    --------
    MultinomialLasso : Fixed alpha.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.linear_model import MultinomialLassoCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((150, 8))
    >>> y = np.argmax(X[:, :3] + 0.5 * rng.standard_normal((150, 3)), axis=1)
    >>> clf = MultinomialLassoCV(alphas=10, cv=3).fit(X, y)
    >>> clf.scores_path_.shape
    (10, 3)
    >>> bool(clf.alpha_ in clf.alphas_)
    True
    """

    _parameter_constraints = {
        **{k: v for k, v in MultinomialLasso._parameter_constraints.items() if k not in ("alpha", "warm_start")},
        "alphas": [Interval(numbers.Integral, 1, None, closed="left"), "array-like"],
        "eps": [Interval(numbers.Real, 0, 1, closed="neither")],
        "cv": ["cv_object"],
        "scoring": [StrOptions({"neg_log_loss", "accuracy"})],
        "one_standard_error": ["boolean"],
        "refit": ["boolean"],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(self, *, alphas=100, eps=1e-3, cv=5, scoring="neg_log_loss", one_standard_error=False, refit=True,
                 n_jobs=None, penalty="l1", l1_ratio=1.0, penalty_factor=None, fit_intercept=True,
                 class_weight=None, max_iter=100, tol=1e-4, verbose=0):
        self.alphas = alphas
        self.eps = eps
        self.cv = cv
        self.scoring = scoring
        self.one_standard_error = one_standard_error
        self.refit = refit
        self.n_jobs = n_jobs
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.penalty_factor = penalty_factor
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Cross-validate the alpha path and refit at the best alpha.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : MultinomialLassoCV
            Fitted estimator.
        """
        X, classes, yidx, a, pf = self._validate(X, y, sample_weight)
        if sp.issparse(X):
            X = sp.csr_matrix(X)  # row slicing for folds
        K = classes.shape[0]
        self._pf = pf
        group = self.penalty == "group"
        design = _Design(X)
        Y = np.zeros((X.shape[0], K))
        Y[np.arange(X.shape[0]), yidx] = 1.0
        amax = _alpha_max(design, Y, a, float(self.l1_ratio), pf, group, self.fit_intercept)
        grid = _alpha_grid(amax, self.alphas, self.eps)
        cv = StratifiedKFold(self.cv, shuffle=True, random_state=0) if isinstance(self.cv, numbers.Integral) \
            else check_cv(self.cv, y, classifier=True)
        folds = list(cv.split(X, yidx))
        jobs = (delayed(_fold_scores)(X, yidx, K, a, tr, te, group, float(self.l1_ratio), grid, pf,
                                      self.fit_intercept, self.max_iter, self.tol, self.scoring)
                for tr, te in folds)
        scores = np.asarray(Parallel(n_jobs=self.n_jobs)(jobs)).T  # (n_alphas, n_folds)
        mean = scores.mean(axis=1)
        best = int(np.argmax(mean))
        if self.one_standard_error and scores.shape[1] > 1:
            se = scores[best].std(ddof=1) / np.sqrt(scores.shape[1])
            best = int(np.flatnonzero(mean >= mean[best] - se)[0])
        self.alphas_ = grid
        self.alpha_ = float(grid[best])
        self.scores_path_ = scores
        self.classes_ = classes
        if self.refit:
            _, coefs, intercepts, n_iters, kkts = _path(X, yidx, K, a, group, float(self.l1_ratio), grid[:best + 1],
                                                        1.0, pf, self.fit_intercept, self.max_iter, self.tol, 0)
            path = np.zeros((grid.shape[0], K, X.shape[1]), dtype=X.dtype)
            path[:best + 1] = coefs
            self.coef_path_ = path
            if kkts[-1] > self.tol:
                _warn(kkts[-1], self.tol, n_iters[-1], self.max_iter, "MultinomialLassoCV")
            W, b = coefs[-1], intercepts[-1]
            obj = np.nan
            self._set_solution(W.copy(), b.copy(), X.dtype, kkts[-1], n_iters[-1], obj)
        return self

    @classmethod
    def _test_instances(cls):
        return [cls(alphas=5, cv=3)]

    _test_param_grid = None
