import numpy as np
import pytest
import scipy.sparse as sp

from sparsestat.datasets import load_dataset, make_sparse_classification, make_sparse_regression


def test_regression_shapes_support_and_snr():
    X, y, coef = make_sparse_regression(2000, 30, 5, rho=0.5, snr=4.0, random_state=0)
    assert X.shape == (2000, 30) and X.flags.f_contiguous
    assert np.count_nonzero(coef) == 5
    signal = X @ coef
    noise = y - signal
    assert np.var(signal) / np.var(noise) == pytest.approx(4.0, rel=0.15)
    # Toeplitz correlation between neighbours
    assert np.corrcoef(X[:, 3], X[:, 4])[0, 1] == pytest.approx(0.5, abs=0.06)


def test_regression_seeded_and_sparse():
    a = make_sparse_regression(20, 40, 3, random_state=1)
    b = make_sparse_regression(20, 40, 3, random_state=1)
    np.testing.assert_array_equal(a[1], b[1])
    X, y, coef = make_sparse_regression(100, 400, 3, density=0.05, random_state=0)
    assert sp.issparse(X) and X.format == "csc"
    np.testing.assert_allclose(X.nnz / X.shape[0] / X.shape[1], 0.05, rtol=0.1)
    X, Y, C = make_sparse_regression(30, 10, 2, n_targets=3, snr=np.inf, random_state=0)
    np.testing.assert_allclose(Y, X @ C.T)


@pytest.mark.parametrize("kwargs, name", [
    ({"n_samples": 0}, "n_samples"), ({"n_informative": 50, "n_features": 10}, "n_informative"),
    ({"rho": 1.0}, "rho"), ({"snr": -1.0}, "snr"), ({"density": 2.0}, "density"),
    ({"coef_scale": "big"}, "coef_scale"),
])
def test_regression_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        make_sparse_regression(**kwargs)


def test_classification():
    X, y, coef = make_sparse_classification(3000, 20, 4, 3, random_state=0)
    assert set(np.unique(y)) == {0, 1, 2, 3}
    assert (np.count_nonzero(coef, axis=1) == 3).all()
    # the labels are informative: the Bayes rule beats chance by far
    acc = np.mean(np.argmax(X @ coef.T, axis=1) == y)
    assert acc > 0.5
    with pytest.raises(ValueError, match="n_classes"):
        make_sparse_classification(n_classes=1)


def test_load_dataset():
    X, y = load_dataset("diabetes")
    assert X.shape == (442, 10)
    with pytest.raises(ValueError, match="name"):
        load_dataset("mnist")
