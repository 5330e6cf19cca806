"""MultinomialLasso against cvxpy, scikit-learn and exact identities."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from sparsestat.linear_model import MultinomialLasso, MultinomialLassoCV, multinomial_lasso_path

cp = pytest.importorskip("cvxpy")


def _data(n=80, p=12, K=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.2
    W = np.zeros((K, p))
    W[:, :3] = rng.standard_normal((K, 3)) * 1.5
    eta = X @ W.T
    P = np.exp(eta - eta.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    y = np.array([rng.choice(K, p=pp) for pp in P])
    return X, y, rng.uniform(0.5, 2.0, n)


def _cvxpy_objective(X, y, sw, alpha, l1_ratio, group, fit_intercept):
    n, p = X.shape
    K = int(y.max()) + 1
    W = cp.Variable((K, p))
    b = cp.Variable(K)
    Y = np.eye(K)[y]
    a = sw / sw.sum()
    eta = X @ W.T
    if fit_intercept:
        eta = eta + np.ones((n, 1)) @ cp.reshape(b, (1, K), order="C")
    loss = cp.sum(cp.multiply(a, cp.log_sum_exp(eta, axis=1))) - cp.sum(cp.multiply(a[:, None] * Y, eta))
    l1 = cp.sum(cp.norm(W, 2, axis=0)) if group else cp.sum(cp.abs(W))
    prob = cp.Problem(cp.Minimize(loss + alpha * (l1_ratio * l1 + 0.5 * (1 - l1_ratio) * cp.sum_squares(W))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prob.solve(solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
    return prob.value


def _objective(est, X, y, sw):
    eta = np.asarray(X @ est.coef_.T) + est.intercept_
    mx = eta.max(1)
    lse = mx + np.log(np.exp(eta - mx[:, None]).sum(1))
    a = sw / sw.sum()
    W = est.coef_
    l1 = np.sqrt((W**2).sum(0)).sum() if est.penalty == "group" else np.abs(W).sum()
    return a @ (lse - eta[np.arange(len(y)), y]) + est.alpha * (est.l1_ratio * l1
                                                                + 0.5 * (1 - est.l1_ratio) * (W**2).sum())


@pytest.mark.parametrize("penalty", ["l1", "group"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_objective_matches_cvxpy(penalty, fit_intercept, l1_ratio):
    X, y, sw = _data()
    alpha = 0.03
    ref = _cvxpy_objective(X, y, sw, alpha, l1_ratio, penalty == "group", fit_intercept)
    for Xin in (X, sp.csr_matrix(X)):
        est = MultinomialLasso(alpha=alpha, penalty=penalty, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                               tol=1e-10).fit(Xin, y, sample_weight=sw)
        obj = _objective(est, X, y, sw)
        assert obj <= ref * (1 + 1e-7)
        assert abs(obj - ref) <= 1e-7 * abs(ref)
        assert abs(est.objective_ - obj) <= 1e-10 * abs(obj)
        assert est.stop_crit_ <= 1e-10


def test_class_weight_equals_sample_weight():
    X, y, _ = _data(seed=1)
    cw = {0: 2.0, 1: 0.5, 2: 1.0}
    a = MultinomialLasso(alpha=0.02, class_weight=cw, tol=1e-10).fit(X, y)
    b = MultinomialLasso(alpha=0.02, tol=1e-10).fit(X, y, sample_weight=np.array([cw[v] for v in y]))
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-8)


def test_integer_weights_equal_repetition():
    X, y, _ = _data(n=50, seed=2)
    w = np.random.default_rng(0).integers(0, 3, 50)
    a = MultinomialLasso(alpha=0.02, tol=1e-10).fit(X, y, sample_weight=w)
    b = MultinomialLasso(alpha=0.02, tol=1e-10).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-7)
    np.testing.assert_allclose(a.intercept_, b.intercept_, atol=1e-7)


def test_matches_sklearn_saga_l1():
    from sklearn.linear_model import LogisticRegression

    X, y, _ = _data(n=120, p=8, seed=3)
    alpha = 0.02
    est = MultinomialLasso(alpha=alpha, tol=1e-10).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = LogisticRegression(l1_ratio=1.0, C=1.0 / (len(y) * alpha), solver="saga", tol=1e-10,
                                 max_iter=100000).fit(X, y)
    np.testing.assert_allclose(est.predict_proba(X), ref.predict_proba(X), atol=1e-5)
    assert np.array_equal(est.coef_ != 0, np.abs(ref.coef_ - np.median(ref.coef_, axis=0)) > 1e-6)


def test_probabilities_and_shapes():
    X, y, _ = _data()
    labels = np.array(["a", "b", "c"])[y]
    est = MultinomialLasso(alpha=0.01).fit(X, labels)
    P = est.predict_proba(X)
    np.testing.assert_allclose(P.sum(1), 1.0)
    np.testing.assert_allclose(np.exp(est.predict_log_proba(X)), P)
    assert set(est.predict(X)) <= {"a", "b", "c"}
    assert est.coef_.shape == (3, 12)
    assert abs(est.intercept_.sum()) < 1e-10
    # binary: coef_ keeps two rows, decision_function is the difference
    yb = (y > 0).astype(int)
    bin_est = MultinomialLasso(alpha=0.01).fit(X, yb)
    assert bin_est.coef_.shape == (2, 12)
    assert bin_est.decision_function(X).shape == (80,)


def test_group_penalty_selects_whole_features():
    X, y, _ = _data(p=20, seed=4)
    est = MultinomialLasso(alpha=0.05, penalty="group").fit(X, y)
    zero_cols = np.all(est.coef_ == 0, axis=0)
    assert np.array_equal(zero_cols, ~np.all(est.coef_ != 0, axis=0))
    np.testing.assert_allclose(est.coef_.sum(axis=0), 0.0, atol=1e-10)


def test_errors_and_warnings():
    X, y, _ = _data()
    with pytest.raises(ValueError, match="only one class"):
        MultinomialLasso().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="class_weight has labels"):
        MultinomialLasso(class_weight={7: 1.0}).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="KKT residual"):
        MultinomialLasso(alpha=1e-4, max_iter=1, tol=1e-12).fit(X, y)


def test_float32_and_path():
    X, y, _ = _data()
    est = MultinomialLasso(alpha=0.02).fit(X.astype(np.float32), y)
    assert est.coef_.dtype == np.float32
    alphas, coefs, intercepts, n_iters = multinomial_lasso_path(X, y, alphas=8, tol=1e-9)
    assert np.all(coefs[0] == 0) and np.any(coefs[-1] != 0)
    ref = MultinomialLasso(alpha=alphas[4], tol=1e-9).fit(X, y)
    np.testing.assert_allclose(coefs[4], ref.coef_, atol=1e-6)


def test_cv_picks_reasonable_alpha():
    X, y, _ = _data(n=150, p=10, seed=5)
    cv = MultinomialLassoCV(alphas=12, cv=3).fit(X, y)
    assert cv.scores_path_.shape == (12, 3)
    assert cv.alpha_ < cv.alphas_[0]
    direct = MultinomialLasso(alpha=cv.alpha_, tol=1e-4).fit(X, y)
    np.testing.assert_allclose(cv.coef_, direct.coef_, atol=1e-3)
    acc = MultinomialLassoCV(alphas=12, cv=3, scoring="accuracy", n_jobs=2).fit(X, y)
    assert np.all((acc.scores_path_ >= 0) & (acc.scores_path_ <= 1))
