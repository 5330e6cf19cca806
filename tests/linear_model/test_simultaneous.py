"""SimultaneousGLM against P separate fits of the single-problem solvers."""

import numpy as np
import pytest
import scipy.sparse as sp

from sparsestat.linear_model import (
    ElasticNet,
    MultinomialLasso,
    SimultaneousGLM,
    bootstrap_coefs,
    permutation_test,
)


def _data(seed=0, n=150, p=15, P=5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.3
    y = X[:, :3] @ np.array([1.0, -1.0, 0.5]) + rng.standard_normal(n)
    Y = np.column_stack([y] + [rng.permutation(y) for _ in range(P - 1)])
    C = rng.poisson(1.0, (n, P)).astype(float)
    return X, Y, C


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("sparse", [False, True])
def test_gaussian_matches_elastic_net(weighted, sparse):
    X, Y, C = _data()
    sw = C if weighted else None
    Xin = sp.csr_matrix(X) if sparse else X
    g = SimultaneousGLM(alpha=0.05, l1_ratio=0.7, tol=1e-10, max_iter=5000).fit(Xin, Y, sample_weight=sw)
    for t in range(Y.shape[1]):
        e = ElasticNet(alpha=0.05, l1_ratio=0.7, tol=1e-14, max_iter=100000).fit(
            X, Y[:, t], sample_weight=None if sw is None else sw[:, t])
        np.testing.assert_allclose(g.coef_[t], e.coef_, atol=1e-6)
        np.testing.assert_allclose(g.intercept_[t], e.intercept_, atol=1e-6)
    assert np.all(g.converged_)


@pytest.mark.parametrize("weighted", [False, True])
def test_binomial_matches_multinomial_lasso(weighted):
    X, Y, C = _data(seed=1)
    Yb = (Y > 0.3).astype(float)
    sw = C if weighted else None
    a, r = 0.02, 0.7
    g = SimultaneousGLM("binomial", alpha=a, l1_ratio=r, tol=1e-10, max_iter=5000).fit(X, Yb, sample_weight=sw)
    # a two-class multinomial with W = [-w/2, w/2] is the binomial model; map the penalty
    am = a * r + 2 * a * (1 - r)
    for t in range(Y.shape[1]):
        m = MultinomialLasso(alpha=am, l1_ratio=a * r / am, tol=1e-12).fit(
            X, Yb[:, t], sample_weight=None if sw is None else sw[:, t])
        np.testing.assert_allclose(g.coef_[t], m.coef_[1] - m.coef_[0], atol=1e-6)
        np.testing.assert_allclose(g.intercept_[t], m.intercept_[1] - m.intercept_[0], atol=1e-6)
    P = g.predict_proba(X)
    assert P.shape == Yb.shape and np.all((P > 0) & (P < 1))


def test_binomial_matches_sklearn():
    from sklearn.linear_model import LogisticRegression

    X, Y, _ = _data(seed=2, P=2)
    yb = (Y[:, 0] > 0.3).astype(int)
    n = len(yb)
    g = SimultaneousGLM("binomial", alpha=0.01, l1_ratio=1.0, tol=1e-10, max_iter=5000).fit(X, yb)
    ref = LogisticRegression(l1_ratio=1.0, C=1.0 / (n * 0.01), solver="saga", tol=1e-12, max_iter=200000).fit(X, yb)
    np.testing.assert_allclose(g.coef_[0], ref.coef_[0], atol=1e-4)


def test_errors_bootstrap_and_permutation():
    X, Y, _ = _data(seed=3)
    with pytest.raises(ValueError, match="0 or 1"):
        SimultaneousGLM("binomial").fit(X, Y)
    with pytest.raises(ValueError, match="sample_weight must have shape"):
        SimultaneousGLM().fit(X, Y, sample_weight=np.ones((3, 3)))
    B = bootstrap_coefs(SimultaneousGLM(alpha=0.05), X, Y[:, 0], n_boot=40, random_state=0)
    assert B.shape == (40, X.shape[1])
    # bootstrap weights reproduce a weighted single fit
    rng = np.random.RandomState(0)
    counts = rng.multinomial(X.shape[0], np.full(X.shape[0], 1.0 / X.shape[0]), size=40).T
    e = ElasticNet(alpha=0.05, l1_ratio=0.5, tol=1e-14, max_iter=100000).fit(X, Y[:, 0], sample_weight=counts[:, 7])
    np.testing.assert_allclose(B[7], e.coef_, atol=1e-5)
    obs, null, p = permutation_test(SimultaneousGLM(alpha=0.05), X, Y[:, 0], n_perm=49, random_state=0)
    assert p == 1 / 50 and obs > null.max()
    obs, null, p = permutation_test(SimultaneousGLM(alpha=0.05), X, Y[:, 1], n_perm=49, random_state=0,
                                    statistic="coef_abs")
    assert null.shape == (49, X.shape[1]) and p.shape == (X.shape[1],)
