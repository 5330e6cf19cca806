"""SLIM-KL extras: the paper's SCA local solver (cvxpy SOCP), quantised messages, communication counts."""

import sys
import warnings

import numpy as np
import pytest
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from sparsestat.gaussian_process import SLIMKernelLearning, sparse_spectral_weights
from sparsestat.gaussian_process._sca import _import_cvxpy, low_rank_factors, sca_subproblem
from sparsestat.gaussian_process._slim import _quantise
from sparsestat.gaussian_process.kernels import GridSpectralMixtureProduct


def _data(n=40, A=10, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(float(n))
    y = np.cos(2 * np.pi * 0.1 * t) + 0.5 * np.cos(2 * np.pi * 0.3 * t + 1) + 0.1 * rng.standard_normal(n)
    y = (y - y.mean()) / y.std()
    k = GridSpectralMixtureProduct.from_data(t[:, None], y, A)
    return t[:, None], y, k, k.component_matrices(t[:, None]), rng


def test_sca_subproblem_equals_direct_minimisation():
    # the cone reformulation y'C^-1 y = min sum |w_i|^2/a_i + |w0|^2/s s.t. sum L_i w_i + w0 = y, checked against
    # L-BFGS-B on the closed-form convex surrogate
    pytest.importorskip("cvxpy")
    X, y, k, Ks, rng = _data(15, 4)
    Ks = Ks[:4]
    g, lin = rng.uniform(0.5, 2, 4), rng.uniform(-0.2, 0.2, 4)
    theta, rho, g0 = rng.uniform(0, 1, 4), 0.7, 3.0

    def f(v):
        a, s = v[:4], v[4]
        C = np.tensordot(a, Ks, axes=1) + s * np.eye(15)
        prox = 0.5 * rho * np.sum((a - theta) ** 2)
        return 0.5 * y @ np.linalg.solve(C, y) + (0.5 * g + lin) @ a + 0.5 * g0 * s + prox

    a, s = sca_subproblem(low_rank_factors(Ks), y, g, g0, lin, rho, theta)
    ref = min((minimize(f, x0, method="L-BFGS-B", bounds=[(0, None)] * 4 + [(1e-6, None)],
                        options={"ftol": 1e-14, "gtol": 1e-10}) for x0 in (np.r_[theta, 0.5], np.r_[np.ones(4), 1.0])),
              key=lambda r: r.fun)
    assert f(np.r_[a, s]) <= ref.fun + 1e-6
    np.testing.assert_allclose(np.r_[a, s], ref.x, atol=2e-3)


def test_sca_and_mm_reach_the_same_objective():
    pytest.importorskip("cvxpy")
    X, y, k, Ks, _ = _data(40, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        w_sca, _, it_sca, h_sca = sparse_spectral_weights(Ks, y, k.weights, noise_variance=0.05, solver="sca",
                                                          max_iter=25, tol=1e-6, prune_tol=1e-8)
        w_mm, _, _, h_mm = sparse_spectral_weights(Ks, y, k.weights, noise_variance=0.05, max_iter=3000, tol=1e-9,
                                                   prune_tol=1e-8)
    assert np.all(np.diff(h_sca) <= 1e-7 * np.abs(h_sca[:-1]))  # SCA with a tight linear majoriser is monotone
    assert h_sca[-1] == pytest.approx(h_mm[-1], rel=1e-4)  # the spec's MM/SCA agreement test
    assert it_sca < 25 and np.sum(w_sca > 0) <= 5
    with pytest.raises(ValueError, match="solver"):
        sparse_spectral_weights(Ks, y, k.weights, solver="socp")


def test_sca_proximal_step_matches_mm():
    # the ADMM local problem l(z) + lam'(z - theta) + rho/2 |z - theta|^2: both local solvers, same minimum
    pytest.importorskip("cvxpy")
    X, y, k, Ks, rng = _data(40, 8, seed=2)
    Ks = Ks[:8]
    theta, lam, rho = 0.5 * k.weights[:8], 0.1 * rng.standard_normal(8), 2.0
    w0 = k.weights[:8]
    from sparsestat.gaussian_process._sca import _sca_weights
    from sparsestat.gaussian_process._sparse_spectral import _mm_weights

    a = _sca_weights(Ks, y, w0, 0.05, "none", 60, 1e-8, 0.0, rho, theta, lam)[0]
    b = _mm_weights(Ks, y, w0, 0.05, "none", 5000, 1e-10, 0.0, rho, theta, lam)[0]

    def f(w):
        C = np.tensordot(w, Ks, axes=1) + 0.05 * np.eye(40)
        sign, logdet = np.linalg.slogdet(C)
        return 0.5 * y @ np.linalg.solve(C, y) + 0.5 * logdet + lam @ (w - theta) + 0.5 * rho * np.sum((w - theta) ** 2)

    assert f(a) == pytest.approx(f(b), rel=1e-6)
    np.testing.assert_allclose(a, b, atol=1e-3)


def test_slim_with_sca_local_solver_and_communication_count():
    pytest.importorskip("cvxpy")
    from sparsestat.utils import get_client

    client = get_client(n_workers=2, processes=False)
    rng = np.random.default_rng(1)
    t = np.arange(80.0)
    y = np.cos(2 * np.pi * 0.05 * t) + 0.6 * np.cos(2 * np.pi * 0.17 * t + 1) + 0.1 * rng.standard_normal(t.size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est, mm = (SLIMKernelLearning(n_components=12, n_workers=2, local_solver=solver, max_iter=3, local_max_iter=4,
                                      client=client, random_state=0).fit(t[:60, None], y[:60])
                   for solver in ("sca", "mm"))
    found = est.kernel_.freqs[est.active_components_, 0]
    for f in (0.05, 0.17):
        assert np.min(np.abs(found - f)) < 0.03
    assert est.n_communicated_floats_ == 2 * 2 * sum(est.history_["n_active"])
    # each SCA local step solves its surrogate exactly, so its consensus objective is at least as low as MM's
    assert est.history_["objective"][-1] <= mm.history_["objective"][-1] + 1e-6
    mse = np.mean((est.predict(t[60:, None]) - y[60:]) ** 2)
    assert mse < 0.6 * np.var(y[60:])
    assert mse == pytest.approx(np.mean((mm.predict(t[60:, None]) - y[60:]) ** 2), rel=0.1)


def test_quantised_messages_and_bits():
    from sparsestat.utils import get_client

    client = get_client(n_workers=2, processes=False)
    rng = np.random.default_rng(1)
    t = np.arange(100.0)
    y = np.cos(2 * np.pi * 0.05 * t) + 0.6 * np.cos(2 * np.pi * 0.17 * t + 1) + 0.1 * rng.standard_normal(t.size)
    delta = 0.05
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        q = SLIMKernelLearning(n_components=20, n_workers=2, quant_delta=delta, max_iter=6, local_max_iter=10,
                               client=client, random_state=0).fit(t[:, None], y)
        full = SLIMKernelLearning(n_components=20, n_workers=2, max_iter=6, local_max_iter=10, client=client,
                                  random_state=0).fit(t[:, None], y)
    # the broadcast consensus weights are on the quantiser's lattice (normalised-target scale)
    w = q.weights_[q.weights_ > 0]
    np.testing.assert_allclose(w / delta, np.round(w / delta), atol=1e-9)
    assert not np.allclose(full.weights_ / delta, np.round(full.weights_ / delta))
    for est in (q, full):
        assert est.n_communicated_floats_ == 2 * 2 * sum(est.history_["n_active"])
    assert full.n_communicated_bits_ == 64 * full.n_communicated_floats_
    assert q.n_communicated_bits_ < 64 * q.n_communicated_floats_


def test_stochastic_quantiser_is_unbiased_on_the_lattice():
    rng = np.random.default_rng(0)
    x = np.array([0.0, 0.013, 0.37, 1.249])
    draws = np.stack([_quantise(x, 0.1, rng) for _ in range(20000)])
    np.testing.assert_allclose(draws / 0.1, np.round(draws / 0.1), atol=1e-9)
    lo = np.floor(x / 0.1) * 0.1
    assert np.all((np.abs(draws - lo) < 1e-12) | (np.abs(draws - lo - 0.1) < 1e-12))
    np.testing.assert_allclose(draws.mean(0), x, atol=4 * 0.05 / np.sqrt(20000) + 1e-12)
    np.testing.assert_array_equal(_quantise(x, 0.0, rng), x)


def test_sca_without_cvxpy_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "cvxpy", None)
    with pytest.raises(ImportError, match=r"sparsestat\[all\]"):
        _import_cvxpy()
    X, y, *_ = _data(30, 5)
    with pytest.raises(ImportError, match="local_solver='mm'"):
        SLIMKernelLearning(n_components=5, local_solver="sca").fit(X, y)
