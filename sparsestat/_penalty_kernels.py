"""Numba scalar kernels of the separable penalties (inlined by the solvers).

A penalty is encoded as an integer ``code`` plus three floats ``(alpha, p1, p2)``
so that a solver can call :func:`prox_scalar`, :func:`value_scalar` and
:func:`subdiff_distance_scalar` inside a cached ``@njit`` loop without first-class
functions. ``alpha`` is the penalty level already multiplied by the coordinate's
penalty factor; the meaning of ``p1``/``p2`` depends on the code:

=============  ==========================================================  ==========
code           penalty ``pen(x; alpha, p1, p2)``                           ``p1``
=============  ==========================================================  ==========
L1 (0)         ``alpha |x|``                                               unused
ELASTIC_NET    ``alpha (p1 |x| + (1 - p1) x**2 / 2)``                      l1_ratio
L0 (2)         ``alpha 1{x != 0}`` (p1 = 0) or ``alpha/2 1{x != 0}`` (1)   0 or 1
LQ (3)         ``alpha |x|**q``                                            q in (0, 1)
CEL0 (4)       ``alpha - a²/2 (|x| - sqrt(2 alpha)/a)² 1{|x| <= ...}``     atom norm a
MCP (5)        minimax concave penalty                                     gamma
SCAD (6)       smoothly clipped absolute deviation                         a > 2
NONE (7)       ``0``                                                       unused
NONNEG (8)     indicator of ``x >= 0``                                     unused
=============  ==========================================================  ==========

``p2`` is reserved (pass 0). No validation happens here: the public penalty
objects of :mod:`sparsestat.penalties` validate and build ``(code, params)``.
"""

import math

import numpy as np

from sparsestat.utils._numba import njit

__all__ = [
    "L1",
    "ELASTIC_NET",
    "L0",
    "LQ",
    "CEL0",
    "MCP",
    "SCAD",
    "NONE",
    "NONNEG",
    "prox_scalar",
    "value_scalar",
    "subdiff_distance_scalar",
    "threshold_scalar",
    "prox_array",
    "value_array",
    "subdiff_distance_array",
    "block_soft_threshold",
    "topk_project",
]

L1 = 0
ELASTIC_NET = 1
L0 = 2
LQ = 3
CEL0 = 4
MCP = 5
SCAD = 6
NONE = 7
NONNEG = 8

_TWO_THIRDS = 2.0 / 3.0


# --------------------------------------------------------------------------- helpers
@njit
def _sign(x):
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    return 0.0


@njit
def _soft(x, tau):
    ax = abs(x)
    if ax <= tau:
        return 0.0
    return _sign(x) * (ax - tau)


@njit
def _firm(x, t, c, hard_t):
    """Minimiser of 1/2 (z - x)² + step MCP(z) written as (shrink t, curvature c, hard threshold)."""
    ax = abs(x)
    if c < 1.0:
        if ax <= t:
            return 0.0
        return _sign(x) * min(ax, (ax - t) / (1.0 - c))
    if ax <= hard_t:
        return 0.0
    return x


@njit
def _lq_tau(lam, q):
    beta = (2.0 * lam * (1.0 - q)) ** (1.0 / (2.0 - q))
    if beta == 0.0:
        return 0.0
    return beta + lam * q * beta ** (q - 1.0)


@njit
def _half(ax, lam):
    # Xu et al. half thresholding H_t with t = 2 lam, for ax above the threshold.
    t = 2.0 * lam
    arg = (t / 8.0) * (ax / 3.0) ** (-1.5)
    arg = min(arg, 1.0)
    phi = math.acos(arg)
    return _TWO_THIRDS * ax * (1.0 + math.cos(2.0 * math.pi / 3.0 - _TWO_THIRDS * phi))


@njit
def _two_thirds(ax, lam):
    # Largest root of z + (2/3) lam z^{-1/3} = ax; with z = u³: u⁴ - ax u + c = 0, c = 2 lam / 3.
    c = _TWO_THIRDS * lam
    # Ferrari: resolvent cubic m³ - c m - ax²/8 = 0, largest real root m > 0.
    disc = ax**4 / 256.0 - c**3 / 27.0
    if disc >= 0.0:
        s = math.sqrt(disc)
        w = np.cbrt(ax * ax / 16.0 + s)
        m = w + c / (3.0 * w)  # Cardano, second cube root via (A + s)(A - s) = (c/3)³
    else:
        r = math.sqrt(c / 3.0)
        m = 2.0 * r * math.cos(math.acos(min(ax * ax / 16.0 / r**3, 1.0)) / 3.0)
    sm = math.sqrt(2.0 * m)
    d = max(2.0 * ax / sm - 2.0 * m, 0.0)
    u = 0.5 * (sm + math.sqrt(d))
    return u * u * u


@njit
def _lq_newton(ax, lam, q):
    # Root of g(z) = z + lam q z^{q-1} - ax on the increasing convex branch; Newton from the
    # right (z = ax, where g > 0) decreases monotonically to the largest root.
    z = ax
    for _ in range(200):
        g = z + lam * q * z ** (q - 1.0) - ax
        dg = 1.0 - lam * q * (1.0 - q) * z ** (q - 2.0)
        if dg <= 0.0:
            break
        step = g / dg
        z_new = z - step
        if z_new <= 0.0:
            z_new = 0.5 * z
        if abs(z_new - z) <= 1e-15 * z:
            z = z_new
            break
        z = z_new
    return z


@njit
def _lq_prox(x, lam, q):
    ax = abs(x)
    if lam <= 0.0:
        return x
    tau = _lq_tau(lam, q)
    if ax <= tau:
        return 0.0
    if abs(q - 0.5) < 1e-12:
        z = _half(ax, lam)
    elif abs(q - _TWO_THIRDS) < 1e-12:
        z = _two_thirds(ax, lam)
    else:
        z = _lq_newton(ax, lam, q)
    # global minimiser: compare with 0 (guards rounding right at the threshold)
    if 0.5 * (z - ax) ** 2 + lam * z**q >= 0.5 * ax * ax:
        return 0.0
    return _sign(x) * z


@njit
def _scad_value(ax, lam, a):
    if ax <= lam:
        return lam * ax
    if ax <= a * lam:
        return (2.0 * a * lam * ax - ax * ax - lam * lam) / (2.0 * (a - 1.0))
    return 0.5 * lam * lam * (a + 1.0)


@njit
def _scad_prox(x, step, lam, a):
    ax = abs(x)
    # region |z| <= lam: soft threshold clipped to the region
    z = min(max(ax - step * lam, 0.0), lam)
    best = 0.5 * (z - ax) ** 2 + step * _scad_value(z, lam, a)
    # region lam <= |z| <= a lam: stationary point when the region is convex
    if step < a - 1.0:
        zb = ((a - 1.0) * ax - step * a * lam) / (a - 1.0 - step)
        zb = min(max(zb, lam), a * lam)
        fb = 0.5 * (zb - ax) ** 2 + step * _scad_value(zb, lam, a)
        if fb < best:
            best = fb
            z = zb
    # region |z| >= a lam
    zc = max(ax, a * lam)
    fc = 0.5 * (zc - ax) ** 2 + step * _scad_value(zc, lam, a)
    if fc < best:
        z = zc
    return _sign(x) * z


# --------------------------------------------------------------------------- scalar API
@njit
def prox_scalar(code, x, step, alpha, p1, p2):
    """Proximal operator argmin_z 1/2 (z - x)² + step pen(z; alpha, p1, p2) of one entry.

    Parameters
    ----------
    code : int
        Penalty code (module constants).
    x : float
        Input.
    step : float
        Step size (> 0).
    alpha : float
        Penalty level (times the coordinate's penalty factor).
    p1, p2 : float
        Penalty-specific parameters (see the module docstring).

    Returns
    -------
    float
        A global minimiser.
    """
    lam = step * alpha
    if code == L1:
        return _soft(x, lam)
    if code == ELASTIC_NET:
        return _soft(x, lam * p1) / (1.0 + lam * (1.0 - p1))
    if code == L0:
        if p1 == 0.0:
            thr = math.sqrt(2.0 * lam)
        else:
            thr = math.sqrt(lam)
        if abs(x) <= thr:
            return 0.0
        return x
    if code == LQ:
        return _lq_prox(x, lam, p1)
    if code == CEL0:
        a = p1
        return _firm(x, step * a * math.sqrt(2.0 * alpha), step * a * a, math.sqrt(2.0 * lam))
    if code == MCP:
        gamma = p1
        return _firm(x, lam, step / gamma, alpha * math.sqrt(step * gamma))
    if code == SCAD:
        return _scad_prox(x, step, alpha, p1)
    if code == NONNEG:
        return max(x, 0.0)
    return x


@njit
def value_scalar(code, x, alpha, p1, p2):
    """Penalty value pen(x; alpha, p1, p2) of one entry.

    Parameters
    ----------
    code : int
        Penalty code.
    x : float
        Entry.
    alpha : float
        Penalty level.
    p1, p2 : float
        Penalty-specific parameters.

    Returns
    -------
    float
        The value (``inf`` outside the domain of an indicator).
    """
    ax = abs(x)
    if code == L1:
        return alpha * ax
    if code == ELASTIC_NET:
        return alpha * (p1 * ax + 0.5 * (1.0 - p1) * x * x)
    if code == L0:
        if x == 0.0:
            return 0.0
        if p1 == 0.0:
            return alpha
        return 0.5 * alpha
    if code == LQ:
        if x == 0.0:
            return 0.0
        return alpha * ax**p1
    if code == CEL0:
        a = p1
        if a * ax <= math.sqrt(2.0 * alpha):
            return a * math.sqrt(2.0 * alpha) * ax - 0.5 * a * a * ax * ax
        return alpha
    if code == MCP:
        gamma = p1
        if ax <= gamma * alpha:
            return alpha * ax - 0.5 * ax * ax / gamma
        return 0.5 * gamma * alpha * alpha
    if code == SCAD:
        return _scad_value(ax, alpha, p1)
    if code == NONNEG:
        if x < 0.0:
            return np.inf
        return 0.0
    return 0.0


@njit
def subdiff_distance_scalar(code, x, grad, alpha, p1, p2):
    """Distance of ``-grad`` to the (Fréchet) subdifferential of the penalty at ``x``.

    Parameters
    ----------
    code : int
        Penalty code.
    x : float
        Entry.
    grad : float
        Gradient of the data-fit term at this coordinate.
    alpha : float
        Penalty level.
    p1, p2 : float
        Penalty-specific parameters.

    Returns
    -------
    float
        The KKT violation of the coordinate (0 at a stationary point).
    """
    ax = abs(x)
    s = _sign(x)
    if code == L1:
        if x == 0.0:
            return max(abs(grad) - alpha, 0.0)
        return abs(grad + alpha * s)
    if code == ELASTIC_NET:
        if x == 0.0:
            return max(abs(grad) - alpha * p1, 0.0)
        return abs(grad + alpha * p1 * s + alpha * (1.0 - p1) * x)
    if code == L0:
        if x == 0.0:
            return 0.0
        return abs(grad)
    if code == LQ:
        if x == 0.0:
            return 0.0
        return abs(grad + s * alpha * p1 * ax ** (p1 - 1.0))
    if code == CEL0:
        a = p1
        slope = a * math.sqrt(2.0 * alpha)
        if x == 0.0:
            return max(abs(grad) - slope, 0.0)
        return abs(grad + s * max(slope - a * a * ax, 0.0))
    if code == MCP:
        gamma = p1
        if x == 0.0:
            return max(abs(grad) - alpha, 0.0)
        return abs(grad + s * max(alpha - ax / gamma, 0.0))
    if code == SCAD:
        a = p1
        if x == 0.0:
            return max(abs(grad) - alpha, 0.0)
        if ax <= alpha:
            d = alpha
        elif ax <= a * alpha:
            d = (a * alpha - ax) / (a - 1.0)
        else:
            d = 0.0
        return abs(grad + s * d)
    if code == NONNEG:
        if x < 0.0:
            return np.inf
        if x == 0.0:
            return max(-grad, 0.0)
        return abs(grad)
    return abs(grad)


@njit
def threshold_scalar(code, step, alpha, p1, p2):
    """Dead zone of the prox: the largest ``|x|`` that :func:`prox_scalar` maps to 0.

    Parameters
    ----------
    code : int
        Penalty code.
    step : float
        Step size.
    alpha : float
        Penalty level.
    p1, p2 : float
        Penalty-specific parameters.

    Returns
    -------
    float
        The threshold.
    """
    lam = step * alpha
    if code == L1:
        return lam
    if code == ELASTIC_NET:
        return lam * p1
    if code == L0:
        if p1 == 0.0:
            return math.sqrt(2.0 * lam)
        return math.sqrt(lam)
    if code == LQ:
        return _lq_tau(lam, p1)
    if code == CEL0:
        if step * p1 * p1 < 1.0:
            return step * p1 * math.sqrt(2.0 * alpha)
        return math.sqrt(2.0 * lam)
    if code == MCP:
        if step < p1:
            return lam
        return alpha * math.sqrt(step * p1)
    if code == SCAD:
        a = p1
        if a * a > step * (a + 1.0):
            t2 = 0.5 * a * alpha + step * alpha * (a + 1.0) / (2.0 * a)
        else:
            t2 = alpha * math.sqrt(step * (a + 1.0))
        return min(lam, t2)
    return 0.0


# --------------------------------------------------------------------------- array loops
@njit
def prox_array(code, x, step, alpha, p1, p2):
    """Apply :func:`prox_scalar` to every entry of a 1-D array.

    Parameters
    ----------
    code : int
        Penalty code.
    x : ndarray of shape (n,)
        Inputs.
    step, alpha, p1, p2 : float
        As for :func:`prox_scalar`.

    Returns
    -------
    ndarray of shape (n,)
        The prox of each entry.
    """
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = prox_scalar(code, x[i], step, alpha, p1, p2)
    return out


@njit
def value_array(code, x, alpha, p1, p2):
    """Sum of :func:`value_scalar` over a 1-D array.

    Parameters
    ----------
    code : int
        Penalty code.
    x : ndarray of shape (n,)
        Entries.
    alpha, p1, p2 : float
        As for :func:`value_scalar`.

    Returns
    -------
    float
        The penalty value.
    """
    total = 0.0
    for i in range(x.shape[0]):
        total += value_scalar(code, x[i], alpha, p1, p2)
    return total


@njit
def subdiff_distance_array(code, x, grad, alpha, p1, p2):
    """Apply :func:`subdiff_distance_scalar` to every entry of 1-D arrays.

    Parameters
    ----------
    code : int
        Penalty code.
    x, grad : ndarray of shape (n,)
        Entries and gradients.
    alpha, p1, p2 : float
        As for :func:`subdiff_distance_scalar`.

    Returns
    -------
    ndarray of shape (n,)
        Distances.
    """
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = subdiff_distance_scalar(code, x[i], grad[i], alpha, p1, p2)
    return out


@njit
def block_soft_threshold(v, tau, out):
    """Block soft thresholding ``out = v max(1 - tau / ||v||, 0)`` (``out`` may be ``v``).

    Parameters
    ----------
    v : ndarray of shape (n,)
        The block.
    tau : float
        Threshold on the Euclidean norm.
    out : ndarray of shape (n,)
        Output buffer (may alias ``v``).

    Returns
    -------
    ndarray of shape (n,)
        ``out``.
    """
    nrm = 0.0
    for i in range(v.shape[0]):
        nrm += v[i] * v[i]
    nrm = math.sqrt(nrm)
    if nrm <= tau:
        for i in range(v.shape[0]):
            out[i] = 0.0
        return out
    scale = 1.0 - tau / nrm
    for i in range(v.shape[0]):
        out[i] = v[i] * scale
    return out


@njit
def topk_project(v, k, absolute):
    """Projection onto ``{||z||_0 <= k}`` (``absolute``) or ``{z >= 0, ||z||_0 <= k}``.

    Keeps the ``k`` entries of largest ``|v|`` (absolute) or largest ``v`` clipped at 0
    (signed); ties are broken by the lowest index.

    Parameters
    ----------
    v : ndarray of shape (n,)
        Input.
    k : int
        Number of entries kept.
    absolute : bool
        Mode.

    Returns
    -------
    ndarray of shape (n,)
        The projection (a new array).
    """
    n = v.shape[0]
    out = np.zeros_like(v)
    if k <= 0:
        return out
    if absolute:
        score = -np.abs(v)
    else:
        score = -v
    order = np.argsort(score, kind="mergesort")
    for j in range(min(k, n)):
        i = order[j]
        if absolute:
            out[i] = v[i]
        else:
            out[i] = max(v[i], 0.0)
    return out
