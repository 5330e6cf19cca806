"""Dense FWHT: against scipy.linalg.hadamard, sympy, round trips, orderings, dtypes, axes, array API."""

import numpy as np
import pytest
from scipy.linalg import hadamard

from sparsestat.transforms import WalshHadamardTransformer, fwht, ifwht, walsh_permutation
from sparsestat.transforms import _fwht as kernels


def _numpy_butterfly(x):
    x = np.array(x, dtype=np.result_type(x, np.float64))
    N = x.shape[-1]
    h = 1
    while h < N:
        y = x.reshape(*x.shape[:-1], N // (2 * h), 2, h)
        a, b = y[..., 0, :].copy(), y[..., 1, :].copy()
        y[..., 0, :], y[..., 1, :] = a + b, a - b
        h *= 2
    return x


@pytest.mark.parametrize("n", list(range(0, 13)))
def test_matches_hadamard_matrix(n, rng):
    N = 1 << n
    x = rng.standard_normal((3, N))
    np.testing.assert_allclose(fwht(x), x @ hadamard(N, dtype=float).T, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("n", [13, 14, 17, 18, 19])
def test_multi_pass_sizes_match_numpy_butterfly(n, rng):
    # sizes above the in-cache block exercise the panel passes (and several of them at 2**19)
    x = rng.standard_normal((2, 1 << n))
    ref = _numpy_butterfly(x)
    np.testing.assert_allclose(fwht(x), ref, rtol=1e-12, atol=1e-8)
    np.testing.assert_allclose(fwht(x[0]), ref[0], rtol=1e-12, atol=1e-8)  # one long row: parallel kernel
    y = x[0].copy()
    kernels.fwht_row_inplace_parallel(y, 1.0)
    np.testing.assert_allclose(y, ref[0], rtol=1e-12, atol=1e-8)


@pytest.mark.parametrize("norm", ["backward", "ortho", "forward"])
@pytest.mark.parametrize("order", ["natural", "dyadic", "sequency"])
def test_round_trip(norm, order, rng):
    for n in (3, 10, 16):
        x = rng.standard_normal((2, 1 << n))
        np.testing.assert_allclose(ifwht(fwht(x, norm=norm, order=order), norm=norm, order=order), x,
                                   rtol=1e-10, atol=1e-10)


def test_normalisations(rng):
    x = rng.standard_normal(64)
    ref = hadamard(64) @ x
    np.testing.assert_allclose(fwht(x, norm="ortho"), ref / 8)
    np.testing.assert_allclose(fwht(x, norm="forward"), ref / 64)
    np.testing.assert_allclose(np.linalg.norm(fwht(x, norm="ortho")), np.linalg.norm(x))


def test_orderings_against_definitions():
    n = 5
    N = 1 << n
    H = hadamard(N)
    k = np.arange(N)
    rev = np.array([int(format(i, f"0{n}b")[::-1], 2) for i in k])
    np.testing.assert_array_equal(fwht(np.eye(N), axis=0, order="dyadic"), H[rev])
    seq = fwht(np.eye(N), axis=0, order="sequency")
    changes = [(np.diff(np.sign(row)) != 0).sum() for row in seq]
    assert changes == list(range(N))  # row k of the Walsh order has k sign changes
    np.testing.assert_array_equal(walsh_permutation(n, "natural"), k)


def test_sympy_agreement(rng):
    sympy_tr = pytest.importorskip("sympy.discrete.transforms")
    x = rng.integers(-5, 5, size=16)
    np.testing.assert_array_equal(fwht(x), np.array(sympy_tr.fwht(list(x)), dtype=float))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
def test_dtypes_preserved(dtype, rng):
    x = (rng.standard_normal((4, 256)) + (1j * rng.standard_normal((4, 256)) if np.dtype(dtype).kind == "c" else 0))
    x = x.astype(dtype)
    out = fwht(x)
    assert out.dtype == dtype
    tol = 1e-4 if np.dtype(dtype).itemsize <= 8 and dtype != np.float64 else 1e-10
    np.testing.assert_allclose(out, x.astype(np.complex128) @ hadamard(256, dtype=float).T, rtol=tol, atol=tol * 50)
    assert fwht(np.arange(4)).dtype == np.float64


@pytest.mark.parametrize("axis", [0, 1, 2, -2])
def test_any_axis(axis, rng):
    x = rng.standard_normal((8, 4, 16))
    ref = np.moveaxis(_numpy_butterfly(np.moveaxis(x, axis, -1)), -1, axis)
    np.testing.assert_allclose(fwht(x, axis=axis), ref, atol=1e-12)
    assert x.shape == fwht(x, axis=axis).shape


def test_overwrite_x_and_input_untouched(rng):
    x = rng.standard_normal(1024)
    keep = x.copy()
    fwht(x)
    np.testing.assert_array_equal(x, keep)
    out = fwht(x, overwrite_x=True)
    assert np.shares_memory(out, x)


def test_bad_inputs():
    with pytest.raises(ValueError, match="power of two"):
        fwht(np.ones(12))
    with pytest.raises(ValueError, match="norm"):
        fwht(np.ones(4), norm="unitary")
    with pytest.raises(ValueError, match="order"):
        fwht(np.ones(4), order="gray")
    with pytest.raises(ValueError, match="out of bounds"):
        fwht(np.ones(4), axis=2)
    with pytest.raises(TypeError, match="numeric"):
        fwht(np.array(["a", "b"]))


def test_array_api_strict(rng):
    xps = pytest.importorskip("array_api_strict")
    x = rng.standard_normal((3, 32))
    for order in ("natural", "sequency"):
        out = fwht(xps.asarray(x), norm="ortho", order=order)
        assert type(out).__module__.startswith("array_api_strict")
        np.testing.assert_allclose(np.asarray(out), fwht(x, norm="ortho", order=order), atol=1e-12)
        back = ifwht(out, norm="ortho", order=order)
        np.testing.assert_allclose(np.asarray(back), x, atol=1e-12)


@pytest.mark.gpu
def test_cupy_matches_numpy(rng):
    cp = pytest.importorskip("cupy")
    x = rng.standard_normal((4, 1 << 12))
    np.testing.assert_allclose(cp.asnumpy(fwht(cp.asarray(x))), fwht(x), rtol=1e-10)


def test_transformer_pads_and_inverts(rng):
    X = rng.standard_normal((5, 6))
    tr = WalshHadamardTransformer().fit(X)
    Xt = tr.transform(X)
    assert Xt.shape == (5, 8)
    np.testing.assert_allclose(np.linalg.norm(Xt, axis=1), np.linalg.norm(X, axis=1))
    np.testing.assert_allclose(tr.inverse_transform(Xt), X, atol=1e-12)
    with pytest.raises(ValueError, match="power of two"):
        WalshHadamardTransformer(pad=False).fit(X)
