"""MP/OMP: scikit-learn's orthogonal_mp oracle, MP invariants, non-negativity, MP dictionary learning."""

import numpy as np
import pytest
from scipy.optimize import nnls
from sklearn.linear_model import orthogonal_mp

from sparsestat.datasets import make_sparse_coded_signals
from sparsestat.decomposition import (
    MatchingPursuitCoder,
    MatchingPursuitDictionaryLearning,
    dictionary_recovery_score,
    matching_pursuit,
)


def _dict(M, d, seed):
    rng = np.random.default_rng(seed)
    D = rng.standard_normal((M, d))
    return D / np.linalg.norm(D, axis=1, keepdims=True), rng


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("k", [1, 3, 7])
def test_omp_equals_sklearn_orthogonal_mp(seed, k):
    D, rng = _dict(60, 20, seed)
    X = rng.standard_normal((50, 20))
    Z = matching_pursuit(X, D, n_nonzero=k, orthogonal=True)
    ref = orthogonal_mp(D.T, X.T, n_nonzero_coefs=k).T
    np.testing.assert_allclose(Z, ref, atol=1e-10)


def test_omp_residual_tol_equals_sklearn():
    D, rng = _dict(40, 16, 5)
    X = rng.standard_normal((30, 16))
    Z = MatchingPursuitCoder(D, residual_tol=1.5, orthogonal=True).fit(X).transform(X)
    ref = orthogonal_mp(D.T, X.T, tol=1.5**2).T
    np.testing.assert_allclose(Z, ref, atol=1e-10)


def test_mp_residual_monotone_and_orthogonal_to_last_atom():
    D, rng = _dict(30, 10, 1)
    X = rng.standard_normal((20, 10))
    coder = MatchingPursuitCoder(D, n_nonzero=8).fit(X)
    path = coder.path(X)
    assert np.all(np.diff(path, axis=1) <= 1e-12)
    Z = coder.transform(X)
    np.testing.assert_allclose(coder.residuals(X), np.linalg.norm(X - Z @ D, axis=1), atol=1e-10)
    np.testing.assert_allclose(path[:, -1], coder.residuals(X), atol=1e-10)
    # one MP step: residual orthogonal to the chosen atom
    Z1 = matching_pursuit(X, D, n_nonzero=1)
    j = np.argmax(np.abs(Z1), axis=1)
    R = X - Z1 @ D
    np.testing.assert_allclose(np.einsum("ij,ij->i", R, D[j]), 0.0, atol=1e-12)


def test_mp_on_orthonormal_basis_equals_omp():
    rng = np.random.default_rng(2)
    Q, _ = np.linalg.qr(rng.standard_normal((12, 12)))
    X = rng.standard_normal((15, 12))
    np.testing.assert_allclose(matching_pursuit(X, Q, n_nonzero=4, allow_reselect=False),
                               matching_pursuit(X, Q, n_nonzero=4, orthogonal=True), atol=1e-12)


def test_nonnegative_omp_is_nnls_on_its_support():
    D, rng = _dict(40, 15, 3)
    X = rng.standard_normal((25, 15))
    Z = matching_pursuit(X, D, n_nonzero=5, orthogonal=True, nonnegative=True)
    assert np.all(Z >= 0)
    for i in range(len(X)):
        s = np.flatnonzero(Z[i])
        ref, _ = nnls(D[s].T, X[i])
        np.testing.assert_allclose(Z[i, s], ref, atol=1e-8)
    Zmp = matching_pursuit(X, D, n_nonzero=5, nonnegative=True)
    assert np.all(Zmp >= 0)


def test_sparse_output_float32_and_errors():
    D, rng = _dict(20, 8, 0)
    X = rng.standard_normal((5, 8)).astype(np.float32)
    coder = MatchingPursuitCoder(D, n_nonzero=2, orthogonal=True, output="sparse").fit(X)
    Z = coder.transform(X)
    assert Z.format == "csr" and Z.dtype == np.float32
    with pytest.raises(ValueError, match="features"):
        coder.transform(np.ones((2, 9)))
    D[3] = 0.0
    with pytest.raises(ValueError, match="zero atom"):
        MatchingPursuitCoder(D, n_nonzero=2).fit(X)
    D[3] = np.inf
    with pytest.raises(ValueError, match="infinite"):
        matching_pursuit(X, D)


@pytest.mark.parametrize("update", ["ksvd", "mod"])
def test_mp_dictionary_learning_recovers_atoms(update):
    X, D0, _ = make_sparse_coded_signals(3000, 64, 32, 5, noise=0.01, random_state=0)
    est = MatchingPursuitDictionaryLearning(64, n_nonzero=5, dict_update=update, max_iter=80, tol=1e-8,
                                            random_state=0).fit(X)
    _, frac = dictionary_recovery_score(D0, est.components_)
    assert frac >= (0.95 if update == "ksvd" else 0.9)  # MOD converges slower to the last atoms
    assert est.mean_l0_ <= 5
    assert est.fvu_curve_[-1] < 0.05


def test_masked_coder_equals_restricted_dictionary():
    D, rng = _dict(30, 12, 7)
    X = rng.standard_normal((15, 12))
    mask = rng.random(X.shape) > 0.25
    for orthogonal in (True, False):
        Z = MatchingPursuitCoder(D, n_nonzero=3, orthogonal=orthogonal).fit(X).transform(X, mask=mask)
        for i in range(len(X)):
            v = mask[i]
            ref = matching_pursuit(X[i:i + 1, v], D[:, v], n_nonzero=3, orthogonal=orthogonal)
            np.testing.assert_allclose(Z[i], ref[0], atol=1e-12)
