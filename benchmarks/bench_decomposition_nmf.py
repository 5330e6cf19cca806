"""NMF family benchmarks: speed to scikit-learn's error, masked ratings, NBMF, unmixing, semi-NMF.

Run: ``pytest benchmarks/bench_decomposition_nmf.py`` (``SPARSESTAT_BENCH_QUICK=1`` shrinks sizes).
Every case stores its accuracy next to the time in ``extra_info``.
"""

import os
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparsestat.datasets import make_hyperspectral, make_ratings
from sparsestat.decomposition import (
    NBMF,
    NMF,
    CorrentropyNMF,
    SemiNMF,
    StructuredSparseNMF,
    abundance_rmse,
    solve_qubo,
    spectral_angle_distance,
)

sk_decomposition = pytest.importorskip("sklearn.decomposition")
QUICK = os.environ.get("SPARSESTAT_BENCH_QUICK") == "1"
warnings.filterwarnings("ignore", category=ConvergenceWarning)


def _run(benchmark, case, solver, fit, accuracy, rounds=3):
    """Warm up (JIT), time ``fit`` and store the accuracy reached (the conftest pattern)."""
    if not getattr(benchmark, "disabled", False):
        fit()
    result = benchmark.pedantic(fit, rounds=rounds, iterations=1)
    benchmark.extra_info.update({"case": case, "solver": solver, **accuracy(result)})
    return result


# ------------------------------------------------------------------ 1. time to scikit-learn cd's error
SHAPE = (300, 200, 10) if QUICK else (2000, 1000, 20)


@pytest.fixture(scope="module")
def lowrank():
    n, m, k = SHAPE
    rng = np.random.default_rng(0)
    X = rng.gamma(2.0, size=(n, k)) @ rng.gamma(2.0, size=(k, m))
    return np.abs(X + 0.05 * X.std() * rng.standard_normal(X.shape))


@pytest.fixture(scope="module", params=[1e-4, 1e-6], ids=["sk_default_tol", "sk_tol1e-6"])
def target(request, lowrank):
    """scikit-learn cd's final error and the sparsestat iterations needed to reach it (untimed calibration)."""
    tol = request.param
    k = SHAPE[2]
    sk = sk_decomposition.NMF(k, solver="cd", random_state=0, tol=tol, max_iter=2000).fit(lowrank)
    ours = NMF(k, random_state=0, tol=0, max_iter=max(4 * sk.n_iter_, 10)).fit(lowrank)
    curve = np.sqrt(2.0 * np.array(ours.loss_curve_))
    reached = np.flatnonzero(curve <= sk.reconstruction_err_)
    n_iter = int(reached[0]) if reached.size else len(curve) - 1
    return {"tol": tol, "err": sk.reconstruction_err_, "sk_iter": sk.n_iter_, "n_iter": max(n_iter, 1)}


def test_nmf_speed_sklearn_cd(benchmark, lowrank, target):
    k = SHAPE[2]
    case = f"nmf {SHAPE[0]}x{SHAPE[1]} rank {k}: reach sklearn cd error (sklearn tol={target['tol']:g})"
    _run(benchmark, case, "sklearn_cd",
         lambda: sk_decomposition.NMF(k, solver="cd", random_state=0, tol=target["tol"], max_iter=2000).fit(lowrank),
         lambda est: {"error": float(est.reconstruction_err_), "n_iter": int(est.n_iter_)})


def test_nmf_speed_sparsestat(benchmark, lowrank, target):
    k = SHAPE[2]
    case = f"nmf {SHAPE[0]}x{SHAPE[1]} rank {k}: reach sklearn cd error (sklearn tol={target['tol']:g})"
    _run(benchmark, case, "sparsestat",
         lambda: NMF(k, random_state=0, tol=0, max_iter=target["n_iter"]).fit(lowrank),
         lambda est: {"error": est.reconstruction_err_, "n_iter": est.n_iter_, "target": float(target["err"])})


# ------------------------------------------------------------------ 2. masked NMF on held-out ratings
@pytest.fixture(scope="module", params=[0.1, 0.3], ids=["obs10", "obs30"])
def gamma_ratings(request):
    n = 300 if QUICK else 1000
    rng = np.random.default_rng(1)
    X = rng.gamma(2.0, size=(n, 10)) @ rng.gamma(2.0, size=(10, n))
    X = np.abs(X + 0.05 * X.std() * rng.standard_normal(X.shape))
    obs = rng.random(X.shape) < request.param
    test = ~obs & (rng.random(X.shape) < 0.05)
    return X, obs, test, request.param


def _heldout(pred, X, test):
    d = (pred - X)[test]
    return {"heldout_rmse": float(np.sqrt(np.mean(d**2))), "heldout_mae": float(np.mean(np.abs(d)))}


@pytest.mark.parametrize("solver", ["sparsestat_hals", "sparsestat_mu", "sklearn_zero_filled"])
def test_masked_nmf_heldout(benchmark, gamma_ratings, solver):
    X, obs, test, frac = gamma_ratings
    case = f"masked nmf {X.shape[0]}^2 rank 10, {int(frac * 100)}% observed (held-out RMSE)"
    Xn = np.where(obs, X, np.nan)
    X0 = np.where(obs, X, 0.0)
    if solver == "sklearn_zero_filled":
        def fit():
            est = sk_decomposition.NMF(10, random_state=0, max_iter=300)
            return est.fit_transform(X0) @ est.components_
    else:
        sol = solver.split("_")[1]

        def fit():
            est = NMF(10, solver=sol, random_state=0, max_iter=200 if sol == "hals" else 1000, tol=1e-5)
            est.fit(Xn)
            return est.W_ @ est.components_
    name = "sparsestat" if solver == "sparsestat_hals" else solver
    _run(benchmark, case, name, fit, lambda pred: _heldout(pred, X, test), rounds=1)


# ------------------------------------------------------------------ 3. NBMF on held-out ratings
@pytest.fixture(scope="module")
def nbmf_ratings():
    n, m = (200, 120) if QUICK else (500, 300)
    X, V, _, _ = make_ratings(n, m, 8, kind="binary", density=0.15, random_state=0)
    rng = np.random.default_rng(0)
    obs = ~np.isnan(X)
    test = obs & (rng.random(X.shape) < 0.2)
    train = obs & ~test
    # keep every user and item in training
    train[np.arange(n), np.argmax(obs, axis=1)] = True
    train[np.argmax(obs, axis=0), np.arange(m)] = True
    test &= ~train
    return np.where(train, X, np.nan), V, test


@pytest.mark.parametrize("solver", ["sparsestat", "nbmf_unmasked", "masked_nmf", "sklearn_zero_filled"])
def test_nbmf_heldout(benchmark, nbmf_ratings, solver):
    Xtr, V, test = nbmf_ratings
    case = f"nbmf ratings {Xtr.shape[0]}x{Xtr.shape[1]} rank 8 (held-out RMSE/MAE)"

    def fit():
        if solver == "sparsestat":
            est = NBMF(8, random_state=0, max_iter=30).fit(Xtr)
            return est.W_ @ est.components_
        if solver == "nbmf_unmasked":
            est = NBMF(8, mask_missing=False, random_state=0, max_iter=30).fit(Xtr)
            return est.W_ @ est.components_
        if solver == "masked_nmf":
            est = NMF(8, random_state=0, max_iter=300, alpha_W=1e-3).fit(Xtr)
            return est.W_ @ est.components_
        X0 = np.nan_to_num(Xtr)
        est = sk_decomposition.NMF(8, random_state=0, max_iter=300)
        return est.fit_transform(X0) @ est.components_

    _run(benchmark, case, solver, fit, lambda pred: _heldout(pred, V, test), rounds=1)


@pytest.mark.parametrize("k", [8, 12, 16] if QUICK else [8, 12, 16, 20, 32])
@pytest.mark.parametrize("method", ["exhaustive", "anneal"])
def test_qubo_backends(benchmark, k, method):
    if method == "exhaustive" and k > 20:
        pytest.skip("2^k enumeration")
    rng = np.random.default_rng(k)
    A = rng.gamma(2.0, size=(40, k))
    v = A @ (rng.random(k) < 0.4) + 0.3 * rng.standard_normal(40)
    Q = A.T @ A - 2 * np.diag(A.T @ v)
    ref = solve_qubo(Q, "exhaustive")[1] if k <= 20 else float("nan")
    _run(benchmark, f"qubo k={k}", "sparsestat" if method == "exhaustive" else method,
         lambda: solve_qubo(Q, method, random_state=0, n_sweeps=300, n_restarts=5),
         lambda res: {"energy": float(res[1]), "gap_to_exhaustive": float(res[1] - ref)})


# ------------------------------------------------------------------ 4. hyperspectral unmixing
@pytest.fixture(scope="module", params=[20, 30, 40], ids=["20dB", "30dB", "40dB"])
def scene(request):
    side, bands = (16, 50) if QUICK else (48, 150)
    return request.param, make_hyperspectral(side, side, bands, 4, snr=request.param, n_corrupted_bands=bands // 10,
                                             corrupted_snr=0.0, random_state=1)


@pytest.mark.parametrize("solver", ["sparsestat", "ssnmf", "nmf", "l1_nmf", "sklearn_nmf"])
def test_unmixing(benchmark, scene, solver):
    snr, (X, E, A, bad) = scene
    case = f"unmixing {X.shape[0]} px x {X.shape[1]} bands, {snr} dB, 10% bands at 0 dB"
    it = 100 if QUICK else 500
    make = {
        "sparsestat": lambda: CorrentropyNMF(4, max_iter=it, random_state=0),
        "ssnmf": lambda: StructuredSparseNMF(4, max_iter=it, random_state=0),
        "l1_nmf": lambda: StructuredSparseNMF(4, lambda_graph=0.0, max_iter=it, random_state=0),
        "nmf": lambda: NMF(4, max_iter=it, tol=1e-5, random_state=0),
        "sklearn_nmf": lambda: sk_decomposition.NMF(4, max_iter=it, tol=1e-5, random_state=0),
    }[solver]

    def fit():
        est = make()
        Ahat = est.fit_transform(X)
        return est, Ahat

    def acc(res):
        est, Ahat = res
        sad, perm = spectral_angle_distance(E, est.components_, return_permutation=True)
        return {"sad": sad, "abundance_rmse": abundance_rmse(A, Ahat, permutation=perm, E_true=E,
                                                              E_est=est.components_)}

    _run(benchmark, case, solver if solver != "sparsestat" else "sparsestat(correntropy)", fit, acc, rounds=1)


# ------------------------------------------------------------------ 5. semi-NMF feature recovery
@pytest.fixture(scope="module")
def semi_data():
    d, n, k = (64, 800, 8) if QUICK else (256, 5000, 20)
    rng = np.random.default_rng(0)
    F = np.zeros((d, k))
    for r in range(k):
        idx = rng.choice(d, d // 8, replace=False)
        F[idx, r] = rng.standard_normal(len(idx)) + np.sign(rng.standard_normal(len(idx)))
    G = rng.random((n, k)) * (rng.random((n, k)) < 0.3)
    return G @ F.T + 0.01 * rng.standard_normal((n, d)), F


@pytest.mark.parametrize("solver", ["sparsestat", "semi_nmf_dense", "pca", "sklearn_nmf_shifted"])
def test_seminmf_recovery(benchmark, semi_data, solver):
    from scipy.optimize import linear_sum_assignment
    from sklearn.decomposition import PCA

    X, F = semi_data
    k = F.shape[1]
    case = f"semi-nmf {X.shape[0]}x{X.shape[1]} K={k} sparse signed features"

    def fit():
        if solver == "sparsestat":
            return SemiNMF(k, component_sparsity=1 / 8, init="random", max_iter=300, random_state=0).fit(X).components_
        if solver == "semi_nmf_dense":
            return SemiNMF(k, max_iter=300, random_state=0).fit(X).components_
        if solver == "pca":
            return PCA(k, random_state=0).fit(X).components_
        return sk_decomposition.NMF(k, random_state=0, max_iter=300).fit(X - X.min()).components_

    def acc(C):
        Cn = C / np.maximum(np.linalg.norm(C, axis=1, keepdims=True), 1e-300)
        Fn = (F / np.linalg.norm(F, axis=0)).T
        sim = np.abs(Fn @ Cn.T)
        r, c = linear_sum_assignment(-sim)
        return {"feature_recovery": float(sim[r, c].mean())}

    _run(benchmark, case, solver, fit, acc, rounds=1)
