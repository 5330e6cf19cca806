"""Global configuration: array backend, progress display, default ``n_jobs``."""

import threading
from contextlib import contextmanager

__all__ = ["get_config", "set_config", "config_context"]

_DEFAULTS = {"array_api_dispatch": True, "show_progress": False, "n_jobs": None}
_local = threading.local()


def _config():
    if not hasattr(_local, "config"):
        _local.config = dict(_DEFAULTS)
    return _local.config


def get_config():
    """Return a copy of the current configuration.

    Returns
    -------
    config : dict
        Keys ``array_api_dispatch``, ``show_progress`` and ``n_jobs``.
    """
    return dict(_config())


def set_config(*, array_api_dispatch=None, show_progress=None, n_jobs=None):
    """Set global options (thread-local).

    Parameters
    ----------
    array_api_dispatch : bool or None
        When True (default), estimators that support it keep CuPy inputs on the
        GPU; when False, inputs are converted to NumPy.
    show_progress : bool or None
        Print progress of long fits.
    n_jobs : int or None
        Default ``n_jobs`` for estimators whose ``n_jobs`` is None.
    """
    cfg = _config()
    for key, value in (("array_api_dispatch", array_api_dispatch), ("show_progress", show_progress),
                       ("n_jobs", n_jobs)):
        if value is not None:
            cfg[key] = value


@contextmanager
def config_context(**kwargs):
    """Temporarily change the configuration (see :func:`set_config`).

    Parameters
    ----------
    **kwargs : dict
        Options of :func:`set_config`.

    Yields
    ------
    None
    """
    old = get_config()
    set_config(**kwargs)
    try:
        yield
    finally:
        _config().clear()
        _config().update(old)
