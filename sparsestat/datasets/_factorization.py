"""Generators for matrix factorisation: ratings with missing entries and hyperspectral scenes."""

import numpy as np
from sklearn.utils import check_random_state

from sparsestat.utils._validation import check_positive_int, check_probability

__all__ = ["make_ratings", "make_hyperspectral"]


def make_ratings(n_users=500, n_items=300, n_components=8, *, kind="binary", density=0.1, missing="uniform",
                 mnar_strength=1.0, noise=0.3, rating_scale=(1, 5), random_state=None):
    """Generate a low-rank non-negative rating matrix with missing entries.

    The complete matrix is :math:`V = W^* H^* + \\varepsilon` with :math:`W^* \\sim \\mathrm{Gamma}(2, 1)`
    and :math:`H^*` Bernoulli(0.3) (``kind="binary"``, the NBMF model) or Gamma(2, 1) / k
    (``kind="nonnegative"``), Gaussian noise of standard deviation ``noise``, then rounded and clipped
    to ``rating_scale`` (when not None). A fraction ``density`` of the entries is observed, uniformly
    at random or missing-not-at-random (popular items and high ratings are observed more often);
    every user and item keeps at least one rating.

    Parameters
    ----------
    n_users : int, default=500
        Rows.
    n_items : int, default=300
        Columns.
    n_components : int, default=8
        Rank of the model.
    kind : {"binary", "nonnegative"}, default="binary"
        Distribution of the item factors.
    density : float in (0, 1], default=0.1
        Expected fraction of observed entries.
    missing : {"uniform", "mnar"}, default="uniform"
        Missingness mechanism.
    mnar_strength : float, default=1.0
        For ``missing="mnar"``: log-odds increase of being observed per standard deviation of the
        rating (plus a Zipf-like item popularity).
    noise : float, default=0.3
        Standard deviation of the Gaussian noise.
    rating_scale : tuple of (int, int) or None, default=(1, 5)
        Round and clip to this range; None keeps continuous (clipped at 0) values.
    random_state : int, RandomState or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_users, n_items)
        Observed ratings, NaN where missing.
    X_full : ndarray of shape (n_users, n_items)
        The complete rating matrix.
    W : ndarray of shape (n_users, n_components)
        True user factors.
    H : ndarray of shape (n_components, n_items)
        True item factors.

    Examples
    --------
    >>> from sparsestat.datasets import make_ratings
    >>> X, X_full, W, H = make_ratings(50, 40, 3, density=0.2, random_state=0)
    >>> X.shape, bool(0.1 < (~np.isnan(X)).mean() < 0.35)
    ((50, 40), True)
    """
    n_users = check_positive_int(n_users, "n_users")
    n_items = check_positive_int(n_items, "n_items")
    k = check_positive_int(n_components, "n_components")
    density = check_probability(density, "density", closed=(False, True))
    if kind not in ("binary", "nonnegative"):
        raise ValueError(f"kind must be 'binary' or 'nonnegative', got {kind!r}.")
    if missing not in ("uniform", "mnar"):
        raise ValueError(f"missing must be 'uniform' or 'mnar', got {missing!r}.")
    rng = check_random_state(random_state)
    W = rng.gamma(2.0, 1.0, size=(n_users, k))
    if kind == "binary":
        H = (rng.random_sample((k, n_items)) < 0.3).astype(np.float64)
    else:
        H = rng.gamma(2.0, 1.0, size=(k, n_items)) / k
    V = W @ H + noise * rng.standard_normal((n_users, n_items))
    if rating_scale is not None:
        lo, hi = rating_scale
        V = np.clip(np.round(V), lo, hi)
    else:
        V = np.maximum(V, 0.0)
    if missing == "uniform":
        obs = rng.random_sample(V.shape) < density
    else:
        pop = -np.log(np.arange(1, n_items + 1)[rng.permutation(n_items)])
        z = (V - V.mean()) / max(V.std(), 1e-12)
        logits = mnar_strength * z + 0.5 * pop[None, :]
        # shift so that the mean observation probability equals density (bisection on the offset)
        lo_b, hi_b = -50.0, 50.0
        for _ in range(60):
            mid = 0.5 * (lo_b + hi_b)
            if np.mean(1.0 / (1.0 + np.exp(-(logits + mid)))) < density:
                lo_b = mid
            else:
                hi_b = mid
        obs = rng.random_sample(V.shape) < 1.0 / (1.0 + np.exp(-(logits + lo_b)))
    obs[np.arange(n_users), rng.randint(0, n_items, n_users)] = True
    obs[rng.randint(0, n_users, n_items), np.arange(n_items)] = True
    X = np.where(obs, V, np.nan)
    return X, V, W, H


def _smooth_field(rng, shape, length_scale):
    from scipy.ndimage import gaussian_filter

    f = gaussian_filter(rng.standard_normal(shape), length_scale, mode="wrap")
    return (f - f.mean()) / max(f.std(), 1e-12)


def make_hyperspectral(n_rows=32, n_cols=32, n_bands=100, n_endmembers=4, *, snr=30.0, n_corrupted_bands=0,
                       corrupted_snr=0.0, length_scale=4.0, temperature=0.5, random_state=None):
    """Generate a linear-mixing hyperspectral scene with smooth endmembers and abundance maps.

    Endmembers are smooth spectra in [0, 1] (a baseline plus 3-6 Gaussian bumps). Abundance maps are
    spatially smooth Gaussian random fields (Gaussian-filtered white noise, ``length_scale`` pixels)
    passed through a softmax with ``temperature``, so they are non-negative, sum to one and are
    sparse-ish at low temperature. The pixels :math:`x = A e + \\varepsilon` get white Gaussian noise at
    ``snr`` dB; ``n_corrupted_bands`` random bands get much stronger noise (``corrupted_snr`` dB
    relative to that band's signal). Negative values are clipped to 0.

    Parameters
    ----------
    n_rows : int, default=32
        Image rows.
    n_cols : int, default=32
        Image columns.
    n_bands : int, default=100
        Spectral bands L.
    n_endmembers : int, default=4
        Endmembers K.
    snr : float, default=30.0
        Signal-to-noise ratio in dB of the clean bands (``np.inf``: no noise).
    n_corrupted_bands : int, default=0
        Number of corrupted bands.
    corrupted_snr : float, default=0.0
        SNR in dB of the corrupted bands.
    length_scale : float, default=4.0
        Spatial smoothness (pixels) of the abundance fields.
    temperature : float, default=0.5
        Softmax temperature (lower: purer pixels).
    random_state : int, RandomState or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_rows * n_cols, n_bands)
        Pixel spectra (row-major pixel order).
    endmembers : ndarray of shape (n_endmembers, n_bands)
        True endmember spectra.
    abundances : ndarray of shape (n_rows * n_cols, n_endmembers)
        True abundances (rows sum to one).
    corrupted : ndarray of shape (n_bands,), dtype bool
        Which bands are corrupted.

    Examples
    --------
    >>> from sparsestat.datasets import make_hyperspectral
    >>> X, E, A, bad = make_hyperspectral(8, 8, 30, 3, n_corrupted_bands=2, random_state=0)
    >>> X.shape, E.shape, A.shape, int(bad.sum())
    ((64, 30), (3, 30), (64, 3), 2)
    """
    n_rows = check_positive_int(n_rows, "n_rows")
    n_cols = check_positive_int(n_cols, "n_cols")
    L = check_positive_int(n_bands, "n_bands")
    K = check_positive_int(n_endmembers, "n_endmembers")
    n_bad = check_positive_int(n_corrupted_bands, "n_corrupted_bands", minimum=0)
    if n_bad > L:
        raise ValueError(f"n_corrupted_bands={n_bad} exceeds n_bands={L}.")
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}.")
    rng = check_random_state(random_state)
    grid = np.linspace(0.0, 1.0, L)
    E = np.empty((K, L))
    for r in range(K):
        spec = 0.05 + 0.1 * rng.random_sample() * np.ones(L)
        for _ in range(rng.randint(3, 7)):
            c, w, h = rng.random_sample(), 0.03 + 0.15 * rng.random_sample(), 0.2 + rng.random_sample()
            spec += h * np.exp(-0.5 * ((grid - c) / w) ** 2)
        E[r] = spec / spec.max()
    fields = np.stack([_smooth_field(rng, (n_rows, n_cols), length_scale) for _ in range(K)], axis=-1)
    logits = fields.reshape(-1, K) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    A = np.exp(logits)
    A /= A.sum(axis=1, keepdims=True)
    Y = A @ E
    X = Y.copy()
    if np.isfinite(snr):
        sigma = np.sqrt(np.mean(Y**2) / 10 ** (snr / 10.0))
        X += sigma * rng.standard_normal(Y.shape)
    corrupted = np.zeros(L, dtype=bool)
    if n_bad:
        bad = rng.choice(L, n_bad, replace=False)
        corrupted[bad] = True
        for b in bad:
            sigma_b = np.sqrt(np.mean(Y[:, b] ** 2) / 10 ** (corrupted_snr / 10.0))
            X[:, b] = Y[:, b] + sigma_b * rng.standard_normal(Y.shape[0])
    np.maximum(X, 0.0, out=X)
    return X, E, A, corrupted
