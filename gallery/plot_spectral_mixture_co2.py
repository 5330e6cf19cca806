"""
Spectral mixture kernels on the Mauna Loa CO₂ series
=====================================================

Fit the CO₂ series up to 1990 and extrapolate to 2001 with (i) a spectral
mixture kernel initialised from the empirical spectrum, (ii) a sparse grid
spectral mixture (GSMP) learned by :class:`~sparsestat.gaussian_process.SparseSpectralGP`,
and (iii) scikit-learn's RBF kernel.
"""

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, WhiteKernel

from sparsestat.datasets import load_dataset
from sparsestat.gaussian_process import SparseSpectralGP
from sparsestat.gaussian_process.kernels import SpectralMixture

X, y = load_dataset("co2")
train = X[:, 0] < 1990
test = (X[:, 0] >= 1990) & (X[:, 0] < 2001)
Xtr, ytr, Xte, yte = X[train], y[train], X[test], y[test]
# work in years since the start so that the trend is a low-frequency component
t0 = Xtr[0, 0]

# %%
results = {}
sm = SpectralMixture.from_data(Xtr - t0, ytr, n_components=6)
t = time.perf_counter()
gp_sm = GaussianProcessRegressor(sm + WhiteKernel(0.01), normalize_y=True).fit(Xtr - t0, ytr)
results["SM (spectrum init)"] = (gp_sm.predict(Xte - t0), time.perf_counter() - t)

t = time.perf_counter()
sparse = SparseSpectralGP(n_components=150).fit(Xtr - t0, ytr)
results[f"sparse GSMP ({len(sparse.active_components_)}/150 active)"] = (sparse.predict(Xte - t0),
                                                                         time.perf_counter() - t)

t = time.perf_counter()
gp_rbf = GaussianProcessRegressor(RBF(10.0) + WhiteKernel(0.01), normalize_y=True).fit(Xtr - t0, ytr)
results["RBF (scikit-learn)"] = (gp_rbf.predict(Xte - t0), time.perf_counter() - t)

for name, (pred, sec) in results.items():
    print(f"{name:32s} RMSE {np.sqrt(np.mean((pred - yte) ** 2)):6.2f} ppm   fit {sec:5.1f} s")

# %%
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(X[train | test, 0], y[train | test], "k.", ms=2, label="observed")
for name, (pred, _) in results.items():
    ax.plot(Xte[:, 0], pred, label=name)
ax.axvline(1990, color="grey", ls=":")
ax.set(xlabel="year", ylabel="CO₂ (ppm)", title="Extrapolation after 1990")
ax.legend(fontsize=8)
fig.tight_layout()
