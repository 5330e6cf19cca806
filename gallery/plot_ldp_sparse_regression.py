"""
Sparse regression under local differential privacy
==================================================

Every user privatises their own row before sending it; the server fits
:class:`sparsestat.linear_model.LDPSparseRegression` from the reports. The error
falls like :math:`1/(\\varepsilon\\sqrt n)` as the paper's rates say, once it is
below the "predict zero" level; the defaults (clip near the data's typical scale,
eigenvalue floor at the noise level, data-derived thresholds) are what make it
fall at moderate ``n``.
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

from sparsestat.linear_model import LDPSparseRegression

d, k = 5, 2
rng = np.random.default_rng(0)
theta = np.zeros(d)
theta[rng.choice(d, k, replace=False)] = rng.choice([-1.0, 1.0], k) / math.sqrt(k)
X = rng.standard_normal((300_000, d))
y = X @ theta + 0.1 * rng.standard_normal(len(X))


def error(mode, n, eps, seeds=2):
    return np.mean([np.linalg.norm(LDPSparseRegression(
        mode, epsilon=eps, clip_x=2 * math.sqrt(d), clip_y=3.0, n_rounds=3 if mode == "interactive" else None,
        random_state=s).fit(X[:n], y[:n]).coef_ - theta) for s in range(seeds)])


# %%
# Error against the number of users (epsilon = 8) and against epsilon (n = 300 000).
ns = [10_000, 30_000, 100_000, 300_000]
eps = [1.0, 2.0, 4.0, 8.0, 16.0]
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for mode in ("non_interactive", "interactive"):
    axes[0].loglog(ns, [error(mode, n, 8.0) for n in ns], "o-", label=mode)
    axes[1].loglog(eps, [error(mode, ns[-1], e) for e in eps], "o-", label=mode)
axes[0].loglog(ns, 0.2 * np.sqrt(ns[-1] / np.array(ns)), "k--", label="slope -1/2")
axes[1].loglog(eps, 0.8 * eps[0] / np.array(eps), "k--", label="slope -1")
for ax, xl in zip(axes, ["users n", "epsilon"]):
    ax.axhline(1.0, color="grey", lw=0.8)
    ax.set_xlabel(xl)
    ax.set_ylabel("||theta_hat - theta||")
    ax.legend()
fig.suptitle("LDP sparse regression: error vs n and epsilon (grey: predicting zero)")
plt.show()
