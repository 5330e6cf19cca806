r"""Two-stage distributed best-subset selection on Dask (Lan, Lin & Wang, arXiv 2408.17276).

Stage 1 builds the communication-efficient surrogate likelihood (CSL, Jordan, Lee & Yang 2019) on the
first shard and solves it by splicing with GIC; stage 2 refits on the selected support on every
shard and averages. Every computation on data is a *pure* Dask task on the worker that holds the
shard: only p-vectors (gradients) and ŝ-vectors (coefficients on the support) travel, and a task
lost with its worker is simply recomputed.
"""

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sparsestat.linear_model._splicing import (
    FAMILIES,
    default_s_max,
    fit_support_path,
    information_criterion,
    make_problem,
)

__all__ = ["DistributedBestSubset"]

#: Callables ``hook(stage, client)`` run by ``fit`` after each stage (used by the fault-tolerance test).
_FIT_HOOKS = []


# --------------------------------------------------------------------------- pure tasks (run on workers)


def _load_shard(X, y):
    """Materialise one shard as float64 arrays (runs where the shard's data live)."""
    X = np.asarray(X)
    y = np.asarray(y)
    if X.dtype.kind not in "fiub":
        raise TypeError(f"shard X must be numeric, got dtype {X.dtype}.")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    return X, y


def _shard_summary(shard, family):
    """(n_rows, n_cols, y rows, X finite, y finite, y valid for the family) of one shard."""
    X, y = shard
    if X.ndim != 2:
        return X.shape[0] if X.ndim else 0, -1, y.shape[0], True, True, True
    y_ok = True
    if family == "binomial":
        y_ok = bool(np.all((y == 0) | (y == 1)))
    elif family == "poisson":
        y_ok = bool(np.all(y >= 0))
    return (int(X.shape[0]), int(X.shape[1]), int(y.shape[0]), bool(np.isfinite(X).all()),
            bool(np.isfinite(y).all()), y_ok)


def _local_best_subset(shard, family, fit_intercept, sizes, ic, ic_coef, path, exchange_num, tau, max_iter,
                       lin, lin0, shift, n_ic, patience):
    """Best-subset path of the (surrogate) loss on one shard; returns the GIC choice (ŝ-vectors only)."""
    X, y = shard
    p = X.shape[1]
    problem = make_problem(X, y, family, None, fit_intercept, lin, lin0)
    n_ic = problem.n_eff if n_ic is None else n_ic

    def criterion(loss, s):
        return information_criterion(ic, loss + shift, s, n_ic, p, family, ic_coef)

    results, ic_path = fit_support_path(problem, sizes, ic=criterion, path=path, exchange_num=exchange_num,
                                        tau=tau, max_iter=max_iter, patience=patience)
    best = min(ic_path, key=lambda s: (ic_path[s], s))
    state = results[best][0]
    return state.active.copy(), state.coef.copy(), float(state.intercept), ic_path


def _mean_response(family, eta):
    if family == "gaussian":
        return eta
    if family == "binomial":
        return 0.5 * (1.0 + np.tanh(0.5 * eta))
    return np.exp(np.minimum(eta, 30.0))


def _shard_gradient(shard, family, active, coef, intercept, restrict=None):
    """Gradient of the shard's average loss at (coef on ``active``, intercept), its loss and its size.

    With ``restrict`` the gradient is returned on those features only (an ŝ-vector).
    """
    from sparsestat.linear_model._splicing_kernels import glm_loss

    X, y = shard
    n = X.shape[0]
    eta = np.full(n, intercept)
    if active.size:
        eta += X[:, active] @ coef
    mu = _mean_response(family, eta)
    r = (mu - y) / n
    cols = X if restrict is None else X[:, restrict]
    grad = cols.T @ r
    if family == "gaussian":
        loss = 0.5 * float(((y - eta) ** 2).mean())
    else:
        loss = float(glm_loss(FAMILIES[family], np.ascontiguousarray(y), np.full(n, 1.0 / n), eta))
    return grad, float(r.sum()), loss, n


def _shard_refit(shard, family, fit_intercept, active):
    """Low-dimensional MLE restricted to ``active`` on one shard (ŝ + 1 floats back)."""
    X, y = shard
    problem = make_problem(X, y, family, None, fit_intercept)
    state = problem.fit(np.asarray(active, dtype=np.int64))
    return state.coef.copy(), float(state.intercept), X.shape[0]


def _shard_newton_step(shard, family, fit_intercept, active, coef, intercept, grad, grad0):
    """One CSL Newton step on ``active``: theta - H_1^{-1} grad_N (H_1 is this shard's Hessian)."""
    X, y = shard
    n = X.shape[0]
    Xa = X[:, active]
    eta = intercept + Xa @ coef
    if family == "gaussian":
        v = np.ones(n)
    else:
        mu = _mean_response(family, eta)
        v = mu * (1.0 - mu) if family == "binomial" else mu
    Z = np.column_stack((np.ones(n), Xa)) if fit_intercept else Xa
    H = (Z * (v / n)[:, None]).T @ Z
    g = np.concatenate(([grad0], grad)) if fit_intercept else grad
    theta = np.concatenate(([intercept], coef)) if fit_intercept else coef.copy()
    theta = theta - np.linalg.lstsq(H, g, rcond=None)[0]
    return (theta[1:], float(theta[0])) if fit_intercept else (theta, 0.0)


# --------------------------------------------------------------------------- estimator


class DistributedBestSubset(RegressorMixin, BaseEstimator):
    r"""Two-stage distributed best-subset selection: CSL surrogate + splicing + GIC, then averaging (Dask).

    The data are split over :math:`m` machines (shards); machine :math:`j` holds the average loss
    :math:`L_j`, and :math:`L_N = \sum_j n_j L_j / N`. Stage 1 fits a pilot :math:`\bar\theta` by
    best-subset selection on shard 1, gathers the gradients :math:`\nabla L_j(\bar\theta)` (p floats per
    shard) and solves on shard 1, by splicing with GIC, the surrogate

    .. math::

        \tilde L(\theta) = L_1(\theta) - \langle \nabla L_1(\bar\theta) - \nabla L_N(\bar\theta), \theta\rangle,
        \qquad \|\beta\|_0 \le s,

    for ``n_rounds`` rounds (each round restarts at the previous solution). Stage 2 refits the
    low-dimensional MLE on the selected support :math:`\hat A` on every shard and averages the
    :math:`\hat s`-vectors (``refine="average"``), or takes one CSL Newton step on :math:`\hat A`
    (``refine="csl"``).

    Parameters
    ----------
    family : {"gaussian", "binomial", "poisson"}, default="gaussian"
        GLM of the response.
    support_size : int, list of int or None, default=None
        Sizes searched on the surrogate (None: ``0..s_max`` with early stop after 10 sizes without
        improvement of the criterion).
    ic : {"gic", "ebic", "bic", "aic"}, default="gic"
        Criterion on the surrogate, with :math:`N` samples.
    ic_coef : float, default=1.0
        Multiplies the complexity penalty.
    n_rounds : int, default=2
        Gradient rounds of stage 1 (each costs p + 2 floats per shard).
    refine : {"average", "csl"}, default="average"
        Stage 2: one-shot averaging of the local MLEs, or one CSL Newton step.
    s_max : int or None, default=None
        Largest size of the automatic path (None: ``min(p, n_1 / (log p log log n_1))``).
    exchange_num : int, default=5
        Largest number of features exchanged in one splicing step.
    tau : float or None, default=None
        Splicing threshold (None: ``0.01 s log p log log n_1 / n_1``).
    max_splicing_iter : int, default=20
        Maximal splicing iterations per size.
    n_shards : int or None, default=None
        For an in-memory ``X``: number of row blocks (None: one per Dask worker). Ignored for
        dask arrays (their row chunks are the shards).
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    client : distributed.Client or None, default=None
        The Dask client; None uses the current client or starts a local cluster.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients.
    intercept_ : float
        Intercept.
    support_ : ndarray of int
        Selected features.
    support_size_ : int
        Selected size.
    ic_path_ : dict
        Size -> criterion of the last surrogate solve.
    n_rounds_ : int
        Gradient rounds run.
    n_shards_ : int
        Number of shards.
    n_communicated_floats_ : int
        Numbers sent between the centre and the shards in both directions (gradients, coefficients,
        support indices, losses, sizes), all shards together.
    n_features_in_ : int
        Number of features.

    See Also
    --------
    BestSubsetRegression : The single-machine estimator (same splicing engine).

    Notes
    -----
    Reconstructed from the paper's abstract and the CSL construction; the surrogate's criterion is
    the GIC of :math:`\tilde L` shifted so that it equals :math:`L_N` at :math:`\bar\theta` (one extra
    float per shard), with :math:`N` samples. Sample weights are not supported. ``predict`` returns the
    mean response (a probability for ``family="binomial"``). Data given as NumPy arrays or shards are
    embedded in the task graph, so a lost worker's shard is rebuilt and its tasks rerun.

    References
    ----------
    .. [1] J. Lan, H. Lin, X. Wang, "Minimax and communication-efficient distributed best subset
       selection with oracle property", arXiv:2408.17276, 2024.
    .. [2] M. I. Jordan, J. D. Lee, Y. Yang, "Communication-efficient distributed statistical
       inference", JASA 114(526), 2019.

    Examples
    --------
    >>> from distributed import Client, LocalCluster
    >>> from sparsestat.datasets import make_sparse_regression
    >>> from sparsestat.linear_model import DistributedBestSubset
    >>> X, y, coef = make_sparse_regression(4000, 100, 5, random_state=0)
    >>> with LocalCluster(n_workers=2, processes=False, dashboard_address=None) as cluster, \
    ...         Client(cluster) as client:
    ...     model = DistributedBestSubset(n_shards=4, client=client).fit(X, y)
    >>> bool((model.support_ == coef.nonzero()[0]).all())
    True
    """

    _parameter_constraints = {
        "family": [StrOptions(set(FAMILIES))],
        "support_size": [Interval(numbers.Integral, 0, None, closed="left"), "array-like", None],
        "ic": [StrOptions({"gic", "ebic", "bic", "aic"})],
        "ic_coef": [Interval(numbers.Real, 0, None, closed="left")],
        "n_rounds": [Interval(numbers.Integral, 1, None, closed="left")],
        "refine": [StrOptions({"average", "csl"})],
        "s_max": [Interval(numbers.Integral, 0, None, closed="left"), None],
        "exchange_num": [Interval(numbers.Integral, 1, None, closed="left")],
        "tau": [Interval(numbers.Real, 0, None, closed="left"), None],
        "max_splicing_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_shards": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "fit_intercept": ["boolean"],
        "client": "no_validation",
    }

    _skip_estimator_checks = True  # needs a Dask cluster; covered by tests/linear_model/test_distributed_*

    def __init__(self, family="gaussian", *, support_size=None, ic="gic", ic_coef=1.0, n_rounds=2,
                 refine="average", s_max=None, exchange_num=5, tau=None, max_splicing_iter=20, n_shards=None,
                 fit_intercept=True, client=None):
        self.family = family
        self.support_size = support_size
        self.ic = ic
        self.ic_coef = ic_coef
        self.n_rounds = n_rounds
        self.refine = refine
        self.s_max = s_max
        self.exchange_num = exchange_num
        self.tau = tau
        self.max_splicing_iter = max_splicing_iter
        self.n_shards = n_shards
        self.fit_intercept = fit_intercept
        self.client = client

    # ----------------------------------------------------------------- input -> shard futures
    def _client(self):
        from sparsestat.utils import get_client

        return get_client(self.client)

    def fit(self, X, y):
        """Fit on an in-memory array (split into ``n_shards`` row blocks) or on dask arrays (row chunks).

        Parameters
        ----------
        X : array-like or dask.array of shape (n_samples, n_features)
            Design; a dask array's row chunks are the machines.
        y : array-like or dask.array of shape (n_samples,)
            Response.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        if _is_dask_collection(X):
            import dask.array as da

            X = X.rechunk({1: -1}) if len(X.chunks[1]) > 1 else X
            y = da.asarray(y)
            if y.ndim != 1 or y.shape[0] != X.shape[0]:
                raise ValueError(f"y must be 1-D with {X.shape[0]} rows like X, got shape {y.shape}.")
            y = y.rechunk((X.chunks[0],))
            shards = list(zip(X.to_delayed().ravel().tolist(), y.to_delayed().ravel().tolist(), strict=True))
            return self._fit(shards)
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], y_numeric=True, reset=True)
        client = self._client()
        m = self.n_shards if self.n_shards is not None else max(1, len(client.scheduler_info()["workers"]))
        if m > X.shape[0]:
            raise ValueError(f"n_shards={m} exceeds n_samples={X.shape[0]}; lower n_shards.")
        bounds = np.linspace(0, X.shape[0], m + 1).astype(int)
        shards = [(X[a:b], y[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        return self._fit(shards, client)

    def fit_shards(self, shards):
        """Fit on a list of shards ``[(X_1, y_1), ..., (X_m, y_m)]`` (arrays, dask arrays or delayed).

        Parameters
        ----------
        shards : list of tuple
            One ``(X_j, y_j)`` pair per machine.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        if not isinstance(shards, (list, tuple)) or not shards:
            raise ValueError("shards must be a non-empty list of (X_j, y_j) pairs.")
        for j, shard in enumerate(shards):
            if not isinstance(shard, (list, tuple)) or len(shard) != 2:
                raise ValueError(f"shard {j} must be a pair (X_j, y_j), got {type(shard).__name__}.")
        return self._fit(list(shards))

    # ----------------------------------------------------------------- the two stages
    def _fit(self, shards, client=None):
        import dask

        client = self._client() if client is None else client
        load = dask.delayed(_load_shard, pure=True)
        with warnings.catch_warnings():
            # in-memory shards are embedded in the graph on purpose: a lost worker's shard is rebuilt
            warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
            futures = client.compute([load(Xj, yj) for Xj, yj in shards])
        m = len(futures)
        fam = self.family
        infos = client.gather([client.submit(_shard_summary, f, fam, pure=True) for f in futures])
        p = infos[0][1]
        for j, (n_j, p_j, ny_j, fin_x, fin_y, y_ok) in enumerate(infos):
            if p_j < 0:
                raise ValueError(f"shard {j}: X must be 2-D.")
            if p_j != p:
                raise ValueError(f"shard {j} has {p_j} features but shard 0 has {p}; every shard needs the "
                                 "same columns.")
            if ny_j != n_j:
                raise ValueError(f"shard {j}: X has {n_j} rows but y has {ny_j}.")
            if n_j < 2:
                raise ValueError(f"shard {j} has {n_j} rows; every shard needs at least 2.")
            if not fin_x:
                raise ValueError(f"shard {j}: X contains NaN or infinity; clean or impute that shard.")
            if not fin_y:
                raise ValueError(f"shard {j}: y contains NaN or infinity; clean that shard.")
            if not y_ok:
                raise ValueError(f"shard {j}: y is not valid for family={fam!r} "
                                 "(binomial needs 0/1 labels, poisson non-negative counts).")
        n_sizes = np.array([info[0] for info in infos], dtype=np.float64)
        N = float(n_sizes.sum())
        sizes, patience = self._sizes(infos[0][0], p)
        opts = (self.fit_intercept, sizes, self.ic, self.ic_coef, "sequential", self.exchange_num, self.tau,
                self.max_splicing_iter)
        comm = 0
        # pilot: best subset on shard 0 with its own loss and sample size
        active, coef, b, ic_path = client.submit(_local_best_subset, futures[0], fam, *opts, None, 0.0, 0.0, None,
                                                 patience, pure=True).result()
        comm += 2 * active.size + 1
        _run_hooks("pilot", client)
        for r in range(self.n_rounds):
            grads = client.gather([client.submit(_shard_gradient, f, fam, active, coef, b, pure=True)
                                   for f in futures])
            comm += m * (2 * active.size + 1) + m * (p + 3)  # theta-bar down; gradient, grad0, loss, n up
            gN = sum(nj * g[0] for nj, g in zip(n_sizes, grads, strict=True)) / N
            g0N = float(sum(nj * g[1] for nj, g in zip(n_sizes, grads, strict=True)) / N)
            LN = float(sum(nj * g[2] for nj, g in zip(n_sizes, grads, strict=True)) / N)
            lin = grads[0][0] - gN
            lin0 = (grads[0][1] - g0N) if self.fit_intercept else 0.0
            surrogate_at_bar = grads[0][2] - float(lin[active] @ coef) - lin0 * b
            shift = LN - surrogate_at_bar
            comm += p + 3  # lin, lin0, shift to shard 0
            active, coef, b, ic_path = client.submit(_local_best_subset, futures[0], fam, *opts, lin, lin0, shift,
                                                     N, patience, pure=True).result()
            comm += 2 * active.size + 1
            _run_hooks(f"round{r + 1}", client)
        s_hat = active.size
        if self.refine == "average":
            refits = client.gather([client.submit(_shard_refit, f, fam, self.fit_intercept, active, pure=True)
                                    for f in futures])
            comm += m * s_hat + m * (s_hat + 2)
            w = n_sizes / N
            coef = sum(wj * c for wj, (c, _, _) in zip(w, refits, strict=True)) if s_hat else np.zeros(0)
            b = float(sum(wj * bj for wj, (_, bj, _) in zip(w, refits, strict=True)))
        else:
            grads = client.gather([client.submit(_shard_gradient, f, fam, active, coef, b, active, pure=True)
                                   for f in futures])
            comm += m * (2 * s_hat + 1) + m * (s_hat + 3)
            gN = sum(nj * g[0] for nj, g in zip(n_sizes, grads, strict=True)) / N
            g0N = float(sum(nj * g[1] for nj, g in zip(n_sizes, grads, strict=True)) / N)
            coef, b = client.submit(_shard_newton_step, futures[0], fam, self.fit_intercept, active, coef, b, gN,
                                    g0N, pure=True).result()
            comm += 2 * s_hat + 2 + s_hat + 1
        _run_hooks("refine", client)
        full = np.zeros(p)
        full[active] = coef
        self.coef_ = full
        self.intercept_ = float(b) if self.fit_intercept else 0.0
        self.support_ = np.asarray(active, dtype=np.int64)
        self.support_size_ = int(s_hat)
        self.ic_path_ = {int(s): float(v) for s, v in ic_path.items()}
        self.n_rounds_ = int(self.n_rounds)
        self.n_shards_ = m
        self.n_communicated_floats_ = int(comm)
        self.n_features_in_ = p
        return self

    def _sizes(self, n_local, p):
        patience = None
        if self.support_size is None:
            s_max = default_s_max(n_local, p) if self.s_max is None else min(self.s_max, p)
            return list(range(s_max + 1)), 10
        if isinstance(self.support_size, numbers.Integral):
            sizes = [int(self.support_size)]
        else:
            sizes = sorted({int(s) for s in np.asarray(self.support_size).ravel()})
        if not sizes or sizes[0] < 0 or sizes[-1] > p:
            raise ValueError(f"support_size values must lie in [0, n_features={p}], got {self.support_size!r}.")
        return sizes, patience

    def predict(self, X):
        """Predict the mean response.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples (in memory).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Mean response: linear predictor (gaussian), probability (binomial) or rate (poisson).
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return _mean_response(self.family, X @ self.coef_ + self.intercept_)


def _is_dask_collection(obj):
    try:
        import dask
    except ImportError:  # pragma: no cover
        return False
    return dask.is_dask_collection(obj)


def _run_hooks(stage, client):
    for hook in list(_FIT_HOOKS):
        hook(stage, client)
