"""
Lasso path and cross-validation
===============================

The Lasso path from :math:`\\alpha_{max}` down to :math:`\\alpha_{max}/1000`, computed
by warm-started working-set coordinate descent, and the 5-fold cross-validation curve
of :class:`~sparsestat.linear_model.LassoCV` that picks ``alpha``.
"""

# %%
# A sparse problem with correlated features
# -----------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from sparsestat.datasets import make_sparse_regression
from sparsestat.linear_model import LassoCV, lasso_path

X, y, coef = make_sparse_regression(200, 500, 10, rho=0.5, snr=5, random_state=0)

# %%
# The path
# --------
# Each fit starts from the previous solution; ``gaps`` holds the duality gap reached.
alphas, coefs, gaps, n_iters = lasso_path(X, y, alphas=60, fit_intercept=True, tol=1e-6)
print(f"largest duality gap along the path: {gaps.max():.2e}; epochs in total: {n_iters.sum()}")

# %%
# Cross-validation
# ----------------
cv = LassoCV(alphas=60, cv=5).fit(X, y)
print(f"alpha chosen by CV: {cv.alpha_:.4f}, non-zeros: {np.count_nonzero(cv.coef_)} (truth: 10)")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
true = coef != 0
ax1.semilogx(alphas, coefs[~true].T, color="0.7", lw=0.6)
ax1.semilogx(alphas, coefs[true].T, lw=1.5)
ax1.axvline(cv.alpha_, ls="--", color="k")
ax1.set(xlabel="alpha", ylabel="coefficient", title="Lasso path (colour: true support)")
ax1.invert_xaxis()
mean, std = cv.mse_path_.mean(1), cv.mse_path_.std(1)
ax2.semilogx(cv.alphas_, mean, color="C0")
ax2.fill_between(cv.alphas_, mean - std, mean + std, alpha=0.2)
ax2.axvline(cv.alpha_, ls="--", color="k")
ax2.set(xlabel="alpha", ylabel="held-out MSE", title="5-fold CV curve")
ax2.invert_xaxis()
fig.tight_layout()
plt.show()
