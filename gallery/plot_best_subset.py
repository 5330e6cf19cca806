"""
Best-subset selection by splicing
=================================

:class:`~sparsestat.linear_model.BestSubsetRegression` finds the best subset of each size by
splicing and picks the size with an information criterion. On a correlated design (Toeplitz 0.5,
n = 300, p = 200, 8 non-zeros) we plot the criterion along the path and compare the recovered
support with the Lasso's (:class:`~sparsestat.linear_model.LassoCV`).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from sparsestat.datasets import make_sparse_regression
from sparsestat.linear_model import BestSubsetRegression, LassoCV

X, y, coef = make_sparse_regression(300, 200, 8, rho=0.5, snr=5, random_state=0)
true = np.flatnonzero(coef)

# %%
# The criterion path: GIC and EBIC both reach their minimum at the true size.
fig, ax = plt.subplots(figsize=(6, 3))
for ic in ["gic", "ebic"]:
    model = BestSubsetRegression(support_size=range(21), ic=ic).fit(X, y)
    sizes = list(model.ic_path_)
    ax.plot(sizes, list(model.ic_path_.values()), marker="o", ms=3, label=f"{ic} (chosen s={model.support_size_})")
ax.axvline(true.size, color="k", ls=":", label="true size")
ax.set_xlabel("support size s")
ax.set_ylabel("criterion")
ax.legend()
fig.tight_layout()

# %%
# Recovery against the Lasso: the Lasso at its CV-optimal alpha keeps many false positives.
best = BestSubsetRegression(ic="ebic").fit(X, y)
lasso = LassoCV(cv=5).fit(X, y)
lasso_sup = np.flatnonzero(lasso.coef_)
print(f"best subset: {best.support_.size} selected, {np.intersect1d(best.support_, true).size} true")
print(f"LassoCV:     {lasso_sup.size} selected, {np.intersect1d(lasso_sup, true).size} true")

fig, ax = plt.subplots(figsize=(6, 3))
ax.stem(true, coef[true], linefmt="k-", markerfmt="ko", basefmt=" ", label="truth")
ax.plot(np.flatnonzero(best.coef_), best.coef_[best.coef_ != 0], "r^", label="best subset")
ax.plot(lasso_sup, lasso.coef_[lasso_sup], "b.", label="LassoCV")
ax.set_xlabel("feature")
ax.set_ylabel("coefficient")
ax.legend()
fig.tight_layout()
plt.show()
