"""Empirical privacy audit: a statistically valid lower bound on the epsilon a mechanism really spends."""

import math
from dataclasses import dataclass

import numpy as np

from sparsestat.privacy._mechanisms import _check_delta, _check_epsilon, _rng

__all__ = ["AuditResult", "audit_mechanism"]


@dataclass
class AuditResult:
    """Outcome of :func:`audit_mechanism`.

    Parameters
    ----------
    epsilon : float
        The claimed epsilon.
    delta : float
        The claimed delta.
    epsilon_lower_bound : float
        Largest lower confidence bound of the privacy loss over the events tested: with probability
        at least ``confidence`` the mechanism is *not* (epsilon', delta)-DP for any epsilon' below it.
    epsilon_estimate : float
        Largest point estimate of the log-ratio over the same events (biased upwards by the maximum).
    violation : bool
        ``epsilon_lower_bound > epsilon``: the claim is refuted at the given confidence.
    event : str
        The event that gave ``epsilon_lower_bound``.
    n_events : int
        Number of events tested (the Bonferroni correction uses it).
    confidence : float
        Joint confidence level.

    Examples
    --------
    >>> from sparsestat.privacy import AuditResult
    >>> AuditResult(1.0, 0.0, 0.8, 0.9, False, "s > 0", 10, 0.95).violation
    False
    """

    epsilon: float
    delta: float
    epsilon_lower_bound: float
    epsilon_estimate: float
    violation: bool
    event: str
    n_events: int
    confidence: float


def _cp_lower(k, n, alpha):
    from scipy.stats import beta

    return np.where(k > 0, beta.ppf(alpha, np.maximum(k, 1), n - k + 1), 0.0)


def _cp_upper(k, n, alpha):
    from scipy.stats import beta

    return np.where(k < n, beta.ppf(1 - alpha, k + 1, np.maximum(n - k, 1)), 1.0)


def _scores(mechanism, x, m, rng, direction):
    batch = np.broadcast_to(np.asarray(x, dtype=float), (m,) + np.shape(x))
    out = np.asarray(mechanism(np.array(batch), rng), dtype=float).reshape(m, -1)
    return out if direction is None else out @ direction


def audit_mechanism(mechanism, x0, x1, epsilon, delta=0.0, *, n_samples=200_000, n_thresholds=40,
                    confidence=0.95, random_state=None):
    r"""Audit a randomiser on two neighbouring inputs: lower-bound the privacy loss from samples.

    For any event :math:`E` an :math:`(\varepsilon,\delta)`-DP mechanism satisfies
    :math:`P(M(x_0)\in E) \le e^\varepsilon P(M(x_1)\in E) + \delta`, so

    .. math::

        \hat\varepsilon_{lb} = \max_E \log\frac{\underline{P}(E) - \delta}{\overline{Q}(E)}

    with one-sided Clopper–Pearson bounds :math:`\underline P, \overline Q` (Bonferroni-corrected over all
    events and both orders of the inputs) is a lower bound of the true epsilon with probability at least
    ``confidence``. Outputs are projected on the direction of the difference of their means, estimated on
    a separate pilot sample, so the events do not depend on the audited sample (projection is
    post-processing, so a violation found on it is a real violation). Events are half-lines
    ``{s > t}``, ``{s <= t}`` at pilot quantiles, and single values when the output is discrete.

    Parameters
    ----------
    mechanism : callable
        ``mechanism(batch, rng) -> outputs``: ``batch`` has shape ``(m,) + shape(x0)`` (m copies of one
        user's input), ``rng`` is a ``numpy.random.Generator``; returns m independent reports.
    x0, x1 : array-like
        Two neighbouring inputs (in the local model: any two values of one user).
    epsilon : float
        The claimed epsilon, > 0.
    delta : float, default=0.0
        The claimed delta, in [0, 1).
    n_samples : int, default=200_000
        Reports drawn from each input for the test (a fifth more for the pilot).
    n_thresholds : int, default=40
        Pilot quantiles used as thresholds.
    confidence : float, default=0.95
        Joint confidence of the lower bound.
    random_state : int, Generator or None, default=None
        Seed.

    Returns
    -------
    result : AuditResult
        The lower bound, the point estimate and whether the claim is violated.

    References
    ----------
    .. [1] M. Jagielski, J. Ullman, A. Oprea, "Auditing differentially private machine learning: how private
       is private SGD?", NeurIPS 2020.
    .. [2] Z. Ding, Y. Wang, G. Wang, D. Zhang, D. Kifer, "Detecting violations of differential privacy",
       CCS 2018.

    Examples
    --------
    >>> from sparsestat.privacy import audit_mechanism, laplace_mechanism
    >>> mech = lambda v, rng: laplace_mechanism(v, 1.0, 1.0, rng)
    >>> audit_mechanism(mech, 0.0, 1.0, epsilon=1.0, n_samples=20_000, random_state=0).violation
    False
    """
    eps = _check_epsilon(epsilon)
    dlt = _check_delta(delta)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}.")
    n_samples = int(n_samples)
    if n_samples < 100:
        raise ValueError(f"n_samples must be >= 100, got {n_samples}.")
    rng = _rng(random_state)
    m_pilot = max(100, n_samples // 5)
    p0 = _scores(mechanism, x0, m_pilot, rng, None)
    p1 = _scores(mechanism, x1, m_pilot, rng, None)
    direction = p1.mean(axis=0) - p0.mean(axis=0)
    if not np.any(direction):
        direction = np.ones(p0.shape[1])
    s_pilot = np.concatenate([p0 @ direction, p1 @ direction])
    values = np.unique(s_pilot)
    discrete = values.size <= 64
    tail = np.array([1e-3, 3e-3, 1e-2, 3e-2])
    levels = np.unique(np.concatenate([tail, np.linspace(0.05, 0.95, n_thresholds), 1 - tail]))
    thresholds = np.unique(np.quantile(s_pilot, levels))

    s0 = _scores(mechanism, x0, n_samples, rng, direction)
    s1 = _scores(mechanism, x1, n_samples, rng, direction)

    def counts(s):
        srt = np.sort(s)
        le = np.searchsorted(srt, thresholds, side="right")
        c = [n_samples - le, le]
        if discrete:
            c.append(np.searchsorted(srt, values, side="right") - np.searchsorted(srt, values, side="left"))
        return np.concatenate(c)

    names = [f"s > {t:.4g}" for t in thresholds] + [f"s <= {t:.4g}" for t in thresholds]
    if discrete:
        names += [f"s == {v:.4g}" for v in values]
    c0, c1 = counts(s0), counts(s1)
    n_events = c0.size
    alpha = (1 - confidence) / (4 * n_events)  # two bounds per ratio, two orders, all events
    best_lb, best_est, best_event = -math.inf, -math.inf, ""
    for cp, cq, order in ((c0, c1, "x0 vs x1"), (c1, c0, "x1 vs x0")):
        p_lo = _cp_lower(cp, n_samples, alpha) - dlt
        q_hi = _cp_upper(cq, n_samples, alpha)
        with np.errstate(divide="ignore", invalid="ignore"):
            lb = np.where(p_lo > 0, np.log(np.maximum(p_lo, 1e-300) / q_hi), -math.inf)
            p_hat, q_hat = cp / n_samples - dlt, cq / n_samples
            est = np.where((p_hat > 0) & (q_hat > 0), np.log(np.maximum(p_hat, 1e-300) / np.maximum(q_hat, 1e-300)),
                           -math.inf)
        i = int(np.argmax(lb))
        if lb[i] > best_lb:
            best_lb, best_event = float(lb[i]), f"{names[i]} ({order})"
        best_est = max(best_est, float(np.max(est)))
    return AuditResult(eps, dlt, best_lb, best_est, bool(best_lb > eps), best_event, int(n_events), confidence)
