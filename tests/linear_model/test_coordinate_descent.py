"""Lasso engine against independent oracles: cvxpy, scikit-learn, brute force."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sklm
from sklearn.exceptions import ConvergenceWarning

from sparsestat.datasets import make_sparse_regression
from sparsestat.linear_model import (
    ElasticNet,
    ElasticNetCV,
    Lasso,
    LassoCV,
    SparseRegression,
    SparseRegressionCV,
    enet_path,
    lasso_path,
    sparse_path,
)
from sparsestat.penalties import CEL0, L0, MCP, SCAD, GroupL1, Lq

cp = pytest.importorskip("cvxpy")


def _problem(seed, n=40, p=25, sparse=False, k=4):
    X, y, coef = make_sparse_regression(n, p, k, rho=0.4, snr=3, random_state=seed)
    if sparse:
        rng = np.random.default_rng(seed)
        X = sp.csc_matrix(np.where(rng.random(X.shape) < 0.4, X, 0.0))
        y = X @ coef + 0.3 * rng.standard_normal(n)
    return X, y


def _objective(X, y, coef, b, alpha, l1_ratio, sw=None, pf=None):
    n = X.shape[0]
    sw = np.ones(n) if sw is None else sw * n / sw.sum()
    pf = np.ones(X.shape[1]) if pf is None else pf
    r = y - X @ coef - b
    return (0.5 * np.sum(sw * r**2) / n + alpha * l1_ratio * np.sum(pf * np.abs(coef))
            + 0.5 * alpha * (1 - l1_ratio) * coef @ coef)


def _cvxpy_enet(X, y, alpha, l1_ratio, fit_intercept, sw=None, positive=False, pf=None):
    Xd = X.toarray() if sp.issparse(X) else X
    n, p = Xd.shape
    sw = np.ones(n) if sw is None else sw * n / sw.sum()
    pf = np.ones(p) if pf is None else pf
    w = cp.Variable(p, nonneg=positive)
    b = cp.Variable()
    r = y - Xd @ w - (b if fit_intercept else 0)
    obj = (0.5 * cp.sum(cp.multiply(sw, cp.square(r))) / n + alpha * l1_ratio * cp.sum(cp.multiply(pf, cp.abs(w)))
           + 0.5 * alpha * (1 - l1_ratio) * cp.sum_squares(w))
    prob = cp.Problem(cp.Minimize(obj))
    prob.solve(solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12, max_iter=500)
    return prob.value


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_objective_matches_cvxpy(sparse, fit_intercept, weighted, positive, l1_ratio):
    seed = 3 * sparse + 2 * fit_intercept + weighted
    X, y = _problem(seed, sparse=sparse)
    rng = np.random.default_rng(seed)
    sw = rng.uniform(0.2, 3.0, X.shape[0]) if weighted else None
    alpha = 0.08
    est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, positive=positive,
                     tol=1e-14, max_iter=100000).fit(X, y, sample_weight=sw)
    ours = _objective(X, y, est.coef_, est.intercept_, alpha, l1_ratio, sw)
    ref = _cvxpy_enet(X, y, alpha, l1_ratio, fit_intercept, sw, positive)
    assert abs(ours - ref) <= 1e-8 * abs(ref)
    if positive:
        assert np.all(est.coef_ >= 0)


def test_penalty_factor_matches_cvxpy():
    X, y = _problem(7)
    pf = np.linspace(0, 2, X.shape[1])
    est = Lasso(alpha=0.1, penalty_factor=pf, tol=1e-14, max_iter=100000).fit(X, y)
    ours = _objective(X, y, est.coef_, est.intercept_, 0.1, 1.0, pf=pf)
    ref = _cvxpy_enet(X, y, 0.1, 1.0, True, pf=pf)
    assert abs(ours - ref) <= 1e-8 * abs(ref)
    assert est.coef_[0] != 0  # unpenalised feature


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_coefficients_match_sklearn(sparse, fit_intercept, dtype, l1_ratio):
    X, y = _problem(11, n=60, p=30, sparse=sparse)
    X = X.astype(dtype)
    y = y.astype(dtype)
    tol = 1e-12 if dtype == np.float64 else 1e-6
    kw = dict(alpha=0.05, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=tol, max_iter=100000)
    ours = ElasticNet(**kw).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = sklm.ElasticNet(**kw).fit(X, y)
    assert ours.coef_.dtype == dtype
    atol = 1e-6 if dtype == np.float64 else 1e-3
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=atol)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=atol)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), atol=10 * atol)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
def test_integer_weights_equal_repeated_rows(sparse):
    X, y = _problem(5, sparse=sparse)
    sw = np.random.default_rng(0).integers(0, 4, X.shape[0])
    Xr = sp.csc_matrix(X.toarray().repeat(sw, axis=0)) if sparse else X.repeat(sw, axis=0)
    yr = y.repeat(sw)
    a = Lasso(alpha=0.05, tol=1e-13, max_iter=100000).fit(X, y, sample_weight=sw)
    b = Lasso(alpha=0.05, tol=1e-13, max_iter=100000).fit(Xr, yr)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-8)
    np.testing.assert_allclose(a.intercept_, b.intercept_, atol=1e-8)
    # weights enter alpha_max and the grid
    ga = lasso_path(X, y, sample_weight=sw, alphas=5, fit_intercept=True)[0]
    gb = lasso_path(Xr, yr, alphas=5, fit_intercept=True)[0]
    gc = lasso_path(X, y, alphas=5, fit_intercept=True)[0]
    np.testing.assert_allclose(ga, gb, rtol=1e-12)
    assert not np.allclose(ga, gc)


def test_multi_output_equals_per_target():
    X, Y, _ = make_sparse_regression(50, 30, 4, n_targets=3, random_state=0)
    multi = Lasso(alpha=0.1, tol=1e-12).fit(X, Y)
    assert multi.coef_.shape == (3, 30) and multi.intercept_.shape == (3,)
    for t in range(3):
        single = Lasso(alpha=0.1, tol=1e-12).fit(X, Y[:, t])
        np.testing.assert_allclose(multi.coef_[t], single.coef_, atol=1e-10)
    assert multi.predict(X).shape == (50, 3)


def test_path_matches_sklearn():
    X, y = _problem(2, n=50, p=40)
    alphas, coefs, gaps, n_iters = lasso_path(X, y, alphas=20, tol=1e-12, max_iter=100000)
    ref_alphas, ref_coefs, _ = sklm.lasso_path(X, y, alphas=alphas, tol=1e-12, max_iter=100000)
    np.testing.assert_allclose(coefs, ref_coefs, atol=1e-7)
    assert coefs.shape == (40, 20) and np.all(coefs[:, 0] == 0)
    a2, c2, *_ = enet_path(X, y, l1_ratio=0.5, alphas=alphas, tol=1e-12, max_iter=100000)
    _, r2, _ = sklm.enet_path(X, y, l1_ratio=0.5, alphas=alphas, tol=1e-12, max_iter=100000)
    np.testing.assert_allclose(c2, r2, atol=1e-7)


def test_lasso_cv_matches_sklearn():
    X, y = _problem(4, n=80, p=30)
    ours = LassoCV(alphas=30, cv=4, tol=1e-10, max_iter=100000).fit(X, y)
    ref = sklm.LassoCV(alphas=30, cv=4, tol=1e-10, max_iter=100000).fit(X, y)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-5)
    assert ours.alpha_ == pytest.approx(ref.alpha_)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-6)
    assert ours.coef_path_.shape == (30, 30)
    enet = ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=10, cv=3, n_jobs=2).fit(X, y)
    assert enet.mse_path_.shape == (2, 10, 3) and enet.l1_ratio_ in (0.5, 1.0)


def test_convergence_warning_states_gap_and_tolerance():
    X, y, _ = make_sparse_regression(100, 200, 10, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"duality gap .* effective tolerance .*tol=0\.0001"):
        Lasso(alpha=0.01, max_iter=1).fit(X, y)


@pytest.mark.parametrize(
    "make, msg",
    [
        (lambda X, y: Lasso(alpha=-1).fit(X, y), "alpha"),
        (lambda X, y: ElasticNet(l1_ratio=1.5).fit(X, y), "l1_ratio"),
        (lambda X, y: Lasso().fit(X, y, sample_weight=-np.ones(len(y))), "sample_weight"),
        (lambda X, y: Lasso().fit(X, y[:-1]), "inconsistent numbers of samples"),
        (lambda X, y: Lasso().fit(np.where(X > 1, np.nan, X), y), "NaN"),
        (lambda X, y: Lasso().fit(np.where(X > 1, np.inf, X), y), "infinity"),
        (lambda X, y: Lasso().fit(X[:0], y[:0]), "0 sample"),
        (lambda X, y: Lasso(penalty_factor=np.ones(3)).fit(X, y), "penalty_factor"),
        (lambda X, y: SparseRegression(penalty="l1").fit(X, y), "penalty"),
        (lambda X, y: SparseRegression(MCP(alpha=-1.0)).fit(X, y), "alpha"),
        (lambda X, y: lasso_path(X, y, alphas=0), "alphas"),
    ],
)
def test_bad_input_raises_clear_error(make, msg):
    X, y = _problem(0)
    with pytest.raises((ValueError, TypeError), match=msg):
        make(X, y)


def test_warm_start_and_random_selection():
    X, y = _problem(9)
    est = Lasso(alpha=0.05, tol=1e-12, warm_start=True).fit(X, y)
    first = est.n_iter_
    est.fit(X, y)
    assert est.n_iter_ <= first
    rnd = Lasso(alpha=0.05, tol=1e-12, selection="random", random_state=0).fit(X, y)
    np.testing.assert_allclose(rnd.coef_, est.coef_, atol=1e-7)


def _coordinatewise_minimal(X, y, est, penalty_value, n_grid=4001):
    """A CD fixed point: each coordinate is a global minimiser of its 1-D problem."""
    Xc = X - X.mean(0)
    yc = y - y.mean()
    n = X.shape[0]
    w = est.coef_.copy()
    for j in range(X.shape[1]):
        r = yc - Xc @ w + Xc[:, j] * w[j]
        span = 3 * (abs(w[j]) + 1)
        grid = np.concatenate([np.linspace(-span, span, n_grid), [0.0, w[j]]])
        obj = 0.5 * ((r[:, None] - Xc[:, [j]] * grid) ** 2).sum(0) / n + penalty_value(grid)
        assert obj[-1] <= obj.min() + 1e-7 * max(1.0, abs(obj.min())), f"coordinate {j} not minimal"


@pytest.mark.parametrize("penalty", [MCP(alpha=0.1, gamma=3.0), SCAD(alpha=0.1, a=3.7), L0(alpha=0.02),
                                     Lq(alpha=0.05, q=0.5), Lq(alpha=0.05, q=2 / 3)],
                         ids=["mcp", "scad", "l0", "l_half", "l_two_thirds"])
def test_nonconvex_fixed_point_is_coordinatewise_optimal(penalty):
    X, y = _problem(1, n=60, p=20)
    est = SparseRegression(penalty, tol=1e-10, max_iter=10000).fit(X, y)
    _coordinatewise_minimal(X, y, est, _elementwise(penalty))


def _elementwise(penalty):
    from sparsestat._penalty_kernels import value_scalar

    code, params = penalty.numba_spec()
    return lambda g: np.array([value_scalar(code, v, *params) for v in g])


def test_cel0_uses_design_atom_norms():
    X, y = _problem(3, n=60, p=20)
    X = X * np.linspace(0.5, 2.0, 20)
    est = SparseRegression(CEL0(alpha=0.01), tol=1e-10, max_iter=10000).fit(X, y)
    norms = np.linalg.norm(X - X.mean(0), axis=0) / np.sqrt(X.shape[0])
    for j in range(20):
        pen = CEL0(alpha=0.01, atom_norms=norms[j])
        Xj = X[:, [j]]
        _coordinatewise_minimal(Xj, y - (X - X.mean(0)) @ est.coef_ + (Xj[:, 0] - Xj[:, 0].mean()) * est.coef_[j],
                                type("E", (), {"coef_": est.coef_[[j]]})(),
                                _elementwise(pen))


def test_mcp_recovers_support_where_lasso_overselects():
    X, y, coef = make_sparse_regression(200, 400, 6, rho=0.5, snr=20, random_state=0)
    mcp = SparseRegression(MCP(alpha=0.2, gamma=3.0)).fit(X, y)
    lasso = Lasso(alpha=0.2).fit(X, y)
    assert set(np.flatnonzero(mcp.coef_)) == set(np.flatnonzero(coef))
    assert np.count_nonzero(lasso.coef_) >= np.count_nonzero(mcp.coef_)
    assert np.linalg.norm(mcp.coef_ - coef) < np.linalg.norm(lasso.coef_ - coef)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
def test_group_lasso_matches_cvxpy(sparse):
    X, y = _problem(6, n=50, p=24, sparse=sparse)
    pen = GroupL1(alpha=0.1, groups=4)
    est = SparseRegression(pen, tol=1e-14, max_iter=200000).fit(X, y)
    Xd = X.toarray() if sparse else X
    w = cp.Variable(24)
    b = cp.Variable()
    obj = cp.sum_squares(y - Xd @ w - b) / (2 * 50) + 0.1 * sum(2.0 * cp.norm(w[4 * g:4 * g + 4]) for g in range(6))
    prob = cp.Problem(cp.Minimize(obj))
    prob.solve(solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
    r = y - Xd @ est.coef_ - est.intercept_
    ours = r @ r / 100 + pen.value(est.coef_)
    assert abs(ours - prob.value) <= 1e-8 * prob.value
    blocks = est.coef_.reshape(6, 4)
    assert np.all((np.abs(blocks).sum(1) == 0) | np.all(blocks != 0, axis=1))


def test_fista_matches_cd_and_array_api_strict():
    X, y = _problem(8, n=60, p=30)
    cd = ElasticNet(alpha=0.05, l1_ratio=0.7, tol=1e-12, max_iter=100000).fit(X, y)
    fi = ElasticNet(alpha=0.05, l1_ratio=0.7, tol=1e-12, max_iter=100000, solver="fista").fit(X, y)
    np.testing.assert_allclose(fi.coef_, cd.coef_, atol=1e-6)
    xps = pytest.importorskip("array_api_strict")
    fs = ElasticNet(alpha=0.05, l1_ratio=0.7, tol=1e-12, max_iter=100000, solver="fista").fit(
        xps.asarray(X), xps.asarray(y))
    assert type(fs.coef_).__module__.startswith("array_api_strict")
    np.testing.assert_allclose(np.asarray(fs.coef_), cd.coef_, atol=1e-6)
    pred = fs.predict(xps.asarray(X))
    np.testing.assert_allclose(np.asarray(pred), cd.predict(X), atol=1e-5)
    mcp = SparseRegression(MCP(alpha=0.1), solver="fista", tol=1e-8, max_iter=20000).fit(X, y)
    assert np.isfinite(mcp.stop_crit_)


def test_sparse_regression_cv_and_path():
    X, y, coef = make_sparse_regression(120, 40, 4, snr=10, random_state=1)
    cv = SparseRegressionCV(MCP(gamma=3.0), alphas=15, cv=3).fit(X, y)
    assert cv.mse_path_.shape == (15, 3)
    assert set(np.flatnonzero(coef)) <= set(np.flatnonzero(cv.coef_))
    alphas, coefs, crits, iters = sparse_path(X, y, SCAD(), alphas=8)
    assert coefs.shape == (40, 8) and np.all(np.diff(alphas) < 0)


@pytest.mark.gpu
def test_fista_on_cupy():
    cupy = pytest.importorskip("cupy")
    X, y = _problem(8, n=200, p=100)
    cd = Lasso(alpha=0.05, tol=1e-10).fit(X, y)
    gpu = Lasso(alpha=0.05, tol=1e-10, solver="fista", max_iter=100000).fit(cupy.asarray(X), cupy.asarray(y))
    assert isinstance(gpu.coef_, cupy.ndarray)
    np.testing.assert_allclose(cupy.asnumpy(gpu.coef_), cd.coef_, atol=1e-6)
