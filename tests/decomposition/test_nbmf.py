"""NBMF: QUBO solvers against brute-force enumeration, monotone objective, masking beats zero filling."""

import itertools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import nnls
from sklearn.exceptions import ConvergenceWarning

from sparsestat.decomposition import NBMF, solve_qubo
from sparsestat.decomposition import _nmf_kernels as K


def _enumerate(Q):
    k = Q.shape[0]
    best = (np.inf, None)
    for bits in itertools.product((0, 1), repeat=k):
        h = np.array(bits, dtype=float)
        e = h @ Q @ h
        if e < best[0]:
            best = (e, h)
    return best


def _ratings(rng, n=60, m=40, k=4, frac=0.5):
    W = rng.gamma(2.0, size=(n, k))
    H = (rng.random((k, m)) < 0.4).astype(float)
    V = W @ H + 0.05 * rng.standard_normal((n, m))
    V = np.maximum(V, 0)
    obs = rng.random((n, m)) < frac
    obs[np.arange(n), rng.integers(0, m, n)] = True
    obs[rng.integers(0, n, m), np.arange(m)] = True
    return V, obs, W, H


@pytest.mark.parametrize("k", [1, 3, 6, 9, 12])
def test_exhaustive_equals_enumeration(k):
    rng = np.random.default_rng(k)
    A = rng.standard_normal((k + 3, k))
    Q = A.T @ A + np.diag(rng.standard_normal(k) * 3)
    x, e = solve_qubo(Q, "exhaustive")
    e_ref, h_ref = _enumerate(Q)
    np.testing.assert_allclose(e, e_ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(x @ Q @ x, e, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("k", [8, 12, 16])
def test_anneal_reaches_exhaustive(k):
    rng = np.random.default_rng(100 + k)
    A = rng.gamma(2.0, size=(20, k))
    v = A @ (rng.random(k) < 0.5) + 0.1 * rng.standard_normal(20)
    Q = A.T @ A - 2 * np.diag(A.T @ v)
    _, e_ex = solve_qubo(Q, "exhaustive")
    _, e_an = solve_qubo(Q, "anneal", random_state=0, n_sweeps=300, n_restarts=5)
    np.testing.assert_allclose(e_an, e_ex, rtol=1e-9, atol=1e-9)
    xg, eg = solve_qubo(Q, "greedy")
    assert eg >= e_ex - 1e-9  # greedy is a local method
    np.testing.assert_allclose(xg @ Q @ xg, eg, rtol=1e-9, atol=1e-9)


def test_h_step_equals_bruteforce(rng):
    V, obs, _, _ = _ratings(rng, k=5)
    Vn = np.where(obs, V, np.nan)
    est = NBMF(5, max_iter=3, tol=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(Vn)
    W = est.W_
    Ht = np.zeros_like(est.components_.T)
    from sparsestat.decomposition._nbmf import _csr_csc
    _, csc = _csr_csc(np.where(obs, V, 0.0), obs.astype(float))
    K.nbmf_h_step(W, Ht, csc[0], csc[1], csc[2], 0, 1, 1, 0)
    for j in range(V.shape[1]):
        rows = np.flatnonzero(obs[:, j])
        best = min(itertools.product((0, 1), repeat=5),
                   key=lambda h: np.sum((V[rows, j] - W[rows] @ np.array(h)) ** 2))
        e_best = np.sum((V[rows, j] - W[rows] @ np.array(best)) ** 2)
        e_ours = np.sum((V[rows, j] - W[rows] @ Ht[j]) ** 2)
        np.testing.assert_allclose(e_ours, e_best, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("w_solver", ["pgm", "nnls"])
@pytest.mark.parametrize("qubo_solver", ["exhaustive", "anneal", "greedy"])
def test_objective_monotone(rng, w_solver, qubo_solver):
    V, obs, _, _ = _ratings(rng, k=4)
    est = NBMF(4, alpha=0.1, w_solver=w_solver, qubo_solver=qubo_solver, max_iter=15, tol=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(np.where(obs, V, np.nan))
    hist = np.array(est.loss_curve_)
    assert np.all(np.diff(hist) <= 1e-9 * hist[:-1])
    assert set(np.unique(est.components_)) <= {0, 1}


def test_w_step_nnls_matches_scipy(rng):
    V, obs, _, H = _ratings(rng, k=4)
    est = NBMF(4, alpha=0.3, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(np.where(obs, V, np.nan))
    W = est.transform(np.where(obs, V, np.nan))
    Hb = est.components_.astype(float)
    for i in range(5):
        o = obs[i]
        A = np.vstack([Hb[:, o].T, np.sqrt(0.3) * np.eye(4)])
        b = np.concatenate([V[i, o], np.zeros(4)])
        ref, _ = nnls(A, b)
        np.testing.assert_allclose(W[i], ref, atol=1e-6)


def test_masked_beats_unmasked_on_heldout(rng):
    V, obs, _, _ = _ratings(rng, n=120, m=80, k=4, frac=0.3)
    test = obs & (rng.random(obs.shape) < 0.2)
    train = obs & ~test
    Vtr = np.where(train, V, np.nan)
    Vte = np.where(test, V, np.nan)
    masked = NBMF(4, random_state=0, max_iter=30).fit(Vtr)
    unmasked = NBMF(4, mask_missing=False, random_state=0, max_iter=30).fit(Vtr)
    assert masked.score(Vte) > 2 * unmasked.score(Vte)  # scores are -RMSE
    rows, cols = np.nonzero(test)
    rmse = np.sqrt(np.mean((masked.predict_cells(rows, cols) - V[rows, cols]) ** 2))
    np.testing.assert_allclose(-masked.score(Vte), rmse)


def test_callable_solver_and_sparse_input(rng):
    V, obs, _, _ = _ratings(rng, k=3)
    calls = []

    def brute(Q):
        calls.append(1)
        return solve_qubo(Q, "exhaustive")[0]

    V = V + 0.5  # no rated exact zero, so the sparse pattern equals the mask
    Xs = sp.csr_matrix(np.where(obs, V, 0.0))
    a = NBMF(3, qubo_solver=brute, max_iter=5, tol=0, random_state=0)
    b = NBMF(3, qubo_solver="exhaustive", max_iter=5, tol=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a.fit(Xs)
        b.fit(np.where(obs, V, np.nan))
    assert len(calls) == 5 * V.shape[1]
    np.testing.assert_array_equal(a.components_, b.components_)


def test_errors(rng):
    V, obs, _, _ = _ratings(rng)
    with pytest.raises(ValueError, match="egative"):
        NBMF(2).fit(-V)
    Vn = V.copy()
    Vn[:, 0] = np.nan
    with pytest.raises(ValueError, match="column"):
        NBMF(2).fit(Vn)
    with pytest.raises(ValueError, match="anneal"):
        NBMF(30, qubo_solver="exhaustive").fit(V)
    with pytest.raises(ValueError, match="square"):
        solve_qubo(np.ones((2, 3)))
    with pytest.raises(ValueError, match="0/1"):
        NBMF(2, qubo_solver=lambda Q: np.full(2, 3), max_iter=1).fit(V)
