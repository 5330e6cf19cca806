"""Local differential privacy: randomisers, bound handling, budget accounting and an empirical audit.

Used by :class:`sparsestat.linear_model.LDPSparseRegression`; usable on its own by the users' side of a
local-privacy deployment.
"""

from sparsestat.privacy._accountant import BudgetAccountant, BudgetExceededError, advanced_composition
from sparsestat.privacy._audit import AuditResult, audit_mechanism
from sparsestat.privacy._mechanisms import (
    PrivacyLeakWarning,
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

__all__ = [
    "AuditResult",
    "BudgetAccountant",
    "BudgetExceededError",
    "PrivacyLeakWarning",
    "advanced_composition",
    "audit_mechanism",
    "check_bounds",
    "clip_l2",
    "gaussian_mechanism",
    "gaussian_sigma",
    "laplace_mechanism",
    "outer_product_mechanism",
    "randomized_response",
    "truncate",
    "vector_mechanism",
]
