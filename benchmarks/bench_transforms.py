"""Dense FWHT vs anchors (ns/element) and SPRIGHT recovery (success, NMSE, samples, time vs dense FWHT).

Set SPARSESTAT_BENCH_QUICK=1 for the small CI sizes. Threads are pinned to one (conftest); the
batched case also runs with all Numba threads to show the batch scaling.
"""

import os
import time

import numpy as np
import pytest

from sparsestat.datasets import make_sparse_wht_signal
from sparsestat.transforms import fwht, spright

QUICK = os.environ.get("SPARSESTAT_BENCH_QUICK") == "1"
N_DENSE = 14 if QUICK else 22
BW_GBS = None  # filled by the copy probe below


def _copy_bandwidth(x):
    """Effective read+write bandwidth of a plain copy (GB/s): the memory-bound floor of one pass."""
    y = np.empty_like(x)
    best = np.inf
    for _ in range(3):
        t = time.perf_counter()
        np.copyto(y, x)
        best = min(best, time.perf_counter() - t)
    return 2 * x.nbytes / best / 1e9


def _numpy_butterfly(x):
    N = x.shape[-1]
    h = 1
    while h < N:
        y = x.reshape(N // (2 * h), 2, h)
        a = y[:, 0, :].copy()
        y[:, 0, :] += y[:, 1, :]
        y[:, 1, :] = a - y[:, 1, :]
        h *= 2
    return x


def _dense_solvers():
    out = [("sparsestat", lambda y: fwht(y, overwrite_x=True)), ("numpy_butterfly", _numpy_butterfly)]
    try:
        import ffht

        out.append(("ffht-unofficial", lambda y: (ffht.fht_(y), y)[1]))  # in place, like ours
    except ImportError:
        pass
    try:
        import pyfwht

        out.append(("pyfwht", lambda y: pyfwht.fwht(y, backend="cpu")))  # returns a copy
    except (ImportError, AttributeError):
        pass
    return out


@pytest.fixture(scope="module")
def dense_signal():
    return np.random.default_rng(0).standard_normal(1 << N_DENSE)


@pytest.mark.parametrize("name,func", _dense_solvers(), ids=[s[0] for s in _dense_solvers()])
def test_dense_fwht(benchmark, dense_signal, name, func):
    import numba

    numba.set_num_threads(1)
    x = dense_signal
    ref = fwht(x)
    work = x.copy()

    def run():
        np.copyto(work, x)
        return func(work)

    if not getattr(benchmark, "disabled", False):
        run()
    out = benchmark.pedantic(run, rounds=5, iterations=1)
    t_copy = 2 * x.nbytes / _copy_bandwidth(x) / 1e9  # subtract the reset copy from the reported time
    err = float(np.max(np.abs(out - ref)) / np.max(np.abs(ref)))
    stats = getattr(benchmark, "stats", None)
    info = {"case": f"fwht N=2^{N_DENSE} float64 1 thread", "solver": name, "max_rel_err": err}
    if stats is not None:
        t = max(stats.stats.min - t_copy, 1e-12)
        info["ns_per_element"] = t / x.size * 1e9
        info["bandwidth_bound_ns_per_element"] = 2 * 16 / _copy_bandwidth(x)  # two read+write passes
    benchmark.extra_info.update(info)
    assert err < 1e-12


@pytest.mark.parametrize("threads", [1, 2])
def test_batched_fwht_threads(benchmark, threads):
    import numba

    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    x = np.random.default_rng(0).standard_normal((64, 1 << (10 if QUICK else 16)))
    out = benchmark.pedantic(lambda: fwht(x), rounds=3, iterations=1, warmup_rounds=1)
    benchmark.extra_info.update({"case": f"batched fwht {x.shape}", "solver": f"sparsestat {threads} thr",
                                 "threads": threads, "checksum": float(out[:, 0].sum())})
    numba.set_num_threads(1)


SPRIGHT_CASES = [(12, 16, 10.0), (14, 32, 10.0)] if QUICK else [(20, 64, np.inf), (24, 64, 10.0), (22, 64, 0.0),
                                                               (22, 64, 5.0), (18, 512, 10.0)]


@pytest.mark.parametrize("n_bits,K,snr", SPRIGHT_CASES)
@pytest.mark.parametrize("method", ["spright", "dense_fwht_topk"])
def test_spright_recovery(benchmark, n_bits, K, snr, method):
    import numba

    numba.set_num_threads(1)
    trials = 5 if QUICK else 20
    noiseless = not np.isfinite(snr)
    signals = [make_sparse_wht_signal(n_bits, K, snr_db=snr, coef="random_phase", random_state=s)
               for s in range(trials)]
    opts = {"sparsity": K, "noise": 0, "delays": "identity"} if noiseless else {"sparsity": K, "n_chains": 4}

    def solve(x, seed):
        if method == "spright":
            s, v, info = spright(x, random_state=seed, **opts)
            return s, v, info["n_samples_used"]
        X = fwht(x, norm="ortho")
        top = np.sort(np.argpartition(np.abs(X), -K)[-K:])
        return top, X[top], x.size

    solve(signals[0][0], 0)
    results, times = [], []
    for i, (x, _, _, _) in enumerate(signals):
        t = time.perf_counter()
        results.append(solve(x, i))
        times.append(time.perf_counter() - t)
    ok = [np.array_equal(r[0], S) for r, (x, S, V, _) in zip(results, signals, strict=True)]
    nmse = [np.sum(np.abs(r[1] - V) ** 2) / np.sum(np.abs(V) ** 2) for r, (x, S, V, _), g in
            zip(results, signals, ok, strict=True) if g]
    x0 = signals[0][0]
    benchmark.pedantic(lambda: solve(x0, 0), rounds=3, iterations=1)
    benchmark.extra_info.update({
        "case": f"n={n_bits} K={K} SNR={snr} dB", "solver": method, "success_rate": float(np.mean(ok)),
        "nmse_mean": float(np.mean(nmse)) if nmse else float("nan"),
        "sample_fraction": float(np.mean([r[2] for r in results]) / 2**n_bits),
        "median_time_s": float(np.median(times)),
    })


def test_omp_partial_hadamard(benchmark):
    """Compressed sensing anchor: OMP on random Hadamard rows with SPRIGHT's sample budget."""
    from scipy.linalg import hadamard
    from sklearn.linear_model import OrthogonalMatchingPursuit

    n_bits, K = (10, 8) if QUICK else (12, 16)
    N = 1 << n_bits
    x, S, V, _ = make_sparse_wht_signal(n_bits, K, snr_db=20, coef="pm1", random_state=0)
    _, _, info = spright(x, sparsity=K, n_chains=2, random_state=0)
    m = min(N, info["n_samples_used"])
    rows = np.sort(np.random.default_rng(0).choice(N, m, replace=False))
    A = hadamard(N, dtype=float)[rows] / np.sqrt(N)
    omp = OrthogonalMatchingPursuit(n_nonzero_coefs=K, fit_intercept=False)
    coef = benchmark.pedantic(lambda: omp.fit(A, x[rows]).coef_, rounds=3, iterations=1)
    benchmark.extra_info.update({"case": f"n={n_bits} K={K} SNR=20 dB, M={m}", "solver": "OMP partial WHT",
                                 "exact_support": bool(np.array_equal(np.nonzero(coef)[0], S))})
