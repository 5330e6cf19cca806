"""Numba kernels of SPRIGHT: sample positions, bin energies and the peeling decoder.

Plain arrays, no validation. Conventions (see ``_spright.py``):

- ``cols[c, i]`` (n-bit integer) is column ``i`` of the subsampling matrix ``M_c``:
  stage ``c`` samples ``x[M_c l XOR d]`` and bin ``j`` of stage ``c`` holds the
  frequencies ``k`` with ``parity(cols[c, i] & k) == bit i of j`` for every ``i``;
- ``U`` has shape ``(C, B, P)``: ``U[c, j, p] = sum_{k in bin (c, j)} X[k] (-1)^<d_p, k> + noise``;
- design 0 = chains (``R`` chains of ``n + 1`` delays ``r, r^e_0, ..., r^e_{n-1}``;
  identity is one chain with ``r = 0``); design 1 = random delays with a
  maximum-likelihood search over the ``2**(n-b)`` frequencies of the bin.
"""

import numpy as np

from sparsestat.utils._numba import njit

__all__ = ["sample_positions", "gather", "count_unique", "bin_energies", "peel", "evaluate_sparse_wht"]


@njit
def _parity(v):
    v ^= v >> 32
    v ^= v >> 16
    v ^= v >> 8
    v ^= v >> 4
    v ^= v >> 2
    v ^= v >> 1
    return v & 1


@njit
def sample_positions(cols, delays):
    """Positions ``M_c l XOR d_p`` of shape ``(C, P, B)`` (Gray-code walk over ``l``)."""
    C, b = cols.shape
    P = delays.shape[0]
    B = 1 << b
    out = np.empty((C, P, B), dtype=np.int64)
    for c in range(C):
        m = np.empty(B, dtype=np.int64)
        m[0] = 0
        for l in range(1, B):
            # lowest set bit of l tells which column to add to the previous (binary) position
            hi = 0
            while not (l >> hi) & 1:
                hi += 1
            m[l] = m[l & ~(1 << hi)] ^ cols[c, hi]
        for p in range(P):
            d = delays[p]
            for l in range(B):
                out[c, p, l] = m[l] ^ d
    return out


@njit
def gather(signal, positions):
    """``signal[positions]`` for a flat int64 position array."""
    out = np.empty(positions.shape[0], dtype=signal.dtype)
    for i in range(positions.shape[0]):
        out[i] = signal[positions[i]]
    return out


@njit
def _table_find(keys, k):
    mask = keys.shape[0] - 1
    h = ((k * -7046029254386353131) >> 21) & mask  # Fibonacci hashing (wrapping int64 product)
    while keys[h] != -1 and keys[h] != k:
        h = (h + 1) & mask
    return h


@njit
def count_unique(positions):
    """Number of distinct non-negative values in ``positions`` (open-addressing hash set, O(M))."""
    size = 1
    while size < 2 * positions.shape[0]:
        size *= 2
    keys = np.full(size, -1, dtype=np.int64)
    n = 0
    for i in range(positions.shape[0]):
        h = _table_find(keys, positions[i])
        if keys[h] == -1:
            keys[h] = positions[i]
            n += 1
    return n


@njit
def _abs2(z):
    return z.real * z.real + z.imag * z.imag


@njit
def bin_energies(U):
    """Mean energy over delays of each bin: shape ``(C, B)``."""
    C, B, P = U.shape
    out = np.empty((C, B), dtype=np.float64)
    for c in range(C):
        for j in range(B):
            e = 0.0
            for p in range(P):
                e += _abs2(U[c, j, p])
            out[c, j] = e / P
    return out


@njit
def _hash(cols_c, k):
    j = 0
    for i in range(cols_c.shape[0]):
        j |= _parity(cols_c[i] & k) << i
    return j


@njit
def _signature(delays, k, s):
    for p in range(delays.shape[0]):
        s[p] = 1.0 - 2.0 * _parity(delays[p] & k)


@njit
def _locate_chains(u, n_bits, n_chains):
    k = 0
    L = n_bits + 1
    for q in range(n_bits):
        vote = 0.0
        for r in range(n_chains):
            base = r * L
            vote += (u[base + 1 + q] * np.conj(u[base])).real
        if vote < 0.0:
            k |= 1 << q
    return k


@njit
def _locate_ml(u, delays, j, pre_c, null_c, s, flip):
    """argmax_k |s_k . u| over the frequencies of bin j (Gray-code walk over the null space)."""
    P = delays.shape[0]
    k = 0
    for i in range(pre_c.shape[0]):
        if (j >> i) & 1:
            k ^= pre_c[i]
    _signature(delays, k, s)
    nd = null_c.shape[0]
    for t in range(nd):
        for p in range(P):
            flip[t, p] = 1.0 - 2.0 * _parity(delays[p] & null_c[t])
    best_k = k
    best = -1.0
    for g in range(1 << nd):
        if g > 0:
            t = 0
            while not (g >> t) & 1:
                t += 1
            k ^= null_c[t]
            for p in range(P):
                s[p] *= flip[t, p]
        corr = u[0] * 0.0
        for p in range(P):
            corr += s[p] * u[p]
        a = abs(corr)
        if a > best:
            best = a
            best_k = k
    return best_k


@njit
def peel(U, cols, delays, n_bits, design, n_chains, pre, null, thresh, min_energy, max_iter, capacity):
    """Peeling decoder; returns ``(support, values, n_iter, found_last, states)``.

    ``states[c, j]`` is the last classification of bin ``(c, j)``: 0 zero-ton,
    1 single-ton (peeled), 2 multi-ton. ``found_last`` is True when the last
    sweep still decoded something (``max_iter`` reached).
    """
    C, B, P = U.shape
    changed = np.ones((C, B), dtype=np.bool_)
    states = np.zeros((C, B), dtype=np.int8)
    size = 1
    while size < 4 * capacity:
        size *= 2
    keys = np.full(size, -1, dtype=np.int64)
    slot_of = np.empty(size, dtype=np.int64)
    sup = np.empty(capacity, dtype=np.int64)
    val = np.zeros(capacity, dtype=U.dtype)
    n_dec = 0
    s = np.empty(P, dtype=np.float64)
    nd = null.shape[1] if design == 1 else 0
    flip = np.empty((max(nd, 1), P), dtype=np.float64)
    n_iter = 0
    found = False
    for it in range(max_iter):
        n_iter = it + 1
        found = False
        for c in range(C):
            for j in range(B):
                if not changed[c, j]:
                    continue
                changed[c, j] = False
                u = U[c, j]
                e = 0.0
                for p in range(P):
                    e += _abs2(u[p])
                if e / P <= thresh:
                    states[c, j] = 0
                    continue
                if design == 0:
                    k = _locate_chains(u, n_bits, n_chains)
                else:
                    k = _locate_ml(u, delays, j, pre[c], null[c], s, flip)
                if _hash(cols[c], k) != j:
                    states[c, j] = 2
                    continue
                _signature(delays, k, s)
                alpha = u[0] * 0.0
                for p in range(P):
                    alpha += s[p] * u[p]
                alpha /= P
                res = 0.0
                for p in range(P):
                    res += _abs2(u[p] - alpha * s[p])
                if res / P > thresh or P * _abs2(alpha) <= min_energy:
                    states[c, j] = 2
                    continue
                h = _table_find(keys, k)
                if keys[h] == -1:
                    if n_dec == capacity:
                        states[c, j] = 2
                        continue
                    keys[h] = k
                    slot_of[h] = n_dec
                    sup[n_dec] = k
                    n_dec += 1
                val[slot_of[h]] += alpha
                states[c, j] = 1
                found = True
                for c2 in range(C):
                    j2 = _hash(cols[c2], k)
                    for p in range(P):
                        U[c2, j2, p] -= alpha * s[p]
                    changed[c2, j2] = True
        if not found:
            break
    return sup[:n_dec].copy(), val[:n_dec].copy(), n_iter, found, states


@njit
def evaluate_sparse_wht(m, support, values):
    """``sum_t values[t] (-1)^parity(m & support[t])`` for each position ``m``."""
    out = np.empty(m.shape[0], dtype=values.dtype)
    for i in range(m.shape[0]):
        acc = values[0] * 0
        for t in range(support.shape[0]):
            if _parity(m[i] & support[t]):
                acc -= values[t]
            else:
                acc += values[t]
        out[i] = acc
    return out
