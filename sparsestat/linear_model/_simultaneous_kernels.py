"""Numba kernel of SimultaneousGLM: coordinate descent on a quadratic model with a shared Gram matrix.

Every problem ``t`` minimises, over a step ``d`` of its coefficients
``w_t = (b_t, w_t1..w_tp)`` (intercept first),

    g_t . d + (L_t / 2) d^T Q d + pen(w_t + d),

where ``Q = Z^T Z / n`` (``Z = [1, X - mean]``) is shared by all problems and
``L_t`` a per-problem scalar: 1 for the Gaussian loss with equal weights (the
model is then exact), ``max_i c_ti`` (Gaussian, weighted) or ``max_i c_ti / 4``
(binomial, Böhning's bound) otherwise, so the model majorises the loss. The
model gradient is kept up to date (``h += L_t delta Q[:, j]``, O(p) per
change), so one epoch costs O(p) plus O(p) per coefficient that moves instead
of O(n p). The elastic-net threshold is the shared ``prox_scalar``.
"""

import numpy as np

from sparsestat._penalty_kernels import ELASTIC_NET, prox_scalar
from sparsestat.utils._numba import njit


@njit
def gram_cd_all(Q, G, W, L, todo, alpha, l1_ratio, pf, fit_intercept, max_epochs, inner_tol):
    """One majorise-minimise step for every problem flagged in ``todo``.

    Parameters
    ----------
    Q : (p + 1, p + 1) shared Gram of ``[1, X - mean]`` over n
    G : (P, p + 1) loss gradients (intercept first)
    W : (P, p + 1) coefficients, updated in place
    L : (P,) curvature scale per problem
    todo : (P,) bool, problems still running
    alpha, l1_ratio : penalty ``alpha pf_j (l1_ratio |w| + (1 - l1_ratio) w^2 / 2)``
    pf : (p + 1,) penalty factors, ``pf[0]`` (intercept) is 0
    fit_intercept : bool
    max_epochs : int
    inner_tol : (P,) stop when the largest ``curvature * |delta|`` is below it

    Returns
    -------
    epochs : (P,) int, epochs run per problem
    """
    P, q = G.shape
    epochs_out = np.zeros(P, dtype=np.int64)
    h = np.empty(q)
    for t in range(P):
        if not todo[t]:
            continue
        Lt = L[t]
        for j in range(q):
            h[j] = G[t, j]
        active_only = False
        ep = 0
        while ep < max_epochs:
            ep += 1
            max_change = 0.0
            for j in range(q):
                if j == 0 and not fit_intercept:
                    continue
                old = W[t, j]
                if active_only and old == 0.0 and pf[j] > 0.0:
                    continue
                c = Lt * Q[j, j]
                if c <= 0.0:
                    continue
                v = old - h[j] / c
                if pf[j] > 0.0:
                    new = prox_scalar(ELASTIC_NET, v, 1.0 / c, alpha * pf[j], l1_ratio, 0.0)
                else:
                    new = v
                if new != old:
                    delta = new - old
                    W[t, j] = new
                    s = Lt * delta
                    for i in range(q):
                        h[i] += s * Q[i, j]
                    ch = c * abs(delta)
                    if ch > max_change:
                        max_change = ch
            if max_change <= inner_tol[t]:
                if not active_only:
                    break
                active_only = False
            else:
                active_only = True
        epochs_out[t] = ep
    return epochs_out
