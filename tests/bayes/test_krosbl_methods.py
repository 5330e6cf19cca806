"""KroneckerSBL: M-step properties, agreement with classic SBL, the paper's claims on its own setting, errors."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparsestat.bayes import KroneckerOperator, KroneckerSBL, SparseBayesianLearning, kron_vectors, kronecker_sbl
from sparsestat.bayes._krosbl import _am_mstep, _svd_mstep
from sparsestat.datasets import make_kronecker_sparse


def _nmse(a, b):
    return np.sum(np.abs(a - b) ** 2) / np.sum(np.abs(b) ** 2)


def test_m_steps_recover_rank_one_targets():
    """When Λ is itself a Kronecker product, SVD and AM return it exactly (the block minimisers are exact)."""
    rng = np.random.default_rng(0)
    gs = [rng.uniform(0.1, 2, n) for n in (4, 5, 6)]
    Lam = kron_vectors(gs).reshape(4, 5, 6)
    svd = _svd_mstep(Lam)
    np.testing.assert_allclose(kron_vectors(svd), Lam.ravel(), rtol=1e-10)
    ones = [np.ones(n) for n in (4, 5, 6)]
    am, _, _ = _am_mstep(Lam, ones, ones, {}, [np.arange(n) for n in (4, 5, 6)], max_inner=200, inner_tol=1e-12,
                         fix_scale=True)
    np.testing.assert_allclose(kron_vectors(am), Lam.ravel(), rtol=1e-8)
    np.testing.assert_allclose(np.linalg.norm(am[0]), 1.0)  # scale fix


def test_am_block_update_is_exact_minimiser():
    rng = np.random.default_rng(1)
    Lam = rng.uniform(0.1, 3, (4, 5, 3))
    gs = [rng.uniform(0.5, 2, n) for n in (4, 5, 3)]

    def cost(g):
        full = kron_vectors(g).reshape(Lam.shape)
        return np.sum(np.log(full) + Lam / full)

    new, _, _ = _am_mstep(Lam, gs, gs, {}, [np.arange(n) for n in Lam.shape], max_inner=1, inner_tol=0,
                          fix_scale=False)
    assert cost(new) <= cost(gs)
    for scale in (0.999, 1.001):  # the last-updated block is at its minimiser
        pert = [g.copy() for g in new]
        pert[2] = pert[2] * scale
        assert cost(pert) >= cost(new)


@pytest.mark.parametrize("method", ["svd", "am", "single_pass"])
def test_single_factor_reduces_to_classic_em(method):
    rng = np.random.default_rng(2)
    A = rng.standard_normal((30, 50))
    x = np.zeros(50)
    x[[3, 20, 41]] = [1.0, -2.0, 1.5]
    y = A @ x + 0.05 * rng.standard_normal(30)
    kro = KroneckerSBL(method=method, noise_variance=0.0025, prune_rel=1e-3, tol=1e-6, max_iter=500).fit([A], y)
    em = SparseBayesianLearning(solver="em", noise_variance=0.0025, prune_rel=1e-3, tol=1e-6, max_iter=500,
                                fit_intercept=False).fit(A, y)
    np.testing.assert_allclose(kro.coef_, em.coef_, atol=1e-6)


@pytest.mark.parametrize("method", ["svd", "am"])
def test_kronecker_design_agrees_with_classic_sbl_small(method):
    """On a small Kronecker problem KroSBL is at least as accurate as classic SBL on the full dictionary."""
    errs = {"kro": [], "classic": []}
    for seed in range(3):
        F, y, x, s2 = make_kronecker_sparse(((5, 8), (6, 8)), 2, snr_db=20, random_state=seed)
        kro = KroneckerSBL(method=method, noise_variance=s2).fit(F, y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            cl = KroneckerSBL(method="classic", noise_variance=s2).fit(F, y)
        errs["kro"].append(_nmse(kro.coef_, x))
        errs["classic"].append(_nmse(cl.coef_, x))
    assert np.mean(errs["kro"]) <= 1.1 * np.mean(errs["classic"]) + 1e-3


def test_paper_setting_one_trial():
    """He & Joseph's setting (15-column factors, M = 8 x 12 x 15, K = 3, 25 dB): SVD and AM recover x."""
    F, y, x, s2 = make_kronecker_sparse(random_state=0)
    svd = KroneckerSBL(method="svd", noise_variance=s2).fit(F, y)
    am = KroneckerSBL(method="am", noise_variance=s2).fit(F, y)
    assert _nmse(svd.coef_, x) < 1e-3 and _nmse(am.coef_, x) < 1e-3
    truth = np.flatnonzero(x)
    assert set(truth) <= set(svd.active_)
    np.testing.assert_array_equal(np.flatnonzero(svd.support_), svd.active_)
    assert svd.coef_.shape == (3375,) and len(svd.gammas_) == 3
    np.testing.assert_allclose(svd.predict(F), KroneckerOperator(F).todense() @ svd.coef_, atol=1e-10)
    np.testing.assert_allclose(svd.gamma_, kron_vectors(svd.gammas_))


@pytest.mark.parametrize("method", ["svd", "am"])
def test_complex_and_learned_noise(method):
    F, y, x, s2 = make_kronecker_sparse(complex_data=True, random_state=1)
    est = KroneckerSBL(method=method).fit(F, y)
    assert np.iscomplexobj(est.coef_)
    assert _nmse(est.coef_, x) < 1e-3
    assert 0.7 < est.noise_variance_ / s2 < 1.3


def test_pattern_coupling_block_sparse():
    F, y, x, s2 = make_kronecker_sparse(n_nonzero=4, snr_db=15, block=True, random_state=0)
    pc = KroneckerSBL(method="am", noise_variance=s2, block_sparse={0: 0.5, 2: 0.5}).fit(F, y)
    assert _nmse(pc.coef_, x) < 0.05
    # alpha = 0 is AM up to the 1e-5 variance floor
    pc0 = KroneckerSBL(method="am", noise_variance=s2, block_sparse=0.0).fit(F, y)
    am = KroneckerSBL(method="am", noise_variance=s2).fit(F, y)
    assert abs(_nmse(pc0.coef_, x) - _nmse(am.coef_, x)) < 0.01


def test_functional_form_and_operator_input():
    F, y, x, s2 = make_kronecker_sparse(random_state=3)
    xh, support, gammas, noise = kronecker_sbl(F, y, noise_variance=s2)
    est = KroneckerSBL(noise_variance=s2).fit(KroneckerOperator(F), y)
    np.testing.assert_allclose(xh, est.coef_)
    np.testing.assert_array_equal(support, est.support_)
    assert support.dtype == bool and support.shape == (3375,)
    assert noise == s2 and [g.shape for g in gammas] == [(15,), (15,), (15,)]


def test_dictionaries_api_fit_transform_predict():
    """KroneckerSBL(dictionaries=[A1, A2, A3]).fit(y): same result as fit(factors, y); transform gives (x, support)."""
    F, y, x, s2 = make_kronecker_sparse(random_state=4)
    ref = KroneckerSBL(method="am", noise_variance=s2).fit(F, y)
    for args, kwargs in (((y,), {}), ((), {"y": y}), ((None, y), {})):  # fit(y), fit(y=y), fit(None, y)
        est = KroneckerSBL(dictionaries=F, method="am", noise_variance=s2).fit(*args, **kwargs)
        np.testing.assert_allclose(est.coef_, ref.coef_)
    xh, supp = est.transform()
    np.testing.assert_allclose(xh, ref.coef_)
    np.testing.assert_array_equal(supp, ref.support_)
    assert set(np.flatnonzero(x)) <= set(np.flatnonzero(supp))
    # transform on new measurements recovers them without refitting self
    F2, y2, x2, _ = make_kronecker_sparse(random_state=5)
    y2 = KroneckerOperator(F) @ x2 + np.sqrt(s2) * np.random.default_rng(0).standard_normal(y.size)
    x2h, supp2 = est.transform(y2)
    assert _nmse(x2h, x2) < 1e-2 and set(np.flatnonzero(x2)) <= set(np.flatnonzero(supp2))
    np.testing.assert_allclose(est.coef_, ref.coef_)  # unchanged
    X2, S2 = est.transform(np.stack([y, y2]))
    assert X2.shape == (2, 3375) and S2.shape == (2, 3375)
    np.testing.assert_allclose(X2[1], x2h)
    np.testing.assert_allclose(est.predict(), KroneckerOperator(F) @ est.coef_, atol=1e-10)
    # transform only exists with dictionaries (the sklearn-check path has none)
    assert not hasattr(KroneckerSBL(), "transform")
    with pytest.raises(ValueError, match="given twice"):
        KroneckerSBL(dictionaries=F).fit(F, y)
    with pytest.raises(ValueError, match="X is required"):
        ref.predict()


def test_float32_kept():
    F, y, x, s2 = make_kronecker_sparse(random_state=0)
    est = KroneckerSBL(noise_variance=s2).fit([A.astype(np.float32) for A in F], y.astype(np.float32))
    assert est.coef_.dtype == np.float32


def test_errors():
    F, y, x, s2 = make_kronecker_sparse(random_state=0)
    with pytest.raises(ValueError, match="do not match len"):
        KroneckerSBL().fit(F, y[:-1])
    with pytest.raises(ValueError, match="do not match len"):
        KroneckerSBL(dictionaries=[F[0], F[1][:-1], F[2]]).fit(y)
    F0 = [A.copy() for A in F]
    F0[1][:, 4] = 0
    with pytest.raises(ValueError, match="all-zero columns \\[4\\]"):
        KroneckerSBL().fit(F0, y)
    with pytest.raises(ValueError, match="block_sparse needs method"):
        KroneckerSBL(method="svd", block_sparse=0.5).fit(F, y)
    with pytest.raises(ValueError, match="factor indices"):
        KroneckerSBL(method="am", block_sparse={5: 0.5}).fit(F, y)
    with pytest.raises(ValueError, match="2-D"):
        KroneckerSBL().fit([F[0], np.ones((3, 4, 2))], y)
    import scipy.sparse as sp

    with pytest.raises(TypeError, match="factor 1 .*scipy.sparse.*toarray"):
        KroneckerSBL(dictionaries=[F[0], sp.csr_matrix(F[1]), F[2]]).fit(y)
    with pytest.raises(TypeError, match="factor 0 .*numeric"):
        KroneckerSBL(dictionaries=[F[0].astype(str), F[1], F[2]]).fit(y)
    est = KroneckerSBL(noise_variance=s2).fit(F, y)
    with pytest.raises(ValueError, match="prod\\(N_i\\)"):
        est.predict([F[0], F[1]])
    with pytest.warns(ConvergenceWarning, match="relative change of gamma"):
        KroneckerSBL(max_iter=2).fit(F, y)


@pytest.mark.parametrize("method, block_sparse, complex_data", [
    ("svd", False, False), ("am", False, False), ("single_pass", False, False), ("classic", False, False),
    ("am", {0: 0.5}, False), ("svd", False, True)])
def test_array_api_strict_matches_numpy(method, block_sparse, complex_data):
    """Every KroSBL variant runs its dense algebra in the input's namespace (array_api_strict on CPU)."""
    xp = pytest.importorskip("array_api_strict")
    F, y, x, s2 = make_kronecker_sparse(((6, 10), (7, 10)), 2, complex_data=complex_data, random_state=0)
    kw = dict(method=method, block_sparse=block_sparse, noise_variance=s2)
    ref = KroneckerSBL(**kw).fit(F, y)
    est = KroneckerSBL(**kw).fit([xp.asarray(A) for A in F], xp.asarray(y))
    assert type(est.coef_).__module__.startswith("array_api_strict")
    np.testing.assert_allclose(np.asarray(est.coef_), ref.coef_, atol=1e-10)
    pred = est.predict([xp.asarray(A) for A in F])
    assert type(pred).__module__.startswith("array_api_strict")
    np.testing.assert_allclose(np.asarray(pred), ref.predict(F), atol=1e-10)
    if method == "svd":  # the dictionaries API on array_api_strict
        est2 = KroneckerSBL([xp.asarray(A) for A in F], **kw).fit(xp.asarray(y))
        xh, supp = est2.transform()
        assert type(xh).__module__.startswith("array_api_strict")
        np.testing.assert_allclose(np.asarray(xh), ref.coef_, atol=1e-10)


@pytest.mark.gpu
def test_cupy_krosbl():
    cp = pytest.importorskip("cupy")
    F, y, x, s2 = make_kronecker_sparse(random_state=0)
    ref = KroneckerSBL(noise_variance=s2).fit(F, y)
    est = KroneckerSBL(noise_variance=s2).fit([cp.asarray(A) for A in F], cp.asarray(y))
    assert isinstance(est.coef_, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(est.coef_), ref.coef_, atol=1e-8)
