/* The demo's formulas: 7 expressions over 10 sensor parameters, the native
 * functions and the expression function they use, and the same formulas
 * written in C to check every result. Edit demo.c to adapt the demo. */
#ifndef DEMO_H
#define DEMO_H

#include <stddef.h>

#include "exp_rs.h"

/* The parameters, in the order they are declared (their indices). */
enum {
    P_T_RAW, /* temperature sensor, ADC counts (1/16 degC, offset) */
    P_AX,    /* accelerometer x, m/s^2 */
    P_AY,    /* accelerometer y, m/s^2 */
    P_AZ,    /* accelerometer z, m/s^2 */
    P_PREV,  /* the low-pass filter's previous output (fed back) */
    P_ALPHA, /* low-pass filter coefficient */
    P_GAIN,  /* pressure controller gain */
    P_SET,   /* pressure set point, bar */
    P_P_RAW, /* pressure sensor, counts of 0.01 bar */
    P_V_RAW, /* supply voltage through a 1:11 divider, 12-bit ADC counts */
    N_PARAMS
};

/* The expressions, in evaluation order (their indices). */
enum { E_TEMP, E_ACCEL, E_LOWPASS, E_OVERTEMP, E_PRESSURE, E_TILT, E_SUPPLY, N_EXPRS };

extern const char *const demo_param_names[N_PARAMS];
extern const char *const demo_exprs[N_EXPRS];
extern const char *const demo_expr_labels[N_EXPRS];
/* The safe value of each output (the production pattern in main.c). */
extern const exp_rs_real demo_safe_outputs[N_EXPRS];

/* Adds the demo's constants, native functions (with their user data) and
 * expression function to `ctx`. Returns the first failure. */
exp_rs_status demo_context(ExpRsContext *ctx);

/* Fills the 10 parameters with synthetic sensor readings for `tick`
 * (deterministic: ramps, triangles and pseudo-random noise); `prev` is the
 * low-pass filter's last output. */
void demo_sensors(unsigned tick, exp_rs_real prev, exp_rs_real p[N_PARAMS]);

/* The same 7 formulas written in C. */
void demo_reference(const exp_rs_real p[N_PARAMS], exp_rs_real out[N_EXPRS]);

#endif
