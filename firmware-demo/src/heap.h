/* The heap, counted: newlib's malloc/free/realloc/calloc are wrapped
 * (ld --wrap), so every call from the firmware and from exp-rs's global
 * allocator passes through here. */
#ifndef HEAP_H
#define HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct heap_stats {
    uint32_t allocations;   /* blocks allocated: malloc, calloc, realloc(NULL, n) */
    uint32_t reallocs;      /* blocks resized: realloc(p, n) */
    uint32_t frees;         /* blocks freed: free(p), realloc(p, 0) */
    uint64_t bytes;         /* bytes requested, in all */
    size_t live;            /* bytes in live blocks (as malloc_usable_size counts them) */
    size_t peak_live;       /* the most ever live at once */
    size_t sbrk_used;       /* bytes newlib took from the heap region (its high-water) */
    size_t heap_size;       /* the heap region's size */
    uint32_t frozen_allocations; /* malloc/calloc/realloc calls while frozen */
    uint32_t frozen_frees;       /* free calls while frozen */
};

/* Freeze, once set-up is done: from now on malloc/calloc/realloc print
 * `MALLOC AFTER SET-UP REFUSED` and return NULL, and every such call or free
 * is counted as a violation (the real-time loop must not allocate). Thawed
 * only for the demo's extra tests after the loop. */
void heap_freeze(void);
void heap_thaw(void);
void heap_stats(struct heap_stats *out);
/* Fault injection, for the out-of-memory sweep: the allocation `n` from
 * now (0 = the next) fails, as on a full heap: once, or with `persist`
 * every later one too until heap_injected(); -1 turns it off. */
void heap_fail_at(long n, bool persist);
/* Whether that allocation is still to come. */
bool heap_fail_pending(void);
/* Whether it failed since the last call; the heap works again from now. */
bool heap_injected(void);
/* Bytes in use according to newlib itself (mallinfo), a second opinion
 * that also sees allocations which bypass the wrapped entry points. */
size_t heap_in_use(void);

#endif
