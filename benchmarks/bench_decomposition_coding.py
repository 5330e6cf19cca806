"""Sparse coding speed and accuracy: OMP and l1 coding vs scikit-learn sparse_encode (same run).

Problem of the issue: 20,000 signals, dictionary 64 x 256 (unit atoms), OMP with k = 5, Lasso at
the alpha giving about 5 non-zeros. Accuracy (max code difference to scikit-learn, mean l0) is
stored next to the time. ``SPARSESTAT_BENCH_QUICK=1`` shrinks to 2,000 signals.
"""

import os

import numpy as np
import pytest

from sparsestat.decomposition import matching_pursuit, sparse_encode_lq

QUICK = os.environ.get("SPARSESTAT_BENCH_QUICK") == "1"
N = 2000 if QUICK else 20000
ALPHA = 2.0  # about 7 non-zeros per code on this problem (1.0 gives 27)


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    D = rng.standard_normal((256, 64))
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    X = rng.standard_normal((N, 64))
    ref = {"omp": matching_pursuit(X, D, n_nonzero=5, orthogonal=True),
           "l1": sparse_encode_lq(X, D, penalty="l1", alpha=ALPHA, tol=1e-10)}
    return X, D, ref


def _run(benchmark, case, solver, fit, ref):
    if not getattr(benchmark, "disabled", False):
        fit()
    Z = benchmark.pedantic(fit, rounds=3, iterations=1)
    benchmark.extra_info.update({"case": case, "solver": solver, "n_signals": N,
                                 "max_code_diff": float(np.max(np.abs(Z - ref))),
                                 "mean_l0": float(np.count_nonzero(Z) / len(Z))})


@pytest.mark.parametrize("solver", ["sparsestat", "sklearn"])
def test_omp_k5(benchmark, problem, solver):
    X, D, ref = problem
    if solver == "sparsestat":
        def fit():
            return matching_pursuit(X, D, n_nonzero=5, orthogonal=True)
    else:
        from sklearn.decomposition import sparse_encode

        def fit():
            return sparse_encode(X, D, algorithm="omp", n_nonzero_coefs=5)
    _run(benchmark, "omp k=5, 64x256", solver, fit, ref["omp"])


@pytest.mark.parametrize("solver", ["sparsestat", "sklearn"])
def test_lasso(benchmark, problem, solver):
    X, D, ref = problem
    if solver == "sparsestat":
        def fit():
            return sparse_encode_lq(X, D, penalty="l1", alpha=ALPHA, tol=1e-6)
    else:
        from sklearn.decomposition import sparse_encode

        def fit():
            return sparse_encode(X, D, algorithm="lasso_cd", alpha=ALPHA)
    _run(benchmark, "lasso, 64x256", solver, fit, ref["l1"])


@pytest.mark.parametrize("penalty", ["l1", "l0", "l1/2", "cel0"])
def test_lq_coding(benchmark, problem, penalty):
    X, D, _ = problem
    alpha = {"l1": ALPHA, "l0": 0.3, "l1/2": 0.5, "cel0": 0.3}[penalty]

    def fit():
        return sparse_encode_lq(X, D, penalty=penalty, alpha=alpha, tol=1e-6)
    _run(benchmark, f"{penalty} coding, 64x256", "sparsestat", fit, fit())
