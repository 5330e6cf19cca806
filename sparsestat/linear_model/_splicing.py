r"""The splicing engine for best-subset selection (Zhu et al., PNAS 2020), shared by every ℓ0 estimator.

A *problem* object knows how to fit the model restricted to an active set and how to compute the
full gradient and Hessian diagonal of the loss; the engine (``splice``, ``fit_support_path``) is
written once on top of it. Problems:

* :class:`GaussianProblem` — :math:`\tfrac12\sum_i w_i(y_i - b - x_i^\top\beta)^2`, restricted fits by
  solving the Gram system on the active set (Gram columns computed lazily and cached);
* :class:`GLMProblem` — binomial or Poisson negative log-likelihood, restricted fits by Newton's method
  in Numba (:mod:`._splicing_kernels`).

Both accept a *linear term* ``lin`` (and ``lin0`` for the intercept): the loss minimised is
``L(beta, b) - lin^T beta - lin0 * b``. This is how the communication-efficient surrogate likelihood
of the distributed estimator is spliced with the same engine.

The weights ``w`` are normalised to sum to one, so every loss is an average; ``n_eff`` (the sum of
the raw weights, i.e. the number of samples for unit weights) enters the information criteria and
the splicing threshold.
"""

import math

import numpy as np

from sparsestat.linear_model._splicing_kernels import (
    BINOMIAL,
    POISSON,
    glm_grad_hess,
    glm_loss,
    glm_restricted_fit,
)

__all__ = [
    "GaussianProblem",
    "GLMProblem",
    "make_problem",
    "splice",
    "fit_support_path",
    "information_criterion",
    "default_s_max",
    "default_tau",
    "splicing",
]

FAMILIES = {"gaussian": 0, "binomial": BINOMIAL, "poisson": POISSON}
_IC_KINDS = ("aic", "bic", "gic", "ebic")


class _State:
    """A restricted fit: sorted active indices, their coefficients, the intercept and the loss."""

    __slots__ = ("active", "coef", "intercept", "loss", "n_iter", "converged")

    def __init__(self, active, coef, intercept, loss, n_iter=0, converged=True):
        self.active = active
        self.coef = coef
        self.intercept = intercept
        self.loss = loss
        self.n_iter = n_iter
        self.converged = converged

    def full_coef(self, p):
        out = np.zeros(p)
        out[self.active] = self.coef
        return out


def _normalise_weights(sample_weight, n):
    if sample_weight is None:
        return np.full(n, 1.0 / n), float(n)
    sw = np.asarray(sample_weight, dtype=np.float64)
    total = float(sw.sum())
    return sw / total, total


class GaussianProblem:
    """Weighted least squares ``1/2 sum_i w_i (y_i - b - x_i^T beta)^2 - lin^T beta - lin0 b``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    sample_weight : ndarray or None
        Raw non-negative weights (normalised here).
    fit_intercept : bool
    lin : ndarray of shape (n_features,) or None
    lin0 : float
    """

    family = "gaussian"

    def __init__(self, X, y, sample_weight=None, fit_intercept=True, lin=None, lin0=0.0):
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        n, p = X.shape
        w, self.n_eff = _normalise_weights(sample_weight, n)
        self.n_features = p
        self.fit_intercept = fit_intercept
        if fit_intercept:
            self.x_mean = w @ X
            self.y_mean = float(w @ y)
        else:
            self.x_mean = np.zeros(p)
            self.y_mean = 0.0
            lin0 = 0.0
        u = np.sqrt(w)
        # features as rows (C order): Gram columns and residual products are contiguous dot products
        self.XT = np.empty((p, n))
        np.subtract(X.T, self.x_mean[:, None], out=self.XT)
        self.XT *= u
        self.ys = (y - self.y_mean) * u
        lin = np.zeros(p) if lin is None else np.asarray(lin, dtype=np.float64)
        self.lin0 = float(lin0)
        self.lin_eff = lin - self.lin0 * self.x_mean
        self.r = self.XT @ self.ys + self.lin_eff
        self.const = 0.5 * float(self.ys @ self.ys) - self.lin0 * self.y_mean - 0.5 * self.lin0 ** 2
        self.hess = np.einsum("ij,ij->i", self.XT, self.XT)
        self._slot = np.full(p, -1, dtype=np.int64)
        self._G = np.empty((0, p))
        self._used = 0

    def _gram(self, cols):
        """Slots of the Gram rows ``Xs[:, j]^T Xs`` of ``cols`` (computed once per feature, then cached)."""
        slots = self._slot[cols]
        if np.any(slots < 0):
            missing = np.unique(cols[slots < 0])
            need = self._used + missing.size
            if need > self._G.shape[0]:
                cap = max(need, 2 * self._G.shape[0], 32)
                G = np.empty((cap, self.n_features))
                G[: self._used] = self._G[: self._used]
                self._G = G
            self._G[self._used:need] = self.XT[missing] @ self.XT.T
            self._slot[missing] = np.arange(self._used, need)
            self._used = need
            slots = self._slot[cols]
        return slots

    def fit(self, active, coef0=None, intercept0=None):
        """Exact minimiser over ``supp(beta) ⊆ active`` (the loss from the normal equations)."""
        if active.size == 0:
            return _State(active, np.zeros(0), self._intercept(active, np.zeros(0)), self.const)
        slots = self._gram(active)
        G = self._G[np.ix_(slots, active)]
        rA = self.r[active]
        try:
            coef = np.linalg.solve(G, rA)
            if not np.all(np.isfinite(coef)):
                raise np.linalg.LinAlgError
        except np.linalg.LinAlgError:
            coef = np.linalg.lstsq(G, rA, rcond=None)[0]
        loss = self.const - 0.5 * float(rA @ coef)
        return _State(active, coef, self._intercept(active, coef), loss)

    def exact_loss(self, state):
        """The loss recomputed from residuals (no cancellation when the fit is near perfect)."""
        res = self.ys - state.coef @ self.XT[state.active]
        return 0.5 * float(res @ res) - float(self.lin_eff[state.active] @ state.coef) \
            - self.lin0 * self.y_mean - 0.5 * self.lin0 ** 2

    def _intercept(self, active, coef):
        if not self.fit_intercept:
            return 0.0
        return self.y_mean - float(self.x_mean[active] @ coef) + self.lin0

    def grad_hess(self, state):
        """Gradient of the loss w.r.t. every coefficient, and the Hessian diagonal."""
        if state.active.size == 0:
            g = -self.r.copy()
        else:
            g = state.coef @ self._G[self._gram(state.active)] - self.r
        return g, self.hess


class GLMProblem:
    """Weighted GLM negative log-likelihood (binomial or Poisson) minus a linear term.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    family : {"binomial", "poisson"}
    sample_weight : ndarray or None
    fit_intercept : bool
    lin : ndarray of shape (n_features,) or None
    lin0 : float
    max_newton_iter, newton_tol : Newton settings of the restricted fits.
    """

    def __init__(self, X, y, family, sample_weight=None, fit_intercept=True, lin=None, lin0=0.0,
                 max_newton_iter=50, newton_tol=1e-10):
        self.X = np.asfortranarray(X, dtype=np.float64)
        self.y = np.ascontiguousarray(y, dtype=np.float64)
        n, p = self.X.shape
        self.w, self.n_eff = _normalise_weights(sample_weight, n)
        self.family = family
        self.code = FAMILIES[family]
        self.n_features = p
        self.fit_intercept = fit_intercept
        self.lin = np.zeros(p) if lin is None else np.asarray(lin, dtype=np.float64)
        self.lin0 = float(lin0) if fit_intercept else 0.0
        self.max_newton_iter = max_newton_iter
        self.newton_tol = newton_tol
        self._g = np.empty(p)
        self._h = np.empty(p)

    def fit(self, active, coef0=None, intercept0=None):
        """Newton fit restricted to ``active`` (warm-started at ``coef0``, ``intercept0``)."""
        s = active.size
        coef0 = np.zeros(s) if coef0 is None else np.asarray(coef0, dtype=np.float64)
        if intercept0 is None:
            intercept0 = 0.0
        coef, b, loss, n_iter, conv = glm_restricted_fit(
            self.code, self.X, self.y, self.w, np.ascontiguousarray(active, dtype=np.int64), coef0,
            float(intercept0), np.ascontiguousarray(self.lin[active]), self.lin0, self.fit_intercept,
            self.max_newton_iter, self.newton_tol)
        return _State(active, coef, float(b), float(loss), n_iter, conv)

    def exact_loss(self, state):
        """The loss of ``state`` (already exact for GLMs)."""
        return state.loss

    def linear_predictor(self, state):
        eta = np.full(self.X.shape[0], state.intercept)
        if state.active.size:
            eta += self.X[:, state.active] @ state.coef
        return eta

    def grad_hess(self, state):
        """Gradient of the loss w.r.t. every coefficient, and the Hessian diagonal."""
        eta = self.linear_predictor(state)
        glm_grad_hess(self.code, self.X, self.y, self.w, eta, self._g, self._h)
        return self._g - self.lin, self._h.copy()


def make_problem(X, y, family="gaussian", sample_weight=None, fit_intercept=True, lin=None, lin0=0.0):
    """Build the problem object of ``family`` (see :class:`GaussianProblem`, :class:`GLMProblem`).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    family : {"gaussian", "binomial", "poisson"}
    sample_weight : ndarray or None
    fit_intercept : bool
    lin : ndarray or None
    lin0 : float

    Returns
    -------
    problem : GaussianProblem or GLMProblem
    """
    if family == "gaussian":
        return GaussianProblem(X, y, sample_weight, fit_intercept, lin, lin0)
    return GLMProblem(X, y, family, sample_weight, fit_intercept, lin, lin0)


def default_s_max(n_eff, p):
    """``min(p, floor(n / (log p * log log n)))`` (the abess default), at least 1."""
    denom = math.log(max(p, 2)) * math.log(math.log(max(n_eff, 3.0)))
    return int(min(p, max(1, math.floor(n_eff / max(denom, 1e-12)))))


def default_tau(s, n_eff, p):
    """Splicing threshold ``0.01 * s * log p * log log n / n``."""
    return 0.01 * s * math.log(max(p, 2)) * math.log(math.log(max(n_eff, 3.0))) / n_eff


def information_criterion(kind, loss, s, n_eff, p, family, ic_coef=1.0):
    """Information criterion of a support of size ``s`` with average loss ``loss``.

    ``dev + ic_coef * s * pen`` with ``dev = n log(2 loss)`` (Gaussian, i.e. ``n log(RSS/n)``) or
    ``dev = 2 n loss`` (GLMs), and ``pen`` = 2 (aic), log n (bic), log p log log n (gic),
    log n + 2 log p (ebic).

    Parameters
    ----------
    kind : {"aic", "bic", "gic", "ebic"}
    loss : float
    s : int
    n_eff : float
    p : int
    family : str
    ic_coef : float

    Returns
    -------
    float
    """
    if family == "gaussian":
        dev = n_eff * math.log(max(2.0 * loss, 1e-300))
    else:
        dev = 2.0 * n_eff * loss
    logn = math.log(max(n_eff, 1.0))
    logp = math.log(max(p, 1))
    if kind == "aic":
        pen = 2.0
    elif kind == "bic":
        pen = logn
    elif kind == "gic":
        pen = logp * math.log(max(logn, 1.0))
    else:
        pen = logn + 2.0 * logp
    return dev + ic_coef * s * pen


def _top(values, k):
    """Indices of the ``k`` largest ``values``, largest first (ties broken by index)."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k < values.size:
        part = np.argpartition(-values, k - 1)[:k]
    else:
        part = np.arange(values.size)
    order = np.lexsort((part, -values[part]))
    return part[order][:k].astype(np.int64)


def _sacrifices(problem, state):
    """Backward sacrifices on the active set and forward sacrifices elsewhere, in one p-vector."""
    g, h = problem.grad_hess(state)
    with np.errstate(divide="ignore", invalid="ignore"):
        sac = np.where(h > 0, 0.5 * g * g / h, 0.0)
    sac[state.active] = 0.5 * h[state.active] * state.coef ** 2
    return sac


def initial_state(problem, s, state=None, candidates=None):
    """Active set of size ``s`` from the sacrifices at ``state`` (the null model when None), fitted.

    Parameters
    ----------
    problem : GaussianProblem or GLMProblem
    s : int
    state : _State or None
        A previous solution (warm start along the path).
    candidates : ndarray of int or None
        Restrict the choice to these features.

    Returns
    -------
    _State
    """
    if state is None:
        state = problem.fit(np.zeros(0, dtype=np.int64))
    if s == state.active.size and candidates is None:
        return state
    sac = _sacrifices(problem, state)
    if candidates is not None:
        mask = np.full(sac.size, -np.inf)
        mask[candidates] = sac[candidates]
        sac = mask
    active = np.sort(_top(sac, s))
    full = state.full_coef(problem.n_features)
    return problem.fit(active, full[active], state.intercept)


def splice(problem, state, *, exchange_num=5, tau=None, max_iter=20):
    """Improve ``state`` by splicing at a fixed support size.

    At each iteration the ``k`` active features with the smallest backward sacrifice
    :math:`\\xi_j = \\tfrac12 h_j\\beta_j^2` are exchanged with the ``k`` inactive features with the
    largest forward sacrifice :math:`\\zeta_j = \\tfrac12 g_j^2/h_j`, for ``k = 1..min(exchange_num, s)``;
    the best exchange is kept when it lowers the loss by more than ``tau``, otherwise the search stops.

    Parameters
    ----------
    problem : GaussianProblem or GLMProblem
    state : _State
        A restricted fit (its support size is kept).
    exchange_num : int, default=5
    tau : float or None
        Threshold; None uses :func:`default_tau`.
    max_iter : int, default=20

    Returns
    -------
    state : _State
        The spliced solution.
    n_iter : int
        Splicing iterations run.
    converged : bool
        False when ``max_iter`` iterations still improved the loss.
    """
    p = problem.n_features
    s = state.active.size
    if tau is None:
        tau = default_tau(s, problem.n_eff, p)
    if s == 0 or s >= p:
        return state, 0, True
    K = min(exchange_num, s, p - s)
    for it in range(1, max_iter + 1):
        sac = _sacrifices(problem, state)
        back = sac[state.active]
        fwd = sac.copy()
        fwd[state.active] = -np.inf
        enter = _top(fwd, K)
        leave_pos = np.lexsort((state.active, back))[:K]
        best = None
        for k in range(1, K + 1):
            keep = np.ones(s, dtype=bool)
            keep[leave_pos[:k]] = False
            new_active = np.concatenate((state.active[keep], enter[:k]))
            order = np.argsort(new_active)
            new_active = new_active[order]
            coef0 = np.concatenate((state.coef[keep], np.zeros(k)))[order]
            cand = problem.fit(new_active, coef0, state.intercept)
            if best is None or cand.loss < best.loss:
                best = cand
        if best is not None and best.loss < state.loss - tau:
            state = best
        else:
            return state, it, True
    return state, max_iter, False


def fit_support_path(problem, sizes, *, ic="gic", ic_coef=1.0, path="sequential", exchange_num=5, tau=None,
                     max_iter=20, init_state=None, patience=None, candidates=None):
    """Best subset of each size in ``sizes`` by splicing with warm starts, scored by an information criterion.

    Parameters
    ----------
    problem : GaussianProblem or GLMProblem
    sizes : sequence of int
        Support sizes (sorted ascending).
    ic : {"aic", "bic", "gic", "ebic"}, callable or None
        Criterion recorded on the path; a callable ``ic(loss, s)``; None records the loss.
    ic_coef : float
    path : {"sequential", "bidirectional", "golden"}
        Visit every size with warm starts from the previous size; or do that, then walk back down
        warm-starting from the next larger size and keep the better fit of each size (twice the work,
        fewer local optima); or golden-section search over the size range (assumes a unimodal criterion).
    exchange_num, tau, max_iter : splicing settings (see :func:`splice`).
    init_state : _State or None
        Warm start for the first size.
    patience : int or None
        Sequential path only: stop once the criterion has not improved for this many sizes.
    candidates : ndarray of int or None
        Features allowed in the initial active sets (screening).

    Returns
    -------
    results : dict
        ``s -> (state, n_iter, converged)`` for every size evaluated.
    ic_path : dict
        ``s -> criterion`` (or loss when ``ic`` is None).
    """
    sizes = [int(s) for s in sizes]
    results = {}
    ic_path = {}
    p = problem.n_features

    def evaluate(s, warm):
        st = initial_state(problem, s, warm, candidates)
        st, n_iter, conv = splice(problem, st, exchange_num=exchange_num, tau=tau, max_iter=max_iter)
        st.loss = problem.exact_loss(st)
        results[s] = (st, n_iter, conv)
        if ic is None:
            ic_path[s] = st.loss
        elif callable(ic):
            ic_path[s] = ic(st.loss, s)
        else:
            ic_path[s] = information_criterion(ic, st.loss, s, problem.n_eff, p, problem.family, ic_coef)
        return ic_path[s]

    if path == "golden" and len(sizes) > 4:
        lo, hi = 0, len(sizes) - 1

        def f(i):
            s = sizes[i]
            if s not in ic_path:
                done = sorted(results, key=lambda t: (abs(t - s), t))
                warm = results[done[0]][0] if done else init_state
                evaluate(s, warm)
            return ic_path[s]

        while hi - lo > 3:
            c = lo + int(round(0.382 * (hi - lo)))
            d = lo + int(round(0.618 * (hi - lo)))
            if d <= c:
                d = c + 1
            if f(c) <= f(d):
                hi = d
            else:
                lo = c
        for i in range(lo, hi + 1):
            f(i)
        return results, ic_path

    warm = init_state
    best, since = np.inf, 0
    for s in sizes:
        val = evaluate(s, warm)
        warm = results[s][0]
        if val < best:
            best, since = val, 0
        else:
            since += 1
            if patience is not None and since >= patience:
                break
    if path == "bidirectional":
        done = sorted(results)
        warm = results[done[-1]][0]
        for s in done[-2::-1]:
            old = results[s]
            old_ic = ic_path[s]
            evaluate(s, warm)
            if results[s][0].loss >= old[0].loss:
                results[s], ic_path[s] = old, old_ic
            warm = results[s][0]
    return results, ic_path


def splicing(X, y, support_size, *, family="gaussian", sample_weight=None, fit_intercept=True, exchange_num=5,
             tau=None, max_iter=20, init=None):
    r"""Best subset of a fixed size by splicing (the engine behind :class:`BestSubsetRegression`).

    Solves, approximately but with the guarantees of Zhu et al. (2020),

    .. math::

        \min_{\beta, b} L(\beta, b) \quad \text{s.t.}\quad \|\beta\|_0 \le s,

    with :math:`L` the weighted average negative log-likelihood of a Gaussian
    (:math:`\tfrac{1}{2n}\|y - b - X\beta\|^2`), binomial or Poisson GLM. The active set is
    initialised from the forward sacrifices at the null model (or at ``init``), then improved
    by exchanging up to ``exchange_num`` features until the loss no longer drops by ``tau``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Design.
    y : array-like of shape (n_samples,)
        Response (0/1 for binomial, counts for Poisson).
    support_size : int
        Number of non-zero coefficients.
    family : {"gaussian", "binomial", "poisson"}, default="gaussian"
        Loss.
    sample_weight : array-like of shape (n_samples,) or None, default=None
        Non-negative weights.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    exchange_num : int, default=5
        Largest number of features swapped in one exchange.
    tau : float or None, default=None
        Minimal loss decrease to accept an exchange; None means
        ``0.01 * s * log(p) * log(log(n)) / n``.
    max_iter : int, default=20
        Maximal number of splicing iterations.
    init : array-like of int or None, default=None
        Initial active set (its size must equal ``support_size``).

    Returns
    -------
    coef : ndarray of shape (n_features,)
        Coefficients (exactly ``support_size`` non-zeros at most).
    intercept : float
        Intercept (0 when ``fit_intercept=False``).
    loss : float
        The average loss reached.
    n_iter : int
        Splicing iterations run.

    References
    ----------
    .. [1] J. Zhu, C. Wen, J. Zhu, H. Zhang, X. Wang, "A polynomial algorithm for best-subset selection
       problem", PNAS 117(52), 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.datasets import make_sparse_regression
    >>> from sparsestat.linear_model import splicing
    >>> X, y, coef = make_sparse_regression(200, 50, 4, random_state=0)
    >>> beta, b, loss, n_iter = splicing(X, y, 4)
    >>> bool((np.flatnonzero(beta) == np.flatnonzero(coef)).all())
    True
    """
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {sorted(FAMILIES)}, got {family!r}.")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X must be 2-D and y 1-D with as many rows; got X {X.shape} and y {y.shape}.")
    p = X.shape[1]
    s = int(support_size)
    if not 0 <= s <= p:
        raise ValueError(f"support_size must be in [0, n_features={p}], got {support_size}.")
    problem = make_problem(X, y, family, sample_weight, fit_intercept)
    if init is None:
        state = initial_state(problem, s)
    else:
        active = np.unique(np.asarray(init, dtype=np.int64))
        if active.size != s or (s and (active[0] < 0 or active[-1] >= p)):
            raise ValueError(f"init must hold {s} distinct feature indices in [0, {p}), got {init!r}.")
        state = problem.fit(active)
    state, n_iter, _ = splice(problem, state, exchange_num=exchange_num, tau=tau, max_iter=max_iter)
    return state.full_coef(p), float(state.intercept), problem.exact_loss(state), n_iter


def _glm_loss_at(family, X, y, w, coef, intercept):
    """Average loss of a full coefficient vector (used for validation folds)."""
    eta = X @ coef + intercept
    if family == "gaussian":
        r = y - eta
        return 0.5 * float(w @ (r * r))
    return float(glm_loss(FAMILIES[family], np.ascontiguousarray(y, dtype=np.float64), w,
                          np.ascontiguousarray(eta)))
