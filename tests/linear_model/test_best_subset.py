"""BestSubsetRegression / BestSubsetClassifier / splicing against brute force, abess and closed forms."""

import itertools
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparsestat.datasets import make_sparse_regression
from sparsestat.linear_model import BestSubsetClassifier, BestSubsetRegression, splicing
from sparsestat.linear_model._splicing import fit_support_path, make_problem


def _glm_data(family, seed, n=150, p=12, sparse=True):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 1] += 0.5 * X[:, 0]
    beta = rng.choice([-1.0, 1.0], p) * np.linspace(1.5, 0.2, p) * (1.0 if family == "gaussian" else 0.4)
    if sparse:
        beta[4:] = 0.0
    eta = X @ beta
    if family == "gaussian":
        y = eta + rng.standard_normal(n)
    elif family == "binomial":
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    else:
        y = rng.poisson(np.exp(0.3 * eta)).astype(float)
    return X, y, beta


def _brute_force(problem, p, s):
    return min(problem.fit(np.array(c, dtype=np.int64)).loss for c in itertools.combinations(range(p), s))


@pytest.mark.parametrize("family", ["gaussian", "binomial", "poisson"])
def test_best_subset_of_each_size_matches_brute_force(family):
    # Splicing is a local search; the paper guarantees the true subset under its conditions.
    # Here: every size 0..p on 6 seeds; the true size must always be exact, the others in >= 95%.
    p = 10
    hits, total = 0, 0
    for seed in range(6):
        X, y, beta = _glm_data(family, seed, p=p)
        problem = make_problem(X, y, family)
        results, _ = fit_support_path(problem, range(p + 1), path="bidirectional")
        for s in range(p + 1):
            best = _brute_force(problem, p, s)
            found = results[s][0].loss
            assert found >= best - 1e-9  # never below the global optimum: the fit is exact on its support
            ok = found <= best + 1e-9
            hits += ok
            total += 1
            if s == 4:
                assert ok, (seed, s, found, best)
    assert hits / total >= 0.95


def test_splicing_functional_matches_brute_force_at_true_size():
    X, y, beta = _glm_data("gaussian", 3, p=14)
    coef, b, loss, _ = splicing(X, y, 4)
    problem = make_problem(X, y)
    assert loss == pytest.approx(_brute_force(problem, 14, 4), rel=1e-10)
    assert np.count_nonzero(coef) == 4
    # the restricted fit is the OLS on the support (closed form)
    A = np.flatnonzero(coef)
    Z = np.column_stack([np.ones(len(y)), X[:, A]])
    sol = np.linalg.lstsq(Z, y, rcond=None)[0]
    np.testing.assert_allclose(coef[A], sol[1:], rtol=1e-8)
    assert b == pytest.approx(sol[0], rel=1e-8)


@pytest.mark.parametrize("rho,snr", [(0.5, 5.0), (0.8, 1.0)])
def test_recovery_at_least_abess(rho, snr):
    abess = pytest.importorskip("abess")
    tp = fp = tp_a = fp_a = 0
    for seed in range(3):
        X, y, coef = make_sparse_regression(300, 600, 10, rho=rho, snr=snr, random_state=seed)
        true = set(np.flatnonzero(coef))
        ours = set(BestSubsetRegression(support_size=range(31), ic="ebic").fit(X, y).support_.tolist())
        theirs = set(np.flatnonzero(abess.linear.LinearRegression(support_size=range(31)).fit(X, y).coef_))
        tp += len(ours & true)
        fp += len(ours - true)
        tp_a += len(theirs & true)
        fp_a += len(theirs - true)
    assert tp >= tp_a
    assert tp - fp >= tp_a - fp_a


def test_ic_choices_and_paths_recover_support():
    X, y, coef = make_sparse_regression(300, 60, 5, snr=10, random_state=0)
    true = np.flatnonzero(coef)
    for ic in ["gic", "ebic", "bic", "cv"]:
        for path in ["sequential", "golden"]:
            m = BestSubsetRegression(ic=ic, path=path, s_max=15).fit(X, y)
            if ic in ("ebic", "cv") or path == "sequential":
                assert set(true) <= set(m.support_.tolist())
            assert m.support_size_ == m.support_.size
            assert m.support_size_ in m.ic_path_
    m = BestSubsetRegression(ic="ebic").fit(X, y)
    np.testing.assert_array_equal(m.support_, true)
    assert min(m.ic_path_, key=m.ic_path_.get) == 5


def test_support_size_int_and_list():
    X, y, coef = make_sparse_regression(200, 40, 4, random_state=1)
    m = BestSubsetRegression(support_size=3).fit(X, y)
    assert m.support_size_ == 3 and np.count_nonzero(m.coef_) == 3
    assert list(m.ic_path_) == [3]
    m = BestSubsetRegression(support_size=[2, 4, 6], ic="ebic").fit(X, y)
    assert list(m.ic_path_) == [2, 4, 6] and m.support_size_ == 4
    with pytest.raises(ValueError, match="support_size"):
        BestSubsetRegression(support_size=[50]).fit(X, y)


def test_integer_sample_weight_equals_repetition():
    X, y, _ = make_sparse_regression(80, 20, 3, random_state=2)
    w = np.random.default_rng(0).integers(0, 4, 80)
    a = BestSubsetRegression(ic="ebic").fit(X, y, sample_weight=w)
    b = BestSubsetRegression(ic="ebic").fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-10)
    assert a.intercept_ == pytest.approx(b.intercept_)
    assert a.ic_path_.keys() == b.ic_path_.keys()
    np.testing.assert_allclose(list(a.ic_path_.values()), list(b.ic_path_.values()), rtol=1e-8)


def test_classifier_matches_statsmodels_on_support():
    sm = pytest.importorskip("statsmodels.api")
    X, y, beta = _glm_data("binomial", 0, n=400, p=15)
    clf = BestSubsetClassifier(support_size=4).fit(X, y)
    A = clf.support_
    ref = sm.Logit(y, sm.add_constant(X[:, A])).fit(disp=0, tol=1e-12)
    np.testing.assert_allclose(clf.coef_[0, A], ref.params[1:], rtol=1e-5)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba[:, 1], ref.predict(sm.add_constant(X[:, A])), rtol=1e-5)
    assert set(clf.classes_) == {0.0, 1.0}


def test_poisson_matches_statsmodels_on_support():
    sm = pytest.importorskip("statsmodels.api")
    X, y, _ = _glm_data("poisson", 1, n=400, p=15)
    m = BestSubsetRegression(family="poisson", support_size=3).fit(X, y)
    A = m.support_
    ref = sm.GLM(y, sm.add_constant(X[:, A]), family=sm.families.Poisson()).fit(tol=1e-12)
    np.testing.assert_allclose(m.coef_[A], ref.params[1:], rtol=1e-5)
    np.testing.assert_allclose(m.predict(X[:5]), ref.predict(sm.add_constant(X[:5, A], has_constant="add")),
                               rtol=1e-5)
    with pytest.raises(ValueError, match="non-negative"):
        BestSubsetRegression(family="poisson").fit(X, -y - 1)


def test_float32_kept_and_screening():
    X, y, coef = make_sparse_regression(200, 300, 5, snr=10, random_state=3)
    m = BestSubsetRegression(screening_size=50, s_max=10, ic="ebic").fit(X.astype(np.float32), y.astype(np.float32))
    assert m.coef_.dtype == np.float32
    np.testing.assert_array_equal(m.support_, np.flatnonzero(coef))
    with pytest.raises(ValueError, match="screening_size"):
        BestSubsetRegression(screening_size=3, support_size=5).fit(X, y)


def test_multiclass_rejected_and_convergence_warning():
    X, y, _ = make_sparse_regression(100, 20, 3, random_state=4)
    with pytest.raises(ValueError, match="binary"):
        BestSubsetClassifier().fit(X, np.arange(100) % 3)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 40))
    y = X[:, :8] @ np.ones(8) + rng.standard_normal(100)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        BestSubsetRegression(support_size=8, max_splicing_iter=1, tau=0.0).fit(X, y)
    msgs = [str(w.message) for w in rec if issubclass(w.category, ConvergenceWarning)]
    if msgs:  # splicing improved in its only iteration: the warning names the criterion
        assert "max_splicing_iter=1" in msgs[0] and "tau" in msgs[0]


def test_warm_start_reuses_support():
    X, y, coef = make_sparse_regression(200, 50, 4, random_state=5)
    m = BestSubsetRegression(support_size=4, warm_start=True).fit(X, y)
    first = m.support_.copy()
    m.fit(X, y)
    np.testing.assert_array_equal(m.support_, first)
    assert m.n_iter_ <= 1
