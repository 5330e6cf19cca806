"""Kronecker algebra on grids: mode-d products, eigen-solves, batched preconditioned CG.

Every function follows the array namespace of its inputs (NumPy, CuPy, ``array_api_strict``
through ``array_api_compat``): only reshapes, transposes, ``matmul`` and ``linalg.eigh`` are used
(the array API has no ``kron``), so the per-dimension algebra runs on the device holding the arrays.
"""

import numpy as np

from sparsestat.utils._array_api import get_namespace, is_numpy_namespace

__all__ = ["kron_mvprod"]


def kron_mvprod(matrices, v):
    r"""Multiply a vector (or a batch of vectors) by a Kronecker product without forming it.

    Computes :math:`(A_1 \otimes A_2 \otimes \cdots \otimes A_D)\, v` by one
    mode-:math:`d` product per factor, in :math:`O(N \sum_d N_d)` operations
    for :math:`N = \prod_d N_d` (row-major, C-order vectorisation). The
    computation follows the array namespace of ``v`` (NumPy, CuPy,
    any array-API library): the factors and ``v`` must share it.

    Parameters
    ----------
    matrices : sequence of array of shape (M_d, N_d)
        The Kronecker factors.
    v : array of shape (N,) or (N, k) or (N_1, ..., N_D[, k])
        Vector(s) to multiply; a trailing axis is a batch of vectors.

    Returns
    -------
    out : array
        The product, with the layout of ``v`` (flat or tensor) and ``M_d``
        in place of ``N_d``, in the namespace of ``v``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.gaussian_process import kron_mvprod
    >>> A, B = np.arange(4.0).reshape(2, 2), np.eye(3)
    >>> v = np.arange(6.0)
    >>> np.allclose(kron_mvprod([A, B], v), np.kron(A, B) @ v)
    True
    """
    if isinstance(v, (list, tuple)):
        v = np.asarray(v)
    xp = get_namespace(v)
    if is_numpy_namespace(xp):
        matrices = [np.asarray(m) for m in matrices]
    dims_in = [int(m.shape[1]) for m in matrices]
    D = len(matrices)
    n = int(np.prod(dims_in))
    flat = not (D > 1 and v.ndim >= D and tuple(v.shape[:D]) == tuple(dims_in))
    if flat and v.shape[0] != n:
        raise ValueError(f"v has {v.shape[0]} rows but the Kronecker product has {n} columns.")
    batch = tuple(v.shape[1:] if flat else v.shape[D:])
    k = int(np.prod(batch)) if batch else 1
    dims = list(dims_in)
    T = v
    for d, A in enumerate(matrices):
        pre = int(np.prod(dims[:d])) if d else 1
        post = int(np.prod(dims[d + 1:])) * k
        T = _mode_product(A, xp.reshape(T, (pre, dims[d], post)), xp)
        dims[d] = int(A.shape[0])
    if flat:
        return xp.reshape(T, (-1, *batch))
    return xp.reshape(T, (*dims, *batch))


def _mode_product(A, T, xp=None):
    """Mode-1 product of a (pre, n, post) array with A (m, n), as one or a batch of BLAS-3 products."""
    xp = get_namespace(T) if xp is None else xp
    pre, n, post = (int(s) for s in T.shape)
    m = int(A.shape[0])
    if pre == 1:
        return xp.reshape(xp.matmul(A, T[0, :, :]), (1, m, post))
    if post == 1:
        return xp.reshape(xp.matmul(T[:, :, 0], A.T), (pre, m, 1))
    if pre > post:  # fewer, larger products: contract over the middle axis with the batch outside
        return xp.permute_dims(xp.matmul(xp.permute_dims(T, (2, 0, 1)), A.T), (1, 2, 0))
    return xp.matmul(A, T)


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
    """Eigen-decompose each symmetric factor; returns (eigenvalues, eigenvectors) lists.

    NumPy factors use SciPy's divide-and-conquer ``eigh``; other namespaces (CuPy, ...) their own
    ``linalg.eigh``, on the factor's device. Negative round-off eigenvalues are clipped to 0.
    """
    import contextlib

    xp = get_namespace(*matrices)
    vals, vecs = [], []
    if is_numpy_namespace(xp):
        from scipy.linalg import eigh

        for K in matrices:
            limit = _one_blas_thread() if K.shape[0] <= _SINGLE_THREAD_EIGH_MAX else contextlib.nullcontext()
            with limit:
                w, Q = eigh(0.5 * (K + K.T), check_finite=False, driver="evd")
            vals.append(np.maximum(w, 0.0))
            vecs.append(Q)
        return vals, vecs
    for K in matrices:
        w, Q = xp.linalg.eigh(0.5 * (K + K.T))
        vals.append(xp.clip(w, min=0.0))
        vecs.append(Q)
    return vals, vecs


def outer_all(vectors):
    """Tensor outer product of 1-D vectors (shape (N_1, ..., N_D)), in their namespace."""
    xp = get_namespace(*vectors)
    out = vectors[0]
    for v in vectors[1:]:
        out = xp.reshape(out, (*out.shape, 1)) * v
    return out


def kron_solve_eig(vals, vecs, noise, v):
    """(⊗K_d + noise I)^{-1} v via the per-dimension eigendecompositions (v flat (N,) or (N, k))."""
    xp = get_namespace(v)
    s = xp.reshape(outer_all(vals), (-1,)) + noise
    t = kron_mvprod([Q.T for Q in vecs], v)
    t = t / (s if t.ndim == 1 else xp.reshape(s, (-1, 1)))
    return kron_mvprod(vecs, t)


def pcg(matvec, precond, B, tol=1e-10, max_iter=1000):
    """Preconditioned conjugate gradients on several right-hand sides at once, in the namespace of ``B``.

    Parameters are plain callables on (n, k) arrays. Returns (X, n_iter, max relative residual).
    """
    xp = get_namespace(B)
    squeeze = B.ndim == 1
    if squeeze:
        B = xp.reshape(B, (-1, 1))
    X = xp.zeros_like(B)
    R = B
    bnorm = xp.linalg.vector_norm(B, axis=0)
    bnorm = xp.where(bnorm == 0, xp.ones_like(bnorm), bnorm)
    Z = precond(R)
    P = Z
    rz = xp.sum(R * Z, axis=0)
    it = 0
    res = xp.linalg.vector_norm(R, axis=0) / bnorm
    zero = xp.zeros_like(rz)
    one = xp.ones_like(rz)
    while it < max_iter and float(xp.max(res)) > tol:
        AP = matvec(P)
        pap = xp.sum(P * AP, axis=0)
        active = res > tol
        a = xp.where(active & (pap > 0), rz / xp.where(pap > 0, pap, one), zero)
        X = X + a * P
        R = R - a * AP
        Z = precond(R)
        rz_new = xp.sum(R * Z, axis=0)
        beta = xp.where(rz > 0, rz_new / xp.where(rz > 0, rz, one), zero)
        P = Z + beta * P
        rz = rz_new
        it += 1
        res = xp.linalg.vector_norm(R, axis=0) / bnorm
    return (X[:, 0] if squeeze else X), it, float(xp.max(res))
