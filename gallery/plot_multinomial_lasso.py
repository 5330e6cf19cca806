"""
Multinomial Lasso: coefficient paths per class and the CV curve
===============================================================

A three-class softmax model with class-specific sparse supports, in the spirit of the
Medicare-Advantage use case (arXiv 2511.08603): standardise, screen out near-duplicate features
with :class:`~sparsestat.feature_selection.VIFSelector`, then pick the penalty of a
:class:`~sparsestat.linear_model.MultinomialLassoCV` by stratified 5-fold cross-validation.
"""

# %%
# Data: 60 features, 5 of which are near-copies of others (VIF > 10)
# ------------------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sparsestat.feature_selection import VIFSelector
from sparsestat.linear_model import MultinomialLassoCV, multinomial_lasso_path

rng = np.random.default_rng(0)
n, p, K = 400, 60, 3
X = rng.standard_normal((n, p))
for j in range(5):  # planted near-duplicates
    X[:, 55 + j] = X[:, j] + 0.1 * rng.standard_normal(n)
W = np.zeros((K, p))
for k in range(K):
    W[k, rng.choice(np.arange(5, 55), 8, replace=False)] = rng.choice([-1.5, 1.5], 8)
eta = X @ W.T
prob = np.exp(eta - eta.max(1, keepdims=True))
prob /= prob.sum(1, keepdims=True)
y = (prob.cumsum(1) > rng.uniform(size=(n, 1))).argmax(1)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)

# %%
# Pipeline: scaler, VIF screening, cross-validated multinomial Lasso
# ------------------------------------------------------------------
pipe = make_pipeline(StandardScaler(), VIFSelector(10.0), MultinomialLassoCV(alphas=30, cv=5))
pipe.fit(X_tr, y_tr)
vif, cv = pipe[1], pipe[2]
print("dropped by VIF:", sorted(vif.dropped_.tolist()))
print(f"alpha_ = {cv.alpha_:.4f}, held-out accuracy = {pipe.score(X_te, y_te):.3f}, "
      f"majority baseline = {np.bincount(y_te).max() / len(y_te):.3f}")

# %%
# Coefficient paths per class and the CV curve
# --------------------------------------------
Xs = vif.transform(pipe[0].transform(X_tr))
alphas, coefs, _, _ = multinomial_lasso_path(Xs, y_tr, alphas=30)
fig, axes = plt.subplots(1, K + 1, figsize=(14, 3.2))
for k in range(K):
    axes[k].semilogx(alphas, coefs[:, k, :])
    axes[k].axvline(cv.alpha_, ls="--", c="k")
    axes[k].set(title=f"class {k}", xlabel="alpha")
axes[0].set_ylabel("coefficient")
mean, sd = -cv.scores_path_.mean(1), cv.scores_path_.std(1)
axes[K].semilogx(cv.alphas_, mean)
axes[K].fill_between(cv.alphas_, mean - sd, mean + sd, alpha=0.3)
axes[K].axvline(cv.alpha_, ls="--", c="k")
axes[K].set(title="5-fold CV", xlabel="alpha", ylabel="held-out log-loss")
fig.tight_layout()
plt.show()
