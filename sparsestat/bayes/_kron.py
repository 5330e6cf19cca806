"""Kronecker algebra without forming the Kronecker product.

Every product ``(A_1 ⊗ ... ⊗ A_I) x`` is computed as a sequence of mode
products on the tensor ``x.reshape(N_1, ..., N_I)``: contracting the leading
axis with ``A_i`` and appending the new axis at the end brings the axes back
in order after ``I`` steps. Only ``reshape`` and ``tensordot`` are used, so the
same code runs on NumPy, CuPy and ``array_api_strict`` arrays.
"""

import numpy as np

from sparsestat.utils._array_api import get_namespace

__all__ = ["kron_matvec", "kron_diag_quadform", "kron_vectors", "KroneckerOperator"]


def kron_matvec(factors, x):
    """Compute ``(A_1 ⊗ A_2 ⊗ ⋯ ⊗ A_I) x`` by mode products.

    Costs :math:`O(\\prod_i N_i \\sum_i M_i)` operations (for square-ish
    factors) instead of :math:`O(\\prod_i M_i N_i)`, and never forms the
    Kronecker product.

    Parameters
    ----------
    factors : sequence of array of shape (M_i, N_i)
        The factor matrices, in the order of ``numpy.kron``.
    x : array of shape (N_1 * ... * N_I,)
        The vector (or an array with that many entries, read in C order).

    Returns
    -------
    y : array of shape (M_1 * ... * M_I,)
        The product, in the namespace of ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.bayes import kron_matvec
    >>> rng = np.random.default_rng(0)
    >>> A, B = rng.standard_normal((3, 4)), rng.standard_normal((2, 5))
    >>> x = rng.standard_normal(20)
    >>> bool(np.allclose(kron_matvec([A, B], x), np.kron(A, B) @ x))
    True
    """
    xp = get_namespace(x, *factors)
    shape = tuple(int(A.shape[1]) for A in factors)
    T = xp.reshape(x, shape)
    for A in factors:
        T = xp.tensordot(T, A, axes=([0], [1]))
    return xp.reshape(T, (-1,))


def kron_diag_quadform(factors, w):
    """Diagonal of ``(⊗ A_i) diag(w) (⊗ A_i)^H`` without forming either matrix.

    Uses :math:`\\mathrm{diag}(B\\,\\mathrm{diag}(w) B^H) = (B \\circ \\bar B) w`
    and :math:`(\\otimes A_i) \\circ \\overline{(\\otimes A_i)} = \\otimes |A_i|^{\\circ 2}`.

    Parameters
    ----------
    factors : sequence of array of shape (M_i, N_i)
        The factor matrices.
    w : array of shape (N_1 * ... * N_I,)
        Real weights.

    Returns
    -------
    d : array of shape (M_1 * ... * M_I,)
        The (real) diagonal.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.bayes import kron_diag_quadform
    >>> rng = np.random.default_rng(0)
    >>> A, B = rng.standard_normal((3, 4)), rng.standard_normal((2, 5))
    >>> w = rng.random(20)
    >>> K = np.kron(A, B)
    >>> bool(np.allclose(kron_diag_quadform([A, B], w), np.diag(K @ np.diag(w) @ K.T)))
    True
    """
    xp = get_namespace(w, *factors)
    sq = [_abs2(xp, A) for A in factors]
    return kron_matvec(sq, w)


def kron_vectors(vectors):
    """Kronecker product of vectors ``v_1 ⊗ v_2 ⊗ ⋯ ⊗ v_I`` (C order).

    Parameters
    ----------
    vectors : sequence of array of shape (n_i,)
        The vectors.

    Returns
    -------
    v : array of shape (n_1 * ... * n_I,)
        Their Kronecker product.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.bayes import kron_vectors
    >>> kron_vectors([np.array([1.0, 2.0]), np.array([1.0, 10.0])])
    array([ 1., 10.,  2., 20.])
    """
    xp = get_namespace(*vectors)
    out = vectors[0]
    for v in vectors[1:]:
        out = xp.reshape(xp.reshape(out, (-1, 1)) * xp.reshape(v, (1, -1)), (-1,))
    return out


def _abs2(xp, A):
    if xp.isdtype(A.dtype, "complex floating"):
        return xp.real(A) ** 2 + xp.imag(A) ** 2
    return A * A


def _conj_t(xp, A):
    At = xp.permute_dims(A, (1, 0)) if A.ndim == 2 else A
    if xp.isdtype(A.dtype, "complex floating"):
        return xp.conj(At)
    return At


class KroneckerOperator:
    """Linear operator ``A_1 ⊗ A_2 ⊗ ⋯ ⊗ A_I`` acting by mode products.

    A light ``scipy.sparse.linalg.LinearOperator``-compatible object (it has
    ``shape``, ``dtype``, ``matvec``, ``rmatvec`` and ``@``); call
    :meth:`aslinearoperator` for a genuine SciPy operator.

    Parameters
    ----------
    factors : sequence of array of shape (M_i, N_i)
        The factor matrices, in the order of ``numpy.kron``.

    Attributes
    ----------
    factors : list of array
        The factor matrices.
    shape : tuple of int
        ``(prod M_i, prod N_i)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.bayes import KroneckerOperator
    >>> rng = np.random.default_rng(0)
    >>> op = KroneckerOperator([rng.standard_normal((3, 4)), rng.standard_normal((2, 5))])
    >>> op.shape
    (6, 20)
    >>> bool(np.allclose(op @ np.ones(20), op.todense() @ np.ones(20)))
    True
    """

    def __init__(self, factors):
        self.factors = list(factors)

    @property
    def shape(self):
        """Shape ``(prod M_i, prod N_i)`` of the operator.

        Returns
        -------
        tuple of int
            The shape.
        """
        m = int(np.prod([A.shape[0] for A in self.factors]))
        n = int(np.prod([A.shape[1] for A in self.factors]))
        return (m, n)

    @property
    def dtype(self):
        """Result dtype of the factors.

        Returns
        -------
        dtype
            The common dtype.
        """
        return np.result_type(*[np.asarray(A).dtype for A in self.factors])

    def matvec(self, x):
        """Compute ``(⊗ A_i) x``.

        Parameters
        ----------
        x : array of shape (n_columns,)
            Input vector.

        Returns
        -------
        array of shape (n_rows,)
            The product.
        """
        return kron_matvec(self.factors, x)

    def rmatvec(self, y):
        """Compute ``(⊗ A_i)^H y``.

        Parameters
        ----------
        y : array of shape (n_rows,)
            Input vector.

        Returns
        -------
        array of shape (n_columns,)
            The adjoint product.
        """
        xp = get_namespace(y, *self.factors)
        return kron_matvec([_conj_t(xp, A) for A in self.factors], y)

    def __matmul__(self, x):
        if getattr(x, "ndim", 1) == 2:
            xp = get_namespace(x)
            cols = [self.matvec(x[:, j]) for j in range(x.shape[1])]
            return xp.stack(cols, axis=1)
        return self.matvec(x)

    def todense(self):
        """Form the dense Kronecker product (only for small operators and tests).

        Returns
        -------
        ndarray of shape (n_rows, n_columns)
            ``numpy.kron`` of the factors.
        """
        from functools import reduce

        return reduce(np.kron, [np.asarray(A) for A in self.factors])

    def aslinearoperator(self):
        """Wrap as a :class:`scipy.sparse.linalg.LinearOperator`.

        Returns
        -------
        scipy.sparse.linalg.LinearOperator
            The operator, with ``matvec`` and ``rmatvec``.
        """
        from scipy.sparse.linalg import LinearOperator

        return LinearOperator(self.shape, matvec=self.matvec, rmatvec=self.rmatvec, dtype=self.dtype)
