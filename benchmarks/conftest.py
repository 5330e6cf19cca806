"""Benchmark harness: one thread, JIT warmed before timing, accuracy stored next to time.

Layout follows benchopt (datasets x solvers x objective): each ``bench_FAMILY.py``
builds its data once in module-scoped fixtures, parametrises over solvers
(sparsestat and its anchors, each skipped when not installed) and stores
``case``, ``solver`` and the objective/gap/error reached in ``benchmark.extra_info``.
``sparsestat bench FAMILY`` prints the ratio tables.
"""

import os

import pytest

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


@pytest.fixture(scope="session", autouse=True)
def _pin_threads():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        yield
        return
    with threadpool_limits(limits=1):
        yield


def run_case(benchmark, case, solver, fit, accuracy, *, rounds=3, warmup=True):
    """Time ``fit()`` (after one warm-up call) and store ``accuracy(result)``.

    Parameters
    ----------
    benchmark : pytest-benchmark fixture
    case : str
        Name of the problem (dataset x objective).
    solver : str
        ``"sparsestat"`` or the anchor's name.
    fit : callable
        Zero-argument callable doing only the timed work; returns a result.
    accuracy : callable
        Maps the result to a dict of accuracy measures (objective, gap, error...).
    rounds : int
        Timed repetitions.
    warmup : bool
        Call ``fit`` once untimed first (JIT compilation, caches).
    """
    if warmup and not getattr(benchmark, "disabled", False):
        fit()
    result = benchmark.pedantic(fit, rounds=rounds, iterations=1)
    benchmark.extra_info.update({"case": case, "solver": solver, **accuracy(result)})
    return result
