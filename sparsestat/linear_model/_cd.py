"""Numba coordinate-descent kernels for penalised least squares.

One kernel serves dense and CSC sparse designs: column access goes through
:func:`_col_dot` / :func:`_col_axpy`, which branch once per column on
``is_sparse``. A dense design is passed as its Fortran-order buffer raveled to
1-D (``Xd``, column ``j`` is ``Xd[j*n:(j+1)*n]``), so one compiled signature
serves every shape and both storage kinds; a CSC design as ``(data, indices,
indptr)``. The intercept is handled by implicit centring:
the kernel works on the uncentred (row-scaled) design ``Xs = diag(u) X`` with
``u = sqrt(sample_weight)`` and the weighted column means ``x_mean``, keeping

* ``r`` = ``ys - Xs @ w`` (``ys`` the centred, row-scaled response),
* ``s_r`` = ``u @ r``,

so that the centred residual is ``r + (x_mean @ w) u`` and the centred
correlation of column ``j`` is ``Xs[:, j] @ r - x_mean[j] * s_r`` (because
``u @ u = n`` and ``u @ Xs[:, j] = n x_mean[j]``). Sparse designs are never
densified.

The solver is working-set coordinate descent: each outer iteration computes
the full gradient, the stopping criterion (duality gap for convex penalties,
KKT residual otherwise), optional gap-safe screening (Lasso), and solves the
problem restricted to the features that violate optimality the most, with
Anderson extrapolation of the coordinate-descent iterates.

All objective values are in the scikit-learn scaling
``1/(2n) ||r||^2 + sum_j pen_j(w_j)``.
"""

import numpy as np

from sparsestat._penalty_kernels import (
    ELASTIC_NET,
    L0,
    L1,
    LQ,
    NONE,
    prox_scalar,
    subdiff_distance_scalar,
    value_scalar,
)
from sparsestat.utils._numba import njit

ANDERSON_K = 5


@njit(fastmath={"reassoc", "contract"})
def _col_dot(j, v, Xd, Xi, Xp, is_sparse):
    # reassociation lets LLVM vectorise the reduction (4-8x faster); it only
    # changes the summation order, NaN/inf semantics are kept.
    s = 0.0
    if is_sparse:
        for k in range(Xp[j], Xp[j + 1]):
            s += Xd[k] * v[Xi[k]]
    else:
        n = v.shape[0]
        base = j * n
        for i in range(n):
            s += Xd[base + i] * v[i]
    return s


@njit(fastmath={"contract"})
def _col_axpy(j, a, v, Xd, Xi, Xp, is_sparse):
    """v += a * X[:, j]."""
    if is_sparse:
        for k in range(Xp[j], Xp[j + 1]):
            v[Xi[k]] += a * Xd[k]
    else:
        n = v.shape[0]
        base = j * n
        for i in range(n):
            v[i] += a * Xd[base + i]


@njit
def csc_col_sq(Xd, Xp):
    """Squared Euclidean norms of the columns of a CSC matrix (no temporary matrix)."""
    p = Xp.shape[0] - 1
    out = np.zeros(p)
    for j in range(p):
        s = 0.0
        for k in range(Xp[j], Xp[j + 1]):
            s += Xd[k] * Xd[k]
        out[j] = s
    return out


@njit
def _residual(Xd, Xi, Xp, is_sparse, ys, u, w):
    r = ys.copy()
    for j in range(w.shape[0]):
        if w[j] != 0.0:
            _col_axpy(j, -w[j], r, Xd, Xi, Xp, is_sparse)
    s_r = 0.0
    for i in range(r.shape[0]):
        s_r += u[i] * r[i]
    return r, s_r


@njit
def _top_k_indices(prio, k):
    """Sorted indices of the ``k`` largest entries of ``prio`` (O(p) selection, not a full sort)."""
    p = prio.shape[0]
    if k >= p:
        return np.arange(p)
    neg = np.empty(p)
    for j in range(p):
        neg[j] = -prio[j]
    thr = -np.partition(neg, k - 1)[k - 1]
    out = np.empty(k, dtype=np.int64)
    m = 0
    for j in range(p):
        if prio[j] > thr:
            out[m] = j
            m += 1
    for j in range(p):
        if m >= k:
            break
        if prio[j] == thr:
            out[m] = j
            m += 1
    return np.sort(out[:m])


@njit
def _violation(code, w, g, L, alpha, p1, p2):
    """Optimality violation of coordinate ``w`` with gradient ``g`` and curvature ``L``.

    The distance of ``-g`` to the subdifferential, except for penalties with an
    infinite slope at zero (L0, Lq) where every zero is stationary: there the
    prox fixed-point residual ``L |w - prox(w - g/L, 1/L)|`` (coordinate-wise
    optimality) is used.
    """
    if code == L0 or code == LQ:
        return L * abs(w - prox_scalar(code, w - g / L, 1.0 / L, alpha, p1, p2))
    return subdiff_distance_scalar(code, w, g, alpha, p1, p2)


@njit
def centred_residual_stats(r, u, c, ys):
    """``(||r + c u||^2, (r + c u) @ ys)``: norm of the centred residual and its product with ``ys``."""
    r_sq = 0.0
    r_dot_y = 0.0
    for i in range(r.shape[0]):
        ri = r[i] + c * u[i]
        r_sq += ri * ri
        r_dot_y += ri * ys[i]
    return r_sq, r_dot_y


@njit
def _penalty_sum(w, idx, code, alpha, pf, p1, p2):
    s = 0.0
    for jj in range(idx.shape[0]):
        j = idx[jj]
        if w[j] != 0.0 and pf[j] > 0.0:
            s += value_scalar(code, w[j], alpha * pf[j], p1[j], p2)
    return s


@njit
def _solve_small(M, b):
    """Solve M z = b for a small SPD-ish matrix (Gaussian elimination, partial pivoting).

    Returns (z, ok); ok is False when the system is numerically singular.
    """
    k = b.shape[0]
    A = M.copy()
    z = b.copy()
    for c in range(k):
        piv = c
        for r in range(c + 1, k):
            if abs(A[r, c]) > abs(A[piv, c]):
                piv = r
        if abs(A[piv, c]) < 1e-300:
            return z, False
        if piv != c:
            for cc in range(k):
                tmp = A[c, cc]
                A[c, cc] = A[piv, cc]
                A[piv, cc] = tmp
            tmp = z[c]
            z[c] = z[piv]
            z[piv] = tmp
        for r in range(c + 1, k):
            f = A[r, c] / A[c, c]
            for cc in range(c, k):
                A[r, cc] -= f * A[c, cc]
            z[r] -= f * z[c]
    for c in range(k - 1, -1, -1):
        s = z[c]
        for cc in range(c + 1, k):
            s -= A[c, cc] * z[cc]
        z[c] = s / A[c, c]
    for c in range(k):
        if not np.isfinite(z[c]):
            return z, False
    return z, True


@njit
def _gap(corr, w, r_sq, r_dot_y, code, alpha, p1, pf, positive, n):
    """Duality gap (in n-units, i.e. n times the scaled objective) for L1 / elastic net."""
    if code == ELASTIC_NET:
        l1 = n * alpha * p1[0]
        l2 = n * alpha * (1.0 - p1[0])
    else:
        l1 = n * alpha
        l2 = 0.0
    dual_norm = 0.0
    l1_norm = 0.0
    w_sq = 0.0
    for j in range(w.shape[0]):
        xta = corr[j] - l2 * w[j]
        if pf[j] > 0.0:
            v = xta / pf[j] if positive else abs(xta) / pf[j]
            if v > dual_norm:
                dual_norm = v
            l1_norm += pf[j] * abs(w[j])
        w_sq += w[j] * w[j]
    if dual_norm > l1:
        const = l1 / dual_norm
        gap = 0.5 * (r_sq + r_sq * const * const)
    else:
        const = 1.0
        gap = r_sq
    gap += l1 * l1_norm - const * r_dot_y + 0.5 * l2 * (1.0 + const * const) * w_sq
    return gap, const


@njit
def _extrapolated_dual(dr, ds, dc, dcnt, K, Xd, Xi, Xp, is_sparse, u, ys, x_mean, pf, positive, l1):
    """Dual objective (n-units) at the rescaled extrapolation of the last K+1 residuals (Celer's dual point).

    The residuals ``r_k`` of consecutive epochs follow a vector autoregression
    near convergence; the affine combination minimising the norm of their
    differences extrapolates its limit, a much tighter dual point than the
    current residual in ill-conditioned problems (Massias et al., 2018).
    """
    n = dr.shape[1]
    start = dcnt % (K + 1)  # oldest slot
    U = np.empty((K, n))
    for k in range(K):
        a = (start + k) % (K + 1)
        b = (start + k + 1) % (K + 1)
        for i in range(n):
            U[k, i] = dr[b, i] - dr[a, i]
    M = U @ U.T
    tr = 0.0
    for k in range(K):
        tr += M[k, k]
    if tr <= 0.0:
        return -np.inf
    for k in range(K):
        M[k, k] += 1e-10 * tr
    z, ok = _solve_small(M, np.ones(K))
    zs = z.sum()
    if not ok or zs == 0.0:
        return -np.inf
    r_acc = np.zeros(n)
    s_acc = 0.0
    c_acc = 0.0
    for k in range(K):
        b = (start + k + 1) % (K + 1)
        ck = z[k] / zs
        for i in range(n):
            r_acc[i] += ck * dr[b, i]
        s_acc += ck * ds[b]
        c_acc += ck * dc[b]
    # every constraint |x_j^T theta| <= l1 pf_j is checked (screened features too): the point must be feasible
    dual_norm = 0.0
    for j in range(x_mean.shape[0]):
        if pf[j] == 0.0:
            continue
        cj = (_col_dot(j, r_acc, Xd, Xi, Xp, is_sparse) - x_mean[j] * s_acc) / pf[j]
        v = cj if positive else abs(cj)
        if v > dual_norm:
            dual_norm = v
    const = 1.0 if dual_norm <= l1 else l1 / dual_norm
    r_sq, r_dot_y = centred_residual_stats(r_acc, u, c_acc, ys)
    return const * r_dot_y - 0.5 * const * const * r_sq


@njit
def cd_solver(Xd, Xi, Xp, is_sparse, ys, u, x_mean, col_sq, w, code, alpha, pf, p1, p2,
              positive, convex, max_iter, tol, ws_start, screen, anderson, shuffle, seed, verbose):
    """Working-set coordinate descent for ``1/(2n)||ys - Xc w||^2 + sum_j pen(w_j; alpha pf_j)``.

    Parameters are plain arrays (see the module docstring for the centring).
    ``tol`` is absolute: on the duality gap in the scaled objective for convex
    penalties (L1, elastic net), on the max KKT residual otherwise.
    ``max_iter`` bounds the total number of epochs (passes over a working set).
    ``shuffle`` visits the working set in a random order each epoch (Numba's
    RNG, seeded by the integer ``seed``).

    Returns
    -------
    w, stop_crit, n_epochs, kkt_max, n_screened
    """
    n = ys.shape[0]
    n_total = 0.0
    for i in range(n):
        n_total += u[i] * u[i]
    p = w.shape[0]
    inv_n = 1.0 / n_total
    r, s_r = _residual(Xd, Xi, Xp, is_sparse, ys, u, w)
    y_sq = 0.0
    for i in range(n):
        y_sq += ys[i] * ys[i]
    lips = col_sq * inv_n
    # zero columns can never enter
    for j in range(p):
        if lips[j] == 0.0:
            w[j] = 0.0
    use_gap = convex and (code == L1 or code == ELASTIC_NET)
    can_screen = screen and code == L1
    screened = np.zeros(p, dtype=np.bool_)
    n_screened = 0
    corr = np.zeros(p)
    kkt = np.zeros(p)
    prio = np.zeros(p)
    epochs = 0
    stop_crit = np.inf
    kkt_max = np.inf
    K = ANDERSON_K
    # dual extrapolation (Lasso): residuals of the last K+1 epochs, ring buffer
    extrapolate_dual = use_gap and code == L1
    best_dual = -np.inf
    dr = np.zeros((K + 1, n))
    ds = np.zeros(K + 1)
    dc = np.zeros(K + 1)
    dcnt = 0
    c_run = 0.0
    warm = False
    for j in range(p):
        if w[j] != 0.0:
            warm = True
            break
    if shuffle:
        np.random.seed(seed)  # noqa: NPY002 - Numba has no Generator API
    while True:
        # ---- full gradient, criterion
        c = 0.0
        for j in range(p):
            c += x_mean[j] * w[j]
        for j in range(p):
            if screened[j]:
                corr[j] = 0.0
                kkt[j] = 0.0
                continue
            corr[j] = _col_dot(j, r, Xd, Xi, Xp, is_sparse) - x_mean[j] * s_r
            g = -corr[j] * inv_n
            if positive and w[j] == 0.0 and g > 0.0:
                kkt[j] = 0.0
            else:
                if lips[j] == 0.0:
                    kkt[j] = 0.0
                else:
                    kkt[j] = _violation(code if pf[j] > 0.0 else NONE, w[j], g, lips[j], alpha * pf[j], p1[j], p2)
        kkt_max = 0.0
        for j in range(p):
            if kkt[j] > kkt_max:
                kkt_max = kkt[j]
        if use_gap:
            r_sq, r_dot_y = centred_residual_stats(r, u, c, ys)
            gap, const = _gap(corr, w, r_sq, r_dot_y, code, alpha, p1, pf, positive, n_total)
            stop_crit = gap * inv_n
            if extrapolate_dual:
                d_cur = const * r_dot_y - 0.5 * const * const * r_sq
                primal = gap + d_cur
                if d_cur > best_dual:
                    best_dual = d_cur
                # the extrapolated point costs a full pass over X: only worth it when it can end the solve
                if dcnt >= K + 1 and gap * inv_n < 100.0 * tol:
                    d_acc = _extrapolated_dual(dr, ds, dc, dcnt, K, Xd, Xi, Xp, is_sparse, u, ys, x_mean, pf,
                                               positive, n_total * alpha)
                    if d_acc > best_dual:
                        best_dual = d_acc
                stop_crit = (primal - best_dual) * inv_n
            if can_screen and gap > 0.0:
                radius = np.sqrt(2.0 * gap)
                l1 = n_total * alpha
                for j in range(p):
                    if screened[j] or pf[j] == 0.0:
                        continue
                    if abs(corr[j]) * const + np.sqrt(col_sq[j]) * radius < l1 * pf[j]:
                        screened[j] = True
                        n_screened += 1
                        if w[j] != 0.0:
                            _col_axpy(j, w[j], r, Xd, Xi, Xp, is_sparse)
                            s_r += w[j] * n_total * x_mean[j]
                            w[j] = 0.0
                        kkt[j] = 0.0
        else:
            stop_crit = kkt_max
        if verbose:
            print("outer: epochs", epochs, "criterion", stop_crit, "kkt", kkt_max, "screened", n_screened)
        if stop_crit <= tol or epochs >= max_iter:
            break
        c_run = 0.0
        for j in range(p):
            c_run += x_mean[j] * w[j]
        # ---- working set
        nnz = 0
        for j in range(p):
            if screened[j]:
                prio[j] = -1.0
            elif w[j] != 0.0:
                prio[j] = np.inf
                nnz += 1
            else:
                prio[j] = kkt[j]
        # a warm start (a path's previous solution) needs little more than its support: growing by a quarter
        # instead of doubling cuts the path's epoch cost; a cold start doubles, as it needs to find the support
        ws_size = nnz + max(ws_start, nnz // 4) if warm else max(ws_start, 2 * nnz)
        if ws_size > p - n_screened:
            ws_size = p - n_screened
        ws = _top_k_indices(prio, ws_size)
        m = ws.shape[0]
        visit = ws.copy()
        # ---- inner coordinate descent with Anderson extrapolation
        mem_w = np.zeros((K + 1, m))
        mem_r = np.zeros((K + 1, n))
        mem_s = np.zeros(K + 1)
        n_mem = 0
        inner_tol = 0.3 * kkt_max
        while epochs < max_iter:
            if shuffle:
                np.random.shuffle(visit)  # noqa: NPY002
            for jj in range(m):
                j = visit[jj]
                L = lips[j]
                if L == 0.0:
                    continue
                old = w[j]
                grad = (_col_dot(j, r, Xd, Xi, Xp, is_sparse) - x_mean[j] * s_r) * inv_n
                v = old + grad / L
                if positive and v < 0.0:
                    v = 0.0
                if pf[j] > 0.0:
                    new = prox_scalar(code, v, 1.0 / L, alpha * pf[j], p1[j], p2)
                else:
                    new = v
                if new != old:
                    d = new - old
                    _col_axpy(j, -d, r, Xd, Xi, Xp, is_sparse)
                    s_r -= d * n_total * x_mean[j]
                    c_run += d * x_mean[j]
                    w[j] = new
            epochs += 1
            if extrapolate_dual:
                slot = dcnt % (K + 1)
                dr[slot] = r
                ds[slot] = s_r
                dc[slot] = c_run
                dcnt += 1
            if anderson:
                for jj in range(m):
                    mem_w[n_mem, jj] = w[ws[jj]]
                mem_r[n_mem] = r
                mem_s[n_mem] = s_r
                n_mem += 1
                if n_mem == K + 1:
                    n_mem = 0
                    U = np.empty((K, m))
                    for k in range(K):
                        U[k] = mem_w[k + 1] - mem_w[k]
                    M = U @ U.T
                    tr = 0.0
                    for k in range(K):
                        tr += M[k, k]
                    if tr > 0.0:
                        for k in range(K):
                            M[k, k] += 1e-10 * tr
                        z, ok = _solve_small(M, np.ones(K))
                        zs = z.sum()
                        if ok and zs != 0.0:
                            coefs = z / zs
                            w_acc = np.zeros(m)
                            r_acc = np.zeros(n)
                            s_acc = 0.0
                            for k in range(K):
                                w_acc += coefs[k] * mem_w[k + 1]
                                r_acc += coefs[k] * mem_r[k + 1]
                                s_acc += coefs[k] * mem_s[k + 1]
                            feasible = True
                            if positive:
                                for jj in range(m):
                                    if w_acc[jj] < 0.0:
                                        feasible = False
                            if feasible:
                                # compare objectives (penalty outside ws is unchanged)
                                c_all = 0.0
                                for j in range(p):
                                    c_all += x_mean[j] * w[j]
                                c_acc = c_all
                                pen_cur = 0.0
                                pen_acc = 0.0
                                for jj in range(m):
                                    j = ws[jj]
                                    c_acc += x_mean[j] * (w_acc[jj] - w[j])
                                    if pf[j] > 0.0:
                                        pen_cur += value_scalar(code, w[j], alpha * pf[j], p1[j], p2)
                                        pen_acc += value_scalar(code, w_acc[jj], alpha * pf[j], p1[j], p2)
                                c_cur = c_all
                                rc = 0.0
                                ra = 0.0
                                for i in range(n):
                                    a1 = r[i] + c_cur * u[i]
                                    a2 = r_acc[i] + c_acc * u[i]
                                    rc += a1 * a1
                                    ra += a2 * a2
                                if 0.5 * ra * inv_n + pen_acc < 0.5 * rc * inv_n + pen_cur:
                                    for jj in range(m):
                                        w[ws[jj]] = w_acc[jj]
                                    r[:] = r_acc
                                    s_r = s_acc
                                    c_run = c_acc
            if epochs % 5 == 0:
                kin = 0.0
                for jj in range(m):
                    j = ws[jj]
                    if lips[j] == 0.0:
                        continue
                    g = -(_col_dot(j, r, Xd, Xi, Xp, is_sparse) - x_mean[j] * s_r) * inv_n
                    if positive and w[j] == 0.0 and g > 0.0:
                        continue
                    cj = code if pf[j] > 0.0 else NONE
                    dj = _violation(cj, w[j], g, lips[j], alpha * pf[j], p1[j], p2)
                    if dj > kin:
                        kin = dj
                if kin <= inner_tol or (not use_gap and kin <= 0.3 * tol):
                    break
    return w, stop_crit, epochs, kkt_max, n_screened


@njit
def primal_objective(Xd, Xi, Xp, is_sparse, ys, u, x_mean, w, code, alpha, pf, p1, p2):
    """Scaled objective ``1/(2n)||r||^2 + sum_j pen_j(w_j)`` with implicit centring."""
    r, s_r = _residual(Xd, Xi, Xp, is_sparse, ys, u, w)
    n_total = 0.0
    for i in range(u.shape[0]):
        n_total += u[i] * u[i]
    c = 0.0
    for j in range(w.shape[0]):
        c += x_mean[j] * w[j]
    r_sq = 0.0
    for i in range(r.shape[0]):
        ri = r[i] + c * u[i]
        r_sq += ri * ri
    return 0.5 * r_sq / n_total + _penalty_sum(w, np.arange(w.shape[0]), code, alpha, pf, p1, p2)
