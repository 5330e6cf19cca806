"""Spectral kernels following scikit-learn's ``Kernel`` protocol.

All three kernels are stationary mixtures whose components are a Gaussian or
Student-t bump in the spectral domain shifted to a frequency ``mu``; by the
Wiener-Khinchin theorem each component is an envelope times ``cos(2 pi mu tau)``.
They drop into :class:`sklearn.gaussian_process.GaussianProcessRegressor`, compose
with ``+``/``*``/``WhiteKernel``, and give analytic gradients with respect to the
log hyper-parameters (``theta``).
"""

import numbers

import numpy as np
from sklearn.gaussian_process.kernels import Hyperparameter, Kernel, StationaryKernelMixin

__all__ = ["SpectralMixture", "GridSpectralMixtureProduct", "StudentTMixture", "empirical_spectrum"]

_TWO_PI = 2.0 * np.pi
_TWO_PI2 = 2.0 * np.pi**2


def _bounds_or_fixed(bounds, name):
    if isinstance(bounds, str):
        if bounds != "fixed":
            raise ValueError(f"{name} must be a pair (low, high) or 'fixed', got {bounds!r}.")
        return bounds
    lo, hi = bounds
    if not (0 < lo < hi):
        raise ValueError(f"{name} must satisfy 0 < low < high (parameters are optimised in log space), got {bounds!r}.")
    return bounds


class _VectorThetaMixin:
    """``theta`` over flattened (possibly 2-D) hyper-parameters resolved by ``_resolved``."""

    @property
    def theta(self):
        """Log of the flattened non-fixed hyper-parameters.

        Returns
        -------
        theta : ndarray of shape (n_dims,)
            Log-transformed free hyper-parameters.
        """
        vals = self._resolved()
        parts = [np.ravel(vals[h.name]) for h in self.hyperparameters if not h.fixed]
        return np.log(np.hstack(parts)) if parts else np.array([])

    @theta.setter
    def theta(self, theta):
        vals = self._resolved()
        params = {}
        i = 0
        for h in self.hyperparameters:
            if h.fixed:
                continue
            shape = np.shape(vals[h.name])
            params[h.name] = np.exp(np.asarray(theta[i:i + h.n_elements], dtype=float)).reshape(shape)
            i += h.n_elements
        if i != len(theta):
            raise ValueError(f"theta has {len(theta)} entries; this kernel has {i} free hyper-parameters.")
        self.set_params(**params)

    def __eq__(self, other):
        if type(self) is not type(other):
            return False
        a, b = self.get_params(), other.get_params()
        for key in set(a) | set(b):
            va, vb = a.get(key), b.get(key)
            if va is None or vb is None or isinstance(va, str) or isinstance(vb, str):
                if va is not vb and va != vb:
                    return False
            elif np.shape(va) != np.shape(vb) or np.any(np.asarray(va) != np.asarray(vb)):
                return False
        return True

    __hash__ = None


def _stack_gradients(kernel, grads, shape):
    """Stack per-name gradients (leading component axis) in the order of ``kernel.hyperparameters``."""
    parts = [grads[h.name] for h in kernel.hyperparameters if not h.fixed]
    if not parts:
        return np.empty(shape + (0,))
    return np.moveaxis(np.concatenate(parts, axis=0), 0, -1)


def _as_2d(X):
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    return X


def _component_terms(X, Y, freqs, scales_sq):
    """Per-component matrices exp(-2 pi^2 tau^2 v) cos(2 pi mu tau), shape (A, n, m), plus pieces."""
    tau = X[:, None, :] - Y[None, :, :]  # (n, m, P)
    tau2 = tau**2
    env = np.exp(-_TWO_PI2 * np.einsum("nmp,ap->anm", tau2, scales_sq)) if scales_sq.shape[1] > 1 else \
        np.exp(-_TWO_PI2 * tau2[None, :, :, 0] * scales_sq[:, 0, None, None])
    if freqs.shape[1] == 1:
        cos = np.cos(_TWO_PI * tau[None, :, :, 0] * freqs[:, 0, None, None])
    else:
        cos = np.prod(np.cos(_TWO_PI * tau[None] * freqs[:, None, None, :]), axis=-1)
    return env * cos


class SpectralMixture(_VectorThetaMixin, StationaryKernelMixin, Kernel):
    r"""Spectral mixture kernel of Wilson & Adams (2013).

    The spectral density is a mixture of Gaussians with means :math:`\mu_q`
    and variances :math:`v_q`, which gives

    .. math::

        k(\tau) = \sum_{q=1}^{Q} w_q \prod_{p=1}^{P}
        \exp(-2\pi^2 \tau_p^2 v_{qp}) \cos(2\pi \tau_p \mu_{qp}),
        \qquad \tau = x - x'.

    Frequencies are in cycles per unit of ``x``. All hyper-parameters are
    positive and optimised in log space (``theta``); gradients are analytic.

    Parameters
    ----------
    weights : array-like of shape (n_components,) or None, default=None
        Mixture weights :math:`w_q` (the component variances). None gives
        ``1 / n_components`` each.
    means : array-like of shape (n_components, n_features) or (n_components,) or None, default=None
        Spectral means :math:`\mu_{qp}` (frequencies). None spreads the
        components evenly over ``(0, means_bounds[1])`` for one input feature.
    variances : array-like of the shape of ``means`` or None, default=None
        Spectral variances :math:`v_{qp}`. None gives ``1e-3`` each.
    n_components : int, default=10
        Number of components used when ``weights`` is None.
    weights_bounds : pair of float or "fixed", default=(1e-8, 1e5)
        Bounds of the weights.
    means_bounds : pair of float or "fixed", default=(1e-6, 0.5)
        Bounds of the means; the upper bound should be the Nyquist frequency
        of the inputs (:meth:`from_data` sets it).
    variances_bounds : pair of float or "fixed", default=(1e-8, 1e3)
        Bounds of the spectral variances.

    See Also
    --------
    GridSpectralMixtureProduct : the same components on a fixed grid, only weights learned.
    StudentTMixture : Matérn × cosine components (heavier spectral tails).

    Notes
    -----
    Use :meth:`from_data` for the data-driven initialisation from the
    empirical spectrum (periodogram on regular inputs, Lomb-Scargle
    otherwise, then a weighted EM fit of a Gaussian mixture to it).
    Because scikit-learn optimises log parameters a mean is never exactly
    zero; a trend component sits at the lower bound ``means_bounds[0]``.

    References
    ----------
    .. [1] A. G. Wilson and R. P. Adams, "Gaussian Process Kernels for Pattern
       Discovery and Extrapolation", ICML 2013, arXiv:1302.4245.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.gaussian_process import GaussianProcessRegressor
    >>> from sparsestat.gaussian_process.kernels import SpectralMixture
    >>> X = np.linspace(0, 10, 50)[:, None]
    >>> y = np.cos(2 * np.pi * 0.5 * X[:, 0])
    >>> kernel = SpectralMixture.from_data(X, y, n_components=2)
    >>> gp = GaussianProcessRegressor(kernel, alpha=1e-4).fit(X, y)
    >>> K = gp.kernel_(X[:3])
    >>> K.shape
    (3, 3)
    """

    def __init__(self, weights=None, means=None, variances=None, *, n_components=10,
                 weights_bounds=(1e-8, 1e5), means_bounds=(1e-6, 0.5), variances_bounds=(1e-8, 1e3)):
        self.weights = weights
        self.means = means
        self.variances = variances
        self.n_components = n_components
        self.weights_bounds = weights_bounds
        self.means_bounds = means_bounds
        self.variances_bounds = variances_bounds

    # ------------------------------------------------------------------ params
    def _resolved(self):
        if self.weights is not None:
            w = np.atleast_1d(np.asarray(self.weights, dtype=float)).ravel()
        else:
            if not isinstance(self.n_components, numbers.Integral) or self.n_components < 1:
                raise ValueError(f"n_components must be a positive int, got {self.n_components!r}.")
            w = np.full(self.n_components, 1.0 / self.n_components)
        Q = w.size
        if self.means is not None:
            mu = np.asarray(self.means, dtype=float)
        else:
            hi = 0.5 if isinstance(self.means_bounds, str) else float(self.means_bounds[1])
            mu = (np.arange(1, Q + 1) / (Q + 1) * hi)[:, None]
        mu = mu.reshape(Q, -1) if mu.size % Q == 0 else mu
        if self.variances is not None:
            v = np.asarray(self.variances, dtype=float)
        else:
            v = np.full(mu.shape, 1e-3)
        if mu.size % Q != 0 or v.size != mu.size:
            raise ValueError(f"means and variances must have shape (n_components, n_features) with n_components="
                             f"{Q} (the length of weights); got means {np.shape(self.means)}, "
                             f"variances {np.shape(self.variances)}.")
        v = v.reshape(mu.shape)
        return {"weights": w, "means": mu, "variances": v}

    @property
    def hyperparameter_weights(self):
        """Mixture weights (one per component).

        Returns
        -------
        hyperparameter : Hyperparameter
            Declaration of the weights.
        """
        q = self._resolved()["weights"].size
        return Hyperparameter("weights", "numeric", _bounds_or_fixed(self.weights_bounds, "weights_bounds"), q)

    @property
    def hyperparameter_means(self):
        """Spectral means (components × features).

        Returns
        -------
        hyperparameter : Hyperparameter
            Declaration of the means.
        """
        n = self._resolved()["means"].size
        return Hyperparameter("means", "numeric", _bounds_or_fixed(self.means_bounds, "means_bounds"), n)

    @property
    def hyperparameter_variances(self):
        """Spectral variances (components × features).

        Returns
        -------
        hyperparameter : Hyperparameter
            Declaration of the variances.
        """
        n = self._resolved()["variances"].size
        return Hyperparameter("variances", "numeric",
                              _bounds_or_fixed(self.variances_bounds, "variances_bounds"), n)

    # ------------------------------------------------------------- evaluation
    def __call__(self, X, Y=None, eval_gradient=False):
        """Kernel matrix k(X, Y) and optionally its gradient in log hyper-parameters.

        Parameters
        ----------
        X : ndarray of shape (n_samples_X, n_features)
            Left argument.
        Y : ndarray of shape (n_samples_Y, n_features) or None, default=None
            Right argument; None means ``Y = X``.
        eval_gradient : bool, default=False
            Also return the gradient (only when ``Y`` is None).

        Returns
        -------
        K : ndarray of shape (n_samples_X, n_samples_Y)
            Kernel matrix.
        K_gradient : ndarray of shape (n_samples_X, n_samples_X, n_dims)
            Gradient with respect to ``theta``; only with ``eval_gradient=True``.
        """
        vals = self._resolved()
        w, mu, v = vals["weights"], vals["means"], vals["variances"]
        X = _as_2d(X)
        if eval_gradient and Y is not None:
            raise ValueError("Gradient can only be evaluated when Y is None.")
        Yv = X if Y is None else _as_2d(Y)
        if X.shape[1] != mu.shape[1]:
            raise ValueError(f"X has {X.shape[1]} features but the kernel's means have {mu.shape[1]} columns; "
                             "pass means of shape (n_components, n_features) or use SpectralMixture.from_data.")
        tau = X[:, None, :] - Yv[None, :, :]  # (n, m, P)
        Q, P = mu.shape
        # factors (Q, P, n, m)
        env = np.exp(-_TWO_PI2 * np.einsum("nmp,qp->qpnm", tau**2, v))
        arg = _TWO_PI * np.einsum("nmp,qp->qpnm", tau, mu)
        cos = np.cos(arg)
        fac = env * cos
        comp = w[:, None, None] * np.prod(fac, axis=1)  # (Q, n, m)
        K = comp.sum(axis=0)
        if not eval_gradient:
            return K
        grads = {}
        if not self.hyperparameter_weights.fixed:
            grads["weights"] = comp
        if not self.hyperparameter_means.fixed or not self.hyperparameter_variances.fixed:
            # product over the other dimensions, computed without division
            others = np.empty_like(fac)
            for p in range(P):
                mask = [j for j in range(P) if j != p]
                others[:, p] = np.prod(fac[:, mask], axis=1) if mask else 1.0
            others *= w[:, None, None, None]
            if not self.hyperparameter_means.fixed:
                dmu = others * env * (-np.sin(arg)) * arg  # d/dlog mu = mu * d/dmu
                grads["means"] = dmu.reshape(Q * P, *K.shape)
            if not self.hyperparameter_variances.fixed:
                dv = comp[:, None] * (-_TWO_PI2 * np.einsum("nmp,qp->qpnm", tau**2, v))
                grads["variances"] = dv.reshape(Q * P, *K.shape)
        return K, _stack_gradients(self, grads, K.shape)

    def diag(self, X):
        """Diagonal of k(X, X): constant ``sum(weights)``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        K_diag : ndarray of shape (n_samples,)
            Diagonal of the kernel matrix.
        """
        return np.full(_as_2d(X).shape[0], self._resolved()["weights"].sum())

    def __repr__(self):
        vals = self._resolved()
        return (f"SpectralMixture(n_components={vals['weights'].size}, "
                f"weights={np.array2string(vals['weights'], precision=3)}, "
                f"means={np.array2string(vals['means'].ravel(), precision=3)})")

    @classmethod
    def from_data(cls, X, y, n_components=10, *, init="spectrum", random_state=None, n_freqs=None):
        """Initialise a spectral mixture from data (empirical spectrum or random).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,)
            Training targets.
        n_components : int, default=10
            Number of mixture components.
        init : {"spectrum", "random"}, default="spectrum"
            ``"spectrum"`` fits a Gaussian mixture to the empirical spectral
            density of ``y`` along each feature (weighted EM);
            ``"random"`` draws means uniformly up to the Nyquist frequency.
        random_state : int, RandomState instance or None, default=None
            Seed for ``init="random"`` and for pairing components across features.
        n_freqs : int or None, default=None
            Frequencies at which the spectrum is evaluated (``4 * n_samples``
            capped at 4000 when None).

        Returns
        -------
        kernel : SpectralMixture
            A kernel with data-driven ``weights``, ``means``, ``variances``
            and ``means_bounds`` up to the Nyquist frequency.

        Examples
        --------
        >>> import numpy as np
        >>> from sparsestat.gaussian_process.kernels import SpectralMixture
        >>> X = np.arange(100.0)[:, None]
        >>> y = np.cos(2 * np.pi * 0.1 * X[:, 0])
        >>> k = SpectralMixture.from_data(X, y, n_components=1)
        >>> bool(abs(k.means[0, 0] - 0.1) < 0.01)
        True
        """
        from sklearn.utils import check_random_state

        X = _as_2d(X)
        y = np.asarray(y, dtype=float).ravel()
        if X.shape[0] != y.shape[0]:
            raise ValueError(f"X and y must have the same number of rows, got {X.shape[0]} and {y.shape[0]}.")
        if not isinstance(n_components, numbers.Integral) or n_components < 1:
            raise ValueError(f"n_components must be a positive int, got {n_components!r}.")
        if init not in ("spectrum", "random"):
            raise ValueError(f"init must be 'spectrum' or 'random', got {init!r}.")
        rng = check_random_state(random_state)
        Q, P = int(n_components), X.shape[1]
        var_y = float(np.var(y)) if np.var(y) > 0 else 1.0
        mu = np.empty((Q, P))
        v = np.empty((Q, P))
        w = np.full(Q, var_y / Q)
        nyq_all = []
        for p in range(P):
            freqs, power, nyq, span = empirical_spectrum(X[:, p], y, n_freqs=n_freqs)
            nyq_all.append(nyq)
            if freqs is None:  # constant feature: flat trend component
                mu[:, p], v[:, p] = 1e-6, 1e-6
                continue
            if init == "random":
                mu[:, p] = rng.uniform(0, nyq, Q) + 1e-6
                v[:, p] = (1.0 / span) ** 2
                continue
            pi, m, s2 = _weighted_gmm_1d(freqs, power, Q, floor=(1.0 / (4 * span)) ** 2)
            order = np.argsort(-pi) if p == 0 else rng.permutation(Q)
            mu[:, p], v[:, p] = np.maximum(m[order], 1e-6), s2[order]
            if p == 0:
                w = var_y * pi[order]
        w = np.maximum(w, 1e-8)
        hi = max(max(nyq_all), 2e-6)
        return cls(weights=w, means=np.clip(mu, 1e-6, hi), variances=np.maximum(v, 1e-8),
                   n_components=Q, means_bounds=(1e-6, hi))


def empirical_spectrum(x, y, n_freqs=None):
    """Empirical power spectrum of ``y`` sampled at the (possibly irregular) points ``x``.

    The Lomb-Scargle periodogram is used (it equals the classical periodogram
    on a regular grid), evaluated from the lowest resolvable frequency
    ``1 / span`` up to the Nyquist frequency of the smallest spacing.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Sample locations.
    y : array-like of shape (n_samples,)
        Observations.
    n_freqs : int or None, default=None
        Number of frequencies (``4 * n_samples`` capped at 4000 when None).

    Returns
    -------
    freqs : ndarray of shape (n_freqs,) or None
        Frequencies in cycles per unit of ``x`` (None for a constant ``x``).
    power : ndarray of shape (n_freqs,) or None
        Normalised non-negative power at ``freqs`` (sums to one).
    nyquist : float
        Nyquist frequency ``1 / (2 * min spacing)``.
    span : float
        ``max(x) - min(x)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.gaussian_process.kernels import empirical_spectrum
    >>> x = np.arange(200.0)
    >>> f, p, nyq, span = empirical_spectrum(x, np.sin(2 * np.pi * 0.2 * x))
    >>> round(float(f[np.argmax(p)]), 2)
    0.2
    """
    from scipy.signal import lombscargle

    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    ux = np.unique(x)
    if ux.size < 2:
        return None, None, 0.5, 1.0
    span = float(ux[-1] - ux[0])
    dmin = float(np.min(np.diff(ux)))
    dmin = max(dmin, span * 1e-6)
    nyq = 0.5 / dmin
    if n_freqs is None:
        n_freqs = int(min(4000, 4 * x.size))
    fmin = 1.0 / (2.0 * span)
    freqs = np.linspace(fmin, nyq, max(int(n_freqs), 8))
    yc = y - y.mean()
    if not np.any(yc):
        power = np.full(freqs.size, 1.0 / freqs.size)
    else:
        power = lombscargle(x, yc, _TWO_PI * freqs)
        power = np.maximum(power, 0.0)
        power = power / power.sum() if power.sum() > 0 else np.full(freqs.size, 1.0 / freqs.size)
    return freqs, power, nyq, span


def _weighted_gmm_1d(f, wts, Q, floor, n_iter=200):
    """Weighted EM of a Q-component 1-D Gaussian mixture, initialised at the largest peaks."""
    f = np.asarray(f, dtype=float)
    wts = np.asarray(wts, dtype=float)
    wts = wts / wts.sum()
    peaks = np.flatnonzero((wts >= np.roll(wts, 1)) & (wts >= np.roll(wts, -1)))
    if peaks.size < Q:
        extra = np.setdiff1d(np.argsort(-wts), peaks)[: Q - peaks.size]
        peaks = np.concatenate([peaks, extra])
    start = peaks[np.argsort(-wts[peaks])][:Q]
    m = f[start].copy()
    df = f[1] - f[0] if f.size > 1 else 1.0
    s2 = np.full(Q, max((2 * df) ** 2, floor))
    pi = np.full(Q, 1.0 / Q)
    for _ in range(n_iter):
        logp = -0.5 * (f[:, None] - m) ** 2 / s2 - 0.5 * np.log(s2) + np.log(pi)
        logp -= logp.max(axis=1, keepdims=True)
        r = np.exp(logp)
        r /= r.sum(axis=1, keepdims=True)
        rw = r * wts[:, None]
        nk = rw.sum(axis=0) + 1e-300
        m_new = (rw * f[:, None]).sum(axis=0) / nk
        s2 = np.maximum((rw * (f[:, None] - m_new) ** 2).sum(axis=0) / nk, floor)
        pi = np.maximum(nk / nk.sum(), 1e-12)
        if np.allclose(m_new, m, rtol=0, atol=1e-10 * max(1.0, f[-1])):
            m = m_new
            break
        m = m_new
    return pi / pi.sum(), m, s2


class GridSpectralMixtureProduct(_VectorThetaMixin, StationaryKernelMixin, Kernel):
    r"""Grid spectral mixture product (GSMP) kernel: fixed frequencies, learned weights.

    .. math::

        k(x, x') = \sum_{i=1}^{A} \alpha_i \prod_{p=1}^{P}
        \exp(-2\pi^2 \sigma_{ip}^2 \tau_p^2) \cos(2\pi \mu_{ip} \tau_p),
        \qquad \alpha_i \ge 0,

    with :math:`(\mu_{ip}, \sigma_{ip})` fixed on a grid, so the kernel is a
    *linear* multiple kernel :math:`\sum_i \alpha_i K_i` and only the
    weights are hyper-parameters. :class:`SparseSpectralGP` and
    :class:`SLIMKernelLearning` learn the weights so that most are exactly zero;
    inside ``GaussianProcessRegressor`` they are optimised by L-BFGS on their
    logs (no exact zeros).

    Parameters
    ----------
    weights : array-like of shape (n_components,)
        Non-negative component weights :math:`\alpha_i`.
    freqs : array-like of shape (n_components, n_features) or (n_components,)
        Fixed spectral means :math:`\mu_{ip}` (cycles per unit of ``x``).
    scales : array-like of the shape of ``freqs`` or float
        Fixed spectral standard deviations :math:`\sigma_{ip}` (they enter squared).
    weights_bounds : pair of float or "fixed", default=(1e-12, 1e6)
        Bounds of the weights in ``GaussianProcessRegressor``.

    See Also
    --------
    SpectralMixture : free means and variances.

    References
    ----------
    .. [1] R. C. Suwandi, Z. Lin, F. Yin, Z. Wang, S. Theodoridis,
       "Sparsity-Aware Distributed Learning for Gaussian Processes with
       Linear Multiple Kernel", arXiv:2309.08201.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.gaussian_process.kernels import GridSpectralMixtureProduct
    >>> k = GridSpectralMixtureProduct.from_grid(1, n_components=20)
    >>> X = np.arange(5.0)[:, None]
    >>> k(X).shape
    (5, 5)
    """

    def __init__(self, weights, freqs, scales, *, weights_bounds=(1e-12, 1e6)):
        self.weights = weights
        self.freqs = freqs
        self.scales = scales
        self.weights_bounds = weights_bounds

    def _resolved(self):
        w = np.atleast_1d(np.asarray(self.weights, dtype=float)).ravel()
        A = w.size
        mu = np.asarray(self.freqs, dtype=float)
        if mu.size % max(A, 1) != 0 or mu.size == 0:
            raise ValueError(f"freqs must have shape (n_components, n_features) with n_components={A}, "
                             f"got {mu.shape}.")
        mu = mu.reshape(A, -1)
        s = np.asarray(self.scales, dtype=float)
        if s.size == 1:
            s = np.full(mu.shape, float(s.ravel()[0]))
        if s.size != mu.size:
            raise ValueError(f"scales must be a float or have the shape of freqs {mu.shape}, got {np.shape(s)}.")
        if np.any(w < 0):
            raise ValueError("weights must be non-negative.")
        return {"weights": w, "freqs": mu, "scales": np.asarray(s, dtype=float).reshape(mu.shape)}

    @property
    def hyperparameter_weights(self):
        """Component weights (the only hyper-parameter).

        Returns
        -------
        hyperparameter : Hyperparameter
            Declaration of the weights.
        """
        a = self._resolved()["weights"].size
        return Hyperparameter("weights", "numeric", _bounds_or_fixed(self.weights_bounds, "weights_bounds"), a)

    @property
    def theta(self):
        """Log of the weights (zero weights are clipped to the lower bound).

        Returns
        -------
        theta : ndarray of shape (n_dims,)
            Log-transformed free hyper-parameters.
        """
        if self.hyperparameter_weights.fixed:
            return np.array([])
        w = self._resolved()["weights"]
        lo = 1e-300 if isinstance(self.weights_bounds, str) else self.weights_bounds[0]
        return np.log(np.maximum(w, lo))

    @theta.setter
    def theta(self, theta):
        _VectorThetaMixin.theta.fset(self, theta)

    def component_matrices(self, X, Y=None, components=None):
        """Unweighted component matrices :math:`K_i(X, Y)`.

        Parameters
        ----------
        X : ndarray of shape (n_samples_X, n_features)
            Left argument.
        Y : ndarray of shape (n_samples_Y, n_features) or None, default=None
            Right argument; None means ``Y = X``.
        components : array-like of int or None, default=None
            Indices of the components (all when None).

        Returns
        -------
        K_stack : ndarray of shape (n_selected, n_samples_X, n_samples_Y)
            One matrix per selected component.
        """
        vals = self._resolved()
        X = _as_2d(X)
        Yv = X if Y is None else _as_2d(Y)
        mu, s = vals["freqs"], vals["scales"]
        if X.shape[1] != mu.shape[1]:
            raise ValueError(f"X has {X.shape[1]} features but freqs has {mu.shape[1]} columns.")
        if components is not None:
            mu, s = mu[components], s[components]
        return _component_terms(X, Yv, mu, s**2)

    def __call__(self, X, Y=None, eval_gradient=False):
        """Kernel matrix k(X, Y) and optionally its gradient in the log weights.

        Parameters
        ----------
        X : ndarray of shape (n_samples_X, n_features)
            Left argument.
        Y : ndarray of shape (n_samples_Y, n_features) or None, default=None
            Right argument; None means ``Y = X``.
        eval_gradient : bool, default=False
            Also return the gradient (only when ``Y`` is None).

        Returns
        -------
        K : ndarray of shape (n_samples_X, n_samples_Y)
            Kernel matrix.
        K_gradient : ndarray of shape (n_samples_X, n_samples_X, n_components)
            :math:`\\alpha_i K_i`; only with ``eval_gradient=True``.
        """
        if eval_gradient and Y is not None:
            raise ValueError("Gradient can only be evaluated when Y is None.")
        w = self._resolved()["weights"]
        if not eval_gradient:
            active = np.flatnonzero(w)
            if active.size == 0:
                X = _as_2d(X)
                return np.zeros((X.shape[0], X.shape[0] if Y is None else _as_2d(Y).shape[0]))
            comp = self.component_matrices(X, Y, active)
            return np.tensordot(w[active], comp, axes=1)
        comp = self.component_matrices(X, Y) * w[:, None, None]
        K = comp.sum(axis=0)
        if self.hyperparameter_weights.fixed:
            return K, np.empty(K.shape + (0,))
        return K, np.moveaxis(comp, 0, -1)

    def diag(self, X):
        """Diagonal of k(X, X): constant ``sum(weights)``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        K_diag : ndarray of shape (n_samples,)
            Diagonal of the kernel matrix.
        """
        return np.full(_as_2d(X).shape[0], self._resolved()["weights"].sum())

    def __repr__(self):
        w = self._resolved()["weights"]
        return f"GridSpectralMixtureProduct(n_components={w.size}, n_nonzero={int(np.count_nonzero(w))})"

    @classmethod
    def from_grid(cls, n_dims, n_components=None, freq_range=(0.0, 0.5), scale=1e-3, sampling="uniform",
                  random_state=None, weights=None):
        """Build a GSMP kernel on a frequency grid.

        Parameters
        ----------
        n_dims : int
            Number of input features P.
        n_components : int or None, default=None
            Number of grid components A (500 for P = 1, 100·P otherwise, as in the paper's code).
        freq_range : pair of float, default=(0.0, 0.5)
            Range of the grid frequencies (cycles per unit of ``x``).
        scale : float, default=1e-3
            Spectral standard deviation of every component.
        sampling : {"uniform", "random"}, default="uniform"
            Evenly spaced frequencies, or uniform random draws (independently per feature).
        random_state : int, RandomState instance or None, default=None
            Seed for ``sampling="random"`` and for the feature pairing of the grid.
        weights : array-like of shape (n_components,) or None, default=None
            Initial weights (``1 / n_components`` each when None).

        Returns
        -------
        kernel : GridSpectralMixtureProduct
            The kernel.

        Examples
        --------
        >>> from sparsestat.gaussian_process.kernels import GridSpectralMixtureProduct
        >>> GridSpectralMixtureProduct.from_grid(2, n_components=10).freqs.shape
        (10, 2)
        """
        from sklearn.utils import check_random_state

        if not isinstance(n_dims, numbers.Integral) or n_dims < 1:
            raise ValueError(f"n_dims must be a positive int, got {n_dims!r}.")
        if n_components is None:
            n_components = 500 if n_dims == 1 else 100 * n_dims
        if not isinstance(n_components, numbers.Integral) or n_components < 1:
            raise ValueError(f"n_components must be a positive int, got {n_components!r}.")
        lo, hi = map(float, freq_range)
        if not (0 <= lo < hi):
            raise ValueError(f"freq_range must satisfy 0 <= low < high, got {freq_range!r}.")
        if not scale > 0:
            raise ValueError(f"scale must be positive, got {scale!r}.")
        rng = check_random_state(random_state)
        A = int(n_components)
        if sampling == "uniform":
            base = np.linspace(lo, hi, A)
            freqs = np.column_stack([base if p == 0 else rng.permutation(base) for p in range(n_dims)])
        elif sampling == "random":
            freqs = rng.uniform(lo, hi, size=(A, n_dims))
        else:
            raise ValueError(f"sampling must be 'uniform' or 'random', got {sampling!r}.")
        w = np.full(A, 1.0 / A) if weights is None else np.asarray(weights, dtype=float)
        return cls(weights=w, freqs=freqs, scales=np.full((A, n_dims), float(scale)))

    @classmethod
    def from_data(cls, X, y, n_components=None, *, scale=None, sampling="uniform", random_state=None):
        """Build a GSMP grid matched to the data: frequencies up to the Nyquist frequency, weights from the spectrum.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,)
            Training targets.
        n_components : int or None, default=None
            Grid size (as in :meth:`from_grid` when None).
        scale : float or None, default=None
            Spectral standard deviation; None uses half the grid spacing of
            feature 0 (so neighbouring components overlap).
        sampling : {"uniform", "random"}, default="uniform"
            Grid sampling (see :meth:`from_grid`).
        random_state : int, RandomState instance or None, default=None
            Seed.

        Returns
        -------
        kernel : GridSpectralMixtureProduct
            A kernel whose initial weights follow the empirical spectrum,
            scaled so that their sum is ``var(y)``.

        Examples
        --------
        >>> import numpy as np
        >>> from sparsestat.gaussian_process.kernels import GridSpectralMixtureProduct
        >>> X = np.arange(100.0)[:, None]
        >>> k = GridSpectralMixtureProduct.from_data(X, np.sin(0.3 * X[:, 0]), n_components=50)
        >>> round(float(k.freqs.max()), 2)
        0.5
        """
        X = _as_2d(X)
        y = np.asarray(y, dtype=float).ravel()
        P = X.shape[1]
        A = (500 if P == 1 else 100 * P) if n_components is None else n_components
        nyqs, spectra = [], []
        for p in range(P):
            f, pw, nyq, _ = empirical_spectrum(X[:, p], y)
            nyqs.append(nyq)
            spectra.append((f, pw))
        hi = max(nyqs)
        if scale is None:
            scale = 0.5 * hi / max(A - 1, 1)
        kern = cls.from_grid(P, A, freq_range=(0.0, hi), scale=scale, sampling=sampling,
                             random_state=random_state)
        # weights proportional to a smoothed spectrum at the grid frequencies (plus a floor)
        w = np.ones(A)
        for p, (f, pw) in enumerate(spectra):
            if f is None:
                continue
            w *= np.interp(kern.freqs[:, p], f, pw, left=pw[0], right=pw[-1]) + 1.0 / f.size
        var_y = float(np.var(y)) if np.var(y) > 0 else 1.0
        kern.weights = var_y * w / w.sum()
        return kern


_MATERN = ("matern12", "matern32", "matern52", "se")


def _envelope(r, base):
    """Envelope m(r) and -r m'(r) (= d m / d log lengthscale)."""
    if base == "matern12":
        e = np.exp(-r)
        return e, r * e
    if base == "matern32":
        s = np.sqrt(3.0) * r
        e = np.exp(-s)
        return (1 + s) * e, s * s * e
    if base == "matern52":
        s = np.sqrt(5.0) * r
        e = np.exp(-s)
        return (1 + s + s * s / 3.0) * e, (s * s / 3.0) * (1 + s) * e
    m = np.exp(-0.5 * r * r)
    return m, r * r * m


class StudentTMixture(_VectorThetaMixin, StationaryKernelMixin, Kernel):
    r"""Student-t spectral mixture kernel: a sum of Matérn × cosine components on one input feature.

    .. math::

        k(x, x') = \sum_{q=1}^{Q} w_q\, m_\nu(|\tau| / \ell_q) \cos(2\pi f_q \tau),
        \qquad \tau = x_d - x'_d,

    where :math:`m_\nu` is the Matérn-ν correlation (ν ∈ {1/2, 3/2, 5/2}) or
    the squared exponential ``exp(-r²/2)``. The Matérn spectral density is a
    scaled Student-t density, so each component puts a heavy-tailed bump at
    :math:`\pm f_q`; the heavier tails give rougher sample paths than the
    Gaussian spectral mixture.

    Parameters
    ----------
    weights : array-like of shape (n_components,)
        Component weights :math:`w_q`.
    lengthscales : array-like of shape (n_components,)
        Length-scales :math:`\ell_q` of the envelopes.
    freqs : array-like of shape (n_components,)
        Centre frequencies :math:`f_q` (cycles per unit of ``x``).
    base : {"matern52", "matern32", "matern12", "se"}, default="matern52"
        Envelope.
    active_dim : int, default=0
        Column of ``X`` the kernel acts on (use products of kernels, or
        :class:`KroneckerGP`, for several dimensions).
    weights_bounds : pair of float or "fixed", default=(1e-8, 1e5)
        Bounds of the weights.
    lengthscales_bounds : pair of float or "fixed", default=(1e-5, 1e5)
        Bounds of the length-scales.
    freqs_bounds : pair of float or "fixed", default=(1e-6, 1e3)
        Bounds of the frequencies.

    Notes
    -----
    Deviation from the authors' code: the paper parameterises the inverse
    length-scale as ``exp(ls)``; here the length-scale itself is the
    (positive) hyper-parameter so that scikit-learn's log-space ``theta``
    applies, and the SE envelope uses scikit-learn's ``exp(-r²/2)``.

    References
    ----------
    .. [1] S. Fang, M. Cooley, D. Long, S. Li, R. Kirby, S. Zhe, "Solving High
       Frequency and Multi-Scale PDEs with Gaussian Processes", ICLR 2024,
       arXiv:2311.04465.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.gaussian_process.kernels import StudentTMixture
    >>> k = StudentTMixture([1.0, 0.5], [2.0, 5.0], [0.1, 1.0])
    >>> k(np.zeros((1, 1)))
    array([[1.5]])
    """

    def __init__(self, weights, lengthscales, freqs, *, base="matern52", active_dim=0,
                 weights_bounds=(1e-8, 1e5), lengthscales_bounds=(1e-5, 1e5), freqs_bounds=(1e-6, 1e3)):
        self.weights = weights
        self.lengthscales = lengthscales
        self.freqs = freqs
        self.base = base
        self.active_dim = active_dim
        self.weights_bounds = weights_bounds
        self.lengthscales_bounds = lengthscales_bounds
        self.freqs_bounds = freqs_bounds

    def _resolved(self):
        w = np.atleast_1d(np.asarray(self.weights, dtype=float)).ravel()
        ls = np.atleast_1d(np.asarray(self.lengthscales, dtype=float)).ravel()
        f = np.atleast_1d(np.asarray(self.freqs, dtype=float)).ravel()
        if not (w.size == ls.size == f.size):
            raise ValueError(f"weights, lengthscales and freqs must have the same length, got "
                             f"{w.size}, {ls.size}, {f.size}.")
        if self.base not in _MATERN:
            raise ValueError(f"base must be one of {_MATERN}, got {self.base!r}.")
        return {"weights": w, "lengthscales": ls, "freqs": f}

    def _hp(self, name):
        n = self._resolved()[name].size
        return Hyperparameter(name, "numeric", _bounds_or_fixed(getattr(self, name + "_bounds"), name + "_bounds"), n)

    @property
    def hyperparameter_weights(self):
        """Component weights.

        Returns
        -------
        hyperparameter : Hyperparameter
            Declaration of the weights.
        """
        return self._hp("weights")

    @property
    def hyperparameter_lengthscales(self):
        """Envelope length-scales.

        Returns
        -------
        hyperparameter : Hyperparameter
            Declaration of the length-scales.
        """
        return self._hp("lengthscales")

    @property
    def hyperparameter_freqs(self):
        """Centre frequencies.

        Returns
        -------
        hyperparameter : Hyperparameter
            Declaration of the frequencies.
        """
        return self._hp("freqs")

    def _column(self, X):
        X = _as_2d(X)
        if not (0 <= self.active_dim < X.shape[1]):
            raise ValueError(f"active_dim={self.active_dim} is out of range for X with {X.shape[1]} features.")
        return X[:, self.active_dim]

    def __call__(self, X, Y=None, eval_gradient=False):
        """Kernel matrix k(X, Y) and optionally its gradient in log hyper-parameters.

        Parameters
        ----------
        X : ndarray of shape (n_samples_X, n_features)
            Left argument.
        Y : ndarray of shape (n_samples_Y, n_features) or None, default=None
            Right argument; None means ``Y = X``.
        eval_gradient : bool, default=False
            Also return the gradient (only when ``Y`` is None).

        Returns
        -------
        K : ndarray of shape (n_samples_X, n_samples_Y)
            Kernel matrix.
        K_gradient : ndarray of shape (n_samples_X, n_samples_X, n_dims)
            Gradient with respect to ``theta``; only with ``eval_gradient=True``.
        """
        if eval_gradient and Y is not None:
            raise ValueError("Gradient can only be evaluated when Y is None.")
        vals = self._resolved()
        w, ls, f = vals["weights"], vals["lengthscales"], vals["freqs"]
        x = self._column(X)
        yv = x if Y is None else self._column(Y)
        tau = x[:, None] - yv[None, :]
        r = np.abs(tau)[None] / ls[:, None, None]
        env, denv = _envelope(r, self.base)
        arg = _TWO_PI * f[:, None, None] * tau[None]
        cos = np.cos(arg)
        comp = w[:, None, None] * env * cos
        K = comp.sum(axis=0)
        if not eval_gradient:
            return K
        grads = {}
        if not self.hyperparameter_weights.fixed:
            grads["weights"] = comp
        if not self.hyperparameter_lengthscales.fixed:
            grads["lengthscales"] = w[:, None, None] * denv * cos
        if not self.hyperparameter_freqs.fixed:
            grads["freqs"] = -w[:, None, None] * env * np.sin(arg) * arg
        return K, _stack_gradients(self, grads, K.shape)

    def diag(self, X):
        """Diagonal of k(X, X): constant ``sum(weights)``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        K_diag : ndarray of shape (n_samples,)
            Diagonal of the kernel matrix.
        """
        return np.full(_as_2d(X).shape[0], self._resolved()["weights"].sum())

    def __repr__(self):
        vals = self._resolved()
        return (f"StudentTMixture(base={self.base!r}, weights={np.array2string(vals['weights'], precision=3)}, "
                f"freqs={np.array2string(vals['freqs'], precision=3)})")
