"""Tests of sparsestat.penalties and the Numba scalar kernels of sparsestat._penalty_kernels.

The reference for every proximal operator is brute force: a dense 1-D grid refined by
``scipy.optimize.minimize_scalar`` on the prox objective, evaluated with penalty values written
here independently from the formulas of the papers.
"""

import itertools
import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.optimize import minimize, minimize_scalar
from sklearn.base import clone

from sparsestat import _penalty_kernels as K
from sparsestat.penalties import (
    CEL0,
    L0,
    L1,
    MCP,
    SCAD,
    ElasticNet,
    GroupL1,
    Lq,
    NonNegative,
    TopK,
    block_soft_threshold,
    cel0_threshold,
    half_threshold,
    hard_threshold,
    mcp_threshold,
    scad_threshold,
    soft_threshold,
)

ALPHA = 0.7
SEPARABLE = [
    L1(ALPHA),
    ElasticNet(ALPHA, l1_ratio=0.3),
    L0(ALPHA),
    L0(ALPHA, hard_constant="sqrt"),
    Lq(ALPHA, q=0.5),
    Lq(ALPHA, q=2 / 3),
    Lq(ALPHA, q=0.3),
    Lq(ALPHA, q=0.85),
    CEL0(ALPHA, atom_norms=1.3),
    CEL0(ALPHA, atom_norms=0.4),
    CEL0(ALPHA, atom_norms=0.0),
    MCP(ALPHA, gamma=3.0),
    MCP(ALPHA, gamma=0.6),
    SCAD(ALPHA, a=3.7),
    SCAD(ALPHA, a=2.2),
    NonNegative(),
]
# steps cover the nonconvex regimes: step >= gamma (MCP), step a^2 >= 1 (CEL0),
# step >= a - 1 and step > a + 1 (SCAD)
STEPS = [0.05, 0.5, 1.0, 2.5, 10.0]
ALL = SEPARABLE + [GroupL1(ALPHA, groups=2), GroupL1(ALPHA, groups=[[0, 3], [1], [2]], weights=[1.0, 2.0, 0.5]),
                   TopK(k=2), TopK(k=1, mode="signed"), CEL0(ALPHA, atom_norms=[0.5, 1.0, 1.5, 2.0])]


def _id(pen):
    return repr(pen).replace(" ", "")


# --------------------------------------------------------------------------- independent reference
def ref_value(pen, z):
    """Elementwise penalty value straight from the papers' formulas."""
    z = np.asarray(z, dtype=np.float64)
    az = np.abs(z)
    name = type(pen).__name__
    if name == "L1":
        return pen.alpha * az
    if name == "ElasticNet":
        r = pen.l1_ratio
        return pen.alpha * (r * az + 0.5 * (1 - r) * z**2)
    if name == "L0":
        c = 1.0 if pen.hard_constant == "prox" else 0.5
        return c * pen.alpha * (z != 0)
    if name == "Lq":
        return pen.alpha * az**pen.q
    if name == "CEL0":
        a = float(pen.atom_norms)
        if a == 0:
            return np.zeros_like(z)
        r = np.sqrt(2 * pen.alpha) / a
        return pen.alpha - 0.5 * a**2 * (az - r) ** 2 * (az <= r)
    if name == "MCP":
        lam, g = pen.alpha, pen.gamma
        return np.where(az <= g * lam, lam * az - z**2 / (2 * g), 0.5 * g * lam**2)
    if name == "SCAD":
        lam, a = pen.alpha, pen.a
        mid = (2 * a * lam * az - z**2 - lam**2) / (2 * (a - 1))
        return np.where(az <= lam, lam * az, np.where(az <= a * lam, mid, 0.5 * lam**2 * (a + 1)))
    if name == "NonNegative":
        return np.where(z < 0, np.inf, 0.0)
    raise AssertionError(name)


def brute_min(pen, x, step):
    """Global minimum of 1/2 (z - x)^2 + step pen(z): dense grid, then bounded Brent refinement."""

    def f(z):
        return 0.5 * (z - x) ** 2 + step * ref_value(pen, z)

    r = abs(x) + 1.0
    grid = np.concatenate([np.linspace(-r, r, 4001), [0.0, x]])
    vals = f(grid)
    i = int(np.argmin(vals))
    h = 2 * r / 4000
    best = vals[i]
    for lo, hi in [(grid[i] - h, grid[i] + h), (min(0.0, x), max(0.0, x))]:
        if hi > lo:
            with np.errstate(invalid="ignore"):
                res = minimize_scalar(lambda t: float(f(t)), bounds=(lo, hi), method="bounded",
                                      options={"xatol": 1e-13})
            if np.isfinite(res.fun):
                best = min(best, float(res.fun))
    return best


def _test_points(pen, step, rng, n=16):
    code, params = pen.numba_spec()
    t = K.threshold_scalar(code, step, *params)
    scale = 3 * t + 2.0
    pts = [rng.uniform(-scale, scale, n), [0.0, t, -t, t * (1 + 1e-9), t * (1 - 1e-9), -t * (1 + 1e-7)]]
    lam = getattr(pen, "alpha", 1.0)
    for kink in (lam, getattr(pen, "gamma", 0) * lam, getattr(pen, "a", 0) * lam, 2 * lam):
        pts.append([kink, kink * (1 + 1e-9), kink * (1 - 1e-9), step * kink])
    return np.concatenate([np.ravel(p) for p in pts])


# --------------------------------------------------------------------------- (a) prox optimality
@pytest.mark.parametrize("pen", SEPARABLE, ids=_id)
def test_prox_is_global_minimiser(pen):
    rng = np.random.default_rng(0)
    code, params = pen.numba_spec()
    for step in STEPS:
        x = _test_points(pen, step, rng)
        z_vec = pen.prox(x, step)
        z_nb = K.prox_array(code, x, step, *params)
        for xi, zv, zn in zip(x, z_vec, z_nb, strict=True):
            best = brute_min(pen, xi, step)
            tol = 1e-9 * (1 + abs(best))
            for z in (zv, zn):
                obj = 0.5 * (z - xi) ** 2 + step * ref_value(pen, z)
                assert obj <= best + tol, (pen, step, xi, z, obj, best)


# --------------------------------------------------------------------------- (b) NumPy == Numba
@pytest.mark.parametrize("pen", SEPARABLE, ids=_id)
def test_vectorised_matches_numba(pen):
    rng = np.random.default_rng(1)
    code, params = pen.numba_spec()
    x = rng.standard_normal(400) * 3
    g = rng.standard_normal(400)
    x[::7] = 0.0
    for step in STEPS:
        assert_allclose(pen.prox(x, step), K.prox_array(code, x, step, *params), rtol=1e-12, atol=1e-13)
        t = pen.threshold(step)
        assert t == K.threshold_scalar(code, step, *params)
        assert all(K.prox_scalar(code, s * t, step, *params) == 0.0 for s in (1 - 1e-9, -(1 - 1e-9)))
    assert_allclose(pen.value(x), K.value_array(code, x, *params), rtol=1e-12)
    assert_allclose(pen.value(x), np.sum(ref_value(pen, x)), rtol=1e-12)
    assert_allclose(pen.subdiff_distance(x, g), K.subdiff_distance_array(code, x, g, *params), rtol=1e-12,
                    atol=1e-13)
    assert code in (K.L1, K.ELASTIC_NET, K.L0, K.LQ, K.CEL0, K.MCP, K.SCAD, K.NONE, K.NONNEG)
    assert params.shape == (3,) and params.dtype == np.float64


def test_none_code_is_identity():
    x = np.array([-2.0, 0.0, 3.0])
    assert_array_equal(K.prox_array(K.NONE, x, 1.0, 1.0, 0.0, 0.0), x)
    assert K.value_array(K.NONE, x, 1.0, 0.0, 0.0) == 0.0
    assert_array_equal(K.subdiff_distance_array(K.NONE, x, x, 1.0, 0.0, 0.0), np.abs(x))


def test_cel0_per_feature_atom_norms():
    a = np.array([0.0, 0.5, 1.0, 2.0])
    pen = CEL0(0.4, atom_norms=a)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 4)) * 2
    code, params = pen.numba_spec_per_feature(4)
    assert params.shape == (4, 3)
    for step in (0.3, 1.0, 3.0):
        z = pen.prox(x, step)
        expected = np.array([[K.prox_scalar(code, x[i, j], step, *params[j]) for j in range(4)] for i in range(5)])
        assert_allclose(z, expected, rtol=1e-12)
        for j in range(4):
            assert_allclose(z[:, j], CEL0(0.4, atom_norms=a[j]).prox(x[:, j], step), rtol=1e-12)
        assert_allclose(pen.threshold(step), [CEL0(0.4, aj).threshold(step) for aj in a])
    with pytest.raises(ValueError, match="numba_spec_per_feature"):
        pen.numba_spec()
    with pytest.raises(ValueError, match="atom_norms"):
        pen.prox(np.ones(3), 1.0)


# --------------------------------------------------------------------------- (c) value vs prox
@pytest.mark.parametrize("pen", SEPARABLE, ids=_id)
def test_prox_decreases_objective(pen):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(300) * 2
    for step in STEPS:
        z = pen.prox(x, step)
        obj_z = 0.5 * (z - x) ** 2 + step * ref_value(pen, z)
        obj_x = step * ref_value(pen, x)
        obj_0 = 0.5 * x**2 + step * ref_value(pen, 0.0)
        assert np.all(obj_z <= obj_x + 1e-12) and np.all(obj_z <= obj_0 + 1e-12)
        total = 0.5 * np.sum((z - x) ** 2) + step * pen.value(z)
        assert total <= 0.5 * np.sum(x**2) + step * pen.value(np.zeros_like(x)) + 1e-10


# --------------------------------------------------------------------------- (d) KKT at prox points
@pytest.mark.parametrize("pen", SEPARABLE, ids=_id)
def test_subdiff_distance_zero_at_prox(pen):
    rng = np.random.default_rng(4)
    x = rng.standard_normal(300) * 3
    for step in STEPS:
        z = pen.prox(x, step)
        grad = (z - x) / step
        d = pen.subdiff_distance(z, grad)
        assert np.all(d <= 1e-8 * (1 + np.abs(x) / step)), (step, np.max(d))
        # a point that is not a fixed point has a positive residual
        if pen.is_convex and not isinstance(pen, NonNegative):
            assert np.max(pen.subdiff_distance(z + 0.5, grad)) > 1e-3


def test_subdiff_distance_values():
    assert_allclose(L1(1.0).subdiff_distance([0.0, 0.0, 2.0], [0.5, -3.0, -0.5]), [0.0, 2.0, 0.5])
    assert_allclose(L0(1.0).subdiff_distance([0.0, 2.0], [5.0, -0.5]), [0.0, 0.5])
    assert_allclose(Lq(1.0, 0.5).subdiff_distance([0.0, 4.0], [9.0, -0.25]), [0.0, 0.0])
    assert_allclose(NonNegative().subdiff_distance([0.0, 0.0, 1.0, -1.0], [1.0, -2.0, 3.0, 0.0]),
                    [0.0, 2.0, 3.0, np.inf])
    assert_allclose(MCP(1.0, 2.0).subdiff_distance([0.0, 3.0, 1.0], [1.5, 0.0, -0.5]), [0.5, 0.0, 0.0])


# --------------------------------------------------------------------------- (e) GroupL1 and TopK
def _group_objective(pen, x, step):
    """Prox objective written directly with NumPy norms (independent of ``pen.value``)."""
    groups, weights = pen.get_groups(x.shape[-1])
    alpha = pen.alpha

    def f(z):
        return 0.5 * np.sum((z - x) ** 2) + step * alpha * sum(
            w * np.linalg.norm(z[g]) for g, w in zip(groups, weights, strict=True))

    return f


@pytest.mark.parametrize("groups,weights", [(None, None), (2, None), ([[0, 4], [1, 2, 3], [5]], [1.0, 0.5, 2.0]),
                                            (np.array([3, 3, 1, 1, 7, 1]), None)])
def test_group_l1_prox_brute_force(groups, weights):
    pen = GroupL1(0.8, groups=groups, weights=weights)
    rng = np.random.default_rng(5)
    for step in (0.3, 2.0):
        for _ in range(2):
            x = rng.standard_normal(6) * 1.5
            z = pen.prox(x, step)
            f = _group_objective(pen, x, step)
            best = min(minimize(f, x0, method="Powell", options={"xtol": 1e-9, "ftol": 1e-13}).fun
                       for x0 in (x, z + 0.1))
            assert f(z) <= best + 1e-9
            assert_allclose(f(z), 0.5 * np.sum((z - x) ** 2) + step * pen.value(z), rtol=1e-12)
            for _ in range(20):  # convex: no nearby point is better
                assert f(z) <= f(z + 1e-4 * rng.standard_normal(6)) + 1e-15
            assert np.all(pen.subdiff_distance(z, (z - x) / step) <= 1e-10)


def test_group_l1_group_specs_agree():
    x = np.random.default_rng(6).standard_normal((3, 6))
    by_size = GroupL1(0.5, groups=3).prox(x, 1.0)
    by_list = GroupL1(0.5, groups=[[0, 1, 2], [3, 4, 5]]).prox(x, 1.0)
    by_label = GroupL1(0.5, groups=[7, 7, 7, 9, 9, 9]).prox(x, 1.0)
    manual = np.hstack([block_soft_threshold(x[:, :3], 0.5 * np.sqrt(3)),
                        block_soft_threshold(x[:, 3:], 0.5 * np.sqrt(3))])
    for out in (by_size, by_list, by_label):
        assert_allclose(out, manual, rtol=1e-14)
    groups, weights = GroupL1(0.5, groups=3).get_groups(6)
    assert_allclose(weights, np.sqrt([3, 3]))
    assert [g.tolist() for g in groups] == [[0, 1, 2], [3, 4, 5]]
    assert_allclose(GroupL1(0.5, groups=3).threshold(2.0, n_features=6), np.sqrt([3, 3]))
    # per-feature groups with unit weights = L1
    assert_allclose(GroupL1(0.5, weights=np.ones(6)).prox(x, 1.0), L1(0.5).prox(x, 1.0))
    assert_allclose(GroupL1(0.5, groups=3).value(x),
                    0.5 * np.sqrt(3) * (np.linalg.norm(x[:, :3], axis=1) + np.linalg.norm(x[:, 3:], axis=1)).sum())


def test_block_soft_threshold_kernel():
    rng = np.random.default_rng(7)
    v = rng.standard_normal(5)
    for tau in (0.0, 0.5, 10.0):
        out = K.block_soft_threshold(v, tau, np.empty_like(v))
        assert_allclose(out, block_soft_threshold(v, tau), rtol=1e-14)
        w = v.copy()
        K.block_soft_threshold(w, tau, w)  # in place
        assert_allclose(w, out)


@pytest.mark.parametrize("mode", ["absolute", "signed"])
@pytest.mark.parametrize("k", [0, 1, 2, 4, 7])
def test_topk_optimal_and_idempotent(k, mode):
    rng = np.random.default_rng(8)
    pen = TopK(k=k, mode=mode)
    X = rng.standard_normal((10, 6))
    Z = pen.prox(X, 1.0)
    assert_array_equal(pen.prox(Z, 1.0), Z)
    assert pen.value(Z) == 0.0
    for x, z in zip(X, Z, strict=True):
        kept = x if mode == "absolute" else np.maximum(x, 0)
        best = min(np.sum(np.delete(x, list(S)) ** 2) + np.sum((x[list(S)] - kept[list(S)]) ** 2)
                   for r in range(min(k, 6) + 1) for S in itertools.combinations(range(6), r))
        assert np.sum((z - x) ** 2) <= best + 1e-12
        assert_array_equal(z, K.topk_project(x, k, mode == "absolute"))
        assert np.all(pen.subdiff_distance(z, z - x) <= 1e-12)
    if k < 6:
        assert pen.value(X) == np.inf
    with pytest.raises(NotImplementedError):
        pen.threshold(1.0)


# --------------------------------------------------------------------------- (f) sklearn protocol
@pytest.mark.parametrize("pen", ALL, ids=_id)
def test_clone_pickle_params(pen):
    params = pen.get_params()
    cl = clone(pen)
    assert type(cl) is type(pen) and repr(cl) == repr(pen)
    pk = pickle.loads(pickle.dumps(pen))
    assert repr(pk) == repr(pen)
    x = np.linspace(-3, 3, 12).reshape(3, 4)
    assert_allclose(pk.prox(x, 0.7), pen.prox(x, 0.7))
    cl.set_params(**params)
    assert repr(cl.get_params()) == repr(params)
    if "alpha" in params:
        cl.set_params(alpha=2.5)
        assert cl.alpha == 2.5 and pen.alpha == params["alpha"]
    assert isinstance(pen.is_convex, bool) and isinstance(pen.is_separable, bool)


# --------------------------------------------------------------------------- (g) validation
@pytest.mark.parametrize(
    "pen,name,exc",
    [
        (L1(alpha=-1.0), "alpha", ValueError),
        (L1(alpha=np.inf), "alpha", ValueError),
        (L1(alpha=np.nan), "alpha", ValueError),
        (L1(alpha="big"), "alpha", TypeError),
        (ElasticNet(l1_ratio=1.5), "l1_ratio", ValueError),
        (L0(hard_constant="half"), "hard_constant", ValueError),
        (Lq(q=0.0), "q", ValueError),
        (Lq(q=1.0), "q", ValueError),
        (CEL0(atom_norms=-1.0), "atom_norms", ValueError),
        (CEL0(atom_norms=[1.0, -1.0, 1.0, 1.0]), "atom_norms", ValueError),
        (MCP(gamma=0.0), "gamma", ValueError),
        (SCAD(a=2.0), "a", ValueError),
        (GroupL1(groups=0), "groups", ValueError),
        (GroupL1(groups=3), "groups", ValueError),  # does not divide n_features=4 (found at call time)
        (GroupL1(groups=[[0, 1], [1, 2, 3]]), "groups", ValueError),  # overlap (call time)
        (GroupL1(groups=[[0, 1], [2]]), "groups", ValueError),  # does not cover (call time)
        (GroupL1(groups=[0.5, 1.0, 1.0, 2.0]), "groups", ValueError),
        (GroupL1(groups=2, weights=[1.0, -1.0]), "weights", ValueError),
        (GroupL1(groups=2, weights=[1.0, 1.0, 1.0]), "weights", ValueError),  # call time
        (TopK(k=-1), "k", ValueError),
        (TopK(k=1.5), "k", TypeError),
        (TopK(mode="largest"), "mode", ValueError),
    ],
    ids=str,
)
def test_bad_hyper_parameters(pen, name, exc):
    with pytest.raises(exc, match=name):
        pen.prox(np.ones(4), 1.0)
    if not (isinstance(pen, GroupL1) and pen.get_params()["groups"] in (3, [[0, 1], [1, 2, 3]], [[0, 1], [2]])
            or pen.get_params().get("weights") == [1.0, 1.0, 1.0]):
        with pytest.raises(exc, match=name):
            pen.validate()


# --------------------------------------------------------------------------- (h) array API
@pytest.mark.parametrize("pen", ALL, ids=_id)
def test_array_api_strict(pen):
    xps = pytest.importorskip("array_api_strict")
    rng = np.random.default_rng(9)
    x = rng.standard_normal((3, 4)) * 2
    g = rng.standard_normal((3, 4))
    x[0, 1] = 0.0
    xs, gs = xps.asarray(x), xps.asarray(g)
    z = pen.prox(xs, 0.8)
    assert isinstance(z, type(xs))
    assert_allclose(np.asarray(z), pen.prox(x, 0.8), rtol=1e-12, atol=1e-14)
    d = pen.subdiff_distance(xs, gs)
    assert isinstance(d, type(xs))
    assert_allclose(np.asarray(d), pen.subdiff_distance(x, g), rtol=1e-12, atol=1e-14)
    assert_allclose(float(pen.value(z)), pen.value(np.asarray(z)), rtol=1e-12)


@pytest.mark.parametrize("pen", ALL, ids=_id)
def test_float32_kept(pen):
    x = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    assert pen.prox(x, 0.8).dtype == np.float32
    assert pen.subdiff_distance(x, x).dtype == np.float32


# --------------------------------------------------------------------------- (i) jumps and continuity
def test_jumps_of_hard_and_half():
    for tau, constant, thr in ((0.5, "prox", 1.0), (0.25, "sqrt", 0.5)):
        assert hard_threshold(thr, tau, constant=constant) == 0.0
        assert hard_threshold(thr * (1 + 1e-9), tau, constant=constant) == pytest.approx(thr)
    t = 2.0
    thr = 54 ** (1 / 3) / 4 * t ** (2 / 3)
    assert half_threshold(thr * (1 - 1e-12), t) == 0.0
    # jump of (2/3) of the threshold, from 0 to the root beta
    assert half_threshold(thr * (1 + 1e-12), t) == pytest.approx(2 / 3 * thr, rel=1e-5)
    assert Lq(1.0, q=2 / 3).prox(np.array([Lq(1.0, q=2 / 3).threshold(1.0) * (1 + 1e-12)]), 1.0)[0] > 0.5


@pytest.mark.parametrize(
    "func,lipschitz",
    [
        (lambda v: soft_threshold(v, 0.8), 1.0),
        (lambda v: cel0_threshold(v, 0.5, 0.4, atom_norms=1.2), 1 / (1 - 0.4 * 1.44)),
        (lambda v: mcp_threshold(v, 0.5, 3.0, 1.0), 1.5),
        (lambda v: scad_threshold(v, 0.5, 3.7, 1.0), 1 / (1 - 1 / 2.7)),
        (lambda v: scad_threshold(v, 0.5, 3.7, 2.0), 1 / (1 - 2 / 2.7)),
    ],
)
def test_continuity(func, lipschitz):
    v = np.linspace(-5, 5, 50_001)
    h = v[1] - v[0]
    assert np.max(np.abs(np.diff(func(v)))) <= lipschitz * h * (1 + 1e-6)


def test_helpers_match_classes():
    x = np.linspace(-4, 4, 81)
    assert_allclose(L1(0.6).prox(x, 2.0), soft_threshold(x, 1.2))
    assert_allclose(MCP(0.6, 2.0).prox(x, 3.0), mcp_threshold(x, 0.6, 2.0, 3.0))
    assert_allclose(SCAD(0.6, 3.0).prox(x, 3.0), scad_threshold(x, 0.6, 3.0, 3.0))
    assert_allclose(CEL0(0.6, 0.7).prox(x, 3.0), cel0_threshold(x, 0.6, 3.0, 0.7))
    assert_allclose(Lq(0.6, 0.5).prox(x, 1.0), half_threshold(x, 1.2))
    assert_allclose(L0(0.6, "sqrt").prox(x, 2.0), hard_threshold(x, 1.2, "sqrt"))
    # unit-step SCAD equals Fan & Li's rule
    lam, a = 0.6, 3.7
    ax = np.abs(x)
    fan_li = np.where(ax <= 2 * lam, soft_threshold(x, lam),
                      np.where(ax <= a * lam, ((a - 1) * x - np.sign(x) * a * lam) / (a - 2), x))
    assert_allclose(scad_threshold(x, lam, a), fan_li, atol=1e-14)
    # CEL0 = MCP(a sqrt(2 lam), 1 / a^2)
    assert_allclose(CEL0(0.6, 0.7).value(x), MCP(0.7 * np.sqrt(1.2), 1 / 0.49).value(x), rtol=1e-12)
