"""Best-subset selection: splicing (sparsestat) vs abess, and the distributed two-stage estimator on Dask.

Case 1 (issue 4): n=500, p=2000, 10 non-zeros, Toeplitz rho=0.5 SNR 5 and rho=0.8 SNR 1; support sizes
0..50 chosen by EBIC for both libraries. Time is one fit of seed 0; recovery (true/false positives, exact
support) is averaged over ``N_SEEDS`` seeds, same data for both.

Case 2: N samples split over m shards (Dask LocalCluster, 2 threaded workers), p features, 10 non-zeros,
Toeplitz 0.5, SNR 5. Solvers: DistributedBestSubset, pooled BestSubsetRegression, distributed Lasso
averaging (Lasso on each shard at the universal alpha, averaged), abess on shard 0 only.
"""

import os

import numpy as np
import pytest

from sparsestat.datasets import make_sparse_regression
from sparsestat.linear_model import BestSubsetRegression, DistributedBestSubset

QUICK = os.environ.get("SPARSESTAT_BENCH_QUICK") == "1"
N, P = (200, 400) if QUICK else (500, 2000)
N_SEEDS = 2 if QUICK else 10
SIZES = range(0, 21) if QUICK else range(0, 51)
DESIGNS = {"rho0.5_snr5": (0.5, 5.0), "rho0.8_snr1": (0.8, 1.0)}


def _recovery(supports, coefs):
    tp = fp = exact = 0
    for sup, coef in zip(supports, coefs, strict=True):
        true, sup = set(np.flatnonzero(coef)), set(np.asarray(sup).tolist())
        tp += len(sup & true)
        fp += len(sup - true)
        exact += sup == true
    k = len(coefs)
    return {"tp": tp / k, "fp": fp / k, "exact_rate": exact / k}


def _abess_fit(X, y):
    abess = pytest.importorskip("abess")
    return np.flatnonzero(abess.linear.LinearRegression(support_size=SIZES, ic_type="ebic").fit(X, y).coef_)


def _ours_fit(X, y):
    return BestSubsetRegression(support_size=SIZES, ic="ebic").fit(X, y).support_


@pytest.fixture(scope="module", params=list(DESIGNS), ids=list(DESIGNS))
def design(request):
    rho, snr = DESIGNS[request.param]
    data = [make_sparse_regression(N, P, 10, rho=rho, snr=snr, random_state=s) for s in range(N_SEEDS)]
    return request.param, data


@pytest.mark.parametrize("solver", ["sparsestat", "abess"])
def test_best_subset_vs_abess(benchmark, design, solver):
    name, data = design
    fit = _ours_fit if solver == "sparsestat" else _abess_fit
    X0, y0, _ = data[0]
    if not getattr(benchmark, "disabled", False):
        fit(X0, y0)  # warm-up (JIT, caches)
    benchmark.pedantic(lambda: fit(X0, y0), rounds=3, iterations=1)
    acc = _recovery([fit(X, y) for X, y, _ in data], [c for _, _, c in data])
    benchmark.extra_info.update({"case": f"best_subset_{name}_n{N}_p{P}", "solver": solver, **acc})


# --------------------------------------------------------------------------- distributed
N_TOTAL, P_DIST = (10_000, 200) if QUICK else (100_000, 1000)
SHARDS = [4, 10] if QUICK else [4, 10, 20]
N_REPS = 1 if QUICK else 5


def _make_shard(seed, n, coef, sigma, rho=0.5):
    rng = np.random.default_rng(seed)
    p = coef.size
    Z = rng.standard_normal((n, p))
    X = np.empty((n, p))
    X[:, 0] = Z[:, 0]
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho * rho) * Z[:, j]
    return X, X @ coef + sigma * rng.standard_normal(n)


def _truth(rep):
    rng = np.random.default_rng(1000 + rep)
    coef = np.zeros(P_DIST)
    coef[rng.choice(P_DIST, 10, replace=False)] = rng.choice([-1, 1], 10) * rng.uniform(1, 2, 10)
    # SNR 5 for the Toeplitz design: var(x^T beta) = beta^T Sigma beta
    idx = np.arange(P_DIST)
    Sigma_b = (0.5 ** np.abs(idx[:, None] - idx[None, :])) @ coef
    return coef, float(np.sqrt(coef @ Sigma_b / 5.0))


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


def _shards(client, rep, m):
    import dask

    coef, sigma = _truth(rep)
    n = N_TOTAL // m
    out = []
    for j in range(m):
        d = dask.delayed(_make_shard, pure=True)(10_000 * rep + j, n, coef, sigma)
        out.append((d[0], d[1]))
    return out, coef, sigma


def _lasso_average(client, shards, n):
    from sklearn.linear_model import Lasso

    def local(X, y):
        sigma = np.std(y) * 0.5
        return Lasso(alpha=sigma * np.sqrt(2 * np.log(X.shape[1]) / X.shape[0])).fit(X, y).coef_

    import dask

    coefs = dask.compute(*[dask.delayed(local)(X, y) for X, y in shards])
    return np.mean(coefs, axis=0)


@pytest.mark.parametrize("m", SHARDS)
@pytest.mark.parametrize("solver", ["sparsestat_distributed", "sparsestat_pooled", "lasso_average", "abess_shard0"])
def test_distributed_best_subset(benchmark, client, m, solver):
    import dask

    def run(rep):
        shards, coef, sigma = _shards(client, rep, m)
        if solver == "sparsestat_distributed":
            est = DistributedBestSubset(client=client).fit_shards(shards)
            return est.coef_, est.n_communicated_floats_
        if solver == "lasso_average":
            return _lasso_average(client, shards, N_TOTAL // m), m * (P_DIST + 1)
        if solver == "abess_shard0":
            abess = pytest.importorskip("abess")
            X, y = dask.compute(*shards[0])
            return abess.linear.LinearRegression(ic_type="gic").fit(X, y).coef_, 0
        parts = dask.compute(*[s for pair in shards for s in pair])
        X, y = np.vstack(parts[0::2]), np.concatenate(parts[1::2])
        return BestSubsetRegression().fit(X, y).coef_, X.size + y.size

    results = [run(rep) for rep in range(N_REPS)]
    coefs = [_truth(rep)[0] for rep in range(N_REPS)]
    benchmark.pedantic(lambda: run(0), rounds=1, iterations=1)
    acc = _recovery([np.flatnonzero(np.abs(c) > 1e-10) for c, _ in results], coefs)
    acc["l2_error"] = float(np.mean([np.linalg.norm(c - t) for (c, _), t in zip(results, coefs, strict=True)]))
    acc["floats_communicated"] = int(results[0][1])
    acc["floats_per_shard_over_p"] = results[0][1] / (m * P_DIST)
    benchmark.extra_info.update({"case": f"distributed_N{N_TOTAL}_p{P_DIST}_m{m}", "solver": solver, **acc})
