/* Smoke test of the thumbv7em-none-eabihf staticlib on a Cortex-M7 (QEMU
 * mps2-an500): the bare-metal runtime of exp-rs-ffi — its global allocator
 * forwarding to newlib's malloc/realloc/free (counted here with ld --wrap),
 * over-aligned arena blocks, and the panic handler calling the C hook —
 * plus a zero-allocation evaluation loop checked against C's libm.
 * Exit status 0 only if every check held; the last check is the panic
 * hook, which exits itself (a hook that returned would hang: QEMU runs
 * under a timeout). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bits_sample.h"
#include "exp_rs.h"

void semihost_write(const char *s);
void semihost_exit(int code) __attribute__((noreturn));

static int passed = 0, failed = 0;
static char line[256];

#define CHECK(cond)                                                                \
    do {                                                                           \
        if (cond) {                                                                \
            passed++;                                                              \
        } else {                                                                   \
            failed++;                                                              \
            snprintf(line, sizeof line, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, \
                     #cond);                                                       \
            semihost_write(line);                                                  \
        }                                                                          \
    } while (0)

static size_t allocations = 0, frees = 0, requested = 0;
void *__real_malloc(size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
void *__wrap_malloc(size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);
void *__wrap_malloc(size_t size) {
    allocations++;
    requested += size;
    return __real_malloc(size);
}
void *__wrap_realloc(void *p, size_t size) {
    allocations++;
    return __real_realloc(p, size);
}
void __wrap_free(void *p) {
    if (p) frees++;
    __real_free(p);
}

/* Not in the header: the library is built with `test-panic` for this test. */
exp_rs_status exp_rs_test_panic(void);
uint32_t exp_rs_test_fpu_mismatches(uint32_t n);

static void on_panic(const char *file, size_t file_len, uint32_t line_no) {
    snprintf(line, sizeof line, "panic hook: %.*s:%u\n", (int)file_len, file ? file : "",
             (unsigned)line_no);
    semihost_write(line);
    snprintf(line, sizeof line, "thumb smoke: %d passed, %d failed\n", passed, failed + (file == NULL));
    semihost_write(line);
    semihost_exit(failed == 0 && file != NULL ? 0 : 1);
}

static int near(double got, double want) {
    return fabs(got - want) <= 1e-12 * (fabs(want) > 1 ? fabs(want) : 1);
}

static exp_rs_real gain(void *user_data, const exp_rs_real *args, size_t n) {
    (void)n;
    return args[0] * *(const exp_rs_real *)user_data;
}

/* The same-bits sample (bits_sample.h): one line per expression, `bits I
 * HASH`, the FNV-1a hash of the bits of its results at every point. */
static void bits_sample(void) {
    enum { N = sizeof bits_exprs / sizeof bits_exprs[0] };
    ExpRsContext *ctx = exp_rs_context_new();
    size_t size = 0;
    CHECK(exp_rs_arena_estimate(ctx, bits_exprs, N, &size) == EXP_RS_STATUS_OK);
    ExpRsArena *arena = exp_rs_arena_new(size);
    ExpRsBatchBuilder *b = exp_rs_batch_builder_new(arena, ctx);
    for (int i = 0; i < N; i++)
        CHECK(exp_rs_batch_builder_add_expression(b, bits_exprs[i]) == EXP_RS_STATUS_OK);
    uint64_t hash[N], s = BITS_SEED;
    for (int i = 0; i < N; i++) hash[i] = 0xcbf29ce484222325ull;
    exp_rs_real r[N];
    for (int k = 0; k < BITS_SAMPLES; k++) {
        double uv[2];
        for (int j = 0; j < 2; j++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            uv[j] = (double)(s >> 11) * (1.0 / 9007199254740992.0);
        }
        exp_rs_batch_builder_set_param(b, 0, uv[0]);
        exp_rs_batch_builder_set_param(b, 1, uv[1]);
        CHECK(exp_rs_batch_builder_eval(b, ctx) == EXP_RS_STATUS_OK);
        exp_rs_batch_builder_results(b, r, N, NULL);
        for (int i = 0; i < N; i++) {
            uint64_t bits;
            memcpy(&bits, &r[i], sizeof bits);
            for (int byte = 0; byte < 8; byte++) {
                hash[i] ^= (bits >> (8 * byte)) & 0xff;
                hash[i] *= 0x100000001b3ull;
            }
        }
    }
    for (int i = 0; i < N; i++) {
        snprintf(line, sizeof line, "bits %d %08lx%08lx\n", i, (unsigned long)(hash[i] >> 32),
                 (unsigned long)(hash[i] & 0xffffffffu));
        semihost_write(line);
    }
    exp_rs_batch_builder_free(b);
    exp_rs_arena_free(arena);
    exp_rs_context_free(ctx);
}

int main(void) {
    CHECK(exp_rs_real_size() == sizeof(exp_rs_real));

    /* Set-up: allocates through the firmware's malloc. */
    static const exp_rs_real k = 2.5;
    ExpRsContext *ctx = exp_rs_context_new();
    CHECK(ctx != NULL);
    CHECK(exp_rs_context_add_function(ctx, "gain", 1, false, gain, (void *)&k) == EXP_RS_STATUS_OK);
    /* One setter per limit; a step budget bounds each evaluation. */
    CHECK(exp_rs_context_set_limit(ctx, EXP_RS_LIMIT_MAX_STEPS, 100000) == EXP_RS_STATUS_OK);
    CHECK(exp_rs_context_set_limit(ctx, 0, 1) == EXP_RS_STATUS_INVALID_ARGUMENT);
    CHECK(exp_rs_context_add_expression_function(ctx, "hyp(a, b) = sqrt(a^2 + b^2)") ==
          EXP_RS_STATUS_OK);
    const char *exprs[] = {
        "x * sin(y) + z",          "hyp(x, y)", "x > 0 ? log(x + 1) : -log(1 - x)",
        "clamp(gain(x), -5, 5)",   "atan2(y, x)", "max(x, y, z) - min(x, y, z)",
        "x % 3 + cos(z) * exp(-y)",
    };
    size_t size = 0;
    CHECK(exp_rs_arena_estimate(ctx, exprs, 7, &size) == EXP_RS_STATUS_OK);
    ExpRsArena *arena = exp_rs_arena_new(size);
    CHECK(arena != NULL);
    ExpRsBatchBuilder *b = exp_rs_batch_builder_new(arena, ctx);
    for (int i = 0; i < 7; i++)
        CHECK(exp_rs_batch_builder_add_expression(b, exprs[i]) == EXP_RS_STATUS_OK);
    CHECK(allocations > 0);

    /* The loop: no allocation, results as C computes them. */
    size_t before = allocations, freed = frees;
    exp_rs_real r[7];
    int wrong = 0;
    for (int i = 0; i < 2000; i++) {
        double x = 0.01 * i - 7, y = 0.5 + 0.001 * i, z = -3 + 0.002 * i;
        exp_rs_batch_builder_set_param(b, 0, x);
        exp_rs_batch_builder_set_param(b, 1, y);
        exp_rs_batch_builder_set_param(b, 2, z);
        if (exp_rs_batch_builder_eval(b, ctx) != EXP_RS_STATUS_OK) wrong++;
        exp_rs_batch_builder_results(b, r, 7, NULL);
        double g = x * 2.5;
        double want[7] = {
            x * sin(y) + z,
            sqrt(x * x + y * y),
            x > 0 ? log(x + 1) : -log(1 - x),
            g < -5 ? -5 : g > 5 ? 5 : g,
            atan2(y, x),
            fmax(fmax(x, y), z) - fmin(fmin(x, y), z),
            fmod(x, 3) + cos(z) * exp(-y),
        };
        for (int j = 0; j < 7; j++)
            if (!near(r[j], want[j])) wrong++;
    }
    size_t loop_allocations = allocations - before;
    CHECK(wrong == 0);
    CHECK(loop_allocations == 0);
    CHECK(frees == freed);

    /* Errors come back as statuses with a caret message. */
    CHECK(exp_rs_batch_builder_add_expression(b, "x +* 2") == EXP_RS_STATUS_EXPECTED_OPERAND);
    char msg[96];
    CHECK(exp_rs_batch_builder_last_error_message(b, msg, sizeof msg, NULL) == EXP_RS_STATUS_OK);
    semihost_write(msg);
    semihost_write("\n");

    exp_rs_batch_builder_free(b);
    exp_rs_arena_free(arena);

    /* Many arenas and builders: every block, over-aligned or not, goes back
     * to free() (a wrong pointer would corrupt newlib's heap). */
    size_t live_before = allocations - frees;
    for (int i = 0; i < 200; i++) {
        ExpRsArena *a = exp_rs_arena_new(256 + 64 * (size_t)(i % 50));
        ExpRsBatchBuilder *bb = exp_rs_batch_builder_new_with_arena(a);
        exp_rs_batch_builder_add_expression(bb, "a * b + c");
        exp_rs_batch_builder_eval(bb, ctx);
        exp_rs_batch_builder_free(bb);
        exp_rs_arena_free(a);
    }
    CHECK(allocations - frees == live_before);
    exp_rs_context_free(ctx);

    snprintf(line, sizeof line,
             "thumb smoke: arena %u B, set-up allocations %u, loop allocations %u, %u B requested in all\n",
             (unsigned)size, (unsigned)before, (unsigned)loop_allocations,
             (unsigned)requested);
    semihost_write(line);

    /* The FPU's VSQRT and VRINT (feature arm-vsqrt) give libm's bits. */
    CHECK(exp_rs_test_fpu_mismatches(20000) == 0);

    bits_sample();

    /* Last: a panic inside exp-rs reaches the hook, which exits. */
    exp_rs_set_panic_hook(on_panic);
    exp_rs_test_panic();
    semihost_write("FAILED: the panic returned\n");
    return 1;
}
