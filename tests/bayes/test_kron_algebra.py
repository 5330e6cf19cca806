"""Kronecker identities (mode products) against dense numpy.kron computations on small factors."""

from functools import reduce

import numpy as np
import pytest

from sparsestat.bayes import KroneckerOperator, kron_diag_quadform, kron_matvec, kron_vectors
from sparsestat.bayes._krosbl import _kron_estep


def _factors(shapes, complex_data=False, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) + (1j * rng.standard_normal(s) if complex_data else 0) for s in shapes]


SHAPES = [[(3, 4)], [(3, 4), (2, 5)], [(2, 3), (4, 2), (3, 3)]]


@pytest.mark.parametrize("shapes", SHAPES)
@pytest.mark.parametrize("complex_data", [False, True])
def test_matvec_rmatvec_diag(shapes, complex_data):
    F = _factors(shapes, complex_data)
    K = reduce(np.kron, F)
    rng = np.random.default_rng(1)
    x = rng.standard_normal(K.shape[1])
    np.testing.assert_allclose(kron_matvec(F, x), K @ x, atol=1e-12)
    op = KroneckerOperator(F)
    yv = rng.standard_normal(K.shape[0])
    np.testing.assert_allclose(op.rmatvec(yv), K.conj().T @ yv, atol=1e-12)
    np.testing.assert_allclose(op.aslinearoperator().matvec(x), K @ x, atol=1e-12)
    w = rng.random(K.shape[1])
    np.testing.assert_allclose(kron_diag_quadform(F, w), np.real(np.diag(K @ np.diag(w) @ K.conj().T)), atol=1e-12)
    vs = [rng.random(A.shape[1]) for A in F]
    np.testing.assert_allclose(kron_vectors(vs), reduce(np.kron, vs))


@pytest.mark.parametrize("complex_data", [False, True])
def test_kronecker_e_step_matches_dense_posterior(complex_data):
    F = _factors([(3, 4), (4, 3), (2, 3)], complex_data, seed=2)
    K = reduce(np.kron, F)
    rng = np.random.default_rng(3)
    gammas = [rng.uniform(0.1, 2.0, A.shape[1]) for A in F]
    g = reduce(np.kron, gammas)
    y = K @ rng.standard_normal(K.shape[1]) + 0.1 * rng.standard_normal(K.shape[0])
    s2 = 0.05
    mu, diag, gfull = _kron_estep(np, F, gammas, y.astype(K.dtype), s2)
    Sy = s2 * np.eye(K.shape[0]) + K @ np.diag(g) @ K.conj().T
    mu_ref = g * (K.conj().T @ np.linalg.solve(Sy, y))
    Sig = np.diag(g) - (g[:, None] * K.conj().T) @ np.linalg.solve(Sy, K * g[None, :])
    np.testing.assert_allclose(gfull, g)
    np.testing.assert_allclose(mu, mu_ref, atol=1e-10)
    np.testing.assert_allclose(diag, np.real(np.diag(Sig)), atol=1e-10)


def test_array_api_strict_kron():
    xp = pytest.importorskip("array_api_strict")
    F = _factors([(3, 4), (2, 5)])
    x = np.random.default_rng(0).standard_normal(20)
    out = kron_matvec([xp.asarray(A) for A in F], xp.asarray(x))
    assert type(out).__module__.startswith("array_api_strict")
    np.testing.assert_allclose(np.asarray(out), reduce(np.kron, F) @ x, atol=1e-12)
    gammas = [np.ones(4), np.ones(5)]
    mu, diag, _ = _kron_estep(xp, [xp.asarray(A) for A in F], [xp.asarray(g) for g in gammas],
                              xp.asarray(np.arange(6.0)), 0.1)
    mu_ref, diag_ref, _ = _kron_estep(np, F, gammas, np.arange(6.0), 0.1)
    np.testing.assert_allclose(np.asarray(mu), mu_ref, atol=1e-12)
    np.testing.assert_allclose(np.asarray(diag), diag_ref, atol=1e-12)
