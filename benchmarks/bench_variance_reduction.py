"""Sparse control variates vs importance sampling vs crude Monte Carlo on the spec's calibrated benchmark.

For each crash threshold c in {-3, -2.5, -2} (the specification's table), replicates of N = 2000
tests are drawn; each estimator's spread across replicates gives its variance, bias and the number
of tests it needs to reach RHW = 0.3. The anchor is a plain control-variate regression with
statsmodels OLS (no stratification). Timings are for one fit on N = 2000 tests.
"""

import os

import numpy as np
import pytest

from sparsestat.datasets import make_rare_event_tests
from sparsestat.variance_reduction import ImportanceSamplingEstimator, SparseControlVariates

QUICK = os.environ.get("SPARSESTAT_BENCH_QUICK") == "1"
N_TESTS = 2000
N_REP = 20 if QUICK else 300
BINS = [-3.0, -2.5, -2.0, -1.5]
Z = 1.959964


def _statsmodels_cv(d):
    sm = pytest.importorskip("statsmodels.api")
    from scipy.special import ndtr

    W = d.likelihood_ratios
    H = np.zeros((W.size, 5))
    H[:, 0] = W - 1
    for i, xs in enumerate(d.critical_values):
        H[i, 1:] = W[i] * (xs[:, None] < BINS).sum(0) - xs.size * ndtr(BINS)
    res = sm.OLS(d.outcomes * W, sm.add_constant(H)).fit()
    return res.params[0], res.bse[0]


def _fitters(d):
    return {
        "crude_mc": lambda dc: ImportanceSamplingEstimator().fit(dc.outcomes),
        "importance_sampling": lambda _: ImportanceSamplingEstimator().fit(d.outcomes, d.likelihood_ratios),
        "sparsestat_scv": lambda _: SparseControlVariates(bins=BINS, stratum_probs=d.stratum_probs).fit(
            d.outcomes, d.likelihood_ratios, d.critical_values),
        "sparsestat_scv_crossfit": lambda _: SparseControlVariates(
            bins=BINS, stratum_probs=d.stratum_probs, cross_fit=5, random_state=0).fit(
            d.outcomes, d.likelihood_ratios, d.critical_values),
        "statsmodels_cv": lambda _: _statsmodels_cv(d),
    }


@pytest.fixture(scope="module", params=[-3.0, -2.5, -2.0], ids=lambda c: f"c={c}")
def replicates(request):
    c = request.param
    out = {name: [] for name in _fitters(None)}
    for r in range(N_REP):
        d = make_rare_event_tests(N_TESTS, threshold=c, random_state=r)
        dc = make_rare_event_tests(N_TESTS, threshold=c, sampler="crude", random_state=10_000 + r)
        for name, fit in _fitters(d).items():
            res = fit(dc)
            out[name].append(res if isinstance(res, tuple) else (res.mu_, res.stderr_))
    truth = make_rare_event_tests(1, threshold=c).true_rate
    return c, truth, {k: np.array(v) for k, v in out.items()}


@pytest.mark.parametrize("solver", ["crude_mc", "importance_sampling", "sparsestat_scv", "sparsestat_scv_crossfit",
                                    "statsmodels_cv"])
def test_variance_reduction(benchmark, replicates, solver):
    c, mu, res = replicates
    d = make_rare_event_tests(N_TESTS, threshold=c, random_state=12345)
    dc = make_rare_event_tests(N_TESTS, threshold=c, sampler="crude", random_state=54321)
    fit = _fitters(d)[solver]
    if not getattr(benchmark, "disabled", False):
        fit(dc)
    benchmark.pedantic(lambda: fit(dc), rounds=3, iterations=1)
    est, se = res[solver][:, 0], res[solver][:, 1]
    var_per_test = est.var(ddof=1) * N_TESTS
    is_var = res["importance_sampling"][:, 0].var(ddof=1)
    benchmark.extra_info.update({
        "case": f"rare_event_c={c}",
        "solver": solver,
        "true_rate": mu,
        "bias": float(est.mean() - mu),
        "bias_in_mc_se": float((est.mean() - mu) / (est.std(ddof=1) / np.sqrt(est.size))),
        "coverage_95": float(np.mean(np.abs(est - mu) <= Z * se)),
        "rhw_at_2000": float(Z * est.std(ddof=1) / mu),
        "variance_ratio_is_over_this": float(is_var / est.var(ddof=1)),
        "tests_to_rhw_0.3": float(var_per_test * (Z / (0.3 * mu)) ** 2),
        "replicates": int(est.size),
    })
