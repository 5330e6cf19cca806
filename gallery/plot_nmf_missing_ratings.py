"""
NMF with missing values: masked NMF versus zero filling
=======================================================

scikit-learn's :class:`~sklearn.decomposition.NMF` has no notion of a missing entry, so a common
workaround fills the gaps with zeros, which biases every prediction towards 0.
:class:`sparsestat.decomposition.NMF` accepts NaN (or a mask, or a sparse matrix of observed entries)
and fits only the observed cells. We compare both on held-out entries of a low-rank matrix.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import NMF as SkNMF

from sparsestat.decomposition import NMF

rng = np.random.default_rng(0)
n, m, k = 200, 150, 6
X = rng.gamma(2.0, size=(n, k)) @ rng.gamma(2.0, size=(k, m))
X = np.abs(X + 0.05 * X.std() * rng.standard_normal(X.shape))

# %%
# Observe a fraction of the entries and predict the others.
fractions = [0.2, 0.3, 0.5]
rmse_masked, rmse_zero = [], []
for frac in fractions:
    obs = rng.random(X.shape) < frac
    masked = NMF(k, random_state=0, max_iter=1000, tol=1e-4).fit(np.where(obs, X, np.nan))
    pred = masked.W_ @ masked.components_
    rmse_masked.append(np.sqrt(np.mean((pred - X)[~obs] ** 2)))
    X0 = np.where(obs, X, 0.0)
    zf = SkNMF(k, random_state=0, max_iter=300)
    pred0 = zf.fit_transform(X0) @ zf.components_
    rmse_zero.append(np.sqrt(np.mean((pred0 - X)[~obs] ** 2)))
    print(f"{int(frac * 100):3d}% observed: masked NMF RMSE {rmse_masked[-1]:.3f}, zero-filled {rmse_zero[-1]:.3f}")

# %%
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.plot(fractions, rmse_zero, "o-", label="scikit-learn NMF, zero filled")
ax.plot(fractions, rmse_masked, "s-", label="sparsestat NMF, masked")
ax.set(xlabel="fraction of observed entries", ylabel="held-out RMSE", yscale="log")
ax.legend()
fig.tight_layout()
plt.show()
