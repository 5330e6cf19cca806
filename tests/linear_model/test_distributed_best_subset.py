"""DistributedBestSubset on a small Dask LocalCluster: recovery vs pooled fit, communication, faults, errors."""

import os
import signal

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")

from sparsestat.datasets import make_sparse_regression  # noqa: E402
from sparsestat.linear_model import (  # noqa: E402
    BestSubsetRegression,
    DistributedBestSubset,
    _distributed,  # noqa: E402
)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


def test_recovery_error_and_communication(client):
    p, m = 200, 10
    X, y, coef = make_sparse_regression(20000, p, 10, snr=5, random_state=1)
    model = DistributedBestSubset(n_shards=m, client=client).fit(X, y)
    np.testing.assert_array_equal(model.support_, np.flatnonzero(coef))
    pooled = BestSubsetRegression().fit(X, y)
    err, err_pooled = np.linalg.norm(model.coef_ - coef), np.linalg.norm(pooled.coef_ - coef)
    assert err <= 1.2 * err_pooled
    assert model.n_communicated_floats_ <= 3 * p * m
    assert model.n_rounds_ == 2 and model.n_shards_ == m
    # y has intercept 0; the fitted one is near it
    assert abs(model.intercept_) < 0.2
    # one shard alone (no communication) is worse than the distributed fit
    local = BestSubsetRegression().fit(X[:2000], y[:2000])
    assert err < np.linalg.norm(local.coef_ - coef)


def test_dask_array_input_and_csl_refine(client):
    X, y, coef = make_sparse_regression(8000, 100, 5, snr=5, random_state=2)
    Xd = da.from_array(X, chunks=(1000, 50))  # column chunks are merged; row chunks are the shards
    yd = da.from_array(y, chunks=500)
    a = DistributedBestSubset(client=client).fit(Xd, yd)
    assert a.n_shards_ == 8
    np.testing.assert_array_equal(a.support_, np.flatnonzero(coef))
    b = DistributedBestSubset(client=client, refine="csl").fit(Xd, yd)
    np.testing.assert_array_equal(b.support_, a.support_)
    pooled = BestSubsetRegression(support_size=5).fit(X, y)
    # one CSL Newton step from a consistent start lands next to the pooled MLE on the support
    assert np.linalg.norm(b.coef_ - pooled.coef_) < 0.5 * np.linalg.norm(a.coef_ - coef) + 1e-3
    np.testing.assert_allclose(a.predict(X[:3]), X[:3] @ a.coef_ + a.intercept_)


def test_logistic_shards_list(client):
    rng = np.random.default_rng(0)
    beta = np.zeros(40)
    beta[[3, 17, 30]] = [1.5, -1.5, 1.0]
    shards = []
    for _ in range(4):
        X = rng.standard_normal((1500, 40))
        y = (rng.random(1500) < 1 / (1 + np.exp(-X @ beta))).astype(float)
        shards.append((X, y))
    model = DistributedBestSubset("binomial", client=client).fit_shards(shards)
    np.testing.assert_array_equal(model.support_, [3, 17, 30])
    assert np.all(np.abs(model.coef_[[3, 17, 30]] - beta[[3, 17, 30]]) < 0.3)
    assert np.all((model.predict(shards[0][0]) > 0) & (model.predict(shards[0][0]) < 1))


def test_bad_shards_are_named(client):
    rng = np.random.default_rng(0)
    shards = [(rng.standard_normal((50, 6)), rng.standard_normal(50)) for _ in range(3)]
    bad = [shards[0], (rng.standard_normal((50, 5)), rng.standard_normal(50)), shards[2]]
    with pytest.raises(ValueError, match="shard 1 has 5 features"):
        DistributedBestSubset(client=client).fit_shards(bad)
    Xn = shards[2][0].copy()
    Xn[3, 2] = np.nan
    with pytest.raises(ValueError, match="shard 2: X contains NaN"):
        DistributedBestSubset(client=client).fit_shards([shards[0], shards[1], (Xn, shards[2][1])])
    with pytest.raises(ValueError, match="shard 0: y is not valid"):
        DistributedBestSubset("binomial", client=client).fit_shards(shards)


@pytest.mark.slow  # ~35 s on 2 cores: starts a 2-process cluster, kills and restarts a worker
def test_killed_worker_gives_same_answer():
    X, y, coef = make_sparse_regression(6000, 60, 4, snr=5, random_state=3)
    Xd, yd = da.from_array(X, chunks=(1000, 60)), da.from_array(y, chunks=1000)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        clean = DistributedBestSubset(client=c).fit(Xd, yd)
        killed = []

        def kill_one(stage, cl):
            if stage == "round1" and not killed:
                pids = cl.run(os.getpid)
                addr = sorted(pids)[0]
                os.kill(pids[addr], signal.SIGKILL)
                killed.append(addr)

        _distributed._FIT_HOOKS.append(kill_one)
        try:
            again = DistributedBestSubset(client=c).fit(Xd, yd)
        finally:
            _distributed._FIT_HOOKS.remove(kill_one)
    assert killed
    np.testing.assert_array_equal(again.support_, clean.support_)
    np.testing.assert_allclose(again.coef_, clean.coef_, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(again.support_, np.flatnonzero(coef))
