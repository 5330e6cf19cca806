"""Numba kernels of the multinomial Lasso's proximal-Newton solver.

The outer loop (in :mod:`sparsestat.linear_model._multinomial`) forms, at the
current coefficients ``(W, b)``, the second-order model of the averaged
softmax loss

.. math::

    q(\\Delta) = \\langle G, \\Delta W\\rangle + \\langle g_b, \\Delta b\\rangle
    + \\tfrac12 \\sum_i a_i \\big(\\textstyle\\sum_k p_{ik} d_{ik}^2
    - (\\sum_k p_{ik} d_{ik})^2\\big),
    \\qquad d_i = \\Delta W x_i + \\Delta b,

(``a_i`` = normalised sample weights, ``p_i`` = class probabilities) — the
exact Hessian, classes coupled. :func:`newton_direction` minimises
``q + penalty`` over a working set of features by coordinate descent, keeping
``deta`` (the model's change of linear predictor, one row per class) and
``mvec = sum_k p_k * deta_k`` up to date, so the model gradient of
coordinate ``(k, j)`` is ``G[k, j] + sum_i x_ij C[k, i] (deta[k, i] - mvec[i])``
with ``C = a * p``. Column access goes through ``_col_axpy`` of the Lasso
engine (dense Fortran buffer or CSC triplet); thresholds through the shared
penalty kernels (``prox_scalar`` for the elementwise elastic net,
``block_soft_threshold`` for the group penalty).
"""

import numpy as np

from sparsestat._penalty_kernels import ELASTIC_NET, block_soft_threshold, prox_scalar
from sparsestat.linear_model._cd import _col_axpy
from sparsestat.utils._numba import njit


@njit(fastmath={"reassoc", "contract"})
def _wdot(j, c, d, m, Xd, Xi, Xp, is_sparse):
    """sum_i x_ij c_i (d_i - m_i)."""
    s = 0.0
    if is_sparse:
        for t in range(Xp[j], Xp[j + 1]):
            i = Xi[t]
            s += Xd[t] * c[i] * (d[i] - m[i])
    else:
        n = c.shape[0]
        base = j * n
        for i in range(n):
            s += Xd[base + i] * c[i] * (d[i] - m[i])
    return s


@njit(fastmath={"reassoc", "contract"})
def _wsq(j, c, q, Xd, Xi, Xp, is_sparse):
    """sum_i x_ij^2 c_i q_i (q = 1 - p for the diagonal, ones for the Böhning-type bound)."""
    s = 0.0
    if is_sparse:
        for t in range(Xp[j], Xp[j + 1]):
            i = Xi[t]
            s += Xd[t] * Xd[t] * c[i] * q[i]
    else:
        n = c.shape[0]
        base = j * n
        for i in range(n):
            x = Xd[base + i]
            s += x * x * c[i] * q[i]
    return s


@njit(fastmath={"contract"})
def _m_update(j, a, pk, m, Xd, Xi, Xp, is_sparse):
    """m_i += a p_ik x_ij."""
    if is_sparse:
        for t in range(Xp[j], Xp[j + 1]):
            i = Xi[t]
            m[i] += a * pk[i] * Xd[t]
    else:
        n = m.shape[0]
        base = j * n
        for i in range(n):
            m[i] += a * pk[i] * Xd[base + i]


@njit
def newton_direction(Xd, Xi, Xp, is_sparse, ws, G, gb, W, b, C, P, fit_intercept, group,
                     alpha, l1_ratio, pf, max_epochs, inner_tol):
    """Minimise the exact second-order model plus penalty over the working set ``ws``.

    Parameters
    ----------
    Xd, Xi, Xp, is_sparse : design (dense Fortran buffer raveled, or CSC triplet)
    ws : int array (m,) of feature indices
    G : (K, p) loss gradient; gb : (K,) intercept gradient
    W : (K, p), b : (K,) current coefficients
    C : (K, n) ``a_i p_ik``; P : (K, n) probabilities
    group : bool, group (feature-wise) penalty instead of elementwise
    alpha, l1_ratio, pf : penalty ``alpha pf_j (l1_ratio |.| + (1 - l1_ratio)/2 |.|^2)``
    max_epochs : int; inner_tol : float, stop when the largest ``curvature * |step|`` is below it

    Returns
    -------
    Wn : (K, m) new coefficients of the working-set features
    db : (K,) intercept step
    deta : (K, n) change of the linear predictor (model units)
    epochs : int
    """
    K, n = C.shape
    m = ws.shape[0]
    Wn = np.empty((K, m))
    for jj in range(m):
        for k in range(K):
            Wn[k, jj] = W[k, ws[jj]]
    deta = np.zeros((K, n))
    mvec = np.zeros(n)
    db = np.zeros(K)
    one_minus_p = 1.0 - P
    ones = np.ones(n)
    # curvatures
    H = np.zeros((K, m))
    Lg = np.zeros(m)
    for jj in range(m):
        j = ws[jj]
        for k in range(K):
            H[k, jj] = _wsq(j, C[k], one_minus_p[k], Xd, Xi, Xp, is_sparse)
            if group:
                d = _wsq(j, C[k], ones, Xd, Xi, Xp, is_sparse)
                if d > Lg[jj]:
                    Lg[jj] = d
    hb = np.zeros(K)
    for k in range(K):
        s = 0.0
        for i in range(n):
            s += C[k, i] * one_minus_p[k, i]
        hb[k] = s
    gvec = np.zeros(K)
    vvec = np.zeros(K)
    zvec = np.zeros(K)
    epochs = 0
    active_only = False
    while epochs < max_epochs:
        epochs += 1
        max_change = 0.0
        if fit_intercept:
            for k in range(K):
                if hb[k] <= 0.0:
                    continue
                g = gb[k]
                for i in range(n):
                    g += C[k, i] * (deta[k, i] - mvec[i])
                delta = -g / hb[k]
                if delta != 0.0:
                    db[k] += delta
                    for i in range(n):
                        deta[k, i] += delta
                        mvec[i] += delta * P[k, i]
                    ch = hb[k] * abs(delta)
                    if ch > max_change:
                        max_change = ch
        for jj in range(m):
            j = ws[jj]
            if group:
                L = Lg[jj]
                if L <= 0.0:
                    continue
                nz = False
                for k in range(K):
                    if Wn[k, jj] != 0.0:
                        nz = True
                if active_only and not nz:
                    continue
                c2 = alpha * pf[j] * (1.0 - l1_ratio)
                for k in range(K):
                    gvec[k] = G[k, j] + _wdot(j, C[k], deta[k], mvec, Xd, Xi, Xp, is_sparse)
                    vvec[k] = (L * Wn[k, jj] - gvec[k]) / (L + c2)
                block_soft_threshold(vvec, alpha * pf[j] * l1_ratio / (L + c2), zvec)
                for k in range(K):
                    delta = zvec[k] - Wn[k, jj]
                    if delta != 0.0:
                        Wn[k, jj] = zvec[k]
                        _col_axpy(j, delta, deta[k], Xd, Xi, Xp, is_sparse)
                        _m_update(j, delta, P[k], mvec, Xd, Xi, Xp, is_sparse)
                        ch = L * abs(delta)
                        if ch > max_change:
                            max_change = ch
            else:
                for k in range(K):
                    h = H[k, jj]
                    if h <= 0.0:
                        continue
                    old = Wn[k, jj]
                    if active_only and old == 0.0:
                        continue
                    g = G[k, j] + _wdot(j, C[k], deta[k], mvec, Xd, Xi, Xp, is_sparse)
                    v = old - g / h
                    if pf[j] > 0.0:
                        new = prox_scalar(ELASTIC_NET, v, 1.0 / h, alpha * pf[j], l1_ratio, 0.0)
                    else:
                        new = v
                    if new != old:
                        delta = new - old
                        Wn[k, jj] = new
                        _col_axpy(j, delta, deta[k], Xd, Xi, Xp, is_sparse)
                        _m_update(j, delta, P[k], mvec, Xd, Xi, Xp, is_sparse)
                        ch = h * abs(delta)
                        if ch > max_change:
                            max_change = ch
        if max_change <= inner_tol:
            if not active_only:
                break  # a full sweep changed nothing significant
            active_only = False
        else:
            active_only = True
    return Wn, db, deta, epochs
