"""scikit-learn's estimator checks, clone/pickle/Pipeline/GridSearchCV on every public estimator."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparsestat.utils import all_estimators


def _instances():
    out = []
    for _, cls in all_estimators():
        factory = getattr(cls, "_test_instances", None)
        out.extend(factory() if factory is not None else [cls()])
    return out


INSTANCES = _instances()
CHECKABLE = [est for est in INSTANCES if not getattr(est, "_skip_estimator_checks", False)]


def _expected_failed_checks(estimator):
    return getattr(estimator, "_expected_failed_checks", lambda: {})()


if CHECKABLE:

    @parametrize_with_checks(CHECKABLE, expected_failed_checks=_expected_failed_checks)
    def test_sklearn_compatible_estimator(estimator, check):
        # an estimator whose parameters fix the data's shape (a coder's dictionary fixes n_features) supplies
        # per-check parameters, as scikit-learn does for its own SparseCoder
        per_check = getattr(estimator, "_per_check_params", lambda: {})()
        name = getattr(check, "__name__", None) or check.func.__name__
        if name in per_check:
            estimator = clone(estimator).set_params(**per_check[name])
        check(estimator)


def test_registry_lists_classes():
    for name, cls in all_estimators():
        assert name == cls.__name__


@pytest.mark.parametrize("estimator", INSTANCES, ids=lambda e: type(e).__name__)
def test_clone_pickle_pipeline_gridsearch(estimator):
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    est = clone(estimator)
    restored = pickle.loads(pickle.dumps(est))
    assert restored.get_params() == est.get_params() or repr(restored) == repr(est)
    if not (is_regressor(est) or is_classifier(est)):
        return
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 8))
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.standard_normal(60)
    if is_classifier(est):
        y = (y > 0).astype(int)
    pipe = make_pipeline(StandardScaler(), est).fit(X, y)
    assert pipe.predict(X).shape == (60,)
    grid = getattr(est, "_test_param_grid", None)
    if grid is None:
        return
    search = GridSearchCV(make_pipeline(StandardScaler(), est), grid, cv=3).fit(X, y)
    assert np.isfinite(search.best_score_)
    fitted = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_allclose(fitted.predict(X), search.best_estimator_.predict(X))
