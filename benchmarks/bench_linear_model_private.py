"""LDP sparse regression (error vs n and epsilon, fitted log-log slopes vs the paper's rates, non-private Lasso
anchor) and PreconditionedLasso vs Lasso / OMP on ill-conditioned designs with random supports."""

import math
import os

import numpy as np
import pytest

from sparsestat.datasets import make_ill_conditioned_regression
from sparsestat.linear_model import LassoCV, LDPSparseRegression, PreconditionedLasso

QUICK = os.environ.get("SPARSESTAT_BENCH_QUICK") == "1"
D, K = 5, 2
NS = [10_000, 30_000, 100_000] if QUICK else [100_000, 300_000, 1_000_000]
EPS = [4.0, 8.0, 16.0] if QUICK else [2.0, 4.0, 8.0, 16.0]
N_EPS = NS[-1]
SEEDS = 1 if QUICK else 5


@pytest.fixture(scope="module")
def ldp_data():
    rng = np.random.default_rng(0)
    theta = np.zeros(D)
    theta[rng.choice(D, K, replace=False)] = rng.choice([-1.0, 1.0], K) / math.sqrt(K)
    X = rng.standard_normal((NS[-1], D))
    return X, X @ theta + 0.1 * rng.standard_normal(NS[-1]), theta


def _err(mode, X, y, theta, n, eps, seeds=SEEDS):
    return float(np.mean([np.linalg.norm(LDPSparseRegression(
        mode, epsilon=eps, clip_x=2.0 * math.sqrt(D), clip_y=3.0, n_rounds=3 if mode == "interactive" else None,
        random_state=s).fit(X[:n], y[:n]).coef_ - theta) for s in range(seeds)]))


@pytest.mark.parametrize("mode", ["non_interactive", "interactive"])
def test_ldp_rates(benchmark, ldp_data, mode):
    X, y, theta = ldp_data

    def run():
        e_n = [_err(mode, X, y, theta, n, 16.0 if QUICK else 8.0) for n in NS]
        e_eps = [_err(mode, X, y, theta, N_EPS, e) for e in EPS]
        return e_n, e_eps

    e_n, e_eps = benchmark.pedantic(run, rounds=1, iterations=1)
    slope_n = float(np.polyfit(np.log(NS), np.log(e_n), 1)[0])
    slope_eps = float(np.polyfit(np.log(EPS), np.log(e_eps), 1)[0])
    benchmark.extra_info.update({
        "case": f"ldp d={D} k={K}", "solver": f"sparsestat-{mode}", "errors_vs_n": e_n, "errors_vs_eps": e_eps,
        "slope_n": slope_n, "slope_eps": slope_eps, "paper_slope_n": -0.5, "paper_slope_eps": -1.0,
    })
    print(f"\n{mode}: n={NS} err={np.round(e_n, 4)} slope_n={slope_n:.3f} (paper -0.5); "
          f"eps={EPS} err={np.round(e_eps, 4)} slope_eps={slope_eps:.3f} (paper -1)")


def test_ldp_vs_nonprivate_lasso(benchmark, ldp_data):
    X, y, theta = ldp_data
    n = NS[0]
    model = benchmark.pedantic(lambda: LassoCV(cv=3, fit_intercept=False).fit(X[:n], y[:n]), rounds=3,
                               iterations=1)
    err = float(np.linalg.norm(model.coef_ - theta))
    benchmark.extra_info.update({"case": f"ldp d={D} k={K} n={n}", "solver": "non-private LassoCV", "error": err,
                                 "ldp_error_eps8": _err("non_interactive", X, y, theta, n, 8.0)})


DESIGNS = {"ar1_0.99": dict(design="ar1", rho=0.99), "near_duplicate": dict(design="near_duplicate", pair_delta=1e-2),
           "geometric_scales": dict(design="geometric_scales")}
NP = [60, 200] if QUICK else [50, 100, 200, 400]
DP = 60 if QUICK else 300


def _solvers():
    from sklearn.linear_model import OrthogonalMatchingPursuit

    out = {f"precond-{p}": (lambda p=p: PreconditionedLasso(p, random_state=0)) for p in
           ("column_norm", "whiten", "puffer")}
    out["LassoCV"] = lambda: PreconditionedLasso("none", random_state=0)
    out["OMP(k)"] = lambda: OrthogonalMatchingPursuit(n_nonzero_coefs=5)
    try:
        from sparsestat.linear_model import BestSubsetRegression  # noqa: F401  (merged from another family)

        out["BestSubsetRegression"] = lambda: BestSubsetRegression()
    except ImportError:
        pass
    return out


@pytest.mark.parametrize("design", list(DESIGNS))
@pytest.mark.parametrize("solver", list(_solvers()))
def test_random_support_prediction_error(benchmark, design, solver):
    make = _solvers()[solver]
    cases = []
    for n in NP:
        for seed in range(1 if QUICK else 5):
            X, y, w = make_ill_conditioned_regression(n, DP, 5, random_state=seed, **DESIGNS[design])
            cases.append((n, X, y, w))

    def run():
        errs = {}
        for n, X, y, w in cases:
            m = make().fit(X, y)
            pred = X @ w
            errs.setdefault(n, []).append(float(np.mean((X @ m.coef_ + m.intercept_ - pred) ** 2) /
                                                max(np.mean(pred**2), 1e-300)))
        return {n: float(np.median(v)) for n, v in errs.items()}

    errs = benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info.update({"case": f"{design} d={DP} k=5", "solver": solver,
                                 "relative_prediction_error_vs_N": errs})
    print(f"\n{design} {solver}: " + " ".join(f"N={n}:{e:.3g}" for n, e in errs.items()))
