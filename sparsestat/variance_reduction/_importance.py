"""Plain importance-sampling (and crude Monte Carlo) estimator of a rare-event rate."""

import numbers

import numpy as np
from scipy.special import ndtri
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from sparsestat.utils._array_api import to_numpy

__all__ = ["ImportanceSamplingEstimator", "relative_half_width"]


def _z(confidence):
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be a real number in (0, 1), got {confidence!r}.")
    return float(ndtri(0.5 + 0.5 * confidence))


def relative_half_width(mu, stderr, confidence=0.95):
    r"""Relative half-width of the normal confidence interval of an estimate.

    .. math::

        \mathrm{RHW} = z_{(1+\gamma)/2}\, \hat\sigma / |\hat\mu|,

    the stopping criterion of adaptive safety-evaluation campaigns (stop
    testing once it falls below a target such as 0.3).

    Parameters
    ----------
    mu : float
        The estimate.
    stderr : float
        Its standard error.
    confidence : float in (0, 1), default=0.95
        Confidence level :math:`\gamma`.

    Returns
    -------
    rhw : float
        The relative half-width (``inf`` when ``mu`` is 0).

    Examples
    --------
    >>> from sparsestat.variance_reduction import relative_half_width
    >>> round(relative_half_width(0.01, 0.001), 4)
    0.196
    """
    z = _z(confidence)
    stderr = float(stderr)
    if not np.isfinite(stderr) or stderr < 0:
        raise ValueError(f"stderr must be a finite number >= 0, got {stderr!r}.")
    mu = abs(float(mu))
    return float(z * stderr / mu) if mu > 0 else float("inf")


def _as_vector(x, name, n=None, *, allow_none=False):
    """Validate a 1-D finite float vector (array-API inputs are copied to NumPy)."""
    if x is None:
        if allow_none:
            return None
        raise ValueError(f"{name} is required.")
    if not isinstance(x, (list, tuple, np.ndarray)) and hasattr(x, "__array_namespace__"):
        x = to_numpy(x)
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 1-D array of numbers: {exc}") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one entry per test), got shape {arr.shape}.")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: pass at least one test.")
    if n is not None and arr.size != n:
        raise ValueError(f"{name} has {arr.size} entries but outcomes has {n} tests; pass one entry per test.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity; every test needs a finite value.")
    return arr


def _check_outcomes_ratios(outcomes, likelihood_ratios):
    A = _as_vector(outcomes, "outcomes")
    W = _as_vector(likelihood_ratios, "likelihood_ratios", A.size, allow_none=True)
    if W is None:
        W = np.ones_like(A)
    elif np.any(W <= 0):
        bad = int(np.flatnonzero(W <= 0)[0])
        raise ValueError(f"likelihood_ratios must be > 0 (p(x)/q(x) of each test); test {bad} has {W[bad]!r}.")
    return A, W


class _IntervalMixin:
    """Confidence interval, relative half-width and tests-needed for a fitted ``mu_``/``stderr_``."""

    def estimate(self):
        """Return the fitted estimate of the rare-event rate.

        Returns
        -------
        mu : float
            The estimate ``mu_``.
        """
        check_is_fitted(self, "mu_")
        return self.mu_

    def confidence_interval(self, confidence=None):
        """Normal confidence interval ``mu_ ± z * stderr_``.

        Parameters
        ----------
        confidence : float in (0, 1) or None, default=None
            Level; the estimator's ``confidence`` when None.

        Returns
        -------
        interval : tuple of float
            ``(lower, upper)``.
        """
        check_is_fitted(self, "mu_")
        z = _z(self.confidence if confidence is None else confidence)
        return (self.mu_ - z * self.stderr_, self.mu_ + z * self.stderr_)

    def relative_half_width(self, confidence=None):
        """Relative half-width ``z * stderr_ / |mu_|`` of the confidence interval.

        Parameters
        ----------
        confidence : float in (0, 1) or None, default=None
            Level; the estimator's ``confidence`` when None.

        Returns
        -------
        rhw : float
            The relative half-width (``inf`` while no event was observed).
        """
        check_is_fitted(self, "mu_")
        return relative_half_width(self.mu_, self.stderr_, self.confidence if confidence is None else confidence)

    def n_tests_needed(self, target_rhw=None):
        """Number of tests this estimator needs to reach a target relative half-width.

        Uses :math:`N (\\mathrm{RHW} / \\mathrm{target})^2`, i.e. the variance per
        test estimated so far.

        Parameters
        ----------
        target_rhw : float > 0 or None, default=None
            Target; the estimator's ``target_rhw`` when None.

        Returns
        -------
        n : float
            Estimated number of tests (``inf`` while no event was observed).
        """
        check_is_fitted(self, "mu_")
        target = self.target_rhw if target_rhw is None else float(target_rhw)
        if not target > 0:
            raise ValueError(f"target_rhw must be > 0, got {target_rhw!r}.")
        return float(self.n_tests_ * (self.relative_half_width() / target) ** 2)

    def _set_stop(self):
        self.rhw_ = self.relative_half_width()
        self.stop_ = bool(self.rhw_ <= self.target_rhw)


class ImportanceSamplingEstimator(_IntervalMixin, BaseEstimator):
    r"""Importance-sampling estimate of a rare-event rate, with an RHW stopping rule.

    With tests :math:`X_i \sim q`, outcomes :math:`A_i` and likelihood ratios
    :math:`W_i = p(X_i)/q(X_i)`, the unnormalised estimate and its variance are

    .. math::

        \hat\mu = \frac1N \sum_i A_i W_i, \qquad
        \widehat{\mathrm{Var}}(\hat\mu) = \frac{1}{N(N-1)} \sum_i (A_i W_i - \hat\mu)^2,

    and the self-normalised one (``normalize=True``) is
    :math:`\hat\mu = \sum_i A_i W_i / \sum_i W_i` with the delta-method variance
    :math:`\sum_i W_i^2 (A_i - \hat\mu)^2 / (\sum_i W_i)^2`. Without likelihood
    ratios this is crude Monte Carlo. ``partial_fit`` merges new batches
    exactly (Chan's parallel moment update), so a test campaign can stop as
    soon as ``stop_`` (RHW ≤ ``target_rhw``) becomes true.

    This estimator does not take an ``(X, y)`` design: each test contributes an
    outcome and a likelihood ratio, not a feature row, so scikit-learn's
    estimator checks (which feed random regression data and would produce
    non-positive likelihood ratios) do not apply and are skipped through
    ``_skip_estimator_checks``; cloning, pickling and ``get_params``/
    ``set_params`` work as for any estimator.

    Parameters
    ----------
    normalize : bool, default=False
        Self-normalised estimate (consistent, O(1/N) biased, robust to a
        likelihood ratio known up to a constant).
    confidence : float in (0, 1), default=0.95
        Level of the confidence interval and of the RHW.
    target_rhw : float > 0, default=0.3
        Relative half-width at which ``stop_`` becomes true.

    Attributes
    ----------
    mu_ : float
        The estimate.
    var_ : float
        Its estimated variance.
    stderr_ : float
        Its standard error.
    n_tests_ : int
        Number of tests seen.
    rhw_ : float
        Relative half-width after the last fit.
    stop_ : bool
        Whether ``rhw_ <= target_rhw``.

    See Also
    --------
    SparseControlVariates : control variates on the sparse critical variables.

    References
    ----------
    .. [1] A. B. Owen, "Monte Carlo theory, methods and examples", 2013, ch. 9.
    .. [2] S. Feng et al., "Intelligent driving intelligence test for
       autonomous vehicles with naturalistic and adversarial environment",
       Nature Communications 12, 748 (2021).

    Examples
    --------
    >>> from sparsestat.datasets import make_rare_event_tests
    >>> from sparsestat.variance_reduction import ImportanceSamplingEstimator
    >>> d = make_rare_event_tests(2000, threshold=-2.0, random_state=0)
    >>> est = ImportanceSamplingEstimator().fit(d.outcomes, d.likelihood_ratios)
    >>> lo, hi = est.confidence_interval()
    >>> bool(lo < d.true_rate < hi)
    True
    """

    _skip_estimator_checks = True

    _parameter_constraints = {
        "normalize": ["boolean"],
        "confidence": [Interval(numbers.Real, 0, 1, closed="neither")],
        "target_rhw": [Interval(numbers.Real, 0, None, closed="neither")],
    }

    def __init__(self, *, normalize=False, confidence=0.95, target_rhw=0.3):
        self.normalize = normalize
        self.confidence = confidence
        self.target_rhw = target_rhw

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, outcomes, likelihood_ratios=None):
        """Estimate the rate from a batch of tests.

        Parameters
        ----------
        outcomes : array-like of shape (n_tests,)
            Outcome :math:`A_i` of each test (e.g. 1 for a crash).
        likelihood_ratios : array-like of shape (n_tests,) or None, default=None
            :math:`W_i = p(X_i)/q(X_i) > 0`; None means crude Monte Carlo.

        Returns
        -------
        self : ImportanceSamplingEstimator
            The fitted estimator.
        """
        for attr in ("_n", "_mean", "_comoment"):
            self.__dict__.pop(attr, None)
        return self._update(outcomes, likelihood_ratios)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, outcomes, likelihood_ratios=None):
        """Add a batch of tests and update the estimate (sequential testing).

        Parameters
        ----------
        outcomes : array-like of shape (n_tests,)
            Outcomes of the new tests.
        likelihood_ratios : array-like of shape (n_tests,) or None, default=None
            Their likelihood ratios; None means crude Monte Carlo.

        Returns
        -------
        self : ImportanceSamplingEstimator
            The updated estimator.
        """
        return self._update(outcomes, likelihood_ratios)

    def _update(self, outcomes, likelihood_ratios):
        A, W = _check_outcomes_ratios(outcomes, likelihood_ratios)
        Z = np.column_stack([A * W, W])
        nb = Z.shape[0]
        mb = Z.mean(axis=0)
        Cb = (Z - mb).T @ (Z - mb)
        if getattr(self, "_n", 0) == 0:
            self._n, self._mean, self._comoment = nb, mb, Cb
        else:  # Chan et al.: exact merge of means and co-moments
            n = self._n + nb
            delta = mb - self._mean
            self._comoment = self._comoment + Cb + np.outer(delta, delta) * self._n * nb / n
            self._mean = self._mean + delta * nb / n
            self._n = n
        n, (my, mw), C = self._n, self._mean, self._comoment
        self.n_tests_ = int(n)
        if self.normalize:
            mu = my / mw
            # sum_i W_i^2 (A_i - mu)^2 = sum_i (Y_i - mu W_i)^2, from the co-moments
            ss = C[0, 0] - 2 * mu * C[0, 1] + mu * mu * C[1, 1] + n * (my - mu * mw) ** 2
            var = ss / (n * mw) ** 2
        else:
            mu = my
            var = C[0, 0] / (n * (n - 1)) if n > 1 else float("inf")
        self.mu_ = float(mu)
        self.var_ = float(max(var, 0.0))
        self.stderr_ = float(np.sqrt(self.var_))
        self._set_stop()
        return self

    @classmethod
    def _test_instances(cls):
        return [cls(), cls(normalize=True, confidence=0.9)]
