"""KroneckerGP against scikit-learn's dense GaussianProcessRegressor."""

import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, WhiteKernel
from sklearn.gaussian_process.kernels import ConstantKernel as C

from sparsestat.gaussian_process import KroneckerGP, kron_mvprod
from sparsestat.gaussian_process.kernels import SpectralMixture


def _grid(n1=8, n2=6, seed=0):
    rng = np.random.default_rng(seed)
    g1, g2 = np.linspace(0, 1, n1), np.linspace(0, 2, n2)
    X = np.array(np.meshgrid(g1, g2, indexing="ij")).reshape(2, -1).T
    y = np.sin(5 * X[:, 0]) * np.cos(3 * X[:, 1]) + 0.05 * rng.standard_normal(len(X))
    perm = rng.permutation(len(X))
    return X[perm], y[perm], rng


def _sk(noise, X, y, optimizer=None):
    kern = C(1.0) * RBF([1.0, 1.0]) + WhiteKernel(noise, "fixed" if optimizer is None else (1e-8, 1e2))
    return GaussianProcessRegressor(kern, alpha=1e-300, optimizer=optimizer and "fmin_l_bfgs_b",
                                    normalize_y=True).fit(X, y)


def test_kron_mvprod_dense(rng):
    mats = [rng.standard_normal((3, 4)), rng.standard_normal((2, 2)), rng.standard_normal((5, 3))]
    v = rng.standard_normal((24, 2))
    dense = np.kron(np.kron(mats[0], mats[1]), mats[2])
    np.testing.assert_allclose(kron_mvprod(mats, v), dense @ v)


@pytest.mark.parametrize("missing", [0.0, 0.2])
def test_equals_dense_gp_fixed_hyperparameters(missing):
    X, y, rng = _grid()
    keep = rng.random(len(X)) >= missing
    X, y = X[keep], y[keep]
    kg = KroneckerGP(optimizer=None, noise_variance=0.01, cg_tol=1e-13).fit(X, y)
    sk = _sk(0.01, X, y)
    Xt = rng.uniform(0, 1.5, (15, 2))
    m1, s1 = kg.predict(Xt, return_std=True)
    m2, s2 = sk.predict(Xt, return_std=True)
    latent = np.sqrt(np.maximum(s2**2 - 0.01 * sk._y_train_std**2, 0))
    np.testing.assert_allclose(m1, m2, atol=1e-8)
    np.testing.assert_allclose(s1, latent, atol=1e-8)
    if missing == 0:
        assert kg.log_marginal_likelihood_value_ == pytest.approx(sk.log_marginal_likelihood_value_, rel=1e-10)
    else:
        assert kg.n_missing_ > 0 and kg.cg_n_iter_ <= 2 * kg.n_missing_ + 2  # m + 1 in exact arithmetic


def test_exact_lml_gradient_and_optimum():
    X, y, _ = _grid(10, 9)
    kg = KroneckerGP(noise_variance=0.1).fit(X, y)
    sk = _sk(0.1, X, y, optimizer=True)
    assert kg.log_marginal_likelihood_value_ == pytest.approx(sk.log_marginal_likelihood_value_, abs=1e-4)
    theta = np.concatenate([k.theta for k in kg.kernels_] + [[np.log(kg.noise_variance_)]]) + 0.2
    Y = kg._y_grid()
    lml, g, _ = kg._grid_lml(theta, kg.kernels_, Y)
    for i in range(theta.size):
        a, b = theta.copy(), theta.copy()
        a[i] += 1e-6
        b[i] -= 1e-6
        fd = (kg._grid_lml(a, kg.kernels_, Y, False)[0] - kg._grid_lml(b, kg.kernels_, Y, False)[0]) / 2e-6
        assert g[i] == pytest.approx(fd, rel=1e-5, abs=1e-6)


def test_spectral_kernels_per_axis_and_fit_grid(rng):
    ax1, ax2 = np.linspace(0, 4, 40), np.linspace(0, 1, 12)
    Y = np.cos(2 * np.pi * 1.5 * ax1)[:, None] * np.exp(-ax2)[None, :] + 0.02 * rng.standard_normal((40, 12))
    kern = [SpectralMixture(weights=[1.0], means=[[1.4]], variances=[[0.01]], means_bounds=(1e-6, 5.0)),
            RBF(0.5)]
    kg = KroneckerGP(kern).fit_grid([ax1, ax2], Y)
    assert abs(kg.kernels_[0].means[0, 0] - 1.5) < 0.05
    mesh = np.stack([m.ravel() for m in np.meshgrid(ax1, ax2, indexing="ij")], 1)
    assert np.sqrt(np.mean((kg.predict(mesh) - Y.ravel()) ** 2)) < 0.05


def test_errors_and_dense_fallback(rng):
    X = rng.standard_normal((30, 2))
    y = X[:, 0]
    with pytest.raises(ValueError, match="grid"):
        KroneckerGP().fit(X, y)
    with pytest.raises(ValueError, match="noise_variance"):
        KroneckerGP(noise_variance=0.0).fit(*_grid()[:2])
    with pytest.raises(ValueError, match="grid of shape"):
        KroneckerGP().fit_grid([np.arange(3.0), np.arange(4.0)], np.zeros((4, 3)))
    with pytest.raises(ValueError, match="kernels has 3"):
        KroneckerGP([RBF(), RBF(), RBF()]).fit(*_grid()[:2])
    dense = KroneckerGP(non_grid="dense", optimizer=None, noise_variance=0.01).fit(X, y)
    sk = _sk(0.01, X, y)
    np.testing.assert_allclose(dense.predict(X[:5]), sk.predict(X[:5]), atol=1e-8)


def test_float32_preserved():
    X, y, _ = _grid()
    kg = KroneckerGP(optimizer=None).fit(X.astype(np.float32), y.astype(np.float32))
    assert kg.predict(X.astype(np.float32)).dtype == np.float32


def test_missing_cells_few_cg_iterations_and_exact(rng):
    # CG on the missing-cell Schur complement (C^-1)_mm, whose inverse is noise + posterior covariance of the
    # missing cells, converges in a few iterations when missing cells are scattered (it took hundreds on the
    # observed block); the solve must still equal the dense one.
    n = 30
    ax = np.linspace(0, 1, n)
    Y = np.sin(8 * ax)[:, None] * np.cos(5 * ax)[None, :] + 0.05 * rng.standard_normal((n, n))
    Y[rng.random((n, n)) < 0.1] = np.nan
    kg = KroneckerGP([C(1.0) * RBF(0.2), RBF(0.2)], noise_variance=0.01, optimizer=None,
                     cg_tol=1e-12).fit_grid([ax, ax], Y)
    assert kg.n_missing_ > 50 and kg.cg_n_iter_ <= 25
    mesh = np.stack([m.ravel() for m in np.meshgrid(ax, ax, indexing="ij")], 1)
    keep = ~np.isnan(Y.ravel())
    sk = GaussianProcessRegressor(C(1.0) * RBF([0.2, 0.2]) + WhiteKernel(0.01, "fixed"), alpha=1e-300,
                                  optimizer=None, normalize_y=True).fit(mesh[keep], Y.ravel()[keep])
    np.testing.assert_allclose(kg.predict(mesh[:40]), sk.predict(mesh[:40]), atol=1e-8)


def test_more_error_cases(rng):
    X, y, _ = _grid()
    for bad in (-1.0, 0.0):
        with pytest.raises(ValueError, match="noise_variance"):
            KroneckerGP(noise_variance=bad).fit(X, y)
    with pytest.raises(ValueError, match="noise_variance_bounds"):
        KroneckerGP(noise_variance_bounds=(0.0, 1.0)).fit(X, y)
    with pytest.raises(ValueError, match="noise_variance_bounds"):
        KroneckerGP(noise_variance_bounds=(1.0, 0.5)).fit(X, y)
    with pytest.raises(ValueError, match="duplicated rows"):
        KroneckerGP().fit(np.vstack([X, X[:3]]), np.r_[y, y[:3]])
    # scattered points: error names the grid shape spanned and the fix
    with pytest.raises(ValueError, match=r"grid of shape \(30, 30\).*fit_grid"):
        KroneckerGP().fit(rng.uniform(size=(30, 2)), np.zeros(30))
    with pytest.raises(ValueError, match=r"grid of shape \(3, 4\)"):
        KroneckerGP().fit_grid([np.arange(3.0), np.arange(4.0)], np.zeros((3, 5)))
    kg = KroneckerGP(optimizer=None).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        kg.predict(np.zeros((4, 3)))


@pytest.mark.slow
def test_512x512_grid_fits():
    # the scale: 262,144 points (a dense kernel matrix would need 550 GB); the fit time is measured in
    # benchmarks/bench_gaussian_process.py (11.5 s on the 2-core machine, target < 30 s)
    n = 512
    rng = np.random.default_rng(0)
    ax = np.linspace(0, 1, n)
    Y = np.sin(20 * ax)[:, None] * np.cos(7 * ax)[None, :] + 0.1 * rng.standard_normal((n, n))
    kg = KroneckerGP([C(1.0) * RBF(0.1), RBF(0.1)], noise_variance=0.05, max_iter=50).fit_grid([ax, ax], Y)
    assert kg.noise_variance_ * kg._y_std**2 == pytest.approx(0.01, rel=0.05)
