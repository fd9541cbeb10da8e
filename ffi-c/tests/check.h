/* A tiny test harness for the C tests: CHECK counts and prints failures,
 * check_summary() prints the last line `C tests: N passed, M failed`. */
#ifndef EXP_RS_CHECK_H
#define EXP_RS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_passed = 0;
static int check_failed = 0;

#define CHECK(cond)                                                                \
    do {                                                                           \
        if (cond) {                                                                \
            check_passed++;                                                        \
        } else {                                                                   \
            check_failed++;                                                        \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond);     \
        }                                                                          \
    } while (0)

/* A status comparison that prints both names when it fails. */
#define CHECK_STATUS(expr, expected)                                               \
    do {                                                                           \
        int got_ = (int)(expr);                                                    \
        int want_ = (int)(expected);                                               \
        if (got_ == want_) {                                                       \
            check_passed++;                                                        \
        } else {                                                                   \
            check_failed++;                                                        \
            fprintf(stderr, "%s:%d: FAILED: %s\n    got %s (%d), want %s (%d)\n",  \
                    __FILE__, __LINE__, #expr, exp_rs_status_name(got_), got_,     \
                    exp_rs_status_name(want_), want_);                             \
        }                                                                          \
    } while (0)

#define CHECK_OK(expr) CHECK_STATUS(expr, EXP_RS_STATUS_OK)

/* Relative tolerance: tight for double, loose for a float build. */
static int near(double got, double want) {
    double tol = sizeof(exp_rs_real) == sizeof(float) ? 1e-5 : 1e-12;
    if (isnan(want)) return isnan(got);
    if (isinf(want)) return got == want;
    return fabs(got - want) <= tol * (fabs(want) > 1.0 ? fabs(want) : 1.0);
}

#define CHECK_NEAR(got, want)                                                      \
    do {                                                                           \
        double g_ = (double)(got), w_ = (double)(want);                            \
        if (near(g_, w_)) {                                                        \
            check_passed++;                                                        \
        } else {                                                                   \
            check_failed++;                                                        \
            fprintf(stderr, "%s:%d: FAILED: %s == %s\n    got %.17g, want %.17g\n", \
                    __FILE__, __LINE__, #got, #want, g_, w_);                      \
        }                                                                          \
    } while (0)

#define CHECK_STR(got, want)                                                       \
    do {                                                                           \
        const char *g_ = (got), *w_ = (want);                                      \
        if (g_ != NULL && strcmp(g_, w_) == 0) {                                   \
            check_passed++;                                                        \
        } else {                                                                   \
            check_failed++;                                                        \
            fprintf(stderr, "%s:%d: FAILED: %s\n    got  \"%s\"\n    want \"%s\"\n", \
                    __FILE__, __LINE__, #got, g_ ? g_ : "(null)", w_);             \
        }                                                                          \
    } while (0)

static int check_summary(void) {
    printf("C tests: %d passed, %d failed\n", check_passed, check_failed);
    return check_failed == 0 ? 0 : 1;
}

#endif
