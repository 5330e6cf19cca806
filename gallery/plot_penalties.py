"""
Penalties and their thresholding functions
==========================================

Every sparse estimator of sparsestat is a data fit plus a penalty from
:mod:`sparsestat.penalties`. A penalty :math:`R` enters the solvers through its proximal
operator

.. math::

    \\operatorname{prox}_{\\eta R}(v) = \\arg\\min_z \\tfrac12 (z - v)^2 + \\eta R(z),

which, for the separable penalties below, is a scalar *thresholding function*: entries inside
the dead zone (:meth:`~sparsestat.penalties.L1.threshold`) are set to zero, the others are shrunk
(soft, firm) or kept (hard). This example draws each penalty next to its thresholding function
at step :math:`\\eta = 1`, then compares them on a small denoising problem.
"""

# %%
# The penalties
# -------------
# All penalties share the level ``alpha = 1``. The nonconvex ones (L0, Lq, CEL0, MCP, SCAD) return
# the *global* minimiser of the prox objective, which is why hard and half thresholding jump at
# their threshold while soft, MCP, SCAD and CEL0 (for small steps) are continuous.
import matplotlib.pyplot as plt
import numpy as np

from sparsestat.penalties import CEL0, L0, L1, MCP, SCAD, ElasticNet, Lq, NonNegative

penalties = {
    "L1 (soft)": L1(alpha=1.0),
    "ElasticNet, l1_ratio=0.5": ElasticNet(alpha=1.0, l1_ratio=0.5),
    "L0 (hard)": L0(alpha=1.0),
    "Lq, q=1/2 (half)": Lq(alpha=1.0, q=0.5),
    "Lq, q=2/3": Lq(alpha=1.0, q=2 / 3),
    "Lq, q=0.3 (Newton)": Lq(alpha=1.0, q=0.3),
    "CEL0, atom norm 0.8": CEL0(alpha=1.0, atom_norms=0.8),
    "MCP, gamma=3": MCP(alpha=1.0, gamma=3.0),
    "SCAD, a=3.7": SCAD(alpha=1.0, a=3.7),
    "NonNegative": NonNegative(),
}

v = np.linspace(-4.0, 4.0, 1601)
step = 1.0

# %%
# Penalty value and thresholding function
# ---------------------------------------
# Left: :math:`R(x)` for a single entry. Right: :math:`\operatorname{prox}_{R}(v)`, with the
# identity dotted and the dead zone shaded.
for name, pen in penalties.items():
    v_coarse = v[::4]
    values = np.array([pen.value(np.array([x])) for x in v_coarse])
    fig, (ax_val, ax_prox) = plt.subplots(1, 2, figsize=(8, 3))
    ax_val.plot(v_coarse, np.where(np.isfinite(values), values, np.nan), color="C0")
    ax_val.set(title=f"{name}: penalty", xlabel="x", ylabel="R(x)")
    ax_prox.plot(v, v, "k:", lw=0.8)
    ax_prox.plot(v, pen.prox(v, step), color="C1")
    t = pen.threshold(step)
    if t > 0:
        ax_prox.axvspan(-t, t, color="0.9")
    ax_prox.set(title=f"{name}: prox, step 1 (dead zone {t:.3g})", xlabel="v", ylabel="prox(v)")
    fig.tight_layout()

# %%
# All thresholding functions together
# -----------------------------------
fig, ax = plt.subplots(figsize=(6, 4.5))
for name, pen in penalties.items():
    ax.plot(v, pen.prox(v, step), label=name, lw=1.2)
ax.plot(v, v, "k:", lw=0.8)
ax.set(xlabel="v", ylabel="prox(v, step=1)", title="Thresholding functions", xlim=(0, 4), ylim=(-0.1, 4))
ax.legend(fontsize=7)
fig.tight_layout()

# %%
# Denoising a sparse vector
# -------------------------
# A sparse vector observed in unit Gaussian noise is estimated by one prox step,
# :math:`\hat x = \operatorname{prox}_{\eta R}(y)`. The level of each penalty is set so that its
# dead zone is the universal threshold :math:`\sqrt{2\log n}`; the shrinkage of the large entries
# then makes the difference. Soft thresholding moves every kept entry by the threshold; hard, half
# and :math:`\ell_q` thresholding leave large entries nearly untouched; MCP and SCAD stop shrinking
# only beyond :math:`\gamma\alpha` and :math:`a\alpha`, which here exceed the signal amplitudes.
rng = np.random.default_rng(0)
n, n_nonzero = 2000, 40
x_true = np.zeros(n)
x_true[rng.choice(n, n_nonzero, replace=False)] = rng.choice([-1.0, 1.0], n_nonzero) * rng.uniform(4, 8, n_nonzero)
y = x_true + rng.standard_normal(n)
universal = np.sqrt(2 * np.log(n))

for name, pen in penalties.items():
    if isinstance(pen, NonNegative):
        continue
    # rescale alpha so that the dead zone matches the universal threshold (bisection on alpha)
    lo, hi = 1e-6, 100.0
    for _ in range(80):
        mid = np.sqrt(lo * hi)
        lo, hi = (mid, hi) if pen.set_params(alpha=mid).threshold(step) < universal else (lo, mid)
    pen.set_params(alpha=hi)
    x_hat = pen.prox(y, step)
    err = np.linalg.norm(x_hat - x_true) / np.linalg.norm(x_true)
    support = np.count_nonzero(x_hat)
    print(f"{name:26s} alpha={pen.alpha:7.3f}  relative error={err:.3f}  non-zeros={support}")
