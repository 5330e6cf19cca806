"""Sparse linear regression under local differential privacy (non-interactive and sequentially interactive)."""

import math
import numbers
import warnings

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.linear_model._base import LinearModel
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sparsestat.privacy import BudgetAccountant, PrivacyLeakWarning, clip_l2, gaussian_sigma
from sparsestat.privacy._mechanisms import _check_delta, _check_epsilon, _check_positive, _outer_noise, _rng

__all__ = ["LDPSparseRegression"]

_CHUNK = 4096  # users privatised per block when fit() simulates them (bounds memory to CHUNK * d^2)


# --------------------------------------------------------------------------- shared helpers


def _default_delta(n):
    """delta = n^-1.1 (below 1/n, as the paper's experiments use), capped at 1e-2 for tiny n."""
    return float(min(1e-2, max(n, 1) ** -1.1))


def _resolve_clips(X, y, clip_x, clip_y):
    """Declared clip levels, or levels read from the data with a ``PrivacyLeakWarning``."""
    inferred = []
    if clip_x is None:
        norms = np.linalg.norm(X, axis=1)
        med = float(np.median(norms)) if norms.size else 0.0
        clip_x = 1.5 * med if med > 0 else (float(norms.max()) if norms.size and norms.max() > 0 else 1.0)
        inferred.append(f"clip_x={clip_x:.4g} (1.5 x median row norm)")
    if clip_y is None:
        med = float(np.median(np.abs(y))) if y.size else 0.0
        clip_y = 3 * 1.4826 * med if med > 0 else (float(np.abs(y).max()) if y.size and np.abs(y).max() > 0 else 1.0)
        inferred.append(f"clip_y={clip_y:.4g} (3 x robust scale of y)")
    if inferred:
        warnings.warn(
            "Clipping levels " + ", ".join(inferred) + " were computed from the private data; this leaks "
            "information that the local-privacy guarantee does not cover. Declare clip_x (l2 radius of a "
            "row) and clip_y (bound on |y|) from domain knowledge.",
            PrivacyLeakWarning, stacklevel=3,
        )
    return _check_positive(clip_x, "clip_x"), _check_positive(clip_y, "clip_y")


def _nldp_sigmas(epsilon, delta, clip_x, clip_y, budget_split, public_covariance):
    """(sigma1, sigma2): noise of the covariance report and of the correlation report."""
    if public_covariance:
        return None, gaussian_sigma(2 * clip_x * clip_y, epsilon, delta)
    e1, d1 = budget_split * epsilon, budget_split * delta
    e2, d2 = epsilon - e1, delta - d1
    return gaussian_sigma(math.sqrt(2.0) * clip_x**2, e1, d1), gaussian_sigma(2 * clip_x * clip_y, e2, d2)


def _nldp_user_side(X, y, clip_x, clip_y, sigma1, sigma2, rng, aggregate):
    """Clip, form x x^T and x y, add noise. The noise stream is the same in both modes (block draws)."""
    n, d = X.shape
    Xc = clip_l2(X, clip_x)
    yc = np.clip(y, -clip_y, clip_y)
    S = None
    if sigma1 is not None:
        if aggregate:
            # Same draws as the per-user reports, summed before the (linear) scatter into matrices.
            iu = np.triu_indices(d)
            scale = np.where(iu[0] == iu[1], sigma1, sigma1 / math.sqrt(2.0))
            z = np.zeros(iu[0].size)
            for lo in range(0, n, _CHUNK):
                z += rng.standard_normal((min(_CHUNK, n - lo), iu[0].size)).sum(axis=0)
            S = np.zeros((d, d))
            S[iu] = z * scale
            S = S + np.triu(S, 1).T + Xc.T @ Xc
        else:
            S = Xc[:, :, None] * Xc[:, None, :] + np.concatenate(
                [_outer_noise(rng, min(_CHUNK, n - lo), d, sigma1) for lo in range(0, n, _CHUNK)] or
                [np.zeros((0, d, d))])
    G = Xc * yc[:, None]
    if aggregate:
        g = G.sum(axis=0)
        for lo in range(0, n, _CHUNK):
            g += sigma2 * rng.standard_normal((min(_CHUNK, n - lo), d)).sum(axis=0)
    else:
        g = G + np.concatenate([sigma2 * rng.standard_normal((min(_CHUNK, n - lo), d))
                                for lo in range(0, n, _CHUNK)]) if n else G
    return S, g


def _privatize_gradients(X, y, coef, epsilon, delta, clip_x, clip_y, grad_clip, rng):
    Xc = clip_l2(np.atleast_2d(np.asarray(X, dtype=float)), clip_x)
    yc = np.clip(np.asarray(y, dtype=float), -clip_y, clip_y)
    G = clip_l2(Xc * (Xc @ coef - yc)[:, None], grad_clip)
    sigma = gaussian_sigma(2 * grad_clip, epsilon, delta)
    return G + sigma * rng.standard_normal(G.shape), sigma


def _top_k(v, k):
    if k is None or k >= v.size:
        return v
    out = np.zeros_like(v)
    idx = np.argpartition(np.abs(v), v.size - k)[v.size - k:]
    out[idx] = v[idx]
    return out


# --------------------------------------------------------------------------- estimator


class LDPSparseRegression(RegressorMixin, LinearModel):
    r"""Sparse linear regression from locally differentially private user reports.

    Every row of ``X`` (with its ``y``) is one user; the server never sees a row, only the users'
    privatised reports. Two protocols (Zhu, Ding, Aggarwal, Xu & Wang, ICLR 2024):

    **mode="non_interactive"** (one message per user). User :math:`i` clips :math:`\tilde x_i =
    x_i\min(1, R_x/\|x_i\|_2)`, :math:`\tilde y_i = \mathrm{clip}(y_i, \pm R_y)` and releases

    .. math::

        S_i = \tilde x_i\tilde x_i^\top + E_i,\qquad g_i = \tilde x_i\tilde y_i + e_i

    (Gaussian mechanism, budget split ``budget_split`` : ``1 - budget_split``; sensitivities
    :math:`\sqrt2 R_x^2` and :math:`2R_xR_y`). The server averages them into :math:`\hat\Sigma, \hat g`, floors
    the eigenvalues of :math:`\hat\Sigma` at ``ridge`` (:math:`\dot\Sigma`) and returns the closed-form
    "elementary" estimator

    .. math::

        \hat\theta = S_{\lambda}\big(\dot\Sigma^{-1}\hat g\big)

    (entrywise soft thresholding; at most ``sparsity`` largest entries kept when it is set). With public,
    unlabelled ``public_X`` the covariance is formed from it without noise and users release only
    :math:`g_i`, with the whole budget.

    **mode="interactive"** (sequentially interactive, each user reports once). Users are split into
    ``n_rounds`` disjoint groups. In round :math:`t` the server broadcasts :math:`\theta_{t-1}`; each user of
    group :math:`t` releases :math:`\mathrm{clip}_{G}(\tilde x_i(\tilde x_i^\top\theta_{t-1}-\tilde y_i)) +
    N(0,\sigma^2 I)` and the server takes a hard-thresholded gradient step

    .. math::

        \theta_t = \Pi_{\|\cdot\|_2\le B}\Big(H\big(\theta_{t-1}
                   - \eta\,\tfrac1{m_t}\textstyle\sum_i \tilde g_i\big)\Big).

    Parameters
    ----------
    mode : {"non_interactive", "interactive"}, default="non_interactive"
        Protocol.
    epsilon : float, default=1.0
        Privacy budget of each user, > 0.
    delta : float or None, default=None
        Failure probability in (0, 1) of each user's Gaussian mechanism; None means
        ``min(1e-2, n_users**-1.1)``. Pure :math:`\varepsilon`-LDP (``delta=0``) is not offered: the
        Gaussian mechanism needs ``delta > 0``.
    sparsity : int or None, default=None
        Number ``k`` of non-zeros to keep (top-k after thresholding; the IHT hard-threshold level). None:
        non-interactive mode keeps what survives the threshold, interactive mode hard-thresholds at three
        noise standard deviations of the step.
    clip_x : float or None, default=None
        :math:`\ell_2` radius :math:`R_x` each user clips its row to. None reads ``1.5 x`` the median row
        norm from the data and emits a :class:`~sparsestat.privacy.PrivacyLeakWarning`.
    clip_y : float or None, default=None
        Bound :math:`R_y` on :math:`|y|`. None reads ``3 x`` a robust scale of ``y`` from the data, with a
        ``PrivacyLeakWarning``.
    ridge : float or "auto", default="auto"
        Eigenvalue floor of :math:`\hat\Sigma`. "auto" is :math:`\sqrt{2d}\,\sigma_1/\sqrt n`, the typical
        spectral norm of the aggregated covariance noise (a tiny multiple of the trace with public data).
    threshold : float or "auto", default="auto"
        Soft threshold :math:`\lambda`. "auto" sets, per coordinate, :math:`\lambda_j =
        \sqrt{2\log 2d}\,\sqrt{s_2^2 + s_1^2\|\tilde\theta\|^2}\,\|(\dot\Sigma^{-1})_{j}\|_2` from the known
        noise levels :math:`s_1=\sigma_1/\sqrt n, s_2=\sigma_2/\sqrt n` (post-processing: no privacy cost).
    budget_split : float, default=0.5
        Share of (epsilon, delta) spent on the covariance report (non-interactive mode).
    n_rounds : int or None, default=None
        Rounds of the interactive protocol; None means ``min(5, max(1, floor(log10(n_users))))``.
    step : float, default=1.0
        Gradient step :math:`\eta` (1 is the Newton step for standardised features).
    grad_clip : float or None, default=None
        :math:`\ell_2` clip :math:`G` of a user's gradient; None means ``clip_x * clip_y``, the bound of the
        first-round gradient :math:`\|\tilde x\tilde y\|` (derived from the declared bounds, never from
        the data).
    radius : float or None, default=None
        :math:`\ell_2` projection radius :math:`B` of the iterates (None: no projection).
    random_state : int, Generator, RandomState or None, default=None
        Seed of the privacy noise and of the group assignment. Fix it only for reproducible tests: a
        deployment must use fresh randomness.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Estimated coefficients.
    intercept_ : float
        Always 0 (the model has no intercept; centre ``y`` with public information).
    cov_hat_ : ndarray of shape (n_features, n_features)
        Aggregated (private) covariance, non-interactive mode.
    xy_hat_ : ndarray of shape (n_features,)
        Aggregated (private) correlation, non-interactive mode.
    noise_scales_ : tuple of float
        ``(sigma1, sigma2)`` per-user noise of the two reports (sigma1 None with public data), or
        ``(sigma,)`` of the gradient reports in interactive mode.
    ridge_ : float
        Eigenvalue floor used.
    threshold_ : ndarray of shape (n_features,)
        Threshold used per coordinate.
    delta_ : float
        Delta used.
    clip_x_, clip_y_ : float
        Clip levels used.
    n_rounds_ : int
        Rounds run (interactive mode; 1 otherwise).
    group_sizes_ : list of int
        Users per round (interactive mode).
    history_ : list of ndarray
        Iterates (interactive mode).
    accountant_ : BudgetAccountant
        One user's spends (each user reports once in either protocol).
    n_features_in_ : int
        Number of features seen in ``fit``.

    Notes
    -----
    What differs from the paper (its algorithms are reconstructed from the abstract and the specification;
    the paper's body could not be consulted, so its exact steps and constants are not verified):

    * Users clip rows in :math:`\ell_2` (radius :math:`R_x`) instead of truncating entries at
      :math:`\tau_1`; the sensitivity of :math:`\tilde x\tilde x^\top` is then :math:`\sqrt2R_x^2` (not
      :math:`2d\tau_1^2`), and off-diagonal noise has variance :math:`\sigma_1^2/2`.
    * The Gaussian mechanism uses the analytic calibration of Balle & Wang (valid for every
      :math:`\varepsilon`) instead of :math:`\Delta\sqrt{2\log(1.25/\delta)}/\varepsilon` (valid for
      :math:`\varepsilon<1`); :math:`\sigma\varepsilon` grows slowly with :math:`\varepsilon` above 1.
    * Conditioning floors the eigenvalues at the noise level instead of adding
      :math:`r=\sqrt{d\log n}` to all of them: the latter shrinks the estimate by :math:`1/(1+r)` and
      is no better than predicting 0 at moderate :math:`n`.
    * The interactive clip, step and rounds default to the first-round gradient bound, 1 and a few rounds
      rather than the worst-case gradient bound, 0.1 and :math:`\lceil\log_2 n\rceil` rounds, which did
      not fall with :math:`n` at moderate sizes (see the gallery and the benchmark for the rates).
    * ``public_X`` is a ``fit`` argument, not a constructor parameter (data are not hyper-parameters).

    References
    ----------
    .. [1] L. Zhu, M. Ding, V. Aggarwal, J. Xu, D. Wang, "Improved analysis of sparse linear regression in
       local differential privacy model", ICLR 2024, arXiv:2310.07367.
    .. [2] E. Yang, A. Lozano, P. Ravikumar, "Elementary estimators for high-dimensional linear
       regression", ICML 2014.
    .. [3] D. Wang, J. Xu, "On sparse linear regression in the local differential privacy model",
       ICML 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.linear_model import LDPSparseRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100_000, 5))
    >>> y = X @ np.array([1.0, -1.0, 0, 0, 0]) + 0.1 * rng.standard_normal(100_000)
    >>> model = LDPSparseRegression(epsilon=16.0, clip_x=4.5, clip_y=4.0, random_state=0).fit(X, y)
    >>> np.flatnonzero(model.coef_).tolist()
    [0, 1]
    >>> bool(np.linalg.norm(model.coef_ - [1, -1, 0, 0, 0]) < 0.6)
    True
    """

    _parameter_constraints = {
        "mode": [StrOptions({"non_interactive", "interactive"})],
        "epsilon": [Interval(numbers.Real, 0, None, closed="neither")],
        "delta": [Interval(numbers.Real, 0, 1, closed="neither"), None],
        "sparsity": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "clip_x": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "clip_y": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "ridge": [Interval(numbers.Real, 0, None, closed="left"), StrOptions({"auto"})],
        "threshold": [Interval(numbers.Real, 0, None, closed="left"), StrOptions({"auto"})],
        "budget_split": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_rounds": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "step": [Interval(numbers.Real, 0, None, closed="neither")],
        "grad_clip": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "radius": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "random_state": ["random_state"],
    }

    def __init__(self, mode="non_interactive", *, epsilon=1.0, delta=None, sparsity=None, clip_x=None,
                 clip_y=None, ridge="auto", threshold="auto", budget_split=0.5, n_rounds=None, step=1.0,
                 grad_clip=None, radius=None, random_state=None):
        self.mode = mode
        self.epsilon = epsilon
        self.delta = delta
        self.sparsity = sparsity
        self.clip_x = clip_x
        self.clip_y = clip_y
        self.ridge = ridge
        self.threshold = threshold
        self.budget_split = budget_split
        self.n_rounds = n_rounds
        self.step = step
        self.grad_clip = grad_clip
        self.radius = radius
        self.random_state = random_state

    # ------------------------------------------------------------------ user side

    @staticmethod
    def privatize(X, y, *, epsilon=1.0, delta=None, clip_x=None, clip_y=None, budget_split=0.5,
                  public_covariance=False, random_state=None):
        """Users' side of the non-interactive protocol: one privatised report per row.

        Parameters
        ----------
        X : array-like of shape (n_users, n_features)
            One row per user.
        y : array-like of shape (n_users,)
            Responses.
        epsilon : float, default=1.0
            Budget of each user.
        delta : float or None, default=None
            Delta of each user (None: ``min(1e-2, n_users**-1.1)``).
        clip_x : float or None, default=None
            :math:`\\ell_2` clip radius of the rows (None: from the data, with a ``PrivacyLeakWarning``).
        clip_y : float or None, default=None
            Bound on :math:`|y|` (None: from the data, with a ``PrivacyLeakWarning``).
        budget_split : float, default=0.5
            Share of the budget spent on the covariance report.
        public_covariance : bool, default=False
            Release only ``x y`` with the whole budget (the server has public unlabelled rows).
        random_state : int, Generator or None, default=None
            Seed of the noise (the same seed in :meth:`fit` gives the same reports).

        Returns
        -------
        S_reports : ndarray of shape (n_users, n_features, n_features) or None
            Noisy clipped outer products (None with ``public_covariance``).
        g_reports : ndarray of shape (n_users, n_features)
            Noisy clipped ``x y``.
        """
        X = np.atleast_2d(np.asarray(X, dtype=float))
        y = np.asarray(y, dtype=float).ravel()
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} entries.")
        eps = _check_epsilon(epsilon)
        dlt = _default_delta(X.shape[0]) if delta is None else _check_delta(delta, allow_zero=False)
        clip_x, clip_y = _resolve_clips(X, y, clip_x, clip_y)
        s1, s2 = _nldp_sigmas(eps, dlt, clip_x, clip_y, budget_split, public_covariance)
        return _nldp_user_side(X, y, clip_x, clip_y, s1, s2, _rng(random_state), aggregate=False)

    @staticmethod
    def privatize_gradients(X, y, coef, *, epsilon=1.0, delta, clip_x, clip_y, grad_clip=None,
                            random_state=None):
        """Users' side of one interactive round: clipped, noisy least-squares gradients at ``coef``.

        Parameters
        ----------
        X : array-like of shape (n_users, n_features)
            Rows of this round's users.
        y : array-like of shape (n_users,)
            Their responses.
        coef : array-like of shape (n_features,)
            The coefficients the server broadcast.
        epsilon : float, default=1.0
            Budget of each user.
        delta : float
            Delta of each user, in (0, 1).
        clip_x : float
            :math:`\\ell_2` clip radius of the rows.
        clip_y : float
            Bound on :math:`|y|`.
        grad_clip : float or None, default=None
            :math:`\\ell_2` clip of the gradient (None: ``clip_x * clip_y``).
        random_state : int, Generator or None, default=None
            Seed of the noise.

        Returns
        -------
        reports : ndarray of shape (n_users, n_features)
            Noisy clipped gradients.
        """
        eps = _check_epsilon(epsilon)
        dlt = _check_delta(delta, allow_zero=False)
        cx, cy = _check_positive(clip_x, "clip_x"), _check_positive(clip_y, "clip_y")
        gc = cx * cy if grad_clip is None else _check_positive(grad_clip, "grad_clip")
        reports, _ = _privatize_gradients(X, y, np.asarray(coef, dtype=float), eps, dlt, cx, cy, gc,
                                          _rng(random_state))
        return reports

    # ------------------------------------------------------------------ server side

    def _n_rounds(self, n):
        if self.n_rounds is not None:
            return int(min(self.n_rounds, max(n, 1)))
        return int(min(5, max(1, math.floor(math.log10(max(n, 1))))))

    def _start(self, n, d, clip_x, clip_y):
        self.delta_ = _default_delta(n) if self.delta is None else float(self.delta)
        self.clip_x_, self.clip_y_ = clip_x, clip_y
        self.accountant_ = BudgetAccountant(self.epsilon, self.delta_)
        self.n_features_in_ = d

    def _nldp_server(self, S_sum, g_sum, n, public_X):
        d = g_sum.shape[0]
        public = public_X is not None
        s1, s2 = _nldp_sigmas(self.epsilon, self.delta_, self.clip_x_, self.clip_y_, self.budget_split, public)
        if public:
            self.accountant_.spend(self.epsilon, self.delta_, "x y report")
            P = clip_l2(public_X, self.clip_x_)
            cov = P.T @ P / P.shape[0]
        else:
            e1, d1 = self.budget_split * self.epsilon, self.budget_split * self.delta_
            self.accountant_.spend(e1, d1, "x x^T report")
            self.accountant_.spend(self.epsilon - e1, self.delta_ - d1, "x y report")
            cov = S_sum / n
        g = g_sum / n
        cov = 0.5 * (cov + cov.T)
        w, V = np.linalg.eigh(cov)
        ns1 = 0.0 if s1 is None else s1 / math.sqrt(n)
        ns2 = s2 / math.sqrt(n)
        if self.ridge == "auto":
            r = math.sqrt(2 * d) * ns1 if not public else 1e-10 * max(float(np.trace(cov)), 1e-300)
        else:
            r = float(self.ridge)
        r = max(r, 1e-12 * max(float(np.abs(w).max()), 1e-300))
        wf = np.maximum(w, r)
        inv = (V / wf) @ V.T
        theta = inv @ g
        if self.threshold == "auto":
            z = math.sqrt(2 * math.log(2 * d))
            noise = math.sqrt(ns2**2 + ns1**2 * float(theta @ theta))
            lam = z * noise * np.linalg.norm(inv, axis=1)
        else:
            lam = np.full(d, float(self.threshold))
        from sparsestat.penalties import soft_threshold

        coef = _top_k(soft_threshold(theta, lam), self.sparsity)
        self.cov_hat_, self.xy_hat_ = cov, g
        self.noise_scales_ = (s1, s2)
        self.ridge_, self.threshold_ = r, lam
        self.n_rounds_, self.group_sizes_, self.history_ = 1, [n], [coef]
        return coef

    def _iht_server(self, source, n, d):
        T = self._n_rounds(n)
        gc = self.clip_x_ * self.clip_y_ if self.grad_clip is None else float(self.grad_clip)
        sigma = gaussian_sigma(2 * gc, self.epsilon, self.delta_)
        self.accountant_.spend(self.epsilon, self.delta_, "gradient report (once per user)")
        theta = np.zeros(d)
        sizes, history = [], []
        for t in range(T):
            G = np.atleast_2d(np.asarray(source(t, theta.copy()), dtype=float))
            if G.ndim != 2 or G.shape[1] != d:
                raise ValueError(f"round {t}: gradient reports must have shape (n_users_t, {d}), got {G.shape}.")
            m = G.shape[0]
            sizes.append(m)
            if m == 0:
                history.append(theta.copy())
                continue
            half = theta - self.step * G.mean(axis=0)
            if self.sparsity is not None:
                theta = _top_k(half, self.sparsity)
            else:
                level = 3.0 * self.step * sigma / math.sqrt(m)
                theta = np.where(np.abs(half) > level, half, 0.0)
            if self.radius is not None:
                nrm = float(np.linalg.norm(theta))
                if nrm > self.radius:
                    theta *= self.radius / nrm
            history.append(theta.copy())
        self.noise_scales_ = (sigma,)
        self.n_rounds_, self.group_sizes_, self.history_ = T, sizes, history
        self.ridge_, self.threshold_ = 0.0, np.zeros(d)
        return theta

    def _finish(self, coef, dtype):
        self.coef_ = np.asarray(coef, dtype=dtype)
        self.intercept_ = dtype.type(0.0) if hasattr(dtype, "type") else 0.0
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, public_X=None):
        """Simulate the users (one per row), privatise their data, and run the server.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Private rows, one per user.
        y : array-like of shape (n_samples,)
            Private responses.
        public_X : array-like of shape (n_public, n_features), default=None
            Public unlabelled rows (non-interactive mode): the covariance comes from them without noise
            and users spend their whole budget on ``x y``.

        Returns
        -------
        self : LDPSparseRegression
            Fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], y_numeric=True)
        dtype = X.dtype
        Xf, yf = X.astype(np.float64), y.astype(np.float64)
        n, d = Xf.shape
        clip_x, clip_y = _resolve_clips(Xf, yf, self.clip_x, self.clip_y)
        self._start(n, d, clip_x, clip_y)
        rng = _rng(self.random_state)
        if self.mode == "non_interactive":
            pub = self._check_public(public_X, d)
            s1, s2 = _nldp_sigmas(self.epsilon, self.delta_, clip_x, clip_y, self.budget_split, pub is not None)
            S_sum, g_sum = _nldp_user_side(Xf, yf, clip_x, clip_y, s1, s2, rng, aggregate=True)
            coef = self._nldp_server(S_sum, g_sum, n, pub)
        else:
            if public_X is not None:
                raise ValueError("public_X is only used by mode='non_interactive'.")
            T = self._n_rounds(n)
            groups = np.array_split(rng.permutation(n), T)
            gc = clip_x * clip_y if self.grad_clip is None else float(self.grad_clip)

            def source(t, coef):
                idx = groups[t]
                return _privatize_gradients(Xf[idx], yf[idx], coef, self.epsilon, self.delta_, clip_x, clip_y,
                                            gc, rng)[0]

            coef = self._iht_server(source, n, d)
        return self._finish(coef, dtype)

    def _check_public(self, public_X, d):
        if public_X is None:
            return None
        P = np.atleast_2d(np.asarray(public_X, dtype=np.float64))
        if P.shape[1] != d or not np.all(np.isfinite(P)):
            raise ValueError(f"public_X must be finite with {d} columns, got shape {P.shape}.")
        return P

    def fit_from_reports(self, reports, *, public_X=None, n_users=None, n_features=None):
        """Server side only: estimate from reports that users privatised on their side.

        Parameters
        ----------
        reports : tuple or callable
            ``mode="non_interactive"``: ``(S_reports, g_reports)`` as returned by :meth:`privatize`
            (``S_reports`` may be None when ``public_X`` is given). ``mode="interactive"``: a callable
            ``reports(round, coef) -> ndarray (n_users_round, n_features)`` that broadcasts ``coef`` to the
            users of that round and returns their reports (see :meth:`privatize_gradients`).
        public_X : array-like of shape (n_public, n_features), default=None
            Public unlabelled rows (non-interactive mode).
        n_users : int or None, default=None
            Total number of users (interactive mode, required: sets the default delta and the rounds).
        n_features : int or None, default=None
            Number of features (interactive mode, required: the first broadcast is ``zeros(n_features)``).

        Returns
        -------
        self : LDPSparseRegression
            Fitted estimator. ``clip_x`` and ``clip_y`` must be declared (the server cannot read them
            from data it does not see).
        """
        self._validate_params()
        if self.clip_x is None or self.clip_y is None:
            raise ValueError("fit_from_reports needs the declared clip_x and clip_y the users clipped with.")
        cx, cy = float(self.clip_x), float(self.clip_y)
        if self.mode == "non_interactive":
            if not isinstance(reports, tuple) or len(reports) != 2:
                raise TypeError("reports must be the tuple (S_reports, g_reports) in mode='non_interactive'.")
            S, G = reports
            G = np.asarray(G, dtype=np.float64)
            if G.ndim != 2 or not np.all(np.isfinite(G)):
                raise ValueError("g_reports must be a finite array of shape (n_users, n_features).")
            n, d = G.shape
            pub = self._check_public(public_X, d)
            if pub is None:
                if S is None:
                    raise ValueError("S_reports is None: pass public_X, or the covariance reports.")
                S = np.asarray(S, dtype=np.float64)
                if S.shape != (n, d, d):
                    raise ValueError(f"S_reports must have shape ({n}, {d}, {d}), got {S.shape}.")
                S_sum = S.sum(axis=0)
            else:
                S_sum = None
            self._start(n, d, cx, cy)
            coef = self._nldp_server(S_sum, G.sum(axis=0), n, pub)
        else:
            if not callable(reports):
                raise TypeError("reports must be a callable (round, coef) -> reports in mode='interactive'.")
            if n_users is None or n_features is None:
                raise ValueError("n_users and n_features are required in mode='interactive'.")
            d = int(n_features)
            self._start(int(n_users), d, cx, cy)
            coef = self._iht_server(reports, int(n_users), d)
        return self._finish(coef, np.dtype(np.float64))

    def predict(self, X):
        """Predict with the fitted linear model (no privacy cost: the coefficients are public).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            ``X @ coef_``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return X @ self.coef_.astype(X.dtype, copy=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True  # privacy noise dominates at the checks' sample sizes
        tags.non_deterministic = False
        return tags
