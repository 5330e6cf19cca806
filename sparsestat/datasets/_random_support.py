"""Ill-conditioned designs with random-support sparse coefficients (preconditioned Lasso benchmarks)."""

import numpy as np

__all__ = ["make_ill_conditioned_regression"]


def make_ill_conditioned_regression(n_samples=200, n_features=200, n_nonzero=5, *, design="ar1", rho=0.99,
                                    pair_delta=1e-2, scale_decades=6.0, noise=0.1, random_state=None):
    r"""Regression on an ill-conditioned design with a uniformly random support.

    Designs: ``"ar1"`` (Gaussian rows with :math:`\mathrm{corr}(x_i,x_j)=\rho^{|i-j|}`),
    ``"near_duplicate"`` (:math:`x_{2i+1} = x_{2i} + \delta g_i`), ``"geometric_scales"`` (independent
    columns with scales spread geometrically over ``scale_decades`` decades). Non-zero coefficients are
    :math:`\pm 1` divided by the column scale (so every active column contributes comparably); the noise
    standard deviation is ``noise * ||X w|| / sqrt(n)``.

    Parameters
    ----------
    n_samples : int, default=200
        Rows ``N``.
    n_features : int, default=200
        Columns ``d``.
    n_nonzero : int, default=5
        Support size ``k`` (drawn uniformly at random).
    design : {"ar1", "near_duplicate", "geometric_scales"}, default="ar1"
        Design family.
    rho : float, default=0.99
        AR(1) correlation.
    pair_delta : float, default=1e-2
        Perturbation of the near-duplicate pairs.
    scale_decades : float, default=6.0
        Orders of magnitude spanned by the column scales.
    noise : float, default=0.1
        Noise level relative to the signal's root mean square.
    random_state : int, Generator or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Design.
    y : ndarray of shape (n_samples,)
        Response.
    coef : ndarray of shape (n_features,)
        True coefficients.

    Examples
    --------
    >>> from sparsestat.datasets import make_ill_conditioned_regression
    >>> X, y, w = make_ill_conditioned_regression(50, 20, 3, design="geometric_scales", random_state=0)
    >>> X.shape, int((w != 0).sum())
    ((50, 20), 3)
    """
    rng = np.random.default_rng(random_state)
    n, d, k = int(n_samples), int(n_features), int(n_nonzero)
    if not 1 <= k <= d:
        raise ValueError(f"n_nonzero must lie in [1, n_features={d}], got {k}.")
    G = rng.standard_normal((n, d))
    scales = np.ones(d)
    if design == "ar1":
        if not -1 < rho < 1:
            raise ValueError(f"rho must lie in (-1, 1), got {rho}.")
        X = np.empty_like(G)
        X[:, 0] = G[:, 0]
        for j in range(1, d):
            X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * G[:, j]
    elif design == "near_duplicate":
        X = G.copy()
        X[:, 1::2] = X[:, 0:d - 1:2][:, : X[:, 1::2].shape[1]] + pair_delta * rng.standard_normal((n, d // 2))
    elif design == "geometric_scales":
        scales = np.logspace(0, -scale_decades, d)[rng.permutation(d)]
        X = G * scales
    else:
        raise ValueError(f"design must be 'ar1', 'near_duplicate' or 'geometric_scales', got {design!r}.")
    coef = np.zeros(d)
    support = rng.choice(d, k, replace=False)
    coef[support] = rng.choice([-1.0, 1.0], k) / scales[support]
    signal = X @ coef
    sd = noise * np.linalg.norm(signal) / np.sqrt(n)
    return X, signal + sd * rng.standard_normal(n), coef
