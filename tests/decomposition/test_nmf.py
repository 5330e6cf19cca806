"""Masked / weighted NMF: oracle comparisons (scikit-learn, brute force), monotonicity, errors."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import nnls
from sklearn.decomposition import NMF as SkNMF
from sklearn.decomposition._nmf import _initialize_nmf
from sklearn.exceptions import ConvergenceWarning

from sparsestat.decomposition import NMF, non_negative_factorization
from sparsestat.decomposition import _nmf_core as core
from sparsestat.decomposition._nmf_utils import nndsvd_init


def _lowrank(rng, n=40, m=30, k=4, noise=0.0):
    X = rng.gamma(2.0, size=(n, k)) @ rng.gamma(2.0, size=(k, m))
    return np.abs(X + noise * X.std() * rng.standard_normal(X.shape))


def test_nndsvd_matches_sklearn(rng):
    X = _lowrank(rng)
    for variant in ("nndsvd", "nndsvda", "nndsvdar"):
        W, H = nndsvd_init(X, 4, variant, random_state=0)
        W2, H2 = _initialize_nmf(X, 4, variant, random_state=0)
        np.testing.assert_allclose(W, W2)
        np.testing.assert_allclose(H, H2)


def test_single_sweep_hals_equals_sklearn_cd(rng):
    """With one inner sweep our HALS is scikit-learn's cd: same iterates from the same init."""
    X = _lowrank(rng, noise=0.05)
    W0, H0 = _initialize_nmf(X, 4, "nndsvda", random_state=0)
    sk = SkNMF(4, solver="cd", init="custom", tol=0, max_iter=15)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        Wsk = sk.fit_transform(X, W=W0.copy(), H=H0.copy())
    data = core.make_data(X)
    W, Ht = W0.copy(), np.ascontiguousarray(H0.T)
    core.solve(data, W, Ht, core.Penalty(), max_iter=15, tol=0, n_inner=1)
    np.testing.assert_allclose(W, Wsk, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(Ht.T, sk.components_, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("solver", ["hals", "mu"])
def test_reaches_sklearn_error_complete_data(rng, solver):
    X = _lowrank(rng, n=60, m=40, k=5, noise=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if solver == "hals":
            sk = SkNMF(5, solver="cd", random_state=0, tol=1e-8, max_iter=2000).fit(X)
            ours = NMF(5, solver=solver, random_state=0, tol=1e-9, max_iter=3000).fit(X)
        else:  # same number of multiplicative updates
            sk = SkNMF(5, solver="mu", random_state=0, tol=0, max_iter=300).fit(X)
            ours = NMF(5, solver=solver, random_state=0, tol=0, max_iter=300).fit(X)
    assert ours.reconstruction_err_ <= sk.reconstruction_err_ * 1.02
    np.testing.assert_allclose(ours.reconstruction_err_, np.linalg.norm(X - ours.W_ @ ours.components_))


@pytest.mark.parametrize("layout", ["gram", "dense", "sparse"])
@pytest.mark.parametrize("solver", ["hals", "mu"])
def test_objective_monotone(rng, layout, solver):
    X = _lowrank(rng, noise=0.1)
    M = None if layout == "gram" else (rng.random(X.shape) < 0.6).astype(float)
    data = core.make_data(X, M, layout=None if layout == "gram" else layout)
    assert data.layout == layout
    S = sp.random(40, 40, density=0.1, random_state=0)
    S = S + S.T
    pen = core.Penalty(l1_W=0.3, l2_W=0.2, l1_H=0.1, l2_H=0.4, lam=0.5, S=S)
    W0, H0 = _initialize_nmf(X, 4, "random", random_state=0)
    W, Ht = W0.copy(), np.ascontiguousarray(H0.T)
    _, _, _, hist = core.solve(data, W, Ht, pen, solver=solver, max_iter=60, tol=0, record=True)
    hist = np.array(hist)
    assert np.all(np.diff(hist) <= 1e-9 * np.abs(hist[:-1])), np.diff(hist).max()
    # the recorded objective is the true one
    np.testing.assert_allclose(hist[-1], core.objective(data, W, Ht, pen), rtol=1e-9)


def test_sum_to_one_objective_monotone(rng):
    X = _lowrank(rng, noise=0.1)
    data = core.make_data(X)
    pen = core.Penalty(l1_W=0.1, delta=3.0)
    W0, H0 = _initialize_nmf(X, 4, "random", random_state=1)
    W, Ht = W0.copy(), np.ascontiguousarray(H0.T)
    _, _, _, hist = core.solve(data, W, Ht, pen, max_iter=50, tol=0, record=True)
    assert np.all(np.diff(hist) <= 1e-9 * np.abs(np.array(hist[:-1])))
    np.testing.assert_allclose(hist[-1], core.objective(data, W, Ht, pen), rtol=1e-9)


@pytest.mark.parametrize("how", ["nan", "mask", "sparse"])
def test_masked_nmf_recovers_missing_cells(rng, how):
    X = _lowrank(rng, n=50, m=40, k=3)
    obs = rng.random(X.shape) < 0.5
    if how == "nan":
        Xin, kw = np.where(obs, X, np.nan), {}
    elif how == "mask":
        Xin, kw = X.copy(), {"mask": obs}
    else:
        Xin, kw = sp.csr_matrix(np.where(obs, X, 0.0)), {}
    est = NMF(3, tol=1e-10, max_iter=3000, random_state=0, implicit_zeros="missing")
    est.fit(Xin, **kw)
    pred = est.W_ @ est.components_
    rel = np.linalg.norm((pred - X)[~obs]) / np.linalg.norm(X[~obs])
    assert rel < 1e-2
    # zero filling (scikit-learn on the zero-filled matrix) is far worse
    zf = SkNMF(3, random_state=0, max_iter=1000).fit(np.where(obs, X, 0.0))
    pred_zf = zf.transform(np.where(obs, X, 0.0)) @ zf.components_
    assert np.linalg.norm((pred_zf - X)[~obs]) / np.linalg.norm(X[~obs]) > 10 * rel
    np.testing.assert_allclose(est.predict_cells(*np.nonzero(~obs)), pred[~obs])


def test_masked_layouts_agree(rng):
    X = _lowrank(rng, noise=0.1)
    M = (rng.random(X.shape) < 0.7).astype(float)
    W0, H0 = _initialize_nmf(X, 4, "random", random_state=0)
    res = []
    for layout in ("dense", "sparse"):
        data = core.make_data(X, M, layout=layout)
        W, Ht = W0.copy(), np.ascontiguousarray(H0.T)
        core.solve(data, W, Ht, core.Penalty(l1_W=0.1), max_iter=20, tol=0)
        res.append((W, Ht))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-9, atol=1e-12)


def test_transform_is_masked_nnls(rng):
    X = _lowrank(rng, noise=0.1)
    est = NMF(4, random_state=0, max_iter=500, tol=1e-8).fit(X)
    Xn = _lowrank(np.random.default_rng(5), n=5, noise=0.1)[:, :30]
    Xn[0, :10] = np.nan
    W = est.transform(Xn)
    H = est.components_
    for i in range(5):
        obs = ~np.isnan(Xn[i])
        ref, _ = nnls(H[:, obs].T, Xn[i, obs])
        np.testing.assert_allclose(W[i], ref, rtol=1e-4, atol=1e-6)


def test_regularisation_matches_sklearn(rng):
    X = _lowrank(rng, noise=0.1)
    kw = dict(alpha_W=0.01, alpha_H=0.02, l1_ratio=0.5, tol=1e-10, max_iter=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = SkNMF(4, solver="cd", random_state=0, **kw)
        Wsk = sk.fit_transform(X)
        ours = NMF(4, random_state=0, **kw).fit(X)
    def obj(W, H):
        return (0.5 * np.sum((X - W @ H) ** 2) + 30 * 0.01 * 0.5 * W.sum() + 0.5 * 30 * 0.01 * 0.5 * np.sum(W**2)
                + 40 * 0.02 * 0.5 * H.sum() + 0.5 * 40 * 0.02 * 0.5 * np.sum(H**2))
    np.testing.assert_allclose(ours.loss_curve_[-1], obj(ours.W_, ours.components_), rtol=1e-8)
    assert ours.loss_curve_[-1] <= obj(Wsk, sk.components_) * (1 + 1e-3)


def test_float32_preserved(rng):
    X = _lowrank(rng).astype(np.float32)
    est = NMF(3, random_state=0, max_iter=50, tol=1e-3)
    W = est.fit_transform(X)
    assert W.dtype == np.float32 and est.components_.dtype == np.float32
    assert est.transform(X).dtype == np.float32


def test_errors(rng):
    X = _lowrank(rng)
    with pytest.raises(ValueError, match="negative"):
        NMF(2).fit(-X)
    Xn = X.copy()
    Xn[3] = np.nan
    with pytest.raises(ValueError, match="row"):
        NMF(2).fit(Xn)
    Xn = X.copy()
    Xn[:, 2] = np.nan
    with pytest.raises(ValueError, match="column"):
        NMF(2).fit(Xn)
    with pytest.raises(ValueError, match="n_components"):
        NMF(0).fit(X)
    with pytest.warns(UserWarning, match="exceeds"):
        NMF(35, max_iter=5, tol=0).fit(X)
    with pytest.raises(ValueError, match="mask"):
        NMF(2).fit(X, mask=np.ones((2, 2)))


def test_convergence_warning(rng):
    X = _lowrank(rng, noise=0.2)
    with pytest.warns(ConvergenceWarning, match="tol"):
        NMF(4, max_iter=2, tol=1e-12, random_state=0).fit(X)


def test_custom_init_and_functional(rng):
    X = _lowrank(rng)
    W0, H0 = _initialize_nmf(X, 3, "random", random_state=0)
    W, H, n_iter = non_negative_factorization(X, W0, H0, 3, init="custom", max_iter=30, tol=0)
    assert W.shape == (40, 3) and H.shape == (3, 30) and n_iter == 30


def test_array_api_strict_mu_matches_numpy(rng):
    xps = pytest.importorskip("array_api_strict")
    X = _lowrank(rng, noise=0.1)
    X[rng.random(X.shape) < 0.2] = np.nan
    ref = NMF(4, solver="mu", random_state=0, max_iter=40, tol=0).fit(X)
    est = NMF(4, solver="mu", random_state=0, max_iter=40, tol=0)
    W = est.fit_transform(xps.asarray(X))
    assert isinstance(W, type(xps.asarray([1.0])))
    np.testing.assert_allclose(np.asarray(W), ref.W_, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(est.components_), ref.components_, rtol=1e-6)
    np.testing.assert_allclose(est.reconstruction_err_, ref.reconstruction_err_, rtol=1e-8)
    Wt = est.transform(xps.asarray(X[:5]))
    np.testing.assert_allclose(np.asarray(Wt), ref.transform(X[:5]), rtol=1e-6)
    with pytest.raises(ValueError, match="solver='mu'"):
        NMF(4).fit(xps.asarray(X))


@pytest.mark.gpu
def test_cupy_mu_runs_on_device(rng):
    cp = pytest.importorskip("cupy")
    X = _lowrank(rng, noise=0.1)
    est = NMF(4, solver="mu", random_state=0, max_iter=40, tol=0)
    W = est.fit_transform(cp.asarray(X))
    assert isinstance(W, cp.ndarray) and isinstance(est.components_, cp.ndarray)
    ref = NMF(4, solver="mu", random_state=0, max_iter=40, tol=0).fit(X)
    np.testing.assert_allclose(W.get(), ref.W_, rtol=1e-6)
