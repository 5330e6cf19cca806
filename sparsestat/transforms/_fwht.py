"""Numba kernels of the dense fast Walsh-Hadamard transform (natural order, unscaled).

Plain arrays in, in-place butterflies, no validation. The transform of a row of
length ``N = 2**n`` is done in a few passes over memory:

1. contiguous blocks of ``_BLOCK`` elements (L1/L2 resident) run every stage with
   ``h < _BLOCK``: the first four stages in registers on 16-element chunks, then
   radix-4 butterflies (two stages per sweep);
2. the remaining stages ``h >= _BLOCK`` act on the columns of the row seen as a
   ``(N / _BLOCK, _BLOCK)`` matrix: a panel of ``_WIDTH`` adjacent columns is
   gathered into a small contiguous buffer (at most ``_MAX_PANEL`` elements, so
   it stays in cache), transformed along its rows, scaled if needed and written
   back. Rows longer than ``_MAX_PANEL / _WIDTH`` need one more such pass per
   factor of ``_MAX_PANEL / _WIDTH``.

Batched rows run in parallel with ``prange`` (one row per task); one long row
runs its blocks and panels in parallel instead.
"""

import numba
import numpy as np

from sparsestat.utils._numba import njit

__all__ = ["fwht_rows_inplace", "fwht_row_inplace_parallel", "stages_inplace"]

_BLOCK = 1 << 12  # elements per in-cache block (32 KiB of float64)
_WIDTH = 16  # adjacent columns per panel (two cache lines of float64)
_MAX_PANEL = 1 << 14  # elements per gathered panel (128 KiB of float64, L2 resident)


@njit
def _base16(x, lo, n):
    """Stages 1, 2, 4, 8 on each 16-element chunk, in registers (two radix-4 sweeps per chunk)."""
    for i in range(lo, lo + n, 16):
        v = x[i : i + 16]
        for g in range(0, 16, 4):
            a = v[g]
            b = v[g + 1]
            c = v[g + 2]
            d = v[g + 3]
            s1 = a + b
            d1 = a - b
            s2 = c + d
            d2 = c - d
            v[g] = s1 + s2
            v[g + 1] = d1 + d2
            v[g + 2] = s1 - s2
            v[g + 3] = d1 - d2
        for t in range(4):
            a = v[t]
            b = v[t + 4]
            c = v[t + 8]
            d = v[t + 12]
            s1 = a + b
            d1 = a - b
            s2 = c + d
            d2 = c - d
            v[t] = s1 + s2
            v[t + 4] = d1 + d2
            v[t + 8] = s1 - s2
            v[t + 12] = d1 - d2


@njit
def stages_inplace(x, lo, n, h):
    """Run butterfly stages ``h, 2h, ..., n/2`` on ``x[lo:lo+n]`` (radix-4, then one radix-2 if odd)."""
    if h == 1 and n >= 16:
        _base16(x, lo, n)
        h = 16
    while 4 * h <= n:
        if h == 1:
            for i in range(lo, lo + n, 4):
                a = x[i]
                b = x[i + 1]
                c = x[i + 2]
                d = x[i + 3]
                s1 = a + b
                d1 = a - b
                s2 = c + d
                d2 = c - d
                x[i] = s1 + s2
                x[i + 1] = d1 + d2
                x[i + 2] = s1 - s2
                x[i + 3] = d1 - d2
        else:
            # slices let LLVM prove the four streams are disjoint and vectorise the inner loop
            for i in range(lo, lo + n, 4 * h):
                xa = x[i : i + h]
                xb = x[i + h : i + 2 * h]
                xc = x[i + 2 * h : i + 3 * h]
                xd = x[i + 3 * h : i + 4 * h]
                for t in range(h):
                    a = xa[t]
                    b = xb[t]
                    c = xc[t]
                    d = xd[t]
                    s1 = a + b
                    d1 = a - b
                    s2 = c + d
                    d2 = c - d
                    xa[t] = s1 + s2
                    xb[t] = d1 + d2
                    xc[t] = s1 - s2
                    xd[t] = d1 - d2
        h *= 4
    if 2 * h <= n:
        for i in range(lo, lo + n, 2 * h):
            xa = x[i : i + h]
            xb = x[i + h : i + 2 * h]
            for t in range(h):
                a = xa[t]
                b = xb[t]
                xa[t] = a + b
                xb[t] = a - b


@njit
def _scale(x, lo, n, scale):
    for i in range(lo, lo + n):
        x[i] *= scale


@njit
def _block_pass(x, lo, length, blk, scale, do_scale):
    stages_inplace(x, lo, blk, 1)
    if do_scale:
        _scale(x, lo, blk, scale)


@njit
def _panel_pass(x, base, span, rows, c0, buf, scale, do_scale):
    """Stages ``span .. span*rows/2`` of the columns ``c0 .. c0+_WIDTH`` of ``x[base:base+span*rows]``."""
    w = _WIDTH
    for r in range(rows):
        src = base + r * span + c0
        dst = r * w
        for t in range(w):
            buf[dst + t] = x[src + t]
    stages_inplace(buf, 0, rows * w, w)
    if do_scale:
        _scale(buf, 0, rows * w, scale)
    for r in range(rows):
        dst = base + r * span + c0
        src = r * w
        for t in range(w):
            x[dst + t] = buf[src + t]


@njit
def _row_serial(x, lo, length, scale, buf):
    """Whole transform of ``x[lo:lo+length]`` on one thread."""
    blk = min(length, _BLOCK)
    span = blk
    last = span >= length
    for b in range(lo, lo + length, blk):
        _block_pass(x, b, length, blk, scale, last)
    max_rows = _MAX_PANEL // _WIDTH
    while span < length:
        rows = min(length // span, max_rows)
        last = span * rows >= length
        for base in range(lo, lo + length, span * rows):
            for c0 in range(0, span, _WIDTH):
                _panel_pass(x, base, span, rows, c0, buf, scale, last)
        span *= rows


@njit(parallel=True)
def fwht_rows_inplace(x, scale):
    """Unscaled-then-``scale`` natural-order FWHT of every row of C-contiguous 2-D ``x``, in place.

    Rows run in parallel (``prange``); each task has its own panel buffer.
    """
    n_rows, length = x.shape
    flat = x.reshape(n_rows * length)
    for r in numba.prange(n_rows):
        buf = np.empty(_MAX_PANEL, dtype=x.dtype)
        _row_serial(flat, r * length, length, scale, buf)


@njit(parallel=True)
def fwht_row_inplace_parallel(x, scale):
    """Natural-order FWHT of one long C-contiguous 1-D ``x`` with blocks and panels in parallel."""
    length = x.shape[0]
    blk = min(length, _BLOCK)
    span = blk
    last = span >= length
    n_blk = length // blk
    for b in numba.prange(n_blk):
        _block_pass(x, b * blk, length, blk, scale, last)
    max_rows = _MAX_PANEL // _WIDTH
    while span < length:
        rows = min(length // span, max_rows)
        last = span * rows >= length
        n_base = length // (span * rows)
        n_cols = span // _WIDTH
        for t in numba.prange(n_base * n_cols):
            buf = np.empty(rows * _WIDTH, dtype=x.dtype)
            base = (t // n_cols) * span * rows
            c0 = (t % n_cols) * _WIDTH
            _panel_pass(x, base, span, rows, c0, buf, scale, last)
        span *= rows
