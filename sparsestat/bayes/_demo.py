"""Demo of sparsestat.bayes: sequential SBL on a p > n regression, SVD-KroSBL on the KroSBL paper's setting."""

import os
import time
import warnings

import numpy as np


def demo(outdir):
    """Fit SparseBayesianLearning and KroneckerSBL on synthetic data and plot the recovered coefficients.

    Parameters
    ----------
    outdir : str
        Folder where ``bayes.png`` is saved.

    Returns
    -------
    rows : list of tuple
        ``(estimator, task, metric, seconds)`` rows for the demo table.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sparsestat.bayes import KroneckerSBL, SparseBayesianLearning
    from sparsestat.datasets import make_kronecker_sparse, make_sparse_regression

    rows = []
    X, y, coef = make_sparse_regression(200, 500, 10, snr=5, random_state=0)
    SparseBayesianLearning().fit(X[:50, :60], y[:50])  # JIT warm-up
    t0 = time.perf_counter()
    sbl = SparseBayesianLearning().fit(X, y)
    dt = time.perf_counter() - t0
    nmse = np.sum((sbl.coef_ - coef) ** 2) / np.sum(coef**2)
    rows.append(("SparseBayesianLearning", "n=200 p=500 k=10 SNR 5",
                 f"NMSE {nmse:.4f}, {int(sbl.support_.sum())} non-zeros", dt))
    F, yk, x, s2 = make_kronecker_sparse(random_state=0)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kro = KroneckerSBL(method="svd", noise_variance=s2).fit(F, yk)
    dt = time.perf_counter() - t0
    knmse = np.sum((kro.coef_ - x) ** 2) / np.sum(x**2)
    rows.append(("KroneckerSBL(svd)", "3 factors 15 cols, M=8x12x15, 25 dB", f"NMSE {knmse:.1e}", dt))

    fig, (a0, a1) = plt.subplots(1, 2, figsize=(10, 3.5))
    a0.stem(coef, markerfmt="k.", linefmt="k-", basefmt=" ", label="truth")
    a0.plot(sbl.coef_, "r+", label="SBL")
    a0.set(title="Sequential SBL (p=500)", xlabel="feature")
    a0.legend()
    supp = np.flatnonzero(x)
    a1.plot(x[supp], "ko", label="truth")
    a1.plot(kro.coef_[supp], "r+", label="SVD-KroSBL")
    a1.set(title="KroSBL on the true support (N=3375)", xlabel="non-zero index")
    a1.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "bayes.png"), dpi=100)
    plt.close(fig)
    return rows
