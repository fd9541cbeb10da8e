/* C tests of the exp-rs C API: every function, NULL arguments, invalid
 * UTF-8, arena exhaustion, lifetimes, the panic boundary, and a counting
 * malloc proving that evaluation allocates nothing.
 *
 * Link with -Wl,--wrap=malloc,--wrap=free,--wrap=realloc,--wrap=calloc,
 * --wrap=posix_memalign,--wrap=aligned_alloc so every allocation of the
 * Rust library (its allocator calls these) is counted here. */
#include "exp_rs.h"

#include <stdint.h>
#include <stdlib.h>

#include "check.h"

/* ---------- counting allocator (via ld --wrap) ---------- */

static size_t allocations = 0;
static size_t deallocations = 0;
/* Bytes asked for, and the largest single request. */
static size_t bytes_requested = 0;
static size_t largest_request = 0;

static void count_request(size_t size) {
    allocations++;
    bytes_requested += size;
    if (size > largest_request) largest_request = size;
}

/* Fault injection (test_out_of_memory): with `fail_at` >= 0, request number
 * `fail_at` from now (0 = the next) fails, as a `malloc` that ran dry does:
 * once, or with `fail_persist` every later one too until took_injection()
 * (a heap that stays full); `injected` records that it happened. */
static long fail_at = -1;
static int fail_persist = 0;
static int failing = 0;
static int injected = 0;

static int fail_now(void) {
    if (failing) return 1;
    if (fail_at < 0) return 0;
    if (fail_at-- > 0) return 0;
    injected = 1;
    failing = fail_persist;
    return 1;
}

void *__real_malloc(size_t size);
void __real_free(void *p);
void *__real_realloc(void *p, size_t size);
void *__real_calloc(size_t n, size_t size);
int __real_posix_memalign(void **p, size_t align, size_t size);
void *__real_aligned_alloc(size_t align, size_t size);

void *__wrap_malloc(size_t size);
void __wrap_free(void *p);
void *__wrap_realloc(void *p, size_t size);
void *__wrap_calloc(size_t n, size_t size);
int __wrap_posix_memalign(void **p, size_t align, size_t size);
void *__wrap_aligned_alloc(size_t align, size_t size);

void *__wrap_malloc(size_t size) {
    count_request(size);
    if (fail_now()) return NULL;
    return __real_malloc(size);
}
void __wrap_free(void *p) {
    if (p) deallocations++;
    __real_free(p);
}
void *__wrap_realloc(void *p, size_t size) {
    count_request(size);
    if (fail_now()) return NULL;
    return __real_realloc(p, size);
}
void *__wrap_calloc(size_t n, size_t size) {
    count_request(n * size);
    if (fail_now()) return NULL;
    return __real_calloc(n, size);
}
int __wrap_posix_memalign(void **p, size_t align, size_t size) {
    count_request(size);
    if (fail_now()) return 12; /* ENOMEM */
    return __real_posix_memalign(p, align, size);
}
void *__wrap_aligned_alloc(size_t align, size_t size) {
    count_request(size);
    if (fail_now()) return NULL;
    return __real_aligned_alloc(align, size);
}

/* Not in the header: built with the library's `test-panic` feature. */
exp_rs_status exp_rs_test_panic(void);

static const char BAD_UTF8[] = {'x', ' ', '+', ' ', (char)0xff, 0};

/* ---------- status ---------- */

static void test_status(void) {
    CHECK_STR(exp_rs_status_message(EXP_RS_STATUS_OK), "success");
    CHECK_STR(exp_rs_status_message(EXP_RS_STATUS_ARENA_FULL), "arena is full");
    CHECK_STR(exp_rs_status_message(EXP_RS_STATUS_NULL_POINTER),
              "a required pointer argument is NULL");
    CHECK_STR(exp_rs_status_message(-1), "unknown status");
    CHECK_STR(exp_rs_status_message(5000), "unknown status");
    CHECK_STR(exp_rs_status_name(EXP_RS_STATUS_UNKNOWN_VARIABLE), "UNKNOWN_VARIABLE");
    CHECK_STR(exp_rs_status_name(EXP_RS_STATUS_INVALID_ARGUMENT), "INVALID_ARGUMENT");
    CHECK_STR(exp_rs_status_name(77), "UNKNOWN");
    /* Stable numbers: the engine's kinds keep theirs. */
    CHECK(EXP_RS_STATUS_OK == 0);
    CHECK(EXP_RS_STATUS_ARENA_FULL == 9);
    CHECK(EXP_RS_STATUS_INDEX_OUT_OF_BOUNDS == 17);
    CHECK(EXP_RS_STATUS_REENTRANT == 21);
    CHECK(EXP_RS_STATUS_STEP_LIMIT == 22);
    CHECK(EXP_RS_STATUS_NOT_DIFFERENTIABLE == 23);
    CHECK_STR(exp_rs_status_name(EXP_RS_STATUS_NOT_DIFFERENTIABLE), "NOT_DIFFERENTIABLE");
    CHECK_STR(exp_rs_status_name(EXP_RS_STATUS_STEP_LIMIT), "STEP_LIMIT");
    CHECK_STR(exp_rs_status_message(EXP_RS_STATUS_STEP_LIMIT), "step limit reached");
    CHECK(EXP_RS_STATUS_NULL_POINTER == 100);
    /* Every number from 0 to 120 has a message and a name. */
    int known = 0;
    for (int s = 0; s <= 120; s++) {
        const char *m = exp_rs_status_message(s);
        const char *n = exp_rs_status_name(s);
        CHECK(m != NULL && n != NULL);
        if (strcmp(n, "UNKNOWN") != 0) known++;
    }
    CHECK(known == 38);
    CHECK(EXP_RS_STATUS_OUT_OF_MEMORY == 112);
    CHECK_STR(exp_rs_status_name(EXP_RS_STATUS_OUT_OF_MEMORY), "OUT_OF_MEMORY");
    CHECK(exp_rs_real_size() == sizeof(exp_rs_real));
    CHECK(exp_rs_version() != NULL && strlen(exp_rs_version()) >= 5);
}

/* ---------- one-shot ---------- */

static void test_eval(void) {
    exp_rs_real out = 0;
    CHECK_OK(exp_rs_eval("2 + 3 * 4", NULL, NULL, 0, &out));
    CHECK_NEAR(out, 14);
    const char *names[] = {"x", "y"};
    exp_rs_real values[] = {3, 4};
    CHECK_OK(exp_rs_eval("hypot(x, y) + pi * 0", names, values, 2, &out));
    CHECK_NEAR(out, 5);
    CHECK_OK(exp_rs_eval("-2^2", NULL, NULL, 0, &out));
    CHECK_NEAR(out, -4);
    CHECK_OK(exp_rs_eval("1/0", NULL, NULL, 0, &out));
    CHECK(isinf(out) && out > 0);

    out = 42;
    CHECK_STATUS(exp_rs_eval("x + 1", NULL, NULL, 0, &out), EXP_RS_STATUS_UNKNOWN_VARIABLE);
    CHECK(out == 42); /* out-pointers are written only on success */
    CHECK_STATUS(exp_rs_eval(NULL, NULL, NULL, 0, &out), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_eval("1", NULL, NULL, 0, NULL), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_eval("x", NULL, values, 1, &out), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_eval("x", names, NULL, 1, &out), EXP_RS_STATUS_NULL_POINTER);
    const char *null_name[] = {NULL};
    CHECK_STATUS(exp_rs_eval("x", null_name, values, 1, &out), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_eval(BAD_UTF8, NULL, NULL, 0, &out), EXP_RS_STATUS_INVALID_UTF8);
    const char *bad_name[] = {BAD_UTF8};
    CHECK_STATUS(exp_rs_eval("1", bad_name, values, 1, &out), EXP_RS_STATUS_INVALID_UTF8);
    const char *dup[] = {"x", "x"};
    CHECK_STATUS(exp_rs_eval("x", dup, values, 2, &out), EXP_RS_STATUS_DUPLICATE_NAME);
    CHECK_STATUS(exp_rs_eval("1 +", NULL, NULL, 0, &out), EXP_RS_STATUS_EXPECTED_OPERAND);
    CHECK_STATUS(exp_rs_eval("nope(1)", NULL, NULL, 0, &out), EXP_RS_STATUS_UNKNOWN_FUNCTION);
    CHECK_STATUS(exp_rs_eval("sin(1, 2)", NULL, NULL, 0, &out), EXP_RS_STATUS_ARITY);
    CHECK_STATUS(exp_rs_eval("1 @ 2", NULL, NULL, 0, &out), EXP_RS_STATUS_INVALID_CHARACTER);

    /* exp_rs_eval_ex: the error with its span, rendered with a caret. */
    exp_rs_error err;
    memset(&err, 0, sizeof err);
    const char *src = "sin(x +* 2)";
    CHECK_STATUS(exp_rs_eval_ex(src, names, values, 1, &out, &err),
                 EXP_RS_STATUS_EXPECTED_OPERAND);
    CHECK(err.status == EXP_RS_STATUS_EXPECTED_OPERAND);
    CHECK(err.span_start == 7 && err.span_end == 8);
    CHECK(err.expression == SIZE_MAX);
    char buf[128];
    size_t needed = 0;
    CHECK_OK(exp_rs_error_render(src, &err, buf, sizeof buf, &needed));
    CHECK_STR(buf, "sin(x +* 2)\n       ^ expected an operand, found `*`");
    CHECK(needed == strlen(buf) + 1);
    /* Truncation: always NUL-terminated, the required size reported. */
    char small[8];
    memset(small, 'Z', sizeof small);
    needed = 0;
    CHECK_STATUS(exp_rs_error_render(src, &err, small, sizeof small, &needed),
                 EXP_RS_STATUS_BUFFER_TOO_SMALL);
    CHECK_STR(small, "sin(x +");
    CHECK(needed == strlen(buf) + 1);
    /* A size query with no buffer. */
    needed = 0;
    CHECK_STATUS(exp_rs_error_render(src, &err, NULL, 0, &needed),
                 EXP_RS_STATUS_BUFFER_TOO_SMALL);
    CHECK(needed == strlen(buf) + 1);
    CHECK_STATUS(exp_rs_error_render(src, &err, NULL, 4, &needed), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_error_render(NULL, &err, buf, sizeof buf, NULL),
                 EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_error_render(src, NULL, buf, sizeof buf, NULL),
                 EXP_RS_STATUS_NULL_POINTER);
    exp_rs_error bogus = err;
    bogus.status = 4242;
    CHECK_STATUS(exp_rs_error_render(src, &bogus, buf, sizeof buf, NULL),
                 EXP_RS_STATUS_INVALID_ARGUMENT);
    /* A C-door status renders as its message. */
    exp_rs_error np = {EXP_RS_STATUS_NULL_POINTER, 0, 0, SIZE_MAX};
    CHECK_OK(exp_rs_error_render("", &np, buf, sizeof buf, NULL));
    CHECK_STR(buf, "a required pointer argument is NULL");
    /* The error out-pointer is not written on success. */
    err.status = 12345;
    CHECK_OK(exp_rs_eval_ex("1", NULL, NULL, 0, &out, &err));
    CHECK(err.status == 12345);
}

/* ---------- arena ---------- */

static void test_arena(void) {
    ExpRsArena *a = exp_rs_arena_new(4096);
    CHECK(a != NULL);
    CHECK(exp_rs_arena_capacity(a) == 4096 - 64); /* a 4,080-byte block */
    CHECK(exp_rs_arena_used(a) == 0);
    CHECK_OK(exp_rs_arena_reset(a));
    CHECK_OK(exp_rs_arena_set_limit(a, 1 << 20));
    CHECK_OK(exp_rs_arena_set_limit(a, SIZE_MAX));
    exp_rs_arena_free(a);

    /* NULL everywhere. */
    exp_rs_arena_free(NULL);
    CHECK_STATUS(exp_rs_arena_reset(NULL), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_arena_set_limit(NULL, 10), EXP_RS_STATUS_NULL_POINTER);
    CHECK(exp_rs_arena_used(NULL) == 0);
    CHECK(exp_rs_arena_capacity(NULL) == 0);

    /* A growable arena. */
    ExpRsArena *g = exp_rs_arena_new(0);
    CHECK(g != NULL);
    CHECK(exp_rs_arena_capacity(g) == 0);
    ExpRsContext *ctx = exp_rs_context_new();
    ExpRsBatchBuilder *b = exp_rs_batch_builder_new(g, ctx);
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "x * sin(y) + z"));
    CHECK(exp_rs_arena_used(g) > 0);
    CHECK(exp_rs_arena_capacity(g) >= exp_rs_arena_used(g));
    /* Reset is refused while a builder uses the arena. */
    CHECK_STATUS(exp_rs_arena_reset(g), EXP_RS_STATUS_ARENA_IN_USE);
    exp_rs_batch_builder_free(b);
    CHECK_OK(exp_rs_arena_reset(g));
    CHECK(exp_rs_arena_used(g) == 0);

    /* An absurd size fails cleanly. */
    CHECK(exp_rs_arena_new(SIZE_MAX / 2) == NULL);

    exp_rs_arena_free(g);
    exp_rs_context_free(ctx);
}

/* ---------- arena exhaustion and the estimate ---------- */

static const char *SEVEN[] = {
    "x * sin(y) + z",
    "sqrt(x^2 + y^2 + z^2)",
    "x > 0 ? log(x + 1) : -log(1 - x)",
    "clamp(x * 10, -5, 5) + cos(y) * z",
    "atan2(y, x) * 180 / pi",
    "max(x, y, z) - min(x, y, z)",
    "hyp(x, y) + x % 3",
};

/* exp_rs_batch_builder_expression_count, checked. */
static size_t count_of(const ExpRsBatchBuilder *b) {
    size_t n = 999;
    CHECK_OK(exp_rs_batch_builder_expression_count(b, &n));
    return n;
}

static void test_exhaustion(void) {
    ExpRsContext *ctx = exp_rs_context_new();
    CHECK_OK(exp_rs_context_add_expression_function(ctx, "hyp(a, b) = sqrt(a^2 + b^2)"));

    /* A fixed arena that is too small: ArenaFull, never an abort. */
    ExpRsArena *tiny = exp_rs_arena_new(64);
    ExpRsBatchBuilder *b = exp_rs_batch_builder_new(tiny, ctx);
    exp_rs_status s = EXP_RS_STATUS_OK;
    int added = 0;
    for (int i = 0; i < 100 && s == EXP_RS_STATUS_OK; i++) {
        s = exp_rs_batch_builder_add_expression(b, SEVEN[i % 7]);
        if (s == EXP_RS_STATUS_OK) added++;
    }
    CHECK_STATUS(s, EXP_RS_STATUS_ARENA_FULL);
    CHECK(added < 100);
    CHECK((int)count_of(b) == added);
    exp_rs_error err;
    CHECK_OK(exp_rs_batch_builder_last_error(b, &err));
    CHECK(err.status == EXP_RS_STATUS_ARENA_FULL);
    CHECK(exp_rs_arena_used(tiny) <= exp_rs_arena_capacity(tiny));
    /* The builder still works for what it holds. */
    CHECK_OK(exp_rs_batch_builder_eval(b, ctx));
    exp_rs_batch_builder_free(b);

    /* The estimate is enough for a fixed arena, and half of it is not. */
    size_t size = 0;
    CHECK_OK(exp_rs_arena_estimate(ctx, SEVEN, 7, &size));
    CHECK(size > 0);
    ExpRsArena *fit = exp_rs_arena_new(size);
    b = exp_rs_batch_builder_new(fit, ctx);
    for (int i = 0; i < 7; i++) CHECK_OK(exp_rs_batch_builder_add_expression(b, SEVEN[i]));
    CHECK(exp_rs_arena_used(fit) <= size);
    exp_rs_batch_builder_free(b);
    exp_rs_arena_free(fit);

    ExpRsArena *half = exp_rs_arena_new(size / 2);
    b = exp_rs_batch_builder_new(half, ctx);
    s = EXP_RS_STATUS_OK;
    for (int i = 0; i < 7 && s == EXP_RS_STATUS_OK; i++)
        s = exp_rs_batch_builder_add_expression(b, SEVEN[i]);
    CHECK_STATUS(s, EXP_RS_STATUS_ARENA_FULL);
    exp_rs_batch_builder_free(b);
    exp_rs_arena_free(half);

    /* A cap on a growable arena. */
    ExpRsArena *capped = exp_rs_arena_new(0);
    CHECK_OK(exp_rs_arena_set_limit(capped, 0));
    b = exp_rs_batch_builder_new(capped, ctx);
    CHECK_STATUS(exp_rs_batch_builder_add_expression(b, "1 + 2"), EXP_RS_STATUS_ARENA_FULL);
    CHECK_OK(exp_rs_arena_set_limit(capped, SIZE_MAX));
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "1 + 2"));
    exp_rs_batch_builder_free(b);
    exp_rs_arena_free(capped);

    /* Estimate: defaults, errors, NULLs. */
    CHECK_OK(exp_rs_arena_estimate(NULL, SEVEN, 6, &size));
    CHECK_STATUS(exp_rs_arena_estimate(NULL, SEVEN, 7, &size), EXP_RS_STATUS_UNKNOWN_FUNCTION);
    CHECK_STATUS(exp_rs_arena_estimate(ctx, NULL, 1, &size), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_arena_estimate(ctx, SEVEN, 1, NULL), EXP_RS_STATUS_NULL_POINTER);
    const char *bad[] = {BAD_UTF8};
    CHECK_STATUS(exp_rs_arena_estimate(ctx, bad, 1, &size), EXP_RS_STATUS_INVALID_UTF8);
    CHECK_OK(exp_rs_arena_estimate(ctx, NULL, 0, &size));

    exp_rs_arena_free(tiny);
    exp_rs_context_free(ctx);
}

/* Every arena size from 0 up to what the set needs, fixed or capped, and
 * bound at creation or later: every outcome is OK or ARENA_FULL, never a
 * panic, a crash or another status. */
static void test_arena_sweep(void) {
    ExpRsContext *ctx = exp_rs_context_new();
    CHECK_OK(exp_rs_context_add_expression_function(ctx, "hyp(a, b) = sqrt(a^2 + b^2)"));
    CHECK_OK(exp_rs_context_add_expression_function(
        ctx, "fact(n) = n <= 1 ? 1 : n * fact(n - 1)"));
    const char *set[] = {SEVEN[0], SEVEN[1], SEVEN[2], SEVEN[3], SEVEN[4], SEVEN[5],
                         "hyp(x, y) + x % 3 + fact(4)"};
    size_t size = 0;
    CHECK_OK(exp_rs_arena_estimate(ctx, set, 7, &size));
    int outcomes[3] = {0, 0, 0}, others = 0;
    for (int mode = 0; mode < 3; mode++) {
        for (size_t cap = 0; cap <= size + 16; cap += 16) {
            ExpRsArena *a = exp_rs_arena_new(mode == 0 ? cap : 0);
            if (mode > 0) exp_rs_arena_set_limit(a, cap);
            ExpRsBatchBuilder *b = mode == 2 ? exp_rs_batch_builder_new_with_arena(a)
                                             : exp_rs_batch_builder_new(a, ctx);
            exp_rs_status s = exp_rs_batch_builder_add_param(b, "x", 1, NULL);
            for (int i = 0; i < 7 && s == EXP_RS_STATUS_OK; i++)
                s = exp_rs_batch_builder_add_expression(b, set[i]);
            if (s == EXP_RS_STATUS_OK) s = exp_rs_batch_builder_eval(b, ctx);
            if (s == EXP_RS_STATUS_OK) outcomes[0]++;
            else if (s == EXP_RS_STATUS_ARENA_FULL) outcomes[1]++;
            else {
                others++;
                fprintf(stderr, "arena sweep: mode %d, cap %zu: %s\n", mode, cap,
                        exp_rs_status_name(s));
            }
            exp_rs_batch_builder_free(b);
            exp_rs_arena_free(a);
        }
    }
    CHECK(others == 0);
    CHECK(outcomes[0] >= 3); /* the estimate (and a bit more) fits in each mode */
    CHECK(outcomes[1] > 100);
    exp_rs_context_free(ctx);
}

/* ---------- arena accounting that holds ---------- */

/* bumpalo's footer at the end of each block: 6 words, rounded to 16. */
#define ARENA_FOOTER (sizeof(void *) == 8 ? 48u : 32u)

/* exp_rs_arena_new(size) asks malloc for one block of at most `size`
 * bytes (its capacity plus the footer) and the small handle. */
static void test_arena_new_bytes(void) {
    const size_t sizes[] = {1000, 4096, 8192, 16 * 1024, 65536, 5000, 100};
    /* The block each size gets (capacity + footer), on every target: the
     * largest of 2^k - 16 (from 496) and multiples of 4 KiB less 16 that
     * fits; none below 496. */
    const size_t blocks[] = {496, 4080, 8176, 16368, 65520, 4080, 0};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t count0 = allocations, bytes0 = bytes_requested;
        largest_request = 0;
        ExpRsArena *a = exp_rs_arena_new(sizes[i]);
        CHECK(a != NULL);
        size_t calls = allocations - count0, bytes = bytes_requested - bytes0;
        size_t handle = blocks[i] ? bytes - largest_request : bytes;
        printf("exp_rs_arena_new(%zu): %zu malloc calls, %zu bytes (block %zu, "
               "capacity %zu, handle %zu)\n",
               sizes[i], calls, bytes, blocks[i] ? largest_request : 0,
               exp_rs_arena_capacity(a), handle);
        CHECK(calls == (blocks[i] ? 2u : 1u));
        if (blocks[i]) {
            CHECK(largest_request == blocks[i]);
            CHECK(largest_request <= sizes[i]);
            CHECK(exp_rs_arena_capacity(a) + ARENA_FOOTER == largest_request);
        } else {
            CHECK(exp_rs_arena_capacity(a) == 0);
        }
        CHECK(handle <= 64);
        CHECK(bytes <= sizes[i] + 64);
        exp_rs_arena_free(a);
    }
}

/* A failed add, whatever the failure, leaves the arena's used bytes and
 * the builder as they were. */
static void test_failed_adds(void) {
    ExpRsContext *ctx = exp_rs_context_new();
    CHECK_OK(exp_rs_context_add_expression_function(
        ctx, "fact(n) = n <= 1 ? 1 : n * fact(n - 1)"));
    ExpRsContext *deep = exp_rs_context_new();
    CHECK_OK(exp_rs_context_add_expression_function(
        deep, "fact(n) = n <= 1 ? 1 : n * fact(n - 1)"));
    /* Value stack for 4,096 nested calls: far more than 16 KB. */
    CHECK_OK(exp_rs_context_set_limit(deep, EXP_RS_LIMIT_MAX_CALLS, 4096));
    ExpRsArena *a = exp_rs_arena_new(16 * 1024);
    ExpRsBatchBuilder *b = exp_rs_batch_builder_new(a, ctx);
    ExpRsBatchBuilder *big = exp_rs_batch_builder_new(a, deep);
    CHECK_OK(exp_rs_batch_builder_add_param(b, "x", 1, NULL));
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "x * sin(y) + 1"));
    size_t used = exp_rs_arena_used(a), count = count_of(b), params = 0;
    CHECK_OK(exp_rs_batch_builder_param_count(b, &params));
    const char *srcs[] = {"fresh * nope(y)", "fresh +* 2", "fact(fresh)"};
    const exp_rs_status want[] = {EXP_RS_STATUS_UNKNOWN_FUNCTION,
                                  EXP_RS_STATUS_EXPECTED_OPERAND,
                                  EXP_RS_STATUS_ARENA_FULL};
    int wrong = 0, moved = 0;
    for (int i = 0; i < 10000; i++) {
        ExpRsBatchBuilder *into = i % 3 == 2 ? big : b;
        wrong += exp_rs_batch_builder_add_expression(into, srcs[i % 3]) != want[i % 3];
        moved += exp_rs_arena_used(a) != used;
    }
    printf("10,000 failing adds into a 16 KB arena: used %zu B before, %zu B after\n",
           used, exp_rs_arena_used(a));
    CHECK(wrong == 0);
    CHECK(moved == 0);
    CHECK(exp_rs_arena_used(a) == used);
    CHECK(count_of(b) == count);
    CHECK(count_of(big) == 0);
    size_t p2 = 0, ix = 0;
    CHECK_OK(exp_rs_batch_builder_param_count(b, &p2));
    CHECK(p2 == params);
    CHECK_STATUS(exp_rs_batch_builder_param_index(b, "fresh", &ix), EXP_RS_STATUS_NOT_FOUND);
    /* A valid add still succeeds, and works. */
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "x + y + fresh"));
    CHECK_OK(exp_rs_batch_builder_param_index(b, "fresh", &ix));
    CHECK(ix == 2);
    CHECK_OK(exp_rs_batch_builder_set_param(b, ix, 5));
    CHECK_OK(exp_rs_batch_builder_eval(b, ctx));
    exp_rs_real r = 0;
    CHECK_OK(exp_rs_batch_builder_result(b, 1, &r));
    CHECK_NEAR(r, 6);
    CHECK(exp_rs_arena_used(a) > used);
    exp_rs_batch_builder_free(big);
    exp_rs_batch_builder_free(b);
    exp_rs_arena_free(a);
    exp_rs_context_free(deep);
    exp_rs_context_free(ctx);
}

/* A limit at or below the current capacity stops growth at once. */
static void test_limit_below_capacity(void) {
    ExpRsContext *ctx = exp_rs_context_new();
    for (int mode = 0; mode < 3; mode++) {
        ExpRsArena *a = exp_rs_arena_new(0);
        ExpRsBatchBuilder *b = exp_rs_batch_builder_new(a, ctx);
        if (mode > 0) CHECK_OK(exp_rs_batch_builder_add_expression(b, "x * sin(y) + z"));
        size_t cap = exp_rs_arena_capacity(a);
        CHECK(mode == 0 || cap > 0);
        /* mode 0: a fresh arena, limit 0; 1: limit 0; 2: capacity - 1. */
        CHECK_OK(exp_rs_arena_set_limit(a, mode == 2 ? cap - 1 : 0));
        int ok = 0, full = 0, failed = 0;
        for (int i = 0; i < 1000; i++) {
            exp_rs_status s = exp_rs_batch_builder_add_expression(b, "x * sin(y) + z");
            if (s == EXP_RS_STATUS_OK) ok += !failed;
            else if (s == EXP_RS_STATUS_ARENA_FULL) full++, failed = 1;
            else failed = 1;
        }
        printf("limit %s on a %zu B arena: %d adds fit, %d ARENA_FULL, capacity now %zu\n",
               mode == 2 ? "capacity - 1" : "0", cap, ok, full, exp_rs_arena_capacity(a));
        CHECK(exp_rs_arena_capacity(a) == cap);
        CHECK(ok + full == 1000); /* only what fitted in the block already held */
        CHECK(full >= 990);
        /* A reset keeps the block and the cap. */
        exp_rs_batch_builder_free(b);
        CHECK_OK(exp_rs_arena_reset(a));
        b = exp_rs_batch_builder_new(a, ctx);
        for (int i = 0; i < 1000; i++) (void)exp_rs_batch_builder_add_expression(b, "x + 1");
        CHECK(exp_rs_arena_capacity(a) <= cap);
        /* Lifting the cap lets it grow again. */
        CHECK_OK(exp_rs_arena_set_limit(a, SIZE_MAX));
        CHECK_OK(exp_rs_batch_builder_add_expression(b, "x * sin(y) + z"));
        exp_rs_batch_builder_free(b);
        exp_rs_arena_free(a);
    }
    exp_rs_context_free(ctx);
}

/* A tiny generator (an LCG), so every run builds the same sets. */
static unsigned long long lcg_state = 12345;
static unsigned next_rand(unsigned n) {
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((lcg_state >> 33) % n);
}

/* Appends a random expression over `np` declared names p<i>_long_name and
 * free names f<i>. */
static void gen_expr(char *buf, size_t len, unsigned np, int depth) {
    size_t at = strlen(buf);
    char *out = buf + at;
    size_t room = len - at;
    unsigned pick = depth > 3 ? next_rand(3) : next_rand(8);
    if (room < 64) pick = 0;
    switch (pick) {
    case 0:
        snprintf(out, room, "%u.5", next_rand(100));
        return;
    case 1:
        if (np) {
            snprintf(out, room, "p%u_long_name", next_rand(np));
            return;
        }
        /* fall through */
    case 2:
        snprintf(out, room, "f%u", next_rand(6));
        return;
    case 3: case 4: {
        static const char *ops[] = {" + ", " - ", " * ", " / ", " ^ ", " < ", " && "};
        strcat(buf, "(");
        gen_expr(buf, len, np, depth + 1);
        strcat(buf, ops[next_rand(7)]);
        gen_expr(buf, len, np, depth + 1);
        strcat(buf, ")");
        return;
    }
    case 5: case 6: {
        static const char *f1[] = {"sin(", "sqrt(", "abs(", "exp(", "-("};
        strcat(buf, f1[next_rand(5)]);
        gen_expr(buf, len, np, depth + 1);
        strcat(buf, ")");
        return;
    }
    default:
        strcat(buf, next_rand(2) ? "max(" : "atan2(");
        gen_expr(buf, len, np, depth + 1);
        strcat(buf, ", ");
        gen_expr(buf, len, np, depth + 1);
        strcat(buf, ")");
        return;
    }
}

/* An arena sized by exp_rs_arena_estimate_params holds the set, whatever
 * the set: a few hundred generated sets of expressions and declared
 * parameters, bound at once or later. */
static void test_estimate_property(void) {
    ExpRsContext *ctx = exp_rs_context_new();
    CHECK_OK(exp_rs_context_add_expression_function(ctx, "hyp(a, b) = sqrt(a^2 + b^2)"));
    enum { SETS = 300, MAX_EXPRS = 8, MAX_PARAMS = 120 };
    static char exprs[MAX_EXPRS][512];
    static char names[MAX_PARAMS][32];
    const char *ep[MAX_EXPRS];
    const char *pp[MAX_PARAMS];
    int failures = 0, not_exact = 0;
    size_t largest = 0;
    for (int set = 0; set < SETS; set++) {
        unsigned ne = 1 + next_rand(MAX_EXPRS);
        unsigned np = set % 4 == 0 ? 0 : next_rand(MAX_PARAMS + 1);
        for (unsigned i = 0; i < np; i++) {
            snprintf(names[i], sizeof names[i], "p%u_long_name", i);
            pp[i] = names[i];
        }
        for (unsigned i = 0; i < ne; i++) {
            exprs[i][0] = 0;
            if (next_rand(4) == 0) strcat(exprs[i], "hyp(f0, f1) + ");
            gen_expr(exprs[i], sizeof exprs[i], np, 0);
            ep[i] = exprs[i];
        }
        size_t size = 0;
        exp_rs_status s = exp_rs_arena_estimate_params(ctx, ep, ne, pp, np, &size);
        if (s != EXP_RS_STATUS_OK) {
            fprintf(stderr, "estimate failed (%s) for set %d: %s\n", exp_rs_status_name(s),
                    set, ep[0]);
            failures++;
            continue;
        }
        if (size > largest) largest = size;
        ExpRsArena *a = exp_rs_arena_new(size);
        not_exact += exp_rs_arena_capacity(a) + ARENA_FOOTER != size;
        /* Bound at once (params first), or later (params after the first
         * expression), alternately. */
        int later = set % 2;
        ExpRsBatchBuilder *b =
            later ? exp_rs_batch_builder_new_with_arena(a) : exp_rs_batch_builder_new(a, ctx);
        for (unsigned i = 0; i < np && !later && s == EXP_RS_STATUS_OK; i++)
            s = exp_rs_batch_builder_add_param(b, pp[i], 1, NULL);
        for (unsigned i = 0; i < ne && s == EXP_RS_STATUS_OK; i++) {
            s = exp_rs_batch_builder_add_expression(b, ep[i]);
            for (unsigned j = 0; i == 0 && later && j < np && s == EXP_RS_STATUS_OK; j++)
                s = exp_rs_batch_builder_add_param(b, pp[j], 1, NULL);
        }
        if (s == EXP_RS_STATUS_OK && later) s = exp_rs_batch_builder_bind(b, ctx);
        if (s != EXP_RS_STATUS_OK) {
            fprintf(stderr,
                    "set %d (%u expressions, %u parameters, %s): %s in %zu B (used %zu)\n",
                    set, ne, np, later ? "bound later" : "bound", exp_rs_status_name(s),
                    size, exp_rs_arena_used(a));
            failures++;
        }
        exp_rs_batch_builder_free(b);
        exp_rs_arena_free(a);
    }
    printf("estimate property: %d sets, %d failed, largest estimate %zu B\n", SETS, failures,
           largest);
    CHECK(failures == 0);
    CHECK(not_exact == 0);
    /* Errors and NULLs. */
    size_t size = 0;
    const char *one[] = {"x + y"};
    const char *bad_name[] = {"1x"};
    CHECK_STATUS(exp_rs_arena_estimate_params(ctx, one, 1, bad_name, 1, &size),
                 EXP_RS_STATUS_INVALID_NAME);
    CHECK_STATUS(exp_rs_arena_estimate_params(ctx, one, 1, NULL, 1, &size),
                 EXP_RS_STATUS_NULL_POINTER);
    CHECK_OK(exp_rs_arena_estimate_params(ctx, one, 1, NULL, 0, &size));
    exp_rs_context_free(ctx);
}

/* Every failing call with a context records its last error. */
static void test_context_last_error(void) {
    ExpRsContext *ctx = exp_rs_context_new();
    exp_rs_error err;
    exp_rs_real out = 0;
    const char *names[] = {"x"};
    exp_rs_real values[] = {1};
    /* Each failure differs from the one before, so a stale record shows. */
    CHECK_STATUS(exp_rs_context_eval(ctx, "x +* 2", names, values, 1, &out, NULL),
                 EXP_RS_STATUS_EXPECTED_OPERAND);
    CHECK_OK(exp_rs_context_last_error(ctx, &err));
    CHECK(err.status == EXP_RS_STATUS_EXPECTED_OPERAND);
    CHECK_STATUS(exp_rs_context_eval(ctx, "x + q", names, values, 1, &out, NULL),
                 EXP_RS_STATUS_UNKNOWN_VARIABLE);
    CHECK_OK(exp_rs_context_last_error(ctx, &err));
    CHECK(err.status == EXP_RS_STATUS_UNKNOWN_VARIABLE);
    const char *bad[] = {"a b"};
    CHECK_STATUS(exp_rs_context_eval(ctx, "x", bad, values, 1, &out, NULL),
                 EXP_RS_STATUS_INVALID_NAME);
    CHECK_OK(exp_rs_context_last_error(ctx, &err));
    CHECK(err.status == EXP_RS_STATUS_INVALID_NAME);
    CHECK_STATUS(exp_rs_context_eval(ctx, "x", names, values, 1, NULL, NULL),
                 EXP_RS_STATUS_NULL_POINTER);
    CHECK_OK(exp_rs_context_last_error(ctx, &err));
    CHECK(err.status == EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_context_eval(ctx, BAD_UTF8, names, values, 1, &out, NULL),
                 EXP_RS_STATUS_INVALID_UTF8);
    CHECK_OK(exp_rs_context_last_error(ctx, &err));
    CHECK(err.status == EXP_RS_STATUS_INVALID_UTF8);
    CHECK_OK(exp_rs_context_set_limit(ctx, EXP_RS_LIMIT_MAX_STEPS, 3));
    CHECK_OK(exp_rs_context_add_expression_function(ctx, "f(n) = n <= 0 ? 0 : f(n - 1)"));
    CHECK_STATUS(exp_rs_context_eval(ctx, "f(100)", NULL, NULL, 0, &out, NULL),
                 EXP_RS_STATUS_STEP_LIMIT);
    CHECK_OK(exp_rs_context_last_error(ctx, &err));
    CHECK(err.status == EXP_RS_STATUS_STEP_LIMIT);
    /* The estimate, too. */
    size_t size = 0;
    const char *unknown[] = {"x + 1", "nope(x)"};
    CHECK_STATUS(exp_rs_arena_estimate(ctx, unknown, 2, &size), EXP_RS_STATUS_UNKNOWN_FUNCTION);
    CHECK_OK(exp_rs_context_last_error(ctx, &err));
    CHECK(err.status == EXP_RS_STATUS_UNKNOWN_FUNCTION && err.expression == 1);
    CHECK_STATUS(exp_rs_arena_estimate(ctx, NULL, 1, &size), EXP_RS_STATUS_NULL_POINTER);
    CHECK_OK(exp_rs_context_last_error(ctx, &err));
    CHECK(err.status == EXP_RS_STATUS_NULL_POINTER);
    const char *bad_src[] = {BAD_UTF8};
    CHECK_STATUS(exp_rs_arena_estimate(ctx, bad_src, 1, &size), EXP_RS_STATUS_INVALID_UTF8);
    CHECK_OK(exp_rs_context_last_error(ctx, &err));
    CHECK(err.status == EXP_RS_STATUS_INVALID_UTF8);
    CHECK_STATUS(exp_rs_arena_estimate_params(ctx, unknown, 1, bad, 1, &size),
                 EXP_RS_STATUS_INVALID_NAME);
    CHECK_OK(exp_rs_context_last_error(ctx, &err));
    CHECK(err.status == EXP_RS_STATUS_INVALID_NAME);
    CHECK_STATUS(exp_rs_arena_estimate(ctx, unknown, 1, NULL), EXP_RS_STATUS_NULL_POINTER);
    CHECK_OK(exp_rs_context_last_error(ctx, &err));
    CHECK(err.status == EXP_RS_STATUS_NULL_POINTER);
    exp_rs_context_free(ctx);
}

/* ---------- context ---------- */

static exp_rs_real scale(void *user_data, const exp_rs_real *args, size_t n) {
    (void)n;
    return args[0] * *(const exp_rs_real *)user_data;
}

static exp_rs_real sum(void *user_data, const exp_rs_real *args, size_t n) {
    int *calls = (int *)user_data;
    (*calls)++;
    exp_rs_real s = 0;
    for (size_t i = 0; i < n; i++) s += args[i];
    return s;
}

static bool safe_div(void *user_data, const exp_rs_real *args, size_t n, exp_rs_real *out) {
    (void)user_data;
    (void)n;
    if (args[1] == 0) return false;
    *out = args[0] / args[1];
    return true;
}

static void test_context(void) {
    ExpRsContext *empty = exp_rs_context_new_empty();
    CHECK(empty != NULL);
    ExpRsContext *ctx = exp_rs_context_new();
    CHECK(ctx != NULL);
    exp_rs_context_free(NULL);

    /* Constants. */
    CHECK_OK(exp_rs_context_set_constant(ctx, "g", 9.81));
    CHECK_STATUS(exp_rs_context_set_constant(NULL, "g", 1), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_context_set_constant(ctx, NULL, 1), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_context_set_constant(ctx, BAD_UTF8, 1), EXP_RS_STATUS_INVALID_UTF8);
    CHECK_STATUS(exp_rs_context_set_constant(ctx, "two words", 1), EXP_RS_STATUS_INVALID_NAME);
    CHECK_STATUS(exp_rs_context_set_constant(ctx, "1x", 1), EXP_RS_STATUS_INVALID_NAME);
    CHECK_STATUS(exp_rs_context_set_constant(ctx, "", 1), EXP_RS_STATUS_INVALID_NAME);
    exp_rs_error err;
    CHECK_OK(exp_rs_context_last_error(ctx, &err));
    CHECK(err.status == EXP_RS_STATUS_INVALID_NAME);
    char msg[128];
    CHECK_OK(exp_rs_context_last_error_message(ctx, msg, sizeof msg, NULL));
    CHECK_STR(msg, "not an identifier");

    /* Native functions, fixed and variadic, with user data. */
    exp_rs_real factor = 3;
    int calls = 0;
    CHECK_OK(exp_rs_context_add_function(ctx, "scale", 1, false, scale, &factor));
    CHECK_OK(exp_rs_context_add_function(ctx, "total", 1, true, sum, &calls));
    CHECK_OK(exp_rs_context_add_fallible_function(ctx, "sdiv", 2, false, safe_div, NULL));
    CHECK_STATUS(exp_rs_context_add_function(ctx, "f", 1, false, NULL, NULL),
                 EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_context_add_fallible_function(ctx, "f", 1, false, NULL, NULL),
                 EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_context_add_function(NULL, "f", 1, false, scale, NULL),
                 EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_context_add_function(ctx, BAD_UTF8, 1, false, scale, NULL),
                 EXP_RS_STATUS_INVALID_UTF8);
    CHECK_STATUS(exp_rs_context_add_function(ctx, "a-b", 1, false, scale, NULL),
                 EXP_RS_STATUS_INVALID_NAME);

    /* Expression functions. */
    CHECK_OK(exp_rs_context_add_expression_function(ctx, "hyp(a, b) = sqrt(a^2 + b^2)"));
    CHECK_OK(exp_rs_context_add_expression_function(
        ctx, "fact(n) = n <= 1 ? 1 : n * fact(n - 1)"));
    CHECK_OK(exp_rs_context_add_expression_function(ctx, "forever(n) = forever(n + 1)"));
    const char *bad_def = "bad(a) = a +* 2";
    CHECK_STATUS(exp_rs_context_add_expression_function(ctx, bad_def),
                 EXP_RS_STATUS_EXPECTED_OPERAND);
    CHECK_OK(exp_rs_context_last_error(ctx, &err));
    CHECK(err.status == EXP_RS_STATUS_EXPECTED_OPERAND);
    CHECK(err.span_start == 12 && err.span_end == 13);
    CHECK_OK(exp_rs_context_last_error_message(ctx, msg, sizeof msg, NULL));
    CHECK_STR(msg, "bad(a) = a +* 2\n            ^ expected an operand, found `*`");
    CHECK_STATUS(exp_rs_context_add_expression_function(ctx, "h(a) = a + zz"),
                 EXP_RS_STATUS_UNKNOWN_VARIABLE);
    CHECK_STATUS(exp_rs_context_add_expression_function(ctx, NULL), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_context_add_expression_function(ctx, BAD_UTF8),
                 EXP_RS_STATUS_INVALID_UTF8);
    CHECK_STATUS(exp_rs_context_add_expression_function(NULL, "f(x) = x"),
                 EXP_RS_STATUS_NULL_POINTER);

    /* Arrays and objects. */
    exp_rs_real lut[] = {0, 10, 20, 30};
    CHECK_OK(exp_rs_context_add_array(ctx, "lut", lut, 4));
    CHECK_OK(exp_rs_context_add_array(ctx, "none", NULL, 0));
    CHECK_STATUS(exp_rs_context_add_array(ctx, "lut2", NULL, 3), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_context_add_array(ctx, NULL, lut, 4), EXP_RS_STATUS_NULL_POINTER);
    const char *fields[] = {"gain", "offset"};
    exp_rs_real fvals[] = {2, 0.5};
    CHECK_OK(exp_rs_context_add_object(ctx, "cal", fields, fvals, 2));
    const char *bad_fields[] = {"gain", "off set"};
    CHECK_STATUS(exp_rs_context_add_object(ctx, "cal2", bad_fields, fvals, 2),
                 EXP_RS_STATUS_INVALID_NAME);
    const char *null_fields[] = {"gain", NULL};
    CHECK_STATUS(exp_rs_context_add_object(ctx, "cal2", null_fields, fvals, 2),
                 EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_context_add_object(ctx, "cal2", NULL, fvals, 2),
                 EXP_RS_STATUS_NULL_POINTER);
    CHECK_OK(exp_rs_context_add_object(ctx, "empty", NULL, NULL, 0));

    /* Remove. */
    CHECK_OK(exp_rs_context_set_constant(ctx, "tmp", 1));
    CHECK_OK(exp_rs_context_remove(ctx, "tmp"));
    CHECK_STATUS(exp_rs_context_remove(ctx, "tmp"), EXP_RS_STATUS_NOT_FOUND);
    CHECK_STATUS(exp_rs_context_remove(ctx, NULL), EXP_RS_STATUS_NULL_POINTER);

    /* All of it, evaluated through a builder. */
    ExpRsArena *arena = exp_rs_arena_new(0);
    ExpRsBatchBuilder *b = exp_rs_batch_builder_new(arena, ctx);
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "scale(x) + g"));         /* 0 */
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "total(1, 2, 3, x)"));    /* 1 */
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "hyp(3, 4) + fact(5)"));  /* 2 */
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "lut[x] + cal.gain"));    /* 3 */
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "sdiv(10, x)"));          /* 4 */
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "pi + e + tau"));         /* 5 */
    CHECK_STATUS(exp_rs_batch_builder_add_expression(b, "total()"), EXP_RS_STATUS_ARITY);
    CHECK_STATUS(exp_rs_batch_builder_add_expression(b, "cal.nope"), EXP_RS_STATUS_UNKNOWN_FIELD);
    CHECK_OK(exp_rs_batch_builder_set_param(b, 0, 2));
    CHECK_OK(exp_rs_batch_builder_eval(b, ctx));
    exp_rs_real r[6];
    size_t written = 0;
    CHECK_OK(exp_rs_batch_builder_results(b, r, 6, &written));
    CHECK(written == 6);
    CHECK_NEAR(r[0], 6 + 9.81);
    CHECK_NEAR(r[1], 8);
    CHECK(calls == 1);
    CHECK_NEAR(r[2], 125);
    CHECK_NEAR(r[3], 22);
    CHECK_NEAR(r[4], 5);
    CHECK_NEAR(r[5], 3.141592653589793 * 3 + 2.718281828459045);

    /* Evaluation errors: the others are still evaluated. */
    CHECK_OK(exp_rs_batch_builder_set_param(b, 0, 0));
    CHECK_STATUS(exp_rs_batch_builder_eval(b, ctx), EXP_RS_STATUS_CALLBACK);
    CHECK_OK(exp_rs_batch_builder_expression_error(b, 4, &err));
    CHECK(err.status == EXP_RS_STATUS_CALLBACK && err.expression == 4);
    CHECK(err.span_start == 0 && err.span_end == 11);
    CHECK_OK(exp_rs_batch_builder_expression_error(b, 0, &err));
    CHECK(err.status == EXP_RS_STATUS_OK);
    exp_rs_real v;
    CHECK_OK(exp_rs_batch_builder_result(b, 4, &v));
    CHECK(isnan(v));
    CHECK_OK(exp_rs_batch_builder_result(b, 0, &v));
    CHECK_NEAR(v, 9.81);
    CHECK_OK(exp_rs_batch_builder_last_error_message(b, msg, sizeof msg, NULL));
    CHECK_STR(msg, "sdiv(10, x)\n^ native function failed");
    CHECK_OK(exp_rs_batch_builder_set_param(b, 0, 7));
    CHECK_STATUS(exp_rs_batch_builder_eval(b, ctx), EXP_RS_STATUS_INDEX_OUT_OF_BOUNDS);
    CHECK_OK(exp_rs_batch_builder_last_error(b, &err));
    CHECK(err.expression == 3);

    /* The context can change while a builder is bound to it: the builder
     * keeps the context as it was when it was bound. */
    CHECK_OK(exp_rs_context_set_constant(ctx, "k", 1));
    CHECK_OK(exp_rs_context_add_function(ctx, "k2", 1, false, scale, NULL));
    CHECK_OK(exp_rs_context_add_expression_function(ctx, "k3(x) = x"));
    CHECK_OK(exp_rs_context_set_limit(ctx, EXP_RS_LIMIT_MAX_DEPTH, 1));
    CHECK_OK(exp_rs_context_add_array(ctx, "k4", lut, 1));
    CHECK_OK(exp_rs_context_add_object(ctx, "k5", fields, fvals, 1));
    CHECK_OK(exp_rs_context_remove(ctx, "k3"));
    CHECK_OK(exp_rs_context_set_limit(ctx, EXP_RS_LIMIT_MAX_DEPTH, 256));
    CHECK_STATUS(exp_rs_context_remove(ctx, "1x"), EXP_RS_STATUS_INVALID_NAME);
    CHECK_OK(exp_rs_context_last_error(ctx, &err));
    CHECK(err.status == EXP_RS_STATUS_INVALID_NAME);

    /* Another context is refused. */
    CHECK_STATUS(exp_rs_batch_builder_eval(b, empty), EXP_RS_STATUS_CONTEXT_MISMATCH);
    CHECK_STATUS(exp_rs_batch_builder_bind(b, empty), EXP_RS_STATUS_CONTEXT_MISMATCH);
    CHECK_OK(exp_rs_batch_builder_bind(b, ctx));
    CHECK_OK(exp_rs_batch_builder_set_param(b, 0, 1));
    CHECK_OK(exp_rs_batch_builder_eval(b, NULL)); /* NULL: the bound context */

    exp_rs_batch_builder_free(b);

    /* Recursion limit and limits. */
    b = exp_rs_batch_builder_new(arena, ctx);
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "forever(1)"));
    CHECK_STATUS(exp_rs_batch_builder_eval(b, ctx), EXP_RS_STATUS_RECURSION_LIMIT);
    exp_rs_batch_builder_free(b);
    CHECK_OK(exp_rs_context_set_limit(ctx, EXP_RS_LIMIT_MAX_DEPTH, 4));
    b = exp_rs_batch_builder_new(arena, ctx);
    CHECK_STATUS(exp_rs_batch_builder_add_expression(b, "((((((1))))))"), EXP_RS_STATUS_TOO_DEEP);
    exp_rs_batch_builder_free(b);
    CHECK_OK(exp_rs_context_set_limit(ctx, EXP_RS_LIMIT_MAX_DEPTH, 256));
    CHECK_OK(exp_rs_context_set_limit(ctx, EXP_RS_LIMIT_MAX_LEN, 8));
    b = exp_rs_batch_builder_new(arena, ctx);
    CHECK_STATUS(exp_rs_batch_builder_add_expression(b, "1 + 2 + 3 + 4"), EXP_RS_STATUS_TOO_LONG);
    exp_rs_batch_builder_free(b);
    CHECK_STATUS(exp_rs_context_set_limit(NULL, EXP_RS_LIMIT_MAX_LEN, 1), EXP_RS_STATUS_NULL_POINTER);

    /* The empty context knows no functions. */
    b = exp_rs_batch_builder_new(arena, empty);
    CHECK_STATUS(exp_rs_batch_builder_add_expression(b, "sin(1)"), EXP_RS_STATUS_UNKNOWN_FUNCTION);
    /* ...and no constants: `pi` is just a free name, so a parameter. */
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "pi"));
    CHECK_OK(exp_rs_batch_builder_param_index(b, "pi", &written));
    CHECK(written == 0);
    exp_rs_batch_builder_free(b);

    /* One-shot against a context: reads only, so allowed while builders use it. */
    CHECK_OK(exp_rs_context_set_limit(ctx, EXP_RS_LIMIT_MAX_LEN, 65536)); /* the default again */
    ExpRsBatchBuilder *holder = exp_rs_batch_builder_new(arena, ctx);
    const char *xn[] = {"x"};
    exp_rs_real xv[] = {4};
    exp_rs_real o = 0;
    CHECK_OK(exp_rs_context_eval(ctx, "scale(x) + lut[1] + cal.offset + hyp(3, 4)", xn, xv, 1, &o,
                                 NULL));
    CHECK_NEAR(o, 12 + 10 + 0.5 + 5);
    exp_rs_error e2 = {0, 0, 0, 0};
    CHECK_STATUS(exp_rs_context_eval(ctx, "x + w", xn, xv, 1, &o, &e2),
                 EXP_RS_STATUS_UNKNOWN_VARIABLE);
    CHECK(e2.status == EXP_RS_STATUS_UNKNOWN_VARIABLE && e2.span_start == 4 && e2.span_end == 5);
    CHECK_STATUS(exp_rs_context_eval(ctx, "sdiv(1, 0)", NULL, NULL, 0, &o, &e2),
                 EXP_RS_STATUS_CALLBACK);
    CHECK_OK(exp_rs_context_eval(NULL, "pi", NULL, NULL, 0, &o, NULL)); /* built-ins */
    CHECK_NEAR(o, 3.141592653589793);
    CHECK_STATUS(exp_rs_context_eval(NULL, "g", NULL, NULL, 0, &o, NULL),
                 EXP_RS_STATUS_UNKNOWN_VARIABLE);
    CHECK_STATUS(exp_rs_context_eval(ctx, NULL, NULL, NULL, 0, &o, NULL),
                 EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_context_eval(ctx, "1", NULL, NULL, 0, NULL, NULL),
                 EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_context_eval(ctx, BAD_UTF8, NULL, NULL, 0, &o, NULL),
                 EXP_RS_STATUS_INVALID_UTF8);
    exp_rs_batch_builder_free(holder);

    CHECK_STATUS(exp_rs_context_last_error(NULL, &err), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_context_last_error(ctx, NULL), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_context_last_error_message(NULL, msg, sizeof msg, NULL),
                 EXP_RS_STATUS_NULL_POINTER);
    exp_rs_arena_free(arena);
    exp_rs_context_free(ctx);
    exp_rs_context_free(empty);
}

/* ---------- builder bound at creation ---------- */

static void test_builder(void) {
    ExpRsContext *ctx = exp_rs_context_new();
    ExpRsArena *arena = exp_rs_arena_new(16 * 1024);
    CHECK(exp_rs_batch_builder_new(NULL, ctx) == NULL);
    CHECK(exp_rs_batch_builder_new(arena, NULL) == NULL);
    CHECK(exp_rs_batch_builder_new_with_arena(NULL) == NULL);
    exp_rs_batch_builder_free(NULL);

    ExpRsBatchBuilder *b = exp_rs_batch_builder_new(arena, ctx);
    CHECK(b != NULL);
    size_t ix = 99, n = 99;
    CHECK_OK(exp_rs_batch_builder_param_count(b, &n));
    CHECK(n == 0);
    CHECK_OK(exp_rs_batch_builder_add_param(b, "gain", 2, &ix));
    CHECK(ix == 0);
    CHECK_OK(exp_rs_batch_builder_add_param(b, "gain", 3, NULL)); /* same index, new value */
    exp_rs_real v = 0;
    CHECK_OK(exp_rs_batch_builder_param(b, 0, &v));
    CHECK_NEAR(v, 3);
    CHECK_STATUS(exp_rs_batch_builder_add_param(b, "not ok", 1, &ix), EXP_RS_STATUS_INVALID_NAME);
    CHECK_STATUS(exp_rs_batch_builder_add_param(b, NULL, 1, &ix), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_add_param(NULL, "a", 1, &ix), EXP_RS_STATUS_NULL_POINTER);

    CHECK_OK(exp_rs_batch_builder_add_expression(b, "gain * x * sin(y) + z"));
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "hypot(x, z)"));
    CHECK(count_of(b) == 2);
    CHECK_STATUS(exp_rs_batch_builder_expression_count(NULL, &n), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_expression_count(b, NULL), EXP_RS_STATUS_NULL_POINTER);
    CHECK_OK(exp_rs_batch_builder_param_count(b, &n));
    CHECK(n == 4);
    const char *order[] = {"gain", "x", "y", "z"};
    for (size_t i = 0; i < 4; i++) {
        CHECK_OK(exp_rs_batch_builder_param_index(b, order[i], &ix));
        CHECK(ix == i);
        char name[8];
        size_t need = 0;
        CHECK_OK(exp_rs_batch_builder_param_name(b, i, name, sizeof name, &need));
        CHECK_STR(name, order[i]);
        CHECK(need == strlen(order[i]) + 1);
    }
    char tiny[3];
    size_t need = 0;
    CHECK_STATUS(exp_rs_batch_builder_param_name(b, 0, tiny, sizeof tiny, &need),
                 EXP_RS_STATUS_BUFFER_TOO_SMALL);
    CHECK_STR(tiny, "ga");
    CHECK(need == 5);
    CHECK_STATUS(exp_rs_batch_builder_param_name(b, 9, tiny, sizeof tiny, &need),
                 EXP_RS_STATUS_BAD_INDEX);
    CHECK_STATUS(exp_rs_batch_builder_param_index(b, "w", &ix), EXP_RS_STATUS_NOT_FOUND);
    CHECK_STATUS(exp_rs_batch_builder_param_index(b, "x", NULL), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_param_index(b, BAD_UTF8, &ix), EXP_RS_STATUS_INVALID_UTF8);

    /* Before the first evaluation results are NaN. */
    CHECK_OK(exp_rs_batch_builder_result(b, 0, &v));
    CHECK(isnan(v));

    exp_rs_real params[] = {2, 3, 0, 4};
    CHECK_OK(exp_rs_batch_builder_set_params(b, params, 4));
    CHECK_STATUS(exp_rs_batch_builder_set_params(b, params, 5), EXP_RS_STATUS_BAD_INDEX);
    CHECK_STATUS(exp_rs_batch_builder_set_params(b, NULL, 2), EXP_RS_STATUS_NULL_POINTER);
    CHECK_OK(exp_rs_batch_builder_set_params(b, NULL, 0));
    CHECK_OK(exp_rs_batch_builder_eval(b, ctx));
    exp_rs_real out[2] = {0, 0};
    size_t written = 0;
    CHECK_OK(exp_rs_batch_builder_results(b, out, 2, &written));
    CHECK(written == 2);
    CHECK_NEAR(out[0], 4);
    CHECK_NEAR(out[1], 5);
    exp_rs_real one[1] = {-1};
    CHECK_STATUS(exp_rs_batch_builder_results(b, one, 1, &written), EXP_RS_STATUS_BUFFER_TOO_SMALL);
    CHECK(one[0] == -1); /* nothing written */
    CHECK_STATUS(exp_rs_batch_builder_results(b, NULL, 2, &written), EXP_RS_STATUS_NULL_POINTER);
    CHECK_OK(exp_rs_batch_builder_results(b, out, 2, NULL));
    CHECK_OK(exp_rs_batch_builder_result(b, 1, &v));
    CHECK_NEAR(v, 5);
    CHECK_STATUS(exp_rs_batch_builder_result(b, 2, &v), EXP_RS_STATUS_BAD_INDEX);
    CHECK_STATUS(exp_rs_batch_builder_result(b, 0, NULL), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_set_param(b, 4, 1), EXP_RS_STATUS_BAD_INDEX);
    CHECK_STATUS(exp_rs_batch_builder_param(b, 4, &v), EXP_RS_STATUS_BAD_INDEX);
    CHECK_STATUS(exp_rs_batch_builder_param(b, 0, NULL), EXP_RS_STATUS_NULL_POINTER);
    exp_rs_error err;
    CHECK_STATUS(exp_rs_batch_builder_expression_error(b, 2, &err), EXP_RS_STATUS_BAD_INDEX);
    CHECK_STATUS(exp_rs_batch_builder_expression_error(b, 0, NULL), EXP_RS_STATUS_NULL_POINTER);

    /* The last error is the last failure: BAD_INDEX from expression_error. */
    CHECK_OK(exp_rs_batch_builder_last_error(b, &err));
    CHECK(err.status == EXP_RS_STATUS_NULL_POINTER || err.status == EXP_RS_STATUS_BAD_INDEX);

    /* A compile error: span, expression index and caret message. */
    const char *src = "x + sin(nope(1))";
    CHECK_STATUS(exp_rs_batch_builder_add_expression(b, src), EXP_RS_STATUS_UNKNOWN_FUNCTION);
    CHECK(count_of(b) == 2); /* a failed add changes nothing */
    CHECK_OK(exp_rs_batch_builder_param_count(b, &n));
    CHECK(n == 4); /* and introduces no parameter */
    CHECK_OK(exp_rs_batch_builder_last_error(b, &err));
    CHECK(err.status == EXP_RS_STATUS_UNKNOWN_FUNCTION);
    CHECK(err.span_start == 8 && err.span_end == 12);
    CHECK(err.expression == 2);
    char msg[128];
    size_t needed = 0;
    CHECK_OK(exp_rs_batch_builder_last_error_message(b, msg, sizeof msg, &needed));
    CHECK_STR(msg, "x + sin(nope(1))\n        ^ unknown function `nope`");
    CHECK(needed == strlen(msg) + 1);
    CHECK_STATUS(exp_rs_batch_builder_last_error_message(b, NULL, 0, &needed),
                 EXP_RS_STATUS_BUFFER_TOO_SMALL);
    CHECK(needed == strlen(msg) + 1);
    char cut[6];
    CHECK_STATUS(exp_rs_batch_builder_last_error_message(b, cut, sizeof cut, NULL),
                 EXP_RS_STATUS_BUFFER_TOO_SMALL);
    CHECK_STR(cut, "x + s");
    CHECK_STATUS(exp_rs_batch_builder_last_error_message(b, NULL, 5, NULL),
                 EXP_RS_STATUS_NULL_POINTER);

    /* Invalid UTF-8 and NULL sources. */
    CHECK_STATUS(exp_rs_batch_builder_add_expression(b, BAD_UTF8), EXP_RS_STATUS_INVALID_UTF8);
    CHECK_OK(exp_rs_batch_builder_last_error(b, &err));
    CHECK(err.status == EXP_RS_STATUS_INVALID_UTF8);
    CHECK_OK(exp_rs_batch_builder_last_error_message(b, msg, sizeof msg, NULL));
    CHECK_STR(msg, "string is not valid UTF-8");
    CHECK_STATUS(exp_rs_batch_builder_add_expression(b, NULL), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_add_expression(NULL, "1"), EXP_RS_STATUS_NULL_POINTER);
    /* A syntax error with a multi-byte character: the caret counts characters. */
    CHECK_STATUS(exp_rs_batch_builder_add_expression(b, "\xc3\xa9 + 1"),
                 EXP_RS_STATUS_INVALID_CHARACTER);
    CHECK_OK(exp_rs_batch_builder_last_error(b, &err));
    CHECK(err.span_start == 0 && err.span_end >= 1);

    /* NULL handles everywhere. */
    CHECK_STATUS(exp_rs_batch_builder_eval(NULL, ctx), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_set_param(NULL, 0, 1), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_set_params(NULL, params, 1), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_param(NULL, 0, &v), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_result(NULL, 0, &v), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_results(NULL, out, 2, NULL), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_param_index(NULL, "x", &ix), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_param_count(NULL, &n), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_param_count(b, NULL), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_param_name(NULL, 0, msg, sizeof msg, NULL),
                 EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_bind(NULL, ctx), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_bind(b, NULL), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_expression_error(NULL, 0, &err), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_last_error(NULL, &err), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_last_error(b, NULL), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_last_error_message(NULL, msg, sizeof msg, NULL),
                 EXP_RS_STATUS_NULL_POINTER);

    exp_rs_batch_builder_free(b);
    exp_rs_arena_free(arena);
    exp_rs_context_free(ctx);
}

/* ---------- builder bound late (the seed's constructor) ---------- */

static void test_unbound(void) {
    ExpRsContext *ctx = exp_rs_context_new();
    CHECK_OK(exp_rs_context_set_constant(ctx, "g", 10));
    ExpRsArena *arena = exp_rs_arena_new(16 * 1024);
    ExpRsBatchBuilder *b = exp_rs_batch_builder_new_with_arena(arena);
    CHECK(b != NULL);
    size_t ix = 99, n = 99;
    CHECK_OK(exp_rs_batch_builder_add_param(b, "k", 2, &ix));
    CHECK(ix == 0);
    CHECK_OK(exp_rs_batch_builder_param_index(b, "k", &ix));
    CHECK(ix == 0);
    CHECK_OK(exp_rs_batch_builder_param_count(b, &n));
    CHECK(n == 1);
    CHECK_STATUS(exp_rs_batch_builder_param_index(b, "q", &ix), EXP_RS_STATUS_NOT_FOUND);

    /* Syntax errors are reported at once; names wait for the context. */
    CHECK_STATUS(exp_rs_batch_builder_add_expression(b, "1 +"), EXP_RS_STATUS_EXPECTED_OPERAND);
    exp_rs_error err;
    CHECK_OK(exp_rs_batch_builder_last_error(b, &err));
    CHECK(err.span_start == 3 && err.expression == 0);
    char msg[128];
    CHECK_OK(exp_rs_batch_builder_last_error_message(b, msg, sizeof msg, NULL));
    CHECK_STR(msg, "1 +\n   ^ expected an operand, found end of input");
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "k * x + g"));
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "y - x"));
    CHECK(count_of(b) == 2);
    CHECK_STATUS(exp_rs_batch_builder_param_index(b, "x", &ix), EXP_RS_STATUS_NOT_BOUND);
    CHECK_STATUS(exp_rs_batch_builder_param_count(b, &n), EXP_RS_STATUS_NOT_BOUND);
    CHECK_STATUS(exp_rs_batch_builder_param_name(b, 1, msg, sizeof msg, NULL),
                 EXP_RS_STATUS_NOT_BOUND);
    exp_rs_real v;
    CHECK_STATUS(exp_rs_batch_builder_param(b, 0, &v), EXP_RS_STATUS_NOT_BOUND);
    CHECK_STATUS(exp_rs_batch_builder_result(b, 0, &v), EXP_RS_STATUS_NOT_BOUND);
    CHECK_STATUS(exp_rs_batch_builder_results(b, &v, 1, NULL), EXP_RS_STATUS_NOT_BOUND);
    CHECK_STATUS(exp_rs_batch_builder_expression_error(b, 0, &err), EXP_RS_STATUS_NOT_BOUND);
    /* Values set before binding are kept by index. */
    CHECK_OK(exp_rs_batch_builder_set_param(b, 1, 3)); /* x */
    CHECK_OK(exp_rs_batch_builder_set_param(b, 2, 5)); /* y (g is a constant) */
    CHECK_STATUS(exp_rs_batch_builder_set_param(b, 100, 5), EXP_RS_STATUS_BAD_INDEX);
    CHECK_STATUS(exp_rs_batch_builder_eval(b, NULL), EXP_RS_STATUS_NOT_BOUND);
    /* Binding takes the context as it is then. */
    CHECK_OK(exp_rs_context_set_constant(ctx, "g", 100));
    size_t sources_only = exp_rs_arena_used(arena); /* names and sources, nothing compiled */

    CHECK_OK(exp_rs_batch_builder_eval(b, ctx)); /* binds, compiles, evaluates */
    CHECK(exp_rs_arena_used(arena) > sources_only);
    CHECK_OK(exp_rs_batch_builder_result(b, 0, &v));
    CHECK_NEAR(v, 2 * 3 + 100);
    CHECK_OK(exp_rs_batch_builder_result(b, 1, &v));
    CHECK_NEAR(v, 2);
    CHECK_OK(exp_rs_batch_builder_param_index(b, "y", &ix));
    CHECK(ix == 2);
    CHECK_OK(exp_rs_batch_builder_param_count(b, &n));
    CHECK(n == 3);
    CHECK_OK(exp_rs_context_set_constant(ctx, "g", 1)); /* b keeps g = 100 */
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "x + y + k")); /* compiled at once now */
    CHECK_OK(exp_rs_batch_builder_eval(b, ctx));
    CHECK_OK(exp_rs_batch_builder_result(b, 2, &v));
    CHECK_NEAR(v, 10);
    exp_rs_batch_builder_free(b);

    /* A value set for an index that binding does not create. */
    b = exp_rs_batch_builder_new_with_arena(arena);
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "x + g"));
    CHECK_OK(exp_rs_batch_builder_set_param(b, 1, 1)); /* g counted as a possible param */
    CHECK_OK(exp_rs_batch_builder_bind(b, ctx));        /* the value is dropped */
    CHECK_OK(exp_rs_batch_builder_eval(b, ctx));        /* x = 0 */
    CHECK_OK(exp_rs_batch_builder_result(b, 0, &v));
    CHECK_NEAR(v, 1);
    exp_rs_batch_builder_free(b);

    /* A compile error at binding sticks. */
    b = exp_rs_batch_builder_new_with_arena(arena);
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "x + 1"));
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "nope(x)"));
    CHECK_STATUS(exp_rs_batch_builder_eval(b, ctx), EXP_RS_STATUS_UNKNOWN_FUNCTION);
    CHECK_OK(exp_rs_batch_builder_last_error(b, &err));
    CHECK(err.expression == 1 && err.span_start == 0 && err.span_end == 4);
    CHECK_OK(exp_rs_batch_builder_last_error_message(b, msg, sizeof msg, NULL));
    CHECK_STR(msg, "nope(x)\n^ unknown function `nope`");
    CHECK_STATUS(exp_rs_batch_builder_eval(b, ctx), EXP_RS_STATUS_UNKNOWN_FUNCTION);
    CHECK_STATUS(exp_rs_batch_builder_bind(b, ctx), EXP_RS_STATUS_UNKNOWN_FUNCTION);
    CHECK_STATUS(exp_rs_batch_builder_add_expression(b, "1"), EXP_RS_STATUS_UNKNOWN_FUNCTION);
    exp_rs_batch_builder_free(b);

    /* An unbound builder freed without ever binding. */
    b = exp_rs_batch_builder_new_with_arena(arena);
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "a + b"));
    exp_rs_batch_builder_free(b);

    /* Bind explicitly, then evaluate with the same or a NULL context. */
    b = exp_rs_batch_builder_new_with_arena(arena);
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "x * 2"));
    CHECK_OK(exp_rs_batch_builder_bind(b, ctx));
    CHECK_OK(exp_rs_batch_builder_set_param(b, 0, 21));
    CHECK_OK(exp_rs_batch_builder_eval(b, NULL));
    CHECK_OK(exp_rs_batch_builder_result(b, 0, &v));
    CHECK_NEAR(v, 42);
    exp_rs_batch_builder_free(b);

    exp_rs_arena_free(arena);
    exp_rs_context_free(ctx);
}

/* ---------- lifetimes: free in any order ---------- */

static void test_lifetimes(void) {
    ExpRsContext *ctx = exp_rs_context_new();
    ExpRsArena *arena = exp_rs_arena_new(8192);
    ExpRsBatchBuilder *b1 = exp_rs_batch_builder_new(arena, ctx);
    ExpRsBatchBuilder *b2 = exp_rs_batch_builder_new(arena, ctx);
    CHECK_OK(exp_rs_batch_builder_add_expression(b1, "x + 1"));
    CHECK_OK(exp_rs_batch_builder_add_expression(b2, "x * 2"));
    /* The owner lets go first: the builders keep both alive. */
    exp_rs_context_free(ctx);
    exp_rs_arena_free(arena);
    CHECK_OK(exp_rs_batch_builder_set_param(b1, 0, 4));
    CHECK_OK(exp_rs_batch_builder_eval(b1, NULL));
    exp_rs_real v;
    CHECK_OK(exp_rs_batch_builder_result(b1, 0, &v));
    CHECK_NEAR(v, 5);
    CHECK_OK(exp_rs_batch_builder_add_expression(b1, "x - 1"));
    exp_rs_batch_builder_free(b1);
    CHECK_OK(exp_rs_batch_builder_set_param(b2, 0, 4));
    CHECK_OK(exp_rs_batch_builder_eval(b2, NULL));
    CHECK_OK(exp_rs_batch_builder_result(b2, 0, &v));
    CHECK_NEAR(v, 8);
    exp_rs_batch_builder_free(b2); /* frees the arena and the context (Valgrind checks) */

    /* An unbound builder keeps only the arena. */
    ctx = exp_rs_context_new();
    arena = exp_rs_arena_new(0);
    ExpRsBatchBuilder *b = exp_rs_batch_builder_new_with_arena(arena);
    exp_rs_arena_free(arena);
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "x"));
    CHECK_OK(exp_rs_batch_builder_eval(b, ctx));
    exp_rs_context_free(ctx);
    CHECK_OK(exp_rs_batch_builder_eval(b, NULL));
    exp_rs_batch_builder_free(b);
}

/* ---------- re-entry from a native callback ---------- */

static ExpRsContext *meddle_ctx = NULL;
static exp_rs_status meddle_status = EXP_RS_STATUS_OK;

/* Changes the context that is evaluating it. */
static exp_rs_real meddle(void *user_data, const exp_rs_real *args, size_t n) {
    (void)user_data;
    (void)n;
    meddle_status = exp_rs_context_set_constant(meddle_ctx, "late", 1);
    return args[0] * 2;
}

static void test_context_eval_hold(void) {
    meddle_ctx = exp_rs_context_new();
    CHECK_OK(exp_rs_context_add_function(meddle_ctx, "meddle", 1, false, meddle, NULL));
    exp_rs_real out = 0;
    /* The evaluation runs on the context as it was at the call... */
    CHECK_STATUS(exp_rs_context_eval(meddle_ctx, "meddle(21) + late", NULL, NULL, 0, &out, NULL),
                 EXP_RS_STATUS_UNKNOWN_VARIABLE);
    CHECK_OK(exp_rs_context_eval(meddle_ctx, "meddle(21)", NULL, NULL, 0, &out, NULL));
    CHECK_NEAR(out, 42);
    CHECK_OK(meddle_status);
    /* ...and the change applies to the next call. */
    CHECK_OK(exp_rs_context_eval(meddle_ctx, "meddle(21) + late", NULL, NULL, 0, &out, NULL));
    CHECK_NEAR(out, 43);
    exp_rs_context_free(meddle_ctx);
}

static ExpRsBatchBuilder *reentry_builder = NULL;
static exp_rs_status reentry_status = EXP_RS_STATUS_OK;

static exp_rs_real reenter(void *user_data, const exp_rs_real *args, size_t n) {
    (void)user_data;
    (void)n;
    reentry_status = exp_rs_batch_builder_eval(reentry_builder, NULL);
    /* Every getter, too: the builder is busy. */
    size_t count = 0;
    exp_rs_real v = 0;
    exp_rs_error err;
    if (exp_rs_batch_builder_expression_count(reentry_builder, &count) != EXP_RS_STATUS_REENTRANT ||
        exp_rs_batch_builder_param_count(reentry_builder, &count) != EXP_RS_STATUS_REENTRANT ||
        exp_rs_batch_builder_result(reentry_builder, 0, &v) != EXP_RS_STATUS_REENTRANT ||
        exp_rs_batch_builder_last_error(reentry_builder, &err) != EXP_RS_STATUS_REENTRANT)
        reentry_status = EXP_RS_STATUS_ERROR;
    exp_rs_batch_builder_free(reentry_builder); /* ignored while evaluating */
    return args[0] + 1;
}

static void test_reentry(void) {
    ExpRsContext *ctx = exp_rs_context_new();
    CHECK_OK(exp_rs_context_add_function(ctx, "reenter", 1, false, reenter, NULL));
    ExpRsArena *arena = exp_rs_arena_new(0);
    reentry_builder = exp_rs_batch_builder_new(arena, ctx);
    CHECK_OK(exp_rs_batch_builder_add_expression(reentry_builder, "reenter(x)"));
    CHECK_OK(exp_rs_batch_builder_eval(reentry_builder, ctx));
    CHECK_STATUS(reentry_status, EXP_RS_STATUS_REENTRANT);
    exp_rs_real v;
    CHECK_OK(exp_rs_batch_builder_result(reentry_builder, 0, &v));
    CHECK_NEAR(v, 1);
    exp_rs_batch_builder_free(reentry_builder);
    exp_rs_arena_free(arena);
    exp_rs_context_free(ctx);
}

/* ---------- hostile input ---------- */

static unsigned rng_state = 12345;
static unsigned rng(void) {
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 16) & 0x7fff;
}

/* `open` n times, then "1", then `close` n times, as a NUL-terminated string. */
static char *nest(const char *open, const char *close, size_t n) {
    size_t lo = strlen(open), lc = strlen(close);
    char *s = malloc(n * (lo + lc) + 2);
    char *p = s;
    for (size_t i = 0; i < n; i++, p += lo) memcpy(p, open, lo);
    *p++ = '1';
    for (size_t i = 0; i < n; i++, p += lc) memcpy(p, close, lc);
    *p = 0;
    return s;
}

static void test_hostile(void) {
    /* SECURITY.md's hostile set: 100,000-deep nesting of every kind and
     * 100,000-term chains are TOO_DEEP, 10 MB of input TOO_LONG, never a
     * crash, and the library keeps working afterwards. */
    const size_t n = 100000;
    ExpRsContext *hctx = exp_rs_context_new();
    /* A length limit that admits the input, so depth is what answers. */
    CHECK_OK(exp_rs_context_set_limit(hctx, EXP_RS_LIMIT_MAX_LEN, 1u << 30));
    exp_rs_real arr[] = {1, 2};
    CHECK_OK(exp_rs_context_add_array(hctx, "a", arr, 2));
    static const char *shapes[][2] = {{"(", ")"}, {"-", ""}, {"!", ""}, {"sin(", ")"}, {"a[", "]"}, {"2^", ""}};
    exp_rs_real out;
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        char *deep = nest(shapes[k][0], shapes[k][1], n);
        CHECK_STATUS(exp_rs_context_eval(hctx, deep, NULL, NULL, 0, &out, NULL), EXP_RS_STATUS_TOO_DEEP);
        free(deep);
    }
    char *cond = nest("1?", ":1", n);
    CHECK_STATUS(exp_rs_context_eval(hctx, cond, NULL, NULL, 0, &out, NULL), EXP_RS_STATUS_TOO_DEEP);
    free(cond);
    /* 100,000-term chains of every binary operator. */
    static const char *chains[] = {"1+", "1-", "1*", "1/", "1%", "1<", "1==", "1&&", "1||"};
    for (size_t k = 0; k < sizeof chains / sizeof chains[0]; k++) {
        char *chain = nest(chains[k], "", n);
        CHECK_STATUS(exp_rs_context_eval(hctx, chain, NULL, NULL, 0, &out, NULL), EXP_RS_STATUS_TOO_DEEP);
        free(chain);
    }
    size_t big = 10u << 20;
    char *longsrc = malloc(big + 1);
    for (size_t i = 0; i < big; i += 2) {
        longsrc[i] = '1';
        longsrc[i + 1] = '+';
    }
    longsrc[big - 1] = '1';
    longsrc[big] = 0;
    CHECK_STATUS(exp_rs_eval(longsrc, NULL, NULL, 0, &out), EXP_RS_STATUS_TOO_LONG);
    free(longsrc);
    /* An embedded NUL ends the C string: "1 +" is what the library sees. */
    CHECK_STATUS(exp_rs_context_eval(hctx, "1 +\0 2", NULL, NULL, 0, &out, NULL), EXP_RS_STATUS_EXPECTED_OPERAND);
    /* 2^201 calls: the budget of calls per evaluation stops them, at the
     * call that exceeded it; a smaller budget is counted exactly (twice(3)
     * makes 15 calls). */
    CHECK_OK(exp_rs_context_add_expression_function(
        hctx, "twice(n) = n < 1 ? 0 : twice(n - 1) + twice(n - 1)"));
    exp_rs_error herr = {0, 0, 0, 0};
    CHECK_STATUS(exp_rs_context_eval(hctx, "1 + twice(200)", NULL, NULL, 0, &out, &herr),
                 EXP_RS_STATUS_RECURSION_LIMIT);
    CHECK(herr.span_start == 4 && herr.span_end == 14);
    CHECK_OK(exp_rs_context_set_limit(hctx, EXP_RS_LIMIT_MAX_TOTAL_CALLS, 15));
    CHECK_OK(exp_rs_context_eval(hctx, "twice(3)", NULL, NULL, 0, &out, NULL));
    CHECK_OK(exp_rs_context_set_limit(hctx, EXP_RS_LIMIT_MAX_TOTAL_CALLS, 14));
    CHECK_STATUS(exp_rs_context_eval(hctx, "twice(3)", NULL, NULL, 0, &out, NULL),
                 EXP_RS_STATUS_RECURSION_LIMIT);
    /* Still working. */
    CHECK_OK(exp_rs_context_eval(hctx, "a[1] + 1", NULL, NULL, 0, &out, NULL));
    CHECK(out == 3.0);
    exp_rs_context_free(hctx);

    /* Random token soup: every answer is a status we know, and any success
     * through the one-shot also succeeds through a batch builder. */
    static const char *tokens[] = {"x", "y", "1", "2.5", "1e3", "+", "-", "*", "/", "%", "^",
                                   "(", ")", ",", "?", ":", "<", "==", "&&", "||", "!",
                                   "sin", "max", "lut", "[", "]", ".", "p", "fact", " "};
    const size_t n_tokens = sizeof tokens / sizeof tokens[0];
    ExpRsContext *ctx = exp_rs_context_new();
    exp_rs_real lut[] = {1, 2, 3};
    CHECK_OK(exp_rs_context_add_array(ctx, "lut", lut, 3));
    const char *pf[] = {"q"};
    CHECK_OK(exp_rs_context_add_object(ctx, "p", pf, lut, 1));
    CHECK_OK(exp_rs_context_add_expression_function(
        ctx, "fact(n) = n <= 1 ? 1 : n * fact(n - 1)"));
    const char *names[] = {"x", "y"};
    exp_rs_real values[] = {0.5, -2};
    int unknown = 0, ok = 0;
    char src[256];
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = 0;
        int count = 1 + (int)(rng() % 12);
        for (int t = 0; t < count; t++) {
            const char *tok = tokens[rng() % n_tokens];
            size_t tl = strlen(tok);
            memcpy(src + len, tok, tl);
            len += tl;
        }
        src[len] = 0;
        exp_rs_error err;
        int s = exp_rs_context_eval(ctx, src, names, values, 2, &out, &err);
        if (strcmp(exp_rs_status_name(s), "UNKNOWN") == 0 || s == EXP_RS_STATUS_PANIC ||
            s >= 100) {
            unknown++;
            fprintf(stderr, "hostile: `%s` -> %d\n", src, s);
        }
        if (s != EXP_RS_STATUS_OK) {
            CHECK(err.span_end >= err.span_start && err.span_end <= len);
        } else {
            ok++;
        }
    }
    CHECK(unknown == 0);
    CHECK(ok > 10);
    exp_rs_context_free(ctx);
}

/* ---------- the panic boundary ---------- */

static int hook_calls = 0;

static void on_panic(const char *file, size_t file_len, uint32_t line) {
    (void)file;
    (void)file_len;
    (void)line;
    hook_calls++;
}

static void test_panic(void) {
    CHECK_STATUS(exp_rs_test_panic(), EXP_RS_STATUS_PANIC);
    CHECK(hook_calls == 0);
    exp_rs_set_panic_hook(on_panic);
    CHECK_STATUS(exp_rs_test_panic(), EXP_RS_STATUS_PANIC);
    CHECK(hook_calls == 1);
    exp_rs_set_panic_hook(NULL);
    CHECK_STATUS(exp_rs_test_panic(), EXP_RS_STATUS_PANIC);
    CHECK(hook_calls == 1);
    /* The library still works after a caught panic. */
    exp_rs_real out;
    CHECK_OK(exp_rs_eval("1 + 1", NULL, NULL, 0, &out));
    CHECK_NEAR(out, 2);
}

/* ---------- zero allocations in the evaluation loop ---------- */

static void test_zero_allocations(void) {
    size_t before_setup = allocations;
    ExpRsContext *ctx = exp_rs_context_new();
    CHECK_OK(exp_rs_context_add_expression_function(ctx, "hyp(a, b) = sqrt(a^2 + b^2)"));
    size_t size = 0;
    CHECK_OK(exp_rs_arena_estimate(ctx, SEVEN, 7, &size));
    ExpRsArena *arena = exp_rs_arena_new(size);
    ExpRsBatchBuilder *b = exp_rs_batch_builder_new(arena, ctx);
    for (int i = 0; i < 7; i++) CHECK_OK(exp_rs_batch_builder_add_expression(b, SEVEN[i]));
    size_t ix_x = 9, ix_y = 9, ix_z = 9;
    CHECK_OK(exp_rs_batch_builder_param_index(b, "x", &ix_x));
    CHECK_OK(exp_rs_batch_builder_param_index(b, "y", &ix_y));
    CHECK_OK(exp_rs_batch_builder_param_index(b, "z", &ix_z));
    CHECK(ix_x == 0 && ix_y == 1 && ix_z == 2);
    /* The wrapper really sees the library's allocations. */
    CHECK(allocations - before_setup >= 5);

    size_t before = allocations;
    size_t freed_before = deallocations;
    size_t arena_before = exp_rs_arena_used(arena);
    exp_rs_real results[7];
    exp_rs_real checksum = 0;
    int failures = 0;
    for (int i = 0; i < 100000; i++) {
        exp_rs_real t = (exp_rs_real)i * (exp_rs_real)0.001;
        failures += exp_rs_batch_builder_set_param(b, 0, t) != EXP_RS_STATUS_OK;
        failures += exp_rs_batch_builder_set_param(b, 1, t * 2 - 50) != EXP_RS_STATUS_OK;
        failures += exp_rs_batch_builder_set_param(b, 2, 100 - t) != EXP_RS_STATUS_OK;
        failures += exp_rs_batch_builder_eval(b, ctx) != EXP_RS_STATUS_OK;
        failures += exp_rs_batch_builder_results(b, results, 7, NULL) != EXP_RS_STATUS_OK;
        checksum += results[i % 7];
    }
    size_t loop_allocations = allocations - before;
    size_t loop_frees = deallocations - freed_before;
    printf("zero-allocation loop: 7 expressions x 100000 evaluations: "
           "%zu allocations, %zu frees (setup: %zu allocations)\n",
           loop_allocations, loop_frees, before - before_setup);
    CHECK(failures == 0);
    CHECK(loop_allocations == 0);
    CHECK(loop_frees == 0);
    CHECK(exp_rs_arena_used(arena) == arena_before);
    CHECK(isfinite(checksum));
    /* Spot-check the last results. */
    exp_rs_real t = (exp_rs_real)99999 * (exp_rs_real)0.001;
    exp_rs_real x = t, y = t * 2 - 50, z = 100 - t;
    CHECK_NEAR(results[0], x * sin(y) + z);
    CHECK_NEAR(results[1], sqrt(x * x + y * y + z * z));
    CHECK_NEAR(results[4], atan2(y, x) * 180 / 3.141592653589793);

    /* Failing evaluations do not allocate either. */
    exp_rs_real lut[] = {1, 2};
    ExpRsContext *c2 = exp_rs_context_new();
    CHECK_OK(exp_rs_context_add_array(c2, "lut", lut, 2));
    ExpRsBatchBuilder *b2 = exp_rs_batch_builder_new(arena, c2);
    exp_rs_status s = exp_rs_batch_builder_add_expression(b2, "lut[x]");
    /* The fixed arena may be full by now; use a growable one then. */
    ExpRsArena *grow = NULL;
    if (s == EXP_RS_STATUS_ARENA_FULL) {
        exp_rs_batch_builder_free(b2);
        grow = exp_rs_arena_new(0);
        b2 = exp_rs_batch_builder_new(grow, c2);
        s = exp_rs_batch_builder_add_expression(b2, "lut[x]");
    }
    CHECK_OK(s);
    CHECK_OK(exp_rs_batch_builder_set_param(b2, 0, 5));
    CHECK_STATUS(exp_rs_batch_builder_eval(b2, c2), EXP_RS_STATUS_INDEX_OUT_OF_BOUNDS);
    char msg[64];
    before = allocations;
    for (int i = 0; i < 1000; i++) {
        (void)exp_rs_batch_builder_eval(b2, c2);
        (void)exp_rs_batch_builder_last_error_message(b2, msg, sizeof msg, NULL);
    }
    CHECK(allocations == before);
    CHECK_STR(msg, "lut[x]\n^ index out of bounds");

    exp_rs_batch_builder_free(b2);
    exp_rs_arena_free(grow);
    exp_rs_context_free(c2);
    exp_rs_batch_builder_free(b);
    exp_rs_arena_free(arena);
    exp_rs_context_free(ctx);
}

/* ---------- limits, the step budget, names, copy-on-write contexts ---------- */

static void test_limits_and_names(void) {
    ExpRsContext *ctx = exp_rs_context_new();
    uint32_t v = 0;
    /* The defaults, one getter per limit. */
    CHECK_OK(exp_rs_context_get_limit(ctx, EXP_RS_LIMIT_MAX_DEPTH, &v));
    CHECK(v == 256);
    CHECK_OK(exp_rs_context_get_limit(ctx, EXP_RS_LIMIT_MAX_LEN, &v));
    CHECK(v == 65536);
    CHECK_OK(exp_rs_context_get_limit(ctx, EXP_RS_LIMIT_MAX_CALLS, &v));
    CHECK(v == 256);
    CHECK_OK(exp_rs_context_get_limit(ctx, EXP_RS_LIMIT_MAX_TOTAL_CALLS, &v));
    CHECK(v == 1000000);
    CHECK_OK(exp_rs_context_get_limit(ctx, EXP_RS_LIMIT_MAX_STEPS, &v));
    CHECK(v == 10000000);
    CHECK_OK(exp_rs_context_set_limit(ctx, EXP_RS_LIMIT_MAX_STEPS, 1000));
    CHECK_OK(exp_rs_context_get_limit(ctx, EXP_RS_LIMIT_MAX_STEPS, &v));
    CHECK(v == 1000);
    CHECK_OK(exp_rs_context_get_limit(ctx, EXP_RS_LIMIT_MAX_DEPTH, &v));
    CHECK(v == 256); /* the others unchanged */
    /* Unknown limits, NULLs. */
    CHECK_STATUS(exp_rs_context_set_limit(ctx, 0, 1), EXP_RS_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(exp_rs_context_set_limit(ctx, 99, 1), EXP_RS_STATUS_INVALID_ARGUMENT);
    exp_rs_error err;
    CHECK_OK(exp_rs_context_last_error(ctx, &err));
    CHECK(err.status == EXP_RS_STATUS_INVALID_ARGUMENT);
    v = 7;
    CHECK_STATUS(exp_rs_context_get_limit(ctx, 6, &v), EXP_RS_STATUS_INVALID_ARGUMENT);
    CHECK(v == 7);
    CHECK_STATUS(exp_rs_context_get_limit(ctx, EXP_RS_LIMIT_MAX_LEN, NULL), EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_context_get_limit(NULL, EXP_RS_LIMIT_MAX_LEN, &v), EXP_RS_STATUS_NULL_POINTER);

    /* StepLimit: 2^13 - 1 calls of a recursive function stop at 1,000
     * instructions, at the span of the expression being evaluated. */
    CHECK_OK(exp_rs_context_add_expression_function(
        ctx, "twice(n) = n < 1 ? 0 : twice(n - 1) + twice(n - 1)"));
    exp_rs_real out = 0;
    err.status = 0;
    const char *src = "twice(12)";
    CHECK_STATUS(exp_rs_context_eval(ctx, src, NULL, NULL, 0, &out, &err), EXP_RS_STATUS_STEP_LIMIT);
    char msg[128];
    CHECK_OK(exp_rs_error_render(src, &err, msg, sizeof msg, NULL));
    CHECK_STR(msg, "twice(12)\n^ step limit reached");
    CHECK_OK(exp_rs_context_last_error_message(ctx, msg, sizeof msg, NULL));
    CHECK_STR(msg, "twice(12)\n^ step limit reached");
    /* The same in a batch builder, and a plain long expression past a tiny budget. */
    ExpRsArena *arena = exp_rs_arena_new(0);
    ExpRsBatchBuilder *b = exp_rs_batch_builder_new(arena, ctx);
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "x + 1"));
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "twice(x + 12)"));
    CHECK_STATUS(exp_rs_batch_builder_eval(b, ctx), EXP_RS_STATUS_STEP_LIMIT);
    CHECK_OK(exp_rs_batch_builder_last_error(b, &err));
    CHECK(err.expression == 1);
    CHECK_OK(exp_rs_batch_builder_result(b, 0, &out));
    CHECK_NEAR(out, 1);
    exp_rs_batch_builder_free(b);
    CHECK_OK(exp_rs_context_set_limit(ctx, EXP_RS_LIMIT_MAX_STEPS, 3));
    CHECK_STATUS(exp_rs_context_eval(ctx, "x*x + x*x + x*x + x*x", (const char *[]){"x"},
                                     (exp_rs_real[]){2}, 1, &out, NULL),
                 EXP_RS_STATUS_STEP_LIMIT);
    CHECK_OK(exp_rs_context_set_limit(ctx, EXP_RS_LIMIT_MAX_STEPS, 10000000));
    CHECK_OK(exp_rs_context_eval(ctx, "x*x + x*x + x*x + x*x", (const char *[]){"x"},
                                 (exp_rs_real[]){2}, 1, &out, NULL));
    CHECK_NEAR(out, 16);

    /* Names that are not identifiers. */
    static const char *bad[] = {"1x", "a b", ""};
    exp_rs_real one = 1;
    for (size_t i = 0; i < 3; i++) {
        const char *names[] = {bad[i]};
        CHECK_STATUS(exp_rs_eval("1", names, &one, 1, &out), EXP_RS_STATUS_INVALID_NAME);
        CHECK_STATUS(exp_rs_eval_ex("1", names, &one, 1, &out, &err), EXP_RS_STATUS_INVALID_NAME);
        CHECK_STATUS(exp_rs_context_eval(ctx, "1", names, &one, 1, &out, NULL),
                     EXP_RS_STATUS_INVALID_NAME);
        CHECK_STATUS(exp_rs_context_set_constant(ctx, bad[i], 1), EXP_RS_STATUS_INVALID_NAME);
        CHECK_STATUS(exp_rs_context_remove(ctx, bad[i]), EXP_RS_STATUS_INVALID_NAME);
    }
    CHECK_OK(exp_rs_context_last_error(ctx, &err));
    CHECK(err.status == EXP_RS_STATUS_INVALID_NAME);

    /* A builder keeps the context as it was when it was bound; a builder
     * bound later sees the change. */
    CHECK_OK(exp_rs_context_set_constant(ctx, "gain", 2));
    ExpRsBatchBuilder *early = exp_rs_batch_builder_new(arena, ctx);
    CHECK_OK(exp_rs_batch_builder_add_expression(early, "gain * x"));
    ExpRsBatchBuilder *deferred = exp_rs_batch_builder_new_with_arena(arena);
    CHECK_OK(exp_rs_batch_builder_add_expression(deferred, "gain * x"));
    CHECK_OK(exp_rs_context_set_constant(ctx, "gain", 3));
    CHECK_OK(exp_rs_context_set_limit(ctx, EXP_RS_LIMIT_MAX_STEPS, 1));
    CHECK_OK(exp_rs_batch_builder_set_param(early, 0, 10));
    CHECK_OK(exp_rs_batch_builder_eval(early, ctx));
    CHECK_OK(exp_rs_batch_builder_result(early, 0, &out));
    CHECK_NEAR(out, 20); /* gain 2, the old step budget */
    CHECK_OK(exp_rs_context_set_limit(ctx, EXP_RS_LIMIT_MAX_STEPS, 10000000));
    CHECK_OK(exp_rs_batch_builder_set_param(deferred, 0, 10));
    CHECK_OK(exp_rs_batch_builder_eval(deferred, ctx)); /* binds now */
    CHECK_OK(exp_rs_batch_builder_result(deferred, 0, &out));
    CHECK_NEAR(out, 30);
    /* Builder checks run under the context's limits, bound or not. */
    CHECK_OK(exp_rs_context_set_limit(ctx, EXP_RS_LIMIT_MAX_LEN, 4));
    ExpRsBatchBuilder *later = exp_rs_batch_builder_new_with_arena(arena);
    CHECK_OK(exp_rs_batch_builder_add_expression(later, "1 + 2 + 3")); /* syntax only */
    CHECK_STATUS(exp_rs_batch_builder_bind(later, ctx), EXP_RS_STATUS_TOO_LONG);
    CHECK_STATUS(exp_rs_batch_builder_add_expression(early, "1 + 2 + 3"), EXP_RS_STATUS_OK);
    exp_rs_batch_builder_free(later);
    later = exp_rs_batch_builder_new(arena, ctx);
    CHECK_STATUS(exp_rs_batch_builder_add_expression(later, "1 + 2 + 3"), EXP_RS_STATUS_TOO_LONG);
    exp_rs_batch_builder_free(later);

    /* The context freed before its builders: they still evaluate. */
    exp_rs_context_free(ctx);
    CHECK_OK(exp_rs_batch_builder_eval(early, NULL));
    CHECK_OK(exp_rs_batch_builder_result(early, 0, &out));
    CHECK_NEAR(out, 20);
    CHECK_OK(exp_rs_batch_builder_eval(deferred, NULL));
    CHECK_OK(exp_rs_batch_builder_result(deferred, 0, &out));
    CHECK_NEAR(out, 30);
    exp_rs_batch_builder_free(early);
    exp_rs_batch_builder_free(deferred);
    exp_rs_arena_free(arena);
}

/* Derivatives (issue 17): exp_rs_derivative writes the simplified source
 * with the usual buffer conventions; the batch builder adds a derivative
 * as a new expression evaluated with the rest. */
static void test_derivatives(void) {
    char buf[64];
    size_t need = 0;
    exp_rs_error err;
    CHECK_OK(exp_rs_derivative(NULL, "x^3", "x", buf, sizeof buf, &need, &err));
    CHECK_STR(buf, "3 * x^2");
    CHECK(need == strlen("3 * x^2") + 1);
    CHECK_OK(exp_rs_derivative(NULL, "x * y", "x", buf, sizeof buf, NULL, NULL));
    CHECK_STR(buf, "y");
    CHECK_OK(exp_rs_derivative(NULL, "sin(x)", "x", buf, sizeof buf, NULL, NULL));
    CHECK_STR(buf, "cos(x)");
    CHECK_OK(exp_rs_derivative(NULL, "y^2", "x", buf, sizeof buf, NULL, NULL));
    CHECK_STR(buf, "0");
    /* Size query, then a cut on a too-small buffer. */
    CHECK_STATUS(exp_rs_derivative(NULL, "x^3", "x", NULL, 0, &need, NULL),
                 EXP_RS_STATUS_BUFFER_TOO_SMALL);
    CHECK(need == 8);
    char small[4];
    CHECK_STATUS(exp_rs_derivative(NULL, "x^3", "x", small, sizeof small, &need, NULL),
                 EXP_RS_STATUS_BUFFER_TOO_SMALL);
    CHECK_STR(small, "3 *");
    CHECK_STATUS(exp_rs_derivative(NULL, "x^3", "x", NULL, 4, NULL, NULL),
                 EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_derivative(NULL, NULL, "x", buf, sizeof buf, NULL, NULL),
                 EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_derivative(NULL, "x", NULL, buf, sizeof buf, NULL, NULL),
                 EXP_RS_STATUS_NULL_POINTER);
    /* Syntax errors keep their span. */
    CHECK_STATUS(exp_rs_derivative(NULL, "x +* 2", "x", buf, sizeof buf, NULL, &err),
                 EXP_RS_STATUS_EXPECTED_OPERAND);
    CHECK(err.span_start == 3 && err.span_end == 4);

    /* A native without a registered derivative, and recursion, are
     * NOT_DIFFERENTIABLE at the call, recorded on the context. */
    ExpRsContext *ctx = exp_rs_context_new();
    exp_rs_real factor = 2;
    CHECK_OK(exp_rs_context_add_function(ctx, "scale", 1, false, scale, &factor));
    CHECK_OK(exp_rs_context_add_expression_function(ctx, "fact(n) = n <= 1 ? 1 : n * fact(n - 1)"));
    CHECK_OK(exp_rs_context_add_expression_function(ctx, "sq(t) = t * t"));
    CHECK_STATUS(exp_rs_derivative(ctx, "1 + scale(x)", "x", buf, sizeof buf, NULL, &err),
                 EXP_RS_STATUS_NOT_DIFFERENTIABLE);
    CHECK(err.span_start == 4 && err.span_end == 12);
    exp_rs_error last;
    CHECK_OK(exp_rs_context_last_error(ctx, &last));
    CHECK(last.status == EXP_RS_STATUS_NOT_DIFFERENTIABLE);
    CHECK_STATUS(exp_rs_derivative(ctx, "fact(x)", "x", buf, sizeof buf, NULL, &err),
                 EXP_RS_STATUS_NOT_DIFFERENTIABLE);
    CHECK_OK(exp_rs_derivative(ctx, "sq(x) + scale(y)", "x", buf, sizeof buf, NULL, NULL));
    CHECK_STR(buf, "x + x");

    /* The batch builder: f, then df/dx and df/dy as expressions 1 and 2. */
    ExpRsArena *arena = exp_rs_arena_new(32 * 1024);
    ExpRsBatchBuilder *b = exp_rs_batch_builder_new(arena, ctx);
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "x^2 * sin(y)"));
    size_t dx = 0, dy = 0;
    CHECK_OK(exp_rs_batch_builder_add_derivative(b, 0, "x", &dx));
    CHECK_OK(exp_rs_batch_builder_add_derivative(b, 0, "y", &dy));
    CHECK(dx == 1 && dy == 2);
    const exp_rs_real xy[] = {3, 0.5};
    CHECK_OK(exp_rs_batch_builder_set_params(b, xy, 2));
    CHECK_OK(exp_rs_batch_builder_eval(b, ctx));
    exp_rs_real r = 0;
    CHECK_OK(exp_rs_batch_builder_result(b, dx, &r));
    CHECK_NEAR(r, 6 * 0.479425538604203); /* 2 x sin(y) */
    CHECK_OK(exp_rs_batch_builder_result(b, dy, &r));
    CHECK_NEAR(r, 9 * 0.8775825618903728); /* x^2 cos(y) */
    /* A derivative of a derivative. */
    size_t dxx = 0;
    CHECK_OK(exp_rs_batch_builder_add_derivative(b, dx, "x", &dxx));
    CHECK_OK(exp_rs_batch_builder_eval(b, ctx));
    CHECK_OK(exp_rs_batch_builder_result(b, dxx, &r));
    CHECK_NEAR(r, 2 * 0.479425538604203);
    CHECK_STATUS(exp_rs_batch_builder_add_derivative(b, 9, "x", &dx), EXP_RS_STATUS_BAD_INDEX);
    CHECK_STATUS(exp_rs_batch_builder_add_derivative(b, 0, "q", &dx),
                 EXP_RS_STATUS_UNKNOWN_VARIABLE);
    CHECK_STATUS(exp_rs_batch_builder_add_derivative(b, 0, NULL, &dx),
                 EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_add_derivative(b, 0, "x", NULL),
                 EXP_RS_STATUS_NULL_POINTER);
    CHECK_STATUS(exp_rs_batch_builder_add_derivative(NULL, 0, "x", &dx),
                 EXP_RS_STATUS_NULL_POINTER);
    CHECK_OK(exp_rs_batch_builder_add_expression(b, "scale(x)"));
    CHECK_STATUS(exp_rs_batch_builder_add_derivative(b, 4, "x", &dx),
                 EXP_RS_STATUS_NOT_DIFFERENTIABLE);
    size_t count = 0;
    CHECK_OK(exp_rs_batch_builder_expression_count(b, &count));
    CHECK(count == 5); /* the failed add changed nothing */
    exp_rs_batch_builder_free(b);

    /* Unbound builders have nothing to differentiate against yet. */
    ExpRsBatchBuilder *u = exp_rs_batch_builder_new_with_arena(arena);
    CHECK_OK(exp_rs_batch_builder_add_expression(u, "x^2"));
    CHECK_STATUS(exp_rs_batch_builder_add_derivative(u, 0, "x", &dx), EXP_RS_STATUS_NOT_BOUND);
    exp_rs_batch_builder_free(u);
    exp_rs_arena_free(arena);
    exp_rs_context_free(ctx);
}

/* ---------- the heap running dry ---------- */

static exp_rs_real oom_twice(void *data, const exp_rs_real *args, size_t n) {
    (void)data;
    (void)n;
    return 2 * args[0];
}

static bool oom_half(void *data, const exp_rs_real *args, size_t n, exp_rs_real *out) {
    (void)data;
    (void)n;
    *out = args[0] / 2;
    return true;
}

/* Whether a failure was injected since the last call; the heap works again
 * from now. */
static int took_injection(void) {
    int i = injected;
    injected = 0;
    failing = 0;
    return i;
}

/* A call that may fail for want of memory: if it did, the failure must be
 * the injected one, and the same call again (the heap works again) must
 * succeed: a failed call changed nothing. */
#define OOM_STEP(call)                                                              \
    do {                                                                            \
        exp_rs_status s_ = (call);                                                  \
        if (s_ == EXP_RS_STATUS_OUT_OF_MEMORY || s_ == EXP_RS_STATUS_ARENA_FULL) { \
            CHECK(took_injection());                                                \
            s_ = (call);                                                            \
        }                                                                           \
        CHECK_OK(s_);                                                               \
    } while (0)

/* The same for a call that returns a handle (NULL when it failed). */
#define OOM_NEW(var, call)                                                          \
    do {                                                                            \
        var = (call);                                                               \
        if (var == NULL) {                                                          \
            CHECK(took_injection());                                                \
            var = (call);                                                           \
        }                                                                           \
        CHECK(var != NULL);                                                         \
    } while (0)

/* Every set-up call of a firmware's, with one `malloc` failing at a time:
 * returns whether the failure was injected (false once the scenario makes
 * fewer requests than `at`). Each call reports OUT_OF_MEMORY or ARENA_FULL
 * (or NULL) with nothing changed, never aborts, and the results at the end
 * are the right ones. A fixed arena keeps its used bytes over a failed add. */
static int oom_scenario(long at, int persist) {
    injected = 0;
    fail_persist = persist;
    fail_at = at;
    ExpRsContext *ctx;
    OOM_NEW(ctx, exp_rs_context_new());
    OOM_STEP(exp_rs_context_set_constant(ctx, "k", 2));
    OOM_STEP(exp_rs_context_add_function(ctx, "twice", 1, false, oom_twice, NULL));
    OOM_STEP(exp_rs_context_add_fallible_function(ctx, "half", 1, false, oom_half, NULL));
    OOM_STEP(exp_rs_context_add_expression_function(ctx, "hyp(a, b) = sqrt(a^2 + b^2)"));
    OOM_STEP(exp_rs_context_add_expression_function(ctx, "f(n) = n <= 1 ? 1 : n * f(n - 1)"));
    const exp_rs_real lut[] = {1, 2, 3};
    OOM_STEP(exp_rs_context_add_array(ctx, "lut", lut, 3));
    const char *fields[] = {"gain", "offset"};
    const exp_rs_real cal[] = {2, 0.5};
    OOM_STEP(exp_rs_context_add_object(ctx, "cal", fields, cal, 2));
    OOM_STEP(exp_rs_context_set_limit(ctx, EXP_RS_LIMIT_MAX_STEPS, 100000));
    OOM_STEP(exp_rs_context_remove(ctx, "k"));
    OOM_STEP(exp_rs_context_set_constant(ctx, "k", 3));

    /* A fixed arena, sized by the estimate, and a builder bound to ctx. */
    const char *exprs[] = {"hyp(x, 4) + twice(lut[1]) + cal.gain * half(x) - k",
                           "x * k - y + f(4)"};
    const char *params[] = {"x"};
    size_t size = 0;
    OOM_STEP(exp_rs_arena_estimate_params(ctx, exprs, 2, params, 1, &size));
    ExpRsArena *arena;
    OOM_NEW(arena, exp_rs_arena_new(size));
    ExpRsBatchBuilder *b;
    OOM_NEW(b, exp_rs_batch_builder_new(arena, ctx));
    size_t x = 0;
    OOM_STEP(exp_rs_batch_builder_add_param(b, "x", 3, &x));
    for (int i = 0; i < 2; i++) {
        size_t used = exp_rs_arena_used(arena);
        exp_rs_status st = exp_rs_batch_builder_add_expression(b, exprs[i]);
        if (st != EXP_RS_STATUS_OK) {
            CHECK_STATUS(st, EXP_RS_STATUS_ARENA_FULL);
            CHECK(took_injection());
            CHECK(exp_rs_arena_used(arena) == used);
            st = exp_rs_batch_builder_add_expression(b, exprs[i]);
        }
        CHECK_OK(st);
    }
    /* A wrong definition records its message (a copy of the text). */
    exp_rs_status wrong = exp_rs_context_add_expression_function(ctx, "g(a) = a +* 2");
    if (wrong == EXP_RS_STATUS_OUT_OF_MEMORY) {
        CHECK(took_injection());
        wrong = exp_rs_context_add_expression_function(ctx, "g(a) = a +* 2");
    }
    CHECK_STATUS(wrong, EXP_RS_STATUS_EXPECTED_OPERAND);
    took_injection(); /* copying the text for the message may fail: no source then */
    CHECK_OK(exp_rs_batch_builder_set_param(b, 1, 5));
    CHECK_OK(exp_rs_batch_builder_eval(b, ctx));
    exp_rs_real r0 = 0, r1 = 0;
    CHECK_OK(exp_rs_batch_builder_result(b, 0, &r0));
    CHECK_OK(exp_rs_batch_builder_result(b, 1, &r1));
    CHECK_NEAR(r0, 5.0 + 4.0 + 2.0 * 1.5 - 3.0);
    CHECK_NEAR(r1, 3.0 * 3.0 - 5.0 + 24.0);

    /* A builder made without a context, bound later, in a growable arena. */
    ExpRsArena *grow;
    OOM_NEW(grow, exp_rs_arena_new(0));
    ExpRsBatchBuilder *u;
    OOM_NEW(u, exp_rs_batch_builder_new_with_arena(grow));
    size_t z = 0;
    OOM_STEP(exp_rs_batch_builder_add_param(u, "z", 0, &z));
    OOM_STEP(exp_rs_batch_builder_add_expression(u, "hyp(3, 4) * k + z + w"));
    CHECK_OK(exp_rs_batch_builder_set_param(u, z, 1));     /* no allocation */
    CHECK_OK(exp_rs_batch_builder_set_param(u, z + 1, 2)); /* nor here */
    OOM_STEP(exp_rs_batch_builder_bind(u, ctx));
    exp_rs_real r2 = 0;
    CHECK_OK(exp_rs_batch_builder_eval(u, ctx));
    CHECK_OK(exp_rs_batch_builder_result(u, 0, &r2));
    CHECK_NEAR(r2, 18.0);

    /* One-shot evaluations. */
    const char *names[] = {"x"};
    const exp_rs_real values[] = {2};
    exp_rs_real out = 0;
    OOM_STEP(exp_rs_eval("x * 2 + 1", names, values, 1, &out));
    CHECK_NEAR(out, 5.0);
    OOM_STEP(exp_rs_context_eval(ctx, "twice(x) + k + f(3)", names, values, 1, &out, NULL));
    CHECK_NEAR(out, 4.0 + 3.0 + 6.0);

    exp_rs_batch_builder_free(u);
    exp_rs_arena_free(grow);
    exp_rs_batch_builder_free(b);
    exp_rs_arena_free(arena);
    exp_rs_context_free(ctx);
    int happened = fail_at < 0;
    fail_at = -1;
    failing = 0;
    injected = 0;
    return happened;
}

static void test_out_of_memory(void) {
    for (int persist = 0; persist <= 1; persist++) {
        long runs = 0;
        while (oom_scenario(runs, persist)) runs++;
        /* Every request of the scenario failed, in its own run. */
        CHECK(runs >= 100);
        printf("out of memory: %ld runs, each with %s\n", runs,
               persist ? "the heap full from one allocation on" : "one failing allocation");
    }
}

int main(void) {
    test_status();
    test_eval();
    test_arena();
    test_exhaustion();
    test_arena_sweep();
    test_arena_new_bytes();
    test_failed_adds();
    test_limit_below_capacity();
    test_estimate_property();
    test_context_last_error();
    test_context();
    test_builder();
    test_unbound();
    test_lifetimes();
    test_reentry();
    test_context_eval_hold();
    test_limits_and_names();
    test_hostile();
    test_panic();
    test_zero_allocations();
    test_derivatives();
    test_out_of_memory();
    return check_summary();
}
