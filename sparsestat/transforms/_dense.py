"""Dense fast Walsh-Hadamard transform: ``fwht``, ``ifwht``, ``walsh_permutation`` and a transformer."""

import math
import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["fwht", "ifwht", "walsh_permutation", "WalshHadamardTransformer"]

_NORMS = ("backward", "ortho", "forward")
_ORDERS = ("natural", "dyadic", "sequency")
# one long row is split over threads when it is at least this long (below, threads cost more than they save)
_PARALLEL_ROW_MIN = 1 << 16


def _check_length(N, name="x"):
    if N < 1 or (N & (N - 1)) != 0:
        raise ValueError(
            f"The length of {name} along the transform axis must be a power of two, got {N}; "
            "zero-pad it to the next power of two (e.g. np.pad) or crop it."
        )
    return N.bit_length() - 1


def _check_options(norm, order):
    if norm not in _NORMS:
        raise ValueError(f"norm must be one of {_NORMS}, got {norm!r}.")
    if order not in _ORDERS:
        raise ValueError(f"order must be one of {_ORDERS}, got {order!r}.")


def _bitreverse(k, n_bits):
    out = np.zeros_like(k)
    for i in range(n_bits):
        out |= ((k >> i) & 1) << (n_bits - 1 - i)
    return out


def walsh_permutation(n_bits, order="sequency"):
    """Natural-order row index of each row of a reordered Walsh-Hadamard transform.

    Row ``k`` of the transform in ``order`` equals row ``perm[k]`` of the natural
    (Sylvester-Hadamard) order:

    - ``"natural"``: ``perm[k] = k``;
    - ``"dyadic"`` (Paley): ``perm[k] = bitreverse(k)``;
    - ``"sequency"`` (Walsh): ``perm[k] = bitreverse(gray(k))`` with
      ``gray(k) = k XOR (k >> 1)``; row ``k`` then has exactly ``k`` sign changes.

    Parameters
    ----------
    n_bits : int
        Number of bits ``n`` (the transform length is ``2**n``).
    order : {"sequency", "dyadic", "natural"}, default="sequency"
        The ordering.

    Returns
    -------
    perm : ndarray of shape (2**n_bits,), dtype int64
        Natural-order row of each output row.

    Examples
    --------
    >>> from sparsestat.transforms import walsh_permutation
    >>> walsh_permutation(2, "sequency").tolist()
    [0, 2, 3, 1]
    """
    if isinstance(n_bits, bool) or not isinstance(n_bits, numbers.Integral) or not 0 <= n_bits <= 40:
        raise ValueError(f"n_bits must be an integer in [0, 40], got {n_bits!r}.")
    _check_options("backward", order)
    k = np.arange(1 << int(n_bits), dtype=np.int64)
    if order == "natural":
        return k
    if order == "sequency":
        k = k ^ (k >> 1)
    return _bitreverse(k, int(n_bits))


def _scale_of(norm, N, inverse):
    if norm == "ortho":
        return 1.0 / math.sqrt(N)
    if (norm == "backward") == inverse:
        return 1.0 / N
    return 1.0


def _transform(x, axis, norm, order, overwrite_x, inverse):
    _check_options(norm, order)
    from sparsestat.utils._array_api import get_namespace, is_numpy_namespace

    if not isinstance(axis, numbers.Integral) or isinstance(axis, bool):
        raise TypeError(f"axis must be an integer, got {type(axis).__name__}.")
    if not hasattr(x, "shape"):
        x = np.asarray(x)
    xp = get_namespace(x)
    if x.ndim == 0:
        raise ValueError("x must have at least one dimension to transform along; got a scalar.")
    axis = int(axis)
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis={axis} is out of bounds for an array of dimension {x.ndim}.")
    N = int(x.shape[axis])
    n_bits = _check_length(N)
    scale = _scale_of(norm, N, inverse)
    if not is_numpy_namespace(xp):
        return _transform_xp(xp, x, axis, scale, order, n_bits, inverse)
    x = np.asarray(x)
    if x.dtype.kind in "biu":
        x = x.astype(np.float64)
    elif x.dtype.kind not in "fc" or x.dtype.itemsize < 4:
        if x.dtype == np.float16:
            x = x.astype(np.float32)
        elif x.dtype.kind not in "fc":
            raise TypeError(f"x must be a real or complex numeric array, got dtype {x.dtype}.")
    if x.dtype == np.longdouble and x.dtype != np.float64:
        x = x.astype(np.float64)
    if x.dtype == np.clongdouble and x.dtype != np.complex128:
        x = x.astype(np.complex128)
    moved = np.moveaxis(x, axis, -1)
    perm = None if order == "natural" else walsh_permutation(n_bits, order)
    if inverse and perm is not None:
        # ordered spectrum -> natural spectrum, then the natural (symmetric) transform
        nat = np.empty_like(moved)
        nat[..., perm] = moved
        work = np.ascontiguousarray(nat)
    elif overwrite_x and moved.flags.c_contiguous:
        work = moved
    else:
        work = np.array(moved, order="C", copy=True)
    if N > 1:
        from sparsestat.transforms._fwht import fwht_row_inplace_parallel, fwht_rows_inplace

        flat = work.reshape(-1, N)
        if flat.shape[0] == 1 and N >= _PARALLEL_ROW_MIN:
            fwht_row_inplace_parallel(flat[0], work.dtype.type(scale).real)
        else:
            fwht_rows_inplace(flat, work.dtype.type(scale).real)
    elif scale != 1.0:
        work *= scale
    if not inverse and perm is not None:
        work = work[..., perm]
    return np.moveaxis(work, -1, axis)


def _transform_xp(xp, x, axis, scale, order, n_bits, inverse):
    """Array-API path (CuPy, ``array_api_strict``): stage-wise reshaped butterflies, one op per stage."""
    N = 1 << n_bits
    if xp.isdtype(x.dtype, "integral") or xp.isdtype(x.dtype, "bool"):
        x = xp.astype(x, xp.float64)
    y = xp.moveaxis(x, axis, -1)
    lead = tuple(y.shape[:-1])
    batch = math.prod(lead)
    perm = None
    if order != "natural":
        perm = xp.asarray(walsh_permutation(n_bits, order))
        if inverse:
            inv = np.empty(N, dtype=np.int64)
            inv[walsh_permutation(n_bits, order)] = np.arange(N)
            y = xp.take(y, xp.asarray(inv), axis=-1)
    y = xp.reshape(y, (batch, N))
    h = 1
    while h < N:
        z = xp.reshape(y, (batch, N // (2 * h), 2, h))
        a = z[:, :, 0, :]
        b = z[:, :, 1, :]
        y = xp.reshape(xp.stack((a + b, a - b), axis=2), (batch, N))
        h *= 2
    if scale != 1.0:
        y = y * scale
    if perm is not None and not inverse:
        y = xp.take(y, perm, axis=-1)
    y = xp.reshape(y, (*lead, N))
    return xp.moveaxis(y, -1, axis)


def fwht(x, axis=-1, *, norm="backward", order="natural", overwrite_x=False):
    """Fast Walsh-Hadamard transform along one axis.

    .. math::

        X[k] = c \\sum_{m=0}^{N-1} x[m] \\, (-1)^{\\langle m, k \\rangle},
        \\qquad \\langle m, k \\rangle = \\operatorname{popcount}(m \\,\\&\\, k) \\bmod 2,

    with :math:`c = 1` (``norm="backward"``), :math:`1/\\sqrt{N}` (``"ortho"``)
    or :math:`1/N` (``"forward"``), as in :mod:`numpy.fft`. ``N`` must be a power
    of two. The CPU kernel (Numba) runs radix-4 butterflies inside cache-sized
    blocks and then across blocks on gathered panels (two passes over memory up
    to ``N = 2**26``); leading axes are batched and rows run in parallel, and a
    single long row is split over threads. Other array-API namespaces (CuPy,
    ``array_api_strict``) use ``log2(N)`` reshaped butterfly operations.

    Parameters
    ----------
    x : array-like
        Input array (real or complex; integers are converted to float64;
        float32/complex64 are kept).
    axis : int, default=-1
        Axis along which to transform; its length must be a power of two.
    norm : {"backward", "ortho", "forward"}, default="backward"
        Normalisation (see above).
    order : {"natural", "dyadic", "sequency"}, default="natural"
        Row ordering of the output: Hadamard (natural), Paley (dyadic) or Walsh
        (sequency); see :func:`walsh_permutation`.
    overwrite_x : bool, default=False
        Allow the transform to reuse ``x``'s memory (only when ``x`` is a NumPy
        array, C-contiguous along ``axis=-1`` and ``order="natural"``); the
        result is then a view of ``x``.

    Returns
    -------
    X : ndarray
        The transform, same shape as ``x``.

    See Also
    --------
    ifwht : The inverse transform.
    spright : Sparse Walsh spectrum from a few samples.

    References
    ----------
    .. [1] K. J. Horadam, "Hadamard Matrices and Their Applications",
       Princeton University Press, 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.transforms import fwht
    >>> fwht(np.array([1.0, 0.0, 1.0, 0.0]))
    array([2., 2., 0., 0.])
    """
    return _transform(x, axis, norm, order, overwrite_x, inverse=False)


def ifwht(X, axis=-1, *, norm="backward", order="natural", overwrite_x=False):
    """Inverse fast Walsh-Hadamard transform along one axis.

    ``ifwht(fwht(x, norm=nm, order=od), norm=nm, order=od) == x`` for every
    normalisation and ordering: the natural-order transform is its own inverse
    up to the factor :math:`1/N`.

    Parameters
    ----------
    X : array-like
        Spectrum (real or complex), length a power of two along ``axis``.
    axis : int, default=-1
        Axis along which to transform.
    norm : {"backward", "ortho", "forward"}, default="backward"
        Normalisation: the inverse is scaled by :math:`1/N` (``"backward"``),
        :math:`1/\\sqrt{N}` (``"ortho"``) or 1 (``"forward"``).
    order : {"natural", "dyadic", "sequency"}, default="natural"
        Ordering of the rows of ``X``.
    overwrite_x : bool, default=False
        Allow reuse of ``X``'s memory (natural order only).

    Returns
    -------
    x : ndarray
        The signal, same shape as ``X``.

    See Also
    --------
    fwht : The forward transform.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.transforms import fwht, ifwht
    >>> x = np.arange(8.0)
    >>> np.allclose(ifwht(fwht(x, order="sequency"), order="sequency"), x)
    True
    """
    return _transform(X, axis, norm, order, overwrite_x, inverse=True)


class WalshHadamardTransformer(TransformerMixin, BaseEstimator):
    """Row-wise Walsh-Hadamard transform as a scikit-learn transformer (for pipelines).

    Each sample (row) is transformed with :func:`fwht`. Rows whose length is not a
    power of two are zero-padded to the next power of two when ``pad=True``, so
    the output may have more columns than the input;
    :meth:`inverse_transform` undoes the transform and crops the padding.
    ``fit`` only records the number of features.

    Parameters
    ----------
    norm : {"ortho", "backward", "forward"}, default="ortho"
        Normalisation of the forward transform (``"ortho"`` keeps Euclidean norms).
    order : {"natural", "dyadic", "sequency"}, default="natural"
        Ordering of the output columns.
    pad : bool, default=True
        Zero-pad rows to the next power of two; when False a row length that is
        not a power of two raises ``ValueError``.

    Attributes
    ----------
    n_features_in_ : int
        Number of input features.
    n_components_ : int
        Number of output columns (the padded length).

    See Also
    --------
    fwht : The functional form.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.transforms import WalshHadamardTransformer
    >>> X = np.array([[1.0, 0.0, 1.0, 0.0]])
    >>> WalshHadamardTransformer(norm="backward").fit_transform(X)
    array([[2., 2., 0., 0.]])
    """

    _parameter_constraints = {
        "norm": [StrOptions(set(_NORMS))],
        "order": [StrOptions(set(_ORDERS))],
        "pad": ["boolean"],
    }

    def __init__(self, norm="ortho", order="natural", pad=True):
        self.norm = norm
        self.order = order
        self.pad = pad

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the number of features (the transform itself has no parameters).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : None
            Ignored.

        Returns
        -------
        self : WalshHadamardTransformer
            The fitted transformer.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        n = X.shape[1]
        padded = 1 << max(0, (n - 1).bit_length())
        if padded != n and not self.pad:
            raise ValueError(f"X has {n} features, not a power of two; set pad=True or zero-pad X yourself.")
        self.n_components_ = padded
        return self

    def _pad(self, X, width):
        if X.shape[1] == width:
            return X
        out = np.zeros((X.shape[0], width), dtype=X.dtype)
        out[:, : X.shape[1]] = X
        return out

    def transform(self, X):
        """Walsh-Hadamard transform of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to transform.

        Returns
        -------
        Xt : ndarray of shape (n_samples, n_components)
            Transformed rows.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return fwht(self._pad(X, self.n_components_), axis=1, norm=self.norm, order=self.order)

    def inverse_transform(self, X):
        """Inverse transform of each row, cropped to ``n_features_in_`` columns.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Transformed rows.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Reconstructed rows.
        """
        check_is_fitted(self)
        from sklearn.utils import check_array

        X = check_array(X, dtype=[np.float64, np.float32])
        if X.shape[1] != self.n_components_:
            raise ValueError(f"X has {X.shape[1]} columns; inverse_transform expects n_components_="
                             f"{self.n_components_}.")
        return ifwht(X, axis=1, norm=self.norm, order=self.order)[:, : self.n_features_in_]

    def get_feature_names_out(self, input_features=None):
        """Output feature names ``wht0, wht1, ...``.

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        names : ndarray of str
            One name per output column.
        """
        check_is_fitted(self)
        return np.asarray([f"wht{i}" for i in range(self.n_components_)], dtype=object)
