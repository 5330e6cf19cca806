"""Shared utilities: array namespaces, Numba defaults, Dask, validation, registry."""

from sparsestat.utils._array_api import asarray_like, get_namespace, to_numpy
from sparsestat.utils._dask import get_client
from sparsestat.utils._registry import all_estimators

__all__ = ["all_estimators", "asarray_like", "get_client", "get_namespace", "to_numpy"]
