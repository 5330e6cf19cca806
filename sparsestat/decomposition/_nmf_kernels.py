"""Numba kernels of the masked / weighted NMF core and of the binary (QUBO) sub-solvers.

Every factor update solves, for the factor ``A`` (rows ``i``) with the other factor fixed and
stored transposed as ``Bt`` (rows ``j``, so ``(A Bt^T)_ij`` is the model),

    min_{A >= 0} 1/2 sum_ij V_ij (X_ij - (A Bt^T)_ij)^2 + l1 |A|_1 + l2/2 |A|^2
                 + lam/2 Tr(A^T L A),          L = diag(deg) - S  (S sparse CSR, symmetric)

The NMF ``W`` update is this problem as written; the ``H`` update is the same problem on the
transposed data (``A = H^T``, ``Bt = W``), so every kernel serves both half-steps. Three data
layouts share the update rule:

* ``hals_gram``: separable weights ``V_ij = r_i c_j`` (none, band weights). The caller forms
  ``P = X diag(c) Bt`` and ``G = Bt^T diag(c) Bt`` with BLAS; one sweep costs O(n k^2).
* ``hals_masked_dense``: arbitrary dense weights / 0-1 mask; a residual ``E = X - A Bt^T`` is
  kept up to date, O(n m k) per sweep.
* ``hals_masked_sparse``: observed entries in CSR (and the same entries in CSC via ``pos``);
  residual on the stored entries only, O(nnz k) per sweep.

All kernels are plain-array functions (no validation); they return the sum of absolute changes.
"""

import numpy as np

from sparsestat.utils._numba import njit

_EPS = 1e-12


@njit
def _graph_sum(S_indptr, S_indices, S_data, A, i, r):
    s = 0.0
    for p in range(S_indptr[i], S_indptr[i + 1]):
        s += S_data[p] * A[S_indices[p], r]
    return s


@njit
def hals_gram(A, P, G, row_w, l1, l2, lam, S_indptr, S_indices, S_data, deg, n_sweeps, inner_ratio):
    """In-place HALS sweeps on ``A`` with precomputed ``P`` (n, k) and Gram ``G`` (k, k).

    Runs up to ``n_sweeps`` sweeps and stops early once a sweep changes ``A`` by less than
    ``inner_ratio`` times the first sweep's change (accelerated HALS, Gillis & Glineur 2012).
    Returns the change of the first sweep (the projected-gradient-like violation).
    """
    n, k = A.shape
    use_graph = lam > 0.0
    first = 0.0
    for sweep in range(n_sweeps):
        change = 0.0
        for r in range(k):
            grr = G[r, r]
            for i in range(n):
                wi = row_w[i]
                ag = 0.0
                for s in range(k):
                    ag += A[i, s] * G[r, s]  # G is symmetric: read its contiguous row
                a_old = A[i, r]
                grad = wi * (ag - P[i, r]) + l1 + l2 * a_old
                hess = wi * grr + l2
                if use_graph:
                    grad += lam * (deg[i] * a_old - _graph_sum(S_indptr, S_indices, S_data, A, i, r))
                    hess += lam * deg[i]
                if hess <= 0.0:
                    continue
                a_new = a_old - grad / hess
                if a_new < 0.0:
                    a_new = 0.0
                A[i, r] = a_new
                change += abs(a_new - a_old)
        if sweep == 0:
            first = change
        elif change <= inner_ratio * first:
            break
    return first


@njit
def hals_masked_dense(A, Bt, X, V, E, l1, l2, lam, S_indptr, S_indices, S_data, deg, row_major):
    """One in-place HALS sweep on ``A`` with dense weights ``V`` and residual ``E = X - A Bt^T``.

    ``X``, ``V`` and ``E`` are (n, m) arrays, possibly transposed views; ``row_major`` says whether
    their rows are contiguous (it only picks the loop order).
    """
    n, k = A.shape
    m = Bt.shape[0]
    num = np.empty(n)
    den = np.empty(n)
    delta = np.empty(n)
    change = 0.0
    use_graph = lam > 0.0
    for r in range(k):
        num[:] = 0.0
        den[:] = 0.0
        if row_major:
            for i in range(n):
                a = A[i, r]
                s_num = 0.0
                s_den = 0.0
                for j in range(m):
                    v = V[i, j]
                    if v != 0.0:
                        b = Bt[j, r]
                        s_num += v * (E[i, j] + a * b) * b
                        s_den += v * b * b
                num[i] = s_num
                den[i] = s_den
        else:
            for j in range(m):
                b = Bt[j, r]
                if b == 0.0:
                    continue
                for i in range(n):
                    v = V[i, j]
                    if v != 0.0:
                        num[i] += v * (E[i, j] + A[i, r] * b) * b
                        den[i] += v * b * b
        for i in range(n):
            a_old = A[i, r]
            nu = num[i] - l1
            de = den[i] + l2
            if use_graph:
                nu += lam * _graph_sum(S_indptr, S_indices, S_data, A, i, r)
                de += lam * deg[i]
            if de <= 0.0:
                delta[i] = 0.0
                continue
            a_new = nu / de
            if a_new < 0.0:
                a_new = 0.0
            A[i, r] = a_new
            delta[i] = a_new - a_old
            change += abs(a_new - a_old)
        if row_major:
            for i in range(n):
                d = delta[i]
                if d != 0.0:
                    for j in range(m):
                        E[i, j] -= d * Bt[j, r]
        else:
            for j in range(m):
                b = Bt[j, r]
                if b == 0.0:
                    continue
                for i in range(n):
                    E[i, j] -= delta[i] * b
    return change


@njit
def hals_masked_sparse(A, Bt, indptr, indices, pos, v, e, l1, l2, lam, S_indptr, S_indices, S_data, deg):
    """One in-place HALS sweep on ``A`` over the observed entries only.

    Row ``i`` of the problem owns the stored entries ``p in [indptr[i], indptr[i+1])`` with column
    ``indices[p]``; ``pos[p]`` is where that entry's weight ``v`` and residual ``e`` live (identity for
    the CSR orientation, the CSR position for the CSC orientation).
    """
    n, k = A.shape
    change = 0.0
    use_graph = lam > 0.0
    for r in range(k):
        for i in range(n):
            a_old = A[i, r]
            s_num = 0.0
            s_den = 0.0
            for p in range(indptr[i], indptr[i + 1]):
                q = pos[p]
                b = Bt[indices[p], r]
                s_num += v[q] * (e[q] + a_old * b) * b
                s_den += v[q] * b * b
            nu = s_num - l1
            de = s_den + l2
            if use_graph:
                nu += lam * _graph_sum(S_indptr, S_indices, S_data, A, i, r)
                de += lam * deg[i]
            if de <= 0.0:
                continue
            a_new = nu / de
            if a_new < 0.0:
                a_new = 0.0
            d = a_new - a_old
            if d != 0.0:
                A[i, r] = a_new
                change += abs(d)
                for p in range(indptr[i], indptr[i + 1]):
                    e[pos[p]] -= d * Bt[indices[p], r]
    return change


@njit
def masked_sparse_products(A, Bt, indptr, indices, pos, v, x):
    """``num = (V.X) Bt`` and ``den = (V.(A Bt^T)) Bt`` over stored entries, for multiplicative updates."""
    n, k = A.shape
    num = np.zeros((n, k))
    den = np.zeros((n, k))
    for i in range(n):
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            q = pos[p]
            pred = 0.0
            for s in range(k):
                pred += A[i, s] * Bt[j, s]
            wx = v[q] * x[q]
            wp = v[q] * pred
            for s in range(k):
                num[i, s] += wx * Bt[j, s]
                den[i, s] += wp * Bt[j, s]
    return num, den


@njit
def sparse_residual(A, Bt, indptr, indices, x, e):
    """``e[p] = x[p] - (A Bt^T)[i, indices[p]]`` for the CSR-stored entries."""
    n, k = A.shape
    for i in range(n):
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            pred = 0.0
            for s in range(k):
                pred += A[i, s] * Bt[j, s]
            e[p] = x[p] - pred


# ---------------------------------------------------------------------------------------------
# NBMF: row-wise masked ridge NNLS (W-step) and column-wise binary least squares (H-step)
# ---------------------------------------------------------------------------------------------


@njit
def _nnls_cd(G, b, w, max_sweeps, tol):
    """Exact non-negative minimiser of w^T G w - 2 b^T w by coordinate descent (in place)."""
    k = w.shape[0]
    for _ in range(max_sweeps):
        change = 0.0
        scale = 0.0
        for r in range(k):
            if G[r, r] <= 0.0:
                continue
            g = -b[r]
            for s in range(k):
                g += G[r, s] * w[s]
            new = w[r] - g / G[r, r]
            if new < 0.0:
                new = 0.0
            change = max(change, abs(new - w[r]))
            w[r] = new
            scale = max(scale, new)
        if change <= tol * max(scale, 1e-300):
            break


@njit
def _nnls_pgm(G, b, w, max_iter, tol):
    """Projected gradient with step 1/L (L = largest eigenvalue of G by power iteration) in place.

    The constant step 1/L satisfies Lin's (2007) Armijo sufficient-decrease condition, so each step
    decreases w^T G w - 2 b^T w.
    """
    k = w.shape[0]
    u = np.ones(k)
    lip = 0.0
    for _ in range(30):
        z = G @ u
        nz = np.sqrt(np.sum(z * z))
        if nz == 0.0:
            return
        lip = nz / np.sqrt(np.sum(u * u))
        u = z / nz
    lip *= 1.01
    g0 = -1.0
    for _ in range(max_iter):
        g = G @ w - b
        pg = 0.0
        for r in range(k):
            if w[r] > 0.0 or g[r] < 0.0:
                pg += g[r] * g[r]
        if g0 < 0.0:
            g0 = pg
        if pg <= tol * tol * g0 or pg == 0.0:
            break
        for r in range(k):
            new = w[r] - g[r] / lip
            w[r] = new if new > 0.0 else 0.0


@njit
def nbmf_w_step(W, Ht, indptr, indices, x, alpha, method, max_iter, tol):
    """Row-wise masked ridge NNLS: w_i = argmin_{w>=0} |x_i,Omega - H_Omega^T w|^2 + alpha |w|^2.

    ``method`` 0 = exact coordinate descent, 1 = projected gradient (Lin 2007). In place on ``W``.
    """
    n, k = W.shape
    G = np.empty((k, k))
    b = np.empty(k)
    for i in range(n):
        G[:, :] = 0.0
        b[:] = 0.0
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            xv = x[p]
            for r in range(k):
                hr = Ht[j, r]
                if hr == 0.0:
                    continue
                b[r] += xv * hr
                for s in range(k):
                    G[r, s] += hr * Ht[j, s]
        for r in range(k):
            G[r, r] += alpha
        w = W[i].copy()
        for r in range(k):
            if G[r, r] <= 0.0:  # feature r unused by this row: its weight is undetermined, set it to 0
                w[r] = 0.0
        if method == 0:
            _nnls_cd(G, b, w, max_iter, tol)
        else:
            _nnls_pgm(G, b, w, max_iter, tol)
        W[i] = w


@njit
def qubo_energy(Q, h):
    """``h^T Q h`` for a 0/1 vector ``h``."""
    k = h.shape[0]
    e = 0.0
    for a in range(k):
        if h[a]:
            for b in range(k):
                if h[b]:
                    e += Q[a, b]
    return e


@njit
def qubo_exhaustive(Q):
    """Global minimiser of ``h^T Q h`` over {0,1}^k by Gray-code enumeration, O(2^k k).

    ``Q`` must be symmetric. Each step flips one bit and updates the local fields ``g = Q h``. Ties
    keep the first state met in Gray-code order (starting from all zeros).
    """
    k = Q.shape[0]
    h = np.zeros(k, dtype=np.uint8)
    g = np.zeros(k)
    energy = 0.0
    best = 0.0
    best_h = h.copy()
    for t in range(1, 1 << k):
        b = 0
        tt = t
        while (tt & 1) == 0:
            tt >>= 1
            b += 1
        if h[b]:
            energy -= 2.0 * g[b] - Q[b, b]
            h[b] = 0
            for a in range(k):
                g[a] -= Q[a, b]
        else:
            energy += 2.0 * g[b] + Q[b, b]
            h[b] = 1
            for a in range(k):
                g[a] += Q[a, b]
        if energy < best:
            best = energy
            best_h[:] = h
    return best_h, best


@njit
def qubo_greedy(Q, h0, max_iter):
    """Best single-flip descent from ``h0`` until no flip lowers ``h^T Q h``."""
    k = Q.shape[0]
    h = h0.copy()
    g = Q @ h.astype(np.float64)
    energy = qubo_energy(Q, h)
    for _ in range(max_iter):
        best_d = 0.0
        best_b = -1
        for b in range(k):
            if h[b]:
                d = -(2.0 * g[b] - Q[b, b])
            else:
                d = 2.0 * g[b] + Q[b, b]
            if d < best_d - 1e-15:
                best_d = d
                best_b = b
        if best_b < 0:
            break
        b = best_b
        sign = -1.0 if h[b] else 1.0
        h[b] = 0 if h[b] else 1
        for a in range(k):
            g[a] += sign * Q[a, b]
        energy += best_d
    return h, energy


@njit
def qubo_anneal(Q, h0, n_sweeps, n_restarts, t_hot, t_cold, seed):
    """Simulated annealing (Metropolis single flips, geometric schedule), best state over all restarts.

    The first restart starts at ``h0``; the others from uniform random states. The returned state is
    the best one seen, ``h0`` included, so the result never has a higher energy than ``h0``.
    """
    np.random.seed(seed)  # noqa: NPY002 - Numba kernels only support the legacy RNG (seeded here)
    k = Q.shape[0]
    best_h = h0.copy()
    best = qubo_energy(Q, h0)
    ratio = (t_cold / t_hot) ** (1.0 / max(n_sweeps - 1, 1))
    for rs in range(n_restarts):
        if rs == 0:
            h = h0.copy()
        else:
            h = np.empty(k, dtype=np.uint8)
            for a in range(k):
                h[a] = 1 if np.random.random() < 0.5 else 0  # noqa: NPY002
        g = Q @ h.astype(np.float64)
        energy = qubo_energy(Q, h)
        temp = t_hot
        for _ in range(n_sweeps):
            for b in range(k):
                if h[b]:
                    d = -(2.0 * g[b] - Q[b, b])
                else:
                    d = 2.0 * g[b] + Q[b, b]
                if d <= 0.0 or np.random.random() < np.exp(-d / temp):  # noqa: NPY002
                    sign = -1.0 if h[b] else 1.0
                    h[b] = 0 if h[b] else 1
                    for a in range(k):
                        g[a] += sign * Q[a, b]
                    energy += d
                    if energy < best - 1e-12:
                        best = energy
                        best_h[:] = h
            temp *= ratio
    # the running energy accumulates round-off: recompute the reported one exactly
    return best_h, qubo_energy(Q, best_h)


@njit
def qubo_temperatures(Q):
    """Hot and cold temperatures from the largest and smallest single-flip energy scales of ``Q``."""
    k = Q.shape[0]
    hot = 0.0
    cold = np.inf
    for b in range(k):
        s = abs(Q[b, b])
        for a in range(k):
            if a != b:
                s += 2.0 * abs(Q[a, b])
        hot = max(hot, s)
        if abs(Q[b, b]) > 0.0:
            cold = min(cold, abs(Q[b, b]))
    if hot == 0.0:
        hot = 1.0
    if not np.isfinite(cold) or cold <= 0.0:
        cold = hot
    return 0.5 * hot, max(0.01 * cold, 1e-6 * hot)


@njit
def nbmf_build_q(W, rows, vals, Q):
    """Fill ``Q = W_O^T W_O - 2 diag(W_O^T v_O)`` for one column with observed ``rows``/``vals``."""
    k = W.shape[1]
    Q[:, :] = 0.0
    for p in range(rows.shape[0]):
        i = rows[p]
        for a in range(k):
            wa = W[i, a]
            if wa == 0.0:
                continue
            Q[a, a] -= 2.0 * wa * vals[p]
            for b in range(k):
                Q[a, b] += wa * W[i, b]


@njit
def nbmf_h_step(W, Ht, indptr, rows, vals, method, n_sweeps, n_restarts, seed):
    """Column-wise binary least squares; ``method`` 0 exhaustive, 1 anneal, 2 greedy. In place on ``Ht``.

    Column ``j`` of the data (observed rows ``rows[indptr[j]:indptr[j+1]]``) gives the QUBO
    ``min_h h^T Q_j h``; its solution replaces row ``j`` of ``Ht`` (uint8). Anneal and greedy start
    from the current ``h`` and never return a worse state.
    """
    m, k = Ht.shape
    Q = np.empty((k, k))
    for j in range(m):
        lo = indptr[j]
        hi = indptr[j + 1]
        nbmf_build_q(W, rows[lo:hi], vals[lo:hi], Q)
        h0 = Ht[j].copy()
        if method == 0:
            h, _ = qubo_exhaustive(Q)
            # keep the previous state on exact ties so that the iteration is deterministic
            if qubo_energy(Q, h0) <= qubo_energy(Q, h):
                h = h0
        elif method == 1:
            t_hot, t_cold = qubo_temperatures(Q)
            h, _ = qubo_anneal(Q, h0, n_sweeps, n_restarts, t_hot, t_cold, seed + j)
        else:
            h, _ = qubo_greedy(Q, h0, 10 * k + 10)
        Ht[j] = h
