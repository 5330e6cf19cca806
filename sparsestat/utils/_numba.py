"""Numba defaults shared by every kernel of the package.

Every kernel is compiled lazily on first call (``import sparsestat`` never
compiles) and cached on disk (``cache=True``), with ``fastmath`` off so that
results are reproducible and IEEE-correct (NaN checks keep working).
"""

import functools

__all__ = ["njit", "JIT_OPTIONS"]

JIT_OPTIONS = {"cache": True, "nogil": True, "fastmath": False, "nopython": True}


def njit(*args, **kwargs):
    """``numba.njit`` with the package defaults (cache, nogil, no fastmath).

    Importing numba is deferred to the first decoration so that importing
    :mod:`sparsestat` alone stays cheap.

    Parameters
    ----------
    *args : callable or signature, optional
        As for :func:`numba.njit`.
    **kwargs : dict
        Options that override :data:`JIT_OPTIONS`.

    Returns
    -------
    dispatcher : callable
        The compiled (lazily, on first call) function.
    """
    import numba

    options = {**JIT_OPTIONS, **kwargs}
    options.pop("nopython", None)
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return numba.njit(**options)(args[0])
    return functools.partial(_decorate, numba=numba, args=args, options=options)


def _decorate(func, *, numba, args, options):
    return numba.njit(*args, **options)(func)
