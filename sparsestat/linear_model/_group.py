"""Block coordinate descent for the group Lasso (``GroupL1`` penalty), dense or CSC."""

import numpy as np
import scipy.sparse as sp

from sparsestat.linear_model._base import effective_tols
from sparsestat.linear_model._cd import _col_axpy, _col_dot, _residual, centred_residual_stats
from sparsestat.utils._numba import njit

__all__ = ["solve_group"]


@njit
def bcd_group_solver(Xd, Xi, Xp, is_sparse, ys, u, x_mean, grp_ptr, grp_idx, grp_w, lips, w, alpha,
                     positive, max_iter, tol, verbose):
    """Cyclic block CD for ``1/(2n)||r||^2 + alpha sum_g grp_w[g] ||w_g||_2``; stops on the duality gap."""
    n = ys.shape[0]
    n_total = 0.0
    for i in range(n):
        n_total += u[i] * u[i]
    inv_n = 1.0 / n_total
    n_groups = grp_ptr.shape[0] - 1
    r, s_r = _residual(Xd, Xi, Xp, is_sparse, ys, u, w)
    gmax = 0
    for g in range(n_groups):
        gmax = max(gmax, grp_ptr[g + 1] - grp_ptr[g])
    v = np.empty(gmax)
    corr = np.empty(w.shape[0])
    gap = np.inf
    epochs = 0
    while True:
        if epochs % 5 == 0 or epochs >= max_iter:
            c = 0.0
            for j in range(w.shape[0]):
                c += x_mean[j] * w[j]
            for j in range(w.shape[0]):
                corr[j] = _col_dot(j, r, Xd, Xi, Xp, is_sparse) - x_mean[j] * s_r
            r_sq, r_dot_y = centred_residual_stats(r, u, c, ys)
            dual_norm = 0.0
            pen = 0.0
            for g in range(n_groups):
                nrm = 0.0
                wn = 0.0
                for k in range(grp_ptr[g], grp_ptr[g + 1]):
                    j = grp_idx[k]
                    cj = corr[j]
                    if positive and cj < 0.0:
                        cj = 0.0
                    nrm += cj * cj
                    wn += w[j] * w[j]
                if grp_w[g] > 0.0:
                    dual_norm = max(dual_norm, np.sqrt(nrm) / grp_w[g])
                pen += grp_w[g] * np.sqrt(wn)
            l1 = n_total * alpha
            if dual_norm > l1:
                const = l1 / dual_norm
                gap = 0.5 * r_sq * (1.0 + const * const)
            else:
                const = 1.0
                gap = r_sq
            gap += l1 * pen - const * r_dot_y
            gap *= inv_n
            if verbose:
                print("epoch", epochs, "gap", gap)
            if gap <= tol or epochs >= max_iter:
                break
        for g in range(n_groups):
            L = lips[g]
            if L == 0.0:
                continue
            m = grp_ptr[g + 1] - grp_ptr[g]
            nrm = 0.0
            for kk in range(m):
                j = grp_idx[grp_ptr[g] + kk]
                grad = (_col_dot(j, r, Xd, Xi, Xp, is_sparse) - x_mean[j] * s_r) * inv_n
                vj = w[j] + grad / L
                if positive and vj < 0.0:
                    vj = 0.0
                v[kk] = vj
                nrm += vj * vj
            nrm = np.sqrt(nrm)
            tau = alpha * grp_w[g] / L
            scale = 0.0 if nrm <= tau else 1.0 - tau / nrm
            for kk in range(m):
                j = grp_idx[grp_ptr[g] + kk]
                new = scale * v[kk]
                d = new - w[j]
                if d != 0.0:
                    _col_axpy(j, -d, r, Xd, Xi, Xp, is_sparse)
                    s_r -= d * n_total * x_mean[j]
                    w[j] = new
        epochs += 1
    return w, gap, epochs


def _group_lipschitz(data, groups):
    """Largest eigenvalue of the centred group Gram matrices, divided by n."""
    Xs = data.Xs_matrix
    lips = np.empty(len(groups))
    for g, idx in enumerate(groups):
        sub = Xs[:, idx]
        G = np.asarray((sub.T @ sub).toarray() if sp.issparse(sub) else sub.T @ sub, dtype=np.float64)
        G -= data.n * np.outer(data.x_mean[idx], data.x_mean[idx])
        lips[g] = max(np.linalg.eigvalsh(G)[-1], 0.0) / data.n if len(idx) else 0.0
    return lips


def solve_group(data, w0, penalty, pf, positive, max_iter, tol, verbose):
    """Fit every target with the group-Lasso block CD; returns (W, gaps, tols, n_iters)."""
    n_features = data.col_sq.shape[0]
    groups, weights = penalty.get_groups(n_features)
    grp_ptr = np.zeros(len(groups) + 1, dtype=np.int64)
    grp_ptr[1:] = np.cumsum([len(g) for g in groups])
    grp_idx = np.concatenate([np.asarray(g, dtype=np.int64) for g in groups]) if groups else np.zeros(0, np.int64)
    # the group's penalty factor is the mean of its features' factors
    grp_w = np.asarray(weights, dtype=np.float64) * np.array([pf[g].mean() if len(g) else 0.0 for g in groups])
    lips = _group_lipschitz(data, groups)
    Y = data.ys[:, None] if data.ys.ndim == 1 else data.ys
    T = Y.shape[1]
    W = np.zeros((T, n_features))
    gaps = np.zeros(T)
    iters = np.zeros(T, dtype=np.int64)
    tols = effective_tols(data, tol, gap_based=True)
    for t in range(T):
        yt = np.ascontiguousarray(Y[:, t])
        tol_abs = float(tols[t])
        w = np.zeros(n_features) if w0 is None else np.array(w0[t], dtype=np.float64)
        w, gap, n_ep = bcd_group_solver(*data.kernel_args(), yt, data.u, data.x_mean, grp_ptr, grp_idx, grp_w,
                                        lips, w, float(penalty.alpha), positive, max_iter, tol_abs, verbose > 1)
        W[t], gaps[t], tols[t], iters[t] = w, gap, tol_abs, n_ep
    return W, gaps, tols, iters
