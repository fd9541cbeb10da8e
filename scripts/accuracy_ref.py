#!/usr/bin/env python3
"""The accuracy reference of `cargo xtask accuracy` and the `accuracy` job
(issue 16): mpmath at 200 bits.

    python3 scripts/accuracy_ref.py CASES OUT

CASES has one line per evaluation: `name prec x y result`, where prec is
`f64` or `f32` and x, y, result are the hexadecimal bits of f64 values (an
f32 value widened to f64, which is exact; y is 0 for one-argument
functions). For each (name, prec) OUT gets one line:

    name prec count correctly_rounded max_ulp worst_x worst_y worst_result

The error of a result is |result - exact| / ulp(exact), where ulp(v) is the
spacing of the format's numbers in v's binade (2^-1074 or 2^-149 below the
normal range). A result is correctly rounded when the error is at most 1/2.
An infinite result is correct (error 0) when the exact value rounds to it.
"""
import struct
import sys
from multiprocessing import Pool

import mpmath
from mpmath import mp, mpf

mp.prec = 200

FORMATS = {
    # mantissa bits after the point, smallest exponent of ulp, max finite
    "f64": (52, -1074, (2 - mpf(2) ** -52) * mpf(2) ** 1023),
    "f32": (23, -149, (2 - mpf(2) ** -23) * mpf(2) ** 127),
}


def cbrt(x):
    return mpmath.cbrt(x) if x >= 0 else -mpmath.cbrt(-x)


def fmod(x, y):
    """C fmod: x - n y with n = x / y truncated (exact at 200 bits for the
    sampled ratios, below 2^190)."""
    q = x / y
    n = mpmath.floor(q) if q > 0 else mpmath.ceil(q)
    r = x - n * y
    return r if r != 0 else mpf(0)


def power(x, y):
    if x < 0:
        return mpmath.re(mpmath.power(x, y))  # y is an integer here
    return mpmath.power(x, y)


FUNCS = {
    "sqrt": mpmath.sqrt,
    "cbrt": cbrt,
    "exp": mpmath.exp,
    "ln": mpmath.log,
    "log2": lambda x: mpmath.log(x, 2),
    "log10": mpmath.log10,
    "sin": mpmath.sin,
    "cos": mpmath.cos,
    "tan": mpmath.tan,
    "asin": mpmath.asin,
    "acos": mpmath.acos,
    "atan": mpmath.atan,
    "sinh": mpmath.sinh,
    "cosh": mpmath.cosh,
    "tanh": mpmath.tanh,
    "asinh": mpmath.asinh,
    "acosh": mpmath.acosh,
    "atanh": mpmath.atanh,
    "atan2": mpmath.atan2,
    "pow": power,
    "hypot": mpmath.hypot,
    "fmod": fmod,
}


def f64(bits):
    return struct.unpack("<d", struct.pack("<Q", int(bits, 16)))[0]


def ulp_error(result, exact, prec):
    frac, min_exp, max_finite = FORMATS[prec]
    if result != result:
        return mpf("inf")
    if result in (float("inf"), float("-inf")):
        # Correct when exact rounds past the largest finite number.
        half = mpf(2) ** (127 - frac - 1 if prec == "f32" else 1023 - frac - 1)
        ok = abs(exact) >= max_finite + half and (exact > 0) == (result > 0)
        return mpf(0) if ok else mpf("inf")
    if exact == 0:
        return mpf(0) if result == 0 else mpf("inf")
    _, e = mpmath.frexp(exact)  # |exact| in [2^(e-1), 2^e)
    ulp = mpf(2) ** max(e - 1 - frac, min_exp)
    return abs(mpf(result) - exact) / ulp


def check(line):
    name, prec, xs, ys, rs = line.split()
    x, y, r = f64(xs), f64(ys), f64(rs)
    func = FUNCS[name]
    if name in ("atan2", "pow", "hypot", "fmod"):
        exact = func(mpf(x), mpf(y))
    else:
        exact = func(mpf(x))
    if isinstance(exact, mpmath.mpc):
        exact = mpmath.re(exact)
    err = ulp_error(r, exact, prec)
    return name, prec, float(err), xs, ys, rs


def main():
    cases, out = sys.argv[1], sys.argv[2]
    with open(cases) as f:
        lines = [l for l in f if l.strip()]
    stats = {}
    with Pool() as pool:
        for name, prec, err, xs, ys, rs in pool.imap(check, lines, chunksize=256):
            s = stats.setdefault((name, prec), [0, 0, -1.0, "", "", ""])
            s[0] += 1
            if err <= 0.5:
                s[1] += 1
            if err > s[2]:
                s[2:] = [err, xs, ys, rs]
    with open(out, "w") as f:
        for (name, prec), (n, cr, worst, xs, ys, rs) in stats.items():
            f.write(f"{name} {prec} {n} {cr} {worst:.6f} {xs} {ys} {rs}\n")


if __name__ == "__main__":
    main()
