"""Benchmarks of sparsestat.bayes: classic SBL vs ARDRegression, KroSBL vs classic SBL on the full dictionary.

Cases
-----
- ``home_ground``: n=200, p=500, 10 non-zeros, SNR 5 (``make_sparse_regression``): sparsestat's
  sequential SBL (defaults, i.e. with the BIC model-size penalty, and plain type-II ML) against
  scikit-learn's ``ARDRegression`` with its defaults, in the same run; NMSE and the number of
  non-zeros are stored.
- ``home_ground_same_run_ratio``: issue 10's target measured with ``time.process_time`` and one BLAS
  thread in one run. Measured on the 2-core development machine (2026-11-25, two other benchmark
  processes running): SparseBayesianLearning() 6.5 ms CPU (median of 5), NMSE 0.0098, 10 non-zeros
  (all true); ARDRegression() 2.02 s CPU, NMSE 0.504, 155 non-zeros; speed-up 310x. Target NMSE <= 0.01,
  <= 15 non-zeros, >= 10x: met. Note that least squares on the *true* support (oracle) has NMSE
  0.0082 on this draw (0.0055 and 0.0108 on seeds 1, 2, where SBL gets 0.0054 and 0.0097), so the 0.01
  target sits at the oracle level of this generator. Plain type-II ML (``selection_penalty=None``)
  reaches the interpolating optimum of its cost instead (~170 non-zeros, noise variance -> 0, NMSE
  ~0.5, about 1 s): see the Notes of ``SparseBayesianLearning``.
- ``sweep_smoke``: ``benchmarks/sweep_bayes.py`` (He & Joseph's SNR and M sweeps) on tiny factors;
  the full run writes ``benchmarks/results/sweep_bayes.md``.
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


@pytest.mark.parametrize("solver", ["sparsestat-sbl", "sparsestat-sbl-plain", "sklearn-ard"])
def test_home_ground(benchmark, home_ground, solver):
    X, y, coef = home_ground
    if solver == "sklearn-ard":
        from sklearn.linear_model import ARDRegression

        est = ARDRegression()
    else:
        from sparsestat.bayes import SparseBayesianLearning

        est = SparseBayesianLearning(selection_penalty=None if solver.endswith("plain") else "auto")
    _run(benchmark, "home_ground", solver, _quiet(lambda: est.fit(X, y)), _reg_accuracy(coef),
         rounds=1 if solver == "sklearn-ard" else 3)


def test_home_ground_same_run_ratio(benchmark, home_ground):
    """Issue 10's target in one run: CPU (process_time) of SBL (defaults) and ARDRegression (defaults), 1 BLAS thread.

    The ratio, NMSE and non-zeros land in ``extra_info``; the full-size run asserts the target
    (NMSE <= 0.01, <= 15 non-zeros, >= 10x faster than ARD).
    """
    import time

    from sklearn.linear_model import ARDRegression
    from threadpoolctl import threadpool_limits

    from sparsestat.bayes import SparseBayesianLearning

    X, y, coef = home_ground

    def measure():
        with threadpool_limits(1), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            SparseBayesianLearning().fit(X[:40], y[:40])  # JIT warm-up
            ts = []
            for _ in range(5):
                t0 = time.process_time()
                sbl = SparseBayesianLearning().fit(X, y)
                ts.append(time.process_time() - t0)
            t0 = time.process_time()
            ard = ARDRegression().fit(X, y)
            t_ard = time.process_time() - t0
        return sbl, ard, float(np.median(ts)), t_ard

    sbl, ard, t_sbl, t_ard = benchmark.pedantic(measure, rounds=1, iterations=1)
    nm = _reg_accuracy(coef)
    info = {"case": "home_ground_ratio", "solver": "sparsestat-sbl vs sklearn-ard",
            "sbl_seconds": t_sbl, "ard_seconds": t_ard, "speedup": t_ard / t_sbl,
            **{f"sbl_{k}": v for k, v in nm(sbl).items()}, **{f"ard_{k}": v for k, v in nm(ard).items()}}
    benchmark.extra_info.update(info)
    print(info)
    if not QUICK:
        assert info["sbl_nmse"] <= 0.01 and info["sbl_nnz"] <= 15 and info["speedup"] >= 10, info


# ------------------------------------------------------------------------------------------ sweep (smoke)
def test_sweep_smoke(benchmark):
    """The He & Joseph sweep (``benchmarks/sweep_bayes.py``) on tiny factors, 1 trial per point (quick)."""
    import sys

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import sweep_bayes

    methods = ("krosbl-svd", "krosbl-am", "omp", "lasso") + (("classic-sbl-em", "sklearn-ard") if QUICK else ())
    rows = benchmark.pedantic(lambda: sweep_bayes.run_sweep(methods, dict.fromkeys(methods, 1), quick=True,
                                                            verbose=False), rounds=1, iterations=1)
    table = sweep_bayes.summarise(rows)
    benchmark.extra_info.update({"case": "sweep_smoke", "solver": "all",
                                 **{f"{r['method']}@{r['sweep']}={r['snr_db'] if r['sweep'] == 'snr' else r['m1']}":
                                    r["nmse_mean"] for r in table}})
    assert {r["method"] for r in table} == set(methods)


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

        est = KroneckerSBL(F, method=solver.split("-")[1], noise_variance=s2)
        fit = _quiet(lambda: est.fit(y).coef_)
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
