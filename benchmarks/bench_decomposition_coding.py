"""Sparse coding and dictionary learning: speed vs scikit-learn, Pareto curves, atom recovery.

1. Speed (issue 12): 20,000 signals, dictionary 64 x 256 (unit atoms); OMP with k = 5 and the
   Lasso (``sparse_encode`` alpha convention: ½‖x − zD‖² + α‖z‖₁) against scikit-learn's
   ``sparse_encode`` in the same run, with the same codes. The issue's reference machine timed
   scikit-learn at 7.1 s (OMP) and 3.7 s (lasso_cd), SPAMS at 0.12 s and 0.40 s; the same-run
   ratio converts our time to "seconds on that machine" (``equiv_s``), to compare with
   1.5 x SPAMS (0.18 s OMP, 0.60 s Lasso). Timed with ``time.process_time``, one BLAS/Numba
   thread, median of repeats (the machine is shared).
2. Pareto curves (mean l0, reconstruction MSE) per penalty, on whitened natural-image patches
   (one fixed dictionary learned with l1) and on synthetic k-sparse signals (true dictionary).
3. Atom recovery on the synthetic ground truth (k = 5, sigma = 0.01).
4. Time per epoch of ``LqDictionaryLearning`` vs scikit-learn ``MiniBatchDictionaryLearning`` at
   the same alpha and batch size, and ``MatchingPursuitCoder`` vs ``SparseCoder(omp)``.

``SPARSESTAT_BENCH_QUICK=1`` shrinks every size (whole file < 60 s).
"""

import os
import time
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparsestat.datasets import load_image_patches, make_sparse_coded_signals
from sparsestat.decomposition import (
    LqDictionaryLearning,
    MatchingPursuitCoder,
    MatchingPursuitDictionaryLearning,
    dictionary_recovery_score,
    matching_pursuit,
    sparse_encode_lq,
)

sk_decomposition = pytest.importorskip("sklearn.decomposition")
QUICK = os.environ.get("SPARSESTAT_BENCH_QUICK") == "1"
N = 2000 if QUICK else 20000
ALPHA = 2.0  # about 7 non-zeros per code on this problem
REPEATS = 1 if QUICK else 5
warnings.filterwarnings("ignore", category=ConvergenceWarning)

# reference machine of the issue (seconds)
SK_REF = {"omp": 7.1, "lasso": 3.7}
SPAMS_REF = {"omp": 0.12, "lasso": 0.40}


def _run(benchmark, case, solver, fit, accuracy, rounds=3):
    """Warm up (JIT), time ``fit`` and store the accuracy reached (the conftest pattern)."""
    if not getattr(benchmark, "disabled", False):
        fit()
    result = benchmark.pedantic(fit, rounds=rounds, iterations=1)
    benchmark.extra_info.update({"case": case, "solver": solver, **accuracy(result)})
    return result


def _cpu_median(fn, repeats):
    times = []
    out = None
    for _ in range(repeats):
        t0 = time.process_time()
        out = fn()
        times.append(time.process_time() - t0)
    return float(np.median(times)), out


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    D = rng.standard_normal((256, 64))
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    X = rng.standard_normal((N, 64))
    return X, D


# ------------------------------------------------------------------ 1. speed vs scikit-learn / SPAMS
@pytest.mark.parametrize("case", ["omp", "lasso"])
def test_speed_same_run_ratio(benchmark, problem, case):
    X, D = problem
    if case == "omp":
        def ours():
            return matching_pursuit(X, D, n_nonzero=5, orthogonal=True)

        def sk():
            return sk_decomposition.sparse_encode(X, D, algorithm="omp", n_nonzero_coefs=5)
    else:
        def ours():
            return sparse_encode_lq(X, D, penalty="l1", alpha=ALPHA, tol=1e-6)

        def sk():
            return sk_decomposition.sparse_encode(X, D, algorithm="lasso_cd", alpha=ALPHA)
    ours()  # JIT
    t_sk, Z_sk = _cpu_median(sk, 1 if QUICK else 3)
    t_ours, Z = _cpu_median(ours, REPEATS)
    ratio = t_sk / t_ours
    equiv = SK_REF[case] / ratio
    info = {"case": f"{case}, {N} x 64x256", "solver": "sparsestat", "cpu_s": t_ours, "sklearn_cpu_s": t_sk,
            "speedup_vs_sklearn": ratio, "equiv_s_on_issue_machine": equiv,
            "target_equiv_s": 1.5 * SPAMS_REF[case], "met": bool(equiv <= 1.5 * SPAMS_REF[case]),
            "max_code_diff_vs_sklearn": float(np.max(np.abs(Z - Z_sk))),
            "mean_l0": float(np.count_nonzero(Z) / len(Z))}
    if not getattr(benchmark, "disabled", False):
        benchmark.pedantic(ours, rounds=1, iterations=1)
    benchmark.extra_info.update(info)
    print(info)


@pytest.mark.parametrize("penalty", ["l1", "l0", "l1/2", "l2/3", "cel0", "mcp"])
def test_lq_coding(benchmark, problem, penalty):
    X, D = problem
    alpha = float(_alpha_for_threshold(penalty, np.array([ALPHA]))[0])  # the same dead zone as the l1 case

    def fit():
        return sparse_encode_lq(X, D, penalty=penalty, alpha=alpha, tol=1e-6)
    _run(benchmark, f"{penalty} coding, {N} x 64x256", "sparsestat", fit,
         lambda Z: {"mean_l0": float(np.count_nonzero(Z) / len(Z))})


# ------------------------------------------------------------------ 2. Pareto curves
PENALTIES = ["l1", "l0", "l1/2", "l2/3", "cel0", "mcp"]


@pytest.fixture(scope="module")
def patches():
    X = load_image_patches(8, 1000 if QUICK else 5000, random_state=0)
    D = LqDictionaryLearning(128, penalty="l1", alpha=1.0, max_iter=2 if QUICK else 5,
                             random_state=0).fit(X).components_
    return X, D


@pytest.fixture(scope="module")
def synthetic():
    X, D, _ = make_sparse_coded_signals(1000 if QUICK else 5000, 128, 64, 5, noise=0.05, random_state=0)
    return X, D


def _pareto(X, D, penalty, alphas):
    curve = []
    for a in alphas:
        Z = sparse_encode_lq(X, D, penalty=penalty, alpha=a, max_iter=300, tol=1e-6)
        curve.append((round(float(np.count_nonzero(Z) / len(X)), 3), float(np.mean((X - Z @ D) ** 2))))
    return curve


def _alpha_for_threshold(penalty, thresholds):
    """Alpha giving each dead zone of the unit-step prox (log-log interpolation of threshold(alpha))."""
    from sparsestat import penalties as P

    make = {"l1": P.L1, "l0": P.L0, "l1/2": lambda a: P.Lq(a, 0.5), "l2/3": lambda a: P.Lq(a, 2.0 / 3.0),
            "cel0": lambda a: P.CEL0(a, 1.0), "mcp": P.MCP}[penalty]
    grid = np.geomspace(1e-6, 1e4, 200)
    thr = np.array([float(make(a).threshold(1.0)) for a in grid])
    return np.exp(np.interp(np.log(thresholds), np.log(thr), np.log(grid)))


def _interp_mse(curve, l0):
    c = sorted(curve)
    return float(np.interp(l0, [p[0] for p in c], [p[1] for p in c]))


@pytest.mark.parametrize("data", ["patches", "synthetic"])
@pytest.mark.parametrize("penalty", PENALTIES + ["omp"])
def test_pareto(benchmark, request, data, penalty):
    X, D = request.getfixturevalue(data)
    n_pts = 5 if QUICK else 10
    if penalty == "omp":
        ks = np.unique(np.linspace(1, 16, n_pts).astype(int))
        curve = []
        for k in ks:
            Z = matching_pursuit(X, D, n_nonzero=int(k), orthogonal=True)
            curve.append((round(float(np.count_nonzero(Z) / len(X)), 3), float(np.mean((X - Z @ D) ** 2))))

        def fit():
            return matching_pursuit(X, D, n_nonzero=6, orthogonal=True)
    else:
        # alphas whose dead zone (unit step) spans 5 % .. 80 % of the largest correlation
        scale = float(np.max(np.abs(X @ D.T)))
        alphas = _alpha_for_threshold(penalty, np.geomspace(0.05, 0.8, n_pts) * scale)
        curve = _pareto(X, D, penalty, alphas)

        def fit():
            return sparse_encode_lq(X, D, penalty=penalty, alpha=float(alphas[n_pts // 2]), max_iter=300, tol=1e-6)
    _run(benchmark, f"pareto {data}", penalty, fit,
         lambda Z: {"curve_l0_mse": curve, "mse_at_l0_4": _interp_mse(curve, 4.0),
                    "mse_at_l0_8": _interp_mse(curve, 8.0)}, rounds=1)


# ------------------------------------------------------------------ 3. atom recovery
@pytest.fixture(scope="module")
def recovery_data():
    return make_sparse_coded_signals(1500 if QUICK else 3000, 48, 32, 5, noise=0.01, random_state=0)


@pytest.mark.parametrize("learner", ["lq-l1", "lq-l0", "lq-cel0", "mp-ksvd", "mp-mod", "sklearn-minibatch"])
def test_atom_recovery(benchmark, recovery_data, learner):
    X, D0, _ = recovery_data
    epochs = 15 if QUICK else 60
    if learner.startswith("lq"):
        pen, alpha = {"lq-l1": ("l1", 0.4), "lq-l0": ("l0", 0.1), "lq-cel0": ("cel0", 0.1)}[learner]

        def fit():
            return LqDictionaryLearning(48, penalty=pen, alpha=alpha, batch_size=64, max_iter=epochs,
                                        random_state=0).fit(X)
    elif learner.startswith("mp"):
        def fit():
            return MatchingPursuitDictionaryLearning(48, n_nonzero=5, dict_update=learner[3:], max_iter=epochs,
                                                     tol=1e-8, random_state=0).fit(X)
    else:
        def fit():
            # early stopping off: with its defaults scikit-learn stops after 2 of the 60 epochs here
            return sk_decomposition.MiniBatchDictionaryLearning(48, alpha=0.4, batch_size=64, max_iter=epochs,
                                                                fit_algorithm="cd", transform_algorithm="lasso_cd",
                                                                max_no_improvement=None, tol=0.0,
                                                                random_state=0).fit(X)
    est = fit()  # also the warm-up
    mean_cos, frac = dictionary_recovery_score(D0, est.components_)
    benchmark.extra_info.update({"case": "atom recovery k=5 sigma=0.01", "solver": learner,
                                 "mean_best_cosine": mean_cos, "recovered_at_0.95": frac, "epochs": epochs})
    if not getattr(benchmark, "disabled", False):
        benchmark.pedantic(fit, rounds=1, iterations=1)


# ------------------------------------------------------------------ 4. time per epoch vs scikit-learn
@pytest.mark.parametrize("solver", ["sparsestat", "sklearn"])
def test_epoch_time(benchmark, solver):
    X = load_image_patches(8, 2000 if QUICK else 20000, random_state=1)
    if solver == "sparsestat":
        def fit():
            return LqDictionaryLearning(256, penalty="l1", alpha=1.0, batch_size=256, max_iter=1,
                                        random_state=0).fit(X)
    else:
        def fit():
            return sk_decomposition.MiniBatchDictionaryLearning(256, alpha=1.0, batch_size=256, max_iter=1,
                                                                fit_algorithm="cd", random_state=0).fit(X)

    def acc(est):
        Z = sparse_encode_lq(X, est.components_, penalty="l1", alpha=1.0, tol=1e-6)
        return {"mean_l0": float(np.count_nonzero(Z) / len(X)),
                "mse": float(np.mean((X - Z @ est.components_) ** 2))}
    _run(benchmark, f"one epoch, {len(X)} patches 8x8, 256 atoms, l1 alpha=1", solver, fit, acc, rounds=1)


@pytest.mark.parametrize("solver", ["sparsestat", "sklearn"])
def test_coder_omp(benchmark, problem, solver):
    X, D = problem
    if solver == "sparsestat":
        coder = MatchingPursuitCoder(D, n_nonzero=5, orthogonal=True).fit(X)
    else:
        coder = sk_decomposition.SparseCoder(D, transform_algorithm="omp", transform_n_nonzero_coefs=5)
    _run(benchmark, f"SparseCoder omp k=5, {N} x 64x256", solver, lambda: coder.transform(X),
         lambda Z: {"mean_l0": float(np.count_nonzero(Z) / len(Z))}, rounds=1)


# ------------------------------------------------------------------ 5. units l1 needs (overcompleteness)
def _mse_at_l0(X, D, penalty, target, steps=12):
    lo, hi = 1e-3, 50.0
    for _ in range(steps):
        a = np.sqrt(lo * hi)
        Z = sparse_encode_lq(X, D, penalty=penalty, alpha=a, max_iter=300, tol=1e-6)
        lo, hi = (a, hi) if np.count_nonzero(Z) / len(X) > target else (lo, a)
    return float(np.mean((X - Z @ D) ** 2))


def test_units_l1_needs(benchmark):
    """Rentzeperis et al.: l1 needs many more units than l0-type coding for the same error at fixed l0.

    Dictionaries of M atoms learned with l1 on whitened 8x8 patches; every coder is tuned to mean
    l0 = 6; ``l1_units_to_match_l0[i]`` is the M (log-interpolated) at which l1 reaches the error
    that l0 has with ``sizes[i]`` atoms (inf: not within the sizes tried).
    """
    X = load_image_patches(8, 1500 if QUICK else 5000, random_state=2)
    sizes = [32, 64, 128] if QUICK else [64, 128, 256, 512, 1024]
    curves = {"l1": [], "l0": [], "cel0": []}

    def run():
        for M in sizes:
            D = LqDictionaryLearning(M, penalty="l1", alpha=1.0, max_iter=2 if QUICK else 4,
                                     random_state=0).fit(X).components_
            for pen in curves:
                curves[pen].append(_mse_at_l0(X, D, pen, 6.0))
        return curves

    if getattr(benchmark, "disabled", False):
        run()
    else:
        benchmark.pedantic(run, rounds=1, iterations=1)
    l1 = np.array(curves["l1"])
    units = [float(np.exp(np.interp(-t, -l1, np.log(sizes)))) if l1.min() <= t else float("inf")
             for t in curves["l0"]]
    benchmark.extra_info.update({"case": "units at mean l0 = 6, patches", "solver": "sparsestat",
                                 "sizes": sizes, "mse_l1": curves["l1"], "mse_l0": curves["l0"],
                                 "mse_cel0": curves["cel0"], "l1_units_to_match_l0": units})
    print(benchmark.extra_info)
