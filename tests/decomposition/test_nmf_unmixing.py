"""SS-NMF, correntropy NMF, semi-NMF: monotone objectives, paper claims on synthetic scenes."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.decomposition import NMF as SkNMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score

from sparsestat.datasets import make_hyperspectral, make_ratings
from sparsestat.decomposition import (
    NMF,
    CorrentropyNMF,
    SemiNMF,
    StructuredSparseNMF,
    abundance_rmse,
    spectral_angle_distance,
    vca,
)
from sparsestat.decomposition import _nmf_core as core


@pytest.fixture(scope="module")
def scene():
    return make_hyperspectral(24, 24, 60, 4, snr=20, n_corrupted_bands=6, corrupted_snr=0, random_state=1)


def _sad(est, E):
    return spectral_angle_distance(E, est.components_)


def test_ssnmf_objective_monotone_and_matches_core(scene):
    X = scene[0]
    est = StructuredSparseNMF(4, lambda_graph=0.5, alpha_l1=0.2, sum_to_one=5.0, max_iter=60, tol=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        W = est.fit_transform(X)
    hist = np.array(est.loss_curve_)
    assert np.all(np.diff(hist) <= 1e-9 * hist[:-1])
    L = est.graph_laplacian_
    H = est.components_
    obj = (0.5 * np.sum((X - W @ H) ** 2) + 0.25 * np.sum(W * (L @ W)) + 0.2 * W.sum()
           + 0.5 * 25.0 * np.sum((1 - W.sum(1)) ** 2))
    np.testing.assert_allclose(hist[-1], obj, rtol=1e-8)
    assert np.allclose(L.sum(axis=1), 0) and (L - L.T).nnz == 0


@pytest.mark.parametrize("solver", ["hals", "mu"])
def test_ssnmf_mu_and_hals_decrease_same_objective(scene, solver):
    X = scene[0]
    est = StructuredSparseNMF(4, solver=solver, max_iter=40, tol=0, random_state=0, graph="spatial",
                              spatial_shape=(24, 24))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X)
    assert np.all(np.diff(est.loss_curve_) <= 1e-9 * np.abs(est.loss_curve_[:-1]))


def test_unmixing_claims_at_20db_with_corrupted_bands(scene):
    """SS-NMF and CorrentropyNMF beat plain NMF on SAD; correntropy weights flag the corrupted bands."""
    X, E, A, bad = scene
    nmf = NMF(4, max_iter=1000, tol=1e-5, random_state=0).fit(X)
    ss = StructuredSparseNMF(4, max_iter=300, random_state=0)
    ce = CorrentropyNMF(4, max_iter=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ss.fit(X)
        ce.fit(X)
    s_nmf, s_ss, s_ce = _sad(nmf, E), _sad(ss, E), _sad(ce, E)
    assert s_ss < s_nmf and s_ce < s_nmf, (s_nmf, s_ss, s_ce)
    assert roc_auc_score(bad, -ce.band_weights_) >= 0.95
    _, perm = spectral_angle_distance(E, ce.components_, return_permutation=True)
    assert abundance_rmse(A, ce.abundances_, permutation=perm, E_true=E, E_est=ce.components_) < 0.2


def test_correntropy_fixed_sigma_monotone(scene):
    X = scene[0]
    est = CorrentropyNMF(4, sigma=2.0, alpha_sparse=0.05, sum_to_one=3.0, max_iter=40, tol=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X)
    hist = np.array(est.loss_curve_)
    assert np.all(np.diff(hist) >= -1e-9 * np.abs(hist[:-1]))  # maximised


def test_precomputed_graph_equals_knn(scene):
    X = scene[0]
    a = StructuredSparseNMF(4, max_iter=20, tol=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a.fit(X)
        S = sp.diags(a.graph_laplacian_.diagonal()) - a.graph_laplacian_
        b = StructuredSparseNMF(4, graph="precomputed", max_iter=20, tol=0, random_state=0).fit(X, affinity=S)
    np.testing.assert_allclose(a.components_, b.components_, rtol=1e-10)


def test_vca_finds_pure_pixels():
    rng = np.random.default_rng(0)
    E = rng.random((4, 30))
    A = rng.dirichlet(np.full(4, 0.5), size=200)
    X = np.vstack([A @ E, E])
    _, idx = vca(X, 4, random_state=0)
    assert sorted(idx) == [200, 201, 202, 203]


def test_make_generators_shapes_and_mnar():
    X, V, W, H = make_ratings(100, 80, 4, density=0.15, missing="mnar", random_state=0)
    obs = ~np.isnan(X)
    assert obs.any(axis=0).all() and obs.any(axis=1).all()
    assert 0.08 < obs.mean() < 0.25
    assert np.nanmean(X) > V.mean()  # high ratings are observed more often (MNAR)
    assert set(np.unique(V)) <= {1, 2, 3, 4, 5}
    Xh, E, A, bad = make_hyperspectral(8, 8, 20, 3, snr=np.inf, random_state=0)
    np.testing.assert_allclose(Xh, A @ E)
    np.testing.assert_allclose(A.sum(1), 1)


def _semi_data(rng, n=300, d=40, k=4, s=0.25):
    F = np.zeros((d, k))
    for r in range(k):
        idx = rng.choice(d, int(s * d), replace=False)
        F[idx, r] = rng.standard_normal(len(idx)) + np.sign(rng.standard_normal(len(idx)))
    G = rng.random((n, k)) * (rng.random((n, k)) < 0.5)
    return G @ F.T + 0.01 * rng.standard_normal((n, d)), F, G


def test_seminmf_monotone_and_recovers_signed_features(rng):
    X, F, G = _semi_data(rng)
    est = SemiNMF(4, max_iter=300, tol=0, patience=1000, random_state=0).fit(X)
    hist = np.array(est.loss_curve_)
    assert np.all(np.diff(hist) <= 1e-8 * hist[:-1])
    assert est.reconstruction_err_ < 0.05 * np.linalg.norm(X)
    assert (est.components_ < 0).any() and (est.codes_ >= 0).all()
    from scipy.optimize import linear_sum_assignment

    def recovery(C):
        Cn = C / np.linalg.norm(C, axis=1, keepdims=True)
        Fn = (F / np.linalg.norm(F, axis=0)).T
        sim = np.abs(Fn @ Cn.T)
        r, c = linear_sum_assignment(-sim)
        return sim[r, c].mean()

    # NMF on shifted data cannot represent signed features; semi-NMF with the top-k step recovers them
    nmf = SkNMF(4, random_state=0, max_iter=1000).fit(X - X.min())
    assert recovery(nmf.components_) < 0.6 < recovery(est.components_)
    sparse = SemiNMF(4, component_sparsity=0.25, init="random", random_state=0).fit(X)
    assert recovery(sparse.components_) > 0.95


def test_seminmf_top_k_sparsity(rng):
    X, F, _ = _semi_data(rng)
    est = SemiNMF(4, component_sparsity=0.25, max_iter=200, random_state=0).fit(X)
    assert np.all(np.count_nonzero(est.components_, axis=1) <= 10)
    np.testing.assert_allclose(est.transform(X), est.codes_, atol=1e-6)


def test_transform_exact_nnls_against_core(scene):
    X = scene[0]
    est = StructuredSparseNMF(4, max_iter=30, tol=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X)
    W = est.transform(X[:20])
    data = core.make_data(X[:20])
    pen = core.Penalty(l1_W=est.alpha_l1)
    base = core.objective(data, W, np.ascontiguousarray(est.components_.T), pen)
    rng = np.random.default_rng(0)
    for _ in range(5):  # no non-negative perturbation improves the transform objective
        Wp = np.maximum(W + 1e-3 * rng.standard_normal(W.shape), 0)
        assert core.objective(data, Wp, np.ascontiguousarray(est.components_.T), pen) >= base - 1e-9
