"""Demo of the decomposition family (NMF part): masked NMF, NBMF and robust unmixing in a few seconds."""

import os
import time
import warnings

import numpy as np


def demo(outdir):
    """Fit the NMF family on small synthetic problems and save ``decomposition_nmf.png``.

    Parameters
    ----------
    outdir : str
        Folder where the figure is saved.

    Returns
    -------
    rows : list of tuple
        ``(estimator, task, metric, seconds)`` rows for the demo table.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.exceptions import ConvergenceWarning

    from sparsestat.datasets import make_hyperspectral, make_ratings
    from sparsestat.decomposition import NBMF, NMF, CorrentropyNMF, spectral_angle_distance

    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    rows = []
    rng = np.random.default_rng(0)

    X = rng.gamma(2.0, size=(150, 5)) @ rng.gamma(2.0, size=(5, 100))
    obs = rng.random(X.shape) < 0.3
    t0 = time.perf_counter()
    est = NMF(5, random_state=0, max_iter=300).fit(np.where(obs, X, np.nan))
    pred = est.W_ @ est.components_
    rmse = np.sqrt(np.mean((pred - X)[~obs] ** 2))
    rows.append(("NMF (masked)", "150x100, 30% observed", f"held-out RMSE {rmse:.3f}", time.perf_counter() - t0))

    R, V, _, _ = make_ratings(150, 100, 6, density=0.2, random_state=0)
    t0 = time.perf_counter()
    nb = NBMF(6, random_state=0, max_iter=20).fit(R)
    rows.append(("NBMF", "ratings 150x100, k=6", f"train RMSE {-nb.score(R):.3f}", time.perf_counter() - t0))

    Xh, E, A, bad = make_hyperspectral(16, 16, 60, 4, snr=20, n_corrupted_bands=6, random_state=0)
    t0 = time.perf_counter()
    ce = CorrentropyNMF(4, max_iter=150, random_state=0).fit(Xh)
    sad = spectral_angle_distance(E, ce.components_)
    rows.append(("CorrentropyNMF", "unmixing, 6 bad bands", f"SAD {sad:.3f} rad", time.perf_counter() - t0))

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    axes[0].scatter(X[~obs][:2000], pred[~obs][:2000], s=3)
    axes[0].set(xlabel="true (held out)", ylabel="masked NMF prediction", title="NMF with 70% missing")
    axes[1].bar(np.arange(60), ce.band_weights_, color=np.where(bad, "tab:red", "tab:blue"))
    axes[1].set(xlabel="band", title="correntropy band weights (red: corrupted)")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "decomposition_nmf.png"), dpi=100)
    plt.close(fig)
    from sparsestat.decomposition._demo_coding import demo as demo_coding

    return rows + demo_coding(outdir)
