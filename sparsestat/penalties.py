r"""Sparsity-inducing penalties, their proximal (thresholding) operators and KKT residuals.

Every penalty is a small parametrised object (a scikit-learn ``BaseEstimator``, so
``clone``, ``get_params``/``set_params``, pickling and grid searches over
``penalty__alpha`` work) with

- ``value(w)``: the penalty summed over all entries of ``w``;
- ``prox(w, step)``: :math:`\operatorname{prox}_{\eta R}(w) = \arg\min_z \tfrac12\|z - w\|^2 + \eta R(z)`,
  a *global* minimiser also for the nonconvex penalties and any step :math:`\eta`;
- ``threshold(step)``: the dead zone, i.e. the largest :math:`|w|` that the prox maps to 0;
- ``subdiff_distance(w, grad)``: the distance of :math:`-\nabla f` to the (Fréchet)
  subdifferential of the penalty, the per-coordinate KKT residual solvers stop on;
- ``is_convex`` / ``is_separable`` and, for separable penalties, ``numba_spec()``, the
  ``(code, [alpha, p1, p2])`` pair that the ``@njit`` kernels of
  :mod:`sparsestat._penalty_kernels` inline.

The vectorised methods are written against the array namespace of their input, so NumPy,
CuPy and ``array_api_strict`` arrays come back in their own namespace (the generic
:math:`\ell_q` Newton iterations and :class:`TopK` run on the namespace too / on the host).

The thresholding functions are also exposed as plain functions (:func:`soft_threshold`,
:func:`hard_threshold`, :func:`half_threshold`, :func:`lq_threshold`, :func:`cel0_threshold`,
:func:`mcp_threshold`, :func:`scad_threshold`, :func:`block_soft_threshold`).
"""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions

from sparsestat import _penalty_kernels as _K
from sparsestat.utils._array_api import asarray_like, get_namespace, is_numpy_namespace, to_numpy

__all__ = [
    "L1",
    "ElasticNet",
    "L0",
    "Lq",
    "CEL0",
    "MCP",
    "SCAD",
    "GroupL1",
    "NonNegative",
    "TopK",
    "soft_threshold",
    "hard_threshold",
    "half_threshold",
    "lq_threshold",
    "cel0_threshold",
    "mcp_threshold",
    "scad_threshold",
    "block_soft_threshold",
]

_TWO_THIRDS = 2.0 / 3.0


# =========================================================================== array helpers
def _as_float(v):
    """Return ``(xp, v)`` with ``v`` a floating array of its own namespace (lists -> NumPy)."""
    if isinstance(v, (Real, list, tuple)) or not hasattr(v, "dtype"):
        v = np.asarray(v, dtype=np.float64)
    xp = get_namespace(v)
    v = xp.asarray(v)
    if not xp.isdtype(v.dtype, "real floating"):
        v = xp.astype(v, xp.float64)
    return xp, v


def _like(xp, value, v):
    """A Python float stays a float; anything else becomes an array of ``v``'s namespace and dtype."""
    if isinstance(value, Real):
        return float(value)
    arr = np.asarray(to_numpy(value), dtype=np.float64)
    if arr.ndim == 0:
        return float(arr)
    if is_numpy_namespace(xp):
        return arr.astype(v.dtype, copy=False)
    return xp.astype(asarray_like(arr, v), v.dtype)


def _zeros(xp, v):
    return xp.zeros_like(v)


# =========================================================================== thresholds
def soft_threshold(v, tau):
    r"""Soft thresholding, the proximal operator of :math:`\tau\|\cdot\|_1`.

    .. math::

        S_\tau(v) = \operatorname{sign}(v)\,(|v| - \tau)_+
                  = \arg\min_z \tfrac12 (z - v)^2 + \tau |z|.

    Parameters
    ----------
    v : array-like
        Input, any shape and array namespace.
    tau : float or array-like
        Threshold (broadcast against ``v``), non-negative.

    Returns
    -------
    array
        :math:`S_\tau(v)`, same shape and namespace as ``v``.

    References
    ----------
    .. [1] D. L. Donoho, "De-noising by soft-thresholding", IEEE Trans. Inf. Theory 41(3), 1995.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.penalties import soft_threshold
    >>> soft_threshold(np.array([-3.0, 0.5, 2.0]), 1.0)
    array([-2.,  0.,  1.])
    """
    xp, v = _as_float(v)
    tau = _like(xp, tau, v)
    return xp.where(xp.abs(v) > tau, v - tau * xp.sign(v), _zeros(xp, v))


def hard_threshold(v, tau, constant="prox"):
    r"""Hard thresholding, the proximal operator of :math:`\tau\|\cdot\|_0`.

    .. math::

        H(v) = v\,\mathbf 1\{|v| > \theta\}, \qquad
        \theta = \sqrt{2\tau} \ (\text{"prox"}) \quad\text{or}\quad \sqrt{\tau}\ (\text{"sqrt"}).

    ``constant="prox"`` is the exact prox of :math:`\tau\|\cdot\|_0`; ``"sqrt"`` is the
    convention of the reference code of Rentzeperis et al. (the prox of
    :math:`(\tau/2)\|\cdot\|_0`). At :math:`|v| = \theta` both 0 and :math:`v` are minimisers; 0
    is returned.

    Parameters
    ----------
    v : array-like
        Input, any shape and array namespace.
    tau : float or array-like
        Penalty level times step, non-negative.
    constant : {"prox", "sqrt"}, default="prox"
        Which threshold constant to use.

    Returns
    -------
    array
        Hard-thresholded ``v``.

    References
    ----------
    .. [1] T. Blumensath, M. E. Davies, "Iterative hard thresholding for compressed sensing",
       Appl. Comput. Harmon. Anal. 27(3), 2009.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.penalties import hard_threshold
    >>> hard_threshold(np.array([-3.0, 1.0, 1.5]), 1.0)  # threshold sqrt(2)
    array([-3. ,  0. ,  1.5])
    >>> hard_threshold(np.array([-3.0, 1.0, 1.5]), 1.0, constant="sqrt")  # threshold 1
    array([-3. ,  0. ,  1.5])
    """
    if constant not in ("prox", "sqrt"):
        raise ValueError(f"constant must be 'prox' or 'sqrt', got {constant!r}.")
    xp, v = _as_float(v)
    tau = _like(xp, tau, v)
    thr = (2.0 * tau) ** 0.5 if constant == "prox" else tau**0.5
    return xp.where(xp.abs(v) > thr, v, _zeros(xp, v))


def half_threshold(v, t):
    r"""Half thresholding operator :math:`H_t` of Xu et al. (the :math:`\ell_{1/2}` prox).

    .. math::

        H_t(v) = \arg\min_z (z - v)^2 + t |z|^{1/2}
               = \begin{cases}
                 \tfrac23 v \bigl(1 + \cos(\tfrac{2\pi}{3} - \tfrac23 \varphi_t(v))\bigr)
                   & |v| > \tfrac{\sqrt[3]{54}}{4} t^{2/3} \\
                 0 & \text{otherwise}
                 \end{cases},
        \qquad \varphi_t(v) = \arccos\Bigl(\frac t8 \bigl(\frac{|v|}{3}\bigr)^{-3/2}\Bigr).

    Note the missing :math:`\tfrac12` in front of the quadratic: the prox of
    :math:`\tau|\cdot|^{1/2}` is :math:`H_{2\tau}`.

    Parameters
    ----------
    v : array-like
        Input, any shape and array namespace.
    t : float
        Parameter :math:`t \ge 0`.

    Returns
    -------
    array
        :math:`H_t(v)`.

    References
    ----------
    .. [1] Z. Xu, X. Chang, F. Xu, H. Zhang, "L1/2 regularization: a thresholding representation
       theory and a fast solver", IEEE TNNLS 23(7), 2012.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.penalties import half_threshold
    >>> np.round(half_threshold(np.array([-3.0, 1.0, 2.0]), 2.0), 4)  # prox of |.|^(1/2)
    array([-2.6955,  0.    ,  1.6054])
    """
    xp, v = _as_float(v)
    t = float(t)
    av = xp.abs(v)
    thr = (54.0 ** (1.0 / 3.0) / 4.0) * t ** _TWO_THIRDS
    mask = av > thr
    safe = xp.where(mask, av, xp.ones_like(av))
    arg = xp.minimum((t / 8.0) * (safe / 3.0) ** -1.5, xp.ones_like(av))
    phi = xp.acos(arg)
    z = _TWO_THIRDS * v * (1.0 + xp.cos(2.0 * math.pi / 3.0 - _TWO_THIRDS * phi))
    return xp.where(mask, z, _zeros(xp, v))


def _lq_tau(lam, q):
    beta = (2.0 * lam * (1.0 - q)) ** (1.0 / (2.0 - q))
    if beta == 0.0:
        return 0.0
    return beta + lam * q * beta ** (q - 1.0)


def _two_thirds_root(xp, av, lam):
    """Largest root of z + (2/3) lam z^(-1/3) = |v| (closed form via Ferrari, Cao-Sun-Xu)."""
    c = _TWO_THIRDS * lam
    A = av * av / 16.0
    disc = av**4 / 256.0 - c**3 / 27.0
    pos = disc >= 0.0
    s = xp.sqrt(xp.where(pos, disc, _zeros(xp, av)))
    w = (A + s) ** (1.0 / 3.0)
    m_cardano = w + c / (3.0 * w)
    r = math.sqrt(c / 3.0)
    m_trig = 2.0 * r * xp.cos(xp.acos(xp.minimum(A / r**3, xp.ones_like(av))) / 3.0)
    m = xp.where(pos, m_cardano, m_trig)
    sm = xp.sqrt(2.0 * m)
    d = xp.maximum(2.0 * av / sm - 2.0 * m, _zeros(xp, av))
    u = 0.5 * (sm + xp.sqrt(d))
    return u * u * u


def _lq_newton(xp, av, lam, q):
    """Largest root of z + lam q z^(q-1) = |v| (Newton from the right, monotone)."""
    z = av
    eps = 4.0 * float(xp.finfo(av.dtype).eps)
    for _ in range(200):
        g = z + lam * q * z ** (q - 1.0) - av
        dg = 1.0 - lam * q * (1.0 - q) * z ** (q - 2.0)
        z_new = z - g / dg
        z_new = xp.where(z_new > 0.0, z_new, 0.5 * z)
        done = bool(xp.all(xp.abs(z_new - z) <= eps * z))
        z = z_new
        if done:
            break
    return z


def lq_threshold(v, lam, q):
    r"""Proximal operator of :math:`\lambda|\cdot|^q`, :math:`0 < q < 1` (global minimiser).

    .. math::

        \operatorname{prox}(v) = \arg\min_z \tfrac12 (z - v)^2 + \lambda |z|^q
        = \begin{cases} 0 & |v| \le \tau_q \\ \operatorname{sign}(v)\, x^\star & |v| > \tau_q
          \end{cases}

    where :math:`x^\star \ge \beta` solves :math:`x + \lambda q x^{q-1} = |v|`,
    :math:`\beta = (2\lambda(1-q))^{1/(2-q)}` and :math:`\tau_q = \beta + \lambda q\beta^{q-1}`.
    Closed forms are used for :math:`q = 1/2` (Xu's half thresholding) and :math:`q = 2/3`
    (Cao, Sun & Xu, via Ferrari's quartic formula); other :math:`q` use Newton's method from
    :math:`|v|`, which decreases monotonically to the root. The candidate is finally compared
    with 0, so the returned point is a global minimiser.

    Parameters
    ----------
    v : array-like
        Input, any shape and array namespace.
    lam : float
        Penalty level times step, non-negative.
    q : float
        Exponent in (0, 1).

    Returns
    -------
    array
        The prox, same shape and namespace as ``v``.

    References
    ----------
    .. [1] G. Marjanovic, V. Solo, "On l_q optimization and matrix completion", IEEE TSP 60(11),
       2012.
    .. [2] W. Cao, J. Sun, Z. Xu, "Fast image deconvolution using closed-form thresholding
       formulas of L_q (q = 1/2, 2/3) regularization", J. Vis. Commun. Image R. 24(1), 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.penalties import lq_threshold
    >>> np.round(lq_threshold(np.array([-3.0, 1.0, 2.0]), 1.0, 0.5), 4)
    array([-2.6955,  0.    ,  1.6054])
    """
    q = float(q)
    lam = float(lam)
    if not 0.0 < q < 1.0:
        raise ValueError(f"q must be in the open interval (0, 1), got {q}.")
    xp, v = _as_float(v)
    if lam <= 0.0:
        return xp.asarray(v, copy=True)
    av = xp.abs(v)
    tau = _lq_tau(lam, q)
    mask = av > tau
    # entries in the dead zone get a placeholder above the threshold (a root exists there)
    safe = xp.where(mask, av, xp.full_like(av, 2.0 * tau + 1.0))
    if abs(q - 0.5) < 1e-12:
        z = xp.abs(half_threshold(safe, 2.0 * lam))
    elif abs(q - _TWO_THIRDS) < 1e-12:
        z = _two_thirds_root(xp, safe, lam)
    else:
        z = _lq_newton(xp, safe, lam, q)
    better = 0.5 * (z - safe) ** 2 + lam * z**q < 0.5 * safe * safe
    keep = xp.logical_and(mask, better)
    return xp.where(keep, xp.sign(v) * z, _zeros(xp, v))


def _firm(xp, v, t, c, hard_t):
    """The MCP/CEL0 prox: firm shrinkage when the curvature ``c`` < 1, hard threshold otherwise."""
    av = xp.abs(v)
    if isinstance(c, float):
        if c >= 1.0:
            return xp.where(av > hard_t, v, _zeros(xp, v))
        denom = 1.0 - c
    else:
        denom = xp.where(c < 1.0, 1.0 - c, xp.ones_like(c))
    shrunk = xp.where(av > t, xp.sign(v) * xp.minimum(av, (av - t) / denom), _zeros(xp, v))
    if isinstance(c, float):
        return shrunk
    hard = xp.where(av > hard_t, v, _zeros(xp, v))
    return xp.where(c < 1.0, shrunk, hard)


def mcp_threshold(v, lam, gamma, step):
    r"""Proximal operator of the minimax concave penalty (firm thresholding).

    .. math::

        \operatorname{prox}(v) = \arg\min_z \tfrac12 (z-v)^2 + \eta\,\mathrm{MCP}_{\lambda,\gamma}(z)
        = \begin{cases}
          \operatorname{sign}(v) \min\bigl(|v|, \frac{(|v| - \eta\lambda)_+}{1 - \eta/\gamma}\bigr)
            & \eta < \gamma \\
          v\,\mathbf 1\{|v| > \lambda\sqrt{\eta\gamma}\} & \eta \ge \gamma
          \end{cases}

    For :math:`\eta \ge \gamma` the objective is concave on :math:`[0, \gamma\lambda]`, so the
    global minimiser is 0 or :math:`v`, and the comparison of the two objective values gives the
    hard threshold :math:`\lambda\sqrt{\eta\gamma}`.

    Parameters
    ----------
    v : array-like
        Input, any shape and array namespace.
    lam : float
        Penalty level :math:`\lambda \ge 0`.
    gamma : float
        Concavity parameter :math:`\gamma > 0`.
    step : float
        Step :math:`\eta > 0`.

    Returns
    -------
    array
        The prox.

    References
    ----------
    .. [1] C.-H. Zhang, "Nearly unbiased variable selection under minimax concave penalty",
       Ann. Statist. 38(2), 2010.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.penalties import mcp_threshold
    >>> mcp_threshold(np.array([-5.0, 0.5, 2.0]), 1.0, 3.0, 1.0)
    array([-5. ,  0. ,  1.5])
    """
    xp, v = _as_float(v)
    lam, gamma, step = float(lam), float(gamma), float(step)
    return _firm(xp, v, step * lam, step / gamma, lam * math.sqrt(step * gamma))


def cel0_threshold(v, lam, step, atom_norms=1.0):
    r"""Proximal operator of the CEL0 penalty (continuous exact :math:`\ell_0`).

    .. math::

        \operatorname{prox}(v) = \operatorname{sign}(v) \min\Bigl(|v|,
            \frac{(|v| - \sqrt{2\lambda}\, a\, \eta)_+}{1 - a^2\eta}\Bigr) \quad (a^2\eta < 1),

    with atom norm :math:`a` and step :math:`\eta`. CEL0 equals MCP with
    :math:`\lambda' = a\sqrt{2\lambda}` and :math:`\gamma = 1/a^2`; for :math:`a^2\eta \ge 1`
    the minimiser is 0 or :math:`v` (hard threshold at :math:`\sqrt{2\eta\lambda}`).

    Parameters
    ----------
    v : array-like
        Input, any shape and array namespace.
    lam : float
        Penalty level :math:`\lambda \ge 0`.
    step : float
        Step :math:`\eta > 0`.
    atom_norms : float or array-like of shape (n_features,), default=1.0
        Column norms :math:`a \ge 0` of the dictionary (broadcast along the last axis of ``v``).

    Returns
    -------
    array
        The prox.

    References
    ----------
    .. [1] E. Soubies, L. Blanc-Féraud, G. Aubert, "A continuous exact l0 penalty (CEL0) for
       least squares regularized problem", SIAM J. Imaging Sci. 8(3), 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.penalties import cel0_threshold
    >>> cel0_threshold(np.array([-3.0, 0.25, 0.4]), 0.125, 0.5)
    array([-3. ,  0. ,  0.3])
    """
    xp, v = _as_float(v)
    lam, step = float(lam), float(step)
    a = _like(xp, atom_norms, v)
    root = math.sqrt(2.0 * lam)
    return _firm(xp, v, step * a * root, step * a * a, math.sqrt(2.0 * step * lam))


def _scad_value(xp, av, lam, a):
    mid = (2.0 * a * lam * av - av * av - lam * lam) / (2.0 * (a - 1.0))
    out = xp.where(av <= a * lam, mid, xp.full_like(av, 0.5 * lam * lam * (a + 1.0)))
    return xp.where(av <= lam, lam * av, out)


def scad_threshold(v, lam, a, step=1.0):
    r"""Proximal operator of the SCAD penalty, for any step (global minimiser).

    For unit step and :math:`a > 2` this is Fan & Li's rule

    .. math::

        \operatorname{prox}(v) = \begin{cases}
          S_\lambda(v) & |v| \le 2\lambda \\
          \frac{(a-1)v - \operatorname{sign}(v) a\lambda}{a-2} & 2\lambda < |v| \le a\lambda \\
          v & |v| > a\lambda.
          \end{cases}

    For a general step :math:`\eta` the minimiser over each of the three pieces
    :math:`[0, \lambda]`, :math:`[\lambda, a\lambda]` (only when it is convex, i.e.
    :math:`\eta < a - 1`; otherwise its minimum is at an end point) and
    :math:`[a\lambda, \infty)` is computed in closed form and the best one is returned.

    Parameters
    ----------
    v : array-like
        Input, any shape and array namespace.
    lam : float
        Penalty level :math:`\lambda \ge 0`.
    a : float
        Shape parameter :math:`a > 2`.
    step : float, default=1.0
        Step :math:`\eta > 0`.

    Returns
    -------
    array
        The prox.

    References
    ----------
    .. [1] J. Fan, R. Li, "Variable selection via nonconcave penalized likelihood and its oracle
       properties", JASA 96(456), 2001.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.penalties import scad_threshold
    >>> scad_threshold(np.array([-5.0, 0.5, 1.5, 3.0]), 1.0, 3.7)
    array([-5.        ,  0.        ,  0.5       ,  2.58823529])
    """
    xp, v = _as_float(v)
    lam, a, step = float(lam), float(a), float(step)
    av = xp.abs(v)

    def objective(z):
        return 0.5 * (z - av) ** 2 + step * _scad_value(xp, z, lam, a)

    z = xp.clip(av - step * lam, 0.0, lam)
    best = objective(z)
    if step < a - 1.0:
        zb = xp.clip(((a - 1.0) * av - step * a * lam) / (a - 1.0 - step), lam, a * lam)
        fb = objective(zb)
        z = xp.where(fb < best, zb, z)
        best = xp.minimum(fb, best)
    zc = xp.maximum(av, xp.full_like(av, a * lam))
    z = xp.where(objective(zc) < best, zc, z)
    return xp.sign(v) * z


def _block_scale(xp, norms, tau):
    """Scale ``max(1 - tau / norm, 0)`` of block soft thresholding (0 for null blocks)."""
    pos = norms > tau
    safe = xp.where(pos, norms, xp.ones_like(norms))
    return xp.where(pos, 1.0 - tau / safe, xp.zeros_like(norms))


def block_soft_threshold(v, tau):
    r"""Block soft thresholding, the proximal operator of :math:`\tau\|\cdot\|_2`.

    .. math::

        \operatorname{prox}(v) = v \,\Bigl(1 - \frac{\tau}{\|v\|_2}\Bigr)_+ .

    Parameters
    ----------
    v : array-like of shape (..., n)
        Blocks along the last axis (each row of a 2-D array is one block).
    tau : float
        Threshold on the Euclidean norm, non-negative.

    Returns
    -------
    array of shape (..., n)
        The thresholded blocks.

    References
    ----------
    .. [1] M. Yuan, Y. Lin, "Model selection and estimation in regression with grouped
       variables", JRSS B 68(1), 2006.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.penalties import block_soft_threshold
    >>> block_soft_threshold(np.array([3.0, 4.0]), 2.5)
    array([1.5, 2. ])
    """
    xp, v = _as_float(v)
    norms = xp.sqrt(xp.sum(v * v, axis=-1, keepdims=True))
    return v * _block_scale(xp, norms, float(tau))


# =========================================================================== base classes
_ALPHA = [Interval(Real, 0, None, closed="left")]


class _BasePenalty(BaseEstimator):
    """Shared machinery: parameter validation and the convex/separable flags."""

    _is_component = True  # a component of estimators, not an estimator: skipped by the common tests
    _parameter_constraints: dict = {"alpha": _ALPHA}
    _convex = True
    _separable = True

    def _check_params(self):
        self._validate_params()
        self._check_extra()

    def _check_extra(self):
        pass

    @property
    def is_convex(self):
        """bool: Whether the penalty is convex (its prox is then firmly non-expansive)."""
        return self._convex

    @property
    def is_separable(self):
        """bool: Whether the penalty is a sum of functions of single entries."""
        return self._separable

    def validate(self):
        """Check the hyper-parameters.

        Returns
        -------
        self : object
            The penalty.

        Raises
        ------
        ValueError
            Naming the argument and its valid range when a hyper-parameter is out of range.
        TypeError
            When a hyper-parameter is not numeric (or not a string where one is expected).
        """
        self._check_params()
        return self


class _SeparablePenalty(_BasePenalty):
    """Separable penalty with a Numba kernel code."""

    _code = _K.NONE

    def _p1(self):
        return 0.0

    def numba_spec(self):
        """Kernel encoding of the penalty for :mod:`sparsestat._penalty_kernels`.

        Returns
        -------
        code : int
            Penalty code (e.g. ``_penalty_kernels.L1``).
        params : ndarray of shape (3,)
            ``[alpha, p1, p2]`` in float64, to pass to ``prox_scalar(code, x, step, *params)``.
        """
        self._check_params()
        return int(self._code), np.array([float(getattr(self, "alpha", 0.0)), float(self._p1()), 0.0])

    def numba_spec_per_feature(self, n_features):
        """Kernel encoding with one row of parameters per feature.

        Parameters
        ----------
        n_features : int
            Number of coordinates.

        Returns
        -------
        code : int
            Penalty code.
        params : ndarray of shape (n_features, 3)
            Row ``j`` holds ``[alpha, p1, p2]`` of coordinate ``j``.
        """
        code, params = self.numba_spec()
        return code, np.tile(params, (int(n_features), 1))

    def threshold(self, step):
        """Dead zone of the prox: the largest ``|w|`` mapped to 0 by ``prox(w, step)``.

        Parameters
        ----------
        step : float
            Step size (> 0).

        Returns
        -------
        float
            The threshold.
        """
        code, params = self.numba_spec()
        return float(_K.threshold_scalar(code, float(step), *params))


# =========================================================================== convex penalties
class L1(_SeparablePenalty):
    r"""Lasso penalty :math:`R(w) = \alpha \|w\|_1`.

    .. math::

        R(w) = \alpha \sum_j |w_j|, \qquad
        \operatorname{prox}_{\eta R}(v) = \operatorname{sign}(v)(|v| - \eta\alpha)_+ .

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty level, non-negative.

    References
    ----------
    .. [1] R. Tibshirani, "Regression shrinkage and selection via the lasso", JRSS B 58(1), 1996.
    .. [2] D. L. Donoho, "De-noising by soft-thresholding", IEEE Trans. Inf. Theory 41(3), 1995.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.penalties import L1
    >>> pen = L1(alpha=1.0)
    >>> pen.prox(np.array([-3.0, 0.5, 2.0]), step=1.0)
    array([-2.,  0.,  1.])
    >>> float(pen.value(np.array([-3.0, 0.5, 2.0])))
    5.5
    """

    _code = _K.L1

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def value(self, w):
        """Penalty value summed over all entries.

        Parameters
        ----------
        w : array-like
            Coefficients, any shape.

        Returns
        -------
        float or 0-d array
            The value.
        """
        self._check_params()
        xp, w = _as_float(w)
        return self.alpha * xp.sum(xp.abs(w))

    def prox(self, w, step):
        """Proximal operator of ``step * self``.

        Parameters
        ----------
        w : array-like
            Input, any shape and array namespace.
        step : float
            Step size (> 0).

        Returns
        -------
        array
            The prox, same shape and namespace as ``w``.
        """
        self._check_params()
        return soft_threshold(w, step * self.alpha)

    def subdiff_distance(self, w, grad):
        """Distance of ``-grad`` to the subdifferential at ``w`` (per entry).

        Parameters
        ----------
        w : array-like
            Coefficients.
        grad : array-like
            Gradient of the data-fit term, same shape.

        Returns
        -------
        array
            Non-negative KKT residuals, same shape as ``w``.
        """
        self._check_params()
        xp, w = _as_float(w)
        _, grad = _as_float(grad)
        at0 = xp.maximum(xp.abs(grad) - self.alpha, _zeros(xp, grad))
        return xp.where(w == 0.0, at0, xp.abs(grad + self.alpha * xp.sign(w)))


class ElasticNet(_SeparablePenalty):
    r"""Elastic-net penalty.

    .. math::

        R(w) = \alpha \sum_j \Bigl(\rho |w_j| + \frac{1 - \rho}{2} w_j^2\Bigr), \qquad
        \operatorname{prox}_{\eta R}(v) = \frac{S_{\eta\alpha\rho}(v)}{1 + \eta\alpha(1 - \rho)},

    with :math:`\rho` = ``l1_ratio``.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty level, non-negative.
    l1_ratio : float, default=0.5
        Mixing parameter in [0, 1] (1 is the lasso, 0 ridge).

    References
    ----------
    .. [1] H. Zou, T. Hastie, "Regularization and variable selection via the elastic net",
       JRSS B 67(2), 2005.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.penalties import ElasticNet
    >>> ElasticNet(alpha=1.0, l1_ratio=0.5).prox(np.array([-3.0, 0.25, 2.0]), step=1.0)
    array([-1.66666667,  0.        ,  1.        ])
    """

    _code = _K.ELASTIC_NET
    _parameter_constraints = {**_BasePenalty._parameter_constraints,
                              "l1_ratio": [Interval(Real, 0, 1, closed="both")]}

    def __init__(self, alpha=1.0, l1_ratio=0.5):
        self.alpha = alpha
        self.l1_ratio = l1_ratio

    def _p1(self):
        return self.l1_ratio

    def value(self, w):
        """Penalty value summed over all entries.

        Parameters
        ----------
        w : array-like
            Coefficients, any shape.

        Returns
        -------
        float or 0-d array
            The value.
        """
        self._check_params()
        xp, w = _as_float(w)
        r = float(self.l1_ratio)
        return self.alpha * xp.sum(r * xp.abs(w) + 0.5 * (1.0 - r) * w * w)

    def prox(self, w, step):
        """Proximal operator of ``step * self``.

        Parameters
        ----------
        w : array-like
            Input, any shape and array namespace.
        step : float
            Step size (> 0).

        Returns
        -------
        array
            The prox.
        """
        self._check_params()
        lam = float(step) * self.alpha
        r = float(self.l1_ratio)
        return soft_threshold(w, lam * r) / (1.0 + lam * (1.0 - r))

    def subdiff_distance(self, w, grad):
        """Distance of ``-grad`` to the subdifferential at ``w`` (per entry).

        Parameters
        ----------
        w : array-like
            Coefficients.
        grad : array-like
            Gradient of the data-fit term, same shape.

        Returns
        -------
        array
            Non-negative KKT residuals.
        """
        self._check_params()
        xp, w = _as_float(w)
        _, grad = _as_float(grad)
        a, r = self.alpha, float(self.l1_ratio)
        at0 = xp.maximum(xp.abs(grad) - a * r, _zeros(xp, grad))
        return xp.where(w == 0.0, at0, xp.abs(grad + a * r * xp.sign(w) + a * (1.0 - r) * w))


class GroupL1(_BasePenalty):
    r"""Group-lasso penalty :math:`R(w) = \alpha \sum_g \omega_g \|w_g\|_2`.

    .. math::

        R(w) = \alpha \sum_{g} \omega_g \|w_g\|_2, \qquad
        \operatorname{prox}_{\eta R}(v)_g = v_g \Bigl(1 - \frac{\eta\alpha\omega_g}{\|v_g\|_2}\Bigr)_+ .

    Groups partition the last axis of ``w`` (the features); leading axes (e.g. rows of a
    batch of codes) are treated independently and summed by :meth:`value`.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty level, non-negative.
    groups : int, list of array-like, array-like of shape (n_features,) or None, default=None
        An int ``s``: contiguous groups of size ``s`` (``n_features`` must be a multiple of
        ``s``); a list of index arrays: the groups (they must partition the features); a 1-D
        integer array: the group label of each feature (groups ordered by sorted label); None:
        one group per feature.
    weights : array-like of shape (n_groups,) or None, default=None
        Non-negative group weights :math:`\omega_g`; None means :math:`\sqrt{|g|}`.

    References
    ----------
    .. [1] M. Yuan, Y. Lin, "Model selection and estimation in regression with grouped
       variables", JRSS B 68(1), 2006.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.penalties import GroupL1
    >>> pen = GroupL1(alpha=1.0, groups=2, weights=[1.0, 1.0])
    >>> pen.prox(np.array([3.0, 4.0, 0.3, 0.4]), step=2.5)
    array([1.5, 2. , 0. , 0. ])
    >>> np.round(pen.subdiff_distance(np.array([1.5, 2.0, 0.0, 0.0]), np.array([-0.6, -0.8, 0.1, 0.0])), 12)
    array([0., 0.])
    """

    _separable = False
    _parameter_constraints = {
        **_BasePenalty._parameter_constraints,
        "groups": [None, Interval(Integral, 1, None, closed="left"), "array-like"],
        "weights": [None, "array-like"],
    }

    def __init__(self, alpha=1.0, groups=None, weights=None):
        self.alpha = alpha
        self.groups = groups
        self.weights = weights

    # ------------------------------------------------------------------ groups
    def _check_extra(self):
        g = self.groups
        if g is not None and not isinstance(g, Integral):
            self._raw_groups()
        if self.weights is not None:
            try:
                wt = np.asarray(self.weights, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise TypeError(f"weights must be numeric, got {self.weights!r}.") from exc
            if wt.ndim != 1 or not np.all(np.isfinite(wt)) or np.any(wt < 0):
                raise ValueError("weights must be a 1-D array of finite, non-negative group weights.")

    def _raw_groups(self):
        g = self.groups
        if isinstance(g, np.ndarray) and g.ndim == 2:
            g = list(g)
        if isinstance(g, (list, tuple)) and len(g) > 0 and all(np.ndim(e) == 1 for e in g):
            out = []
            for e in g:
                idx = np.asarray(e)
                if idx.size == 0 or not np.issubdtype(idx.dtype, np.integer) or np.any(idx < 0):
                    raise ValueError("groups given as a list must hold non-empty arrays of non-negative "
                                     "integer feature indices.")
                out.append(idx.astype(np.intp))
            return "index", out
        labels = np.asarray(g)
        if labels.ndim != 1 or labels.size == 0 or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError("groups must be an int group size >= 1, a list of index arrays, or a 1-D "
                             f"integer array of group labels (one per feature); got {g!r}.")
        return "labels", labels

    def get_groups(self, n_features):
        """Resolve ``groups`` and ``weights`` for ``n_features`` features.

        Parameters
        ----------
        n_features : int
            Size of the last axis of the coefficients.

        Returns
        -------
        groups : list of ndarray of int
            Feature indices of each group (a partition of ``range(n_features)``).
        weights : ndarray of shape (n_groups,)
            Group weights.
        """
        self._check_params()
        return self._resolve(int(n_features))[:2]

    def _resolve(self, n_features):
        g = self.groups
        if g is None:
            labels = np.arange(n_features)
        elif isinstance(g, Integral):
            if n_features % int(g):
                raise ValueError(f"groups={g} does not divide n_features={n_features}.")
            labels = np.arange(n_features) // int(g)
        else:
            kind, raw = self._raw_groups()
            if kind == "labels":
                if raw.shape[0] != n_features:
                    raise ValueError(f"groups has {raw.shape[0]} labels but there are {n_features} features.")
                _, labels = np.unique(raw, return_inverse=True)
            else:
                labels = np.full(n_features, -1, dtype=np.intp)
                for j, idx in enumerate(raw):
                    if np.any(idx >= n_features):
                        raise ValueError(f"groups has an index >= n_features={n_features}.")
                    if np.any(labels[idx] >= 0) or np.unique(idx).size != idx.size:
                        raise ValueError("groups overlap; they must partition the features.")
                    labels[idx] = j
                if np.any(labels < 0):
                    raise ValueError("groups do not cover every feature; they must partition the features.")
        labels = np.asarray(labels, dtype=np.intp)
        n_groups = int(labels.max()) + 1 if labels.size else 0
        sizes = np.bincount(labels, minlength=n_groups)
        groups = [np.flatnonzero(labels == j) for j in range(n_groups)]
        if self.weights is None:
            weights = np.sqrt(sizes.astype(np.float64))
        else:
            weights = np.asarray(self.weights, dtype=np.float64)
            if weights.shape != (n_groups,):
                raise ValueError(f"weights has shape {weights.shape}, expected ({n_groups},) (one per group).")
        return groups, weights, labels

    @staticmethod
    def _group_sums(xp, x, labels, n_groups):
        """Sum ``x`` over the groups of its last axis -> shape (..., n_groups)."""
        if is_numpy_namespace(xp):
            perm = np.argsort(labels, kind="stable")
            starts = np.searchsorted(labels[perm], np.arange(n_groups))
            return np.add.reduceat(x[..., perm], starts, axis=-1)
        # other namespaces (CuPy, array_api_strict): a dense 0/1 membership matrix product
        member = np.zeros((labels.shape[0], n_groups))
        member[np.arange(labels.shape[0]), labels] = 1.0
        member = xp.astype(asarray_like(member, x), x.dtype)
        return xp.matmul(x, member)

    def _setup(self, w):
        self._check_params()
        xp, w = _as_float(w)
        _, weights, labels = self._resolve(w.shape[-1])
        n_groups = weights.shape[0]
        return xp, w, labels, n_groups, weights

    def _norms(self, xp, x, labels, n_groups):
        return xp.sqrt(self._group_sums(xp, x * x, labels, n_groups))

    @staticmethod
    def _expand(xp, per_group, labels, like):
        if is_numpy_namespace(xp):
            return per_group[..., labels]
        return xp.take(per_group, asarray_like(labels.astype(np.int64), like), axis=-1)

    def value(self, w):
        """Penalty value (summed over groups and leading axes).

        Parameters
        ----------
        w : array-like of shape (..., n_features)
            Coefficients.

        Returns
        -------
        float or 0-d array
            The value.
        """
        xp, w, labels, n_groups, weights = self._setup(w)
        wt = _like(xp, weights, w)
        return self.alpha * xp.sum(self._norms(xp, w, labels, n_groups) * wt)

    def prox(self, w, step):
        """Proximal operator of ``step * self`` (block soft thresholding of each group).

        Parameters
        ----------
        w : array-like of shape (..., n_features)
            Input.
        step : float
            Step size (> 0).

        Returns
        -------
        array of shape (..., n_features)
            The prox.
        """
        xp, w, labels, n_groups, weights = self._setup(w)
        tau = _like(xp, float(step) * self.alpha * weights, w)
        scale = _block_scale(xp, self._norms(xp, w, labels, n_groups), tau)
        return w * self._expand(xp, scale, labels, w)

    def threshold(self, step, n_features=None):
        """Dead zone of each group: ``prox`` zeroes group ``g`` when ``||w_g|| <= threshold[g]``.

        Parameters
        ----------
        step : float
            Step size (> 0).
        n_features : int or None, default=None
            Number of features; needed unless ``weights`` is given.

        Returns
        -------
        ndarray of shape (n_groups,)
            ``step * alpha * weights``.
        """
        self._check_params()
        if n_features is None:
            if self.weights is None:
                raise ValueError("GroupL1.threshold needs n_features when weights is None.")
            weights = np.asarray(self.weights, dtype=np.float64)
        else:
            weights = self._resolve(int(n_features))[1]
        return float(step) * self.alpha * weights

    def subdiff_distance(self, w, grad):
        """Distance of ``-grad_g`` to the subdifferential of each group's term.

        Parameters
        ----------
        w : array-like of shape (..., n_features)
            Coefficients.
        grad : array-like of shape (..., n_features)
            Gradient of the data-fit term.

        Returns
        -------
        array of shape (..., n_groups)
            Per-group KKT residuals.
        """
        xp, w, labels, n_groups, weights = self._setup(w)
        _, grad = _as_float(grad)
        aw = _like(xp, self.alpha * weights, w)
        norms = self._norms(xp, w, labels, n_groups)
        nz = norms > 0.0
        inv = xp.where(nz, 1.0 / xp.where(nz, norms, xp.ones_like(norms)), xp.zeros_like(norms))
        resid = grad + w * self._expand(xp, aw * inv, labels, w)
        r_norm = self._norms(xp, resid, labels, n_groups)
        g_norm = self._norms(xp, grad, labels, n_groups)
        return xp.where(nz, r_norm, xp.maximum(g_norm - aw, xp.zeros_like(g_norm)))


class NonNegative(_SeparablePenalty):
    r"""Indicator of the non-negative orthant.

    .. math::

        R(w) = \begin{cases} 0 & w \ge 0 \\ +\infty & \text{otherwise} \end{cases}, \qquad
        \operatorname{prox}_{\eta R}(v) = \max(v, 0).

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.penalties import NonNegative
    >>> NonNegative().prox(np.array([-1.0, 2.0]), step=1.0)
    array([0., 2.])
    """

    _code = _K.NONNEG
    _parameter_constraints: dict = {}

    def __init__(self):
        pass

    def value(self, w):
        """0 if every entry is non-negative, ``inf`` otherwise.

        Parameters
        ----------
        w : array-like
            Coefficients.

        Returns
        -------
        float
            The value.
        """
        self._check_params()
        xp, w = _as_float(w)
        return 0.0 if bool(xp.all(w >= 0.0)) else math.inf

    def prox(self, w, step):
        """Projection onto ``w >= 0`` (the step does not matter).

        Parameters
        ----------
        w : array-like
            Input.
        step : float
            Step size (ignored).

        Returns
        -------
        array
            ``max(w, 0)``.
        """
        self._check_params()
        xp, w = _as_float(w)
        return xp.maximum(w, _zeros(xp, w))

    def threshold(self, step):
        """0: positive entries are never zeroed (negative ones always are).

        Parameters
        ----------
        step : float
            Step size (ignored).

        Returns
        -------
        float
            0.0.
        """
        return 0.0

    def subdiff_distance(self, w, grad):
        """Distance of ``-grad`` to the normal cone of the orthant at ``w``.

        Parameters
        ----------
        w : array-like
            Coefficients.
        grad : array-like
            Gradient of the data-fit term.

        Returns
        -------
        array
            ``|grad|`` where ``w > 0``, ``max(-grad, 0)`` where ``w == 0``, ``inf`` where ``w < 0``.
        """
        self._check_params()
        xp, w = _as_float(w)
        _, grad = _as_float(grad)
        out = xp.where(w == 0.0, xp.maximum(-grad, _zeros(xp, grad)), xp.abs(grad))
        return xp.where(w < 0.0, xp.full_like(grad, math.inf), out)


# =========================================================================== nonconvex penalties
class L0(_SeparablePenalty):
    r"""Best-subset penalty :math:`R(w) = \alpha\|w\|_0` (or :math:`\tfrac\alpha2\|w\|_0`).

    .. math::

        R(w) = c\,\alpha\, \#\{j : w_j \ne 0\}, \qquad
        \operatorname{prox}_{\eta R}(v) = v\, \mathbf 1\{|v| > \sqrt{2 c \eta\alpha}\},

    with :math:`c = 1` for ``hard_constant="prox"`` (threshold :math:`\sqrt{2\eta\alpha}`) and
    :math:`c = 1/2` for ``"sqrt"`` (threshold :math:`\sqrt{\eta\alpha}`, the convention of the
    reference code of Rentzeperis et al.).

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty level, non-negative.
    hard_constant : {"prox", "sqrt"}, default="prox"
        Threshold constant (see above).

    References
    ----------
    .. [1] T. Blumensath, M. E. Davies, "Iterative hard thresholding for compressed sensing",
       Appl. Comput. Harmon. Anal. 27(3), 2009.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.penalties import L0
    >>> L0(alpha=0.5).prox(np.array([-3.0, 0.9, 1.5]), step=1.0)
    array([-3. ,  0. ,  1.5])
    >>> L0(alpha=0.5).threshold(1.0)
    1.0
    """

    _code = _K.L0
    _convex = False
    _parameter_constraints = {**_BasePenalty._parameter_constraints,
                              "hard_constant": [StrOptions({"prox", "sqrt"})]}

    def __init__(self, alpha=1.0, hard_constant="prox"):
        self.alpha = alpha
        self.hard_constant = hard_constant

    def _p1(self):
        return 0.0 if self.hard_constant == "prox" else 1.0

    def value(self, w):
        """Penalty value (``alpha`` or ``alpha / 2`` per non-zero entry).

        Parameters
        ----------
        w : array-like
            Coefficients.

        Returns
        -------
        float or 0-d array
            The value.
        """
        self._check_params()
        xp, w = _as_float(w)
        c = 1.0 if self.hard_constant == "prox" else 0.5
        return c * self.alpha * xp.sum(xp.astype(w != 0.0, w.dtype))

    def prox(self, w, step):
        """Hard thresholding.

        Parameters
        ----------
        w : array-like
            Input.
        step : float
            Step size (> 0).

        Returns
        -------
        array
            The prox.
        """
        self._check_params()
        return hard_threshold(w, float(step) * self.alpha, constant=self.hard_constant)

    def subdiff_distance(self, w, grad):
        """0 at zero entries, ``|grad|`` at non-zero ones.

        Parameters
        ----------
        w : array-like
            Coefficients.
        grad : array-like
            Gradient of the data-fit term.

        Returns
        -------
        array
            KKT residuals.
        """
        self._check_params()
        xp, w = _as_float(w)
        _, grad = _as_float(grad)
        return xp.where(w == 0.0, _zeros(xp, grad), xp.abs(grad))


class Lq(_SeparablePenalty):
    r"""Bridge penalty :math:`R(w) = \alpha \sum_j |w_j|^q`, :math:`0 < q < 1`.

    .. math::

        R(w) = \alpha \sum_j |w_j|^q .

    The prox is :func:`lq_threshold` (closed forms for :math:`q = 1/2` and :math:`q = 2/3`,
    Newton otherwise), with dead zone :math:`\tau_q = \beta + \lambda q \beta^{q-1}`,
    :math:`\beta = (2\lambda(1-q))^{1/(2-q)}`, :math:`\lambda = \eta\alpha`.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty level, non-negative.
    q : float, default=0.5
        Exponent in (0, 1).

    References
    ----------
    .. [1] Z. Xu, X. Chang, F. Xu, H. Zhang, "L1/2 regularization: a thresholding representation
       theory and a fast solver", IEEE TNNLS 23(7), 2012.
    .. [2] G. Marjanovic, V. Solo, "On l_q optimization and matrix completion", IEEE TSP 60(11),
       2012.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.penalties import Lq
    >>> pen = Lq(alpha=1.0, q=0.5)
    >>> np.round(pen.prox(np.array([-3.0, 1.0, 2.0]), step=1.0), 4)
    array([-2.6955,  0.    ,  1.6054])
    >>> pen.threshold(1.0)
    1.5
    """

    _code = _K.LQ
    _convex = False
    _parameter_constraints = {**_BasePenalty._parameter_constraints,
                              "q": [Interval(Real, 0, 1, closed="neither")]}

    def __init__(self, alpha=1.0, q=0.5):
        self.alpha = alpha
        self.q = q

    def _p1(self):
        return self.q

    def value(self, w):
        """Penalty value.

        Parameters
        ----------
        w : array-like
            Coefficients.

        Returns
        -------
        float or 0-d array
            The value.
        """
        self._check_params()
        xp, w = _as_float(w)
        return self.alpha * xp.sum(xp.abs(w) ** float(self.q))

    def prox(self, w, step):
        """Proximal operator (global minimiser).

        Parameters
        ----------
        w : array-like
            Input.
        step : float
            Step size (> 0).

        Returns
        -------
        array
            The prox.
        """
        self._check_params()
        return lq_threshold(w, float(step) * self.alpha, self.q)

    def subdiff_distance(self, w, grad):
        """KKT residual: 0 at zero entries (infinite slope), ``|grad + R'(w)|`` elsewhere.

        Parameters
        ----------
        w : array-like
            Coefficients.
        grad : array-like
            Gradient of the data-fit term.

        Returns
        -------
        array
            KKT residuals.
        """
        self._check_params()
        xp, w = _as_float(w)
        _, grad = _as_float(grad)
        q = float(self.q)
        nz = w != 0.0
        aw = xp.where(nz, xp.abs(w), xp.ones_like(w))
        d = xp.abs(grad + xp.sign(w) * self.alpha * q * aw ** (q - 1.0))
        return xp.where(nz, d, _zeros(xp, grad))


class MCP(_SeparablePenalty):
    r"""Minimax concave penalty.

    .. math::

        R(w) = \sum_j \begin{cases}
          \alpha |w_j| - \frac{w_j^2}{2\gamma} & |w_j| \le \gamma\alpha \\
          \frac{\gamma\alpha^2}{2} & |w_j| > \gamma\alpha
          \end{cases}

    The prox (:func:`mcp_threshold`) is firm thresholding for steps :math:`\eta < \gamma` and
    hard thresholding at :math:`\alpha\sqrt{\eta\gamma}` for :math:`\eta \ge \gamma`.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty level, non-negative.
    gamma : float, default=3.0
        Concavity parameter, positive.

    References
    ----------
    .. [1] C.-H. Zhang, "Nearly unbiased variable selection under minimax concave penalty",
       Ann. Statist. 38(2), 2010.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.penalties import MCP
    >>> MCP(alpha=1.0, gamma=3.0).prox(np.array([-5.0, 0.5, 2.0]), step=1.0)
    array([-5. ,  0. ,  1.5])
    """

    _code = _K.MCP
    _convex = False
    _parameter_constraints = {**_BasePenalty._parameter_constraints,
                              "gamma": [Interval(Real, 0, None, closed="neither")]}

    def __init__(self, alpha=1.0, gamma=3.0):
        self.alpha = alpha
        self.gamma = gamma

    def _p1(self):
        return self.gamma

    def value(self, w):
        """Penalty value.

        Parameters
        ----------
        w : array-like
            Coefficients.

        Returns
        -------
        float or 0-d array
            The value.
        """
        self._check_params()
        xp, w = _as_float(w)
        a, g = float(self.alpha), float(self.gamma)
        aw = xp.abs(w)
        inner = a * aw - aw * aw / (2.0 * g)
        return xp.sum(xp.where(aw <= g * a, inner, xp.full_like(aw, 0.5 * g * a * a)))

    def prox(self, w, step):
        """Proximal operator (global minimiser, any step).

        Parameters
        ----------
        w : array-like
            Input.
        step : float
            Step size (> 0).

        Returns
        -------
        array
            The prox.
        """
        self._check_params()
        return mcp_threshold(w, self.alpha, self.gamma, step)

    def subdiff_distance(self, w, grad):
        """KKT residual, with the L1-like slope ``alpha`` at 0.

        Parameters
        ----------
        w : array-like
            Coefficients.
        grad : array-like
            Gradient of the data-fit term.

        Returns
        -------
        array
            KKT residuals.
        """
        self._check_params()
        xp, w = _as_float(w)
        _, grad = _as_float(grad)
        a, g = float(self.alpha), float(self.gamma)
        deriv = xp.maximum(a - xp.abs(w) / g, _zeros(xp, w))
        at0 = xp.maximum(xp.abs(grad) - a, _zeros(xp, grad))
        return xp.where(w == 0.0, at0, xp.abs(grad + xp.sign(w) * deriv))


class CEL0(_SeparablePenalty):
    r"""Continuous exact :math:`\ell_0` penalty of Soubies, Blanc-Féraud & Aubert.

    .. math::

        R(w) = \sum_j \Bigl[\alpha - \frac{a_j^2}{2}\Bigl(|w_j| - \frac{\sqrt{2\alpha}}{a_j}\Bigr)^2
               \mathbf 1\Bigl\{|w_j| \le \frac{\sqrt{2\alpha}}{a_j}\Bigr\}\Bigr],

    where :math:`a_j` is the norm of the :math:`j`-th column (atom) of the design. It equals MCP
    with level :math:`a_j\sqrt{2\alpha}` and :math:`\gamma = 1/a_j^2`; its prox is
    :func:`cel0_threshold` (firm thresholding for :math:`\eta a_j^2 < 1`, hard thresholding at
    :math:`\sqrt{2\eta\alpha}` otherwise). :math:`a_j = 0` gives the zero penalty.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty level, non-negative.
    atom_norms : float or array-like of shape (n_features,), default=1.0
        Non-negative atom norms :math:`a_j` (broadcast along the last axis of ``w``).

    References
    ----------
    .. [1] E. Soubies, L. Blanc-Féraud, G. Aubert, "A continuous exact l0 penalty (CEL0) for
       least squares regularized problem", SIAM J. Imaging Sci. 8(3), 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.penalties import CEL0
    >>> pen = CEL0(alpha=0.125)
    >>> pen.prox(np.array([-3.0, 0.25, 0.5]), step=0.5)  # firm thresholding (step a^2 < 1)
    array([-3. ,  0. ,  0.5])
    >>> pen.prox(np.array([-3.0, 0.5, 1.0]), step=2.0)  # hard threshold sqrt(2 step alpha)
    array([-3.,  0.,  1.])
    """

    _code = _K.CEL0
    _convex = False
    _parameter_constraints = {**_BasePenalty._parameter_constraints,
                              "atom_norms": [Interval(Real, 0, None, closed="left"), "array-like"]}

    def __init__(self, alpha=1.0, atom_norms=1.0):
        self.alpha = alpha
        self.atom_norms = atom_norms

    def _check_extra(self):
        if isinstance(self.atom_norms, Real):
            return
        try:
            a = np.asarray(to_numpy(self.atom_norms), dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"atom_norms must be numeric, got {self.atom_norms!r}.") from exc
        if a.ndim > 1 or not np.all(np.isfinite(a)) or np.any(a < 0):
            raise ValueError("atom_norms must be a non-negative finite float or a 1-D array of shape "
                             "(n_features,) of non-negative finite floats.")

    def _norms(self, xp, w):
        a = _like(xp, self.atom_norms, w)
        if not isinstance(a, float) and a.shape[0] != w.shape[-1]:
            raise ValueError(f"atom_norms has {a.shape[0]} entries but w has {w.shape[-1]} features.")
        return a

    def _p1(self):
        a = np.asarray(to_numpy(self.atom_norms), dtype=np.float64)
        if a.ndim:
            raise ValueError("CEL0 with per-feature atom_norms has no single numba_spec(); "
                             "use numba_spec_per_feature(n_features).")
        return float(a)

    def numba_spec_per_feature(self, n_features):
        """Kernel encoding with one row per feature (``p1`` = that feature's atom norm).

        Parameters
        ----------
        n_features : int
            Number of coordinates.

        Returns
        -------
        code : int
            ``_penalty_kernels.CEL0``.
        params : ndarray of shape (n_features, 3)
            Row ``j`` holds ``[alpha, a_j, 0]``.
        """
        self._check_params()
        params = np.zeros((int(n_features), 3))
        params[:, 0] = float(self.alpha)
        a = np.asarray(to_numpy(self.atom_norms), dtype=np.float64)
        if a.ndim and a.shape[0] != n_features:
            raise ValueError(f"atom_norms has {a.shape[0]} entries but n_features={n_features}.")
        params[:, 1] = a
        return int(_K.CEL0), params

    def threshold(self, step):
        """Dead zone of the prox (per feature when ``atom_norms`` is an array).

        Parameters
        ----------
        step : float
            Step size (> 0).

        Returns
        -------
        float or ndarray of shape (n_features,)
            ``step a sqrt(2 alpha)`` where ``step a² < 1``, ``sqrt(2 step alpha)`` elsewhere.
        """
        self._check_params()
        a = np.asarray(to_numpy(self.atom_norms), dtype=np.float64)
        out = np.array([_K.threshold_scalar(_K.CEL0, float(step), float(self.alpha), float(aj), 0.0)
                        for aj in a.ravel()])
        return float(out[0]) if a.ndim == 0 else out

    def value(self, w):
        """Penalty value.

        Parameters
        ----------
        w : array-like of shape (..., n_features)
            Coefficients.

        Returns
        -------
        float or 0-d array
            The value.
        """
        self._check_params()
        xp, w = _as_float(w)
        a = self._norms(xp, w)
        r = math.sqrt(2.0 * float(self.alpha))
        aw = xp.abs(w)
        inner = a * r * aw - 0.5 * a * a * aw * aw
        return xp.sum(xp.where(a * aw <= r, inner, xp.full_like(aw, float(self.alpha))))

    def prox(self, w, step):
        """Proximal operator (global minimiser, any step).

        Parameters
        ----------
        w : array-like of shape (..., n_features)
            Input.
        step : float
            Step size (> 0).

        Returns
        -------
        array
            The prox.
        """
        self._check_params()
        xp, w = _as_float(w)
        return cel0_threshold(w, self.alpha, step, self._norms(xp, w))

    def subdiff_distance(self, w, grad):
        """KKT residual, with slope ``a sqrt(2 alpha)`` at 0.

        Parameters
        ----------
        w : array-like of shape (..., n_features)
            Coefficients.
        grad : array-like
            Gradient of the data-fit term.

        Returns
        -------
        array
            KKT residuals.
        """
        self._check_params()
        xp, w = _as_float(w)
        _, grad = _as_float(grad)
        a = self._norms(xp, w)
        slope = a * math.sqrt(2.0 * float(self.alpha))
        deriv = xp.maximum(slope - a * a * xp.abs(w), _zeros(xp, w))
        at0 = xp.maximum(xp.abs(grad) - slope, _zeros(xp, grad))
        return xp.where(w == 0.0, at0, xp.abs(grad + xp.sign(w) * deriv))


class SCAD(_SeparablePenalty):
    r"""Smoothly clipped absolute deviation penalty of Fan & Li.

    .. math::

        R(w) = \sum_j \begin{cases}
          \alpha |w_j| & |w_j| \le \alpha \\
          \frac{2 a\alpha |w_j| - w_j^2 - \alpha^2}{2(a-1)} & \alpha < |w_j| \le a\alpha \\
          \frac{(a+1)\alpha^2}{2} & |w_j| > a\alpha
          \end{cases}

    The prox (:func:`scad_threshold`) is a global minimiser for every step.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty level, non-negative.
    a : float, default=3.7
        Shape parameter, > 2.

    References
    ----------
    .. [1] J. Fan, R. Li, "Variable selection via nonconcave penalized likelihood and its oracle
       properties", JASA 96(456), 2001.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.penalties import SCAD
    >>> SCAD(alpha=1.0, a=3.7).prox(np.array([-5.0, 0.5, 1.5]), step=1.0)
    array([-5. ,  0. ,  0.5])
    """

    _code = _K.SCAD
    _convex = False
    _parameter_constraints = {**_BasePenalty._parameter_constraints,
                              "a": [Interval(Real, 2, None, closed="neither")]}

    def __init__(self, alpha=1.0, a=3.7):
        self.alpha = alpha
        self.a = a

    def _p1(self):
        return self.a

    def value(self, w):
        """Penalty value.

        Parameters
        ----------
        w : array-like
            Coefficients.

        Returns
        -------
        float or 0-d array
            The value.
        """
        self._check_params()
        xp, w = _as_float(w)
        return xp.sum(_scad_value(xp, xp.abs(w), float(self.alpha), float(self.a)))

    def prox(self, w, step):
        """Proximal operator (global minimiser, any step).

        Parameters
        ----------
        w : array-like
            Input.
        step : float
            Step size (> 0).

        Returns
        -------
        array
            The prox.
        """
        self._check_params()
        return scad_threshold(w, self.alpha, self.a, step)

    def subdiff_distance(self, w, grad):
        """KKT residual, with the L1-like slope ``alpha`` at 0.

        Parameters
        ----------
        w : array-like
            Coefficients.
        grad : array-like
            Gradient of the data-fit term.

        Returns
        -------
        array
            KKT residuals.
        """
        self._check_params()
        xp, w = _as_float(w)
        _, grad = _as_float(grad)
        lam, a = float(self.alpha), float(self.a)
        aw = xp.abs(w)
        deriv = xp.where(aw <= lam, xp.full_like(aw, lam),
                         xp.maximum((a * lam - aw) / (a - 1.0), _zeros(xp, aw)))
        at0 = xp.maximum(xp.abs(grad) - lam, _zeros(xp, grad))
        return xp.where(w == 0.0, at0, xp.abs(grad + xp.sign(w) * deriv))


class TopK(_BasePenalty):
    r"""Indicator of the :math:`k`-sparse vectors (non-negative ones for ``mode="signed"``).

    .. math::

        R(w) = \begin{cases} 0 & \|w\|_0 \le k \ (\text{and } w \ge 0 \text{ if signed}) \\
               +\infty & \text{otherwise} \end{cases}

    The prox is the projection: keep the :math:`k` entries of largest :math:`|w|`
    (``"absolute"``) or the :math:`k` largest entries clipped at 0 (``"signed"``), ties broken
    by the lowest index. It acts along the last axis (each row of a batch independently); it is
    computed on the host and moved back to the input's namespace.

    Parameters
    ----------
    k : int, default=10
        Number of non-zeros kept, non-negative.
    mode : {"absolute", "signed"}, default="absolute"
        Which entries are kept.

    References
    ----------
    .. [1] T. Blumensath, M. E. Davies, "Iterative hard thresholding for compressed sensing",
       Appl. Comput. Harmon. Anal. 27(3), 2009.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.penalties import TopK
    >>> TopK(k=2).prox(np.array([0.5, -3.0, 1.0, 2.0]), step=1.0)
    array([ 0., -3.,  0.,  2.])
    >>> TopK(k=2, mode="signed").prox(np.array([0.5, -3.0, 1.0, 2.0]), step=1.0)
    array([0., 0., 1., 2.])
    """

    _convex = False
    _separable = False
    _parameter_constraints = {"k": [Interval(Integral, 0, None, closed="left")],
                              "mode": [StrOptions({"absolute", "signed"})]}

    def __init__(self, k=10, mode="absolute"):
        self.k = k
        self.mode = mode

    def value(self, w):
        """0 when every row of ``w`` is feasible, ``inf`` otherwise.

        Parameters
        ----------
        w : array-like of shape (..., n_features)
            Coefficients.

        Returns
        -------
        float
            The value.
        """
        self._check_params()
        w = np.atleast_1d(np.asarray(to_numpy(_as_float(w)[1])))
        ok = bool(np.all(np.count_nonzero(w, axis=-1) <= self.k))
        if self.mode == "signed":
            ok = ok and bool(np.all(w >= 0))
        return 0.0 if ok else math.inf

    def prox(self, w, step):
        """Projection onto the constraint set (the step does not matter).

        Parameters
        ----------
        w : array-like of shape (..., n_features)
            Input.
        step : float
            Step size (ignored).

        Returns
        -------
        array of shape (..., n_features)
            The projection, in the namespace of ``w``.
        """
        self._check_params()
        _, w_in = _as_float(w)
        v = np.asarray(to_numpy(w_in))
        v2 = np.atleast_1d(v)
        score = np.abs(v2) if self.mode == "absolute" else v2
        order = np.argsort(-score, axis=-1, kind="stable")
        mask = np.zeros(v2.shape, dtype=bool)
        np.put_along_axis(mask, order[..., : self.k], True, axis=-1)
        kept = v2 if self.mode == "absolute" else np.maximum(v2, 0.0)
        out = np.where(mask, kept, 0.0).astype(v.dtype).reshape(v.shape)
        return asarray_like(out, w_in)

    def threshold(self, step):
        """Not defined: the dead zone of a top-k projection depends on the other entries.

        Parameters
        ----------
        step : float
            Step size.

        Returns
        -------
        float
            Never returns.

        Raises
        ------
        NotImplementedError
            Always.
        """
        raise NotImplementedError("TopK has no fixed dead zone: which entries are zeroed depends on the "
                                  "other entries; use prox().")

    def subdiff_distance(self, w, grad):
        """Distance of ``-grad`` to the (Fréchet) normal cone of the constraint set at ``w``.

        On the support it is ``|grad|``; off the support it is 0 when the row has exactly ``k``
        non-zeros, otherwise ``|grad|`` (absolute) or ``max(-grad, 0)`` (signed).

        Parameters
        ----------
        w : array-like of shape (..., n_features)
            Coefficients (assumed feasible).
        grad : array-like of shape (..., n_features)
            Gradient of the data-fit term.

        Returns
        -------
        array of shape (..., n_features)
            KKT residuals.
        """
        self._check_params()
        xp, w = _as_float(w)
        _, grad = _as_float(grad)
        nz = w != 0.0
        full = xp.sum(xp.astype(nz, xp.int64), axis=-1, keepdims=True) >= self.k
        off = xp.abs(grad) if self.mode == "absolute" else xp.maximum(-grad, _zeros(xp, grad))
        off = xp.where(full, _zeros(xp, grad), off)
        return xp.where(nz, xp.abs(grad), off)


