"""Numba kernels of the sparse coders (plain arrays, no validation).

All coders work on the Gram matrix ``G = D Dᵀ`` (atoms are the rows of ``D``) and on the
correlations ``Xy = X Dᵀ``, both computed outside by BLAS-3. Each signal is then an independent
small problem; the batch loops run in parallel (``prange``) over signals.

- :func:`omp_gram_batch`: orthogonal matching pursuit with an incremental Cholesky factor of the
  active Gram block (Pati et al.; the Gram form of Rubinstein, Zibulevsky & Elad), optionally
  non-negative (the active-set least squares then becomes a small NNLS solved by coordinate
  descent on the active Gram block);
- :func:`mp_gram_batch`: plain matching pursuit (Mallat & Zhang), with re-selection allowed or not;
- :func:`cd_gram_batch`: working-set coordinate descent on ½‖x − zD‖² + Σ_j pen_j(z_j) for any
  separable penalty of :mod:`sparsestat._penalty_kernels` (each coordinate update is that
  penalty's exact prox with step 1/G_jj, so the codes are coordinate-wise global minimisers);
- :func:`prox_rows`: the elementwise prox of a batch (used by the batched ISTA/FISTA in NumPy).
"""

import math

import numpy as np
from numba import prange

from sparsestat._penalty_kernels import L0 as _L0_CODE
from sparsestat._penalty_kernels import L1 as _L1_CODE
from sparsestat._penalty_kernels import prox_scalar
from sparsestat.utils._numba import njit

__all__ = ["omp_gram_batch", "mp_gram_batch", "cd_gram_batch", "prox_rows"]

_TINY = 1e-300


# --------------------------------------------------------------------------- OMP
@njit
def _forward(L, s, b, out):
    """Solve L[:s, :s] out = b[:s] (lower triangular)."""
    for i in range(s):
        acc = b[i]
        for t in range(i):
            acc -= L[i, t] * out[t]
        out[i] = acc / L[i, i]


@njit
def _backward_t(L, s, b, out):
    """Solve L[:s, :s]ᵀ out = b[:s]."""
    for i in range(s - 1, -1, -1):
        acc = b[i]
        for t in range(i + 1, s):
            acc -= L[t, i] * out[t]
        out[i] = acc / L[i, i]


@njit
def _nnls_active(G, idx, s, rhs, gamma, max_sweeps):
    """Non-negative least squares on the active block by exact coordinate descent (warm ``gamma``)."""
    for _ in range(max_sweeps):
        change = 0.0
        scale = 0.0
        for a in range(s):
            ja = idx[a]
            g = rhs[a]
            for b in range(s):
                g -= G[ja, idx[b]] * gamma[b]
            new = max(gamma[a] + g / G[ja, ja], 0.0)
            d = abs(new - gamma[a])
            if d > change:
                change = d
            gamma[a] = new
            if new > scale:
                scale = new
        if change <= 1e-14 * max(scale, 1e-300):
            break


@njit
def _omp_one(xy, G, xsq, kmax, tol_sq, nonneg, code, work_alpha, L, idx, gamma, rhs, tmp):
    M = xy.shape[0]
    for j in range(M):
        work_alpha[j] = xy[j]
    s = 0
    res = xsq
    while s < kmax:
        if tol_sq >= 0.0 and res <= tol_sq:
            break
        best = -1
        bv = 0.0
        for j in range(M):
            v = work_alpha[j] if nonneg else abs(work_alpha[j])
            if v > bv:
                bv = v
                best = j
        if best < 0 or bv * bv < 1e-300:
            break
        already = False
        for t in range(s):
            if idx[t] == best:
                already = True
        if already:  # numerical noise: the residual is orthogonal to the active atoms
            break
        if s == 0:
            d = G[best, best]
            if d <= 1e-300:
                break
            L[0, 0] = math.sqrt(d)
        else:
            for t in range(s):
                rhs[t] = G[idx[t], best]
            _forward(L, s, rhs, tmp)
            d = G[best, best]
            for t in range(s):
                d -= tmp[t] * tmp[t]
            if d <= 2.2250738585072014e-308:  # linearly dependent atom (as scikit-learn's min_float)
                break
            for t in range(s):
                L[s, t] = tmp[t]
            L[s, s] = math.sqrt(d)
        idx[s] = best
        s += 1
        for t in range(s):
            rhs[t] = xy[idx[t]]
        _forward(L, s, rhs, tmp)
        _backward_t(L, s, tmp, gamma)
        if nonneg:
            neg = False
            for t in range(s):
                if gamma[t] < 0.0:
                    neg = True
            if neg:
                for t in range(s):
                    gamma[t] = max(gamma[t], 0.0)
                _nnls_active(G, idx, s, rhs, gamma, 10000)
        # correlations of the new residual: xy - G[:, idx] gamma (G symmetric -> row access)
        for j in range(M):
            work_alpha[j] = xy[j]
        for t in range(s):
            gt = gamma[t]
            row = idx[t]
            for j in range(M):
                work_alpha[j] -= G[row, j] * gt
        # squared residual norm ||x||² - 2 γ·rhs + γᵀ G_A γ  (= ||x||² - γ·rhs for least squares)
        quad = 0.0
        lin = 0.0
        for t in range(s):
            lin += gamma[t] * rhs[t]
            for u in range(s):
                quad += gamma[t] * G[idx[t], idx[u]] * gamma[u]
        res = max(xsq - 2.0 * lin + quad, 0.0)
    for t in range(s):
        code[idx[t]] = gamma[t]
    return s, res


@njit(parallel=True)
def _omp_gram_parallel(Xy, G, x_sqnorms, n_nonzero, tol_sq, nonneg, codes, n_active, res_sq):
    """Orthogonal matching pursuit of every row of ``Xy`` on Gram ``G`` (incremental Cholesky).

    Parameters
    ----------
    Xy : ndarray of shape (n_signals, n_atoms)
        Correlations ``X Dᵀ``.
    G : ndarray of shape (n_atoms, n_atoms)
        Gram matrix ``D Dᵀ`` (C-contiguous).
    x_sqnorms : ndarray of shape (n_signals,)
        Squared norms of the signals (for the residual stopping rule).
    n_nonzero : int
        Maximum number of atoms per signal.
    tol_sq : float
        Stop when the squared residual norm is ``<= tol_sq`` (negative: no residual rule).
    nonneg : bool
        Non-negative OMP (select the largest positive correlation, NNLS refit).
    codes : ndarray of shape (n_signals, n_atoms)
        Output, zero-initialised.
    n_active : ndarray of shape (n_signals,) of int64
        Output: atoms selected per signal.
    res_sq : ndarray of shape (n_signals,)
        Output: final squared residual norms.
    """
    n, M = Xy.shape
    k = max(min(n_nonzero, M), 1)
    n_chunks = min(n, 64)
    for c in prange(n_chunks):
        work = np.empty(M, dtype=Xy.dtype)
        L = np.zeros((k, k), dtype=Xy.dtype)
        idx = np.zeros(k, dtype=np.int64)
        gamma = np.zeros(k, dtype=Xy.dtype)
        rhs = np.zeros(k, dtype=Xy.dtype)
        tmp = np.zeros(k, dtype=Xy.dtype)
        for i in range(c * n // n_chunks, (c + 1) * n // n_chunks):
            s, r = _omp_one(Xy[i], G, x_sqnorms[i], min(n_nonzero, M), tol_sq, nonneg, codes[i], work, L, idx,
                            gamma, rhs, tmp)
            n_active[i] = s
            res_sq[i] = r


# --------------------------------------------------------------------------- MP
@njit(parallel=True)
def _mp_gram_parallel(Xy, G, x_sqnorms, n_steps, tol_sq, nonneg, allow_reselect, codes, n_done, res_sq, res_path):
    """Plain matching pursuit of every signal on Gram ``G``.

    Each step picks ``j* = argmax_j |c_j| / ||d_j||`` (``c_j / ||d_j||`` for the non-negative
    variant) of the residual correlations ``c``, adds the projection ``c_j* / G_j*j*`` to the code
    and removes it from the residual: ``c ← c − (c_j*/G_j*j*) G[:, j*]``, ``‖r‖² ← ‖r‖² − c_j*²/G_j*j*``.

    Parameters
    ----------
    Xy : ndarray of shape (n_signals, n_atoms)
        Correlations ``X Dᵀ``.
    G : ndarray of shape (n_atoms, n_atoms)
        Gram matrix.
    x_sqnorms : ndarray of shape (n_signals,)
        Squared signal norms.
    n_steps : int
        Maximum number of pursuit steps.
    tol_sq : float
        Residual stopping rule (negative: none).
    nonneg : bool
        Only positive coefficients.
    allow_reselect : bool
        Whether an atom may be selected again.
    codes : ndarray of shape (n_signals, n_atoms)
        Output, zero-initialised.
    n_done : ndarray of shape (n_signals,) of int64
        Output: steps taken.
    res_sq : ndarray of shape (n_signals,)
        Output: final squared residual norms.
    res_path : ndarray of shape (n_signals, n_steps + 1)
        Output: squared residual norm before each step and at the end (NaN after stopping).
    """
    n, M = Xy.shape
    inv_norm = np.empty(M, dtype=G.dtype)
    for j in range(M):
        inv_norm[j] = 1.0 / math.sqrt(G[j, j])
    for i in prange(n):
        c = Xy[i].copy()
        used = np.zeros(M, dtype=np.bool_)
        res = x_sqnorms[i]
        steps = 0
        res_path[i, 0] = res
        while steps < n_steps:
            if tol_sq >= 0.0 and res <= tol_sq:
                break
            best = -1
            bv = 0.0
            for j in range(M):
                if not allow_reselect and used[j]:
                    continue
                v = c[j] * inv_norm[j]
                if not nonneg:
                    v = abs(v)
                if v > bv:
                    bv = v
                    best = j
            if best < 0 or bv * bv <= 1e-30 * max(x_sqnorms[i], 1e-300):
                break
            coef = c[best] / G[best, best]
            codes[i, best] += coef
            used[best] = True
            for j in range(M):
                c[j] -= coef * G[best, j]
            res = max(res - coef * coef * G[best, best], 0.0)
            steps += 1
            res_path[i, steps] = res
        n_done[i] = steps
        res_sq[i] = res


# --------------------------------------------------------------------------- CD
@njit
def _polish_quadratic(code, params, active, n_act, Gaa, qa, za, S, Lc, rhs, tmp, sol):
    """Exact solve on the support for ℓ1 / ℓ0 (quadratic once the support and signs are fixed).

    On the support ``S`` of ``za`` the objective is ½‖x − z_S D_S‖² + α Σ s_j z_j (ℓ1, signs
    ``s`` fixed) or + const (ℓ0), whose minimiser solves ``G_SS z_S = xy_S − α s`` (ℓ1) or
    ``G_SS z_S = xy_S`` (ℓ0), with ``xy_S = qa_S + G_SS za_S``. The solution is accepted only
    when it keeps every sign (ℓ1) and no entry vanishes, so the objective does not increase.
    Returns whether it was accepted.
    """
    ns = 0
    for a in range(n_act):
        if za[a] != 0.0:
            S[ns] = a
            ns += 1
    if ns == 0:
        return False
    for r in range(ns):
        ar = S[r]
        acc = qa[ar]
        for t in range(ns):
            acc += Gaa[ar, S[t]] * za[S[t]]
        if code == _L1_CODE:
            acc -= params[active[ar], 0] * (1.0 if za[ar] > 0.0 else -1.0)
        rhs[r] = acc
    # Cholesky of G_SS
    for r in range(ns):
        for t in range(r + 1):
            acc = Gaa[S[r], S[t]]
            for u in range(t):
                acc -= Lc[r, u] * Lc[t, u]
            if r == t:
                if acc <= 1e-12 * Gaa[S[r], S[r]]:
                    return False
                Lc[r, r] = math.sqrt(acc)
            else:
                Lc[r, t] = acc / Lc[t, t]
    _forward(Lc, ns, rhs, tmp)
    _backward_t(Lc, ns, tmp, sol)
    for r in range(ns):
        v = sol[r]
        if v == 0.0 or not math.isfinite(v):
            return False
        if code == _L1_CODE and (v > 0.0) != (za[S[r]] > 0.0):
            return False
    for r in range(ns):
        ar = S[r]
        d = sol[r] - za[ar]
        if d != 0.0:
            za[ar] = sol[r]
            for b in range(n_act):
                qa[b] -= d * Gaa[ar, b]
    return True


@njit
def _cd_active(z, q, G, code, params, active, n_act, Gaa, qa, za, z0, tol_abs, max_sweeps, scale, S, Lc, vec):
    """Gauss-Seidel sweeps over ``active[:n_act]`` on a compact copy of its Gram block.

    Only the working-set correlations ``qa`` are kept up to date inside (O(k) per coordinate
    move instead of O(M)); the full ``q = xy - G z`` is updated once at the end (O(kM)).
    For ℓ1 and ℓ0 the sweeps stop early once the support settles (moves below ``1e-3 · scale``)
    and the support problem is solved exactly (:func:`_polish_quadratic`); the sweeps go on to
    ``tol_abs`` if that solve is rejected.
    """
    M = z.shape[0]
    for a in range(n_act):
        ja = active[a]
        qa[a] = q[ja]
        za[a] = z[ja]
        z0[a] = z[ja]
        for b in range(n_act):
            Gaa[a, b] = G[ja, active[b]]
    polish = code == _L1_CODE or code == _L0_CODE
    loose = max(tol_abs, 1e-3 * scale)
    sweeps = 0
    while sweeps < max_sweeps:
        sweeps += 1
        change = 0.0
        for a in range(n_act):
            j = active[a]
            gjj = Gaa[a, a]
            zj = za[a]
            new = prox_scalar(code, zj + qa[a] / gjj, 1.0 / gjj, params[j, 0], params[j, 1], params[j, 2])
            d = new - zj
            if d != 0.0:
                za[a] = new
                for b in range(n_act):
                    qa[b] -= d * Gaa[a, b]
                if abs(d) > change:
                    change = abs(d)
        if change <= tol_abs:
            break
        if polish and change <= loose:
            polish = False  # one exact solve per call
            if _polish_quadratic(code, params, active, n_act, Gaa, qa, za, S, Lc, vec[0], vec[1], vec[2]):
                break
    for a in range(n_act):
        d = za[a] - z0[a]
        if d != 0.0:
            j = active[a]
            z[j] = za[a]
            for m in range(M):
                q[m] -= d * G[j, m]
    return sweeps


@njit
def _cd_one(z, q, G, code, params, max_iter, tol, active, Gaa, qa, za, z0, S, Lc, vec):
    """Working-set coordinate descent of one signal; ``q = xy - G z`` on entry.

    Each outer iteration scores every coordinate by its exact prox move at the current point
    (a Jacobi pass, no updates); the signal is converged when no move exceeds
    ``tol * max|z|``. Otherwise the working set (support plus every coordinate the prox would
    make non-zero) is solved by Gauss-Seidel sweeps on its compact Gram block. Every update is
    an exact coordinate minimisation, so the objective never increases.
    """
    M = z.shape[0]
    it = 0
    while it < max_iter:
        it += 1
        move = 0.0
        zmax = 0.0
        n_act = 0
        for j in range(M):
            gjj = G[j, j]
            zj = z[j]
            new = prox_scalar(code, zj + q[j] / gjj, 1.0 / gjj, params[j, 0], params[j, 1], params[j, 2])
            d = abs(new - zj)
            if d > move:
                move = d
            if abs(zj) > zmax:
                zmax = abs(zj)
            if zj != 0.0 or new != 0.0:
                active[n_act] = j
                n_act += 1
                if abs(new) > zmax:
                    zmax = abs(new)
        if move <= tol * max(zmax, 1e-300):
            return it, True
        _cd_active(z, q, G, code, params, active, n_act, Gaa, qa, za, z0, 0.1 * tol * max(zmax, 1e-300),
                   max_iter, zmax, S, Lc, vec)
    return it, False


@njit(parallel=True)
def _cd_gram_parallel(Xy, G, code, params, codes, max_iter, tol, n_iter, converged):
    """Coordinate descent of ½‖x − zD‖² + Σ_j pen(z_j; params_j) for every signal.

    Working-set strategy (as in Celer/skglm, without screening): a Jacobi pass scores every
    coordinate by the move its exact prox would make; the support plus the coordinates that
    would become non-zero are then solved by Gauss-Seidel coordinate descent on a compact copy
    of their Gram block (an inner move costs O(k), not O(M)), and the full correlations are
    refreshed once (O(kM)). A signal is converged when the Jacobi pass finds no move above
    ``tol · max(max_j |z_j|, 1e-300)``: every coordinate is then (to ``tol``) a global
    minimiser of the objective in that coordinate.

    Parameters
    ----------
    Xy : ndarray of shape (n_signals, n_atoms)
        Correlations ``X Dᵀ``.
    G : ndarray of shape (n_atoms, n_atoms)
        Gram matrix (positive diagonal).
    code : int
        Penalty code of :mod:`sparsestat._penalty_kernels`.
    params : ndarray of shape (n_atoms, 3)
        Per-atom ``(alpha, p1, p2)``.
    codes : ndarray of shape (n_signals, n_atoms)
        Warm start in, codes out.
    max_iter : int
        Maximum number of outer (working-set) iterations.
    tol : float
        Relative tolerance on the largest prox move.
    n_iter : ndarray of shape (n_signals,) of int64
        Output: outer iterations done.
    converged : ndarray of shape (n_signals,) of bool
        Output: whether the tolerance was reached.
    """
    n, M = Xy.shape
    n_chunks = min(n, 64)
    for c in prange(n_chunks):
        q = np.empty(M, dtype=Xy.dtype)
        active = np.empty(M, dtype=np.int64)
        Gaa = np.empty((M, M), dtype=Xy.dtype)
        qa = np.empty(M, dtype=Xy.dtype)
        za = np.empty(M, dtype=Xy.dtype)
        z0 = np.empty(M, dtype=Xy.dtype)
        S = np.empty(M, dtype=np.int64)
        Lc = np.empty((M, M), dtype=Xy.dtype)
        vec = np.empty((3, M), dtype=Xy.dtype)
        for i in range(c * n // n_chunks, (c + 1) * n // n_chunks):
            z = codes[i]
            for m in range(M):
                q[m] = Xy[i, m]
            for j in range(M):
                zj = z[j]
                if zj != 0.0:
                    for m in range(M):
                        q[m] -= zj * G[j, m]
            it, conv = _cd_one(z, q, G, code, params, max_iter, tol, active, Gaa, qa, za, z0, S, Lc, vec)
            n_iter[i] = it
            converged[i] = conv


# --------------------------------------------------------------------------- elementwise prox
@njit(parallel=True)
def _prox_rows_parallel(V, step, code, params, out):
    """``out[i, j] = prox_scalar(code, V[i, j], step, *params[j])`` for a batch.

    Parameters
    ----------
    V : ndarray of shape (n_signals, n_atoms)
        Inputs.
    step : float
        Step size.
    code : int
        Penalty code.
    params : ndarray of shape (n_atoms, 3)
        Per-atom parameters.
    out : ndarray of shape (n_signals, n_atoms)
        Output (may alias ``V``).
    """
    n, M = V.shape
    for i in prange(n):
        for j in range(M):
            out[i, j] = prox_scalar(code, V[i, j], step, params[j, 0], params[j, 1], params[j, 2])


# --------------------------------------------------------------------------- dispatch
# Small batches run serially: a parallel region costs a thread wake-up that dominates below
# ~10^5 atom-signal pairs (and much more on an oversubscribed machine).
_SERIAL_BELOW = 200_000

_omp_gram_serial = njit(_omp_gram_parallel.py_func)
_mp_gram_serial = njit(_mp_gram_parallel.py_func)
_cd_gram_serial = njit(_cd_gram_parallel.py_func)
_prox_rows_serial = njit(_prox_rows_parallel.py_func)


def _pick(parallel_fn, serial_fn, n, m):
    return parallel_fn if n * m >= _SERIAL_BELOW else serial_fn


def omp_gram_batch(Xy, G, x_sqnorms, n_nonzero, tol_sq, nonneg, codes, n_active, res_sq):
    """Dispatch :func:`_omp_gram_parallel` (documented there) serially or in parallel by batch size."""
    _pick(_omp_gram_parallel, _omp_gram_serial, *Xy.shape)(Xy, G, x_sqnorms, n_nonzero, tol_sq, nonneg, codes,
                                                           n_active, res_sq)


def mp_gram_batch(Xy, G, x_sqnorms, n_steps, tol_sq, nonneg, allow_reselect, codes, n_done, res_sq, res_path):
    """Dispatch :func:`_mp_gram_parallel` serially or in parallel by batch size."""
    _pick(_mp_gram_parallel, _mp_gram_serial, *Xy.shape)(Xy, G, x_sqnorms, n_steps, tol_sq, nonneg, allow_reselect,
                                                         codes, n_done, res_sq, res_path)


def cd_gram_batch(Xy, G, code, params, codes, max_iter, tol, n_iter, converged):
    """Dispatch :func:`_cd_gram_parallel` serially or in parallel by batch size."""
    _pick(_cd_gram_parallel, _cd_gram_serial, *Xy.shape)(Xy, G, code, params, codes, max_iter, tol, n_iter,
                                                         converged)


def prox_rows(V, step, code, params, out):
    """Dispatch :func:`_prox_rows_parallel` serially or in parallel by batch size."""
    _pick(_prox_rows_parallel, _prox_rows_serial, *V.shape)(V, step, code, params, out)
