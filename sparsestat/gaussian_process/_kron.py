"""Kronecker algebra on grids: mode-d products, eigen-solves, batched preconditioned CG."""

import numpy as np

__all__ = ["kron_mvprod"]


def kron_mvprod(matrices, v):
    r"""Multiply a vector (or a batch of vectors) by a Kronecker product without forming it.

    Computes :math:`(A_1 \otimes A_2 \otimes \cdots \otimes A_D)\, v` by one
    mode-:math:`d` product per factor, in :math:`O(N \sum_d N_d)` operations
    for :math:`N = \prod_d N_d` (row-major, C-order vectorisation).

    Parameters
    ----------
    matrices : sequence of ndarray of shape (M_d, N_d)
        The Kronecker factors.
    v : ndarray of shape (N,) or (N, k) or (N_1, ..., N_D[, k])
        Vector(s) to multiply; a trailing axis is a batch of vectors.

    Returns
    -------
    out : ndarray
        The product, with the layout of ``v`` (flat or tensor) and ``M_d``
        in place of ``N_d``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.gaussian_process import kron_mvprod
    >>> A, B = np.arange(4.0).reshape(2, 2), np.eye(3)
    >>> v = np.arange(6.0)
    >>> np.allclose(kron_mvprod([A, B], v), np.kron(A, B) @ v)
    True
    """
    dims_in = [m.shape[1] for m in matrices]
    D = len(matrices)
    v = np.asarray(v)
    n = int(np.prod(dims_in))
    flat = not (D > 1 and v.ndim >= D and tuple(v.shape[:D]) == tuple(dims_in))
    if flat and v.shape[0] != n:
        raise ValueError(f"v has {v.shape[0]} rows but the Kronecker product has {n} columns.")
    batch = v.shape[1:] if flat else v.shape[D:]
    k = int(np.prod(batch)) if batch else 1
    dims = list(dims_in)
    T = v
    for d, A in enumerate(matrices):
        pre = int(np.prod(dims[:d])) if d else 1
        post = int(np.prod(dims[d + 1:])) * k
        T = _mode_product(A, T.reshape(pre, dims[d], post))
        dims[d] = A.shape[0]
    if flat:
        return T.reshape(-1, *batch)
    return T.reshape(*dims, *batch)


def _mode_product(A, T):
    """Mode-1 product of a (pre, n, post) array with A (m, n), as one or a batch of BLAS-3 products."""
    pre, n, post = T.shape
    if pre == 1:
        return (A @ T[0])[None]
    if post == 1:
        return (T[:, :, 0] @ A.T)[:, :, None]
    if pre > post:  # fewer, larger products: contract over the middle axis with the batch outside
        return np.matmul(T.transpose(2, 0, 1), A.T).transpose(1, 2, 0)
    return np.matmul(A, T)


# Factors up to this size are eigen-decomposed with one BLAS thread: the tridiagonal reduction is BLAS-2 and
# memory bound, so a second thread gains little, and on a busy machine OpenBLAS threads that wait for each other
# made a 512 x 512 eigh 25-80x slower (0.04 s -> 1-3.5 s CPU on 2 shared cores).
_SINGLE_THREAD_EIGH_MAX = 2048
_CONTROLLER = None


def _one_blas_thread():
    """Context manager limiting BLAS/LAPACK to one thread (a no-op without threadpoolctl)."""
    global _CONTROLLER
    try:
        if _CONTROLLER is None:
            from threadpoolctl import ThreadpoolController

            _CONTROLLER = ThreadpoolController()
        return _CONTROLLER.limit(limits=1, user_api="blas")
    except Exception:  # noqa: BLE001 (threadpoolctl missing or unable to inspect the BLAS)
        import contextlib

        return contextlib.nullcontext()


def kron_eig(matrices):
    """Eigen-decompose each symmetric factor; returns (eigenvalues, eigenvectors) lists."""
    import contextlib

    from scipy.linalg import eigh

    vals, vecs = [], []
    for K in matrices:
        limit = _one_blas_thread() if K.shape[0] <= _SINGLE_THREAD_EIGH_MAX else contextlib.nullcontext()
        with limit:
            w, Q = eigh(0.5 * (K + K.T), check_finite=False, driver="evd")
        vals.append(np.maximum(w, 0.0))
        vecs.append(Q)
    return vals, vecs


def outer_all(vectors):
    """Tensor outer product of 1-D vectors (shape (N_1, ..., N_D))."""
    out = np.asarray(vectors[0])
    for v in vectors[1:]:
        out = np.multiply.outer(out, v)
    return out


def kron_solve_eig(vals, vecs, noise, v):
    """(⊗K_d + noise I)^{-1} v via the per-dimension eigendecompositions (v flat (N,) or (N, k))."""
    s = outer_all(vals).ravel() + noise
    t = kron_mvprod([Q.T for Q in vecs], v)
    t = t / (s if t.ndim == 1 else s[:, None])
    return kron_mvprod(vecs, t)


def pcg(matvec, precond, B, tol=1e-10, max_iter=1000):
    """Preconditioned conjugate gradients on several right-hand sides at once.

    Parameters are plain callables on (n, k) arrays. Returns (X, n_iter, max relative residual).
    """
    B = np.asarray(B, dtype=float)
    squeeze = B.ndim == 1
    if squeeze:
        B = B[:, None]
    X = np.zeros_like(B)
    R = B.copy()
    bnorm = np.linalg.norm(B, axis=0)
    bnorm[bnorm == 0] = 1.0
    Z = precond(R)
    P = Z.copy()
    rz = np.einsum("ij,ij->j", R, Z)
    it = 0
    res = np.linalg.norm(R, axis=0) / bnorm
    while it < max_iter and np.max(res) > tol:
        AP = matvec(P)
        pap = np.einsum("ij,ij->j", P, AP)
        active = res > tol
        a = np.where(active & (pap > 0), rz / np.where(pap > 0, pap, 1.0), 0.0)
        X += a * P
        R -= a * AP
        Z = precond(R)
        rz_new = np.einsum("ij,ij->j", R, Z)
        beta = np.where(rz > 0, rz_new / np.where(rz > 0, rz, 1.0), 0.0)
        P = Z + beta * P
        rz = rz_new
        it += 1
        res = np.linalg.norm(R, axis=0) / bnorm
    return (X[:, 0] if squeeze else X), it, float(np.max(res))
