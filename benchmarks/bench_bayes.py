"""Benchmarks of sparsestat.bayes: classic SBL vs ARDRegression, KroSBL vs classic SBL on the full dictionary.

Cases
-----
- ``home_ground``: n=200, p=500, 10 non-zeros, SNR 5 (``make_sparse_regression``): sparsestat's
  sequential SBL (plain and with the BIC selection penalty) against scikit-learn's ``ARDRegression``
  with its defaults, in the same run; NMSE and the number of non-zeros are stored.
- ``kron_M1=<m>``: He & Joseph's configuration (three 15-column Gaussian factors, M = m x 12 x 15,
  K = 3 per factor, 25 dB, known noise): SVD-, AM-, single-pass KroSBL, classic EM SBL on the full
  dictionary, OMP with the oracle sparsity and Lasso; NMSE and support recovery are stored.

``SPARSESTAT_BENCH_QUICK=1`` shrinks every problem so the file runs in well under a minute.
"""

import os
import warnings

import numpy as np
import pytest

QUICK = os.environ.get("SPARSESTAT_BENCH_QUICK") == "1"


def _run(benchmark, case, solver, fit, accuracy, rounds=3):
    if not getattr(benchmark, "disabled", False):
        fit()
    result = benchmark.pedantic(fit, rounds=rounds, iterations=1)
    benchmark.extra_info.update({"case": case, "solver": solver, **accuracy(result)})
    return result


def _quiet(fn):
    def wrapped():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn()

    return wrapped


# ------------------------------------------------------------------------------------------ home ground
@pytest.fixture(scope="module")
def home_ground():
    from sparsestat.datasets import make_sparse_regression

    n, p, k = (60, 120, 4) if QUICK else (200, 500, 10)
    return make_sparse_regression(n, p, k, snr=5, random_state=0)


def _reg_accuracy(coef):
    def acc(est):
        c = est.coef_
        return {"nmse": float(np.sum((c - coef) ** 2) / np.sum(coef**2)), "nnz": int(np.sum(c != 0))}

    return acc


@pytest.mark.parametrize("solver", ["sparsestat-sbl-bic", "sparsestat-sbl", "sklearn-ard"])
def test_home_ground(benchmark, home_ground, solver):
    X, y, coef = home_ground
    if solver == "sklearn-ard":
        from sklearn.linear_model import ARDRegression

        est = ARDRegression()
    else:
        from sparsestat.bayes import SparseBayesianLearning

        est = SparseBayesianLearning(selection_penalty="bic" if solver.endswith("bic") else None)
    _run(benchmark, "home_ground", solver, _quiet(lambda: est.fit(X, y)), _reg_accuracy(coef),
         rounds=1 if solver == "sklearn-ard" else 3)


# ------------------------------------------------------------------------------------------ Kronecker
KRON_M1 = [4] if QUICK else [8, 14]


@pytest.fixture(scope="module", params=KRON_M1, ids=lambda m: f"M1={m}")
def kron_problem(request):
    from sparsestat.datasets import make_kronecker_sparse

    m1 = request.param
    shapes = ((m1, 6), (5, 6), (6, 6)) if QUICK else ((m1, 15), (12, 15), (15, 15))
    F, y, x, s2 = make_kronecker_sparse(shapes, 2 if QUICK else 3, snr_db=25, random_state=0)
    return m1, F, y, x, s2


def _kron_accuracy(x):
    def acc(xh):
        xh = np.asarray(xh)
        s_hat = set(np.flatnonzero(np.abs(xh) > 1e-3 * np.abs(xh).max()))
        s = set(np.flatnonzero(x))
        return {"nmse": float(np.sum((xh - x) ** 2) / np.sum(x**2)),
                "support_recovery": len(s & s_hat) / max(len(s | s_hat), 1)}

    return acc


@pytest.mark.parametrize("solver", ["krosbl-svd", "krosbl-am", "krosbl-single_pass", "classic-sbl-em",
                                    "sklearn-omp", "sklearn-lasso"])
def test_kron(benchmark, kron_problem, solver):
    m1, F, y, x, s2 = kron_problem
    case = f"kron_M1={m1}"
    if solver.startswith("krosbl"):
        from sparsestat.bayes import KroneckerSBL

        est = KroneckerSBL(method=solver.split("-")[1], noise_variance=s2)
        fit = _quiet(lambda: est.fit(F, y).coef_)
        rounds = 3
    else:
        from sparsestat.bayes import KroneckerOperator

        Phi = KroneckerOperator(F).todense()
        if solver == "classic-sbl-em":
            from sparsestat.bayes import SparseBayesianLearning

            est = SparseBayesianLearning(solver="em", noise_variance=s2, fit_intercept=False, max_iter=150)
        elif solver == "sklearn-omp":
            from sklearn.linear_model import OrthogonalMatchingPursuit

            est = OrthogonalMatchingPursuit(n_nonzero_coefs=int(np.sum(x != 0)), fit_intercept=False)
        else:
            from sklearn.linear_model import Lasso

            alpha = np.sqrt(s2) * np.sqrt(2 * np.log(Phi.shape[1]) / Phi.shape[0]) * np.sqrt(
                np.mean(np.sum(Phi**2, axis=0)) / Phi.shape[0])
            est = Lasso(alpha=alpha, fit_intercept=False, max_iter=5000)
        fit = _quiet(lambda: est.fit(Phi, y).coef_)
        rounds = 1 if solver == "classic-sbl-em" else 3
    _run(benchmark, case, solver, fit, _kron_accuracy(x), rounds=rounds)
