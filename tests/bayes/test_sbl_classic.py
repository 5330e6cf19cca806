"""SparseBayesianLearning against closed forms, scikit-learn's ARDRegression and the paper's claims."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ARDRegression

from sparsestat.bayes import SparseBayesianLearning, sparse_bayesian_learning
from sparsestat.bayes._sbl import _e_step, _sbl_cost
from sparsestat.bayes._sbl_kernels import fast_sbl
from sparsestat.datasets import make_sparse_regression


def _problem(n=40, p=80, k=4, noise=0.05, seed=0, complex_data=False, n_targets=1):
    rng = np.random.default_rng(seed)
    if complex_data:
        X = (rng.standard_normal((n, p)) + 1j * rng.standard_normal((n, p))) / np.sqrt(2)
    else:
        X = rng.standard_normal((n, p))
    coef = np.zeros((p, n_targets), dtype=X.dtype)
    supp = rng.choice(p, k, replace=False)
    coef[supp] = rng.choice([-1, 1], (k, n_targets)) * rng.uniform(1, 2, (k, n_targets))
    if complex_data:
        coef[supp] = coef[supp] * np.exp(1j * rng.uniform(0, 2 * np.pi, (k, n_targets)))
    Y = X @ coef
    Y = Y + noise * (rng.standard_normal(Y.shape) if not complex_data else
                     (rng.standard_normal(Y.shape) + 1j * rng.standard_normal(Y.shape)) / np.sqrt(2))
    if n_targets == 1:
        return X, Y[:, 0], coef[:, 0], np.sort(supp)
    return X, Y, coef, np.sort(supp)


def _dense_posterior(X, Y, gamma, s2):
    Sigma = np.linalg.inv(X.conj().T @ X / s2 + np.diag(1 / gamma))
    return Sigma @ X.conj().T @ Y / s2, Sigma


@pytest.mark.parametrize("complex_data", [False, True])
@pytest.mark.parametrize("shape", [(30, 10), (10, 30)])  # N <= M form and M x M form
def test_e_step_matches_closed_form(complex_data, shape):
    rng = np.random.default_rng(1)
    n, p = shape
    X = rng.standard_normal((n, p)) + (1j * rng.standard_normal((n, p)) if complex_data else 0)
    Y = rng.standard_normal((n, 2)) + (1j * rng.standard_normal((n, 2)) if complex_data else 0)
    gamma = rng.uniform(0.1, 2, p)
    mu, diag = _e_step(np, X, Y, gamma, 0.3)
    mu_ref, Sig = _dense_posterior(X, Y, gamma, 0.3)
    np.testing.assert_allclose(mu, mu_ref, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(diag, np.real(np.diag(Sig)), rtol=1e-8)


def test_em_fixed_point():
    """At convergence gamma = |mu|^2 + diag(Sigma) (EM) with mu, Sigma from the dense posterior."""
    X, y, _, _ = _problem(n=30, p=12, k=3, noise=0.3)
    est = SparseBayesianLearning(solver="em", noise_variance=0.09, prune_rel=1e-6, tol=1e-9, max_iter=3000,
                                 fit_intercept=False).fit(X, y)
    a = est.active_
    mu, Sig = _dense_posterior(X[:, a], y, est.gamma_[a], 0.09)
    # EM creeps towards gamma_i = 0 for irrelevant features; the relevant ones are at the fixed point
    np.testing.assert_allclose(est.gamma_[a], np.abs(mu) ** 2 + np.diag(Sig), rtol=1e-6,
                               atol=1e-6 * est.gamma_.max())
    np.testing.assert_allclose(est.coef_[a], mu, rtol=1e-8, atol=1e-10)


def test_sequential_is_monotone_and_matches_em_objective():
    X, y, _, _ = _problem(n=30, p=60, k=3, noise=0.1, seed=3)
    Y = y[:, None].copy()
    costs = []
    for k in range(1, 25):
        act, alpha, *_ = fast_sbl(X, Y, 1 / 0.01, False, k, 1e-8, 5, 30, 0.0, 50)
        costs.append(_sbl_cost(np, X[:, act], Y, 1 / alpha[act], 0.01))
    assert np.all(np.diff(costs) <= 1e-8 * np.abs(costs[:-1]).max())  # each action lowers the SBL cost
    seq = SparseBayesianLearning(noise_variance=0.01, selection_penalty=None, tol=1e-8, max_iter=500,
                                 fit_intercept=False).fit(X, y)
    em = SparseBayesianLearning(solver="mackay", noise_variance=0.01, tol=1e-8, max_iter=3000, prune_rel=1e-8,
                                fit_intercept=False).fit(X, y)
    c_seq = _sbl_cost(np, X[:, seq.active_], Y, seq.gamma_[seq.active_], 0.01)
    c_em = _sbl_cost(np, X[:, em.active_], Y, em.gamma_[em.active_], 0.01)
    assert c_seq <= c_em + 1e-3 * abs(c_em)
    np.testing.assert_allclose(seq.coef_, em.coef_, atol=1e-3)


def test_agrees_with_ard_on_well_determined_problem():
    """M >= 2N, real data: same model as ARDRegression (up to its flat Gamma(1e-6, 1e-6) hyper-priors)."""
    X, y, _, _ = _problem(n=120, p=20, k=5, noise=0.2, seed=2)
    ard = ARDRegression(tol=1e-8, max_iter=1000).fit(X, y)
    seq = SparseBayesianLearning(selection_penalty=None, tol=1e-8, max_iter=1000).fit(X, y)
    em = SparseBayesianLearning(solver="mackay", tol=1e-9, max_iter=3000, prune_rel=1e-9).fit(X, y)
    big = np.abs(ard.coef_) > 0.05
    np.testing.assert_allclose(seq.coef_[big], ard.coef_[big], rtol=2e-2, atol=5e-3)
    np.testing.assert_allclose(em.coef_, ard.coef_, atol=2e-2)
    np.testing.assert_allclose(seq.noise_variance_, 1 / ard.alpha_, rtol=0.1)
    np.testing.assert_allclose(seq.intercept_, ard.intercept_, atol=2e-2)


def test_home_ground_target():
    """n=200, p=500, 10 non-zeros, SNR 5 (defaults): NMSE <= 0.01 with <= 15 non-zeros (issue 10's target)."""
    X, y, coef = make_sparse_regression(200, 500, 10, snr=5, random_state=0)
    est = SparseBayesianLearning().fit(X, y)
    nmse = np.sum((est.coef_ - coef) ** 2) / np.sum(coef**2)
    assert nmse <= 0.01
    assert est.support_.sum() <= 15
    assert set(np.flatnonzero(coef)) <= set(est.active_)
    assert 0.7 < est.noise_variance_ / np.var(y - X @ coef) < 1.3


def test_home_ground_accuracy_vs_ard():
    """Issue 10's home ground, n=200, p=500, 10 non-zeros, SNR 5: NMSE <= 0.01 with <= 15 non-zeros, better and
    sparser than ARDRegression (the same-run speed ratio is in benchmarks/bench_bayes.py)."""
    X, y, coef = make_sparse_regression(200, 500, 10, snr=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = SparseBayesianLearning().fit(X, y)
        ard = ARDRegression().fit(X, y)
    nmse = np.sum((est.coef_ - coef) ** 2) / np.sum(coef**2)
    nmse_ard = np.sum((ard.coef_ - coef) ** 2) / np.sum(coef**2)
    assert nmse <= 0.01 and est.support_.sum() <= 15
    assert nmse < nmse_ard and est.support_.sum() < np.sum(ard.coef_ != 0)


def test_plain_type2_ml_prefers_interpolation_when_p_gt_n():
    """Why the sequential default carries the BIC penalty: on the home-ground problem the plain SBL cost
    (learned noise) is lower at the dense, near-interpolating solution than at the sparse one."""
    X, y, coef = make_sparse_regression(200, 500, 10, snr=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = SparseBayesianLearning(selection_penalty=None).fit(X, y)
    bic = SparseBayesianLearning().fit(X, y)
    Xc, Y = X - X.mean(0), (y - y.mean())[:, None]

    def cost(est):
        return _sbl_cost(np, Xc[:, est.active_], Y, est.gamma_[est.active_], est.noise_variance_)

    assert plain.support_.sum() > 100 and plain.noise_variance_ < 0.1 * bic.noise_variance_
    assert cost(plain) < cost(bic)
    nmse = np.sum((plain.coef_ - coef) ** 2) / np.sum(coef**2)
    assert nmse > 0.1  # and it overfits


@pytest.mark.parametrize("solver", ["sequential", "em", "mackay"])
def test_complex_recovery(solver):
    X, y, coef, supp = _problem(n=40, p=80, k=4, noise=0.02, complex_data=True, seed=4)
    est = SparseBayesianLearning(solver=solver, fit_intercept=False, max_iter=1000).fit(X, y)
    assert np.iscomplexobj(est.coef_)
    assert np.linalg.norm(est.coef_ - coef) < 0.02 * np.linalg.norm(coef)
    big = np.flatnonzero(np.abs(est.coef_) > 0.05)
    np.testing.assert_array_equal(big, supp)


@pytest.mark.parametrize("solver", ["sequential", "em"])
def test_multiple_measurement_vectors(solver):
    X, Y, coef, supp = _problem(n=30, p=60, k=4, noise=0.05, n_targets=3, seed=5)
    est = SparseBayesianLearning(solver=solver, max_iter=1000).fit(X, Y)
    assert est.coef_.shape == (3, 60)
    assert est.predict(X).shape == (30, 3)
    np.testing.assert_array_equal(np.flatnonzero(np.abs(est.coef_).max(axis=0) > 0.05), supp)
    assert np.linalg.norm(est.coef_.T - coef) < 0.05 * np.linalg.norm(coef)


def test_predict_std_closed_form():
    X, y, _, _ = _problem(n=40, p=30, k=3, noise=0.1)
    est = SparseBayesianLearning(fit_intercept=False).fit(X, y)
    a = est.active_
    mu, Sig = _dense_posterior(X[:, a], y, est.gamma_[a], est.noise_variance_)
    mean, std = est.predict(X[:5], return_std=True)
    np.testing.assert_allclose(mean, X[:5, a] @ mu, rtol=1e-8, atol=1e-10)
    ref = np.sqrt(est.noise_variance_ + np.einsum("ij,jk,ik->i", X[:5, a], Sig, X[:5, a]))
    np.testing.assert_allclose(std, ref, rtol=1e-6)


def test_float32_kept(global_dtype):
    X, y, _, _ = _problem()
    est = SparseBayesianLearning().fit(X.astype(global_dtype), y.astype(global_dtype))
    assert est.coef_.dtype == global_dtype
    assert est.predict(X.astype(global_dtype)).dtype == global_dtype


def test_errors_and_warnings():
    X, y, _, _ = _problem()
    with pytest.raises(ValueError, match="noise_variance"):
        SparseBayesianLearning(noise_variance=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="selection_penalty"):
        SparseBayesianLearning(solver="em", selection_penalty="bic").fit(X, y)
    import scipy.sparse as sp

    # complex data reaching the real-only (scikit-learn validated, sparse) path: a TypeError naming X and the fix
    with pytest.raises(TypeError, match="X is a complex scipy.sparse matrix.*X.toarray"):
        SparseBayesianLearning().fit(sp.csr_matrix(X.astype(complex)), y)
    with pytest.raises(TypeError, match="X is a scipy.sparse matrix.*X.toarray"):
        SparseBayesianLearning().fit(sp.csr_matrix(X), y)
    with pytest.raises(ValueError, match="n_samples"):
        SparseBayesianLearning().fit(X.astype(complex), y[:-1].astype(complex))
    with pytest.warns(ConvergenceWarning, match="relative change of gamma"):
        SparseBayesianLearning(solver="em", max_iter=2).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="log alpha"):
        SparseBayesianLearning(max_iter=2).fit(X, y)


def test_learned_noise_is_monotone_em_update():
    """The sequential solver's noise step is the EM update: the SBL cost never goes up."""
    X, y, _, _ = _problem(n=40, p=80, k=4, noise=0.1, seed=7)
    Y = y[:, None].copy()
    costs = []
    for k in (5, 10, 15, 20, 30, 60):
        act, alpha, _, _, beta, *_ = fast_sbl(X, Y, 1.0, True, k, 1e-6, 5, 40, np.log(40), 50)
        costs.append(_sbl_cost(np, X[:, act], Y, 1 / alpha[act], 1 / beta) + np.log(40) * act.size)
    assert np.all(np.diff(costs) <= 1e-8 * np.abs(costs).max())


def test_constant_y_and_zero_columns():
    X, y, _, _ = _problem()
    est = SparseBayesianLearning().fit(X, np.full(X.shape[0], 3.0))  # sklearn issue 10128
    assert np.all(est.coef_ == 0) and est.intercept_ == pytest.approx(3.0)
    X2 = X.copy()
    X2[:, 7] = 1.0  # constant -> zero after centring
    for solver in ("sequential", "em"):
        est = SparseBayesianLearning(solver=solver).fit(X2, y)
        assert est.coef_[7] == 0 and est.gamma_[7] == 0


def test_functional_form():
    X, y, coef, supp = _problem(noise=0.01)
    c, gamma, s2 = sparse_bayesian_learning(X, y, noise_variance=1e-4)
    assert set(supp) <= set(np.flatnonzero(gamma))
    np.testing.assert_array_equal(np.flatnonzero(np.abs(c) > 0.05), supp)
    assert c.shape == (80,) and s2 > 0


@pytest.mark.parametrize("complex_data", [False, True])
@pytest.mark.parametrize("solver", ["em", "mackay", "sequential"])
def test_array_api_strict_matches_numpy(solver, complex_data):
    """EM/MacKay run their dense algebra in the input's namespace; sequential round-trips to the host."""
    xp = pytest.importorskip("array_api_strict")
    X, y, _, _ = _problem(n=30, p=20, k=3, noise=0.1, complex_data=complex_data)
    ref = SparseBayesianLearning(solver=solver).fit(X, y)
    est = SparseBayesianLearning(solver=solver).fit(xp.asarray(X), xp.asarray(y))
    assert type(est.coef_).__module__.startswith("array_api_strict")
    np.testing.assert_allclose(np.asarray(est.coef_), ref.coef_, rtol=1e-6, atol=1e-9)
    pred = est.predict(xp.asarray(X))
    np.testing.assert_allclose(np.asarray(pred), ref.predict(X), rtol=1e-6, atol=1e-9)


@pytest.mark.gpu
def test_cupy_em_path():
    cp = pytest.importorskip("cupy")
    X, y, _, _ = _problem(n=60, p=120, k=4, noise=0.05)
    ref = SparseBayesianLearning(solver="em").fit(X, y)
    est = SparseBayesianLearning(solver="em").fit(cp.asarray(X), cp.asarray(y))
    assert isinstance(est.coef_, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(est.coef_), ref.coef_, rtol=1e-5, atol=1e-8)


def test_compute_score_decreases_for_em():
    X, y, _, _ = _problem(n=40, p=30, k=3, noise=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = SparseBayesianLearning(solver="em", noise_variance=0.01, compute_score=True, max_iter=50,
                                     prune_rel=0.0).fit(X, y)
    s = np.array(est.scores_)
    assert len(s) == est.n_iter_ and np.all(np.diff(s) <= 1e-8 * np.abs(s).max())
