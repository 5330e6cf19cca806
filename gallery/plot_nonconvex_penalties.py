"""
Support recovery with nonconvex penalties
=========================================

On a correlated design the Lasso needs a small ``alpha`` to keep the true features,
and then it also keeps false ones and shrinks the true coefficients. The nonconvex
penalties MCP, SCAD and L0 (fitted by the same coordinate-descent engine through
:class:`~sparsestat.linear_model.SparseRegression`) remove the bias on large
coefficients and recover the support with fewer false positives.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from sparsestat.datasets import make_sparse_regression
from sparsestat.linear_model import sparse_path
from sparsestat.penalties import L0, L1, MCP, SCAD

X, y, coef = make_sparse_regression(150, 300, 8, rho=0.7, snr=5, random_state=1)
true = set(np.flatnonzero(coef))

# %%
# Support recovery along each penalty's path
# ------------------------------------------
# For every alpha, count the true features found and the false ones kept.
penalties = {"L1 (Lasso)": L1(), "MCP": MCP(gamma=3.0), "SCAD": SCAD(a=3.7), "L0": L0()}
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for name, pen in penalties.items():
    alphas, coefs, _, _ = sparse_path(X, y, pen, alphas=40, eps=1e-2, fit_intercept=True)
    tp = [len(true & set(np.flatnonzero(c))) for c in coefs.T]
    fp = [len(set(np.flatnonzero(c)) - true) for c in coefs.T]
    axes[0].plot(fp, tp, marker=".", label=name)
axes[0].set(xlabel="false positives", ylabel="true positives (of 8)", title="Support recovery along the path")
axes[0].legend()

# %%
# Estimation error at the alpha each method would pick by its best error
# ----------------------------------------------------------------------
errors = {}
for name, pen in penalties.items():
    alphas, coefs, _, _ = sparse_path(X, y, pen, alphas=40, eps=1e-2, fit_intercept=True)
    errors[name] = np.linalg.norm(coefs - coef[:, None], axis=0).min()
axes[1].bar(list(errors), list(errors.values()), color=["C0", "C1", "C2", "C3"])
axes[1].set(ylabel=r"best $\|\hat\beta - \beta\|_2$ along the path", title="Estimation error")
fig.tight_layout()
plt.show()

# %%
# Cross-validated fits
# --------------------
# ``SparseRegressionCV`` picks the penalty's ``alpha`` by 5-fold CV along its path.
from sparsestat.linear_model import LassoCV, SparseRegressionCV

for name, est in (("Lasso", LassoCV(cv=5)), ("MCP", SparseRegressionCV(MCP(gamma=3.0), cv=5))):
    est.fit(X, y)
    found = set(np.flatnonzero(est.coef_).tolist())
    print(f"{name:6s} alpha={est.alpha_:.3f}: {len(found & true)}/8 true features, {len(found - true)} false")
