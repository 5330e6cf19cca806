"""Lasso engine vs skglm, celer and scikit-learn, same run, same objective recorded.

Cases (datasets x objective):
- dense n=500, p=5000, Toeplitz rho=0.5, 20 non-zeros, SNR 5, alpha = alpha_max / 20, tol 1e-4/1e-6/1e-8;
- the 100-alpha path down to alpha_max / 1000 at tol 1e-6;
- sparse CSC 10^4 x 10^5 with 10^6 non-zeros, alpha = alpha_max / 10 and / 100, tol 1e-6.
``SPARSESTAT_BENCH_QUICK=1`` shrinks every problem (CI runs each case once).
"""

import os
import warnings

import numpy as np
import pytest

from sparsestat.datasets import make_sparse_regression
from sparsestat.linear_model import Lasso, lasso_path

QUICK = os.environ.get("SPARSESTAT_BENCH_QUICK") == "1"
SOLVERS = ["sparsestat", "skglm", "celer", "sklearn"]


def _timed(benchmark, case, solver, fit, accuracy):
    if not getattr(benchmark, "disabled", False):
        fit()  # warm the JIT and caches
    result = benchmark.pedantic(fit, rounds=1 if QUICK else 3, iterations=1)
    benchmark.extra_info.update({"case": case, "solver": solver, **accuracy(result)})
    return result


def _lasso(solver, alpha, tol, fit_intercept=True):
    if solver == "sparsestat":
        return Lasso(alpha=alpha, tol=tol, max_iter=100_000, fit_intercept=fit_intercept)
    if solver == "skglm":
        skglm = pytest.importorskip("skglm")
        return skglm.Lasso(alpha=alpha, tol=tol, max_iter=1000, fit_intercept=fit_intercept)
    if solver == "celer":
        celer = pytest.importorskip("celer")
        return celer.Lasso(alpha=alpha, tol=tol, max_iter=1000, fit_intercept=fit_intercept)
    from sklearn.linear_model import Lasso as SkLasso

    return SkLasso(alpha=alpha, tol=tol, max_iter=100_000, fit_intercept=fit_intercept)


def _objective(X, y, coef, intercept, alpha):
    r = y - X @ coef - intercept
    return float(0.5 * r @ r / X.shape[0] + alpha * np.abs(coef).sum())


@pytest.fixture(scope="module")
def dense_problem():
    n, p = (100, 500) if QUICK else (500, 5000)
    X, y, _ = make_sparse_regression(n, p, 20, rho=0.5, snr=5, random_state=0)
    Xc = X - X.mean(0)
    alpha_max = np.abs(Xc.T @ (y - y.mean())).max() / n
    return X, y, alpha_max


@pytest.fixture(scope="module")
def sparse_problem():
    n, p = (1000, 10_000) if QUICK else (10_000, 100_000)
    X, y, _ = make_sparse_regression(n, p, 20, density=1e-3 if not QUICK else 1e-2, snr=5, random_state=0)
    alpha_max = np.abs(X.T @ y).max() / n
    return X, y, alpha_max


@pytest.mark.parametrize("tol", [1e-4, 1e-6, 1e-8])
@pytest.mark.parametrize("solver", SOLVERS)
def test_dense_single_alpha(benchmark, dense_problem, solver, tol):
    X, y, alpha_max = dense_problem
    alpha = alpha_max / 20
    est = _lasso(solver, alpha, tol)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _timed(benchmark, f"dense 500x5000 alpha_max/20 tol={tol:g}", solver, lambda: est.fit(X, y),
               lambda e: {"objective": _objective(X, y, e.coef_, e.intercept_, alpha),
                          "nnz": int(np.count_nonzero(e.coef_))})


def _path(solver, X, y, alphas, tol):
    if solver == "sparsestat":
        return lasso_path(X, y, alphas=alphas, tol=tol, max_iter=100_000)[1]
    if solver == "celer":
        celer = pytest.importorskip("celer")
        return celer.celer_path(X, y, "lasso", alphas=alphas, tol=tol)[1]
    if solver == "skglm":
        skglm = pytest.importorskip("skglm")
        est = skglm.Lasso(alpha=alphas[0], tol=tol, fit_intercept=False, warm_start=True)
        coefs = []
        for a in alphas:
            est.alpha = a
            coefs.append(est.fit(X, y).coef_.copy())
        return np.array(coefs).T
    from sklearn.linear_model import lasso_path as sk_path

    return sk_path(X, y, alphas=alphas, tol=tol, max_iter=100_000)[1]


@pytest.mark.parametrize("solver", SOLVERS)
def test_dense_path(benchmark, dense_problem, solver):
    X, y, alpha_max = dense_problem
    Xc = np.asfortranarray(X - X.mean(0))
    yc = y - y.mean()
    alphas = np.geomspace(alpha_max, alpha_max / 1000, 10 if QUICK else 100)

    def accuracy(coefs):
        R = yc[:, None] - Xc @ coefs
        obj = 0.5 * (R**2).sum(0) / len(yc) + alphas * np.abs(coefs).sum(0)
        return {"sum_objective": float(obj.sum()), "objective_at_min_alpha": float(obj[-1])}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _timed(benchmark, "dense path 100 alphas to alpha_max/1000 tol=1e-6", solver,
               lambda: _path(solver, Xc, yc, alphas, 1e-6), accuracy)


@pytest.mark.parametrize("divisor", [10, 100])
@pytest.mark.parametrize("solver", SOLVERS)
def test_sparse_single_alpha(benchmark, sparse_problem, solver, divisor):
    X, y, alpha_max = sparse_problem
    alpha = alpha_max / divisor
    est = _lasso(solver, alpha, 1e-6, fit_intercept=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _timed(benchmark, f"sparse 1e4x1e5 (1e6 nnz) alpha_max/{divisor} tol=1e-6", solver, lambda: est.fit(X, y),
               lambda e: {"objective": _objective(X, y, e.coef_, 0.0, alpha), "nnz": int(np.count_nonzero(e.coef_))})
