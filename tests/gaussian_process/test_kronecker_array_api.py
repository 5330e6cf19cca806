"""KroneckerGP's grid algebra in the input's array namespace: array_api_strict on CPU equals NumPy; CuPy on a GPU."""

import numpy as np
import pytest
from sklearn.gaussian_process.kernels import RBF
from sklearn.gaussian_process.kernels import ConstantKernel as C

from sparsestat.gaussian_process import KroneckerGP, kron_mvprod
from sparsestat.gaussian_process._kron import kron_eig, kron_solve_eig, pcg


def _problem(n1=9, n2=7, missing=0.0, seed=0):
    rng = np.random.default_rng(seed)
    g1, g2 = np.linspace(0, 1, n1), np.linspace(0, 2, n2)
    X = np.array(np.meshgrid(g1, g2, indexing="ij")).reshape(2, -1).T
    y = np.sin(5 * X[:, 0]) * np.cos(3 * X[:, 1]) + 0.05 * rng.standard_normal(len(X))
    keep = rng.random(len(X)) >= missing
    Xt = rng.uniform(0, 1.5, (11, 2))
    return X[keep], y[keep], Xt


def _kernels():
    return [C(1.0) * RBF(0.4), RBF(0.7)]


def _fit_both(xp, missing, optimizer, dtype=np.float64):
    X, y, Xt = _problem(missing=missing)
    X, y, Xt = X.astype(dtype), y.astype(dtype), Xt.astype(dtype)
    kw = dict(noise_variance=0.02, optimizer=optimizer, max_iter=100, cg_tol=1e-13)
    ref = KroneckerGP(_kernels(), **kw).fit(X, y)
    est = KroneckerGP(_kernels(), **kw).fit(xp.asarray(X), xp.asarray(y))
    return ref, est, Xt


def _check_same(xp, ref, est, Xt, rtol=1e-10):
    m1, s1 = ref.predict(Xt, return_std=True)
    m2, s2 = est.predict(xp.asarray(Xt), return_std=True)
    assert type(m2) is type(xp.asarray(Xt)) and type(s2) is type(m2)
    assert est.log_marginal_likelihood_value_ == pytest.approx(ref.log_marginal_likelihood_value_, rel=rtol)
    np.testing.assert_allclose(np.asarray(m2), m1, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(np.asarray(s2), s1, rtol=rtol, atol=rtol)
    # a NumPy query on a device fit comes back as NumPy
    np.testing.assert_allclose(est.predict(Xt), m1, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("missing", [0.0, 0.15])
@pytest.mark.parametrize("optimizer", [None, "fmin_l_bfgs_b"])
def test_array_api_strict_equals_numpy(missing, optimizer):
    xp = pytest.importorskip("array_api_strict")
    ref, est, Xt = _fit_both(xp, missing, optimizer)
    assert type(est.alpha_) is type(xp.asarray(1.0))  # the fitted algebra lives in the input namespace
    assert all(type(v) is type(est.alpha_) for v in est._vals + est._vecs)
    if missing:
        assert est.n_missing_ > 0 and est.cg_n_iter_ > 0
    for a, b in zip(ref.kernels_, est.kernels_, strict=True):
        np.testing.assert_allclose(a.theta, b.theta, rtol=1e-7, atol=1e-9)
    _check_same(xp, ref, est, Xt, rtol=1e-10 if optimizer is None else 1e-7)


def test_array_api_strict_gradient_and_float32():
    xp = pytest.importorskip("array_api_strict")
    ref, est, Xt = _fit_both(xp, 0.0, None)
    theta = np.concatenate([k.theta for k in ref.kernels_] + [[np.log(0.03)]])
    l1, g1, _ = ref._grid_lml(theta, ref.kernels_, ref._y_grid())
    l2, g2, _ = est._grid_lml(theta, est.kernels_, est._y_grid())
    assert l2 == pytest.approx(l1, rel=1e-12)
    np.testing.assert_allclose(g2, g1, rtol=1e-10, atol=1e-12)
    ref32, est32, Xt = _fit_both(xp, 0.0, None, dtype=np.float32)
    out = est32.predict(xp.asarray(Xt.astype(np.float32)))
    assert out.dtype == xp.float32
    np.testing.assert_allclose(np.asarray(out), ref32.predict(Xt.astype(np.float32)), rtol=1e-5)


def test_kron_primitives_array_api_strict(rng):
    xp = pytest.importorskip("array_api_strict")
    mats = [rng.standard_normal((3, 4)), rng.standard_normal((2, 2)), rng.standard_normal((5, 3))]
    v = rng.standard_normal((24, 2))
    out = kron_mvprod([xp.asarray(m) for m in mats], xp.asarray(v))
    np.testing.assert_allclose(np.asarray(out), np.kron(np.kron(mats[0], mats[1]), mats[2]) @ v, rtol=1e-12)
    Ks = [np.cov(rng.standard_normal((n, 2 * n))) for n in (4, 5)]
    vals, vecs = kron_eig([xp.asarray(K) for K in Ks])
    b = rng.standard_normal(20)
    x = kron_solve_eig(vals, vecs, 0.3, xp.asarray(b))
    np.testing.assert_allclose(np.asarray(x), np.linalg.solve(np.kron(*Ks) + 0.3 * np.eye(20), b), rtol=1e-10)
    A = np.kron(*Ks) + 0.3 * np.eye(20)
    Ad = xp.asarray(A)
    X, it, res = pcg(lambda P: Ad @ P, lambda R: R, xp.asarray(b), tol=1e-12, max_iter=200)
    assert res <= 1e-12 and it <= 40
    np.testing.assert_allclose(np.asarray(X), np.linalg.solve(A, b), rtol=1e-9)


@pytest.mark.gpu
@pytest.mark.parametrize("missing", [0.0, 0.15])
def test_cupy_equals_numpy(missing):
    cp = pytest.importorskip("cupy")
    ref, est, Xt = _fit_both(cp, missing, None)
    assert isinstance(est.alpha_, cp.ndarray)
    m1, s1 = ref.predict(Xt, return_std=True)
    m2, s2 = est.predict(cp.asarray(Xt), return_std=True)
    assert isinstance(m2, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(m2), m1, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(cp.asnumpy(s2), s1, rtol=1e-9, atol=1e-10)
    assert est.log_marginal_likelihood_value_ == pytest.approx(ref.log_marginal_likelihood_value_, rel=1e-10)


@pytest.mark.gpu
def test_cupy_fits_with_optimizer():
    cp = pytest.importorskip("cupy")
    ref, est, Xt = _fit_both(cp, 0.0, "fmin_l_bfgs_b")
    np.testing.assert_allclose(cp.asnumpy(est.predict(cp.asarray(Xt))), ref.predict(Xt), rtol=1e-6, atol=1e-8)
