"""Benchmarks of sparsestat.gaussian_process against scikit-learn's dense GaussianProcessRegressor."""

import os

import numpy as np
import pytest

QUICK = os.environ.get("SPARSESTAT_BENCH_QUICK") == "1"


def _run(benchmark, case, solver, fit, accuracy):
    if not getattr(benchmark, "disabled", False):
        fit()
    result = benchmark.pedantic(fit, rounds=1 if QUICK else 3, iterations=1)
    benchmark.extra_info.update({"case": case, "solver": solver, **accuracy(result)})
    return result


def _kernel_cases():
    from sklearn.gaussian_process.kernels import RBF, ExpSineSquared

    from sparsestat.gaussian_process.kernels import GridSpectralMixtureProduct, SpectralMixture, StudentTMixture

    return {
        "sparsestat-SM(Q=5,P=2)": (lambda: SpectralMixture(np.linspace(0.5, 1.5, 5),
                                                           np.linspace(0.1, 0.9, 10).reshape(5, 2),
                                                           np.linspace(0.05, 0.3, 10).reshape(5, 2)), 2),
        "sparsestat-GSMP(A=50,P=2)": (lambda: GridSpectralMixtureProduct.from_grid(2, 50, freq_range=(0, 1.0),
                                                                                   scale=0.2), 2),
        "sparsestat-StudentT(matern52,Q=5)": (lambda: StudentTMixture(np.linspace(0.5, 1.5, 5), np.linspace(0.3, 2, 5),
                                                                      np.linspace(0.1, 1.5, 5)), 1),
        "sparsestat-StudentT(se,Q=5)": (lambda: StudentTMixture(np.linspace(0.5, 1.5, 5), np.linspace(0.3, 2, 5),
                                                                np.linspace(0.1, 1.5, 5), base="se"), 1),
        "sklearn-ExpSine*RBF": (lambda: ExpSineSquared(1.0, 1.3) * RBF(2.0), 1),
    }


@pytest.mark.parametrize("case", list(_kernel_cases()))
def test_kernel_gradient_accuracy(benchmark, case):
    """Analytic gradient (eval_gradient=True) time and its error against central finite differences."""
    make, p = _kernel_cases()[case]
    k = make()
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 3, (60 if QUICK else 300, p))

    def fit():
        return k(X, eval_gradient=True)

    def acc(res):
        K, G = res
        theta, h = k.theta, 1e-6
        err = 0.0
        for i in range(theta.size):
            a, b = theta.copy(), theta.copy()
            a[i] += h
            b[i] -= h
            fd = (k.clone_with_theta(a)(X) - k.clone_with_theta(b)(X)) / (2 * h)
            err = max(err, float(np.abs(G[..., i] - fd).max() / (np.abs(G[..., i]).max() + 1e-300)))
        return {"n_hyperparameters": int(theta.size), "max_rel_grad_error_vs_fd": err, "n_samples": X.shape[0]}

    _run(benchmark, "kernel gradient", case, fit, acc)


@pytest.fixture(scope="module")
def co2():
    from sparsestat.datasets import load_dataset

    X, y = load_dataset("co2")
    train = X[:, 0] < 1990
    test = (X[:, 0] >= 1990) & (X[:, 0] < 2001)
    step = 3 if QUICK else 1
    Xtr, ytr = X[train][::step], y[train][::step]
    t0 = Xtr[0, 0]
    return Xtr - t0, ytr, X[test] - t0, y[test]


@pytest.mark.parametrize("solver", ["sparsestat-GSMP", "sparsestat-SM", "sklearn-RBF", "sklearn-ExpSine*RBF"])
def test_mauna_loa_co2_extrapolation(benchmark, co2, solver):
    """Train on CO2 up to 1990, extrapolate 1990-2001 (statsmodels' Mauna Loa series, monthly means)."""
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ExpSineSquared, WhiteKernel
    from sklearn.gaussian_process.kernels import ConstantKernel as C

    from sparsestat.gaussian_process import SparseSpectralGP
    from sparsestat.gaussian_process.kernels import GridSpectralMixtureProduct, SpectralMixture

    Xtr, ytr, Xte, yte = co2

    def fit():
        if solver == "sparsestat-GSMP":
            grid = GridSpectralMixtureProduct.from_grid(1, 60, freq_range=(0.0, 3.0), scale=0.01)
            return SparseSpectralGP(grid).fit(Xtr, ytr)
        if solver == "sparsestat-SM":
            k = SpectralMixture.from_data(Xtr, ytr, n_components=3)
            return GaussianProcessRegressor(k + WhiteKernel(0.01), normalize_y=True).fit(Xtr, ytr)
        if solver == "sklearn-RBF":
            return GaussianProcessRegressor(RBF(10.0) + WhiteKernel(0.01), normalize_y=True).fit(Xtr, ytr)
        return GaussianProcessRegressor(C(1.0) * ExpSineSquared(1.0, 1.0) * RBF(50.0) + WhiteKernel(0.01),
                                        normalize_y=True).fit(Xtr, ytr)

    def acc(m):
        out = {"n_train": len(ytr), "test_rmse_ppm": float(np.sqrt(np.mean((m.predict(Xte) - yte) ** 2)))}
        if hasattr(m, "active_components_"):
            out["n_active"] = int(len(m.active_components_))
        return out

    _run(benchmark, "Mauna Loa CO2 1990-2001", solver, fit, acc)


@pytest.fixture(scope="module")
def signal():
    rng = np.random.default_rng(0)
    n_train, n_test = (120, 30) if QUICK else (400, 100)
    t = np.arange(n_train + n_test, dtype=float)
    y = (np.cos(2 * np.pi * 0.03 * t + 0.3) + 0.7 * np.cos(2 * np.pi * 0.11 * t + 1.0)
         + 0.5 * np.cos(2 * np.pi * 0.23 * t + 2.0) + 0.1 * rng.standard_normal(t.size))
    X = t[:, None]
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


@pytest.mark.parametrize("solver", ["sparsestat-GSMP", "sparsestat-SM", "sklearn-RBF", "sklearn-ExpSine*RBF"])
def test_multifrequency_extrapolation(benchmark, signal, solver):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ExpSineSquared, WhiteKernel

    from sparsestat.gaussian_process import SparseSpectralGP
    from sparsestat.gaussian_process.kernels import SpectralMixture

    Xtr, ytr, Xte, yte = signal

    def fit():
        if solver == "sparsestat-GSMP":
            return SparseSpectralGP(n_components=100).fit(Xtr, ytr)
        if solver == "sparsestat-SM":
            k = SpectralMixture.from_data(Xtr, ytr, n_components=3)
            return GaussianProcessRegressor(k + WhiteKernel(0.01), normalize_y=True).fit(Xtr, ytr)
        if solver == "sklearn-RBF":
            return GaussianProcessRegressor(RBF() + WhiteKernel(), normalize_y=True).fit(Xtr, ytr)
        return GaussianProcessRegressor(ExpSineSquared(1.0, 30.0) * RBF(100.0) + WhiteKernel(),
                                        normalize_y=True).fit(Xtr, ytr)

    def acc(m):
        out = {"test_mse": float(np.mean((m.predict(Xte) - yte) ** 2))}
        if hasattr(m, "weights_"):
            out["fraction_zero_weights"] = float(np.mean(m.weights_ == 0))
        return out

    _run(benchmark, "3-frequency extrapolation", solver, fit, acc)


@pytest.mark.parametrize("solver", ["sparsestat-KroneckerGP", "sklearn-dense"])
def test_kronecker_vs_dense(benchmark, solver):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, WhiteKernel
    from sklearn.gaussian_process.kernels import ConstantKernel as C

    from sparsestat.gaussian_process import KroneckerGP

    n = 20 if QUICK else 40
    rng = np.random.default_rng(0)
    ax = np.linspace(0, 1, n)
    X = np.stack([m.ravel() for m in np.meshgrid(ax, ax, indexing="ij")], 1)
    y = np.sin(6 * X[:, 0]) * np.cos(4 * X[:, 1]) + 0.1 * rng.standard_normal(len(X))
    Xt = rng.uniform(0, 1, (200, 2))
    ref = GaussianProcessRegressor(C(1.0) * RBF([0.3, 0.3]) + WhiteKernel(0.01, "fixed"), alpha=1e-300,
                                   optimizer=None, normalize_y=True).fit(X, y).predict(Xt)

    def fit():
        if solver == "sklearn-dense":
            return GaussianProcessRegressor(C(1.0) * RBF([0.3, 0.3]) + WhiteKernel(0.01, "fixed"), alpha=1e-300,
                                            normalize_y=True).fit(X, y)
        return KroneckerGP([C(1.0) * RBF(0.3), RBF(0.3)], noise_variance=0.01, noise_variance_bounds="fixed").fit(X, y)

    def acc(m):
        fixed = (KroneckerGP([C(1.0) * RBF(0.3), RBF(0.3)], noise_variance=0.01, optimizer=None).fit(X, y)
                 if solver != "sklearn-dense" else None)
        out = {"grid": f"{n}x{n}", "lml": float(m.log_marginal_likelihood_value_)}
        if fixed is not None:
            out["max_abs_diff_vs_dense_fixed_hyper"] = float(np.abs(fixed.predict(Xt) - ref).max())
        return out

    _run(benchmark, f"grid {n}x{n}", solver, fit, acc)


def test_kronecker_large_grid(benchmark):
    from sklearn.gaussian_process.kernels import RBF
    from sklearn.gaussian_process.kernels import ConstantKernel as C

    from sparsestat.gaussian_process import KroneckerGP

    n = 64 if QUICK else 512
    rng = np.random.default_rng(0)
    ax = np.linspace(0, 1, n)
    U = np.sin(20 * ax)[:, None] * np.cos(7 * ax)[None, :]
    Y = U + 0.1 * rng.standard_normal((n, n))

    def fit():
        return KroneckerGP([C(1.0) * RBF(0.1), RBF(0.1)], noise_variance=0.05, max_iter=50).fit_grid([ax, ax], Y)

    _run(benchmark, f"grid {n}x{n}", "sparsestat-KroneckerGP", fit,
         lambda m: {"n_points": n * n, "n_iter": m.n_iter_, "noise_variance": float(m.noise_variance_ * m._y_std**2)})
