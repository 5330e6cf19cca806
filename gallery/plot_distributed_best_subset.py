"""
Distributed best-subset selection on Dask
=========================================

:class:`~sparsestat.linear_model.DistributedBestSubset` selects the support on one machine from a
communication-efficient surrogate likelihood (gradients from every machine, p floats each), then
averages the low-dimensional refits. We split N = 20 000 samples over m machines and compare its
error and communication with the pooled fit and with best subset on one machine only.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster

from sparsestat.datasets import make_sparse_regression
from sparsestat.linear_model import BestSubsetRegression, DistributedBestSubset

X, y, coef = make_sparse_regression(20_000, 200, 10, rho=0.5, snr=2, random_state=0)
pooled = BestSubsetRegression().fit(X, y)
err_pooled = np.linalg.norm(pooled.coef_ - coef)

# %%
shards = [2, 5, 10, 20]
err, err_local, floats = [], [], []
with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
        Client(cluster) as client:
    for m in shards:
        model = DistributedBestSubset(n_shards=m, client=client).fit(X, y)
        err.append(np.linalg.norm(model.coef_ - coef))
        floats.append(model.n_communicated_floats_ / m)
        local = BestSubsetRegression().fit(X[: X.shape[0] // m], y[: X.shape[0] // m])
        err_local.append(np.linalg.norm(local.coef_ - coef))
        print(f"m={m:2d}: support exact={set(model.support_) == set(np.flatnonzero(coef))}, "
              f"l2 error {err[-1]:.3f} (pooled {err_pooled:.3f}), floats per machine {floats[-1]:.0f}")

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3))
ax1.plot(shards, err, "o-", label="distributed")
ax1.plot(shards, err_local, "s--", label="one machine only")
ax1.axhline(err_pooled, color="k", ls=":", label="pooled")
ax1.set_xlabel("machines m")
ax1.set_ylabel(r"$\|\hat\beta - \beta^*\|_2$")
ax1.legend()
ax2.plot(shards, floats, "o-")
ax2.axhline(3 * X.shape[1], color="k", ls=":", label="3 p")
ax2.set_xlabel("machines m")
ax2.set_ylabel("floats sent per machine")
ax2.legend()
fig.tight_layout()
plt.show()
