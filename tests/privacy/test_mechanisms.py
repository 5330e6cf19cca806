"""Randomisers against closed forms, the empirical audit (valid mechanisms pass, broken ones are caught),
bounds handling and the budget accountant."""

import math
import warnings

import numpy as np
import pytest
from scipy.stats import norm

from sparsestat.privacy import (
    BudgetAccountant,
    BudgetExceededError,
    PrivacyLeakWarning,
    advanced_composition,
    audit_mechanism,
    check_bounds,
    clip_l2,
    gaussian_mechanism,
    gaussian_sigma,
    laplace_mechanism,
    outer_product_mechanism,
    randomized_response,
    truncate,
    vector_mechanism,
)

N_AUDIT = 60_000


def _mechanisms(eps):
    e1 = np.array([1.0, 0.0, 0.0])
    e2 = np.array([0.0, -1.0, 0.0])
    return {
        "laplace": (lambda v, r: laplace_mechanism(v, 1.0, eps, r), 0.0, 1.0, 0.0),
        "gaussian": (lambda v, r: gaussian_mechanism(v, 1.0, eps, 1e-3, r), 0.0, 1.0, 1e-3),
        "vector_gaussian": (lambda v, r: vector_mechanism(v, 1.0, eps, 1e-3, random_state=r), e1, e2, 1e-3),
        "vector_laplace": (lambda v, r: vector_mechanism(v, 1.0, eps, mechanism="laplace", random_state=r),
                           e1, e2, 0.0),
        "outer_product": (lambda v, r: outer_product_mechanism(v, 1.0, eps, 1e-3, r), e1, e2 * 0.2 + e1 * 0.1,
                          1e-3),
        "randomized_response": (lambda v, r: randomized_response(v.astype(int), eps, 4, r), 0, 3, 0.0),
    }


@pytest.mark.parametrize("eps", [0.5, 2.0])
@pytest.mark.parametrize("name", list(_mechanisms(1.0)))
def test_audit_finds_no_violation(name, eps):
    mech, x0, x1, delta = _mechanisms(eps)[name]
    res = audit_mechanism(mech, x0, x1, eps, delta, n_samples=N_AUDIT, random_state=1)
    assert not res.violation, res
    assert res.epsilon_lower_bound <= eps


def test_audit_is_tight_on_laplace():
    # For Laplace the tail events reach the full privacy loss: the lower bound must come close to epsilon.
    res = audit_mechanism(lambda v, r: laplace_mechanism(v, 1.0, 1.0, r), 0.0, 1.0, 1.0,
                          n_samples=N_AUDIT, random_state=0)
    assert 0.85 < res.epsilon_lower_bound <= 1.0


@pytest.mark.parametrize("kind", ["laplace", "gaussian", "randomized_response"])
def test_audit_catches_broken_mechanisms(kind):
    eps = 1.0
    if kind == "laplace":  # noise 3x too small
        mech, x0, x1, delta = (lambda v, r: v + r.laplace(0, 1 / (3 * eps), v.shape)), 0.0, 1.0, 0.0
    elif kind == "gaussian":  # sigma calibrated for epsilon = 4
        sig = gaussian_sigma(1.0, 4 * eps, 1e-3)
        mech, x0, x1, delta = (lambda v, r: v + sig * r.standard_normal(v.shape)), 0.0, 1.0, 1e-3
    else:  # keeps the truth too often (calibrated for epsilon = 3)
        mech, x0, x1, delta = (lambda v, r: randomized_response(v.astype(int), 3 * eps, 2, r)), 0, 1, 0.0
    res = audit_mechanism(mech, x0, x1, eps, delta, n_samples=N_AUDIT, random_state=0)
    assert res.violation, res
    assert res.epsilon_lower_bound > 1.5 * eps


def test_gaussian_sigma_meets_the_exact_condition():
    for eps, delta in [(0.3, 1e-5), (1.0, 1e-6), (8.0, 1e-9)]:
        s = gaussian_sigma(2.0, eps, delta)
        a, b = 2.0 / (2 * s), eps * s / 2.0
        achieved = norm.cdf(a - b) - math.exp(eps) * norm.cdf(-a - b)
        assert achieved == pytest.approx(delta, rel=1e-6)
        # slightly less noise violates the condition
        s2 = 0.99 * s
        a, b = 2.0 / (2 * s2), eps * s2 / 2.0
        assert norm.cdf(a - b) - math.exp(eps) * norm.cdf(-a - b) > delta
    assert gaussian_sigma(1.0, 0.5, 1e-5) < gaussian_sigma(1.0, 0.5, 1e-5, calibration="classic")
    assert gaussian_sigma(1.0, 0.5, 1e-5, calibration="classic") == pytest.approx(
        math.sqrt(2 * math.log(1.25e5)) / 0.5)


def test_noise_moments_match_closed_forms():
    rng = np.random.default_rng(0)
    z = laplace_mechanism(np.zeros(200_000), 2.0, 0.5, rng)
    assert np.var(z) == pytest.approx(2 * (2.0 / 0.5) ** 2, rel=0.03)
    g = gaussian_mechanism(np.zeros(200_000), 1.0, 1.0, 1e-5, rng)
    assert np.std(g) == pytest.approx(gaussian_sigma(1.0, 1.0, 1e-5), rel=0.01)
    S = outer_product_mechanism(np.zeros((20_000, 3)), 1.0, 1.0, 1e-5, rng)
    sig = gaussian_sigma(math.sqrt(2.0), 1.0, 1e-5)
    assert np.std(S[:, 0, 0]) == pytest.approx(sig, rel=0.03)
    assert np.std(S[:, 0, 1]) == pytest.approx(sig / math.sqrt(2), rel=0.03)
    assert np.array_equal(S, S.transpose(0, 2, 1))
    r = randomized_response(np.zeros(200_000, dtype=int), 1.0, 3, rng)
    assert np.mean(r == 0) == pytest.approx(math.e / (math.e + 2), abs=0.005)
    assert np.mean(r == 1) == pytest.approx(np.mean(r == 2), abs=0.005)


def test_clipping_and_bounds():
    X = np.array([[3.0, 4.0], [0.3, 0.4]])
    np.testing.assert_allclose(np.linalg.norm(clip_l2(X, 1.0), axis=1), [1.0, 0.5])
    np.testing.assert_allclose(truncate([-3.0, 3.0], (0.0, 1.0)), [0.0, 1.0])
    with pytest.warns(PrivacyLeakWarning, match="computed from the data"):
        _, lo, hi = check_bounds(X)
    np.testing.assert_allclose(lo, [0.3, 0.4])
    with pytest.warns(UserWarning, match="outside the declared bounds"):
        Xb, _, _ = check_bounds(X, (0.0, 1.0))
    assert Xb.max() == 1.0
    with pytest.raises(ValueError, match="outside the declared bounds"):
        check_bounds(X, (0.0, 1.0), on_violation="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_bounds(X, (0.0, 10.0))


@pytest.mark.parametrize("call, match", [
    (lambda: laplace_mechanism([0.0], 1.0, 0.0), "epsilon must be > 0"),
    (lambda: laplace_mechanism([0.0], 1.0, -1.0), "epsilon must be > 0"),
    (lambda: gaussian_mechanism([0.0], 1.0, 1.0, 1.0), "delta must lie in"),
    (lambda: gaussian_mechanism([0.0], 1.0, 1.0, -0.1), "delta must lie in"),
    (lambda: gaussian_mechanism([0.0], 1.0, 1.0, 0.0), "delta must lie in"),
    (lambda: vector_mechanism([[1.0]], 0.0, 1.0, 1e-5), "radius must be > 0"),
    (lambda: clip_l2([[1.0]], -1.0), "radius must be > 0"),
    (lambda: laplace_mechanism([0.0], -2.0, 1.0), "sensitivity must be > 0"),
    (lambda: randomized_response([0, 5], 1.0, 3), "range"),
    (lambda: gaussian_sigma(1.0, 2.0, 1e-5, calibration="classic"), "epsilon < 1"),
])
def test_invalid_budgets_and_bounds_raise(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_accountant_and_composition():
    acc = BudgetAccountant(1.0, 1e-6)
    acc.spend(0.6, 5e-7, "a")
    assert not acc.check(0.5)
    with pytest.raises(BudgetExceededError, match="exceeds the budget"):
        acc.spend(0.5, 0.0, "b")
    acc.spend(0.4, 5e-7, "c")
    assert acc.remaining() == (0.0, 0.0)
    assert [h[2] for h in acc.history] == ["a", "c"]
    with pytest.raises(ValueError):
        BudgetAccountant(0.0)
    eps, dlt = advanced_composition(0.01, 1e-8, 1000, 1e-6)
    assert eps == pytest.approx(math.sqrt(2000 * math.log(1e6)) * 0.01 + 1000 * 0.01 * math.expm1(0.01))
    assert eps < 1000 * 0.01 and dlt == pytest.approx(1e-5 + 1e-6)
