"""Synthetic importance-sampled test campaigns for rare-event evaluation.

Two generators feed :mod:`sparsestat.variance_reduction`:

* :func:`make_rare_event_tests`, the calibrated benchmark of the sparse
  control variate (SCV) specification: a few "critical" scalar variables per
  test, nominal distribution N(0, 1), a defensive-mixture importance sampler
  and a crash threshold, with the exact rate in closed form;
* :func:`make_overtaking_tests`, an overtaking-flavoured car-following
  scenario with a high-dimensional state, where only the lead vehicle's
  actions at the few safety-critical moments are importance sampled.
"""

import numbers

import numpy as np
from scipy.special import ndtr
from scipy.stats import binom
from sklearn.utils import Bunch, check_random_state

from sparsestat.utils._validation import check_positive_int, check_probability

__all__ = ["make_rare_event_tests", "make_overtaking_tests"]

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)


def _norm_logpdf(x, loc=0.0):
    return -0.5 * (x - loc) ** 2 - _LOG_SQRT_2PI


def _check_real(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}.")
    return float(value)


def _ragged(test_index, values, n_tests):
    """Split flat per-variable arrays (sorted by test) into a list per test."""
    counts = np.bincount(test_index, minlength=n_tests)
    return counts, np.split(values, np.cumsum(counts)[:-1])


def make_rare_event_tests(
    n_tests=2000,
    *,
    threshold=-2.0,
    n_steps=20,
    critical_prob=0.05,
    defensive_weight=0.5,
    proposal_shift=-2.0,
    sampler="importance",
    dependent=False,
    escalated_prob=0.15,
    escalation_level=-1.0,
    random_state=None,
):
    r"""Generate importance-sampled tests of a rare event driven by sparse critical variables.

    Each test runs ``n_steps`` steps. At each step a criticality model flags
    the step as critical with probability ``critical_prob``; a critical step
    draws a scalar :math:`x_j`. The naturalistic (nominal) distribution is
    :math:`p = N(0, 1)`; the importance sampler draws critical values from the
    defensive mixture

    .. math::

        q = \varepsilon\, N(0, 1) + (1 - \varepsilon)\, N(\delta, 1),

    with :math:`\varepsilon` = ``defensive_weight`` and :math:`\delta` =
    ``proposal_shift``, so the likelihood ratio of a test is
    :math:`W = \prod_j p(x_j) / q(x_j)` over its critical variables only. The
    test "crashes" (:math:`A = 1`) when some :math:`x_j < c`, ``c`` =
    ``threshold``. With ``dependent=False`` the number of critical variables is
    :math:`n \sim \mathrm{Binomial}(T, \rho)` and the exact rate is

    .. math::

        \mu = 1 - (1 - \rho\, \Phi(c))^T.

    With ``dependent=True`` the criticality rate becomes ``escalated_prob``
    after a critical value below ``escalation_level`` (and returns to
    ``critical_prob`` after one above it), so which steps are critical depends
    on earlier sampled values, the situation of naturalistic-and-adversarial
    driving environments; the exact rate is then computed by a two-state
    dynamic programme.

    Parameters
    ----------
    n_tests : int, default=2000
        Number of tests N.
    threshold : float, default=-2.0
        Crash threshold c (unknown to the evaluator in practice).
    n_steps : int, default=20
        Number of steps T of a test.
    critical_prob : float in [0, 1], default=0.05
        Probability :math:`\rho` that a step is critical.
    defensive_weight : float in (0, 1], default=0.5
        Weight :math:`\varepsilon` of the nominal component of the sampler.
    proposal_shift : float, default=-2.0
        Mean :math:`\delta` of the adversarial component of the sampler.
    sampler : {"importance", "crude"}, default="importance"
        ``"crude"`` draws critical values from the nominal distribution
        (plain Monte Carlo, all likelihood ratios equal to one).
    dependent : bool, default=False
        Whether the criticality rate depends on earlier critical values.
    escalated_prob : float in [0, 1], default=0.15
        Criticality rate after a critical value below ``escalation_level``
        (``dependent=True`` only).
    escalation_level : float, default=-1.0
        Level below which a critical value escalates the criticality rate.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With keys ``outcomes`` (N,) crash indicators, ``likelihood_ratios``
        (N,) W, ``critical_values`` (list of N 1-D arrays), ``critical_ratios``
        (list of N 1-D arrays of the per-variable ratios :math:`p/q`),
        ``n_critical`` (N,) counts, ``stratum_probs`` (the law of n under the
        sampler, ``None`` when ``dependent=True`` because it then depends on
        the sampler) and ``true_rate`` (the exact :math:`\mu`).

    References
    ----------
    .. [1] J. Yang, H. Sun, H. He, Y. Zhang, S. Feng, H. X. Liu, "Adaptive
       Safety Evaluation for Connected and Automated Vehicles with Sparse
       Control Variates", arXiv:2212.00517.
    .. [2] S. Feng et al., "Intelligent driving intelligence test for
       autonomous vehicles with naturalistic and adversarial environment",
       Nature Communications 12, 748 (2021).

    Examples
    --------
    >>> from sparsestat.datasets import make_rare_event_tests
    >>> data = make_rare_event_tests(1000, threshold=-2.5, random_state=0)
    >>> data.outcomes.shape, len(data.critical_values)
    ((1000,), 1000)
    >>> round(data.true_rate, 5)
    0.00619
    """
    n_tests = check_positive_int(n_tests, "n_tests")
    n_steps = check_positive_int(n_steps, "n_steps")
    c = _check_real(threshold, "threshold")
    rho = check_probability(critical_prob, "critical_prob")
    rho_hi = check_probability(escalated_prob, "escalated_prob")
    eps = check_probability(defensive_weight, "defensive_weight", closed=(False, True))
    shift = _check_real(proposal_shift, "proposal_shift")
    level = _check_real(escalation_level, "escalation_level")
    if sampler not in ("importance", "crude"):
        raise ValueError(f"sampler must be 'importance' or 'crude', got {sampler!r}.")
    rng = check_random_state(random_state)

    escalated = np.zeros(n_tests, dtype=bool)
    idx_parts, x_parts = [], []
    for _ in range(n_steps):
        rate = np.where(escalated, rho_hi, rho) if dependent else np.full(n_tests, rho)
        crit = np.flatnonzero(rng.random_sample(n_tests) < rate)
        x = rng.standard_normal(crit.size)
        if sampler == "importance":
            x += np.where(rng.random_sample(crit.size) >= eps, shift, 0.0)
        if dependent:
            escalated[crit] = x < level
        idx_parts.append(crit)
        x_parts.append(x)
    idx = np.concatenate(idx_parts)
    x = np.concatenate(x_parts)
    order = np.argsort(idx, kind="stable")  # per test, in time order
    idx, x = idx[order], x[order]
    if sampler == "importance":
        log_p = _norm_logpdf(x)
        log_q = np.logaddexp(np.log(eps) + log_p, np.log1p(-eps) + _norm_logpdf(x, shift)) if eps < 1 else log_p
        log_r = log_p - log_q
    else:
        log_r = np.zeros_like(x)
    W = np.exp(np.bincount(idx, log_r, minlength=n_tests))
    A = np.zeros(n_tests)
    A[idx[x < c]] = 1.0
    counts, values = _ragged(idx, x, n_tests)
    _, ratios = _ragged(idx, np.exp(log_r), n_tests)

    pc = float(ndtr(c))
    if dependent:
        # two-state DP under the nominal law: v[e] = P(no crash so far, escalated == e)
        p_low = max(float(ndtr(level)) - pc, 0.0)
        p_high = 1.0 - max(float(ndtr(level)), pc)
        v = np.array([1.0, 0.0])
        for _ in range(n_steps):
            r = np.array([rho, rho_hi])
            stay = v * (1.0 - r)
            v = stay + np.array([(v * r * p_high).sum(), (v * r * p_low).sum()])
        true_rate = float(1.0 - v.sum())
        stratum_probs = None
    else:
        true_rate = float(-np.expm1(n_steps * np.log1p(-rho * pc)))
        stratum_probs = binom.pmf(np.arange(n_steps + 1), n_steps, rho)
    return Bunch(
        outcomes=A,
        likelihood_ratios=W,
        critical_values=values,
        critical_ratios=ratios,
        n_critical=counts,
        stratum_probs=stratum_probs,
        true_rate=true_rate,
    )


def _overtaking_paths(rng, n_tests, n_steps, n_background, window, speed_noise):
    """Ego's longitudinal offset to the lead BV during the overtaking, and background traffic."""
    t = np.arange(n_steps)
    drift = -30.0 + 60.0 * t / max(n_steps - 1, 1)
    offset = drift + np.cumsum(rng.normal(0.0, speed_noise, (n_tests, n_steps)), axis=1)
    crit = np.abs(offset) < window
    bg = rng.normal(0.0, 1.0, (n_tests, n_steps, 2 * n_background)).cumsum(axis=1) if n_background else None
    return offset, crit, bg


def make_overtaking_tests(
    n_tests=2000,
    *,
    n_steps=40,
    n_background=6,
    window=3.0,
    speed_noise=1.5,
    crash_level=-3.0,
    crash_slope=0.3,
    defensive_weight=0.5,
    proposal_shift=-2.5,
    sampler="importance",
    n_truth=100_000,
    random_state=None,
):
    r"""Generate importance-sampled overtaking tests with a high-dimensional state.

    An automated ego vehicle overtakes a lead background vehicle (BV) over
    ``n_steps`` steps: its longitudinal offset to the BV drifts from -30 m to
    +30 m with random-walk speed noise, while ``n_background`` more vehicles
    add two state dimensions each, so a test carries
    ``n_steps * (1 + 2 * n_background)`` state numbers. Only the steps where
    the ego is alongside the BV (offset :math:`|s_t|` < ``window``) are
    critical: there the BV's lateral cut-in acceleration :math:`a_t`
    (naturalistic law :math:`N(0, 1)`) is drawn from the defensive mixture

    .. math::

        q = \varepsilon\, N(0, 1) + (1 - \varepsilon)\, N(\delta, 1),

    so the likelihood ratio involves only those few variables. The test
    crashes when some critical :math:`a_t < \ell - k |s_t|` (``crash_level``
    :math:`\ell`, ``crash_slope`` :math:`k`): the outcome depends on the
    critical actions *and* on the non-critical state, so control variates on
    the actions alone explain most, not all, of it. The number of critical
    steps depends only on the ego's motion, not on the sampled actions, so the
    stratified sparse control variates are unbiased here.

    Parameters
    ----------
    n_tests : int, default=2000
        Number of tests.
    n_steps : int, default=40
        Number of time steps.
    n_background : int, default=6
        Number of non-critical background vehicles (state dimensions only).
    window : float, default=3.0
        Offset (m) within which a step is critical.
    speed_noise : float, default=1.5
        Standard deviation (m) of the per-step offset noise.
    crash_level : float, default=-3.0
        Crash threshold :math:`\ell` of the cut-in acceleration at offset 0.
    crash_slope : float, default=0.3
        How much the threshold drops per metre of offset.
    defensive_weight : float in (0, 1], default=0.5
        Weight :math:`\varepsilon` of the naturalistic component.
    proposal_shift : float, default=-2.5
        Mean :math:`\delta` of the adversarial component.
    sampler : {"importance", "crude"}, default="importance"
        ``"crude"`` samples every action from the naturalistic law.
    n_truth : int, default=100000
        Number of extra state paths used to compute ``true_rate`` by
        conditional (Rao-Blackwellised) Monte Carlo: given a path, the crash
        probability is :math:`1 - \prod_t (1 - \Phi(\ell - k|s_t|))` exactly.
        0 skips it.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With keys ``outcomes``, ``likelihood_ratios``, ``critical_values``
        (list of 1-D arrays of critical actions), ``critical_ratios``,
        ``n_critical``, ``states`` of shape (n_tests, n_steps,
        1 + 2 * n_background), ``true_rate`` and ``true_rate_stderr`` (its
        Monte Carlo standard error, ``nan`` when ``n_truth=0``).

    References
    ----------
    .. [1] J. Yang, H. He, Y. Zhang, S. Feng, H. X. Liu, "Adaptive Testing for
       Connected and Automated Vehicles with Sparse Control Variates in
       Overtaking Scenarios", arXiv:2207.09259 (ITSC 2022).

    Examples
    --------
    >>> from sparsestat.datasets import make_overtaking_tests
    >>> data = make_overtaking_tests(200, n_truth=0, random_state=0)
    >>> data.states.shape
    (200, 40, 13)
    >>> bool((data.n_critical < 40).all())
    True
    """
    n_tests = check_positive_int(n_tests, "n_tests")
    n_steps = check_positive_int(n_steps, "n_steps")
    n_background = check_positive_int(n_background, "n_background", minimum=0)
    n_truth = check_positive_int(n_truth, "n_truth", minimum=0)
    window = _check_real(window, "window")
    noise = _check_real(speed_noise, "speed_noise")
    level = _check_real(crash_level, "crash_level")
    slope = _check_real(crash_slope, "crash_slope")
    shift = _check_real(proposal_shift, "proposal_shift")
    eps = check_probability(defensive_weight, "defensive_weight", closed=(False, True))
    if window <= 0 or noise < 0:
        raise ValueError(f"window must be > 0 and speed_noise >= 0, got {window} and {noise}.")
    if sampler not in ("importance", "crude"):
        raise ValueError(f"sampler must be 'importance' or 'crude', got {sampler!r}.")
    rng = check_random_state(random_state)

    offset, crit, bg = _overtaking_paths(rng, n_tests, n_steps, n_background, window, noise)
    idx, step = np.nonzero(crit)  # row-major: sorted by test, then time
    a = rng.standard_normal(idx.size)
    if sampler == "importance":
        a += np.where(rng.random_sample(idx.size) >= eps, shift, 0.0)
        log_p = _norm_logpdf(a)
        log_q = np.logaddexp(np.log(eps) + log_p, np.log1p(-eps) + _norm_logpdf(a, shift)) if eps < 1 else log_p
        log_r = log_p - log_q
    else:
        log_r = np.zeros_like(a)
    W = np.exp(np.bincount(idx, log_r, minlength=n_tests))
    crash = a < level - slope * np.abs(offset[idx, step])
    A = np.zeros(n_tests)
    A[idx[crash]] = 1.0
    counts, values = _ragged(idx, a, n_tests)
    _, ratios = _ragged(idx, np.exp(log_r), n_tests)
    states = offset[:, :, None] if bg is None else np.concatenate([offset[:, :, None], bg], axis=2)

    true_rate, true_se = float("nan"), float("nan")
    if n_truth:
        rates = []
        for start in range(0, n_truth, 20_000):
            off, cr, _ = _overtaking_paths(rng, min(20_000, n_truth - start), n_steps, 0, window, noise)
            log_safe = np.where(cr, np.log1p(-ndtr(level - slope * np.abs(off))), 0.0).sum(axis=1)
            rates.append(-np.expm1(log_safe))
        rates = np.concatenate(rates)
        true_rate, true_se = float(rates.mean()), float(rates.std(ddof=1) / np.sqrt(rates.size))
    return Bunch(
        outcomes=A,
        likelihood_ratios=W,
        critical_values=values,
        critical_ratios=ratios,
        n_critical=counts,
        states=states,
        true_rate=true_rate,
        true_rate_stderr=true_se,
    )
