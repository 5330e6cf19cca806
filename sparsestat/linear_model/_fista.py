"""Array-API FISTA for penalised least squares on dense data (NumPy, CuPy, array_api_strict).

Written against the namespace of the input, so a CuPy ``X`` is fitted on the
GPU and ``coef_`` stays a CuPy array. Same objective and stopping rule as the
coordinate-descent solver: the duality gap for L1 / elastic net, the KKT
residual otherwise.
"""

import math
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sparsestat.utils._array_api import get_namespace, is_numpy_namespace

__all__ = ["fista_fit", "fista_predict", "fista_solve"]


def _spectral_norm_sq(xp, A, n_iter=50, seed=0):
    rng = np.random.default_rng(seed)
    v = xp.asarray(rng.standard_normal(A.shape[1]), dtype=A.dtype)
    if hasattr(A, "device"):
        v = xp.asarray(v, device=A.device)
    lam = 0.0
    for _ in range(n_iter):
        w = A.T @ (A @ v)
        nrm = float(xp.sqrt(xp.sum(w * w)))
        if nrm == 0.0:
            return 0.0
        v = w / nrm
        lam = nrm
    return lam * 1.01


def _gap(xp, Xc, yc, w, r, alpha, l1_ratio, pf, positive, n):
    """Elastic-net duality gap in the scaled objective (same formula as the CD kernel)."""
    l1 = n * alpha * l1_ratio
    l2 = n * alpha * (1.0 - l1_ratio)
    xta = Xc.T @ r - l2 * w
    pos = pf > 0
    ratio = (xta if positive else xp.abs(xta)) / xp.where(pos, pf, xp.ones_like(pf))
    ratio = xp.where(pos, ratio, xp.zeros_like(ratio))
    dual_norm = float(xp.max(ratio)) if ratio.shape[0] else 0.0
    r_sq = float(xp.sum(r * r))
    if dual_norm > l1:
        const = l1 / dual_norm
        gap = 0.5 * r_sq * (1 + const * const)
    else:
        const = 1.0
        gap = r_sq
    gap += (l1 * float(xp.sum(pf * xp.abs(w))) - const * float(xp.sum(r * yc))
            + 0.5 * l2 * (1 + const * const) * float(xp.sum(w * w)))
    return gap / n


def fista_solve(xp, Xc, yc, penalty, pf, positive, max_iter, tol_abs, gap_based, l1_ratio):
    """FISTA with gradient-based adaptive restart on ``1/(2n)||yc - Xc w||^2 + pen(w)``."""
    n, p = Xc.shape
    L = _spectral_norm_sq(xp, Xc) / n
    w = xp.zeros(p, dtype=Xc.dtype)
    if L == 0.0:
        return w, 0.0, 0
    step = 1.0 / L
    z = w
    t = 1.0
    crit = math.inf
    it = 0
    uniform = float(xp.min(pf)) == float(xp.max(pf))
    code = int(penalty.numba_spec()[0])
    if uniform:
        pf0 = float(pf[0]) if p else 1.0
        if pf0 == 0.0:

            def prox(v):
                return v
        else:

            def prox(v):
                return penalty.prox(v, step * pf0)
    elif code in (0, 1):
        from sparsestat.penalties import soft_threshold

        ratio = float(getattr(penalty, "l1_ratio", 1.0))
        tau = (step * float(penalty.alpha) * ratio) * pf
        shrink = 1.0 + step * float(penalty.alpha) * (1.0 - ratio)

        def prox(v):
            return soft_threshold(v, tau) / shrink
    else:
        raise ValueError("solver='fista' supports a non-uniform penalty_factor only for L1 and ElasticNet "
                         "penalties; use solver='cd'.")
    for it in range(1, max_iter + 1):
        r_z = yc - Xc @ z
        v = z + (Xc.T @ r_z) * (step / n)
        if positive:
            v = xp.maximum(v, xp.zeros_like(v))
        w_new = prox(v)
        t_new = (1.0 + math.sqrt(1.0 + 4.0 * t * t)) / 2.0
        if float(xp.sum((z - w_new) * (w_new - w))) > 0:  # restart
            t_new = 1.0
            z = w_new
        else:
            z = w_new + ((t - 1.0) / t_new) * (w_new - w)
        w, t = w_new, t_new
        if it % 10 == 0 or it == max_iter:
            r = yc - Xc @ w
            if gap_based:
                crit = _gap(xp, Xc, yc, w, r, float(penalty.alpha), l1_ratio, pf, positive, n)
            else:
                grad = -(Xc.T @ r) / n
                dist = penalty.subdiff_distance(w, grad / pf if float(xp.min(pf)) > 0 else grad)
                if positive:
                    dist = xp.where((w == 0) & (grad > 0), xp.zeros_like(dist), dist)
                crit = float(xp.max(dist))
            if crit <= tol_abs:
                break
    return w, crit, it


def fista_fit(est, X, y, sample_weight, penalty):
    """Fit ``est`` (a penalised least-squares estimator) with array-API FISTA."""
    from sklearn.utils.validation import validate_data

    from sparsestat.linear_model._coordinate_descent import _check_penalty_factor

    xp = get_namespace(X, y)
    if not getattr(penalty, "is_separable", True):
        raise ValueError("solver='fista' supports separable penalties; use solver='cd' for GroupL1.")
    if is_numpy_namespace(xp):
        X, y = validate_data(est, X, y, accept_sparse=False, dtype=[np.float64, np.float32], multi_output=True,
                             y_numeric=True)
        y = np.asarray(y, dtype=X.dtype)
    else:
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D, got shape {X.shape}.")
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"X and y have inconsistent numbers of samples: {X.shape[0]} and {y.shape[0]}.")
        if X.shape[0] == 0:
            raise ValueError("X is empty (0 samples).")
        if not bool(xp.all(xp.isfinite(X))) or not bool(xp.all(xp.isfinite(y))):
            raise ValueError("Input X or y contains NaN or infinity.")
        est.n_features_in_ = X.shape[1]
    n, p = X.shape
    pf = xp.asarray(_check_penalty_factor(est.penalty_factor, p), dtype=X.dtype)
    if hasattr(X, "device"):
        pf = xp.asarray(pf, device=X.device)
    if sample_weight is not None:
        from sparsestat.utils._array_api import asarray_like, to_numpy
        from sparsestat.utils._validation import check_sample_weight

        sw_np = check_sample_weight(to_numpy(sample_weight), np.empty((n, 0)), dtype=np.float64)
        sw = asarray_like((sw_np * n / sw_np.sum()).astype(to_numpy(X[:1, :1]).dtype), X)
    else:
        sw = None
    if est.fit_intercept:
        if sw is None:
            x_mean = xp.mean(X, axis=0)
            y_mean = xp.mean(y, axis=0)
        else:
            x_mean = (sw @ X) / n
            y_mean = (sw @ y) / n
    else:
        x_mean = xp.zeros(p, dtype=X.dtype)
        y_mean = xp.zeros(y.shape[1:], dtype=X.dtype) if y.ndim > 1 else 0.0
    Xc = X - x_mean
    yc = y - y_mean
    if sw is not None:
        root = xp.sqrt(sw)
        Xc = Xc * root[:, None]
        yc = yc * (root if yc.ndim == 1 else root[:, None])
    code = penalty.numba_spec()[0]
    gap_based = bool(penalty.is_convex) and int(code) in (0, 1)
    l1_ratio = float(getattr(penalty, "l1_ratio", 1.0))
    Y = yc[:, None] if yc.ndim == 1 else yc
    coefs, crits, iters = [], [], []
    for k in range(Y.shape[1]):
        yk = Y[:, k]
        if gap_based:
            tol_abs = est.tol * float(xp.sum(yk * yk)) / n
        else:
            scale = float(xp.max(xp.abs(Xc.T @ yk))) / n
            tol_abs = est.tol * (scale if scale > 0 else 1.0)
        w, crit, it = fista_solve(xp, Xc, yk, penalty, pf, est.positive, est.max_iter, tol_abs, gap_based, l1_ratio)
        if crit > tol_abs:
            warnings.warn(
                f"FISTA did not converge after {it} iterations (max_iter={est.max_iter}): "
                f"{'duality gap' if gap_based else 'KKT residual'} {crit:.3e} > effective tolerance "
                f"{tol_abs:.3e} (tol={est.tol:g}). Increase max_iter or raise tol.",
                ConvergenceWarning, stacklevel=3,
            )
        coefs.append(w)
        crits.append(crit)
        iters.append(it)
    W = xp.stack(coefs) if len(coefs) > 1 or yc.ndim > 1 else coefs[0]
    est.coef_ = W
    est.intercept_ = (y_mean - (W @ x_mean if W.ndim == 1 else W @ x_mean)) if est.fit_intercept else (
        xp.zeros(W.shape[0], dtype=X.dtype) if W.ndim > 1 else 0.0)
    if is_numpy_namespace(xp) and W.ndim == 1:
        est.intercept_ = float(est.intercept_)
    est.dual_gap_ = crits[0] if yc.ndim == 1 else np.asarray(crits)
    est.stop_crit_ = est.dual_gap_
    est.n_iter_ = iters[0] if yc.ndim == 1 else np.asarray(iters)
    return est


def fista_predict(est, X):
    """Predict in the namespace of ``X`` (None for NumPy input: the caller's path applies)."""
    xp = get_namespace(X)
    if is_numpy_namespace(xp):
        return None
    if X.ndim != 2 or X.shape[1] != est.n_features_in_:
        raise ValueError(f"X has {X.shape[-1]} features, but the model was fitted with {est.n_features_in_}.")
    W = est.coef_
    return X @ W.T + est.intercept_ if W.ndim > 1 else X @ W + est.intercept_
