"""Shared fixtures: seeds, dtypes, optional dependencies."""

import os

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(params=[0, 1, 42])
def global_random_seed(request):
    """A few seeds: tests that use it must pass for each."""
    return request.param


@pytest.fixture(params=[np.float64, np.float32], ids=["float64", "float32"])
def global_dtype(request):
    """Both floating dtypes the estimators keep."""
    return request.param


@pytest.fixture
def rng():
    """A seeded NumPy generator."""
    return np.random.default_rng(0)


def pytest_collection_modifyitems(config, items):
    try:
        import cupy  # noqa: F401

        has_gpu = cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001
        has_gpu = False
    if has_gpu:
        return
    skip = pytest.mark.skip(reason="needs CuPy and a GPU")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
