"""VIFSelector against statsmodels' variance_inflation_factor."""

import numpy as np
import pytest

from sparsestat.feature_selection import VIFSelector, variance_inflation_factors

sm = pytest.importorskip("statsmodels.api")
from statsmodels.stats.outliers_influence import variance_inflation_factor  # noqa: E402


def _sm_vif(X):
    Xa = sm.add_constant(X, has_constant="add")
    return np.array([variance_inflation_factor(Xa, j + 1) for j in range(X.shape[1])])


def _data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((120, 7))
    X[:, 5] = X[:, 0] + X[:, 1] + 0.2 * rng.standard_normal(120)
    X[:, 6] = X[:, 2] + 0.1 * rng.standard_normal(120)
    return X


def test_vif_matches_statsmodels():
    X = _data()
    np.testing.assert_allclose(variance_inflation_factors(X), _sm_vif(X), rtol=1e-8)


@pytest.mark.parametrize("threshold", [5.0, 10.0])
def test_iterative_selector_matches_recomputed_statsmodels(threshold):
    X = _data(1)
    sel = VIFSelector(threshold=threshold).fit(X)
    kept = sel.get_support()
    ref = _sm_vif(X[:, kept])
    np.testing.assert_allclose(sel.vif_[kept], ref, rtol=1e-8)
    assert ref.max() <= threshold
    # each dropped feature had the largest VIF at its time of removal (brute-force replay)
    support = np.ones(X.shape[1], dtype=bool)
    for j, v in sel.vif_history_:
        cols = np.flatnonzero(support)
        vifs = _sm_vif(X[:, cols])
        assert cols[np.argmax(vifs)] == j
        np.testing.assert_allclose(v, vifs.max(), rtol=1e-8)
        support[j] = False
    assert X.shape[1] - kept.sum() == len(sel.dropped_)


def test_exact_collinearity_and_always_keep():
    X = _data(2)
    X2 = np.column_stack([X, X[:, 3] - X[:, 4], np.ones(len(X))])
    vif = variance_inflation_factors(X2)
    assert np.isinf(vif[[3, 4, 7, 8]]).all() and np.isfinite(vif[[0, 1, 2]]).all()
    sel = VIFSelector().fit(X2)
    assert not sel.get_support()[8]
    assert sel.transform(X2).shape[1] == sel.get_support().sum()
    keep = VIFSelector(threshold=2.0, always_keep=[5]).fit(X)
    assert keep.get_support()[5]
    batch = VIFSelector(threshold=5.0, iterative=False).fit(X)
    assert set(batch.dropped_) == set(np.flatnonzero(_sm_vif(X) > 5.0))
    with pytest.raises(ValueError, match="always_keep"):
        VIFSelector(always_keep=[99]).fit(X)
