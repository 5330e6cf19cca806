"""Successive convex approximation (SCA) of the linear-multiple-kernel weight problem, as a cvxpy SOCP.

The paper's local solver for SLIM-KL (Suwandi et al., arXiv:2309.08201; the authors' MATLAB/MOSEK
``functions/mosek_optimize.m``). cvxpy is an optional dependency (extra ``[all]``).
"""

import numpy as np
from scipy.linalg import cho_solve, cholesky

__all__ = []

_LOG_2PI = np.log(2.0 * np.pi)


def _import_cvxpy():
    try:
        import cvxpy as cp
    except ImportError as exc:  # pragma: no cover - exercised only without cvxpy
        raise ImportError("local_solver='sca' (and solver='sca') solves a second-order cone program with cvxpy, "
                          "which is not installed; install it with `pip install sparsestat[all]` (or "
                          "`pip install cvxpy`), or use the default majorise-minimise update "
                          "(local_solver='mm').") from exc
    return cp


def low_rank_factors(K_stack, rel_tol=1e-10):
    """Factors L_i (n, r_i) with K_i ~= L_i L_i^T from the eigenvalues above ``rel_tol * max``."""
    out = []
    for K in K_stack:
        w, V = np.linalg.eigh(0.5 * (K + K.T))
        keep = w > rel_tol * max(w.max(), 1e-300)
        out.append(V[:, keep] * np.sqrt(w[keep]))
    return out


def sca_subproblem(factors, y, g, g_noise, lin, rho=0.0, theta=None, learn_noise=True, noise_variance=None,
                   min_noise=1e-6):
    r"""Solve the convex SCA subproblem by cvxpy.

    .. math::

        \min_{\alpha \ge 0,\ s > 0}\ \tfrac12 y^\top \Big(\sum_i \alpha_i L_i L_i^\top + s I\Big)^{-1} y
        + \sum_i c_i \alpha_i + \tfrac12 g_0 s + \tfrac{\rho}{2}\|\alpha - \theta\|^2,

    with :math:`y^\top C^{-1} y = \min \{\sum_i \|w_i\|^2/\alpha_i + \|w_0\|^2 / s :
    \sum_i L_i w_i + w_0 = y\}` (rotated cones, ``quad_over_lin``), ``c = g / 2 + lin`` and
    ``g_noise`` the linearised log-det slope in the noise. With ``learn_noise=False`` the noise is
    held at ``noise_variance``; a learned noise stays above ``min_noise`` (the cone program becomes
    ill-conditioned as it collapses). Returns ``(alpha, s)``.
    """
    cp = _import_cvxpy()
    A = len(factors)
    alpha = cp.Variable(A, nonneg=True)
    ws = [cp.Variable(L.shape[1]) for L in factors]
    w0 = cp.Variable(y.size)
    s = cp.Variable(pos=True) if learn_noise else float(noise_variance)
    quad = sum(cp.quad_over_lin(w, alpha[i]) for i, w in enumerate(ws)) + cp.quad_over_lin(w0, s)
    obj = 0.5 * quad + (0.5 * np.asarray(g) + lin) @ alpha
    if learn_noise:
        obj = obj + 0.5 * g_noise * s
    if rho > 0:
        obj = obj + 0.5 * rho * cp.sum_squares(alpha - theta)
    cons = [sum(L @ w for L, w in zip(factors, ws, strict=True)) + w0 == y]
    if learn_noise:
        cons.append(s >= min_noise)
    prob = cp.Problem(cp.Minimize(obj), cons)
    for solver in ("CLARABEL", "SCS"):
        try:
            with np.errstate(divide="ignore", invalid="ignore"):  # cvxpy evaluates w^2 / alpha at alpha = 0
                prob.solve(solver=solver)
        except cp.error.SolverError:
            continue
        if alpha.value is not None and prob.status in ("optimal", "optimal_inaccurate"):
            break
    else:
        raise RuntimeError(f"the SCA cone program was not solved (cvxpy status {prob.status!r}).")
    a = np.maximum(np.asarray(alpha.value, dtype=float), 0.0)
    return a, (float(s.value) if learn_noise else float(noise_variance))


def _sca_weights(K_stack, y, weights, noise_variance, prior, max_iter, tol, prune_tol, rho, theta, lam):
    """SCA loop with the signature and return value of ``_mm_weights`` (never warns).

    Each iteration linearises the concave part (the log-determinant, and :math:`\\sum\\log\\alpha_i`
    for the Jeffreys prior) at the current weights and solves the convex remainder exactly, so the
    objective never increases (SCA with a tight linear majoriser is a majorise-minimise method).
    """
    K_stack = np.asarray(K_stack, dtype=float)
    y = np.asarray(y, dtype=float).ravel()
    A, n, _ = K_stack.shape
    w = np.asarray(weights, dtype=float).copy()
    learn_noise = noise_variance is None
    s2 = float(np.var(y) * 0.1 + 1e-5) if learn_noise else float(noise_variance)
    theta = np.zeros(A) if theta is None else np.asarray(theta, dtype=float)
    lam = np.zeros(A) if lam is None else np.asarray(lam, dtype=float)
    factors = low_rank_factors(K_stack)
    active = np.flatnonzero(w > 0)
    history, change, converged, n_iter = [], 0.0, False, 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 (returned)
        C = np.tensordot(w[active], K_stack[active], axes=1) + s2 * np.eye(n)
        L = cholesky(C, lower=True, check_finite=False)
        u = cho_solve((L, True), y, check_finite=False)
        Cinv = cho_solve((L, True), np.eye(n), check_finite=False)
        obj = 0.5 * y @ u + np.log(np.diag(L)).sum() + 0.5 * n * _LOG_2PI
        if prior == "jeffreys":
            obj += np.log(w[active]).sum()
        if rho > 0:
            obj += lam[active] @ (w[active] - theta[active]) + 0.5 * rho * np.sum((w[active] - theta[active]) ** 2)
        history.append(float(obj))
        g = np.einsum("ij,aij->a", Cinv, K_stack[active])
        lin = lam[active] + (1.0 / w[active] if prior == "jeffreys" else 0.0)
        try:
            new, s2_new = sca_subproblem([factors[i] for i in active], y, g, float(np.trace(Cinv)), lin, rho,
                                         theta[active], learn_noise, s2)
        except RuntimeError:  # keep the last iterate; reported as not converged
            break
        change = np.max(np.abs(new - w[active])) if active.size else 0.0
        w[active] = new
        s2 = max(s2_new, 1e-6) if learn_noise else s2
        wmax = w.max() if w.size else 0.0
        w[w < prune_tol * wmax] = 0.0
        active = np.flatnonzero(w > 0)
        if active.size == 0 or change <= tol * max(wmax, 1e-300):
            converged = True
            break
    return w, s2, n_iter, history, converged, change
