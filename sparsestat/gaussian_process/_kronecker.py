"""Exact GP regression on grid (Cartesian product) inputs with a product kernel over dimensions."""

import numbers
import warnings

import numpy as np
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, Kernel
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sparsestat.gaussian_process._kron import _mode_product, kron_eig, kron_mvprod, kron_solve_eig, outer_all, pcg
from sparsestat.utils._array_api import asarray_like, get_namespace, is_numpy_namespace, to_numpy

__all__ = ["KroneckerGP"]

_LOG_2PI = np.log(2.0 * np.pi)


def _contract_rows(T, factors):
    """out[j] = sum_{i_1..i_D} T[i_1..i_D] prod_d F_d[j, i_d] for F_d of shape (m, N_d), in T's namespace."""
    xp = get_namespace(T)
    D = len(factors)
    Z = xp.tensordot(T, factors[-1], axes=([D - 1], [1]))  # (N_1..N_{D-1}, m)
    numpy = is_numpy_namespace(xp)
    for d in range(D - 2, -1, -1):
        Z = np.einsum("...am,ma->...m", Z, factors[d]) if numpy else xp.sum(Z * factors[d].T, axis=-2)
    return Z


def _diag(G, xp):
    """Diagonal of a square matrix by a strided slice of its flattening (no ``linalg.diagonal`` needed)."""
    n = int(G.shape[0])
    return xp.reshape(G, (-1,))[:: n + 1]


def _device(x):
    import array_api_compat

    return array_api_compat.device(x)


def xp_zeros(xp, n, like):
    """float64 zeros of length n in namespace xp on the device of ``like``."""
    return xp.zeros(n, dtype=xp.float64, device=_device(like))


def _to_namespace_of(v, X_in, numpy_in, dtype):
    """Return a result in the namespace (and dtype) of the user's query array."""
    if numpy_in:
        return to_numpy(v).astype(dtype, copy=False)
    xp = get_namespace(X_in)
    if get_namespace(v).__name__ != xp.__name__:
        v = asarray_like(to_numpy(v), X_in)
    return xp.astype(v, xp.float32 if dtype == np.float32 else xp.float64)


def _input_namespace(*arrays):
    """Namespace of user input (NumPy for lists, pandas, ...), and whether it is NumPy."""
    try:
        xp = get_namespace(*arrays)
    except TypeError:
        return None, True
    return xp, is_numpy_namespace(xp)


class KroneckerGP(RegressorMixin, BaseEstimator):
    r"""Exact Gaussian-process regression on a grid with a product kernel (Kronecker algebra).

    The inputs are (a subset of) the Cartesian product of per-dimension axes
    and the kernel is a product of one-dimensional kernels,
    :math:`K = K_1 \otimes \cdots \otimes K_D`. With
    :math:`K_d = Q_d \Lambda_d Q_d^\top`,

    .. math::

        (K + \sigma^2 I)^{-1} y = (\otimes_d Q_d)(\otimes_d \Lambda_d + \sigma^2 I)^{-1}
        (\otimes_d Q_d^\top)\, y,\qquad
        \log|K + \sigma^2 I| = \sum_i \log(\lambda_i + \sigma^2),

    so the log marginal likelihood and its gradient cost
    :math:`O(\sum_d N_d^3 + N \sum_d N_d)` with no low-rank approximation.
    Missing grid cells are handled by conjugate gradients preconditioned by
    the full-grid Kronecker inverse: with :math:`C = K + \sigma^2 I` and
    :math:`m` missing cells, :math:`(C_{oo})^{-1} b` follows from the
    :math:`m \times m` Schur-complement system :math:`(C^{-1})_{mm} u = (C^{-1}[b; 0])_m`,
    solved by Jacobi-preconditioned CG whose every step is one Kronecker
    eigen-solve. :math:`(C^{-1})_{mm}^{-1} = \sigma^2 I + \operatorname{Cov}(f_m \mid y_o)`
    is well conditioned when the missing cells are well predicted by their
    observed neighbours, so CG needs few iterations (at most :math:`m`).

    Parameters
    ----------
    kernels : Kernel or list of Kernel or None, default=None
        One-dimensional kernels, one per input feature (a single kernel is
        cloned for every feature). None uses ``ConstantKernel() * RBF()`` on
        the first feature and ``RBF()`` on the others.
    noise_variance : float, default=1e-2
        Gaussian noise variance :math:`\sigma^2` (of the normalised target
        when ``normalize_y``); must be positive. It is the starting value when
        ``noise_variance_bounds`` is not ``"fixed"``.
    noise_variance_bounds : pair of float or "fixed", default=(1e-8, 1e2)
        Bounds of the noise variance during optimisation.
    optimizer : {"fmin_l_bfgs_b"} or None, default="fmin_l_bfgs_b"
        Maximise the log marginal likelihood over the kernel hyper-parameters
        and the noise with L-BFGS-B and analytic gradients; None keeps them.
    max_iter : int, default=200
        L-BFGS-B iterations.
    normalize_y : bool, default=True
        Centre and scale the target before fitting.
    cg_tol : float, default=1e-10
        Relative residual of the CG solves (missing cells only).
    cg_max_iter : int, default=1000
        CG iterations.
    min_observed_fraction : float, default=0.5
        Inputs whose rows fill less than this fraction of the grid spanned by
        their per-column unique values are not treated as a grid.
    non_grid : {"raise", "dense"}, default="raise"
        What to do with non-grid input: raise a ``ValueError``, or fit the
        same product-kernel GP densely (:math:`O(n^3)`, small data only).

    Attributes
    ----------
    kernels_ : list of Kernel
        Fitted per-dimension kernels.
    noise_variance_ : float
        Fitted noise variance (normalised scale).
    axes_ : list of ndarray
        Grid axes (sorted unique values per feature).
    grid_shape_ : tuple of int
        Shape of the grid.
    n_missing_ : int
        Number of grid cells without an observation.
    is_grid_ : bool
        Whether the Kronecker path was used (False for the dense fallback).
    log_marginal_likelihood_value_ : float
        Log marginal likelihood at the fitted hyper-parameters (of the
        normalised target); with missing cells, the full-grid likelihood of
        the imputed data (see Notes).
    n_iter_ : int
        Optimiser iterations.
    cg_n_iter_ : int
        CG iterations of the final solve (0 on a full grid).
    n_features_in_ : int
        Number of input features.

    Notes
    -----
    **Array API / GPU.** When ``X`` (and ``y``) are CuPy or other array-API
    arrays (``array_api_compat`` namespaces, e.g. ``array_api_strict``), the
    per-dimension algebra runs in that namespace and on its device: the
    eigendecompositions of the :math:`N_d \times N_d` factors, every
    Kronecker mode product, the eigen-solves, the missing-cell conjugate
    gradients with their Kronecker preconditioner, the log marginal
    likelihood and its gradient reductions, and the prediction contractions.
    What stays on the host (NumPy/SciPy): grid detection and input
    validation, the scikit-learn kernels' evaluation of the small
    per-dimension matrices (copied to the device, :math:`O(\sum_d N_d^2)`
    floats), and the L-BFGS-B optimiser over the hyper-parameters (which
    only exchanges scalars with the device). Fitted ``alpha_`` lives on the
    device; ``predict`` returns arrays in the namespace of its input. The
    dense fallback (``non_grid="dense"``) runs on the host.

    With missing cells the hyper-parameters are learned on the full-grid
    likelihood after imputing the missing cells with the current posterior
    mean (two rounds); the posterior given the fitted hyper-parameters is
    exact. This is an approximation of the observed-data likelihood
    (deviation from a fully exact treatment, which needs log-determinants of
    the observed block).

    References
    ----------
    .. [1] Y. Saatçi, "Scalable Inference for Structured Gaussian Process
       Models", PhD thesis, University of Cambridge, 2011.
    .. [2] S. Fang et al., "Solving High Frequency and Multi-Scale PDEs with
       Gaussian Processes", ICLR 2024, arXiv:2311.04465.
    .. [3] A. G. Wilson, E. Gilboa, A. Nehorai, J. P. Cunningham, "Fast
       Kernel Learning for Multidimensional Pattern Extrapolation", NeurIPS 2014.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsestat.gaussian_process import KroneckerGP
    >>> g1, g2 = np.linspace(0, 1, 20), np.linspace(0, 1, 30)
    >>> X = np.array(np.meshgrid(g1, g2, indexing="ij")).reshape(2, -1).T
    >>> y = np.sin(6 * X[:, 0]) * np.cos(4 * X[:, 1])
    >>> gp = KroneckerGP().fit(X, y)
    >>> bool(np.abs(gp.predict(X) - y).max() < 0.05)
    True
    """

    _parameter_constraints = {
        "kernels": [Kernel, list, tuple, None],
        "noise_variance": [Interval(numbers.Real, 0, None, closed="neither")],
        "noise_variance_bounds": [tuple, list, StrOptions({"fixed"})],
        "optimizer": [StrOptions({"fmin_l_bfgs_b"}), None],
        "max_iter": [Interval(numbers.Integral, 0, None, closed="left")],
        "normalize_y": ["boolean"],
        "cg_tol": [Interval(numbers.Real, 0, None, closed="neither")],
        "cg_max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "min_observed_fraction": [Interval(numbers.Real, 0, 1, closed="right")],
        "non_grid": [StrOptions({"raise", "dense"})],
    }

    def __init__(self, kernels=None, *, noise_variance=1e-2, noise_variance_bounds=(1e-8, 1e2),
                 optimizer="fmin_l_bfgs_b", max_iter=200, normalize_y=True, cg_tol=1e-10, cg_max_iter=1000,
                 min_observed_fraction=0.5, non_grid="raise"):
        self.kernels = kernels
        self.noise_variance = noise_variance
        self.noise_variance_bounds = noise_variance_bounds
        self.optimizer = optimizer
        self.max_iter = max_iter
        self.normalize_y = normalize_y
        self.cg_tol = cg_tol
        self.cg_max_iter = cg_max_iter
        self.min_observed_fraction = min_observed_fraction
        self.non_grid = non_grid

    # ---------------------------------------------------------------- helpers
    def _init_kernels(self, D):
        if self.kernels is None:
            return [ConstantKernel(1.0) * RBF(1.0)] + [RBF(1.0) for _ in range(D - 1)]
        if isinstance(self.kernels, Kernel):
            return [clone(self.kernels) for _ in range(D)]
        if len(self.kernels) != D:
            raise ValueError(f"kernels has {len(self.kernels)} entries but X has {D} features (grid dimensions); "
                             "pass one 1-D kernel per feature or a single kernel.")
        for k in self.kernels:
            if not isinstance(k, Kernel):
                raise TypeError(f"kernels must contain scikit-learn Kernel objects, got {type(k).__name__}.")
        return [clone(k) for k in self.kernels]

    def _noise_fixed(self):
        return isinstance(self.noise_variance_bounds, str)

    def _detect_grid(self, X):
        n, D = X.shape
        axes, idx = [], []
        for d in range(D):
            u, inv = np.unique(X[:, d], return_inverse=True)
            axes.append(u)
            idx.append(inv.ravel())
        shape = tuple(a.size for a in axes)
        size = float(np.prod([float(s) for s in shape]))
        reason = None
        if size > n / self.min_observed_fraction:
            reason = (f"the {n} rows of X fill only a fraction {n / size:.3g} of the grid of shape {shape} spanned by "
                      f"its per-column unique values (min_observed_fraction={self.min_observed_fraction})")
        else:
            flat = np.ravel_multi_index(idx, shape)
            if np.unique(flat).size != n:
                reason = "X has duplicated rows (a grid has one observation per cell)"
        return axes, shape, (None if reason else flat), reason

    # ------------------------------------------------------------- likelihood
    def _split_theta(self, kernels, theta):
        out, i = [], 0
        for k in kernels:
            m = k.n_dims
            out.append(theta[i:i + m])
            i += m
        noise = self.noise_variance_ if self._noise_fixed() else float(np.exp(theta[i]))
        return out, noise

    def _dev(self, a):
        """Move a host (NumPy) array to the namespace/device of the fitted data."""
        return asarray_like(np.asarray(a, dtype=np.float64), self._like)

    def _grid_lml(self, theta, kernels, Y, grad=True, eig=None):
        """Exact log marginal likelihood and gradient on a full grid (Y tensor); ``eig`` reuses (vals, vecs).

        The kernel matrices are evaluated on the host (scikit-learn kernels) and moved to the namespace of
        ``Y``; eigendecompositions, mode products and reductions run there. Returns host floats.
        """
        xp = get_namespace(Y)
        parts, noise = self._split_theta(kernels, theta)
        if eig is not None and not grad:
            return self._lml_from_eig(eig[0], eig[1], noise, Y)
        Ks, dKs = [], []
        for k, th, ax in zip(kernels, parts, self.axes_, strict=False):
            kk = k.clone_with_theta(th) if th.size else k
            if grad and th.size:
                K, dK = kk(ax[:, None], eval_gradient=True)
            else:
                K, dK = kk(ax[:, None]), None
            Ks.append(self._dev(K))
            dKs.append(dK)
        vals, vecs = kron_eig(Ks)
        lam = outer_all(vals)
        s = lam + noise
        yt = kron_mvprod([Q.T for Q in vecs], Y)
        at = yt / s
        N = int(np.prod(Y.shape))
        lml = float(-0.5 * xp.sum(yt * at) - 0.5 * xp.sum(xp.log(s))) - 0.5 * N * _LOG_2PI
        if not grad:
            return lml, None, (vals, vecs, noise)
        g = []
        D = len(Ks)
        pre = [int(np.prod(at.shape[:d])) for d in range(D)]
        inv_s = 1.0 / s
        for d in range(D):
            if dKs[d] is None:
                continue
            others = [vals[e] if e != d else xp.ones_like(vals[d]) for e in range(D)]
            lam_o = outer_all(others)
            Q = vecs[d]
            for j in range(dKs[d].shape[2]):
                G = Q.T @ self._dev(dKs[d][:, :, j]) @ Q
                GA = xp.reshape(_mode_product(G, xp.reshape(at, (pre[d], at.shape[d], -1)), xp), at.shape)
                quad = xp.sum(at * GA * lam_o)
                diag_t = [vals[e] if e != d else _diag(G, xp) for e in range(D)]
                tr = xp.sum(outer_all(diag_t) * inv_s)
                g.append(float(0.5 * quad - 0.5 * tr))
        if not self._noise_fixed():
            g.append(float(0.5 * noise * (xp.sum(at * at) - xp.sum(inv_s))))
        return lml, np.asarray(g), (vals, vecs, noise)

    @staticmethod
    def _lml_from_eig(vals, vecs, noise, Y):
        xp = get_namespace(Y)
        s = outer_all(vals) + noise
        yt = kron_mvprod([Q.T for Q in vecs], Y)
        N = int(np.prod(Y.shape))
        lml = float(-0.5 * xp.sum(yt * yt / s) - 0.5 * xp.sum(xp.log(s))) - 0.5 * N * _LOG_2PI
        return lml, None, (vals, vecs, noise)

    def _optimise(self, kernels, Y):
        theta0 = np.concatenate([k.theta for k in kernels] + ([] if self._noise_fixed()
                                                              else [[np.log(self.noise_variance_)]]))
        bounds = np.vstack([k.bounds for k in kernels if k.n_dims] +
                           ([] if self._noise_fixed() else [np.log(np.asarray([self.noise_variance_bounds], float))]))

        def obj(th):
            lml, g, _ = self._grid_lml(th, kernels, Y, grad=True)
            return -lml, -g

        if theta0.size == 0:
            return kernels, 0
        res = minimize(obj, theta0, jac=True, method="L-BFGS-B", bounds=bounds,
                       options={"maxiter": self.max_iter})
        if not res.success and res.status == 1:
            warnings.warn(f"L-BFGS-B stopped after max_iter={self.max_iter} iterations without meeting its "
                          f"gradient tolerance (projected gradient {np.max(np.abs(res.jac)):.3g}); increase max_iter.",
                          ConvergenceWarning, stacklevel=3)
        parts, noise = self._split_theta(kernels, res.x)
        kernels = [k.clone_with_theta(p) if p.size else k for k, p in zip(kernels, parts, strict=False)]
        self.noise_variance_ = noise
        return kernels, int(res.nit)

    # -------------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the grid GP (hyper-parameters by maximum marginal likelihood).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Grid points (any order; cells may be missing). A CuPy or other
            array-API array puts the grid algebra in its namespace and on its
            device (see Notes).
        y : array-like of shape (n_samples,)
            Targets.

        Returns
        -------
        self : KroneckerGP
            Fitted estimator.
        """
        xp, numpy_in = _input_namespace(X, y)
        if numpy_in:
            self._like = np.zeros(1)
        else:
            self._like = xp.zeros(1, dtype=xp.float64, device=_device(X))
            X, y = to_numpy(X), to_numpy(y)
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], y_numeric=True)
        self._dtype = X.dtype
        X = X.astype(np.float64)
        y = np.asarray(y, dtype=np.float64)
        self.noise_variance_ = float(self.noise_variance)
        if not self._noise_fixed():
            lo, hi = (float(v) for v in self.noise_variance_bounds)
            if not 0 < lo <= hi:
                raise ValueError(f"noise_variance_bounds must be a pair 0 < low <= high or 'fixed', got "
                                 f"{self.noise_variance_bounds!r}; the noise variance must stay positive.")
        if self.normalize_y:
            self._y_mean = float(y.mean())
            sd = float(y.std())
            self._y_std = sd if sd > 0 else 1.0
        else:
            self._y_mean, self._y_std = 0.0, 1.0
        yn = (y - self._y_mean) / self._y_std
        D = X.shape[1]
        kernels = self._init_kernels(D)
        axes, shape, flat, reason = self._detect_grid(X)
        if reason is not None:
            if self.non_grid == "raise":
                raise ValueError(f"KroneckerGP needs grid input: {reason}. Pass points of a Cartesian product "
                                 "grid (use fit_grid(axes, Y) with NaN for missing cells), or non_grid='dense' for "
                                 "small non-grid data.")
            self._like = np.zeros(1)  # the dense fallback runs on the host
            return self._fit_dense(X, yn, kernels)
        self.is_grid_ = True
        self.axes_ = axes
        self.grid_shape_ = shape
        N = int(np.prod(shape))
        observed = np.zeros(N, dtype=bool)
        observed[flat] = True
        self.n_missing_ = int(N - flat.size)
        yo_host = np.zeros(N)
        yo_host[flat] = yn
        xpd = get_namespace(self._like)
        self._observed = asarray_like(observed, self._like)
        yo = self._dev(yo_host)
        Yfull = yo
        self.n_iter_ = 0
        rounds = 1 if self.n_missing_ == 0 else 2
        for _ in range(rounds):
            if self.n_missing_:
                # impute the missing cells with the current posterior mean
                self._factorise(kernels)
                full = xp_zeros(xpd, N, self._like)
                full[self._observed] = self._solve_observed(Yfull[self._observed])
                Yfull = xpd.where(self._observed, Yfull, kron_mvprod(self._Ks, full))
            if self.optimizer is not None:
                kernels, nit = self._optimise(kernels, xpd.reshape(Yfull, shape))
                self.n_iter_ += nit
        self.kernels_ = kernels
        self._factorise(kernels)
        self.cg_n_iter_ = 0
        if self.n_missing_ == 0:
            self.alpha_ = kron_solve_eig(self._vals, self._vecs, self.noise_variance_, yo)
        else:
            self.alpha_ = xp_zeros(xpd, N, self._like)
            self.alpha_[self._observed] = self._solve_observed(yo[self._observed])
        lml, _, _ = self._grid_lml(np.concatenate([k.theta for k in kernels] + ([] if self._noise_fixed() else
                                                  [[np.log(self.noise_variance_)]])), kernels,
                                   xpd.reshape(yo if self.n_missing_ == 0 else Yfull, shape), grad=False,
                                   eig=(self._vals, self._vecs))
        self.log_marginal_likelihood_value_ = float(lml)
        return self

    def fit_grid(self, axes, Y):
        """Fit on grid axes and a target tensor (NaN marks missing cells).

        Parameters
        ----------
        axes : list of array-like
            One 1-D array of coordinates per dimension.
        Y : array-like of shape (len(axes[0]), ..., len(axes[-1]))
            Target values on the grid; NaN entries are missing cells.

        Returns
        -------
        self : KroneckerGP
            Fitted estimator.
        """
        axes = [np.asarray(a, dtype=float).ravel() for a in axes]
        Y = np.asarray(Y, dtype=float)
        shape = tuple(a.size for a in axes)
        if Y.shape != shape:
            raise ValueError(f"Y has shape {Y.shape} but the axes define a grid of shape {shape}; "
                             "Y[i_1, ..., i_D] must be the value at (axes[0][i_1], ..., axes[D-1][i_D]).")
        mesh = np.meshgrid(*axes, indexing="ij")
        X = np.stack([m.ravel() for m in mesh], axis=1)
        keep = ~np.isnan(Y.ravel())
        return self.fit(X[keep], Y.ravel()[keep])

    def _factorise(self, kernels):
        self._Ks = [self._dev(k(ax[:, None])) for k, ax in zip(kernels, self.axes_, strict=False)]
        self._vals, self._vecs = kron_eig(self._Ks)
        self._diag_inv = None

    def _solve_observed(self, B):
        r"""Solve :math:`(K + \sigma^2 I)_{oo} X = B` on the observed cells through the missing-cell Schur complement.

        With :math:`C = K + \sigma^2 I` (inverted exactly by the Kronecker
        eigen-solve) and :math:`S = (C^{-1})_{mm}`, the solution is
        :math:`x_o = v_o - (C^{-1} [0; u])_o` with :math:`v = C^{-1} [b; 0]`
        and :math:`S u = v_m`; the :math:`m \times m` system is solved by
        Jacobi-preconditioned conjugate gradients. Runs in the namespace of ``B``.
        """
        xp = get_namespace(B)
        obs = self._observed
        miss = ~obs
        N = int(obs.shape[0])
        noise = self.noise_variance_

        def solve_full(Z):
            return kron_solve_eig(self._vals, self._vecs, noise, Z)

        def scatter(mask, U):
            Z = xp.zeros((N, *U.shape[1:]), dtype=U.dtype, device=_device(U))
            Z[mask] = U
            return Z

        V = solve_full(scatter(obs, B))

        def matvec(U):
            return solve_full(scatter(miss, U))[miss]

        if self._diag_inv is None:
            W = 1.0 / (xp.reshape(outer_all(self._vals), (-1,)) + noise)
            self._diag_inv = kron_mvprod([Q * Q for Q in self._vecs], W)[miss]
        dinv = self._diag_inv

        def precond(R):
            return R / (dinv if R.ndim == 1 else xp.reshape(dinv, (-1, 1)))

        U, it, res = pcg(matvec, precond, V[miss], tol=self.cg_tol, max_iter=self.cg_max_iter)
        self.cg_n_iter_ = it
        if res > self.cg_tol:
            warnings.warn(f"Conjugate gradients stopped after cg_max_iter={self.cg_max_iter} iterations with relative "
                          f"residual {res:.3g} > cg_tol={self.cg_tol}; increase cg_max_iter.",
                          ConvergenceWarning, stacklevel=3)
        return (V - solve_full(scatter(miss, U)))[obs]

    # ------------------------------------------------------------- dense path
    def _fit_dense(self, X, yn, kernels):
        self.is_grid_ = False
        self.axes_ = None
        self.grid_shape_ = None
        self.n_missing_ = 0
        self.cg_n_iter_ = 0
        self._Xtrain = X
        D = X.shape[1]

        def lml(theta, grad=True):
            parts, noise = self._split_theta(kernels, theta)
            mats, grads = [], []
            for d, (k, th) in enumerate(zip(kernels, parts, strict=False)):
                kk = k.clone_with_theta(th) if th.size else k
                K, dK = kk(X[:, [d]], eval_gradient=True)
                mats.append(K)
                grads.append(dK)
            K = np.prod(mats, axis=0)
            C = K + noise * np.eye(len(yn))
            L = np.linalg.cholesky(C)
            a = np.linalg.solve(L.T, np.linalg.solve(L, yn))
            val = -0.5 * yn @ a - np.log(np.diag(L)).sum() - 0.5 * len(yn) * _LOG_2PI
            if not grad:
                return val, None
            Cinv = np.linalg.solve(L.T, np.linalg.solve(L, np.eye(len(yn))))
            W = np.outer(a, a) - Cinv
            g = []
            for d in range(D):
                rest = np.prod([mats[e] for e in range(D) if e != d], axis=0) if D > 1 else 1.0
                for j in range(grads[d].shape[2]):
                    g.append(0.5 * np.sum(W * grads[d][:, :, j] * rest))
            if not self._noise_fixed():
                g.append(0.5 * noise * np.trace(W))
            return val, np.asarray(g)

        theta0 = np.concatenate([k.theta for k in kernels] + ([] if self._noise_fixed()
                                                              else [[np.log(self.noise_variance_)]]))
        self.n_iter_ = 0
        if self.optimizer is not None and theta0.size:
            bounds = np.vstack([k.bounds for k in kernels if k.n_dims] +
                               ([] if self._noise_fixed()
                                else [np.log(np.asarray([self.noise_variance_bounds], float))]))
            res = minimize(lambda t: tuple(-v for v in lml(t)), theta0, jac=True, method="L-BFGS-B",
                           bounds=bounds, options={"maxiter": self.max_iter})
            theta0 = res.x
            self.n_iter_ = int(res.nit)
        parts, noise = self._split_theta(kernels, theta0)
        self.noise_variance_ = noise
        self.kernels_ = [k.clone_with_theta(p) if p.size else k for k, p in zip(kernels, parts, strict=False)]
        K = np.prod([k(X[:, [d]]) for d, k in enumerate(self.kernels_)], axis=0)
        self._L = np.linalg.cholesky(K + noise * np.eye(len(yn)))
        self.alpha_ = np.linalg.solve(self._L.T, np.linalg.solve(self._L, yn))
        self.log_marginal_likelihood_value_ = float(lml(theta0, grad=False)[0])
        return self

    # --------------------------------------------------------------- predict
    def predict(self, X, return_std=False):
        """Posterior mean (and standard deviation of the latent function) at ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Query points (anywhere, not necessarily on the grid). The result
            is returned in the namespace of ``X`` (NumPy for lists).
        return_std : bool, default=False
            Also return the posterior standard deviation (without the noise).

        Returns
        -------
        y_mean : array of shape (n_samples,)
            Posterior mean.
        y_std : array of shape (n_samples,)
            Posterior standard deviation; only with ``return_std=True``.
        """
        check_is_fitted(self)
        xp_in, numpy_in = _input_namespace(X)
        X_in = X
        if not numpy_in:
            X = to_numpy(X)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        out_dtype = X.dtype
        X = X.astype(np.float64)
        prior_var = np.prod([k.diag(X[:, [d]]) for d, k in enumerate(self.kernels_)], axis=0)
        if not self.is_grid_:
            Ks = np.prod([k(X[:, [d]], self._Xtrain[:, [d]]) for d, k in enumerate(self.kernels_)], axis=0)
            mean = Ks @ self.alpha_
            var = None
            if return_std:
                V = np.linalg.solve(self._L, Ks.T)
                var = np.maximum(prior_var - np.sum(V * V, axis=0), 0.0)
        else:
            mean, var = self._predict_grid(X, prior_var, return_std)
        mean = mean * self._y_std + self._y_mean
        out = [mean] + ([var ** 0.5 * self._y_std] if return_std else [])
        out = [_to_namespace_of(v, X_in, numpy_in, out_dtype) for v in out]
        return tuple(out) if return_std else out[0]

    def _predict_grid(self, X, prior_var, return_std):
        """Kronecker-structured posterior mean/variance in the fitted namespace (queries chunked, memory O(N))."""
        xp = get_namespace(self._like)
        shape = self.grid_shape_
        chunk = max(1, int(2e7 // max(int(np.prod(shape[:-1])), 1)))
        means, vars_ = [], []
        A = xp.reshape(self.alpha_, shape)
        W = 1.0 / (outer_all(self._vals) + self.noise_variance_) if return_std and self.n_missing_ == 0 else None
        for start in range(0, X.shape[0], chunk):
            sl = slice(start, start + chunk)
            Kq = [self._dev(k(X[sl, [d]], self.axes_[d][:, None])) for d, k in enumerate(self.kernels_)]
            means.append(_contract_rows(A, Kq))
            if return_std:
                if W is not None:
                    B2 = [(K @ Q) ** 2 for K, Q in zip(Kq, self._vecs, strict=False)]
                    red = _contract_rows(W, B2)
                else:
                    m = int(Kq[0].shape[0])
                    KT = xp.stack([xp.reshape(outer_all([K[j, :] for K in Kq]), (-1,)) for j in range(m)], axis=1)
                    KTo = KT[self._observed]
                    sol = self._solve_observed(KTo)
                    red = xp.sum(KTo * sol, axis=0)
                v = self._dev(prior_var[sl]) - red
                vars_.append(xp.where(v > 0, v, xp.zeros_like(v)))
        mean = xp.concat(means) if len(means) > 1 else means[0]
        var = (xp.concat(vars_) if len(vars_) > 1 else vars_[0]) if return_std else None
        return mean, var

    def log_marginal_likelihood(self, theta=None):
        """Log marginal likelihood of the training grid (exact, full grids or the dense path).

        Parameters
        ----------
        theta : array-like of shape (n_hyperparameters,) or None, default=None
            Log hyper-parameters (per-dimension kernel ``theta`` concatenated,
            then the log noise variance unless fixed); None uses the fitted ones.

        Returns
        -------
        log_likelihood : float
            Log marginal likelihood of the normalised target.
        """
        check_is_fitted(self)
        if theta is None:
            return self.log_marginal_likelihood_value_
        if not self.is_grid_ or self.n_missing_:
            raise ValueError("log_marginal_likelihood(theta) is available on full grids only.")
        return float(self._grid_lml(np.asarray(theta, float), self.kernels_, self._y_grid(), grad=False)[0])

    def _y_grid(self):
        xp = get_namespace(self.alpha_)
        K = kron_mvprod(self._Ks, self.alpha_) + self.noise_variance_ * self.alpha_
        return xp.reshape(K, self.grid_shape_)

    def _expected_failed_checks(self):
        return {}

    @classmethod
    def _test_instances(cls):
        return [cls(non_grid="dense", max_iter=20)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags
