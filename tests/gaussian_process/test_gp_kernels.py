"""Spectral kernels: finite-difference gradients, sklearn kernel conventions, GaussianProcessRegressor, init."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, WhiteKernel

from sparsestat.gaussian_process.kernels import (
    GridSpectralMixtureProduct,
    SpectralMixture,
    StudentTMixture,
    empirical_spectrum,
)


def _kernels():
    return [
        SpectralMixture(weights=[1.0, 0.5], means=[[0.3, 0.1], [1.0, 0.4]], variances=[[0.1, 0.2], [0.05, 0.3]]),
        SpectralMixture(n_components=3),
        GridSpectralMixtureProduct.from_grid(2, 12, freq_range=(0, 1.0), scale=0.2),
        StudentTMixture([1.0, 0.5], [0.7, 2.0], [0.3, 1.2], base="matern52"),
        StudentTMixture([1.0, 0.5], [0.7, 2.0], [0.3, 1.2], base="matern32"),
        StudentTMixture([1.0, 0.5], [0.7, 2.0], [0.3, 1.2], base="matern12"),
        StudentTMixture([1.0, 0.5], [0.7, 2.0], [0.3, 1.2], base="se"),
    ]


def _X(kernel, rng):
    p = 2 if isinstance(kernel, GridSpectralMixtureProduct) or (
        isinstance(kernel, SpectralMixture) and kernel.means is not None) else 1
    return rng.uniform(0, 3, (9, p))


@pytest.mark.parametrize("kernel", _kernels(), ids=lambda k: type(k).__name__)
@pytest.mark.parametrize("compose", ["alone", "plus_white", "times_rbf"])
def test_gradient_matches_finite_differences(kernel, compose, rng):
    k = {"alone": kernel, "plus_white": kernel + WhiteKernel(0.1), "times_rbf": kernel * RBF(1.3)}[compose]
    X = _X(kernel, rng)
    K, G = k(X, eval_gradient=True)
    theta = k.theta
    assert G.shape == K.shape + (theta.size,)
    h = 1e-6
    F = np.empty_like(G)
    for i in range(theta.size):
        a, b = theta.copy(), theta.copy()
        a[i] += h
        b[i] -= h
        F[..., i] = (k.clone_with_theta(a)(X) - k.clone_with_theta(b)(X)) / (2 * h)
    scale = np.abs(G).max(axis=(0, 1), keepdims=True) + 1e-12
    np.testing.assert_allclose(G / scale, F / scale, atol=1e-6, rtol=0)


@pytest.mark.parametrize("kernel", _kernels(), ids=lambda k: type(k).__name__)
def test_kernel_conventions(kernel, rng):
    X = _X(kernel, rng)
    c = clone(kernel)
    assert c == kernel
    assert repr(c) == repr(kernel)
    # theta round trip
    c.theta = kernel.theta + 0.1
    np.testing.assert_allclose(c.theta, kernel.theta + 0.1)
    assert c.bounds.shape == (kernel.theta.size, 2)
    np.testing.assert_allclose(kernel.diag(X), np.diag(kernel(X)))
    assert kernel.is_stationary()
    # symmetric, PSD, and k(X, Y) consistent with k(X)
    K = kernel(X)
    np.testing.assert_allclose(K, K.T, atol=1e-12)
    assert np.linalg.eigvalsh(K).min() > -1e-8
    np.testing.assert_allclose(kernel(X, X), K)


def test_spectral_mixture_against_closed_form(rng):
    x = rng.uniform(0, 5, (6, 1))
    k = SpectralMixture(weights=[2.0], means=[[0.4]], variances=[[0.03]])
    tau = x - x.T
    expected = 2.0 * np.exp(-2 * np.pi**2 * tau**2 * 0.03) * np.cos(2 * np.pi * tau * 0.4)
    np.testing.assert_allclose(k(x), expected, rtol=1e-12)
    st = StudentTMixture([1.5], [0.8], [0.25], base="matern52")
    r = np.abs(tau) / 0.8
    m52 = (1 + np.sqrt(5) * r + 5 * r**2 / 3) * np.exp(-np.sqrt(5) * r)
    np.testing.assert_allclose(st(x), 1.5 * m52 * np.cos(2 * np.pi * 0.25 * tau), rtol=1e-12)


def test_in_gaussian_process_regressor_and_data_init(rng):
    x = np.linspace(0, 20, 100)[:, None]
    y = np.cos(2 * np.pi * 0.3 * x[:, 0]) + 0.5 * np.cos(2 * np.pi * 1.1 * x[:, 0]) + 0.05 * rng.standard_normal(100)
    k0 = SpectralMixture.from_data(x[:75], y[:75], n_components=3)
    for f in (0.3, 1.1):
        assert np.min(np.abs(k0.means[:, 0] - f)) < 1 / 15  # the spectral resolution 1 / span
    gp = GaussianProcessRegressor(k0 + WhiteKernel(0.01), normalize_y=True).fit(x[:75], y[:75])
    err = np.mean((gp.predict(x[75:]) - y[75:]) ** 2)
    rbf = GaussianProcessRegressor(RBF() + WhiteKernel(), normalize_y=True).fit(x[:75], y[:75])
    assert err < 0.1 * np.mean((rbf.predict(x[75:]) - y[75:]) ** 2)
    assert gp.log_marginal_likelihood_value_ >= rbf.log_marginal_likelihood_value_


def test_constant_feature_and_spectrum():
    X = np.column_stack([np.arange(50.0), np.ones(50)])
    k = SpectralMixture.from_data(X, np.sin(0.5 * X[:, 0]), n_components=3)
    assert np.all(np.isfinite(k.theta))
    assert np.all(k.means[:, 1] <= 1e-5)
    f, p, nyq, span = empirical_spectrum(np.arange(64.0), np.cos(2 * np.pi * 0.125 * np.arange(64.0)))
    assert nyq == 0.5 and span == 63
    assert abs(f[np.argmax(p)] - 0.125) < 0.005


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_components"):
        _ = SpectralMixture(n_components=0).theta
    with pytest.raises(ValueError, match="means_bounds"):
        _ = SpectralMixture(means_bounds=(0.0, 1.0)).hyperparameter_means
    with pytest.raises(ValueError, match="same length"):
        StudentTMixture([1.0], [1.0, 2.0], [0.1])(np.zeros((2, 1)))
    with pytest.raises(ValueError, match="base"):
        StudentTMixture([1.0], [1.0], [0.1], base="cauchy")(np.zeros((2, 1)))
    with pytest.raises(ValueError, match="features"):
        SpectralMixture(n_components=2)(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="sampling"):
        GridSpectralMixtureProduct.from_grid(1, 5, sampling="sobol")
