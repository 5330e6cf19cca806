r"""Matching pursuit (MP) and orthogonal matching pursuit (OMP) coding on a fixed dictionary.

Both coders run on the Gram matrix ``G = D Dᵀ`` and the correlations ``X Dᵀ`` (two GEMMs), then
code every signal independently in a parallel Numba loop; OMP keeps an incremental Cholesky
factor of the active Gram block (the "Batch-OMP" of Rubinstein, Zibulevsky & Elad).
"""

import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sparsestat.decomposition._sparse_coding import _check_dictionary, _FixedDictionaryCoder
from sparsestat.utils._array_api import asarray_like, get_namespace, is_numpy_namespace, to_numpy

__all__ = ["MatchingPursuitCoder", "matching_pursuit"]


def _pursuit(X, D, n_nonzero, residual_tol, orthogonal, nonnegative, allow_reselect, max_iter):
    """Run the kernels; returns (codes, steps, squared residual norms, residual path or None)."""
    from sparsestat.decomposition._coding_kernels import mp_gram_batch, omp_gram_batch

    n, M = X.shape[0], D.shape[0]
    if n_nonzero is None and residual_tol is None:
        n_nonzero = max(int(0.1 * X.shape[1]), 1)
    G = np.ascontiguousarray(D @ D.T)
    Xy = np.ascontiguousarray(X @ D.T)
    xsq = np.einsum("ij,ij->i", X, X)
    tol_sq = -1.0 if residual_tol is None else float(residual_tol) ** 2
    codes = np.zeros((n, M), dtype=X.dtype)
    steps = np.zeros(n, dtype=np.int64)
    res = np.zeros(n, dtype=X.dtype)
    if orthogonal:
        k = M if n_nonzero is None else int(n_nonzero)
        k = min(k, X.shape[1], M)
        omp_gram_batch(Xy, G, xsq, k, tol_sq, bool(nonnegative), codes, steps, res)
        return codes, steps, res, None
    if max_iter is not None:
        n_steps = int(max_iter)
    elif n_nonzero is not None:
        n_steps = int(n_nonzero)
    else:
        n_steps = 10 * X.shape[1]
    path = np.full((n, n_steps + 1), np.nan, dtype=X.dtype)
    mp_gram_batch(Xy, G, xsq, n_steps, tol_sq, bool(nonnegative), bool(allow_reselect), codes, steps, res, path)
    return codes, steps, res, path


def _as_host(X):
    xp = get_namespace(X)
    if is_numpy_namespace(xp):
        X = np.asarray(X)
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
        return X, None
    return np.asarray(to_numpy(X)), X


def matching_pursuit(X, dictionary, *, n_nonzero=None, residual_tol=None, orthogonal=False, nonnegative=False,
                     allow_reselect=True, max_iter=None):
    r"""Greedy sparse codes by matching pursuit (MP) or orthogonal matching pursuit (OMP).

    Each step selects the atom most correlated with the residual :math:`r` (``argmax |⟨r, d_j⟩|``;
    for MP normalised by :math:`\|d_j\|`; only positive correlations when ``nonnegative``). MP adds
    the projection :math:`⟨r, d_j⟩/\|d_j\|^2` to that coefficient (an atom may be selected again);
    OMP refits all active coefficients by least squares (NNLS when ``nonnegative``), so its codes
    equal scikit-learn's :func:`~sklearn.linear_model.orthogonal_mp`.

    .. math::

        \text{OMP:}\quad z_{A} = \arg\min_{z_A} \|x - z_A D_A\|_2^2,\quad
        A \leftarrow A \cup \{\arg\max_j |⟨x - z_A D_A, d_j⟩|\}.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Signals (array-API input is coded on the host and returned in its namespace).
    dictionary : array-like of shape (n_atoms, n_features)
        Atoms as rows (finite, no zero atom; unit norm expected by OMP's selection rule).
    n_nonzero : int or None, default=None
        OMP: maximum number of atoms; MP: number of steps. When both ``n_nonzero`` and
        ``residual_tol`` are None, ``max(n_features // 10, 1)`` as in scikit-learn.
    residual_tol : float or None, default=None
        Stop when :math:`\|r\|_2 \le` ``residual_tol``.
    orthogonal : bool, default=False
        OMP instead of MP.
    nonnegative : bool, default=False
        Non-negative codes.
    allow_reselect : bool, default=True
        MP only: whether an atom can be selected again.
    max_iter : int or None, default=None
        MP only: maximum number of steps (overrides ``n_nonzero`` as the step budget).

    Returns
    -------
    codes : ndarray of shape (n_samples, n_atoms)
        The codes (dtype of ``X``).

    References
    ----------
    .. [1] S. Mallat, Z. Zhang, "Matching pursuits with time-frequency dictionaries", IEEE TSP 41(12),
       1993.
    .. [2] Y. C. Pati, R. Rezaiifar, P. S. Krishnaprasad, "Orthogonal matching pursuit", Asilomar 1993.
    .. [3] R. Rubinstein, M. Zibulevsky, M. Elad, "Efficient implementation of the K-SVD algorithm
       using batch orthogonal matching pursuit", Technion CS-2008-08, 2008.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.decomposition import matching_pursuit
    >>> D = np.array([[1.0, 0.0], [0.6, 0.8]])
    >>> matching_pursuit(np.array([[1.0, 2.0]]), D, n_nonzero=2, orthogonal=True).round(3)
    array([[-0.5,  2.5]])
    """
    for name, val in (("n_nonzero", n_nonzero), ("max_iter", max_iter)):
        if val is not None and (not isinstance(val, numbers.Integral) or val < 1):
            raise ValueError(f"{name} must be a positive integer or None, got {val!r}.")
    if residual_tol is not None and (not isinstance(residual_tol, numbers.Real) or residual_tol < 0):
        raise ValueError(f"residual_tol must be a non-negative float or None, got {residual_tol!r}.")
    Xh, orig = _as_host(X)
    if Xh.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got {Xh.ndim} dimension(s).")
    D, _ = _check_dictionary(dictionary, Xh.shape[1], dtype=Xh.dtype)
    codes = _pursuit(Xh, D, n_nonzero, residual_tol, orthogonal, nonnegative, allow_reselect, max_iter)[0]
    return codes if orig is None else asarray_like(codes, orig)


class MatchingPursuitCoder(_FixedDictionaryCoder):
    r"""Matching pursuit / orthogonal matching pursuit coder on a fixed dictionary.

    See :func:`matching_pursuit` for the algorithms. Batched: two GEMMs (Gram matrix and
    correlations), then a parallel Numba loop over signals; OMP uses an incremental Cholesky
    factorisation of the active Gram block, MP a rank-one update of the correlations per step.

    .. math::

        r_0 = x,\quad j_t = \arg\max_j \frac{|⟨r_t, d_j⟩|}{\|d_j\|},\quad
        z_{j_t} \mathrel{+}= \frac{⟨r_t, d_{j_t}⟩}{\|d_{j_t}\|^2},\quad
        r_{t+1} = r_t - \frac{⟨r_t, d_{j_t}⟩}{\|d_{j_t}\|^2} d_{j_t}.

    Parameters
    ----------
    dictionary : array-like of shape (n_atoms, n_features)
        Atoms as rows.
    n_nonzero : int or None, default=None
        OMP: maximum atoms per signal; MP: number of steps.
    residual_tol : float or None, default=None
        Stop when the residual norm is at most this.
    orthogonal : bool, default=False
        OMP (least-squares refit on the active set) instead of MP.
    nonnegative : bool, default=False
        Non-negative codes.
    allow_reselect : bool, default=True
        MP only: an atom may be selected again.
    max_iter : int or None, default=None
        MP only: step budget (overrides ``n_nonzero``).
    output : {"dense", "sparse"}, default="dense"
        Return dense arrays or ``scipy.sparse`` CSR codes.

    Attributes
    ----------
    n_features_in_ : int
        Dictionary width.
    components_ : ndarray of shape (n_atoms, n_features)
        The validated dictionary.

    References
    ----------
    .. [1] S. Mallat, Z. Zhang, "Matching pursuits with time-frequency dictionaries", IEEE TSP 41(12),
       1993.
    .. [2] V. Costa, T. Fel, E. S. Lubana, B. Tolooshams, D. Ba, "From flat to hierarchical:
       extracting sparse representations with matching pursuit", arXiv 2506.03093, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.decomposition import MatchingPursuitCoder
    >>> D = np.array([[1.0, 0.0], [0.6, 0.8]])
    >>> MatchingPursuitCoder(D, n_nonzero=1).fit_transform(np.array([[1.0, 2.0]]))
    array([[0. , 2.2]])
    """

    _parameter_constraints = {
        "dictionary": ["array-like"],
        "n_nonzero": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "residual_tol": [Interval(numbers.Real, 0, None, closed="left"), None],
        "orthogonal": ["boolean"],
        "nonnegative": ["boolean"],
        "allow_reselect": ["boolean"],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "output": [StrOptions({"dense", "sparse"})],
    }

    def __init__(self, dictionary, *, n_nonzero=None, residual_tol=None, orthogonal=False, nonnegative=False,
                 allow_reselect=True, max_iter=None, output="dense"):
        self.dictionary = dictionary
        self.n_nonzero = n_nonzero
        self.residual_tol = residual_tol
        self.orthogonal = orthogonal
        self.nonnegative = nonnegative
        self.allow_reselect = allow_reselect
        self.max_iter = max_iter
        self.output = output

    def _run(self, X):
        check_is_fitted(self)
        Xh, orig = _as_host(X)
        if orig is None:
            Xh = validate_data(self, Xh, dtype=[np.float64, np.float32], reset=False)
        elif Xh.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {Xh.shape[1]} features, but {type(self).__name__} is expecting "
                             f"{self.n_features_in_} features as input.")
        D = self.components_.astype(Xh.dtype, copy=False)
        return _pursuit(Xh, D, self.n_nonzero, self.residual_tol, self.orthogonal, self.nonnegative,
                        self.allow_reselect, self.max_iter), orig

    def transform(self, X, mask=None):
        """Codes of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Signals.
        mask : array-like of bool of shape (n_samples, n_features) or None, default=None
            Visible coordinates (True): each signal is coded from those only, on the dictionary
            restricted to them (NumPy input).

        Returns
        -------
        codes : ndarray or CSR matrix of shape (n_samples, n_atoms)
            The codes.
        """
        if mask is not None:
            from sparsestat.decomposition._sparse_coding import _check_mask, _masked_apply

            check_is_fitted(self)
            Xh = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
            D = self.components_.astype(Xh.dtype, copy=False)
            codes = _masked_apply(Xh, D, _check_mask(mask, Xh.shape), lambda Xv, Dv, _: _pursuit(
                Xv, Dv, self.n_nonzero, self.residual_tol, self.orthogonal, self.nonnegative, self.allow_reselect,
                self.max_iter)[0])[0]
            return sp.csr_matrix(codes) if self.output == "sparse" else codes
        (codes, _, _, _), orig = self._run(X)
        if orig is not None:
            return asarray_like(codes, orig)
        return sp.csr_matrix(codes) if self.output == "sparse" else codes

    def residuals(self, X):
        """Residual norms after coding.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Signals.

        Returns
        -------
        norms : ndarray of shape (n_samples,)
            :math:`\\|x - zD\\|_2` per signal.
        """
        (_, _, res, _), _ = self._run(X)
        return np.sqrt(res)

    def path(self, X):
        """Residual norms after each MP step (the monotone decrease of matching pursuit).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Signals.

        Returns
        -------
        norms : ndarray of shape (n_samples, n_steps + 1)
            Residual norm before the first step and after each step (NaN once a signal stopped).
        """
        if self.orthogonal:
            raise ValueError("path() records matching pursuit steps; set orthogonal=False.")
        (_, _, _, path), _ = self._run(X)
        return np.sqrt(path)

    @classmethod
    def _test_instances(cls):
        rng = np.random.default_rng(1)
        D = rng.standard_normal((5, 10)).round(3).tolist()
        return [cls(D, n_nonzero=2, orthogonal=True), cls(D, n_nonzero=3)]
