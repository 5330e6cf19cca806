"""Dask helpers: every scale-out path of sparsestat goes through these."""

__all__ = ["get_client", "require_dask"]

_LOCAL = {}


def require_dask():
    """Import ``dask.distributed`` or raise an ImportError naming the extra.

    Returns
    -------
    distributed : module
        The ``distributed`` module.
    """
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "This feature needs Dask: pip install \"sparsestat[all]\" (or dask[distributed])."
        ) from exc
    return distributed


def get_client(client=None, *, n_workers=None, threads_per_worker=1, processes=True):
    """Return ``client`` or a lazily started local Dask client.

    Parameters
    ----------
    client : distributed.Client or None, default=None
        A user's client, returned unchanged. ``None`` starts (once per process)
        a ``LocalCluster`` and returns a client connected to it.
    n_workers : int or None, default=None
        Workers of the local cluster (one per core when None).
    threads_per_worker : int, default=1
        Threads per local worker.
    processes : bool, default=True
        Use worker processes (True) or threads (False) for the local cluster.

    Returns
    -------
    client : distributed.Client
        A connected client.

    Examples
    --------
    >>> from sparsestat.utils import get_client
    >>> client = get_client()  # doctest: +SKIP
    """
    distributed = require_dask()
    if client is not None:
        if not isinstance(client, distributed.Client):
            raise TypeError(f"client must be a distributed.Client or None, got {type(client).__name__}.")
        return client
    try:
        return distributed.get_client()
    except ValueError:
        pass
    key = (n_workers, threads_per_worker, processes)
    cached = _LOCAL.get(key)
    if cached is not None and cached.status == "running":
        return cached
    cluster = distributed.LocalCluster(
        n_workers=n_workers, threads_per_worker=threads_per_worker, processes=processes,
        dashboard_address=None,
    )
    _LOCAL[key] = distributed.Client(cluster)
    return _LOCAL[key]
