"""PreconditionedLasso against scikit-learn's Lasso on the transformed problem, cvxpy (l1 ball), closed forms."""

import numpy as np
import pytest
from sklearn.linear_model import Lasso as SkLasso

from sparsestat.datasets import make_ill_conditioned_regression
from sparsestat.linear_model import PreconditionedLasso


@pytest.fixture
def problem():
    return make_ill_conditioned_regression(120, 40, 4, design="geometric_scales", scale_decades=3, random_state=0)


def _sk(Z, t, alpha):
    return SkLasso(alpha=alpha, fit_intercept=False, tol=1e-10, max_iter=100_000).fit(Z, t).coef_


def test_none_equals_plain_lasso(problem):
    X, y, _ = problem
    m = PreconditionedLasso("none", alpha=0.01, tol=1e-10).fit(X, y)
    ref = SkLasso(alpha=0.01, tol=1e-10, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(m.coef_, ref.coef_, atol=1e-6)
    assert m.intercept_ == pytest.approx(ref.intercept_, abs=1e-6)


def test_column_norm_is_lasso_on_standardised_columns(problem):
    X, y, _ = problem
    m = PreconditionedLasso("column_norm", alpha=0.01, tol=1e-10).fit(X, y)
    Xc, yc = X - X.mean(0), y - y.mean()
    s = np.sqrt((Xc**2).mean(0))
    a = _sk(Xc / s, yc, 0.01)
    np.testing.assert_allclose(m.coef_preconditioned_, a, atol=1e-6)
    np.testing.assert_allclose(m.coef_, a / s, atol=1e-6)
    np.testing.assert_allclose(m.preconditioner_, np.diag(1 / s))


def test_whiten_and_puffer_match_their_definitions(problem):
    X, y, _ = problem
    Xc, yc = X - X.mean(0), y - y.mean()
    m = PreconditionedLasso("whiten", alpha=0.01, ridge=0.0, tol=1e-10).fit(X, y)
    S = m.preconditioner_
    np.testing.assert_allclose(S @ (Xc.T @ Xc / len(y)) @ S, np.eye(40), atol=1e-8)
    np.testing.assert_allclose(m.coef_, S @ _sk(Xc @ S, yc, 0.01), atol=1e-6)
    m = PreconditionedLasso("puffer", alpha=0.01, tol=1e-10).fit(X, y)
    U, D, _ = np.linalg.svd(Xc, full_matrices=False)
    F = np.sqrt(len(y)) * (U / D) @ U.T
    np.testing.assert_allclose(m.coef_, _sk(F @ Xc, F @ yc, 0.01), atol=1e-6)


def test_constrained_matches_cvxpy(problem):
    cp = pytest.importorskip("cvxpy")
    X, y, _ = problem
    m = PreconditionedLasso("column_norm", formulation="constrained", radius=3.0, tol=1e-10, max_iter=20_000)
    m.fit(X, y)
    Xc, yc = X - X.mean(0), y - y.mean()
    Z = Xc / np.sqrt((Xc**2).mean(0))
    a = cp.Variable(40)
    cp.Problem(cp.Minimize(cp.sum_squares(yc - Z @ a)), [cp.norm1(a) <= 3.0]).solve()
    assert np.abs(m.coef_preconditioned_).sum() <= 3.0 + 1e-8
    obj = lambda v: np.sum((yc - Z @ v) ** 2)  # noqa: E731
    assert obj(m.coef_preconditioned_) <= obj(a.value) * (1 + 1e-5) + 1e-8
    cv = PreconditionedLasso(formulation="constrained", cv=3, random_state=0).fit(X, y)
    assert cv.radius_ > 0 and np.abs(cv.coef_preconditioned_).sum() <= cv.radius_ * (1 + 1e-9)


def test_preconditioning_helps_on_ill_scaled_random_supports():
    wins = 0
    for seed in range(5):
        X, y, w = make_ill_conditioned_regression(100, 200, 5, design="geometric_scales", random_state=seed)
        pre = PreconditionedLasso("column_norm", random_state=0).fit(X, y)
        plain = PreconditionedLasso("none", random_state=0).fit(X, y)
        wins += np.mean((X @ (pre.coef_ - w)) ** 2) < 0.5 * np.mean((X @ (plain.coef_ - w)) ** 2)
    assert wins >= 4


def test_errors_and_callable(problem):
    X, y, _ = problem
    with pytest.raises(NotImplementedError, match="Phase-1"):
        PreconditionedLasso("paper").fit(X, y)
    with pytest.raises(ValueError, match="callable must return"):
        PreconditionedLasso(lambda R: np.ones(3), alpha=0.1).fit(X, y)
    diag = PreconditionedLasso(lambda R: 1 / R.std(0), alpha=0.01).fit(X, y)
    ref = PreconditionedLasso("column_norm", alpha=0.01).fit(X, y)
    np.testing.assert_allclose(diag.coef_, ref.coef_, atol=1e-6)
    half = PreconditionedLasso("whiten", alpha=0.01, split_fraction=0.5, random_state=0).fit(X, y)
    assert half.preconditioner_.shape == (40, 40)
    with pytest.raises(ValueError, match="n_samples = 3"):
        PreconditionedLasso().fit(X[:3], y[:3])


def test_float32_kept(problem):
    X, y, _ = problem
    m = PreconditionedLasso(alpha=0.01).fit(X.astype(np.float32), y.astype(np.float32))
    assert m.coef_.dtype == np.float32 and m.predict(X.astype(np.float32)).dtype == np.float32
