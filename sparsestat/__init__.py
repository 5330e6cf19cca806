"""sparsestat: classical sparse statistics and signal recovery.

Subpackages are imported by the user, e.g. ``from sparsestat.linear_model
import Lasso``; importing :mod:`sparsestat` itself is cheap (no Numba
compilation, no heavy optional dependency).
"""

__version__ = "0.1.0.dev0"

__all__ = ["__version__", "show_versions"]


def show_versions():
    """Print the versions of sparsestat, its dependencies and the hardware backends.

    Examples
    --------
    >>> import sparsestat
    >>> sparsestat.show_versions()  # doctest: +SKIP
    """
    from sparsestat.utils._show_versions import show_versions as _show

    _show()
