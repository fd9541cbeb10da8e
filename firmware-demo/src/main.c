/* exp-rs firmware demo: 7 user-configurable expressions over 10 sensor
 * parameters, evaluated at 1000 Hz from a SysTick-driven loop, each result
 * checked against the same formula in C, with no heap allocation after
 * set-up. The report goes out over semihosting or a UART (make OUTPUT=);
 * the exit status (board.c: fw_exit) is 0 only if every check held.
 *
 * Command line (semihosting; QEMU: -semihosting-config ...,arg=WORD):
 *   ticks=N   ticks to run (default 10000: 10 s at 1000 Hz)
 *   evals=K   evaluate the batch K times per tick (default 1); cargo xtask
 *             firmware runs K=1 and K=2 to count the instructions of one
 *             batch evaluation exactly.
 *   exprs=E   put only the first E of the 7 expressions in the batch
 *             (default 7), to count what each expression adds. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "demo.h"
#include "exp_rs.h"
#include "heap.h"
#include "semihost.h"

/* The nesting depth of the expression that shows the stack stays flat:
 * each `1+(` level is two levels of tree height, and the default limit is
 * 256, so 127 is the deepest accepted. (Depth 1 takes the same stack.) */
#define DEEP 127

/* How many of the demo's expressions are in the batch (`exprs=`). */
static size_t n_exprs = N_EXPRS;

/* ---- checks ---- */

static unsigned checks_failed;

static void check(bool ok, const char *what) {
    if (!ok) {
        checks_failed++;
        out_str("CHECK FAILED: ");
        out_str(what);
        out_nl();
    }
}

#define CHECK(cond) check((cond), #cond)

/* A set-up step that must succeed; on failure print why and stop. */
static void must(exp_rs_status s, const char *what, const ExpRsContext *ctx,
                 const ExpRsBatchBuilder *b) {
    if (s == EXP_RS_STATUS_OK) return;
    char msg[160];
    out_str("SETUP FAILED: ");
    out_str(what);
    out_str(": ");
    out_str(exp_rs_status_name(s));
    out_nl();
    msg[0] = '\0';
    if (b)
        exp_rs_batch_builder_last_error_message(b, msg, sizeof msg, NULL);
    else if (ctx)
        exp_rs_context_last_error_message(ctx, msg, sizeof msg, NULL);
    if (msg[0]) {
        out_str(msg);
        out_nl();
    }
    out_str("result: FAIL");
    out_nl();
    fw_exit(1);
}

/* exp-rs calls this if it panics (a bug): report and stop. */
static void on_panic(const char *file, size_t file_len, uint32_t line) {
    out_str("PANIC in exp-rs at ");
    for (size_t i = 0; file && i < file_len; i++) out_char(file[i]);
    out_char(':');
    out_u(line);
    out_nl();
    out_str("result: FAIL (panic)");
    out_nl();
    fw_exit(2);
}

/* ---- the tick ---- */

static volatile uint32_t ticks_pending;

void SysTick_Handler(void) { ticks_pending++; }

/* Sleeps until the next tick; returns how many ticks were missed (a tick
 * that came while the previous one was still being worked on). */
static uint32_t wait_for_tick(void) {
    for (;;) {
        irq_disable();
        uint32_t pending = ticks_pending;
        if (pending) {
            ticks_pending = 0;
            irq_enable();
            return pending - 1;
        }
        wait_for_interrupt(); /* wakes on the pending SysTick, even masked */
        irq_enable();         /* ... which runs here */
    }
}

static void systick_start(void) {
    SYST_RVR = CPU_HZ / TICK_HZ - 1;
    SYST_CVR = 0;
    SCB_SHPR3 = (SCB_SHPR3 & 0x00FFFFFFu) | (0x80u << 24); /* mid priority */
    SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
}

static void systick_stop(void) { SYST_CSR = 0; }

/* ---- the command line ---- */

/* The number after ` key=` in the command line, or `dflt`. (By hand:
 * strstr and strtoul would cost 2 KB of flash.) */
static unsigned long arg_value(const char *cmdline, const char *key, unsigned long dflt) {
    for (const char *p = cmdline; *p; p++) {
        if (p != cmdline && p[-1] != ' ') continue;
        const char *k = key, *q = p;
        while (*k && *q == *k) k++, q++;
        if (*k || *q != '=' || q[1] < '0' || q[1] > '9') continue;
        unsigned long v = 0;
        for (q++; *q >= '0' && *q <= '9'; q++) v = v * 10 + (unsigned long)(*q - '0');
        return v;
    }
    return dflt;
}

/* ---- results ---- */

/* The production pattern: what leaves the controller is never a failed or
 * non-finite result. If the batch evaluation failed (status), or a result
 * is NaN or infinite, the output is that expression's safe value
 * (demo_safe_outputs in demo.c) and the fallback is counted. */
static exp_rs_real safe_output(exp_rs_status s, exp_rs_real v, size_t i, uint32_t *fallbacks) {
    if (s == EXP_RS_STATUS_OK && isfinite(v)) return v;
    (*fallbacks)++;
    return demo_safe_outputs[i];
}

static bool close_enough(double got, double want, double *rel_err) {
    double scale = fabs(want) > 1 ? fabs(want) : 1;
    double err = fabs(got - want) / scale;
    if (err > *rel_err) *rel_err = err;
    /* libm may differ by an ulp; in float, C still computes in double. */
    return err <= (sizeof(exp_rs_real) == 8 ? 1e-12 : 1e-5);
}

static void report_line(const char *key, uint64_t value, const char *unit) {
    out_str("  ");
    out_str(key);
    out_str(": ");
    out_u(value);
    if (unit) {
        out_char(' ');
        out_str(unit);
    }
    out_nl();
}

/* A batch builder in `arena` against `ctx` with the demo's parameters (in
 * their enum order) and expressions; any failure stops with its message. */
static ExpRsBatchBuilder *build_batch(ExpRsArena *arena, const ExpRsContext *ctx) {
    ExpRsBatchBuilder *b = exp_rs_batch_builder_new(arena, ctx);
    CHECK(b != NULL);
    if (!b) fw_exit(1);
    for (size_t i = 0; i < N_PARAMS; i++) {
        size_t index = SIZE_MAX;
        must(exp_rs_batch_builder_add_param(b, demo_param_names[i], 0, &index), "add_param",
             NULL, b);
        CHECK(index == i);
    }
    for (size_t i = 0; i < n_exprs; i++)
        must(exp_rs_batch_builder_add_expression(b, demo_exprs[i]), demo_exprs[i], NULL, b);
    return b;
}

/* Constant stack: parsing and compiling in exp-rs do not recurse, so an
 * expression nested `depth` levels deep, `1+(1+(...(x)...))`, takes the same
 * stack as a flat one. Compiled with a batch builder into a growing scratch
 * arena against `ctx`, evaluated at x = 0.5, everything freed again.
 * Returns the status; writes the value and the arena bytes used. */
static exp_rs_status eval_nested(const ExpRsContext *ctx, size_t depth, exp_rs_real *out,
                                 size_t *arena_used) {
    char *src = malloc(depth * 4 + 2);
    ExpRsArena *arena = exp_rs_arena_new(0);
    ExpRsBatchBuilder *b = exp_rs_batch_builder_new(arena, ctx);
    exp_rs_status s = EXP_RS_STATUS_NULL_POINTER;
    if (src && b) {
        size_t n = 0;
        for (size_t i = 0; i < depth; i++) {
            memcpy(src + n, "1+(", 3);
            n += 3;
        }
        src[n++] = 'x';
        for (size_t i = 0; i < depth; i++) src[n++] = ')';
        src[n] = '\0';
        size_t x;
        if ((s = exp_rs_batch_builder_add_param(b, "x", 0.5, &x)) == EXP_RS_STATUS_OK &&
            (s = exp_rs_batch_builder_add_expression(b, src)) == EXP_RS_STATUS_OK &&
            (s = exp_rs_batch_builder_eval(b, NULL)) == EXP_RS_STATUS_OK)
            s = exp_rs_batch_builder_result(b, 0, out);
        *arena_used = exp_rs_arena_used(arena);
    }
    exp_rs_batch_builder_free(b);
    exp_rs_arena_free(arena);
    free(src);
    return s;
}

/* ---- the heap running dry at set-up ---- */

/* Set-up calls that failed otherwise than cleanly during the sweep. */
static unsigned oom_unclean;

/* A set-up call that may meet the failing allocation: then it reports
 * OUT_OF_MEMORY (ARENA_FULL for a compile) with nothing changed, and the
 * same call again succeeds. */
#define OOM_STEP(call)                                                             \
    do {                                                                           \
        exp_rs_status s_ = (call);                                                 \
        if ((s_ == EXP_RS_STATUS_OUT_OF_MEMORY || s_ == EXP_RS_STATUS_ARENA_FULL) && \
            heap_injected())                                                       \
            s_ = (call);                                                           \
        if (s_ != EXP_RS_STATUS_OK) oom_unclean++;                                 \
    } while (0)

/* The same for a call that returns a handle (NULL when it failed). */
#define OOM_NEW(var, call)                                                         \
    do {                                                                           \
        var = (call);                                                              \
        if (!var && heap_injected()) var = (call);                                 \
        if (!var) oom_unclean++;                                                   \
    } while (0)

/* The whole set-up (context, estimate, fixed arena, batch), evaluated once
 * at fixed inputs into `out`, then freed; the allocation `fail` from the
 * start fails (-1: none), with `persist` every later one too until the
 * retry. Returns whether that allocation was reached. */
static bool oom_setup(long fail, bool persist, exp_rs_real out[N_EXPRS]) {
    heap_fail_at(fail, persist);
    ExpRsContext *c;
    ExpRsArena *a = NULL;
    ExpRsBatchBuilder *bb = NULL;
    size_t size = 0;
    OOM_NEW(c, exp_rs_context_new());
    if (c) {
        OOM_STEP(demo_context(c)); /* again from the start: it replaces */
        OOM_STEP(exp_rs_arena_estimate_params(c, demo_exprs, n_exprs, demo_param_names,
                                              N_PARAMS, &size));
        OOM_NEW(a, exp_rs_arena_new(size));
    }
    if (a) OOM_NEW(bb, exp_rs_batch_builder_new(a, c));
    if (bb) {
        for (size_t i = 0; i < N_PARAMS; i++) {
            size_t index;
            OOM_STEP(exp_rs_batch_builder_add_param(bb, demo_param_names[i],
                                                    (exp_rs_real)(0.25 + 0.5 * i), &index));
        }
        for (size_t i = 0; i < n_exprs; i++)
            OOM_STEP(exp_rs_batch_builder_add_expression(bb, demo_exprs[i]));
        if (exp_rs_batch_builder_eval(bb, NULL) != EXP_RS_STATUS_OK) oom_unclean++;
        for (size_t i = 0; i < n_exprs; i++)
            if (exp_rs_batch_builder_result(bb, i, &out[i]) != EXP_RS_STATUS_OK) oom_unclean++;
    }
    exp_rs_batch_builder_free(bb);
    exp_rs_arena_free(a);
    exp_rs_context_free(c);
    bool reached = !heap_fail_pending();
    heap_fail_at(-1, false);
    return reached;
}

/* Fails each allocation of the set-up in turn, one per run, once with one
 * failing `malloc` and once with the heap full from it on: every failure
 * must be clean, and the results the same bits as without one. Returns the
 * number of runs of one sweep; failures are counted in `oom_unclean`. Not
 * inlined, so its buffers stay out of main's frame (and the loop's stack
 * figure). */
__attribute__((noinline)) static unsigned oom_sweep(void) {
    exp_rs_real want[N_EXPRS] = {0}, got[N_EXPRS];
    oom_setup(-1, false, want);
    unsigned runs[2] = {0, 0};
    for (int persist = 0; persist <= 1; persist++) {
        for (;;) {
            memset(got, 0, sizeof got);
            if (!oom_setup((long)runs[persist], persist, got)) break;
            runs[persist]++;
            if (memcmp(got, want, sizeof got) != 0) oom_unclean++;
        }
    }
    if (runs[0] != runs[1]) oom_unclean++;
    return runs[0];
}

/* ---- the hostile set (SECURITY.md): bad input at start-up ---- */

/* `open` n times, `mid`, then `close` n times, in a heap buffer. */
static char *repeat3(const char *open, size_t n, const char *mid, const char *close) {
    size_t lo = strlen(open), lm = strlen(mid), lc = strlen(close);
    char *s = malloc(n * (lo + lc) + lm + 1);
    if (!s) return NULL;
    char *p = s;
    for (size_t i = 0; i < n; i++, p += lo) memcpy(p, open, lo);
    memcpy(p, mid, lm);
    p += lm;
    for (size_t i = 0; i < n; i++, p += lc) memcpy(p, close, lc);
    *p = '\0';
    return s;
}

/* Evaluates `src` once against `ctx`, prints the status and, for engine
 * errors, the caret message; returns whether the status was `want`. */
static int hostile_case(const ExpRsContext *ctx, const char *label, const char *src,
                        exp_rs_status want) {
    exp_rs_real out = 0;
    exp_rs_error err;
    exp_rs_status s = src ? exp_rs_context_eval(ctx, src, NULL, NULL, 0, &out, &err)
                          : EXP_RS_STATUS_NULL_POINTER;
    out_str("  ");
    out_str(label);
    out_str(": ");
    out_str(exp_rs_status_name(s));
    out_nl();
    if (src && s != EXP_RS_STATUS_OK && s < 100) {
        char msg[400];
        exp_rs_error_render(src, &err, msg, sizeof msg, NULL);
        /* Indent both lines of the caret rendering. */
        out_str("    ");
        for (const char *c = msg; *c; c++) {
            out_char(*c);
            if (*c == '\n') out_str("    ");
        }
        out_nl();
    }
    return s == want;
}

/* Feeds the hostile set through a context of its own: deep nesting of
 * every kind (1,000 levels, inside the 4 KB length limit set here; the
 * depth limit stops them at 256 either way), a long chain, bytes outside the language, invalid
 * UTF-8, input past the length limit, a capped arena, runaway recursion,
 * exponential recursion (stopped by the call budget, then by the step
 * budget).
 * Every one must be a clean error status; returns how many were not. */
static unsigned hostile_set(void) {
    unsigned bad = 0;
    ExpRsContext *hctx = exp_rs_context_new();
    /* 4 KB of source at most, 16 nested calls and 10,000 calls per
     * evaluation: small for a small machine. */
    must(exp_rs_context_set_limit(hctx, EXP_RS_LIMIT_MAX_LEN, 4096), "max_len", hctx, NULL);
    must(exp_rs_context_set_limit(hctx, EXP_RS_LIMIT_MAX_CALLS, 16), "max_calls", hctx, NULL);
    must(exp_rs_context_set_limit(hctx, EXP_RS_LIMIT_MAX_TOTAL_CALLS, 10000), "max_total_calls",
         hctx, NULL);
    must(exp_rs_context_add_expression_function(hctx, "down(n) = down(n - 1) + 1"),
         "down(n)", hctx, NULL);
    must(exp_rs_context_add_expression_function(
             hctx, "twice(n) = n < 1 ? 0 : twice(n - 1) + twice(n - 1)"),
         "twice(n)", hctx, NULL);
    static const struct {
        const char *label, *open, *mid, *close;
        size_t n;
    } deep[] = {
        {"1,000 nested (", "(", "1", ")", 1000},
        {"1,000 prefix -", "-", "1", "", 1000},
        {"1,000 prefix !", "!", "1", "", 1000},
        {"500 nested sin(", "sin(", "1", ")", 500},
        {"1,000 nested a[", "a[", "1", "]", 1000},
        {"1,000-term chain", "1+", "1", "", 1000},
        {"1,000 powers", "2^", "1", "", 1000},
    };
    for (size_t i = 0; i < sizeof deep / sizeof deep[0]; i++) {
        char *src = repeat3(deep[i].open, deep[i].n, deep[i].mid, deep[i].close);
        bad += !hostile_case(hctx, deep[i].label, src, EXP_RS_STATUS_TOO_DEEP);
        free(src);
    }
    char *longsrc = repeat3("1+", 3000, "1", "");
    bad += !hostile_case(hctx, "6 KB of input (limit 4 KB)", longsrc, EXP_RS_STATUS_TOO_LONG);
    free(longsrc);
    bad += !hostile_case(hctx, "a byte outside the language", "x \x01 y", EXP_RS_STATUS_INVALID_CHARACTER);
    bad += !hostile_case(hctx, "invalid UTF-8", "1 + \xff\xfe", EXP_RS_STATUS_INVALID_UTF8);
    bad += !hostile_case(hctx, "unknown name", "2 * nope", EXP_RS_STATUS_UNKNOWN_VARIABLE);
    bad += !hostile_case(hctx, "runaway recursion", "down(1)", EXP_RS_STATUS_RECURSION_LIMIT);
    bad += !hostile_case(hctx, "2^15 calls (budget 10,000)", "twice(14)", EXP_RS_STATUS_RECURSION_LIMIT);
    /* The bound on evaluation time: 10,000 instructions per evaluation. */
    must(exp_rs_context_set_limit(hctx, EXP_RS_LIMIT_MAX_STEPS, 10000), "max_steps", hctx, NULL);
    bad += !hostile_case(hctx, "2^15 calls (10,000 steps)", "twice(14)", EXP_RS_STATUS_STEP_LIMIT);
    /* A capped arena: ARENA_FULL, and the builder stays usable. */
    ExpRsArena *small = exp_rs_arena_new(0);
    ExpRsBatchBuilder *b = exp_rs_batch_builder_new(small, hctx);
    exp_rs_arena_set_limit(small, 64);
    exp_rs_status s = exp_rs_batch_builder_add_expression(b, "x * sin(y) + z");
    out_str("  arena capped at 64 B: ");
    out_str(exp_rs_status_name(s));
    out_nl();
    bad += s != EXP_RS_STATUS_ARENA_FULL;
    exp_rs_batch_builder_free(b);
    exp_rs_arena_free(small);
    exp_rs_context_free(hctx);
    return bad;
}

int main(void) {
    board_init();
    console_init();
    watchdog_start();
    exp_rs_set_panic_hook(on_panic);

    /* The command line comes over semihosting; the UART build (and a board
     * without a debugger) runs the defaults. */
    char cmdline[128] = "";
    if (semihosting_usable() && sh_get_cmdline(cmdline, sizeof cmdline) != 0) cmdline[0] = '\0';
    unsigned long ticks = arg_value(cmdline, "ticks", 10000);
    unsigned long evals = arg_value(cmdline, "evals", 1);
    unsigned long exprs = arg_value(cmdline, "exprs", N_EXPRS);
    n_exprs = exprs < N_EXPRS ? exprs : N_EXPRS;

    out_str("exp-rs firmware demo: board ");
    out_str(BOARD_NAME);
    out_str(", exp-rs ");
    out_str(exp_rs_version());
    out_str(sizeof(exp_rs_real) == 8 ? ", double" : ", float");
    out_str(", ticks=");
    out_u(ticks);
    out_str(" evals=");
    out_u(evals);
    out_str(" exprs=");
    out_u(n_exprs);
    out_str(" output=");
    out_str(OUTPUT_NAME);
#if ARENA_IN_DTCM
    out_str(" arena=dtcm");
#endif
    out_nl();
    if (exp_rs_real_size() != sizeof(exp_rs_real)) {
        /* Library and header disagree on double/float: nothing would work. */
        check(false, "exp_rs_real_size() == sizeof(exp_rs_real) (build with PRECISION=f32 for both)");
        out_str("result: FAIL");
        out_nl();
        fw_exit(1);
    }

    /* ---- set-up: everything that allocates ---- */
    ExpRsContext *ctx = exp_rs_context_new(); /* built-ins: sqrt, atan2, clamp, ... */
    CHECK(ctx != NULL);
    if (!ctx) fw_exit(1);
    must(demo_context(ctx), "context", ctx, NULL);

    /* The estimate covers the expressions and the parameters declared
     * first: an arena of exactly that size holds the batch. */
    size_t arena_size = 0;
    exp_rs_status estimated = exp_rs_arena_estimate_params(ctx, demo_exprs, n_exprs,
                                                           demo_param_names, N_PARAMS, &arena_size);
    if (estimated != EXP_RS_STATUS_OK) {
        /* The estimate says only that some expression failed: compile them
         * one by one into a growing scratch arena for the caret message. */
        build_batch(exp_rs_arena_new(0), ctx);
        must(estimated, "arena estimate", NULL, NULL);
    }
    ExpRsArena *arena = exp_rs_arena_new(arena_size); /* fixed: it never grows */
    CHECK(arena != NULL);
    if (!arena) fw_exit(1);
    ExpRsBatchBuilder *b = build_batch(arena, ctx);
    size_t n_params = 0;
    must(exp_rs_batch_builder_param_count(b, &n_params), "param_count", NULL, b);
    CHECK(n_params == N_PARAMS); /* no expression introduced a name of its own */
    size_t n_added = 0;
    must(exp_rs_batch_builder_expression_count(b, &n_added), "expression_count", NULL, b);
    CHECK(n_added == n_exprs);
    out_str("batch:");
    out_nl();
    for (size_t i = 0; i < n_exprs; i++) {
        out_str("  [");
        out_u(i);
        out_str("] ");
        out_str(demo_exprs[i]);
        out_nl();
    }

    struct heap_stats setup;
    heap_stats(&setup);
    size_t in_use_before = heap_in_use();
    uint32_t stack_setup = stack_high_water();
    stack_paint(); /* the loop's high-water is measured on its own */

#if DEMO_CRASH
    /* make CRASH=1: an undefined instruction after set-up, to test the
     * fault path (report on the output backend, LD3, reset). */
    __asm__ volatile("udf #0");
#endif

    /* ---- the real-time loop: no allocation from here ---- */
    heap_freeze();
    exp_rs_real prev = 0, p[N_PARAMS], r[N_EXPRS] = {0}, want[N_EXPRS], output[N_EXPRS] = {0};
    uint64_t evaluations = 0, checked = 0;
    uint32_t mismatches = 0, eval_errors = 0, missed = 0, overtemp_ticks = 0, fallbacks = 0;
    double max_rel_err = 0;
#if HAVE_DWT
    uint32_t batch_min = UINT32_MAX, batch_max = 0, tick_max = 0;
    uint64_t batch_sum = 0;
#endif
    systick_start();
    for (unsigned long tick = 0; tick < ticks; tick++) {
        missed += wait_for_tick();
        watchdog_kick();
#if HAVE_DWT
        uint32_t t0 = DWT_CYCCNT;
#endif
        demo_sensors((unsigned)tick, prev, p);
        exp_rs_batch_builder_set_params(b, p, N_PARAMS);
        exp_rs_status status = EXP_RS_STATUS_OK;
        for (unsigned long k = 0; k < evals; k++) {
#if HAVE_DWT
            uint32_t c0 = DWT_CYCCNT;
#endif
            if ((status = exp_rs_batch_builder_eval(b, NULL)) != EXP_RS_STATUS_OK) eval_errors++;
#if HAVE_DWT
            uint32_t c = DWT_CYCCNT - c0;
            batch_sum += c;
            if (c < batch_min) batch_min = c;
            if (c > batch_max) batch_max = c;
#endif
            evaluations += n_exprs;
        }
        exp_rs_batch_builder_results(b, r, N_EXPRS, NULL);
        for (size_t i = 0; i < n_exprs; i++) output[i] = safe_output(status, r[i], i, &fallbacks);
        if (n_exprs > E_LOWPASS) prev = output[E_LOWPASS];
        if (n_exprs > E_OVERTEMP) overtemp_ticks += r[E_OVERTEMP] == 1;

        demo_reference(p, want);
        for (size_t i = 0; i < n_exprs; i++) {
            checked++;
            if (!close_enough(r[i], want[i], &max_rel_err)) {
                if (mismatches++ < 5) {
                    out_str("MISMATCH tick ");
                    out_u(tick);
                    out_str(" `");
                    out_str(demo_exprs[i]);
                    out_str("`: exp-rs ");
                    out_fixed(r[i], 9);
                    out_str(", C ");
                    out_fixed(want[i], 9);
                    out_nl();
                }
            }
        }
#if HAVE_DWT
        uint32_t t = DWT_CYCCNT - t0;
        if (t > tick_max) tick_max = t;
#endif
    }
    systick_stop();

    /* ---- what the loop cost ---- */
    struct heap_stats loop;
    heap_stats(&loop);

    /* The production pattern, shown once: a dead temperature sensor (NaN)
     * and a saturated supply reading (inf) on the next tick. The
     * temperature and the supply voltage fall back to their safe values;
     * the flag compares NaN > t_max, which is false, so it stays a finite
     * 0 (write the comparison so that its failure is the safe side). And a
     * malloc after set-up is refused, loudly. */
    out_str("safe fallback (shown once): t_raw = nan, v_raw = inf:");
    p[P_T_RAW] = NAN;
    p[P_V_RAW] = INFINITY;
    exp_rs_batch_builder_set_params(b, p, N_PARAMS);
    exp_rs_status shown_status = exp_rs_batch_builder_eval(b, NULL);
    exp_rs_batch_builder_results(b, r, N_EXPRS, NULL);
    uint32_t shown_fallbacks = 0;
    for (size_t i = 0; i < n_exprs; i++) {
        exp_rs_real v = safe_output(shown_status, r[i], i, &shown_fallbacks);
        if (v == r[i]) continue;
        out_str(" [");
        out_u(i);
        out_str("] ");
        out_fixed(r[i], 3);
        out_str(" -> ");
        out_fixed(v, 3);
    }
    out_nl();
    CHECK(n_exprs <= E_SUPPLY || shown_fallbacks == 2); /* temperature, supply */
    void *late = malloc(16); /* prints MALLOC AFTER SET-UP REFUSED */
    CHECK(late == NULL);
    heap_thaw(); /* only for the extra tests below; a product never thaws */
    size_t in_use_after = heap_in_use();
    uint32_t stack_loop = stack_high_water();
    size_t arena_used = exp_rs_arena_used(arena), arena_cap = exp_rs_arena_capacity(arena);

    /* After the loop (so the figures above are the application's): deep
     * nesting works within the limit and takes no more stack; past the
     * limit it is refused. */
    stack_paint();
    exp_rs_real deep = 0;
    size_t deep_arena = 0, refused_arena = 0;
    exp_rs_status deep_status = eval_nested(ctx, DEEP, &deep, &deep_arena);
    if (deep_status != EXP_RS_STATUS_OK) {
        out_str("nested expression: ");
        out_str(exp_rs_status_name(deep_status));
        out_nl();
    }
    CHECK(deep_status == EXP_RS_STATUS_OK && deep == DEEP + 0.5);
    CHECK(eval_nested(ctx, 300, &deep, &refused_arena) == EXP_RS_STATUS_TOO_DEEP);
    uint32_t stack_deep = stack_high_water();
    /* The hostile set, on the same 8 KB stack. */
    stack_paint();
    out_str("hostile input:");
    out_nl();
    unsigned hostile_failed = hostile_set();
    uint32_t stack_hostile = stack_high_water();
    CHECK(hostile_failed == 0);
    CHECK(stack_hostile < stack_size());
    /* Every allocation of the set-up failing in turn. */
    unsigned oom_runs = oom_sweep();
    CHECK(oom_unclean == 0);
    CHECK(oom_runs >= 50);

    CHECK(evaluations == (uint64_t)ticks * evals * n_exprs);
    CHECK(eval_errors == 0);
    CHECK(mismatches == 0);
    CHECK(missed == 0);
    CHECK(fallbacks == 0);
    CHECK(loop.frozen_allocations == 0);
    CHECK(loop.frozen_frees == 0);
    CHECK(loop.allocations == setup.allocations && loop.reallocs == setup.reallocs);
    CHECK(loop.frees == setup.frees);
    CHECK(in_use_after == in_use_before);
    CHECK(loop.sbrk_used == setup.sbrk_used);
    CHECK(ticks < 4000 || n_exprs <= E_OVERTEMP ||
          (overtemp_ticks > 0 && overtemp_ticks < ticks)); /* the flag toggles */
    CHECK(stack_setup < stack_size() && stack_loop < stack_size() && stack_deep < stack_size());

    out_str("last tick:");
    for (size_t i = 0; i < n_exprs; i++) {
        out_str(i ? ", " : " ");
        out_str(demo_expr_labels[i]);
        out_char(' ');
        out_fixed(output[i], 3);
    }
    out_nl();

    /* ---- tear-down: every byte goes back ---- */
    exp_rs_batch_builder_free(b);
    exp_rs_arena_free(arena);
    exp_rs_context_free(ctx);
    struct heap_stats end;
    heap_stats(&end);
    CHECK(end.live == 0);
    CHECK(end.allocations == end.frees);

    out_str("report:");
    out_nl();
    report_line("ticks run", ticks, "(1000 Hz SysTick)");
    report_line("expressions", n_exprs, NULL);
    report_line("parameters", N_PARAMS, NULL);
    report_line("evaluations", evaluations, NULL);
    report_line("results checked against C", checked, NULL);
    report_line("mismatches", mismatches, NULL);
    out_str("  max relative error: ");
    out_sci(max_rel_err);
    out_nl();
    report_line("missed ticks", missed, NULL);
    report_line("safe fallbacks during loop", fallbacks, NULL);
    report_line("setup allocations", setup.allocations, NULL);
    report_line("setup reallocs", setup.reallocs, NULL);
    report_line("setup frees", setup.frees, NULL);
    report_line("setup bytes requested", setup.bytes, "B");
    report_line("allocations during loop", loop.frozen_allocations, NULL);
    report_line("frees during loop", loop.frozen_frees, NULL);
    report_line("heap in use", in_use_after, "B");
    report_line("heap high-water", loop.sbrk_used, "B");
    report_line("heap peak live", loop.peak_live, "B");
    report_line("heap size", loop.heap_size, "B");
    report_line("arena capacity", arena_cap, "B");
    report_line("arena bytes used", arena_used, "B");
    report_line("stack high-water setup", stack_setup, "B");
    report_line("stack high-water loop", stack_loop, "B");
    report_line("stack high-water nested expression", stack_deep, "B");
    report_line("nesting depth of that expression", DEEP, NULL);
    report_line("arena bytes used by that expression", deep_arena, "B");
    report_line("stack high-water hostile set", stack_hostile, "B");
    report_line("hostile inputs not refused cleanly", hostile_failed, NULL);
    report_line("set-up runs with one allocation failing", oom_runs, NULL);
    report_line("allocation failures not handled cleanly", oom_unclean, NULL);
    report_line("stack size", stack_size(), "B");
    report_line("leaked after teardown", end.live, "B");
#if HAVE_DWT
    report_line("cycles per batch min", batch_min, NULL);
    report_line("cycles per batch avg", batch_sum / (ticks * evals > 0 ? ticks * evals : 1), NULL);
    report_line("cycles per batch max", batch_max, NULL);
    report_line("cycles per tick max", tick_max, NULL);
    report_line("cpu clock", CPU_HZ, "Hz");
#endif
    report_line("checks failed", checks_failed, NULL);
    out_str(checks_failed == 0 ? "result: PASS" : "result: FAIL");
    out_nl();
    return checks_failed == 0 ? 0 : 1;
}
