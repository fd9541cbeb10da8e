#!/usr/bin/env python3
"""Generates core/src/math/tables.rs: the tables and polynomial coefficients
of the engine's own exp, log and pow (issue 16), computed with mpmath.

    python3 scripts/math_tables.py          # rewrites core/src/math/tables.rs
    python3 scripts/math_tables.py --check  # fails when the file is stale

Every number is derived here from its definition; nothing is copied.
Polynomials are near-minimax: a weighted least-squares fit on Chebyshev
nodes (many more nodes than coefficients), then each coefficient rounded
to f64. The script prints each fit's maximum error, measured on a fine grid
with the f64 coefficients.
"""
import struct
import sys
from pathlib import Path

import mpmath
from mpmath import mp, mpf

mp.prec = 256

OUT = Path(__file__).resolve().parent.parent / "core" / "src" / "math" / "tables.rs"

# exp: 2^(j/N) for j in 0..N.
EXP_BITS = 7
EXP_N = 1 << EXP_BITS
# e^r - 1 - r = r^2 (P[0] + ... + P[EXP_POLY_LEN - 1] r^(EXP_POLY_LEN - 1)).
EXP_POLY_LEN = 4
# log: N subintervals of the binade [LOG_OFF, 2 LOG_OFF) of the reduced
# argument z, chosen so that 1.0 sits in the middle of one subinterval.
LOG_BITS = 7
LOG_N = 1 << LOG_BITS
# invc carries at most this many significant bits, so that zhi * invc
# (zhi: 21 bits) is exact and rhi = zhi * invc - 1 fits in 26 bits (rhi *
# rhi exact).
INVC_BITS = 11



def f64(x):
    """mpf -> nearest float (round to nearest even, via mpmath)."""
    return float(mpmath.mpf(x))  # mpmath's float() rounds to nearest


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def from_bits(b):
    return struct.unpack("<d", struct.pack("<Q", b & 0xFFFFFFFFFFFFFFFF))[0]


def hexf(x):
    return float.hex(x)


def split(x, keep):
    """x rounded to nearest to `keep` significant bits (as float)."""
    m, e = mpmath.frexp(mpf(x))
    scale = mpf(2) ** keep
    return f64(mpmath.nint(m * scale) / scale * mpf(2) ** e)


def fit(func, lo, hi, degs, weight=None, nodes=400):
    """Least squares on Chebyshev nodes: coefficients c for the monomials
    `degs` so that sum c_i t^degs[i] ~ func(t) on [lo, hi], with relative
    weight `weight(t)` (error measured as (p - f) / weight)."""
    pts = [
        (lo + hi) / 2 + (hi - lo) / 2 * mpmath.cos(mpmath.pi * (k + mpf(0.5)) / nodes)
        for k in range(nodes)
    ]
    rows, rhs = [], []
    for t in pts:
        w = weight(t) if weight else mpf(1)
        rows.append([t**d / w for d in degs])
        rhs.append(func(t) / w)
    a = mpmath.matrix(rows)
    b = mpmath.matrix(rhs)
    c = mpmath.lu_solve(a.T * a, a.T * b)
    coefs = [f64(c[i]) for i in range(len(degs))]
    # Error of the rounded coefficients on a fine grid.
    worst = mpf(0)
    for k in range(2001):
        t = lo + (hi - lo) * k / 2000
        if t == 0:
            continue
        p = sum(mpf(ci) * t**d for ci, d in zip(coefs, degs))
        w = weight(t) if weight else mpf(1)
        worst = max(worst, abs((p - func(t)) / w))
    return coefs, worst


def log2_of(x):
    return float(mpmath.log(x, 2)) if x > 0 else float("-inf")


def exp_tables():
    # 2^(j/N) = hi · (1 + lo): the bits of hi minus j << (52 - EXP_BITS), so that
    # adding (k*N + j) << (52 - EXP_BITS) to them scales by 2^k.
    sh = 52 - EXP_BITS
    rows = []
    for j in range(EXP_N):
        v = mpf(2) ** (mpf(j) / EXP_N)
        hi = f64(v)
        lo = f64((v - mpf(hi)) / mpf(hi))  # relative: scale · (1 + lo) = 2^(j/N)
        rows.append(((bits(hi) - (j << sh)) & 0xFFFFFFFFFFFFFFFF, lo))
    ln2 = mpmath.log(2)
    step = ln2 / EXP_N
    # ln2/N = C1 + C2, C1 with 35 significant bits so kd * C1 is exact for
    # |kd| < 2^18 and x - kd * C1 is exact.
    c1 = split(step, 35)
    c2 = f64(step - mpf(c1))
    inv = f64(EXP_N / ln2)
    # e^r = 1 + r + r^2 (P[0] + P[1] r + ...), |r| <= ln2 / (2N) plus a
    # little: kd is rounded, and pow folds its tail (up to 2^-15 below 512,
    # 2^-14 on its big path: 2.3 % of ln2 / 2N) into r. The error is weighted by r^2: what counts is the
    # error of e^r.
    rmax = step / 2 * mpf("1.03")
    g = lambda t: (mpmath.exp(t) - 1 - t) / t**2
    coefs, err = fit(g, -rmax, rmax, list(range(EXP_POLY_LEN)), weight=lambda t: 1 / t**2)
    print(f"exp poly: |r| <= {float(rmax):.3e}, abs error {float(err):.3e} "
          f"(2^{log2_of(err):.1f})", file=sys.stderr)
    return rows, c1, c2, inv, coefs


def log_tables():
    one = bits(1.0)
    sh = 52 - LOG_BITS
    # 1.0 is the middle of subinterval i0: its bits are OFF + i0<<sh + 1<<(sh-1).
    target = bits(0.70710678118654752440)
    off = one - (1 << (sh - 1))
    while off > target:
        off -= 1 << sh
    rows = []
    rmax = mpf(0)
    ln2 = mpmath.log(2)
    for i in range(LOG_N):
        a = mpf(from_bits(off + (i << sh)))
        b = mpf(from_bits(off + ((i + 1) << sh)))
        if a <= 1 < b:
            invc = 1.0
        else:
            invc = split(2 / (a + b), INVC_BITS)
        logc = -mpmath.log(mpf(invc))
        # hi on the grid of LN2_HI's last bit (2^-42), so that k * LN2_HI +
        # hi is exact for |k| < 2^10 and needs no error term.
        hi = f64(mpmath.nint(logc * mpf(2) ** 42) / mpf(2) ** 42)
        lo = f64(logc - mpf(hi))
        r = max(abs(a * mpf(invc) - 1), abs(b * mpf(invc) - 1))
        rmax = max(rmax, r)
        rows.append((invc, hi, lo, r))
    for invc, hi, lo, r in rows:
        assert hi == 0.0 or abs(hi) >= float(r), "Fast2Sum t1 + r needs |logc| >= |r|"
    # kd * LN2_HI exact for |kd| < 2^11: LN2_HI has 42 significant bits.
    ln2hi = split(ln2, 42)
    ln2lo = f64(ln2 - mpf(ln2hi))
    # log1p(r) = r - r^2/2 + r^3 (A3 + A4 r + ... ) on |r| <= rmax.
    g = lambda t: (mpmath.log1p(t) - t + t**2 / 2) / t**3
    coefs, err = fit(g, -rmax, rmax, list(range(6)), weight=lambda t: 1 / abs(t) ** 3)
    print(f"log table poly: |r| <= {float(rmax):.4e}, abs error "
          f"{float(err):.3e} (2^{log2_of(err):.1f})", file=sys.stderr)
    return off, rows, ln2hi, ln2lo, coefs


def const_pair(x):
    hi = f64(x)
    lo = f64(x - mpf(hi))
    # hi split in two 26-bit halves for an exact product hi * y (Dekker).
    hh = split(hi, 26)
    hl = hi - hh
    return hi, lo, hh, hl


def rust_f64(x):
    return f"f64::from_bits(0x{bits(x):016x}) /* {repr(x)} */"


def generate():
    exp_rows, c1, c2, inv, pexp = exp_tables()
    off, log_rows, ln2hi, ln2lo, plog = log_tables()
    inv_ln2 = const_pair(1 / mpmath.log(2))
    inv_ln10 = const_pair(1 / mpmath.log(10))
    o = []
    w = o.append
    w("//! Tables and polynomial coefficients of `exp`, `log` and `pow`.")
    w("//!")
    w("//! GENERATED by `scripts/math_tables.py` (mpmath, 256 bits); do not edit.")
    w("//! Run `python3 scripts/math_tables.py` to rewrite it.")
    w("")
    w("#![allow(clippy::unreadable_literal, clippy::excessive_precision)]")
    w("")
    w(f"/// log2 of the number of `exp` table entries.")
    w(f"pub(crate) const EXP_BITS: u32 = {EXP_BITS};")
    w(f"/// N / ln 2.")
    w(f"pub(crate) const EXP_INV_LN2_N: f64 = {rust_f64(inv)};")
    w(f"/// ln 2 / N, high part (35 bits: `kd * EXP_LN2_N_HI` is exact).")
    w(f"pub(crate) const EXP_LN2_N_HI: f64 = {rust_f64(c1)};")
    w(f"/// ln 2 / N, low part.")
    w(f"pub(crate) const EXP_LN2_N_LO: f64 = {rust_f64(c2)};")
    w(f"/// e^r - 1 - r = r^2 (P[0] + P[1] r + ...), |r| <= 1.03 ln 2 / 2N.")
    w(f"pub(crate) const EXP_POLY: [f64; {len(pexp)}] = [")
    for c in pexp:
        w(f"    {rust_f64(c)},")
    w("];")
    w(f"/// 2^(j/N) = hi · (1 + EXP_TABLE[j].1), hi = from_bits(EXP_TABLE[j].0 + (j << (52 - EXP_BITS))).")
    w(f"pub(crate) static EXP_TABLE: [(u64, f64); {EXP_N}] = [")
    for b, lo in exp_rows:
        w(f"    (0x{b:016x}, f64::from_bits(0x{bits(lo):016x})),")
    w("];")
    w("")
    w(f"/// log2 of the number of `log` table entries.")
    w(f"pub(crate) const LOG_BITS: u32 = {LOG_BITS};")
    w(f"/// The bits of the smallest reduced argument z (z in [OFF, 2 OFF)).")
    w(f"pub(crate) const LOG_OFF: u64 = 0x{off:016x};")
    w(f"/// ln 2, high part (42 bits: `k * LOG_LN2_HI` is exact).")
    w(f"pub(crate) const LOG_LN2_HI: f64 = {rust_f64(ln2hi)};")
    w(f"/// ln 2, low part.")
    w(f"pub(crate) const LOG_LN2_LO: f64 = {rust_f64(ln2lo)};")
    w(f"/// log1p(r) - r + r^2/2 = r^3 (A[0] + A[1] r + ...), |r| <= the table's largest r.")
    w(f"pub(crate) const LOG_POLY: [f64; {len(plog)}] = [")
    for c in plog:
        w(f"    {rust_f64(c)},")
    w("];")
    w(f"/// Per subinterval: (1/c with {INVC_BITS} bits, -ln(invc) high (a multiple of 2^-42), low).")
    w(f"pub(crate) static LOG_TABLE: [(f64, f64, f64); {LOG_N}] = [")
    for invc, hi, lo, _ in log_rows:
        w(f"    (f64::from_bits(0x{bits(invc):016x}), f64::from_bits(0x{bits(hi):016x}), "
          f"f64::from_bits(0x{bits(lo):016x})),")
    w("];")
    w("")
    for name, (hi, lo, hh, hl) in [("INV_LN2", inv_ln2), ("INV_LN10", inv_ln10)]:
        what = "1 / ln 2" if name == "INV_LN2" else "1 / ln 10"
        w(f"/// {what}: (high, low, high's upper 26 bits, high's rest).")
        w(f"pub(crate) const {name}: [f64; 4] = [")
        for c in (hi, lo, hh, hl):
            w(f"    {rust_f64(c)},")
        w("];")
    return "\n".join(o) + "\n"


def main():
    text = generate()
    if "--check" in sys.argv:
        if OUT.read_text() != text:
            sys.exit(f"{OUT} is stale: run python3 scripts/math_tables.py")
        return
    OUT.write_text(text)
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
