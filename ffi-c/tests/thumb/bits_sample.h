/* The fixed sample on which the Cortex-M7 build must compute the host's
 * bits (issue 16): every SPEC math function over its range, as one batch
 * over the parameters u and v, evaluated at BITS_SAMPLES points (u, v) from
 * xorshift64 (BITS_SEED; u, v = the top 53 bits / 2^53). The `ffi-qemu`
 * job runs it in QEMU (smoke.c prints an FNV-1a hash of each expression's
 * result bits) and compares with the host, which reads this list from
 * here (xtask/src/bits.rs); the node tests run the same list. One
 * expression per line, nothing else between the braces. */
#define BITS_SAMPLES 512
#define BITS_SEED 0x9e3779b97f4a7c15ull
static const char *const bits_exprs[] = {
    "exp(1450 * u - 745)",
    "exp(40 * u - 20)",
    "ln(2 ^ (2000 * u - 1000) * (1 + v))",
    "ln(0.5 + 1.5 * u)",
    "log2(2 ^ (200 * u - 100) * (1 + v))",
    "log10(1e-300 + u * 1e3)",
    "pow(20 * u, 60 * v - 30)",
    "pow(-10 * u, floor(40 * v - 20))",
    "pow(1 + (u - 0.5) / 64, 2e5 * v - 1e5)",
    "u ^ 1.5 + v ^ 2.5",
    "sqrt(u * 1e10)",
    "cbrt(2000 * u - 1000)",
    "sin(20 * u - 10)",
    "cos(1e6 * u)",
    "tan(20 * u - 10)",
    "asin(2 * u - 1)",
    "acos(2 * u - 1)",
    "atan(100 * u - 50)",
    "atan2(u - 0.5, v - 0.5)",
    "sinh(40 * u - 20)",
    "cosh(40 * u - 20)",
    "tanh(10 * u - 5)",
    "asinh(1e3 * u - 500)",
    "acosh(1 + 100 * u)",
    "atanh(2 * u - 1)",
    "hypot(u * 1e3, v)",
    "fmod(1000 * u, v * 7 + 0.1)",
    "(1000 * u) % (v * 7 + 0.1)",
    "10 % 7 ^ -2 + u",
};
