"""
Spectral mixture kernels on the Mauna Loa CO₂ series
=====================================================

Fit the CO₂ series up to 1990 and extrapolate to 2001 with

* a spectral mixture (SM) kernel initialised from the empirical spectrum
  (:meth:`~sparsestat.gaussian_process.kernels.SpectralMixture.from_data`)
  and optimised by scikit-learn's ``GaussianProcessRegressor``;
* a sparse grid spectral mixture (GSMP): 60 fixed components on a frequency
  grid, only their weights learned by
  :class:`~sparsestat.gaussian_process.SparseSpectralGP`, most of them to exactly zero;
* scikit-learn's RBF kernel and an ``ExpSineSquared × RBF`` (locally periodic) kernel.

To keep the example fast the monthly series is subsampled to one value every
two months (189 training points, Nyquist frequency 3 cycles per year, which
still resolves the annual and semi-annual cycles).
"""

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ExpSineSquared, WhiteKernel
from sklearn.gaussian_process.kernels import ConstantKernel as C

from sparsestat.datasets import load_dataset
from sparsestat.gaussian_process import SparseSpectralGP
from sparsestat.gaussian_process.kernels import GridSpectralMixtureProduct, SpectralMixture

X, y = load_dataset("co2")
train = X[:, 0] < 1990
test = (X[:, 0] >= 1990) & (X[:, 0] < 2001)
Xtr, ytr = X[train][::2], y[train][::2]  # every second month
Xte, yte = X[test], y[test]
# work in years since the start so that the trend is a low-frequency component
t0 = Xtr[0, 0]
Xtr, Xte = Xtr - t0, Xte - t0

# %%
# The GSMP grid covers 0 to 3 cycles per year. The spectral width of each
# component sets the length-scale of its envelope, 1 / (2 π width): a width of
# 0.01 cycles per year gives a 16-year envelope, long enough to carry the trend
# and the seasonal cycle through the 11-year extrapolation.
results = {}
t = time.perf_counter()
sm = SpectralMixture.from_data(Xtr, ytr, n_components=3)
gp_sm = GaussianProcessRegressor(sm + WhiteKernel(0.01), normalize_y=True).fit(Xtr, ytr)
results["SM, 3 components (spectrum init)"] = (gp_sm.predict(Xte), time.perf_counter() - t)

t = time.perf_counter()
grid = GridSpectralMixtureProduct.from_grid(1, 60, freq_range=(0.0, 3.0), scale=0.01)
sparse = SparseSpectralGP(grid).fit(Xtr, ytr)
n_active = len(sparse.active_components_)
results[f"sparse GSMP ({n_active}/60 active)"] = (sparse.predict(Xte), time.perf_counter() - t)

t = time.perf_counter()
gp_rbf = GaussianProcessRegressor(RBF(10.0) + WhiteKernel(0.01), normalize_y=True).fit(Xtr, ytr)
results["RBF"] = (gp_rbf.predict(Xte), time.perf_counter() - t)

t = time.perf_counter()
gp_per = GaussianProcessRegressor(C(1.0) * ExpSineSquared(1.0, 1.0) * RBF(50.0) + WhiteKernel(0.01),
                                  normalize_y=True).fit(Xtr, ytr)
results["ExpSineSquared × RBF"] = (gp_per.predict(Xte), time.perf_counter() - t)

for name, (pred, sec) in results.items():
    print(f"{name:34s} RMSE {np.sqrt(np.mean((pred - yte) ** 2)):6.2f} ppm   fit {sec:5.2f} s")
print("GSMP active frequencies (cycles/year):", np.round(sparse.kernel_.freqs[sparse.active_components_, 0], 2))

# %%
# The sparse GSMP keeps a handful of components: the trend (frequency 0), a few
# slow modulations, and the annual and semi-annual cycles (1 and 2 cycles per
# year); the other weights are exactly zero.
fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [2, 1]})
ax.plot(X[train | test, 0], y[train | test], "k.", ms=2, label="observed")
for name, (pred, _) in results.items():
    ax.plot(Xte[:, 0] + t0, pred, label=name)
ax.axvline(1990, color="grey", ls=":")
ax.set(xlabel="year", ylabel="CO₂ (ppm)", title="Extrapolation after 1990", xlim=(1980, 2001))
ax.legend(fontsize=8)
freqs, rel = sparse.kernel_.freqs[:, 0], sparse.weights_ / sparse.weights_.max()
on = rel > 0
floor = 0.1 * rel[on].min()
ax2.vlines(freqs[on], floor, rel[on], color="C1")
ax2.plot(freqs[on], rel[on], "o", color="C1", label="non-zero weight")
ax2.plot(freqs[~on], np.full((~on).sum(), floor), "x", color="grey", ms=4, label="exactly zero")
ax2.set(xlabel="frequency (cycles / year)", ylabel="relative weight", title="GSMP weights (60-point grid)",
        yscale="log")
ax2.legend(fontsize=8)
fig.tight_layout()
