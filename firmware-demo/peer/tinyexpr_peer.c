/* The demo's 7 expressions with tinyexpr, on the same Cortex-M7 with the
 * same compiler flags: the embedded anchor for exp-rs's size and speed
 * (issue 14; `cargo xtask size` builds and runs it, tinyexpr.c is fetched
 * from PyPI's `tinex` sdist at that time and never committed).
 *
 * Semihosting arguments: `ticks=N` and `mode=M`, where each tick computes
 * the demo's sensor values (demo_sensors) and then
 *   mode=0  nothing more (the baseline),
 *   mode=1  te_eval of the 7 compiled tinyexpr expressions over bound
 *           variables (the 10 parameters are C variables tinyexpr reads),
 *   mode=2  the 7 formulas written in C (demo_reference),
 *   mode=4  mode 1, then every result checked against mode 2's.
 * The QEMU instruction-counting plugin over two tick counts gives the cost
 * per tick; minus the baseline, the cost of the 7 expressions. In mode 4
 * every tinyexpr result is checked against the C formula (1e-12 relative;
 * `mismatches` must be 0). Built
 * with -DNO_TINYEXPR, the image without tinyexpr: the difference in flash
 * is what tinyexpr costs, newlib functions it pulls in (strtod, …)
 * included. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#ifndef NO_TINYEXPR
#include "tinyexpr.h"
#endif

void semihost_write(const char *s);

static int semihost_call(int op, void *arg) {
    register int r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

/* The number after `key=` in the semihosting command line, or `dflt`. */
static unsigned arg_value(const char *cmdline, const char *key, unsigned dflt) {
    const char *at = strstr(cmdline, key);
    if (!at) return dflt;
    return (unsigned)strtoul(at + strlen(key), NULL, 10);
}

static void out_u(const char *label, unsigned v) {
    char buf[16];
    int i = sizeof buf - 1;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v && i > 0);
    semihost_write(label);
    semihost_write(&buf[i]);
    semihost_write("\n");
}

#ifndef NO_TINYEXPR
/* The demo's native functions, with the same user data. */
struct linear_cal {
    double scale, offset;
};
static const struct linear_cal temp_cal = {0.0625, -4.5};
struct adc_config {
    double vref, full_scale;
};
static const struct adc_config adc1 = {3.3, 4095.0};
static double tcal(void *user, double x) {
    const struct linear_cal *c = user;
    return x * c->scale + c->offset;
}
static double adc(void *user, double x) {
    const struct adc_config *c = user;
    return x / c->full_scale * c->vref;
}

/* tinyexpr has no comparison, no `?:`, no clamp and no expression
 * functions: the benchmark's rewrites (benches/src/cases.rs). */
static const char *const te_sources[N_EXPRS] = {
    "tcal(t_raw)",
    "sqrt(ax*ax + ay*ay + az*az)",
    "prev + alpha * (ax - prev)",
    "(1 + (tcal(t_raw) - t_max) / abs(tcal(t_raw) - t_max)) / 2",
    "(abs(gain * (set - p_raw * 0.01) + 10) - abs(gain * (set - p_raw * 0.01) - 10)) / 2",
    "atan2(ay, az) * deg",
    "adc(v_raw) * 11",
};
#endif

static double p[N_PARAMS];
static double t_max = 40.0, deg = 57.29577951308232;
volatile double sink;

int main(void) {
    char cmdline[128] = {0};
    uint32_t block[2] = {(uint32_t)cmdline, sizeof cmdline - 1};
    if (semihost_call(0x15 /* SYS_GET_CMDLINE */, block) != 0) cmdline[0] = 0;
    unsigned ticks = arg_value(cmdline, "ticks=", 1000);
    unsigned mode = arg_value(cmdline, "mode=", 0);
    double out[N_EXPRS], ref[N_EXPRS], prev = 0.0;
    unsigned mismatches = 0;
#ifndef NO_TINYEXPR
    te_variable vars[] = {
        {"t_raw", &p[P_T_RAW], TE_VARIABLE, 0}, {"ax", &p[P_AX], TE_VARIABLE, 0},
        {"ay", &p[P_AY], TE_VARIABLE, 0},       {"az", &p[P_AZ], TE_VARIABLE, 0},
        {"prev", &p[P_PREV], TE_VARIABLE, 0},   {"alpha", &p[P_ALPHA], TE_VARIABLE, 0},
        {"gain", &p[P_GAIN], TE_VARIABLE, 0},   {"set", &p[P_SET], TE_VARIABLE, 0},
        {"p_raw", &p[P_P_RAW], TE_VARIABLE, 0}, {"v_raw", &p[P_V_RAW], TE_VARIABLE, 0},
        {"t_max", &t_max, TE_VARIABLE, 0},      {"deg", &deg, TE_VARIABLE, 0},
        {"tcal", (const void *)tcal, TE_CLOSURE1 | TE_FLAG_PURE, (void *)&temp_cal},
        {"adc", (const void *)adc, TE_CLOSURE1 | TE_FLAG_PURE, (void *)&adc1},
    };
    te_expr *compiled[N_EXPRS];
    for (int i = 0; i < N_EXPRS; i++) {
        int err = 0;
        compiled[i] = te_compile(te_sources[i], vars, (int)(sizeof vars / sizeof vars[0]), &err);
        if (!compiled[i]) {
            out_u("tinyexpr: compile error at ", (unsigned)err);
            return 1;
        }
    }
#endif
    for (unsigned tick = 0; tick < ticks; tick++) {
        demo_sensors(tick, prev, p);
        if (mode == 1 || mode == 4) {
#ifndef NO_TINYEXPR
            for (int i = 0; i < N_EXPRS; i++) out[i] = te_eval(compiled[i]);
#endif
            if (mode == 4) {
                demo_reference(p, ref);
                for (int i = 0; i < N_EXPRS; i++) {
                    /* The flag's rewrite is 0/0 exactly at the threshold. */
                    if (i == E_OVERTEMP && ref[E_TEMP] == t_max) continue;
                    double d = fabs(out[i] - ref[i]), m = fabs(ref[i]);
                    if (!(d <= 1e-12 * (m > 1 ? m : 1))) mismatches++;
                }
            }
        } else if (mode == 2) {
            demo_reference(p, out);
        } else {
            out[E_LOWPASS] = p[P_AX];
        }
        prev = out[E_LOWPASS];
        sink = prev;
    }
    out_u("ticks: ", ticks);
    out_u("mode: ", mode);
    out_u("mismatches: ", mismatches);
    return mismatches == 0 ? 0 : 1;
}
