"""Generators for sparse coding: planted dictionaries with k-sparse codes, natural-image patches."""

import numpy as np
from sklearn.utils import check_random_state

from sparsestat.utils._validation import check_positive_int

__all__ = ["make_sparse_coded_signals", "load_image_patches"]


def make_sparse_coded_signals(n_samples=1000, n_components=128, n_features=64, n_nonzero=5, *, noise=0.01,
                              random_state=None):
    """Signals ``X = codes @ dictionary + noise`` with a planted unit-norm dictionary and k-sparse codes.

    Atoms are independent Gaussian vectors normalised to unit norm; each code has ``n_nonzero``
    non-zeros on a uniformly random support with amplitudes ``(|N(0, 1)| + 0.5) * random sign``.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of signals.
    n_components : int, default=128
        Number of atoms.
    n_features : int, default=64
        Signal dimension.
    n_nonzero : int, default=5
        Non-zeros per code.
    noise : float, default=0.01
        Standard deviation of the additive Gaussian noise.
    random_state : int, RandomState or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Signals.
    dictionary : ndarray of shape (n_components, n_features)
        The planted atoms (rows, unit norm).
    codes : ndarray of shape (n_samples, n_components)
        The planted codes.

    Examples
    --------
    >>> from sparsestat.datasets import make_sparse_coded_signals
    >>> X, D, Z = make_sparse_coded_signals(10, 16, 8, 3, random_state=0)
    >>> X.shape, D.shape, int((Z != 0).sum(axis=1).max())
    ((10, 8), (16, 8), 3)
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    n_components = check_positive_int(n_components, "n_components")
    n_features = check_positive_int(n_features, "n_features")
    n_nonzero = check_positive_int(n_nonzero, "n_nonzero")
    if n_nonzero > n_components:
        raise ValueError(f"n_nonzero={n_nonzero} exceeds n_components={n_components}.")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a non-negative finite float, got {noise!r}.")
    rng = check_random_state(random_state)
    D = rng.standard_normal((n_components, n_features))
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    Z = np.zeros((n_samples, n_components))
    supp = np.argsort(rng.random_sample((n_samples, n_components)), axis=1)[:, :n_nonzero]
    amp = (np.abs(rng.standard_normal((n_samples, n_nonzero))) + 0.5) * rng.choice([-1.0, 1.0],
                                                                                 (n_samples, n_nonzero))
    np.put_along_axis(Z, supp, amp, axis=1)
    X = Z @ D + noise * rng.standard_normal((n_samples, n_features))
    return X, D, Z


def load_image_patches(patch_size=8, n_patches=10000, *, whiten=True, random_state=None):
    """Random grey-level patches of the two images bundled with scikit-learn, optionally whitened.

    Patches are drawn uniformly from ``sklearn.datasets.load_sample_images()`` (china, flower;
    no download), converted to grey, centred per patch, and ZCA-whitened with the patch
    covariance (eigenvalues floored at 1e-2 of the mean eigenvalue), then scaled to unit mean
    squared norm per coordinate.

    Parameters
    ----------
    patch_size : int, default=8
        Side of the square patches (``n_features = patch_size**2``).
    n_patches : int, default=10000
        Number of patches.
    whiten : bool, default=True
        ZCA whitening (the V1 sparse-coding setting); otherwise only centring and scaling.
    random_state : int, RandomState or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_patches, patch_size**2)
        Patches, one per row.

    Examples
    --------
    >>> from sparsestat.datasets import load_image_patches
    >>> load_image_patches(8, 100, random_state=0).shape
    (100, 64)
    """
    from sklearn.datasets import load_sample_images

    patch_size = check_positive_int(patch_size, "patch_size", minimum=2)
    n_patches = check_positive_int(n_patches, "n_patches")
    rng = check_random_state(random_state)
    images = [img.astype(np.float64).mean(axis=2) / 255.0 for img in load_sample_images().images]
    which = rng.randint(len(images), size=n_patches)
    X = np.empty((n_patches, patch_size * patch_size))
    for k, img in enumerate(images):
        idx = np.flatnonzero(which == k)
        r = rng.randint(img.shape[0] - patch_size + 1, size=idx.size)
        c = rng.randint(img.shape[1] - patch_size + 1, size=idx.size)
        off = np.arange(patch_size)
        rows = (r[:, None] + off)[:, :, None]
        cols = (c[:, None] + off)[:, None, :]
        X[idx] = img[rows, cols].reshape(idx.size, -1)
    X -= X.mean(axis=1, keepdims=True)
    if whiten:
        cov = X.T @ X / n_patches
        w, V = np.linalg.eigh(cov)
        w = np.maximum(w, 1e-2 * w.mean())
        X = X @ (V / np.sqrt(w)) @ V.T
    X /= np.sqrt(np.mean(X * X))
    return X
