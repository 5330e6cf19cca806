"""Numba kernels of the splicing engine: GLM losses, gradients, Hessian diagonals, restricted Newton fits.

Plain arrays only. ``family`` codes: 1 = binomial (logistic), 2 = poisson (log link).
All losses are weighted averages ``(1/n) sum_i w_i l_i`` with ``n = sum_i w_i`` handled by the
caller through ``w`` (the weights are pre-divided so that ``sum(w) == 1``).
"""

import numpy as np

from sparsestat.utils._numba import njit

__all__ = ["glm_loss", "glm_grad_hess", "glm_restricted_fit", "BINOMIAL", "POISSON"]

BINOMIAL = 1
POISSON = 2
_ETA_MAX = 30.0


@njit
def _mean_var(family, eta):
    """Return (mean, variance) of the GLM at linear predictor ``eta`` (canonical link)."""
    if family == BINOMIAL:
        if eta >= 0:
            e = np.exp(-eta)
            mu = 1.0 / (1.0 + e)
        else:
            e = np.exp(eta)
            mu = e / (1.0 + e)
        return mu, mu * (1.0 - mu)
    e = np.exp(min(eta, _ETA_MAX))
    return e, e


@njit
def _unit_loss(family, y, eta):
    """Negative log-likelihood of one sample, up to terms free of ``eta``."""
    if family == BINOMIAL:
        # log(1 + exp(eta)) - y * eta, computed stably
        if eta > 0:
            return eta + np.log1p(np.exp(-eta)) - y * eta
        return np.log1p(np.exp(eta)) - y * eta
    return np.exp(min(eta, _ETA_MAX)) - y * eta


@njit
def glm_loss(family, y, w, eta):
    """Weighted average negative log-likelihood ``sum_i w_i l(y_i, eta_i)`` (``w`` sums to one)."""
    total = 0.0
    for i in range(y.shape[0]):
        if w[i] != 0.0:
            total += w[i] * _unit_loss(family, y[i], eta[i])
    return total


@njit
def glm_grad_hess(family, X, y, w, eta, grad, hess):
    """Full gradient and Hessian diagonal of the weighted GLM loss at ``eta``.

    Writes ``grad[j] = sum_i w_i (mu_i - y_i) x_ij`` and ``hess[j] = sum_i w_i v_i x_ij^2`` for every
    column ``j`` of the (Fortran-ordered) ``X``. Returns the intercept gradient and curvature.
    """
    n, p = X.shape
    r = np.empty(n)
    v = np.empty(n)
    g0 = 0.0
    h0 = 0.0
    for i in range(n):
        mu, var = _mean_var(family, eta[i])
        r[i] = w[i] * (mu - y[i])
        v[i] = w[i] * var
        g0 += r[i]
        h0 += v[i]
    for j in range(p):
        gj = 0.0
        hj = 0.0
        for i in range(n):
            x = X[i, j]
            gj += r[i] * x
            hj += v[i] * x * x
        grad[j] = gj
        hess[j] = hj
    return g0, h0


@njit
def _restricted_eta(Xa, theta, off, fit_intercept, out):
    n, s = Xa.shape
    for i in range(n):
        out[i] = theta[0] if fit_intercept else 0.0
    for k in range(s):
        t = theta[off + k]
        if t != 0.0:
            for i in range(n):
                out[i] += Xa[i, k] * t


@njit
def _restricted_obj(family, y, w, theta, eta, lin, lin0, off, fit_intercept):
    val = glm_loss(family, y, w, eta)
    for k in range(lin.shape[0]):
        val -= lin[k] * theta[off + k]
    if fit_intercept:
        val -= lin0 * theta[0]
    return val


@njit
def glm_restricted_fit(family, X, y, w, active, coef0, b0, lin, lin0, fit_intercept, max_iter, tol):
    """Newton's method with step halving for the GLM loss restricted to the columns ``active``.

    Minimises ``sum_i w_i l(y_i, b + x_iA^T beta) - lin^T beta - lin0 * b`` over ``beta`` (and the
    intercept ``b`` when ``fit_intercept``). ``lin`` has the length of ``active``.

    Returns
    -------
    coef, intercept, loss, n_iter, converged
    """
    n = X.shape[0]
    s = active.shape[0]
    off = 1 if fit_intercept else 0
    d = s + off
    theta = np.empty(d)
    if fit_intercept:
        theta[0] = b0
    for k in range(s):
        theta[off + k] = coef0[k]
    Xa = np.empty((n, s))
    for k in range(s):
        for i in range(n):
            Xa[i, k] = X[i, active[k]]
    eta = np.empty(n)

    _restricted_eta(Xa, theta, off, fit_intercept, eta)
    obj = _restricted_obj(family, y, w, theta, eta, lin, lin0, off, fit_intercept)
    converged = d == 0
    it = 0
    r = np.empty(n)
    v = np.empty(n)
    eta_new = np.empty(n)
    for it in range(1, max_iter + 1):  # noqa: B007 - returned as n_iter
        if d == 0:
            break
        for i in range(n):
            mu, var = _mean_var(family, eta[i])
            r[i] = w[i] * (mu - y[i])
            v[i] = w[i] * max(var, 1e-12)
        g = np.zeros(d)
        H = np.zeros((d, d))
        if fit_intercept:
            g0 = 0.0
            h00 = 0.0
            for i in range(n):
                g0 += r[i]
                h00 += v[i]
            g[0] = g0 - lin0
            H[0, 0] = h00
            for k in range(s):
                acc = 0.0
                for i in range(n):
                    acc += v[i] * Xa[i, k]
                H[0, off + k] = acc
                H[off + k, 0] = acc
        for k in range(s):
            acc = 0.0
            for i in range(n):
                acc += r[i] * Xa[i, k]
            g[off + k] = acc - lin[k]
            for l in range(k, s):
                acc = 0.0
                for i in range(n):
                    acc += v[i] * Xa[i, k] * Xa[i, l]
                H[off + k, off + l] = acc
                H[off + l, off + k] = acc
        trace = 0.0
        for k in range(d):
            trace += H[k, k]
        ridge = 1e-10 * trace / d + 1e-14
        for k in range(d):
            H[k, k] += ridge
        step = np.linalg.solve(H, g)
        dec = 0.0
        for k in range(d):
            dec += g[k] * step[k]
        if dec < 2.0 * tol:
            converged = True
            break
        t = 1.0
        accepted = False
        for _ in range(30):
            theta_new = theta - t * step
            _restricted_eta(Xa, theta_new, off, fit_intercept, eta_new)
            obj_new = _restricted_obj(family, y, w, theta_new, eta_new, lin, lin0, off, fit_intercept)
            if obj_new <= obj - 0.25 * t * dec:
                theta = theta_new
                eta[:] = eta_new
                obj = obj_new
                accepted = True
                break
            t *= 0.5
        if not accepted:
            converged = True  # no further decrease achievable in floating point
            break
    coef = np.empty(s)
    for k in range(s):
        coef[k] = theta[off + k]
    b = theta[0] if fit_intercept else 0.0
    return coef, b, obj, it, converged
