r"""ℓq sparse coding: proximal-gradient and coordinate-descent coders on a fixed dictionary.

Codes solve, for every signal :math:`x` (a row of ``X``) and dictionary :math:`D` (atoms as rows),

.. math::

    \min_z \tfrac12 \|x - z D\|_2^2 + \sum_j R_j(z_j),

with any penalty of :mod:`sparsestat.penalties` (ℓ1, ℓ0, ℓ1/2, ℓ2/3, CEL0, MCP, SCAD, or the
top-k constraint). The thresholds are the shared ones: the NumPy path inlines the Numba scalar
kernels of :mod:`sparsestat._penalty_kernels`, the array-API path (CuPy, ``array_api_strict``)
calls ``penalty.prox``.
"""

import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sparsestat import penalties as _pen
from sparsestat.utils._array_api import get_namespace, is_numpy_namespace, to_numpy

__all__ = ["LqSparseCoder", "sparse_encode_lq"]

PENALTY_NAMES = ("l1", "l0", "l1/2", "l2/3", "cel0", "mcp", "scad", "topk")


# --------------------------------------------------------------------------- validation helpers
def _check_dictionary(dictionary, n_features=None, dtype=np.float64, xp=None):
    """Validate a dictionary (atoms as rows): 2-D, finite, no zero atom, right width."""
    if dictionary is None:
        raise ValueError("dictionary is required: pass an array of shape (n_atoms, n_features) with atoms as rows.")
    if xp is not None and not is_numpy_namespace(xp) and hasattr(dictionary, "__array_namespace__"):
        D_host = np.asarray(to_numpy(dictionary), dtype=np.float64)
    else:
        try:
            D_host = np.asarray(to_numpy(dictionary) if hasattr(dictionary, "__array_namespace__")
                                else dictionary, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"dictionary must be a numeric array of shape (n_atoms, n_features), "
                            f"got {type(dictionary).__name__}.") from exc
    if D_host.ndim != 2 or D_host.shape[0] == 0 or D_host.shape[1] == 0:
        raise ValueError(f"dictionary must be a non-empty 2-D array of shape (n_atoms, n_features), "
                         f"got shape {D_host.shape}.")
    if not np.all(np.isfinite(D_host)):
        raise ValueError("dictionary contains NaN or infinite entries; every atom must be finite.")
    norms = np.linalg.norm(D_host, axis=1)
    zero = np.flatnonzero(norms == 0.0)
    if zero.size:
        raise ValueError(f"dictionary has {zero.size} zero atom(s) (rows {zero[:5].tolist()}...); remove them or "
                         "replace them by non-zero atoms.")
    if n_features is not None and D_host.shape[1] != n_features:
        raise ValueError(f"X has {n_features} features but the dictionary atoms have {D_host.shape[1]}; "
                         "pass X with as many columns as the dictionary has (n_atoms, n_features).")
    return D_host.astype(dtype, copy=False), norms


def _make_penalty(penalty, alpha, atom_norms, hard_constant="prox", n_nonzero=None):
    """Penalty object from a name (or a validated clone of a penalty object)."""
    if isinstance(penalty, _pen._BasePenalty):
        from sklearn.base import clone

        pen = clone(penalty)
        pen.validate()
        return pen
    if not isinstance(penalty, str) or penalty not in PENALTY_NAMES:
        raise ValueError(f"penalty must be one of {PENALTY_NAMES} or a sparsestat.penalties object, "
                         f"got {penalty!r}.")
    if penalty == "l1":
        pen = _pen.L1(alpha)
    elif penalty == "l0":
        pen = _pen.L0(alpha, hard_constant=hard_constant)
    elif penalty == "l1/2":
        pen = _pen.Lq(alpha, q=0.5)
    elif penalty == "l2/3":
        pen = _pen.Lq(alpha, q=2.0 / 3.0)
    elif penalty == "cel0":
        pen = _pen.CEL0(alpha, atom_norms=np.asarray(atom_norms, dtype=np.float64))
    elif penalty == "mcp":
        pen = _pen.MCP(alpha)
    elif penalty == "scad":
        pen = _pen.SCAD(alpha)
    else:
        if n_nonzero is None:
            raise ValueError("penalty='topk' needs n_nonzero (the number of non-zeros kept per code).")
        pen = _pen.TopK(k=int(n_nonzero))
    pen.validate()
    return pen


def _kernel_params(pen, n_atoms):
    if isinstance(pen, _pen.CEL0):
        return pen.numba_spec_per_feature(n_atoms)
    return pen.numba_spec_per_feature(n_atoms)


# --------------------------------------------------------------------------- solvers
def _cd_codes(X, D, pen, max_iter, tol, init):
    from sparsestat.decomposition._coding_kernels import cd_gram_batch

    code, params = _kernel_params(pen, D.shape[0])
    G = np.ascontiguousarray(D @ D.T)
    Xy = np.ascontiguousarray(X @ D.T)
    Z = np.zeros_like(Xy) if init is None else np.array(init, dtype=Xy.dtype, order="C", copy=True)
    n_iter = np.zeros(X.shape[0], dtype=np.int64)
    conv = np.zeros(X.shape[0], dtype=np.bool_)
    # a relative move below a few ulps cannot be resolved in the working precision (float32)
    tol = max(float(tol), 8.0 * float(np.finfo(Xy.dtype).eps))
    cd_gram_batch(Xy, G, code, params.astype(Xy.dtype), Z, int(max_iter), tol, n_iter, conv)
    return Z, n_iter, conv


def _lipschitz(G_host):
    return float(np.linalg.eigvalsh(np.asarray(G_host, dtype=np.float64))[-1])


def _proximal_gradient(X, D, pen, step, max_iter, tol, accelerated, init):
    """Batched ISTA/FISTA: Z ← prox_{ηR}(Y − η(Y G − X Dᵀ)), every product a GEMM."""
    xp = get_namespace(X, D)
    numpy_path = is_numpy_namespace(xp)
    G = D @ D.T
    XDt = X @ D.T
    if step is None:
        step = 1.0 / _lipschitz(to_numpy(G))
    step = float(step)
    n, M = XDt.shape
    if init is None:
        Z = xp.zeros_like(XDt)
    else:
        Z = xp.asarray(init, dtype=XDt.dtype, copy=True)
    use_kernel = numpy_path and pen.is_separable
    if use_kernel:
        from sparsestat.decomposition._coding_kernels import prox_rows

        code, params = _kernel_params(pen, M)
        params = params.astype(np.float64)
    Y = Z
    t = xp.ones((n,), dtype=XDt.dtype)
    done = xp.zeros((n,), dtype=xp.bool)
    n_iter = np.full(n, max_iter, dtype=np.int64)
    tiny = float(np.finfo(np.float64).tiny)
    for it in range(1, max_iter + 1):
        V = Y - step * (Y @ G - XDt)
        if use_kernel:
            Znew = np.empty_like(V)
            prox_rows(V, step, code, params, Znew)
        else:
            Znew = pen.prox(V, step)
            Znew = xp.astype(Znew, XDt.dtype)
        Znew = xp.where(done[:, None], Z, Znew)
        diff = xp.max(xp.abs(Znew - Z), axis=1)
        scale = xp.max(xp.abs(Znew), axis=1)
        newly = xp.logical_and(diff <= tol * xp.maximum(scale, xp.full_like(scale, tiny)), xp.logical_not(done))
        if accelerated:
            t_new = 0.5 * (1.0 + xp.sqrt(1.0 + 4.0 * t * t))
            beta = (t - 1.0) / t_new
            # gradient-based adaptive restart (O'Donoghue & Candès), per signal
            restart = xp.sum((Y - Znew) * (Znew - Z), axis=1) > 0.0
            beta = xp.where(restart, xp.zeros_like(beta), beta)
            t = xp.where(restart, xp.ones_like(t), t_new)
            Y = Znew + beta[:, None] * (Znew - Z)
            Y = xp.where(xp.logical_or(done, newly)[:, None], Znew, Y)
        else:
            Y = Znew
        Z = Znew
        newly_host = np.asarray(to_numpy(newly), dtype=bool)
        n_iter[newly_host] = it
        done = xp.logical_or(done, newly)
        if bool(xp.all(done)):
            break
    conv = np.asarray(to_numpy(done), dtype=bool)
    return Z, n_iter, conv


def _encode(X, D, pen, solver, step, max_iter, tol, init):
    """Dispatch; returns (codes in X's namespace, n_iter per signal, converged per signal)."""
    xp = get_namespace(X)
    if solver == "cd":
        if not pen.is_separable:
            raise ValueError(f"solver='cd' needs a separable penalty; {type(pen).__name__} is not. "
                             "Use solver='ista' or 'fista' (iterative hard thresholding for TopK).")
        if is_numpy_namespace(xp):
            return _cd_codes(X, D, pen, max_iter, tol, init)
        Xh = np.asarray(to_numpy(X))
        Z, n_iter, conv = _cd_codes(Xh, np.asarray(to_numpy(D), dtype=Xh.dtype), pen, max_iter, tol,
                                    None if init is None else to_numpy(init))
        return xp.asarray(Z, device=getattr(X, "device", None)), n_iter, conv
    return _proximal_gradient(X, D, pen, step, max_iter, tol, solver == "fista", init)


def _check_mask(mask, shape):
    """Validate a visibility mask (True = visible coordinate) of the shape of ``X``."""
    if mask is None:
        return None
    if sp.issparse(mask):
        mask = mask.toarray()
    m = np.asarray(mask)
    if m.shape != tuple(shape):
        raise ValueError(f"mask must have the shape of X {tuple(shape)} (True = visible coordinate), got {m.shape}.")
    if m.dtype != np.bool_:
        if not np.all((m == 0) | (m == 1)):
            raise ValueError("mask must be boolean (True = visible coordinate, False = hidden) or 0/1.")
        m = m.astype(bool)
    return m


def _mask_groups(mask):
    """Rows sharing a visibility pattern: a list of (rows, visible columns)."""
    _, inv = np.unique(np.packbits(mask, axis=1), axis=0, return_inverse=True)
    inv = np.asarray(inv).ravel()
    order = np.argsort(inv, kind="stable")
    bounds = np.flatnonzero(np.diff(inv[order])) + 1
    return [(rows, np.flatnonzero(mask[rows[0]])) for rows in np.split(order, bounds)]


def _masked_apply(X, D, mask, code_fn):
    """Codes from the visible coordinates only.

    For each visibility pattern, ``code_fn(X_vis, D_vis, norms)`` codes the rows on the
    dictionary restricted to the visible coordinates (atoms with no visible energy are left out
    and get a zero code). Returns the codes and, per row, ``code_fn``'s iteration count and
    convergence flag (when it returns them).
    """
    n, M = X.shape[0], D.shape[0]
    Z = np.zeros((n, M), dtype=X.dtype)
    n_iter = np.zeros(n, dtype=np.int64)
    conv = np.ones(n, dtype=np.bool_)
    for rows, vis in _mask_groups(mask):
        if vis.size == 0:
            continue
        Dv = D[:, vis]
        norms = np.linalg.norm(Dv, axis=1)
        live = np.flatnonzero(norms > 1e-10 * norms.max())
        if live.size == 0:
            continue
        out = code_fn(np.ascontiguousarray(X[np.ix_(rows, vis)]), np.ascontiguousarray(Dv[live]), norms[live])
        if isinstance(out, tuple):
            Zg, it, cv = out
            n_iter[rows] = it
            conv[rows] = cv
        else:
            Zg = out
        Z[np.ix_(rows, live)] = Zg
    return Z, n_iter, conv


def _encode_masked(X, D, mask, make_pen, solver, step, max_iter, tol):
    """:func:`_encode` from the visible coordinates (NumPy); ``make_pen(norms)`` builds the penalty."""
    if step is None and solver != "cd":
        # the Gram matrix of any restriction is dominated by the full one: one step serves all patterns
        step = 1.0 / _lipschitz(D @ D.T)
    return _masked_apply(X, D, mask, lambda Xv, Dv, nv: _encode(Xv, Dv, make_pen(nv), solver, step, max_iter, tol,
                                                                None))


def _warn_convergence(conv, solver, tol, max_iter):
    n_bad = int(np.size(conv) - np.count_nonzero(conv))
    if n_bad:
        warnings.warn(f"{solver} sparse coding did not converge for {n_bad} of {np.size(conv)} signals: the relative "
                      f"code change max|Δz|/max|z| stayed above tol={tol:g} after max_iter={max_iter} iterations. "
                      "Increase max_iter, loosen tol, or use solver='cd'.", ConvergenceWarning, stacklevel=3)


def sparse_encode_lq(X, dictionary, *, penalty="l1", alpha=1.0, solver="cd", step=None, max_iter=1000, tol=1e-8,
                     n_nonzero=None, hard_constant="prox", init=None, mask=None, return_n_iter=False):
    r"""Sparse codes of ``X`` on a fixed dictionary with an ℓ1, ℓ0, ℓq, CEL0, ... penalty.

    .. math::

        Z = \arg\min_Z \tfrac12 \|X - Z D\|_F^2 + \sum_{i,j} R(Z_{ij}),

    solved per signal by working-set coordinate descent on the Gram matrix (``solver="cd"``: each
    update is the penalty's exact prox with step :math:`1/G_{jj}`, so the codes are coordinate-wise
    global minimisers; for ℓ1 and ℓ0 the support problem, quadratic once the support and signs are
    fixed, is then solved exactly by Cholesky) or by batched ISTA/FISTA (``"ista"``, the "neural"
    dynamics of Rentzeperis et al., and ``"fista"``, with gradient restart), whose products are GEMMs.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Signals (NumPy, or any array-API array such as CuPy for the ISTA/FISTA solvers).
    dictionary : array-like of shape (n_atoms, n_features)
        Atoms as rows; must be finite with no zero atom.
    penalty : {"l1", "l0", "l1/2", "l2/3", "cel0", "mcp", "scad", "topk"} or penalty object, default="l1"
        The penalty :math:`R`; a :mod:`sparsestat.penalties` object is used as given (its own
        ``alpha``). ``"cel0"`` uses the dictionary's atom norms.
    alpha : float, default=1.0
        Penalty level (ignored for penalty objects and ``"topk"``).
    solver : {"cd", "ista", "fista"}, default="cd"
        Inner solver. ``"topk"`` (non-separable) needs ``"ista"`` or ``"fista"`` (IHT).
    step : float or None, default=None
        ISTA/FISTA step; None uses :math:`1/\|D D^\top\|_2`.
    max_iter : int, default=1000
        Maximum number of iterations (full sweeps for ``"cd"``).
    tol : float, default=1e-8
        Stop a signal when :math:`\max_j|\Delta z_j| \le \mathrm{tol}\cdot\max_j|z_j|` (for
        ``"cd"``, :math:`\Delta z_j` is the move of coordinate :math:`j`'s exact prox at the codes;
        ``tol`` is floored at 8 ulps of the working precision).
    n_nonzero : int or None, default=None
        Number of non-zeros for ``penalty="topk"``.
    hard_constant : {"prox", "sqrt"}, default="prox"
        ℓ0 threshold :math:`\sqrt{2\eta\alpha}` ("prox") or :math:`\sqrt{\eta\alpha}` (the
        reference code's convention).
    init : array-like of shape (n_samples, n_atoms) or None, default=None
        Warm start (ignored with ``mask``).
    mask : array-like of bool of shape (n_samples, n_features) or None, default=None
        Visible coordinates (True). Each signal is then coded from its visible coordinates only,
        on the dictionary restricted to them (``X[i, m_i]`` on ``dictionary[:, m_i]``; CEL0 uses
        the restricted atom norms, atoms with no visible energy get a zero code); signals that
        share a pattern are coded together. NumPy input only.
    return_n_iter : bool, default=False
        Also return the iterations per signal.

    Returns
    -------
    codes : array of shape (n_samples, n_atoms)
        The codes, in the namespace and dtype of ``X``.
    n_iter : ndarray of shape (n_samples,)
        Iterations per signal (only when ``return_n_iter``).

    References
    ----------
    .. [1] I. Rentzeperis, L. Calatroni, L. Perrinet, D. Prandi, "Beyond ℓ1 sparse coding in V1",
       PLoS Comput. Biol. 19(9), 2023 (arXiv 2301.10002).
    .. [2] A. Beck, M. Teboulle, "A fast iterative shrinkage-thresholding algorithm for linear
       inverse problems", SIAM J. Imaging Sci. 2(1), 2009.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.decomposition import sparse_encode_lq
    >>> D = np.eye(3)
    >>> sparse_encode_lq(np.array([[3.0, 0.5, -2.0]]), D, penalty="l0", alpha=1.0)
    array([[ 3.,  0., -2.]])
    """
    if solver not in ("cd", "ista", "fista"):
        raise ValueError(f"solver must be 'cd', 'ista' or 'fista', got {solver!r}.")
    if not isinstance(max_iter, numbers.Integral) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}.")
    if not isinstance(tol, numbers.Real) or tol < 0:
        raise ValueError(f"tol must be a non-negative float, got {tol!r}.")
    xp = get_namespace(X)
    if is_numpy_namespace(xp):
        X = np.asarray(X)
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got {X.ndim} dimension(s).")
    dtype = np.float32 if str(X.dtype).endswith("float32") else np.float64
    D_host, norms = _check_dictionary(dictionary, X.shape[1], dtype=dtype, xp=xp)
    if not is_numpy_namespace(xp):
        from sparsestat.utils._array_api import asarray_like

        D = xp.astype(asarray_like(D_host, X), X.dtype)
    else:
        D = D_host
    mask = _check_mask(mask, X.shape)
    if mask is not None:
        if not is_numpy_namespace(xp):
            raise TypeError("mask is supported for NumPy input only; pass X as a NumPy array.")
        Z, n_iter, conv = _encode_masked(X, D, mask,
                                         lambda nv: _make_penalty(penalty, alpha, nv, hard_constant, n_nonzero),
                                         solver, step, max_iter, tol)
    else:
        pen = _make_penalty(penalty, alpha, norms, hard_constant, n_nonzero)
        Z, n_iter, conv = _encode(X, D, pen, solver, step, max_iter, tol, init)
    _warn_convergence(conv, solver, tol, max_iter)
    return (Z, n_iter) if return_n_iter else Z


class _FixedDictionaryCoder(TransformerMixin, BaseEstimator):
    """What a coder with a user-given dictionary shares: a ``fit`` that only validates it, the reconstruction,
    and the per-check dictionaries of scikit-learn's common checks."""

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate the dictionary and record the number of features (nothing is learned).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Signals (only their width is used).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The coder.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        self.components_, _ = _check_dictionary(self.dictionary, X.shape[1], dtype=X.dtype)
        return self

    def inverse_transform(self, X):
        """Reconstruct signals from codes, ``X @ components_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_atoms)
            Codes.

        Returns
        -------
        X_rec : ndarray of shape (n_samples, n_features)
            Reconstructed signals.
        """
        check_is_fitted(self)
        if sp.issparse(X):
            return np.asarray(X @ self.components_)
        return np.asarray(X, dtype=self.components_.dtype) @ self.components_

    @property
    def _n_features_out(self):
        return np.asarray(self.dictionary).shape[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _expected_failed_checks(self):
        # fit is stateless (it validates the dictionary): max_iter bounds each transform's iterations, so there is
        # no n_iter_ after fit (sparse_encode_lq(return_n_iter=True) returns the per-signal counts)
        return {"check_transformer_n_iter": "fit is stateless and runs no iterations; max_iter bounds transform's"}

    def _per_check_params(self):
        # a fixed dictionary fixes n_features, so the common test gives each check a dictionary of its data's
        # width, as scikit-learn does for its own SparseCoder
        rng = np.random.default_rng(0)
        widths = {**dict.fromkeys(_CHECKS_OF_WIDTH_3, 3), **_CHECK_WIDTHS}
        return {name: {"dictionary": rng.standard_normal((5, w)).round(3).tolist()} for name, w in widths.items()}


# Width (n_features) of the data each scikit-learn check fits on.
_CHECK_WIDTHS = {
    "check_fit2d_1feature": 1,
    "check_estimators_fit_returns_self": 2, "check_estimators_overwrite_params": 2, "check_fit_check_is_fitted": 2,
    "check_fit_idempotent": 2, "check_n_features_in": 2, "check_readonly_memmap_input": 2,
    "check_n_features_in_after_fitting": 4, "check_positive_only_tag_during_fit": 4,
    "check_estimators_dtypes": 5,
}
_CHECKS_OF_WIDTH_3 = [
    "check_dict_unchanged", "check_dont_overwrite_parameters", "check_estimators_nan_inf", "check_estimators_pickle",
    "check_estimators_pickle(readonly_memmap=True)", "check_f_contiguous_array_estimator", "check_fit2d_predict1d",
    "check_fit_score_takes_y", "check_methods_sample_order_invariance", "check_methods_subset_invariance",
    "check_pipeline_consistency", "check_transformer_data_not_an_array", "check_transformer_general",
    "check_transformer_general(readonly_memmap=True)", "check_transformer_n_iter", "check_transformer_preserve_dtypes",
]


class LqSparseCoder(_FixedDictionaryCoder):
    r"""Sparse coding on a fixed dictionary with ℓ1, ℓ0, ℓ1/2, ℓ2/3, CEL0, MCP, SCAD or top-k.

    For each signal :math:`x` (row of ``X``) and dictionary :math:`D` (atoms as rows):

    .. math::

        z(x) = \arg\min_z \tfrac12 \|x - z D\|_2^2 + \sum_j R(z_j).

    The thresholding (prox) operators are the shared ones of :mod:`sparsestat.penalties`. The
    default solver is Gram-based working-set coordinate descent in Numba (parallel over signals;
    for ℓ1 and ℓ0 the support problem is then solved exactly); ``"ista"``
    reproduces the inference dynamics of Rentzeperis et al. (from :math:`z = 0`, step
    :math:`\eta`); ``"fista"`` adds momentum with adaptive restart (a package addition; for the
    nonconvex penalties it is a heuristic whose limit points are still prox fixed points).
    ISTA/FISTA accept array-API input (CuPy) and return it.

    Parameters
    ----------
    dictionary : array-like of shape (n_atoms, n_features)
        Atoms as rows (finite, no zero atom).
    penalty : {"l1", "l0", "l1/2", "l2/3", "cel0", "mcp", "scad", "topk"} or penalty object, default="l1"
        The penalty; a :mod:`sparsestat.penalties` object is used as given.
    alpha : float, default=1.0
        Penalty level (names only).
    solver : {"cd", "ista", "fista"}, default="cd"
        Inner solver.
    step : float or None, default=None
        ISTA/FISTA step (None: :math:`1/\|DD^\top\|_2`).
    max_iter : int, default=1000
        Maximum iterations per signal.
    tol : float, default=1e-8
        Relative tolerance on the code change.
    n_nonzero : int or None, default=None
        Non-zeros kept by ``penalty="topk"``.
    hard_constant : {"prox", "sqrt"}, default="prox"
        ℓ0 threshold constant (see :class:`sparsestat.penalties.L0`).
    output : {"dense", "sparse"}, default="dense"
        Return NumPy arrays or ``scipy.sparse`` CSR codes.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen in ``fit`` (equals the dictionary width).
    components_ : ndarray of shape (n_atoms, n_features)
        The validated dictionary.

    See Also
    --------
    sparse_encode_lq : The functional form.
    MatchingPursuitCoder : Greedy (MP/OMP) coding.

    References
    ----------
    .. [1] I. Rentzeperis, L. Calatroni, L. Perrinet, D. Prandi, "Beyond ℓ1 sparse coding in V1",
       PLoS Comput. Biol. 19(9), 2023 (arXiv 2301.10002).

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.decomposition import LqSparseCoder
    >>> coder = LqSparseCoder(np.eye(3), penalty="l1/2", alpha=0.5)
    >>> coder.fit_transform(np.array([[3.0, 0.5, -2.0]])).round(3)
    array([[ 2.857,  0.   , -1.808]])
    """

    _parameter_constraints = {
        "dictionary": ["array-like"],
        "penalty": [StrOptions(set(PENALTY_NAMES)), _pen._BasePenalty],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "solver": [StrOptions({"cd", "ista", "fista"})],
        "step": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "n_nonzero": [Interval(numbers.Integral, 0, None, closed="left"), None],
        "hard_constant": [StrOptions({"prox", "sqrt"})],
        "output": [StrOptions({"dense", "sparse"})],
    }

    def __init__(self, dictionary, *, penalty="l1", alpha=1.0, solver="cd", step=None, max_iter=1000, tol=1e-8,
                 n_nonzero=None, hard_constant="prox", output="dense"):
        self.dictionary = dictionary
        self.penalty = penalty
        self.alpha = alpha
        self.solver = solver
        self.step = step
        self.max_iter = max_iter
        self.tol = tol
        self.n_nonzero = n_nonzero
        self.hard_constant = hard_constant
        self.output = output

    def transform(self, X, mask=None):
        """Sparse codes of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Signals.
        mask : array-like of bool of shape (n_samples, n_features) or None, default=None
            Visible coordinates (True): code each signal from those only (see
            :func:`sparse_encode_lq`).

        Returns
        -------
        codes : ndarray or CSR matrix of shape (n_samples, n_atoms)
            The codes (dtype of ``X``).
        """
        check_is_fitted(self)
        xp = get_namespace(X)
        if is_numpy_namespace(xp) or not hasattr(X, "__array_namespace__"):
            X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        elif X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                             f"{self.n_features_in_} features as input.")
        Z = sparse_encode_lq(X, self.components_, penalty=self.penalty, alpha=self.alpha, solver=self.solver,
                             step=self.step, max_iter=self.max_iter, tol=self.tol, n_nonzero=self.n_nonzero,
                             hard_constant=self.hard_constant, mask=mask)
        if self.output == "sparse" and isinstance(Z, np.ndarray):
            return sp.csr_matrix(Z)
        return Z

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.array_api_support = True
        return tags

    @classmethod
    def _test_instances(cls):
        rng = np.random.default_rng(0)
        return [cls(rng.standard_normal((5, 10)).round(3).tolist(), alpha=0.1)]
