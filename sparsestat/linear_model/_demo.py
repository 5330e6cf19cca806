"""``sparsestat demo`` entry of the linear-model family."""

import os
import time

import numpy as np


def demo(outdir):
    """Fit the Lasso engine on a correlated sparse problem and on the diabetes data.

    Parameters
    ----------
    outdir : str
        Folder where ``lasso_path.png`` is saved.

    Returns
    -------
    rows : list of tuple
        ``(estimator, task, metric, seconds)`` rows.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sparsestat.datasets import load_dataset, make_sparse_regression
    from sparsestat.linear_model import Lasso, LassoCV, SparseRegression, lasso_path
    from sparsestat.penalties import MCP

    rows = []
    X, y, coef = make_sparse_regression(500, 5000, 20, rho=0.5, snr=5, random_state=0)
    alpha = np.abs((X - X.mean(0)).T @ (y - y.mean())).max() / len(y) / 20
    for label, est in (("Lasso", Lasso(alpha=alpha, tol=1e-8)),
                       ("SparseRegression(MCP)", SparseRegression(MCP(alpha=3 * alpha, gamma=3.0)))):
        est.fit(X[:50], y[:50])  # compile (cached on disk after the first run)
        t0 = time.perf_counter()
        est.fit(X, y)
        dt = time.perf_counter() - t0
        found = len(set(np.flatnonzero(est.coef_)) & set(np.flatnonzero(coef)))
        rows.append((label, "500x5000, 20 true features",
                     f"gap/KKT {est.stop_crit_:.1e}, {found}/20 found, {np.count_nonzero(est.coef_)} nnz", dt))
    Xd, yd = load_dataset("diabetes")
    t0 = time.perf_counter()
    cv = LassoCV(cv=5).fit(Xd, yd)
    rows.append(("LassoCV", "diabetes (442x10)", f"alpha_={cv.alpha_:.3g}, R2={cv.score(Xd, yd):.3f}",
                 time.perf_counter() - t0))
    alphas, coefs, _, _ = lasso_path(Xd, yd, fit_intercept=True)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.semilogx(alphas, coefs.T)
    ax.axvline(cv.alpha_, ls="--", color="k")
    ax.set(xlabel="alpha", ylabel="coefficient", title="Lasso path, diabetes")
    ax.invert_xaxis()
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "lasso_path.png"), dpi=100)
    plt.close(fig)
    return rows
