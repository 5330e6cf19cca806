"""SPRIGHT and SparseWHT: exact recovery against the dense FWHT, noisy recovery, sample budget, errors."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparsestat.datasets import make_sparse_boolean_function, make_sparse_wht_signal
from sparsestat.transforms import SparseWHT, fwht, spright


def _dense_support(x, tol=1e-8):
    X = fwht(x, norm="ortho")
    keep = np.nonzero(np.abs(X) > tol)[0]
    return keep, X[keep]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # the rare 2-core is counted below
@pytest.mark.parametrize("delays", ["identity", "chains", "random_ml"])
@pytest.mark.parametrize("hashing", ["random", "bits"])
def test_noiseless_matches_dense_fwht(delays, hashing):
    # oracle: the dense FWHT of the same signal; K = N^(1/3) regime of the 3-stage default
    n, K = 15, 32
    ok = 0
    for seed in range(6):
        x, _, _, _ = make_sparse_wht_signal(n, K, coef="random_phase", random_state=seed)
        ref_k, ref_v = _dense_support(x)
        # "bits" hashing uses the paper's disjoint thirds of the bits (sparsity=None)
        s, v, info = spright(x, sparsity=K if hashing == "random" else None, noise=0, delays=delays,
                             hashing=hashing, n_chains=2, random_state=seed)
        ok += s.shape == ref_k.shape and np.array_equal(s, ref_k) and np.allclose(v, ref_v, atol=1e-10)
        assert info["n_samples_used"] < 2**n
    assert ok >= 5


def test_noiseless_recovery_issue_criterion_small_budget():
    # issue: exact recovery at N = 2**20, K = 64 with <= 2% of the samples (5 random supports here;
    # the benchmark runs more)
    for seed in range(3):
        x, S, V, _ = make_sparse_wht_signal(20, 64, coef="random_phase", random_state=seed)
        s, v, info = spright(x, sparsity=64, noise=0, delays="identity", random_state=seed)
        assert np.array_equal(s, S)
        np.testing.assert_allclose(v, V, atol=1e-10)
        assert info["n_samples_used"] <= 0.02 * 2**20
        assert info["converged"]


def test_noisy_recovery_and_nmse():
    n, K = 16, 20
    hits, nmse = 0, []
    for seed in range(10):
        x, S, V, sigma = make_sparse_wht_signal(n, K, snr_db=10, coef="random_phase", random_state=seed)
        s, v, info = spright(x, sparsity=K, n_chains=4, random_state=seed)
        if np.array_equal(s, S):
            hits += 1
            nmse.append(np.sum(np.abs(v - V) ** 2) / np.sum(np.abs(V) ** 2))
        # the noise estimate is within 20% of the truth
        assert abs(info["noise_level"] - sigma) < 0.2 * sigma
    assert hits >= 9
    assert np.mean(nmse) < 1e-2


def test_noisy_real_signal_known_sigma():
    x, S, V, sigma = make_sparse_wht_signal(14, 16, snr_db=15, coef="pm1", random_state=3)
    s, v, info = spright(x, sparsity=16, noise=sigma, delays="random_ml", random_state=0)
    assert np.array_equal(s, S)
    assert v.dtype == np.float64
    np.testing.assert_allclose(v, V, atol=0.2)


def test_oracle_sublinear_and_norms():
    f, S, F = make_sparse_boolean_function(36, 12, max_degree=3, random_state=1)
    calls = []

    def oracle(m):
        calls.append(m.size)
        return f(m)

    s, v, info = spright(oracle, 36, sparsity=12, noise=0, delays="identity", norm="forward", random_state=0)
    assert np.array_equal(s, S)
    np.testing.assert_allclose(v, F, rtol=1e-10)
    assert calls == [info["n_samples_used"]] and info["n_samples_used"] < 20_000
    s2, v2, _ = spright(oracle, 36, sparsity=12, noise=0, delays="identity", norm="ortho", random_state=0)
    np.testing.assert_allclose(v2, F * 2**18, rtol=1e-10)


def test_samples_bounded_by_design_and_dense_fallback():
    x, S, V, _ = make_sparse_wht_signal(12, 8, coef="pm1", random_state=0)
    s, v, info = spright(x, sparsity=8, noise=0, delays="chains", n_chains=3, random_state=0)
    assert info["n_samples_used"] <= 3 * (3 * 13) * 16
    x, S, V, _ = make_sparse_wht_signal(5, 3, coef="pm1", random_state=0)
    s, v, info = spright(x, sparsity=3, noise=0, random_state=0)
    assert info["dense_fallback"] and np.array_equal(s, S)


def test_multiton_left_warns():
    # a dense spectrum cannot be peeled
    x = np.random.default_rng(0).standard_normal(2**14)
    with pytest.warns(ConvergenceWarning, match="multi-ton"):
        spright(x, sparsity=4, n_chains=2, noise=0, random_state=0)


def test_errors():
    with pytest.raises(ValueError, match="power of two"):
        spright(np.ones(100))
    with pytest.raises(ValueError, match="inconsistent"):
        spright(np.ones(64), n_bits=7)
    with pytest.raises(ValueError, match="exceeds"):
        spright(np.ones(64), sparsity=65)
    with pytest.raises(ValueError, match="n_bits is required"):
        spright(lambda m: m * 0.0)
    table = np.zeros(2**10)
    with pytest.raises(ValueError, match="n_bits consistent"):
        spright(lambda m: table[m], 16, sparsity=4)
    with pytest.raises(ValueError, match="one value per"):
        spright(lambda m: np.zeros(3), 12, sparsity=4)
    with pytest.raises(ValueError, match="delays"):
        spright(np.ones(64), delays="bch")
    with pytest.raises(ValueError, match="noise"):
        spright(np.ones(64), noise=-1.0)


def test_estimator_oracle_and_rows():
    f, S, F = make_sparse_boolean_function(24, 10, max_degree=2, random_state=0)
    est = SparseWHT(n_bits=24, sparsity=10, delays="identity", noise=0, norm="forward", random_state=0).fit(f)
    assert np.array_equal(est.support_[0], S)
    m = np.random.default_rng(0).integers(0, 2**24, size=50)
    np.testing.assert_allclose(est.evaluate(m)[0], f(m), atol=1e-9)
    assert est.converged_.all() and est.n_peel_iter_[0] >= 1
    # one signal per row; inverse_transform rebuilds the (noiseless) signals
    rows = np.stack([make_sparse_wht_signal(12, 6, coef="pm1", random_state=s)[0] for s in range(3)])
    est = SparseWHT(sparsity=6, noise=0, random_state=0).fit(rows)
    assert est.coef_.shape == (3, 4096)
    np.testing.assert_allclose(est.inverse_transform(est.transform(rows)), rows, atol=1e-10)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_allclose(restored.transform(rows).toarray(), est.coef_.toarray())
    with pytest.raises(ValueError, match="n_bits"):
        SparseWHT().fit(f)
    with pytest.raises(ValueError, match="inconsistent"):
        SparseWHT(n_bits=5).fit(rows)


def test_importing_sparsestat_does_not_import_numba():
    import subprocess
    import sys

    code = "import sys, sparsestat; assert 'numba' not in sys.modules and 'sklearn' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_no_warning_on_success():
    x, S, V, _ = make_sparse_wht_signal(14, 10, coef="pm1", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spright(x, sparsity=10, noise=0, random_state=0)
