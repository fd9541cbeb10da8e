/* The heap region, handed to newlib's malloc through _sbrk, and the
 * counting wrappers around malloc/free/realloc/calloc. */
#include "heap.h"

#include "semihost.h"

#include <errno.h>
#include <malloc.h>
#include <reent.h>
#include <stdbool.h>

extern char _heap_start[], _heap_end[];

static char *brk = _heap_start;
static struct heap_stats stats;

/* The reentrant forms: the plain malloc_usable_size and mallinfo live in
 * newlib-nano's mstats.o next to malloc_stats, which drags in stdio. */
static size_t usable(void *p) { return _malloc_usable_size_r(_REENT, p); }
static volatile bool frozen;

/* heap_fail_at: the allocation that fails next (counting down), or -1;
 * with `fail_persist`, every later one fails too until heap_injected(). */
static long fail_countdown = -1;
static bool fail_persist, failing, fail_injected;

/* Whether this allocation fails (as on a full heap). */
static bool fail_now(void) {
    if (failing) return true;
    if (fail_countdown < 0) return false;
    if (fail_countdown-- > 0) return false;
    fail_injected = true;
    failing = fail_persist;
    return true;
}

/* newlib's malloc grows its pool with this; the region is fixed by the
 * linker script, so running out is ENOMEM, never a collision with the
 * stack. */
void *_sbrk(ptrdiff_t increment);
void *_sbrk(ptrdiff_t increment) {
    if (increment > _heap_end - brk || increment < _heap_start - brk) {
        errno = ENOMEM;
        return (void *)-1;
    }
    char *old = brk;
    brk += increment;
    return old;
}

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);

static void count_block(void *p, size_t requested) {
    stats.bytes += requested;
    stats.live += usable(p);
    if (stats.live > stats.peak_live) stats.peak_live = stats.live;
}

/* After set-up an allocation is a bug: say so on the report's output and
 * refuse it (NULL). exp-rs then stops with its own error (OUT_OF_MEMORY or
 * ARENA_FULL) instead of the heap growing unseen. */
static bool refuse(const char *what, size_t size) {
    if (!frozen) return false;
    stats.frozen_allocations++;
    out_str("MALLOC AFTER SET-UP REFUSED: ");
    out_str(what);
    out_char(' ');
    out_u(size);
    out_str(" B");
    out_nl();
    return true;
}

void *__wrap_malloc(size_t size) {
    if (refuse("malloc", size) || fail_now()) return NULL;
    void *p = __real_malloc(size);
    if (p) {
        stats.allocations++;
        count_block(p, size);
    }
    return p;
}

void *__wrap_calloc(size_t n, size_t size) {
    if (refuse("calloc", n * size) || fail_now()) return NULL;
    void *p = __real_calloc(n, size);
    if (p) {
        stats.allocations++;
        count_block(p, n * size);
    }
    return p;
}

void *__wrap_realloc(void *p, size_t size) {
    if (refuse("realloc", size) || fail_now()) return NULL;
    size_t before = p ? usable(p) : 0;
    void *q = __real_realloc(p, size);
    if (p && size == 0) { /* freed */
        stats.frees++;
        stats.live -= before;
    } else if (q) {
        if (p)
            stats.reallocs++;
        else
            stats.allocations++;
        stats.live -= before;
        count_block(q, size);
    }
    return q;
}

void __wrap_free(void *p) {
    if (frozen) stats.frozen_frees++;
    if (!p) return;
    stats.frees++;
    stats.live -= usable(p);
    __real_free(p);
}

void heap_fail_at(long n, bool persist) {
    fail_countdown = n;
    fail_persist = persist;
    failing = false;
    fail_injected = false;
}

bool heap_fail_pending(void) { return fail_countdown >= 0; }

bool heap_injected(void) {
    bool was = fail_injected;
    fail_injected = false;
    failing = false;
    return was;
}

void heap_freeze(void) { frozen = true; }
void heap_thaw(void) { frozen = false; }

void heap_stats(struct heap_stats *out) {
    *out = stats;
    out->sbrk_used = (size_t)(brk - _heap_start);
    out->heap_size = (size_t)(_heap_end - _heap_start);
}

size_t heap_in_use(void) { return (size_t)_mallinfo_r(_REENT).uordblks; }
