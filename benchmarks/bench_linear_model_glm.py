"""MultinomialLasso vs scikit-learn saga; SimultaneousGLM vs loops over single-problem solvers.

Equal objective: saga runs at tol=1e-4 first (untimed) and MultinomialLasso is
timed at a tolerance reaching an objective at most saga's; both objectives are
stored. ``SPARSESTAT_BENCH_QUICK=1`` shrinks every problem.
"""

import os
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

QUICK = os.environ.get("SPARSESTAT_BENCH_QUICK") == "1"


def _multinomial_data(n, p, K, sparse=False, seed=0):
    rng = np.random.default_rng(seed)
    if sparse:
        X = sp.random(n, p, density=1e-3 if not QUICK else 1e-2, format="csr", random_state=seed,
                      data_rvs=lambda k: rng.exponential(1.0, k))
    else:
        X = rng.standard_normal((n, p))
    W = np.zeros((K, p))
    for k in range(K):
        W[k, rng.choice(p, 10, replace=False)] = rng.standard_normal(10) * (3.0 if sparse else 1.0)
    eta = np.asarray(X @ W.T)
    P = np.exp(eta - eta.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    y = (P.cumsum(1) > rng.uniform(size=(n, 1))).argmax(1)
    from sparsestat.linear_model._multinomial import _alpha_max, _Design

    Y = np.eye(K)[y]
    amax = _alpha_max(_Design(X), Y, np.full(n, 1.0 / n), 1.0, np.ones(p), False, True)
    return X, y, amax / 10


def _objective(X, y, alpha, W, b):
    eta = np.asarray(X @ W.T) + b
    mx = eta.max(1)
    lse = mx + np.log(np.exp(eta - mx[:, None]).sum(1))
    return float(np.mean(lse - eta[np.arange(len(y)), y]) + alpha * np.abs(W).sum())


CASES = {
    "dense_2000x1000_K5": dict(n=300, p=100, K=5) if QUICK else dict(n=2000, p=1000, K=5),
    "sparse_1e4x1e5_K5": dict(n=1000, p=2000, K=5, sparse=True) if QUICK else dict(n=10000, p=100000, K=5,
                                                                                     sparse=True),
}
_saga_obj = {}


@pytest.fixture(scope="module", params=list(CASES))
def multinomial_case(request):
    X, y, alpha = _multinomial_data(**CASES[request.param])
    return request.param, X, y, alpha


def _saga(X, y, alpha):
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LogisticRegression(l1_ratio=1.0, C=1.0 / (len(y) * alpha), solver="saga", tol=1e-4,
                                  max_iter=10000).fit(X, y)


@pytest.mark.parametrize("solver", ["sklearn_saga", "sparsestat"])
def test_multinomial(benchmark, multinomial_case, solver):
    from sparsestat.linear_model import MultinomialLasso

    case, X, y, alpha = multinomial_case
    if case not in _saga_obj:
        s = _saga(X, y, alpha)
        _saga_obj[case] = _objective(X, y, alpha, s.coef_, s.intercept_)
    if solver == "sklearn_saga":
        def fit():
            return _saga(X, y, alpha)
        rounds = 1
    else:
        def fit():
            return MultinomialLasso(alpha=alpha, tol=1e-6).fit(X, y)
        rounds = 3
    if not getattr(benchmark, "disabled", False) and solver == "sparsestat":
        fit()
    est = benchmark.pedantic(fit, rounds=rounds, iterations=1)
    obj = _objective(X, y, alpha, est.coef_, est.intercept_)
    benchmark.extra_info.update({"case": case, "solver": solver, "objective": obj,
                                 "saga_tol1e-4_objective": _saga_obj[case],
                                 "nnz": int(np.count_nonzero(est.coef_))})
    if solver == "sparsestat":
        assert obj <= _saga_obj[case] + 1e-9


# --------------------------------------------------------------------------- simultaneous GLMs
SIM = dict(n=200, p=50, P=20) if QUICK else dict(n=1000, p=300, P=200)


@pytest.fixture(scope="module")
def sim_data():
    rng = np.random.default_rng(1)
    n, p, P = SIM["n"], SIM["p"], SIM["P"]
    X = rng.standard_normal((n, p))
    y = X[:, :5] @ rng.standard_normal(5) + rng.standard_normal(n)
    Y = np.column_stack([y] + [rng.permutation(y) for _ in range(P - 1)])
    yb = (y > 0).astype(float)
    Yb = np.column_stack([yb] + [rng.permutation(yb) for _ in range(P - 1)])
    return X, Y, Yb


ALPHA = {"gaussian": 0.05, "binomial": 0.01}


def _fit_sim(family, solver, X, Y):
    from sparsestat.linear_model import ElasticNet, MultinomialLasso, SimultaneousGLM

    a, r = ALPHA[family], 0.5
    if solver == "sparsestat_simultaneous":
        g = SimultaneousGLM(family, alpha=a, l1_ratio=r, tol=1e-8).fit(X, Y)
        return g.coef_
    if solver == "sparsestat_loop":
        if family == "gaussian":
            return np.array([ElasticNet(alpha=a, l1_ratio=r, tol=1e-10).fit(X, Y[:, t]).coef_
                             for t in range(Y.shape[1])])
        am = a * r + 2 * a * (1 - r)
        out = []
        for t in range(Y.shape[1]):
            m = MultinomialLasso(alpha=am, l1_ratio=a * r / am, tol=1e-8).fit(X, Y[:, t])
            out.append(m.coef_[1] - m.coef_[0])
        return np.array(out)
    from sklearn.linear_model import ElasticNet as SkEN
    from sklearn.linear_model import LogisticRegression

    if family == "gaussian":
        return np.array([SkEN(alpha=a, l1_ratio=r, tol=1e-10, max_iter=100000).fit(X, Y[:, t]).coef_
                         for t in range(Y.shape[1])])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.array([LogisticRegression(l1_ratio=r, C=1.0 / (X.shape[0] * a), solver="saga", tol=1e-6,
                                            max_iter=10000).fit(X, Y[:, t]).coef_[0] for t in range(Y.shape[1])])


_ref = {}


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("solver", ["sparsestat_simultaneous", "sparsestat_loop", "sklearn_loop"])
def test_simultaneous(benchmark, sim_data, family, solver):
    X, Y, Yb = sim_data
    Yf = Y if family == "gaussian" else Yb
    if family not in _ref:
        _ref[family] = _fit_sim(family, "sparsestat_loop", X, Yf)
    if not getattr(benchmark, "disabled", False) and solver != "sklearn_loop":
        _fit_sim(family, solver, X[:50], Yf[:50, :2])  # warm the JIT
    W = benchmark.pedantic(lambda: _fit_sim(family, solver, X, Yf), rounds=1, iterations=1)
    benchmark.extra_info.update({"case": f"{family}_n{X.shape[0]}_p{X.shape[1]}_P{Y.shape[1]}", "solver": solver,
                                 "max_abs_diff_vs_loop": float(np.abs(W - _ref[family]).max())})
