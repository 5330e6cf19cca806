"""Best-subset regression and classification by splicing, with the support size chosen by GIC/EBIC/BIC/CV."""

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model._base import LinearClassifierMixin
from sklearn.model_selection import check_cv
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from sparsestat.linear_model._splicing import (
    _glm_loss_at,
    _normalise_weights,
    _sacrifices,
    _top,
    default_s_max,
    fit_support_path,
    make_problem,
)
from sparsestat.utils._validation import check_sample_weight

__all__ = ["BestSubsetRegression", "BestSubsetClassifier"]

_PATIENCE = 10


class _BestSubsetBase(BaseEstimator):
    """Shared fit of the splicing estimators (support-size path, criterion, screening, CV)."""

    _parameter_constraints = {
        "support_size": [Interval(numbers.Integral, 0, None, closed="left"), "array-like", None],
        "ic": [StrOptions({"gic", "ebic", "bic", "aic", "cv"})],
        "ic_coef": [Interval(numbers.Real, 0, None, closed="left")],
        "cv": ["cv_object"],
        "path": [StrOptions({"sequential", "bidirectional", "golden"})],
        "s_max": [Interval(numbers.Integral, 0, None, closed="left"), None],
        "exchange_num": [Interval(numbers.Integral, 1, None, closed="left")],
        "tau": [Interval(numbers.Real, 0, None, closed="left"), None],
        "screening_size": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "max_splicing_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "fit_intercept": ["boolean"],
        "warm_start": ["boolean"],
    }

    def _sizes(self, n_eff, p):
        if self.support_size is None:
            s_max = default_s_max(n_eff, p) if self.s_max is None else min(self.s_max, p)
            return list(range(0, s_max + 1)), True
        if isinstance(self.support_size, numbers.Integral):
            sizes = [int(self.support_size)]
        else:
            arr = np.asarray(self.support_size)
            if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer):
                raise ValueError("support_size must be an int, a non-empty 1-D list of ints, or None; "
                                 f"got {self.support_size!r}.")
            sizes = sorted({int(s) for s in arr})
        if sizes[0] < 0 or sizes[-1] > p:
            raise ValueError(f"support_size values must lie in [0, n_features={p}], got {self.support_size!r}.")
        return sizes, False

    def _screen(self, problem, sizes):
        if self.screening_size is None or self.screening_size >= problem.n_features:
            return None
        if self.screening_size < sizes[-1]:
            raise ValueError(f"screening_size={self.screening_size} is smaller than the largest support size "
                             f"{sizes[-1]}; raise screening_size or lower support_size/s_max.")
        null = problem.fit(np.zeros(0, dtype=np.int64))
        return np.sort(_top(_sacrifices(problem, null), self.screening_size))

    def _path(self, X, y, sw, family, sizes, auto, ic, init=None):
        problem = make_problem(X, y, family, sw, self.fit_intercept)
        candidates = self._screen(problem, sizes)
        if init is not None:
            init = problem.fit(init)
        results, ic_path = fit_support_path(
            problem, sizes, ic=ic, ic_coef=self.ic_coef, path=self.path, exchange_num=self.exchange_num,
            tau=self.tau, max_iter=self.max_splicing_iter, init_state=init,
            patience=_PATIENCE if auto else None, candidates=candidates)
        return problem, results, ic_path

    def _fit_core(self, X, y, sample_weight, family):
        n, p = X.shape
        sw = None if sample_weight is None else check_sample_weight(sample_weight, X, dtype=np.float64)
        _, n_eff = _normalise_weights(sw, n)
        sizes, auto = self._sizes(n_eff, p)
        init = None
        if self.warm_start and hasattr(self, "support_") and getattr(self, "n_features_in_", None) == p:
            init = np.asarray(self.support_, dtype=np.int64)
        if self.ic == "cv":
            cv = check_cv(self.cv, y, classifier=family == "binomial")
            scores = {}
            for train, test in cv.split(X, y):
                sw_tr = None if sw is None else sw[train]
                w_te, _ = _normalise_weights(None if sw is None else sw[test], test.size)
                prob, res, _ = self._path(X[train], y[train], sw_tr, family, sizes, False, None)
                for s, (st, _, _) in res.items():
                    val = _glm_loss_at(family, X[test], y[test], w_te, st.full_coef(p), st.intercept)
                    scores.setdefault(s, []).append(val)
            problem, results, _ = self._path(X, y, sw, family, sizes, False, None, init)
            ic_path = {s: float(np.mean(v)) for s, v in scores.items() if len(v) == cv.get_n_splits()}
        else:
            problem, results, ic_path = self._path(X, y, sw, family, sizes, auto, self.ic, init)
        s_best = min(ic_path, key=lambda s: (ic_path[s], s))
        state, n_iter, converged = results[s_best]
        if not converged:
            warnings.warn(
                f"Splicing at support size {s_best} still lowered the loss by more than tau after "
                f"max_splicing_iter={self.max_splicing_iter} iterations (criterion: loss decrease > tau). "
                "Increase max_splicing_iter.", ConvergenceWarning, stacklevel=3)
        coef = state.full_coef(p)
        self.support_ = state.active.copy()
        self.support_size_ = int(s_best)
        self.ic_path_ = {int(s): float(v) for s, v in sorted(ic_path.items())}
        self.loss_path_ = {int(s): float(r[0].loss) for s, r in sorted(results.items())}
        self.n_iter_ = int(n_iter)
        return coef, float(state.intercept)


class BestSubsetRegression(RegressorMixin, _BestSubsetBase):
    r"""Best-subset linear (or Poisson) regression by splicing, support size chosen by an information criterion.

    For each support size :math:`s` on the path, solves approximately

    .. math::

        \min_{\beta, b}\ \frac{1}{2n}\sum_i w_i (y_i - b - x_i^\top\beta)^2
        \quad\text{s.t.}\quad \|\beta\|_0 \le s

    (or the Poisson negative log-likelihood) by *splicing*: exchange the active features with the
    smallest backward sacrifice for the inactive ones with the largest forward sacrifice while the
    loss drops by more than :math:`\tau_s = 0.01\, s \log p \log\log n / n`. The size is then chosen
    by minimising

    .. math::

        \mathrm{GIC}(s) = n \log\bigl(2 L(\hat\beta_s)\bigr) + c\, s \log p \log\log n

    (``ic="gic"``, :math:`c` = ``ic_coef``; ``"ebic"`` uses :math:`s(\log n + 2\log p)`, ``"bic"``
    :math:`s\log n`, ``"aic"`` :math:`2s`; GLMs use the deviance :math:`2nL`), or by K-fold
    cross-validated loss (``ic="cv"``).

    Parameters
    ----------
    support_size : int, list of int or None, default=None
        One size, several sizes (the criterion picks one), or None for the path
        ``0..s_max``; that path stops early once the criterion has not improved for 10 sizes.
    family : {"gaussian", "poisson"}, default="gaussian"
        Squared loss, or Poisson log-likelihood with log link (then ``y`` must be non-negative).
    ic : {"gic", "ebic", "bic", "aic", "cv"}, default="gic"
        Support-size selection criterion.
    ic_coef : float, default=1.0
        Multiplies the criterion's complexity penalty.
    cv : int, cross-validation generator or iterable, default=5
        Folds, used when ``ic="cv"``.
    path : {"sequential", "bidirectional", "golden"}, default="sequential"
        Sizes visited in order with warm starts; the same followed by a backward pass keeping the
        better fit of each size; or golden-section search over the size range.
    s_max : int or None, default=None
        Largest size of the ``support_size=None`` path; None means
        ``min(p, n / (log p log log n))``.
    exchange_num : int, default=5
        Largest number of features exchanged in one splicing step.
    tau : float or None, default=None
        Minimal loss decrease to accept an exchange (None: the formula above).
    screening_size : int or None, default=None
        Keep only this many features, those with the largest marginal forward sacrifice, for p >> n.
    max_splicing_iter : int, default=20
        Maximal splicing iterations per size.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    warm_start : bool, default=False
        Start the first size of the next ``fit`` from the previous support.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients (``support_size_`` non-zeros).
    intercept_ : float
        Intercept.
    support_ : ndarray of int
        Sorted indices of the selected features.
    support_size_ : int
        Selected size.
    ic_path_ : dict
        Size -> criterion (mean validation loss for ``ic="cv"``), for the sizes evaluated.
    loss_path_ : dict
        Size -> training loss of the best subset found.
    n_iter_ : int
        Splicing iterations at the selected size.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    BestSubsetClassifier : The logistic version.
    DistributedBestSubset : The two-stage distributed version on Dask.

    Notes
    -----
    Splicing is a local search: it provably finds the best subset with high probability under the
    conditions of the paper, but on adversarial designs (many comparable, correlated signals) it can
    stop at a local optimum for sizes below the true one, like abess; ``path="bidirectional"`` halves
    such failures at twice the cost. Every exchange tries all ``k = 1..exchange_num`` and keeps the
    best (abess tries ``k`` from ``exchange_num`` downwards and keeps the first improvement).
    Integer sample weights are frequency weights (``n`` in the criteria is their sum).

    References
    ----------
    .. [1] J. Zhu, C. Wen, J. Zhu, H. Zhang, X. Wang, "A polynomial algorithm for best-subset selection
       problem", PNAS 117(52), 2020.
    .. [2] J. Zhu et al., "abess: a fast best-subset selection library in Python and R", JMLR 23, 2022.

    Examples
    --------
    >>> from sparsestat.datasets import make_sparse_regression
    >>> from sparsestat.linear_model import BestSubsetRegression
    >>> X, y, coef = make_sparse_regression(200, 100, 5, random_state=0)
    >>> model = BestSubsetRegression().fit(X, y)
    >>> model.support_size_
    5
    >>> bool((model.support_ == coef.nonzero()[0]).all())
    True
    """

    _parameter_constraints = {
        **_BestSubsetBase._parameter_constraints,
        "family": [StrOptions({"gaussian", "poisson"})],
    }

    def __init__(self, support_size=None, *, family="gaussian", ic="gic", ic_coef=1.0, cv=5, path="sequential",
                 s_max=None, exchange_num=5, tau=None, screening_size=None, max_splicing_iter=20,
                 fit_intercept=True, warm_start=False):
        self.support_size = support_size
        self.family = family
        self.ic = ic
        self.ic_coef = ic_coef
        self.cv = cv
        self.path = path
        self.s_max = s_max
        self.exchange_num = exchange_num
        self.tau = tau
        self.screening_size = screening_size
        self.max_splicing_iter = max_splicing_iter
        self.fit_intercept = fit_intercept
        self.warm_start = warm_start

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Select the best subset of each size by splicing and keep the size the criterion prefers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target (non-negative counts for ``family="poisson"``).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; integer weights are equivalent to repeated rows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], y_numeric=True)
        if self.family == "poisson" and np.any(y < 0):
            raise ValueError("family='poisson' needs non-negative y (counts); use family='gaussian' otherwise.")
        coef, b = self._fit_core(X.astype(np.float64, copy=False), y.astype(np.float64, copy=False),
                                 sample_weight, self.family)
        self.coef_ = coef.astype(X.dtype)
        self.intercept_ = X.dtype.type(b)
        return self

    def predict(self, X):
        """Predict the mean response.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            ``X @ coef_ + intercept_`` (its exponential for ``family="poisson"``).
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        eta = X @ self.coef_ + self.intercept_
        return np.exp(eta) if self.family == "poisson" else eta


class BestSubsetClassifier(LinearClassifierMixin, ClassifierMixin, _BestSubsetBase):
    r"""Best-subset logistic regression by splicing, support size chosen by an information criterion.

    For each support size :math:`s`, approximately solves

    .. math::

        \min_{\beta, b}\ \frac1n\sum_i w_i\bigl[\log(1 + e^{b + x_i^\top\beta}) - y_i (b + x_i^\top\beta)\bigr]
        \quad\text{s.t.}\quad \|\beta\|_0 \le s

    by splicing (restricted fits by Newton's method), and picks :math:`s` by
    :math:`\mathrm{GIC}(s) = 2nL(\hat\beta_s) + c\,s\log p\log\log n` (or EBIC, BIC, AIC, CV log-loss).
    Binary problems only.

    Parameters
    ----------
    support_size : int, list of int or None, default=None
        One size, several sizes, or None for the path ``0..s_max`` (stops early once the criterion
        has not improved for 10 sizes).
    ic : {"gic", "ebic", "bic", "aic", "cv"}, default="gic"
        Support-size selection criterion.
    ic_coef : float, default=1.0
        Multiplies the criterion's complexity penalty.
    cv : int, cross-validation generator or iterable, default=5
        Folds (stratified for an int), used when ``ic="cv"``.
    path : {"sequential", "bidirectional", "golden"}, default="sequential"
        How the sizes are visited (see :class:`BestSubsetRegression`).
    s_max : int or None, default=None
        Largest size of the automatic path.
    exchange_num : int, default=5
        Largest number of features exchanged in one splicing step.
    tau : float or None, default=None
        Minimal loss decrease to accept an exchange.
    screening_size : int or None, default=None
        Keep only this many features (largest marginal forward sacrifice).
    max_splicing_iter : int, default=20
        Maximal splicing iterations per size.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    warm_start : bool, default=False
        Start the first size of the next ``fit`` from the previous support.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features)
        Coefficients.
    intercept_ : ndarray of shape (1,)
        Intercept.
    classes_ : ndarray of shape (2,)
        Class labels.
    support_ : ndarray of int
        Sorted indices of the selected features.
    support_size_ : int
        Selected size.
    ic_path_ : dict
        Size -> criterion (mean validation log-loss for ``ic="cv"``).
    loss_path_ : dict
        Size -> training log-loss of the best subset found.
    n_iter_ : int
        Splicing iterations at the selected size.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    BestSubsetRegression : Gaussian and Poisson versions.

    References
    ----------
    .. [1] J. Zhu, C. Wen, J. Zhu, H. Zhang, X. Wang, "A polynomial algorithm for best-subset selection
       problem", PNAS 117(52), 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.linear_model import BestSubsetClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((400, 30))
    >>> y = (X[:, 3] - 2 * X[:, 7] + 0.3 * rng.standard_normal(400) > 0).astype(int)
    >>> clf = BestSubsetClassifier().fit(X, y)
    >>> clf.support_.tolist()
    [3, 7]
    """

    _parameter_constraints = dict(_BestSubsetBase._parameter_constraints)

    def __init__(self, support_size=None, *, ic="gic", ic_coef=1.0, cv=5, path="sequential", s_max=None,
                 exchange_num=5, tau=None, screening_size=None, max_splicing_iter=20, fit_intercept=True,
                 warm_start=False):
        self.support_size = support_size
        self.ic = ic
        self.ic_coef = ic_coef
        self.cv = cv
        self.path = path
        self.s_max = s_max
        self.exchange_num = exchange_num
        self.tau = tau
        self.screening_size = screening_size
        self.max_splicing_iter = max_splicing_iter
        self.fit_intercept = fit_intercept
        self.warm_start = warm_start

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Select the best subset of each size by splicing and keep the size the criterion prefers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Binary labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; integer weights are equivalent to repeated rows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y", raise_unknown=True)
        if y_type != "binary":
            raise ValueError(f"Only binary classification is supported. The type of the target is {y_type}; "
                             "wrap BestSubsetClassifier in sklearn.multiclass.OneVsRestClassifier for more classes.")
        self.classes_, y01 = np.unique(y, return_inverse=True)
        coef, b = self._fit_core(X.astype(np.float64, copy=False), y01.astype(np.float64), sample_weight,
                                 "binomial")
        self.coef_ = coef[None, :].astype(X.dtype)
        self.intercept_ = np.array([b], dtype=X.dtype)
        return self

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
            Probabilities of ``classes_``.
        """
        eta = self.decision_function(X)
        p1 = 1.0 / (1.0 + np.exp(-eta))
        return np.column_stack((1.0 - p1, p1))

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, 2)
            Log-probabilities of ``classes_``.
        """
        eta = self.decision_function(X)
        return np.column_stack((-np.logaddexp(0, eta), -np.logaddexp(0, -eta)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags
