"""Array-API helpers: one code path for NumPy, CuPy and ``array_api_strict``.

Array code in sparsestat is written against the namespace of its input
(``xp = get_namespace(X)``); Numba kernels only ever see NumPy arrays.
"""

import numpy as np

__all__ = ["get_namespace", "to_numpy", "asarray_like", "is_numpy_namespace", "device"]


def get_namespace(*arrays):
    """Return the array namespace shared by ``arrays`` (NumPy for lists/scalars).

    Parameters
    ----------
    *arrays : array-like
        Arrays (NumPy, CuPy, ``array_api_strict``...). Objects that are not array-API
        arrays (Python scalars, lists, ``None``, scipy.sparse matrices, DataFrames, objects
        with only ``__array__``) are ignored: they are NumPy input.

    Returns
    -------
    xp : module
        The array-API compatible namespace (``array_api_compat`` wrapped).

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.utils import get_namespace
    >>> get_namespace(np.ones(3)).__name__
    'array_api_compat.numpy'
    """
    import array_api_compat

    arrays = [a for a in arrays if array_api_compat.is_array_api_obj(a)]
    if not arrays:
        return array_api_compat.array_namespace(np.empty(0))
    return array_api_compat.array_namespace(*arrays)


def is_numpy_namespace(xp):
    """Whether ``xp`` is NumPy (plain or ``array_api_compat`` wrapped).

    Parameters
    ----------
    xp : module
        An array namespace.

    Returns
    -------
    bool
        True for NumPy.
    """
    return xp.__name__ in {"numpy", "array_api_compat.numpy"}


def device(x):
    """Device of array ``x`` (``"cpu"`` for NumPy).

    Parameters
    ----------
    x : array
        Any array-API array.

    Returns
    -------
    device : object
        The device object of the array.
    """
    import array_api_compat

    return array_api_compat.device(x)


def to_numpy(x):
    """Copy an array of any namespace to a NumPy array on the host.

    Parameters
    ----------
    x : array
        NumPy, CuPy or ``array_api_strict`` array.

    Returns
    -------
    ndarray
        A NumPy array.
    """
    if isinstance(x, np.ndarray):
        return x
    mod = type(x).__module__
    if mod.startswith("cupy"):
        return x.get()
    try:
        return np.asarray(x)
    except (TypeError, ValueError, RuntimeError):
        return np.from_dlpack(x)


def asarray_like(x, like):
    """Move NumPy array ``x`` into the namespace and device of ``like``.

    Parameters
    ----------
    x : ndarray
        Host array.
    like : array
        Array whose namespace and device are wanted.

    Returns
    -------
    array
        ``x`` in the namespace of ``like``.
    """
    xp = get_namespace(like)
    if is_numpy_namespace(xp):
        return np.asarray(x)
    return xp.asarray(x, device=device(like))
