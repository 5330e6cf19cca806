"""Numba kernel of the fast marginal-likelihood (sequential) SBL algorithm.

Tipping & Faul (2003): one basis function is added, re-estimated or deleted
per iteration, whichever raises the log marginal likelihood the most. The
posterior covariance ``Sigma`` (active x active), the mean ``mu`` and the
sparsity / quality factors ``S``, ``Q`` of every basis are updated with the
rank-one (Sherman-Morrison / bordering) formulas of the paper's appendix, so
one iteration costs O(p m) (re-estimate, delete) or O(n p) (add, which needs
one new column of the Gram matrix), never O(p^3). Statistics are recomputed
from a Cholesky factorisation whenever the noise precision changes, which also
removes rounding drift.

Plain arrays only: ``Phi`` is (n, p) real or complex, ``Y`` is (n, L).
"""

import numpy as np

from sparsestat.utils._numba import njit

# action codes
_NONE = 0
_REESTIMATE = 1
_ADD = 2
_DELETE = 3


@njit(error_model="numpy")
def _full_statistics(Gact, PhiY, diagG, act, m, alpha, beta, Sigma, mu, S, Q):
    """Recompute Sigma, mu, S, Q from scratch for the active set ``act[:m]``."""
    p = Gact.shape[0]
    L = PhiY.shape[1]
    A = np.empty((m, m), dtype=Gact.dtype)
    for k in range(m):
        for l in range(m):
            A[k, l] = beta * Gact[act[k], l]
        A[k, k] += alpha[act[k]]
    C = np.linalg.cholesky(A)
    Ci = np.linalg.inv(C)
    Sig = np.conj(Ci.T) @ Ci
    for k in range(m):
        for l in range(m):
            Sigma[k, l] = Sig[k, l]
    for k in range(m):
        for j in range(L):
            acc = 0.0 * Sigma[0, 0]
            for l in range(m):
                acc += Sigma[k, l] * PhiY[act[l], j]
            mu[k, j] = beta * acc
    # S_i = beta G_ii - beta^2 g_i Sigma g_i^H ; Q_i = beta (Phi^H y - g_i mu)
    GS = Gact[:, :m] @ Sigma[:m, :m]
    for i in range(p):
        s = 0.0
        for k in range(m):
            s += (GS[i, k] * np.conj(Gact[i, k])).real
        S[i] = beta * diagG[i] - beta * beta * s
        for j in range(L):
            acc = PhiY[i, j]
            for k in range(m):
                acc -= Gact[i, k] * mu[k, j]
            Q[i, j] = beta * acc


@njit
def _residual_sq(Phi, Y, act, m, mu):
    n, L = Y.shape
    r2 = 0.0
    for j in range(L):
        for t in range(n):
            acc = Y[t, j]
            for k in range(m):
                acc -= Phi[t, act[k]] * mu[k, j]
            r2 += abs(acc) ** 2
    return r2


@njit(error_model="numpy")
def fast_sbl(Phi, Y, beta0, learn_noise, max_iter, tol, noise_every, m_max, penalty, refresh_every):
    """Fast marginal likelihood maximisation (sequential SBL).

    Parameters
    ----------
    Phi : ndarray (n, p), float64 or complex128
    Y : ndarray (n, L), same dtype as Phi
    beta0 : float
        Initial (or fixed) noise precision.
    learn_noise : bool
    max_iter : int
    tol : float
        Convergence when no basis can be added or deleted and every
        re-estimation changes log(alpha) by less than ``tol``.
    noise_every : int
        Noise re-estimation period (iterations).
    m_max : int
        Capacity of the active set.
    refresh_every : int
        Exact recomputation period (bounds rounding drift of the rank-one updates).
    penalty : float
        Cost per active basis subtracted from the log marginal likelihood
        (in units of ``log|C| + y^H C^-1 y`` per target column); 0 is plain SBL.

    Returns
    -------
    act : int64 (m,), alpha : float64 (p,) (inf when inactive), mu : (m, L),
    Sigma : (m, m), beta : float, n_iter : int, converged : bool,
    max_dlogalpha : float (criterion reached)
    """
    n, p = Phi.shape
    L = Y.shape[1]
    dtype = Phi.dtype
    PhiH = np.ascontiguousarray(np.conj(Phi.T))
    PhiY = PhiH @ Y
    diagG = np.zeros(p)
    for i in range(p):
        s = 0.0
        for t in range(n):
            s += abs(Phi[t, i]) ** 2
        diagG[i] = s
    beta = beta0
    alpha = np.full(p, np.inf)
    pos = np.full(p, -1, dtype=np.int64)
    act = np.zeros(m_max, dtype=np.int64)
    Gact = np.zeros((p, m_max), dtype=dtype)
    Sigma = np.zeros((m_max, m_max), dtype=dtype)
    mu = np.zeros((m_max, L), dtype=dtype)
    S = np.zeros(p)
    Q = np.zeros((p, L), dtype=dtype)

    # initial basis: largest normalised projection
    best = -1
    bestval = -1.0
    for i in range(p):
        if diagG[i] <= 0.0:
            continue
        v = 0.0
        for j in range(L):
            v += abs(PhiY[i, j]) ** 2
        v = v / diagG[i]
        if v > bestval:
            bestval = v
            best = i
    if best < 0:
        return act[:0], alpha, mu[:0], Sigma[:0, :0], beta, 0, True, 0.0
    s0 = beta * diagG[best]
    q2 = beta * beta * bestval * diagG[best] / L
    a0 = s0 * s0 / (q2 - s0) if q2 > s0 else 1e3 * s0
    alpha[best] = a0
    act[0] = best
    pos[best] = 0
    m = 1
    g = PhiH @ Phi[:, best]
    for i in range(p):
        Gact[i, 0] = g[i]
    _full_statistics(Gact, PhiY, diagG, act, m, alpha, beta, Sigma, mu, S, Q)

    converged = False
    max_dla = np.inf
    it = 0
    last_noise_change = np.inf
    w = np.empty(p, dtype=dtype)
    for it in range(1, max_iter + 1):
        # --- score every candidate action
        best_dl = 0.0
        best_i = -1
        best_action = _NONE
        best_alpha = 0.0
        any_add = False
        any_del = False
        max_dla = 0.0
        for i in range(p):
            if diagG[i] <= 0.0:
                continue
            Q2 = 0.0
            for j in range(L):
                Q2 += abs(Q[i, j]) ** 2
            Q2 /= L
            Si = S[i]
            if pos[i] >= 0:
                a = alpha[i]
                if a <= Si:
                    continue
                si = a * Si / (a - Si)
                q2 = Q2 * (a / (a - Si)) ** 2
                theta = q2 - si
                d_re = 0.0
                new_a = a
                if theta > 0.0:
                    new_a = si * si / theta
                    dla = abs(np.log(new_a) - np.log(a))
                    if dla > max_dla:
                        max_dla = dla
                    delta = 1.0 / new_a - 1.0 / a
                    if delta != 0.0:
                        d_re = Q2 / (Si + 1.0 / delta) - np.log(1.0 + Si * delta)
                    if d_re > best_dl:
                        best_dl = d_re
                        best_i = i
                        best_action = _REESTIMATE
                        best_alpha = new_a
                if m > 1:
                    # exact gain of deleting from the current alpha, plus the saved penalty
                    d_del = Q2 / (Si - a) - np.log(1.0 - Si / a) + penalty
                    if d_del > d_re and d_del > 0.0:
                        any_del = True
                        if d_del > best_dl:
                            best_dl = d_del
                            best_i = i
                            best_action = _DELETE
            else:
                # skip (numerically) linearly dependent bases
                if Si <= 1e-10 * beta * diagG[i] or m >= m_max:
                    continue
                theta = Q2 - Si
                if theta > 0.0:
                    dl = (Q2 - Si) / Si + np.log(Si / Q2) - penalty
                    if dl > 0.0:
                        any_add = True
                    if dl > best_dl:
                        best_dl = dl
                        best_i = i
                        best_action = _ADD
                        best_alpha = Si * Si / theta
        if not any_add and not any_del and max_dla < tol:
            if not learn_noise or last_noise_change < tol:
                converged = True
                break
        # --- take the action
        if best_action == _REESTIMATE:
            k = pos[best_i]
            delta = best_alpha - alpha[best_i]
            kappa = 1.0 / (Sigma[k, k].real + 1.0 / delta)
            # w_m = beta * Sigma[k, :] Phi_A^H phi_m
            for i in range(p):
                acc = 0.0 * Sigma[0, 0]
                for l in range(m):
                    acc += Sigma[k, l] * np.conj(Gact[i, l])
                w[i] = beta * acc
            muk = mu[k, :].copy()
            colk = Sigma[:m, k].copy()
            rowk = Sigma[k, :m].copy()
            for a_ in range(m):
                for b_ in range(m):
                    Sigma[a_, b_] -= kappa * colk[a_] * rowk[b_]
                for j in range(L):
                    mu[a_, j] -= kappa * muk[j] * colk[a_]
            for i in range(p):
                S[i] += kappa * abs(w[i]) ** 2
                for j in range(L):
                    Q[i, j] += kappa * np.conj(w[i]) * muk[j]
            alpha[best_i] = best_alpha
        elif best_action == _DELETE:
            k = pos[best_i]
            skk = Sigma[k, k].real
            for i in range(p):
                acc = 0.0 * Sigma[0, 0]
                for l in range(m):
                    acc += Sigma[k, l] * np.conj(Gact[i, l])
                w[i] = beta * acc
            muk = mu[k, :].copy()
            colk = Sigma[:m, k].copy()
            rowk = Sigma[k, :m].copy()
            for a_ in range(m):
                for b_ in range(m):
                    Sigma[a_, b_] -= colk[a_] * rowk[b_] / skk
                for j in range(L):
                    mu[a_, j] -= muk[j] * colk[a_] / skk
            for i in range(p):
                S[i] += abs(w[i]) ** 2 / skk
                for j in range(L):
                    Q[i, j] += np.conj(w[i]) * muk[j] / skk
            # remove position k by moving the last one into it
            last = m - 1
            if k != last:
                jl = act[last]
                act[k] = jl
                pos[jl] = k
                for a_ in range(m):
                    Sigma[a_, k] = Sigma[a_, last]
                for a_ in range(m):
                    Sigma[k, a_] = Sigma[last, a_]
                Sigma[k, k] = Sigma[last, last]
                for j in range(L):
                    mu[k, j] = mu[last, j]
                for i in range(p):
                    Gact[i, k] = Gact[i, last]
            pos[best_i] = -1
            alpha[best_i] = np.inf
            m -= 1
        elif best_action == _ADD:
            i_new = best_i
            g = PhiH @ Phi[:, i_new]
            # v = beta Sigma Phi_A^H phi_i
            v = np.empty(m, dtype=dtype)
            for a_ in range(m):
                acc = 0.0 * Sigma[0, 0]
                for l in range(m):
                    acc += Sigma[a_, l] * np.conj(Gact[i_new, l])
                v[a_] = beta * acc
            sii = 1.0 / (best_alpha + S[i_new])
            mui = np.empty(L, dtype=dtype)
            for j in range(L):
                mui[j] = sii * Q[i_new, j]
            # w_m = beta phi_m^H e_i = beta (g_m - sum_l Gact[m, l] v_l)
            for i in range(p):
                acc = g[i]
                for l in range(m):
                    acc -= Gact[i, l] * v[l]
                w[i] = beta * acc
            for a_ in range(m):
                for b_ in range(m):
                    Sigma[a_, b_] += sii * v[a_] * np.conj(v[b_])
                Sigma[a_, m] = -sii * v[a_]
                Sigma[m, a_] = -sii * np.conj(v[a_])
                for j in range(L):
                    mu[a_, j] -= mui[j] * v[a_]
            Sigma[m, m] = sii
            for j in range(L):
                mu[m, j] = mui[j]
            for i in range(p):
                S[i] -= sii * abs(w[i]) ** 2
                for j in range(L):
                    Q[i, j] -= mui[j] * w[i]
                Gact[i, m] = g[i]
            act[m] = i_new
            pos[i_new] = m
            alpha[i_new] = best_alpha
            m += 1
        # --- noise re-estimation (then exact recomputation)
        if learn_noise and (it % noise_every == 0 or best_action == _NONE):
            # EM update of the noise (monotone in the SBL cost, unlike MacKay's
            # sigma^2 = |r|^2 / (n - sum gamma_i), which can collapse to 0 when p > n)
            beta_before = beta
            for _ in range(3):
                r2 = _residual_sq(Phi, Y, act, m, mu)
                gsum = 0.0
                for k in range(m):
                    gsum += 1.0 - alpha[act[k]] * Sigma[k, k].real
                s2 = (r2 / L + gsum / beta) / n
                beta = 1.0 / max(s2, 1e-300)
                _full_statistics(Gact, PhiY, diagG, act, m, alpha, beta, Sigma, mu, S, Q)
            last_noise_change = abs(np.log(beta) - np.log(beta_before))
        elif it % refresh_every == 0:
            _full_statistics(Gact, PhiY, diagG, act, m, alpha, beta, Sigma, mu, S, Q)
        elif best_action == _NONE:
            # nothing improves the likelihood but not converged: refresh and stop
            _full_statistics(Gact, PhiY, diagG, act, m, alpha, beta, Sigma, mu, S, Q)
            converged = max_dla < tol
            break
    # final exact statistics
    _full_statistics(Gact, PhiY, diagG, act, m, alpha, beta, Sigma, mu, S, Q)
    return act[:m].copy(), alpha, mu[:m].copy(), Sigma[:m, :m].copy(), beta, it, converged, max_dla
