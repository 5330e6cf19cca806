"""Demo of the variance_reduction family: crude MC vs IS vs IS + sparse control variates."""

import os
import time

import numpy as np


def demo(outdir):
    """Estimate a 6e-3 crash rate with three estimators and plot their confidence intervals.

    Parameters
    ----------
    outdir : str
        Folder where ``variance_reduction.png`` is saved.

    Returns
    -------
    rows : list of tuple
        ``(estimator, task, metric, seconds)`` rows for the demo table.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sparsestat.datasets import make_rare_event_tests
    from sparsestat.variance_reduction import ImportanceSamplingEstimator, SparseControlVariates

    d = make_rare_event_tests(2000, threshold=-2.5, random_state=0)
    crude = make_rare_event_tests(2000, threshold=-2.5, sampler="crude", random_state=1)
    fits = [
        ("crude Monte Carlo", lambda: ImportanceSamplingEstimator().fit(crude.outcomes)),
        ("ImportanceSamplingEstimator", lambda: ImportanceSamplingEstimator().fit(d.outcomes, d.likelihood_ratios)),
        ("SparseControlVariates", lambda: SparseControlVariates(
            bins=[-3.0, -2.5, -2.0, -1.5], stratum_probs=d.stratum_probs).fit(
            d.outcomes, d.likelihood_ratios, d.critical_values)),
    ]
    rows, cis = [], []
    for name, fit in fits:
        t0 = time.perf_counter()
        est = fit()
        sec = time.perf_counter() - t0
        cis.append(est.confidence_interval())
        rows.append((name, "crash rate 6.2e-3, 2000 tests",
                     f"RHW {est.relative_half_width():.3f}, tests to RHW 0.3: {est.n_tests_needed(0.3):.3g}", sec))
    fig, ax = plt.subplots(figsize=(6, 3))
    for k, (lo, hi) in enumerate(cis):
        ax.plot([lo, hi], [k, k], lw=4)
    ax.axvline(d.true_rate, color="k", ls=":")
    ax.set_yticks(np.arange(len(fits)), [name for name, _ in fits])
    ax.set(xlabel="95% confidence interval of the crash rate")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "variance_reduction.png"), dpi=100)
    plt.close(fig)
    return rows
