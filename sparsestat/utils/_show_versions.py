"""Environment report behind ``sparsestat info`` and :func:`sparsestat.show_versions`."""

import importlib
import platform
import sys

__all__ = ["environment_info", "show_versions"]

_DEPS = (
    "numpy", "scipy", "sklearn", "numba", "array_api_compat", "cvxpy", "statsmodels", "matplotlib",
    "dask", "distributed", "cupy", "array_api_strict",
)


def _version(name):
    try:
        module = importlib.import_module(name)
    except Exception:  # noqa: BLE001 - any import failure means "not usable"
        return None
    return getattr(module, "__version__", "installed")


def environment_info():
    """Collect versions, Numba threading, GPU and Dask availability.

    Returns
    -------
    info : dict
        Keys ``"sparsestat"``, ``"python"``, ``"platform"``, one per dependency,
        ``"numba_threading_layer"``, ``"numba_threads"``, ``"cuda_devices"``
        and ``"cpu_count"``.
    """
    import os

    import sparsestat

    info = {
        "sparsestat": sparsestat.__version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
    }
    for dep in _DEPS:
        info[dep] = _version(dep)
    try:
        import numba
        from numba.np.ufunc import parallel

        @numba.njit(parallel=True, cache=False)
        def _touch(n):  # pragma: no cover - trivial
            s = 0
            for i in numba.prange(n):
                s += i
            return s

        _touch(4)
        info["numba_threading_layer"] = parallel.threading_layer()
        info["numba_threads"] = numba.get_num_threads()
    except Exception as exc:  # noqa: BLE001
        info["numba_threading_layer"] = f"unavailable ({exc.__class__.__name__})"
        info["numba_threads"] = None
    devices = 0
    if info.get("cupy"):
        try:
            import cupy

            devices = cupy.cuda.runtime.getDeviceCount()
        except Exception:  # noqa: BLE001
            devices = 0
    info["cuda_devices"] = devices
    return info


def show_versions():
    """Print :func:`environment_info` as aligned ``key: value`` lines."""
    info = environment_info()
    width = max(len(k) for k in info)
    for key, value in info.items():
        print(f"{key:>{width}}: {'not installed' if value is None else value}")
