"""The one masked / weighted NMF solver that every non-negative factorisation of the family calls.

Objective (sklearn orientation, ``X ~ W H``, ``Ht = H^T`` is stored):

.. math::

    \\tfrac12 \\sum_{ij} V_{ij} (X - W H)_{ij}^2
    + l1_W \\|W\\|_1 + \\tfrac{l2_W}{2} \\|W\\|_F^2 + l1_H \\|H\\|_1 + \\tfrac{l2_H}{2} \\|H\\|_F^2
    + \\tfrac{\\lambda}{2} \\mathrm{Tr}(W^T L W) + \\tfrac{\\delta^2}{2} \\|1 - W 1\\|^2

with ``V`` either separable (``r_i c_j``: none, sample or band weights), a dense weight/mask array,
or a sparse set of observed entries; ``L = D - S`` a graph Laplacian on the samples and the last
term the sum-to-one augmentation (``delta`` > 0). Solvers: HALS (exact coordinate minimisation,
monotone) and multiplicative updates (monotone for the unregularised and l1/l2/graph objective).
Dense multiplicative updates are written against the array API so CuPy arrays stay on the device.
"""

import numpy as np
import scipy.sparse as sp

from sparsestat.decomposition import _nmf_kernels as K

_EPS = 1e-12
_EMPTY_I = np.zeros(1, dtype=np.int64)


class Data:
    """Prepared data of one factorisation problem (plain container, float64 NumPy arrays).

    Parameters
    ----------
    layout : {"gram", "dense", "sparse"}
        Weighting structure.
    """

    def __init__(self, layout, shape):
        self.layout = layout
        self.shape = shape
        self.row_w = np.ones(shape[0])
        self.col_w = np.ones(shape[1])
        self.X = None  # gram: ndarray or sparse matrix ; dense: zero-filled ndarray
        self.XT = None
        self.V = None
        self.csr = None  # (indptr, indices, x, v)
        self.csc = None  # (indptr, indices(rows), pos)


def make_data(X, mask=None, weights=None, *, row_w=None, col_w=None, layout=None):
    """Build a :class:`Data` from ``X`` and an observation mask / weights.

    ``X`` is a float64 ndarray (NaN allowed where ``mask`` is 0) or a scipy sparse matrix. ``mask``
    is None (all observed), a dense 0/1 array, or the string ``"stored"`` (for sparse X: the stored
    entries are the observed ones). ``weights`` is an optional dense per-entry weight array.
    """
    n, m = X.shape
    if mask is None and weights is None:
        d = Data("gram", (n, m))
        if sp.issparse(X):
            d.X = sp.csr_matrix(X, dtype=np.float64)
            d.XT = d.X.T.tocsr()
        else:
            d.X = np.ascontiguousarray(X, dtype=np.float64)
            d.XT = d.X.T
        if row_w is not None:
            d.row_w = np.asarray(row_w, dtype=np.float64)
        if col_w is not None:
            d.col_w = np.asarray(col_w, dtype=np.float64)
        return d
    if isinstance(mask, str) and mask == "stored":
        C = sp.csr_matrix(X, dtype=np.float64, copy=True)
        C.sum_duplicates()
        C.sort_indices()
        x = C.data.copy()
        v = np.ones_like(x)
        if weights is not None:
            v = np.asarray(weights[C.nonzero()] if not sp.issparse(weights) else weights.tocsr()[C.nonzero()]).ravel()
        pattern = C
        layout = "sparse" if layout is None else layout
    else:
        M = np.ones((n, m)) if mask is None else np.asarray(mask, dtype=np.float64)
        Wt = M if weights is None else M * np.asarray(weights, dtype=np.float64)
        Xd = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
        Xd = np.where(M > 0, Xd, 0.0)
        if layout is None:
            layout = "sparse" if np.count_nonzero(Wt) < 0.4 * n * m else "dense"
        if layout == "dense":
            d = Data("dense", (n, m))
            d.X = np.ascontiguousarray(Xd)
            d.V = np.ascontiguousarray(Wt)
            return d
        rows, cols = np.nonzero(Wt)
        pattern = sp.csr_matrix((Xd[rows, cols], (rows, cols)), shape=(n, m))
        pattern.sort_indices()
        rows, cols = pattern.nonzero()
        x = Xd[rows, cols]
        v = Wt[rows, cols]
    d = Data("sparse", (n, m))
    indptr = pattern.indptr.astype(np.int64)
    indices = pattern.indices.astype(np.int64)
    d.csr = (indptr, indices, np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(v, dtype=np.float64))
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    order = np.lexsort((rows, indices))
    counts = np.bincount(indices, minlength=m)
    indptr_c = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    d.csc = (indptr_c, rows[order].astype(np.int64), order.astype(np.int64))
    return d


def graph_arrays(S, n):
    """CSR arrays and degrees of a symmetric non-negative affinity matrix ``S`` (or empty ones)."""
    if S is None:
        return np.zeros(n + 1, dtype=np.int64), _EMPTY_I, np.zeros(1), np.zeros(n)
    S = sp.csr_matrix(S, dtype=np.float64)
    S.sort_indices()
    deg = np.asarray(S.sum(axis=1)).ravel()
    return S.indptr.astype(np.int64), S.indices.astype(np.int64), S.data.copy(), deg


class Penalty:
    """Penalty weights of both factors (plain container)."""

    def __init__(self, l1_W=0.0, l2_W=0.0, l1_H=0.0, l2_H=0.0, lam=0.0, S=None, delta=0.0):
        self.l1_W, self.l2_W, self.l1_H, self.l2_H = float(l1_W), float(l2_W), float(l1_H), float(l2_H)
        self.lam = float(lam)
        self.S = S
        self.delta = float(delta)


def _penalty_value(W, Ht, pen, graph):
    val = pen.l1_W * W.sum() + 0.5 * pen.l2_W * np.sum(W * W)
    val += pen.l1_H * Ht.sum() + 0.5 * pen.l2_H * np.sum(Ht * Ht)
    if pen.lam > 0:
        indptr, indices, data, deg = graph
        S = sp.csr_matrix((data, indices, indptr), shape=(W.shape[0], W.shape[0]))
        val += 0.5 * pen.lam * (np.sum(deg[:, None] * W * W) - np.sum(W * (S @ W)))
    if pen.delta > 0:
        val += 0.5 * pen.delta**2 * np.sum((1.0 - W.sum(axis=1)) ** 2)
    return val


def objective(data, W, Ht, pen):
    """Value of the full objective at ``(W, Ht)`` (computed from scratch)."""
    graph = graph_arrays(pen.S, W.shape[0]) if pen.lam > 0 else None
    if data.layout == "gram":
        # Gram form: |X|_w^2 - 2 <W, X C Ht> + <W^T R W, Ht^T C Ht>, no n x m temporaries
        rn, _ = _xnorms(data)
        P, G, own_w = _gram_pieces(data, W, Ht, "W")
        fit = 0.5 * float(own_w @ (rn + np.sum((W @ G - 2.0 * P) * W, axis=1)))
    elif data.layout == "dense":
        R = data.X - W @ Ht.T
        fit = 0.5 * np.sum(data.V * R * R)
    else:
        indptr, indices, x, v = data.csr
        e = np.empty_like(x)
        K.sparse_residual(W, Ht, indptr, indices, x, e)
        fit = 0.5 * np.sum(v * e * e)
    return fit + _penalty_value(W, Ht, pen, graph)


def _gram_pieces(data, A, Bt, side):
    """P, G, row weights and per-row squared norms for the half-step updating ``A``."""
    X = data.X if side == "W" else data.XT
    other_w = data.col_w if side == "W" else data.row_w
    own_w = data.row_w if side == "W" else data.col_w
    Bw = Bt if np.all(other_w == 1.0) else Bt * other_w[:, None]
    if side == "H" and not sp.issparse(X):
        P = (Bw.T @ data.X).T  # reads X in its memory order (faster than the transposed view)
    else:
        P = X @ Bw
    G = Bt.T @ Bw
    return np.ascontiguousarray(P), np.ascontiguousarray(G), own_w


def _xnorms(data):
    cached = getattr(data, "_norms", None)
    if cached is not None and cached[0] is data.row_w and cached[1] is data.col_w:
        return cached[2], cached[3]
    rn, cn = _xnorms_compute(data)
    data._norms = (data.row_w, data.col_w, rn, cn)
    return rn, cn


def _xnorms_compute(data):
    X = data.X
    if sp.issparse(X):
        Xsq = X.multiply(X)
        rn = np.asarray(Xsq @ data.col_w).ravel()
        cn = np.asarray(Xsq.T @ data.row_w).ravel()
    else:
        Xsq = X * X
        rn = Xsq @ data.col_w
        cn = Xsq.T @ data.row_w
    return rn, cn


def solve(data, W, Ht, pen, *, solver="hals", max_iter=200, tol=1e-4, update_W=True, update_H=True,
          n_inner=None, inner_ratio=0.1, record=False, callback=None):
    """Alternate the W and H updates until the relative objective change falls below ``tol``.

    Parameters
    ----------
    data : Data
        Prepared data.
    W : ndarray of shape (n, k)
        Initial W (float64, C-contiguous), updated in place.
    Ht : ndarray of shape (m, k)
        Initial H transposed (float64, C-contiguous), updated in place.
    pen : Penalty
        Penalty weights.
    solver : {"hals", "mu"}
        Update rule.
    max_iter, tol : int, float
        Outer iterations and relative-objective-change tolerance.
    update_W, update_H : bool
        Which factors move.
    n_inner, inner_ratio : int or None, float
        Accelerated HALS inner sweeps on the Gram layout (a sweep costs O(n k^2), far less than the
        O(n m k) products it reuses): at most ``n_inner`` sweeps (None: ``min(1 + m / (2k), 5)``,
        Gillis & Glineur's rule with alpha = 0.5, capped at 5 as measured best), stopping once a sweep
        moves less than ``inner_ratio`` times the first one.
    record : bool
        Keep the objective after every iteration.
    callback : callable or None
        ``callback(W, Ht)`` after each outer iteration (used by the half-quadratic wrappers).

    Returns
    -------
    n_iter : int
    converged : bool
    objective : float
    history : list of float
    """
    n, m = data.shape
    gW = graph_arrays(pen.S if pen.lam > 0 else None, n)
    gH = graph_arrays(None, m)
    e = None
    E = None
    if data.layout == "dense" and solver == "hals":
        E = data.X - W @ Ht.T
    if data.layout == "sparse" and solver == "hals":
        indptr, indices, x, v = data.csr
        e = np.empty_like(x)
        K.sparse_residual(W, Ht, indptr, indices, x, e)
    if data.layout == "gram":
        rn, cn = _xnorms(data)
    prev = objective(data, W, Ht, pen)
    floor = 1e-10 * abs(prev)  # exact fits drive the objective to ~0, where relative changes are noise
    history = [prev] if record else []
    converged = False
    it = 0
    delta2 = pen.delta**2
    for it in range(1, max_iter + 1):  # noqa: B007 - it is the iteration count returned
        fval = None
        for side in ("W", "H"):
            if (side == "W" and not update_W) or (side == "H" and not update_H):
                continue
            A, Bt = (W, Ht) if side == "W" else (Ht, W)
            l1, l2 = (pen.l1_W, pen.l2_W) if side == "W" else (pen.l1_H, pen.l2_H)
            lam = pen.lam if side == "W" else 0.0
            g = gW if side == "W" else gH
            if data.layout == "gram":
                P, G, own_w = _gram_pieces(data, A, Bt, side)
                if side == "W" and delta2 > 0:
                    P += delta2
                    G += delta2
                if solver == "hals":
                    k = A.shape[1]
                    ni = n_inner if n_inner is not None else min(1 + Bt.shape[0] // (2 * k), 5)
                    K.hals_gram(A, P, G, own_w, l1, l2, lam, g[0], g[1], g[2], g[3], ni, inner_ratio)
                else:
                    _mu_gram(A, P, G, own_w, l1, l2, lam, pen.S if side == "W" else None, g[3])
                xn = rn if side == "W" else cn
                quad = np.sum((A @ G - 2.0 * P) * A, axis=1)
                fit = 0.5 * float(own_w @ (xn + quad))
                if side == "W" and delta2 > 0:
                    # P and G include the augmented column x_aug = delta: add its squared norm
                    fit += 0.5 * delta2 * float(np.sum(own_w))
                fval = fit
            elif data.layout == "dense":
                X, V = (data.X, data.V) if side == "W" else (data.X.T, data.V.T)
                if solver == "hals":
                    Ev = E if side == "W" else E.T
                    K.hals_masked_dense(A, Bt, X, V, Ev, l1, l2, lam, g[0], g[1], g[2], g[3], side == "W")
                else:
                    num = (V * X) @ Bt
                    den = (V * (A @ Bt.T)) @ Bt
                    _mu_apply(A, num, den, l1, l2, lam, pen.S if side == "W" else None, g[3])
            else:
                indptr, indices, x, v = data.csr
                if side == "W":
                    ip, ind, pos = indptr, indices, np.arange(len(x), dtype=np.int64)
                else:
                    ip, ind, pos = data.csc
                if solver == "hals":
                    K.hals_masked_sparse(A, Bt, ip, ind, pos, v, e, l1, l2, lam, g[0], g[1], g[2], g[3])
                else:
                    num, den = K.masked_sparse_products(A, Bt, ip, ind, pos, v, x)
                    _mu_apply(A, num, den, l1, l2, lam, pen.S if side == "W" else None, g[3])
        # objective after the iteration
        if data.layout == "gram" and fval is not None:
            cur = fval + _penalty_value(W, Ht, pen, gW) - _aug_correction(W, pen, data, update_H)
        elif data.layout == "dense" and E is not None:
            cur = 0.5 * float(np.sum(data.V * E * E)) + _penalty_value(W, Ht, pen, gW)
        elif data.layout == "sparse" and e is not None:
            cur = 0.5 * float(np.sum(data.csr[3] * e * e)) + _penalty_value(W, Ht, pen, gW)
        else:
            cur = objective(data, W, Ht, pen)
        if record:
            history.append(cur)
        if callback is not None:
            callback(W, Ht)
        if abs(prev - cur) <= tol * max(abs(prev), floor, 1e-300):
            converged = True
            prev = cur
            break
        prev = cur
    return it, converged, prev, history


def _aug_correction(W, pen, data, update_H):
    """The Gram-form fit of the W half-step already counts the sum-to-one term; remove the double count.

    When H was updated last, the fit is the plain data term and nothing needs correcting. When only W
    was updated (``transform``), the W-side fit includes ``delta^2/2 |1 - W 1|^2`` which
    :func:`_penalty_value` adds again.
    """
    if pen.delta > 0 and not update_H:
        return 0.5 * pen.delta**2 * np.sum((1.0 - W.sum(axis=1)) ** 2)
    return 0.0


def _mu_gram(A, P, G, own_w, l1, l2, lam, S, deg):
    num = own_w[:, None] * P
    den = own_w[:, None] * (A @ G)
    _mu_apply(A, num, den, l1, l2, lam, S, deg)


def _mu_apply(A, num, den, l1, l2, lam, S, deg):
    num = np.maximum(num, 0.0)
    den = den + l1 + l2 * A
    if lam > 0:
        num = num + lam * (S @ A)
        den = den + lam * deg[:, None] * A
    A *= num / (den + _EPS)


# ---------------------------------------------------------------------------------------------
# array-API multiplicative updates (CuPy / array_api_strict): dense, optional 0/1 mask
# ---------------------------------------------------------------------------------------------


def mu_xp(xp, X, M, W, H, *, l1_W=0.0, l2_W=0.0, l1_H=0.0, l2_H=0.0, max_iter=200, tol=1e-4, update_H=True):
    """Masked multiplicative updates written against the array API namespace ``xp``.

    ``X`` (n, m) zero-filled at unobserved entries, ``M`` (n, m) 0/1 mask or None, ``W`` (n, k),
    ``H`` (k, m). Returns ``W, H, n_iter, converged, objective``.
    """

    def obj(W, H):
        R = X - W @ H
        if M is not None:
            R = R * M
        return float(0.5 * xp.sum(R * R) + l1_W * xp.sum(W) + 0.5 * l2_W * xp.sum(W * W)
                     + l1_H * xp.sum(H) + 0.5 * l2_H * xp.sum(H * H))

    prev = obj(W, H)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - it is the iteration count returned
        WH = W @ H
        if M is not None:
            WH = WH * M
        num = X @ xp.permute_dims(H, (1, 0))
        den = WH @ xp.permute_dims(H, (1, 0)) + l1_W + l2_W * W + _EPS
        W = W * (xp.maximum(num, 0.0) / den)
        if update_H:
            WH = W @ H
            if M is not None:
                WH = WH * M
            Wt = xp.permute_dims(W, (1, 0))
            num = Wt @ X
            den = Wt @ WH + l1_H + l2_H * H + _EPS
            H = H * (xp.maximum(num, 0.0) / den)
        cur = obj(W, H)
        if abs(prev - cur) <= tol * max(abs(prev), 1e-300):
            converged = True
            prev = cur
            break
        prev = cur
    return W, H, it, converged, prev
