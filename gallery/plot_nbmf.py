"""
Binary item features with NBMF
==============================

:class:`sparsestat.decomposition.NBMF` factors a rating matrix as ``W H`` with non-negative user
factors and *binary* item features. The binary step splits into one small QUBO per item, solved
exactly by Gray-code enumeration (here k = 8) or by simulated annealing. Masking the unrated entries
(the paper's modification) is what makes the predictions useful.
"""

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

from sparsestat.datasets import make_ratings
from sparsestat.decomposition import NBMF, solve_qubo

X, V, W_true, H_true = make_ratings(200, 150, 8, kind="binary", density=0.15, random_state=0)
rng = np.random.default_rng(0)
obs = ~np.isnan(X)
test = obs & (rng.random(X.shape) < 0.2)
train = obs & ~test
train[np.arange(X.shape[0]), np.argmax(obs, axis=1)] = True
train[np.argmax(obs, axis=0), np.arange(X.shape[1])] = True
test &= ~train
Xtr = np.where(train, X, np.nan)
Xte = np.where(test, X, np.nan)

# %%
masked = NBMF(8, random_state=0, max_iter=30).fit(Xtr)
unmasked = NBMF(8, mask_missing=False, random_state=0, max_iter=30).fit(Xtr)
print(f"held-out RMSE: masked NBMF {-masked.score(Xte):.3f}, unmasked (zero-filled) {-unmasked.score(Xte):.3f}")

# %%
# The QUBO sub-solvers: exact enumeration against annealing as k grows.
ks, t_ex, t_an, gaps = [6, 8, 10, 12, 14], [], [], []
for k in ks:
    A = rng.gamma(2.0, size=(40, k))
    Q = A.T @ A - 2 * np.diag(A.T @ (A @ (rng.random(k) < 0.4)))
    solve_qubo(Q, "exhaustive"), solve_qubo(Q, "anneal", random_state=0)  # compile
    t0 = time.perf_counter()
    _, e_ex = solve_qubo(Q, "exhaustive")
    t_ex.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    _, e_an = solve_qubo(Q, "anneal", random_state=0, n_sweeps=300, n_restarts=5)
    t_an.append(time.perf_counter() - t0)
    gaps.append(e_an - e_ex)
print("annealing energy gap to the exact optimum:", np.round(gaps, 6))

fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
axes[0].plot(ks, t_ex, "o-", label="exhaustive (Gray code)")
axes[0].plot(ks, t_an, "s-", label="simulated annealing")
axes[0].set(xlabel="k", ylabel="seconds per QUBO", yscale="log")
axes[0].legend()
axes[1].imshow(masked.components_[:, :60], cmap="gray_r", aspect="auto")
axes[1].set(title="learned binary item features (60 items)", xlabel="item", ylabel="feature")
fig.tight_layout()
plt.show()
