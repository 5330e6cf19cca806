"""A small privacy-budget accountant (basic sequential composition) and the advanced composition bound."""

import math

from sparsestat.privacy._mechanisms import _check_delta, _check_epsilon

__all__ = ["BudgetAccountant", "BudgetExceededError", "advanced_composition"]


class BudgetExceededError(ValueError):
    """Raised when a spend would exceed the accountant's budget.

    Examples
    --------
    >>> from sparsestat.privacy import BudgetExceededError
    >>> issubclass(BudgetExceededError, ValueError)
    True
    """


class BudgetAccountant:
    """Track (epsilon, delta) spent by one user's releases under basic sequential composition.

    In the local model each user holds an accountant: releases on the same user's data add up
    (``sum eps_i``, ``sum delta_i``); releases by different users (disjoint groups) do not.

    Parameters
    ----------
    epsilon : float, default=inf
        Total epsilon allowed (> 0).
    delta : float, default=0.0
        Total delta allowed, in [0, 1).

    Attributes
    ----------
    spent : tuple of (float, float)
        (epsilon, delta) spent so far.
    history : list of tuple
        Each spend as ``(epsilon, delta, label)``.

    Examples
    --------
    >>> from sparsestat.privacy import BudgetAccountant
    >>> acc = BudgetAccountant(1.0, 1e-6)
    >>> acc.spend(0.5, 5e-7, "covariance")
    >>> acc.spend(0.5, 5e-7, "correlation")
    >>> acc.remaining()
    (0.0, 0.0)
    """

    def __init__(self, epsilon=math.inf, delta=0.0):
        self.epsilon = math.inf if epsilon == math.inf else _check_epsilon(epsilon)
        self.delta = _check_delta(delta)
        self.history = []

    @property
    def spent(self):
        """(epsilon, delta) spent so far (basic composition)."""
        return (sum(e for e, _, _ in self.history), sum(d for _, d, _ in self.history))

    def remaining(self):
        """Budget left.

        Returns
        -------
        remaining : tuple of (float, float)
            ``(epsilon, delta)`` still available (rounded to 12 digits).
        """
        eps, dlt = self.spent
        return (round(self.epsilon - eps, 12), round(self.delta - dlt, 12))

    def check(self, epsilon, delta=0.0):
        """Whether a spend of (epsilon, delta) fits in the remaining budget.

        Parameters
        ----------
        epsilon : float
            Epsilon of the intended release.
        delta : float, default=0.0
            Delta of the intended release.

        Returns
        -------
        fits : bool
            True when the spend fits (up to a relative tolerance of 1e-9).
        """
        eps = _check_epsilon(epsilon)
        dlt = _check_delta(delta)
        s_eps, s_dlt = self.spent
        tol = 1e-9
        return s_eps + eps <= self.epsilon * (1 + tol) and s_dlt + dlt <= self.delta * (1 + tol) + 1e-300

    def spend(self, epsilon, delta=0.0, label=""):
        """Record a release, raising :class:`BudgetExceededError` when it does not fit.

        Parameters
        ----------
        epsilon : float
            Epsilon of the release.
        delta : float, default=0.0
            Delta of the release.
        label : str, default=""
            What was released (kept in ``history``).
        """
        if not self.check(epsilon, delta):
            raise BudgetExceededError(
                f"Spending (epsilon={epsilon}, delta={delta}) for {label or 'a release'} exceeds the budget: "
                f"spent {self.spent} of ({self.epsilon}, {self.delta})."
            )
        self.history.append((float(epsilon), float(delta), label))

    def __repr__(self):
        return f"BudgetAccountant(epsilon={self.epsilon}, delta={self.delta}, spent={self.spent})"


def advanced_composition(epsilon, delta, n_compositions, delta_prime):
    r"""Total budget of ``k`` adaptive (epsilon, delta) releases by the advanced composition theorem.

    .. math::

        \varepsilon_{tot} = \sqrt{2k\log(1/\delta')}\,\varepsilon + k\varepsilon(e^\varepsilon-1),\qquad
        \delta_{tot} = k\delta + \delta'.

    Parameters
    ----------
    epsilon : float
        Per-release epsilon.
    delta : float
        Per-release delta.
    n_compositions : int
        Number ``k`` of releases.
    delta_prime : float
        Slack :math:`\delta'` in (0, 1).

    Returns
    -------
    epsilon_total, delta_total : float
        The composed budget.

    References
    ----------
    .. [1] C. Dwork, G. Rothblum, S. Vadhan, "Boosting and differential privacy", FOCS 2010.

    Examples
    --------
    >>> from sparsestat.privacy import advanced_composition
    >>> eps, dlt = advanced_composition(0.1, 0.0, 100, 1e-6)
    >>> eps < 100 * 0.1
    True
    """
    eps = _check_epsilon(epsilon)
    dlt = _check_delta(delta)
    dp = _check_delta(delta_prime, "delta_prime", allow_zero=False)
    k = int(n_compositions)
    if k < 1:
        raise ValueError(f"n_compositions must be >= 1, got {n_compositions}.")
    eps_tot = math.sqrt(2 * k * math.log(1 / dp)) * eps + k * eps * math.expm1(eps)
    return eps_tot, k * dlt + dp
