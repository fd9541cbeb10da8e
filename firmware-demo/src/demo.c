/* The demo's formulas. To adapt the demo, change the expressions here, the
 * parameters they use (demo.h), and their C versions in demo_reference(),
 * which main.c checks every result against. */
#include "demo.h"

#include <math.h>
#include <stdint.h>

const char *const demo_param_names[N_PARAMS] = {
    "t_raw", "ax", "ay", "az", "prev", "alpha", "gain", "set", "p_raw", "v_raw",
};

/* The benchmark's firmware set (benches/src/cases.rs), with the sensor
 * calibrations moved into native functions that read their coefficients
 * from user data, the magnitude into an expression function, and two
 * tuning values into constants. */
const char *const demo_exprs[N_EXPRS] = {
    "tcal(t_raw)",                                  /* calibrated temperature, degC */
    "mag3(ax, ay, az)",                             /* acceleration magnitude */
    "prev + alpha * (ax - prev)",                   /* one low-pass filter step */
    "tcal(t_raw) > t_max ? 1 : 0",                  /* over-temperature flag */
    "clamp(gain * (set - p_raw * 0.01), -10, 10)",  /* pressure controller, clamped */
    "atan2(ay, az) * deg",                          /* tilt, degrees */
    "adc(v_raw) * 11",                              /* supply voltage, V */
};

const char *const demo_expr_labels[N_EXPRS] = {
    "temperature degC", "|accel| m/s^2", "low-pass ax", "over-temp flag",
    "controller out",   "tilt deg",      "supply V",
};

/* What each output becomes when its expression fails or gives a
 * non-finite value (NaN from a dead sensor, inf from a division): the value
 * that is safe for what the output drives. Over-temperature reads as "too
 * hot" (shut down), the controller as 0 (no actuation), the rest as 0. */
const exp_rs_real demo_safe_outputs[N_EXPRS] = {0, 0, 0, 1, 0, 0, 0};

/* ---- native functions: C code the expressions call, with user data ---- */

/* A linear sensor calibration, as it would come from EEPROM. */
struct linear_cal {
    exp_rs_real scale;
    exp_rs_real offset;
};
static const struct linear_cal temp_cal = {0.0625, -4.5};

static exp_rs_real tcal(void *user_data, const exp_rs_real *args, size_t n_args) {
    const struct linear_cal *cal = user_data;
    (void)n_args; /* arity 1, checked when the expression is compiled */
    return args[0] * cal->scale + cal->offset;
}

/* ADC counts to volts. */
struct adc_config {
    exp_rs_real vref;
    exp_rs_real full_scale;
};
static const struct adc_config adc1 = {3.3, 4095.0};

static exp_rs_real adc(void *user_data, const exp_rs_real *args, size_t n_args) {
    const struct adc_config *cfg = user_data;
    (void)n_args;
    return args[0] / cfg->full_scale * cfg->vref;
}

exp_rs_status demo_context(ExpRsContext *ctx) {
    exp_rs_status s;
    if ((s = exp_rs_context_set_constant(ctx, "t_max", 40.0))) return s;
    if ((s = exp_rs_context_set_constant(ctx, "deg", 57.29577951308232))) return s;
    if ((s = exp_rs_context_add_function(ctx, "tcal", 1, false, tcal, (void *)&temp_cal))) return s;
    if ((s = exp_rs_context_add_function(ctx, "adc", 1, false, adc, (void *)&adc1))) return s;
    return exp_rs_context_add_expression_function(ctx, "mag3(x, y, z) = sqrt(x*x + y*y + z*z)");
}

void demo_reference(const exp_rs_real p[N_PARAMS], exp_rs_real out[N_EXPRS]) {
    exp_rs_real t = tcal((void *)&temp_cal, &p[P_T_RAW], 1);
    exp_rs_real u = p[P_GAIN] * (p[P_SET] - p[P_P_RAW] * 0.01);
    out[E_TEMP] = t;
    out[E_ACCEL] = sqrt(p[P_AX] * p[P_AX] + p[P_AY] * p[P_AY] + p[P_AZ] * p[P_AZ]);
    out[E_LOWPASS] = p[P_PREV] + p[P_ALPHA] * (p[P_AX] - p[P_PREV]);
    out[E_OVERTEMP] = t > 40.0 ? 1 : 0;
    out[E_PRESSURE] = u < -10 ? -10 : u > 10 ? 10 : u;
    out[E_TILT] = atan2(p[P_AY], p[P_AZ]) * 57.29577951308232;
    out[E_SUPPLY] = adc((void *)&adc1, &p[P_V_RAW], 1) * 11;
}

/* ---- synthetic sensors ---- */

/* A triangle wave from 0 up to `amplitude` and back over `period` ticks. */
static int32_t triangle(unsigned tick, unsigned period, int32_t amplitude) {
    unsigned phase = tick % period, half = period / 2;
    unsigned up = phase < half ? phase : period - phase;
    return (int32_t)((int64_t)up * amplitude / (int64_t)half);
}

/* Uniform noise in [-1, 1), from a linear congruential generator. */
static uint32_t lcg = 12345u;
static exp_rs_real noise(void) {
    lcg = lcg * 1664525u + 1013904223u;
    return (exp_rs_real)(int32_t)lcg / 2147483648.0;
}

void demo_sensors(unsigned tick, exp_rs_real prev, exp_rs_real p[N_PARAMS]) {
    /* 36.1 .. 48.6 degC over 5 s: the over-temperature flag toggles. */
    p[P_T_RAW] = 650 + triangle(tick, 5000, 200);
    /* The board tilts slowly about x; the accelerometer is noisy. */
    p[P_AX] = 0.3 + 0.05 * noise();
    p[P_AY] = -2.0 + 0.001 * triangle(tick, 3000, 4000) + 0.05 * noise();
    p[P_AZ] = 9.6 + 0.05 * noise();
    p[P_PREV] = prev;
    p[P_ALPHA] = 0.1;
    p[P_GAIN] = 2.0;
    /* The set point steps every second; the pressure sweeps 0 .. 15 bar,
     * so the controller saturates at both ends. */
    p[P_SET] = 5.0 + (tick / 1000) % 3;
    p[P_P_RAW] = triangle(tick, 2000, 1500);
    p[P_V_RAW] = 1100 + triangle(tick, 700, 300) + (int32_t)(8 * noise());
}
