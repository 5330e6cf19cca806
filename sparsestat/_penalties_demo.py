"""Demo of the penalty layer: thresholding functions of every separable penalty."""

import os
import time

import numpy as np


def demo(outdir):
    """Plot each penalty's thresholding function and time the vectorised prox.

    Parameters
    ----------
    outdir : str
        Folder where ``penalties.png`` is saved.

    Returns
    -------
    rows : list of tuple
        ``(estimator, task, metric, seconds)`` rows for the demo table.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sparsestat import penalties as P

    v = np.linspace(-4, 4, 801)
    pens = [P.L1(1.0), P.ElasticNet(1.0, l1_ratio=0.5), P.L0(1.0), P.Lq(1.0, q=0.5), P.CEL0(1.0),
            P.MCP(1.0, gamma=3.0), P.SCAD(1.0, a=3.7)]
    rows = []
    fig, ax = plt.subplots(figsize=(6, 4))
    big = np.random.default_rng(0).standard_normal(1_000_000)
    for pen in pens:
        ax.plot(v, pen.prox(v, 1.0), label=type(pen).__name__)
        t0 = time.perf_counter()
        pen.prox(big, 0.5)
        rows.append((type(pen).__name__, "prox of 1e6 entries", "-", time.perf_counter() - t0))
    ax.plot(v, v, "k:", lw=0.8)
    ax.set(xlabel="input", ylabel="prox(input, step=1)", title="Thresholding functions")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "penalties.png"), dpi=100)
    plt.close(fig)
    return rows
