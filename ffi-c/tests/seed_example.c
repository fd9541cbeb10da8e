/* The C example of the seed document (SEED.md, "From C"), completed into a
 * program: the lines between BEGIN SEED and END SEED are copied verbatim.
 * Only the declarations it assumes (sensor arrays, `context`) and the
 * checks and clean-up around it are added.
 *
 * The builder of `exp_rs_batch_builder_new_with_arena` is bound to
 * `context` by the first `exp_rs_batch_builder_eval`, which compiles (and
 * allocates) once; the same loop run again afterwards must allocate
 * nothing. Linked with -Wl,--wrap=malloc,... to count. */
#include "exp_rs.h"

#include <stdlib.h>

#include "check.h"

static size_t allocations = 0;
void *__real_malloc(size_t size);
void *__real_realloc(void *p, size_t size);
void *__real_calloc(size_t n, size_t size);
void __real_free(void *p);
int __real_posix_memalign(void **p, size_t align, size_t size);
void *__real_aligned_alloc(size_t align, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_realloc(void *p, size_t size);
void *__wrap_calloc(size_t n, size_t size);
void __wrap_free(void *p);
int __wrap_posix_memalign(void **p, size_t align, size_t size);
void *__wrap_aligned_alloc(size_t align, size_t size);
void *__wrap_malloc(size_t size) { allocations++; return __real_malloc(size); }
void *__wrap_realloc(void *p, size_t size) { allocations++; return __real_realloc(p, size); }
void *__wrap_calloc(size_t n, size_t size) { allocations++; return __real_calloc(n, size); }
void __wrap_free(void *p) { if (p) allocations++; __real_free(p); }
int __wrap_posix_memalign(void **p, size_t align, size_t size) {
    allocations++;
    return __real_posix_memalign(p, align, size);
}
void *__wrap_aligned_alloc(size_t align, size_t size) {
    allocations++;
    return __real_aligned_alloc(align, size);
}

#define N 10000

static double sensor_x[N], sensor_y[N], sensor_z[N];

int main(void) {
    for (int i = 0; i < N; i++) {
        sensor_x[i] = 0.5 * i;
        sensor_y[i] = 0.001 * i;
        sensor_z[i] = -1.0 * i;
    }
    ExpRsContext *context = exp_rs_context_new();
    CHECK(context != NULL);

    /* BEGIN SEED */
// One-time setup
Arena* arena = exp_rs_arena_new(64 * 1024);
BatchBuilder* builder = exp_rs_batch_builder_new_with_arena(arena);

// Add expressions (parsed into arena)
exp_rs_batch_builder_add_expression(builder, "x * sin(y) + z");

// Evaluate many times - zero allocations
for (int i = 0; i < 10000; i++) {
    exp_rs_batch_builder_set_param(builder, 0, sensor_x[i]);
    exp_rs_batch_builder_set_param(builder, 1, sensor_y[i]);
    exp_rs_batch_builder_set_param(builder, 2, sensor_z[i]);
    exp_rs_batch_builder_eval(builder, context);
}
    /* END SEED */

    CHECK(arena != NULL);
    CHECK(builder != NULL);
    exp_rs_real got = 0;
    CHECK_OK(exp_rs_batch_builder_result(builder, 0, &got));
    int last = N - 1;
    CHECK_NEAR(got, sensor_x[last] * sin(sensor_y[last]) + sensor_z[last]);
    size_t ix = 99;
    CHECK_OK(exp_rs_batch_builder_param_index(builder, "z", &ix));
    CHECK(ix == 2);

    /* The seed's loop again, now that the builder is bound: no malloc,
     * realloc or free at all. */
    size_t before = allocations;
    for (int i = 0; i < 10000; i++) {
        exp_rs_batch_builder_set_param(builder, 0, sensor_x[i]);
        exp_rs_batch_builder_set_param(builder, 1, sensor_y[i]);
        exp_rs_batch_builder_set_param(builder, 2, sensor_z[i]);
        exp_rs_batch_builder_eval(builder, context);
    }
    CHECK(allocations == before);
    CHECK(before > 0); /* the wrapper does see the library's allocations */

    exp_rs_batch_builder_free(builder);
    exp_rs_arena_free(arena);
    exp_rs_context_free(context);
    return check_summary();
}
