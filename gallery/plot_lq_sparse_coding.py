"""
ℓq sparse coding of natural-image patches: beyond ℓ1
=====================================================

Rentzeperis et al. ("Beyond ℓ1 sparse coding in V1") learn overcomplete dictionaries of
whitened image patches with ℓ1, ℓ0, ℓ1/2 and CEL0 penalties and find that, at equal sparsity,
the nonconvex penalties reconstruct better than ℓ1. We learn one dictionary per penalty with
:class:`~sparsestat.decomposition.LqDictionaryLearning` on 8×8 whitened patches of the images
bundled with scikit-learn, show the learned receptive fields, then compare reconstruction error
against mean ℓ0 on held-out patches (:func:`~sparsestat.decomposition.sparse_encode_lq`).
"""

# %%
# Learn one dictionary per penalty
# --------------------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sparsestat.datasets import load_image_patches
from sparsestat.decomposition import LqDictionaryLearning, sparse_encode_lq

warnings.simplefilter("ignore", ConvergenceWarning)
X = load_image_patches(8, 6000, random_state=0)
X_train, X_test = X[:4000], X[4000:]
settings = {"l1": 1.0, "l0": 0.5, "l1/2": 0.6, "cel0": 0.5}
dicts = {}
for pen, alpha in settings.items():
    est = LqDictionaryLearning(128, penalty=pen, alpha=alpha, max_iter=3, code_max_iter=100, code_tol=1e-4,
                               random_state=0).fit(X_train)
    dicts[pen] = est.components_
    print(f"{pen:5s} alpha={alpha}: mean l0 {est.mean_l0_:.1f}, train MSE {est.error_curve_[-1]:.3f}")

fig, axes = plt.subplots(1, 4, figsize=(12, 3.3))
for ax, (pen, D) in zip(axes, dicts.items()):
    tiles = D[:64].reshape(8, 8, 8, 8).transpose(0, 2, 1, 3).reshape(64, 64)
    ax.imshow(tiles, cmap="gray")
    ax.set_title(f"{pen} receptive fields")
    ax.axis("off")
fig.tight_layout()

# %%
# Reconstruction error against sparsity
# -------------------------------------
# Each penalty codes the held-out patches on its own dictionary over a range of ``alpha``; the
# Pareto curve of MSE against the mean number of active units is what the paper compares.
fig, ax = plt.subplots(figsize=(5.5, 4))
curves = {}
for pen, D in dicts.items():
    base = settings[pen]
    pts = []
    for f in np.geomspace(0.25, 4.0, 7):
        Z = sparse_encode_lq(X_test, D, penalty=pen, alpha=base * f, max_iter=200, tol=1e-5)
        pts.append((np.count_nonzero(Z) / len(Z), np.mean((X_test - Z @ D) ** 2)))
    pts = np.array(sorted(pts))
    curves[pen] = pts
    ax.plot(pts[:, 0], pts[:, 1], "o-", label=pen)
ax.set(xlabel="mean number of non-zeros (ℓ0)", ylabel="test MSE", yscale="log")
ax.legend()
fig.tight_layout()

l0_grid = np.linspace(4, 10, 4)
for pen, pts in curves.items():
    mse = np.interp(l0_grid, pts[:, 0], pts[:, 1])
    ref = np.interp(l0_grid, curves["l1"][:, 0], curves["l1"][:, 1])
    print(f"{pen:5s}: l1 MSE / {pen} MSE at l0 = {l0_grid}: {np.round(ref / mse, 2)}")
plt.show()
