"""Demo of the gaussian_process family: sparse spectral GP extrapolation and a Kronecker grid GP."""

import os
import time

import numpy as np


def demo(outdir):
    """Fit SparseSpectralGP on a 3-frequency signal and KroneckerGP on a 128x128 grid.

    Parameters
    ----------
    outdir : str
        Folder where ``gaussian_process.png`` is saved.

    Returns
    -------
    rows : list of tuple
        ``(estimator, task, metric, seconds)`` rows for the demo table.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.gaussian_process.kernels import RBF
    from sklearn.gaussian_process.kernels import ConstantKernel as C

    from sparsestat.gaussian_process import KroneckerGP, SparseSpectralGP

    rng = np.random.default_rng(0)
    t = np.arange(200.0)
    y = np.cos(2 * np.pi * 0.03 * t) + 0.7 * np.cos(2 * np.pi * 0.11 * t + 1) + 0.1 * rng.standard_normal(200)
    X = t[:, None]
    t0 = time.perf_counter()
    gp = SparseSpectralGP(n_components=60).fit(X[:160], y[:160])
    sec1 = time.perf_counter() - t0
    pred = gp.predict(X)
    mse = float(np.mean((pred[160:] - y[160:]) ** 2))
    rows = [("SparseSpectralGP", "extrapolate 2-frequency signal",
             f"test MSE {mse:.3f}, {len(gp.active_components_)}/60 active", sec1)]
    n = 128
    ax = np.linspace(0, 1, n)
    U = np.sin(12 * ax)[:, None] * np.cos(7 * ax)[None, :]
    t0 = time.perf_counter()
    # length-scales started at the field's scale: from the default RBF(1.0) on [0, 1] L-BFGS (here and in
    # scikit-learn's dense GP alike) falls into the "all noise" optimum
    Y = U + 0.1 * rng.standard_normal((n, n))
    kg = KroneckerGP([C(1.0) * RBF(0.1), RBF(0.1)], max_iter=30).fit_grid([ax, ax], Y)
    sec2 = time.perf_counter() - t0
    mesh = np.stack([m.ravel() for m in np.meshgrid(ax, ax, indexing="ij")], 1)
    rmse = float(np.sqrt(np.mean((kg.predict(mesh).reshape(n, n) - U) ** 2)))
    rows.append(("KroneckerGP", f"exact GP on {n}x{n} grid", f"RMSE {rmse:.3f}", sec2))
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    axes[0].plot(t, y, "k.", ms=3)
    axes[0].plot(t, pred, "C1")
    axes[0].axvline(160, color="grey", ls=":")
    axes[0].set_title("SparseSpectralGP extrapolation")
    axes[1].imshow(kg.predict(mesh).reshape(n, n), origin="lower")
    axes[1].set_title("KroneckerGP posterior mean")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "gaussian_process.png"), dpi=90)
    plt.close(fig)
    return rows
