"""
Hyperspectral unmixing with corrupted bands
===========================================

A synthetic scene mixes four smooth endmember spectra with spatially smooth abundance maps; 10% of
the bands are corrupted by strong noise (0 dB). Plain NMF lets those bands pull the endmembers
away; :class:`~sparsestat.decomposition.StructuredSparseNMF` adds a pixel graph and an l1 prior, and
:class:`~sparsestat.decomposition.CorrentropyNMF` learns band weights that switch the noisy bands
off.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from sparsestat.datasets import make_hyperspectral
from sparsestat.decomposition import (
    NMF,
    CorrentropyNMF,
    StructuredSparseNMF,
    abundance_rmse,
    spectral_angle_distance,
)

X, E, A, bad = make_hyperspectral(24, 24, 80, 4, snr=20, n_corrupted_bands=8, corrupted_snr=0, random_state=1)

models = {
    "NMF": NMF(4, max_iter=500, tol=1e-5, random_state=0),
    "SS-NMF": StructuredSparseNMF(4, max_iter=200, random_state=0),
    "Correntropy NMF": CorrentropyNMF(4, max_iter=200, tol=1e-3, random_state=0),
}
results = {}
for name, model in models.items():
    Ahat = model.fit_transform(X)
    sad, perm = spectral_angle_distance(E, model.components_, return_permutation=True)
    rmse = abundance_rmse(A, Ahat, permutation=perm, E_true=E, E_est=model.components_)
    results[name] = (model, perm)
    print(f"{name:16s} SAD {sad:.3f} rad, abundance RMSE {rmse:.3f}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 3.5))
grid = np.arange(E.shape[1])
for ax, name in zip(axes[:2], ["NMF", "Correntropy NMF"], strict=True):
    model, perm = results[name]
    for r in range(4):
        ax.plot(grid, E[r] / np.linalg.norm(E[r]), "k", lw=0.8)
        est = model.components_[perm[r]]
        ax.plot(grid, est / np.linalg.norm(est), "--", lw=1.2)
    ax.set(title=f"{name}: endmembers (black: truth)", xlabel="band")
ce = results["Correntropy NMF"][0]
axes[2].bar(grid, ce.band_weights_, color=np.where(bad, "tab:red", "tab:blue"))
axes[2].set(title="learned band weights (red: corrupted)", xlabel="band")
fig.tight_layout()
plt.show()
