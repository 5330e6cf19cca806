"""Demo of the transforms family: dense FWHT speed and SPRIGHT recovery from a few samples."""

import os
import time

import numpy as np


def demo(outdir):
    """Time the dense FWHT, recover a sparse spectrum and a black-box Boolean function with SPRIGHT.

    Parameters
    ----------
    outdir : str
        Folder where ``transforms.png`` is saved.

    Returns
    -------
    rows : list of tuple
        ``(estimator, task, metric, seconds)`` rows for the demo table.
    """
    import matplotlib.pyplot as plt

    from sparsestat.datasets import make_sparse_boolean_function, make_sparse_wht_signal
    from sparsestat.transforms import SparseWHT, fwht, spright

    rows = []
    x = np.random.default_rng(0).standard_normal(1 << 20)
    fwht(x[: 1 << 16])  # warm both kernels (batched rows and one long row)
    fwht(x[:1024])
    t0 = time.perf_counter()
    fwht(x)
    t = time.perf_counter() - t0
    rows.append(("fwht", "N=2^20 float64", f"{t / x.size * 1e9:.1f} ns/element", t))

    x, S, V, _ = make_sparse_wht_signal(20, 64, snr_db=10, coef="random_phase", random_state=0)
    spright(make_sparse_wht_signal(12, 8, snr_db=10, random_state=0)[0], sparsity=8, n_chains=2, random_state=0)
    t0 = time.perf_counter()
    s, v, info = spright(x, sparsity=64, n_chains=4, random_state=0)
    t = time.perf_counter() - t0
    nmse = np.sum(np.abs(v - V) ** 2) / np.sum(np.abs(V) ** 2) if np.array_equal(s, S) else np.nan
    rows.append(("spright", "N=2^20 K=64 10 dB", f"exact={np.array_equal(s, S)} NMSE={nmse:.1e} "
                 f"samples={info['n_samples_used'] / x.size:.2%}", t))

    f, support, F = make_sparse_boolean_function(40, 16, max_degree=3, random_state=0)
    t0 = time.perf_counter()
    est = SparseWHT(n_bits=40, sparsity=16, delays="identity", noise=0, norm="forward", random_state=0).fit(f)
    t = time.perf_counter() - t0
    rows.append(("SparseWHT", "black-box f of 40 bits, K=16",
                 f"exact={np.array_equal(est.support_[0], support)} queries={int(est.n_samples_used_[0])}", t))

    X = fwht(x, norm="ortho")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    shown = np.union1d(S, np.random.default_rng(0).choice(X.size, 3000, replace=False))
    ax.semilogy(shown, np.abs(X[shown]), ".", ms=2, color="0.6", label="dense |fwht(x)| (3000 of 2^20 shown)")
    ax.semilogy(s, np.abs(v), "o", mfc="none", color="C3", label=f"SPRIGHT ({info['n_samples_used']} samples)")
    ax.set(xlabel="frequency k", ylabel="|X[k]|", title="Sparse Walsh spectrum, SNR 10 dB")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "transforms.png"), dpi=100)
    plt.close(fig)
    return rows
