//! `ExpRsArena`: the bump arena expressions are compiled into.

use alloc::boxed::Box;
use core::cell::UnsafeCell;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use bumpalo::Bump;
use exp_rs::fallible::try_box;

use crate::guard::boundary;
use crate::status::exp_rs_status;

/// An arena: the memory compiled expressions live in (trees, programs,
/// value stacks, parameter names). Opaque; create with `exp_rs_arena_new`,
/// release with `exp_rs_arena_free`.
pub struct ExpRsArena {
    /// The bump arena. `&mut` is taken only by `exp_rs_arena_reset`, and only
    /// while no builder (the only holder of longer-lived `&Bump`) uses it.
    bump: UnsafeCell<Bump>,
    /// Batch builders using this arena (their programs point into it).
    users: AtomicUsize,
    /// `exp_rs_arena_free` was called while builders still used it.
    released: AtomicBool,
    /// The cap asked for (`usize::MAX`: none); see `apply_limit`.
    limit: AtomicUsize,
}

/// Bytes bumpalo keeps at the end of each block for its bookkeeping (its
/// chunk footer: 6 words, rounded up to 16 bytes): 48 on 64-bit targets,
/// 32 on 32-bit ones. A block from the allocator is the capacity plus this.
pub(crate) const FOOTER: usize = (6 * core::mem::size_of::<usize>()).next_multiple_of(16);

/// What bumpalo (3.20) adds to a block's capacity before rounding its size:
/// the footer and 16 bytes it leaves for `malloc`'s own header.
const ROUNDING_OVERHEAD: usize = (16 + FOOTER).next_multiple_of(16);

/// The capacity bumpalo gives a block asked for `capacity` bytes (at
/// least its default first block, 512 bytes with the overhead): below
/// 4 KiB the capacity plus `ROUNDING_OVERHEAD` rounded up to a power of
/// two, above it to a multiple of 4 KiB, minus `ROUNDING_OVERHEAD`.
fn chunk_capacity_for(capacity: usize) -> Option<usize> {
    // At least the default first block (512 bytes with the overhead), in
    // steps of 16.
    let capacity = capacity
        .checked_next_multiple_of(16)?
        .max(512 - ROUNDING_OVERHEAD);
    let rounded = if capacity < 4096 {
        (capacity + ROUNDING_OVERHEAD).checked_next_power_of_two()?
    } else {
        capacity
            .checked_add(ROUNDING_OVERHEAD)?
            .checked_next_multiple_of(4096)?
    };
    Some(rounded - ROUNDING_OVERHEAD)
}

/// The largest block capacity bumpalo makes whose block (capacity plus
/// `FOOTER`) is at most `size` bytes; 0 when even the smallest is larger.
pub(crate) fn capacity_within(size: usize) -> usize {
    let Some(room) = size.checked_sub(FOOTER) else {
        return 0;
    };
    if room >= 4096 - ROUNDING_OVERHEAD {
        // Multiples of 4 KiB, less the overhead.
        return ((room + ROUNDING_OVERHEAD) / 4096) * 4096 - ROUNDING_OVERHEAD;
    }
    // Powers of two (from 512 up), less the overhead.
    let mut best = 0;
    let mut p = 512;
    while p - ROUNDING_OVERHEAD <= room && p <= 4096 {
        best = p - ROUNDING_OVERHEAD;
        p *= 2;
    }
    best
}

/// The smallest block size (capacity plus `FOOTER`) whose capacity holds
/// `bytes`: what `exp_rs_arena_new` should be given.
pub(crate) fn block_for(bytes: usize) -> usize {
    chunk_capacity_for(bytes).map_or(usize::MAX, |c| c.saturating_add(FOOTER))
}

impl ExpRsArena {
    /// The bump arena, shared.
    pub(crate) fn bump(&self) -> &Bump {
        // SAFETY: the only `&mut Bump` is made in `exp_rs_arena_reset` while
        // `users == 0`, inside that call, when no `&Bump` is alive.
        unsafe { &*self.bump.get() }
    }

    /// Gives bumpalo the cap asked for, raised to what the arena already
    /// holds: bumpalo ignores a limit below its allocated bytes altogether
    /// (it would grow without bound), while a limit equal to them stops
    /// growth. Called again after a reset, which can shrink the arena.
    fn apply_limit(&self) {
        let bump = self.bump();
        let limit = self.limit.load(Ordering::Acquire);
        let limit = (limit != usize::MAX).then(|| limit.max(bump.allocated_bytes()));
        bump.set_allocation_limit(limit);
    }
}

/// A builder's hold on its arena: while it lives the arena is neither
/// freed nor reset; dropping it frees the arena if its owner already did.
pub(crate) struct ArenaHold(NonNull<ExpRsArena>);

impl ArenaHold {
    pub(crate) fn new(arena: &ExpRsArena) -> ArenaHold {
        arena.users.fetch_add(1, Ordering::AcqRel);
        ArenaHold(NonNull::from(arena))
    }

    /// The bump arena, for as long as this hold lives.
    ///
    /// # Safety
    /// Nothing borrowing the result may outlive this hold.
    pub(crate) unsafe fn bump(&self) -> &'static Bump {
        // SAFETY: held, so allocated and never reset until `drop`; the
        // caller drops everything borrowing it before the hold.
        unsafe { &*self.0.as_ptr() }.bump()
    }
}

impl Drop for ArenaHold {
    fn drop(&mut self) {
        // SAFETY: held, so still allocated.
        let a = unsafe { self.0.as_ref() };
        if a.users.fetch_sub(1, Ordering::AcqRel) == 1 && a.released.load(Ordering::Acquire) {
            // SAFETY: released by its owner and unused: nobody can reach it.
            drop(unsafe { Box::from_raw(self.0.as_ptr()) });
        }
    }
}

/// Creates an arena of at most `size` bytes, allocated now: one block from
/// the global allocator (C `malloc` on bare metal) plus the handle
/// (`malloc`'d separately, under 64 bytes).
///
/// The block is never larger than `size`: it is the arena's capacity
/// (`exp_rs_arena_capacity`) plus a fixed 48-byte footer (32 on 32-bit
/// targets such as the Cortex-M7) where the arena keeps its bookkeeping.
/// The capacity is the largest the arena allocator makes that fits:
/// 2^k − 64 bytes below 4 KiB (448, 960, 1,984 or 4,032), then multiples of
/// 4 KiB less 64 (on 32-bit: less 48). So the block is 2^k − 16 (496,
/// 1,008, 2,032, 4,080) or a multiple of 4 KiB less 16 bytes, on every
/// target: `exp_rs_arena_new(4096)` asks `malloc` for 4,080 bytes (capacity
/// 4,032), `(8192)` for 8,176 (8,128), `(65536)` for 65,520 (65,472; 65,488
/// on 32-bit), but `(1000)` only for 496 (448): below 4 KiB the steps are
/// powers of two. A `size` from `exp_rs_arena_estimate` is always one of
/// these block sizes: the arena gets exactly that block. A `size` too small
/// for any block (below 496 bytes) allocates nothing and holds nothing.
///
/// With `size > 0` the arena is **fixed**: it never grows, and a compile
/// that needs more fails with `EXP_RS_STATUS_ARENA_FULL` (see
/// `exp_rs_arena_estimate` for the size an expression set needs, and
/// `exp_rs_arena_set_limit` to allow growth). With `size == 0` it starts
/// empty and grows without limit (convenient on hosts).
///
/// Returns NULL if the memory cannot be allocated, or `size` is more than
/// `PTRDIFF_MAX` − 4096. Free with `exp_rs_arena_free`.
#[unsafe(no_mangle)]
pub extern "C" fn exp_rs_arena_new(size: usize) -> *mut ExpRsArena {
    boundary(core::ptr::null_mut(), || {
        // No object can be that large (Rust's limit is `isize::MAX`); such
        // a size is a mistake, refused without asking `malloc`.
        if size > isize::MAX as usize - 4096 {
            return core::ptr::null_mut();
        }
        let capacity = capacity_within(size);
        let Ok(bump) = Bump::try_with_capacity(capacity) else {
            return core::ptr::null_mut();
        };
        let Ok(arena) = try_box(ExpRsArena {
            bump: UnsafeCell::new(bump),
            users: AtomicUsize::new(0),
            released: AtomicBool::new(false),
            limit: AtomicUsize::new(usize::MAX),
        }) else {
            return core::ptr::null_mut();
        };
        if size > 0 {
            arena.limit.store(0, Ordering::Release);
            arena.apply_limit();
        }
        Box::into_raw(arena)
    })
}

/// Releases an arena. NULL does nothing. If batch builders still use it,
/// the memory is freed when the last of them is freed; either way the
/// caller must not use `arena` again (freeing twice is undefined, as with
/// C `free`).
///
/// # Safety
/// `arena` is NULL or a live pointer from `exp_rs_arena_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_arena_free(arena: *mut ExpRsArena) {
    boundary((), || {
        if arena.is_null() {
            return;
        }
        // SAFETY: a live arena, per the contract.
        let in_use = unsafe {
            let a = &*arena;
            a.released.store(true, Ordering::Release);
            a.users.load(Ordering::Acquire) > 0
        };
        if !in_use {
            // SAFETY: no builder holds it and the owner gave it up.
            drop(unsafe { Box::from_raw(arena) });
        }
    })
}

/// Empties the arena for reuse, keeping its memory (the current block).
/// Refused with `EXP_RS_STATUS_ARENA_IN_USE` while a batch builder uses it
/// (its programs live in the arena): free the builders first.
/// `EXP_RS_STATUS_NULL_POINTER` for NULL. No allocation.
///
/// # Safety
/// `arena` is NULL or a live pointer from `exp_rs_arena_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_arena_reset(arena: *mut ExpRsArena) -> exp_rs_status {
    boundary(exp_rs_status::Panic, || {
        if arena.is_null() {
            return exp_rs_status::NullPointer;
        }
        // SAFETY: a live arena, per the contract.
        let a = unsafe { &*arena };
        if a.users.load(Ordering::Acquire) > 0 {
            return exp_rs_status::ArenaInUse;
        }
        // SAFETY: no builder uses the arena, so no `&Bump` exists besides
        // none at all: this is the only reference into the cell.
        unsafe { (*a.bump.get()).reset() };
        a.apply_limit();
        exp_rs_status::Ok
    })
}

/// Bytes of the arena in use (0 for NULL). No allocation.
///
/// # Safety
/// `arena` is NULL or a live pointer from `exp_rs_arena_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_arena_used(arena: *const ExpRsArena) -> usize {
    boundary(0, || {
        // SAFETY: NULL or live, per the contract.
        unsafe { arena.as_ref() }.map_or(0, |a| exp_rs::arena_used(a.bump()))
    })
}

/// Bytes the arena holds from the allocator (its blocks, without
/// bookkeeping); at least the `size` it was created with (0 for NULL).
///
/// # Safety
/// `arena` is NULL or a live pointer from `exp_rs_arena_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_arena_capacity(arena: *const ExpRsArena) -> usize {
    boundary(0, || {
        // SAFETY: NULL or live, per the contract.
        unsafe { arena.as_ref() }.map_or(0, |a| a.bump().allocated_bytes())
    })
}

/// Caps the arena's total size at `limit` bytes: it may grow (allocating
/// further blocks) up to the cap, and a compile that needs more fails with
/// `EXP_RS_STATUS_ARENA_FULL` instead of allocating. `SIZE_MAX` removes the
/// cap. A cap at or below the current capacity (0 included) stops growth
/// at once: the arena keeps what it holds and allocates no further block
/// (after `exp_rs_arena_reset`, which keeps only the last block, the cap
/// applies again to what is left). A fixed arena (`size > 0`) has a cap of
/// 0. Allowed while builders use the arena. No allocation.
///
/// # Safety
/// `arena` is NULL or a live pointer from `exp_rs_arena_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_arena_set_limit(
    arena: *mut ExpRsArena,
    limit: usize,
) -> exp_rs_status {
    boundary(exp_rs_status::Panic, || {
        // SAFETY: NULL or live, per the contract.
        let Some(a) = (unsafe { arena.as_ref() }) else {
            return exp_rs_status::NullPointer;
        };
        a.limit.store(limit, Ordering::Release);
        a.apply_limit();
        exp_rs_status::Ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rounding rule copied from bumpalo holds for the version built.
    #[test]
    fn block_sizes_follow_bumpalo() {
        for size in (0..20_000)
            .step_by(7)
            .chain([64, 112, 1000, 4096, 8192, 65_536])
        {
            let capacity = capacity_within(size);
            if capacity > 0 {
                let bump = Bump::with_capacity(capacity);
                assert_eq!(bump.allocated_bytes(), capacity, "size {size}");
                assert_eq!(bump.allocated_bytes_including_metadata(), capacity + FOOTER);
                assert!(capacity + FOOTER <= size);
            }
            if size == 0 {
                continue;
            }
            let block = block_for(size);
            let bump = Bump::with_capacity(size);
            assert_eq!(
                bump.allocated_bytes_including_metadata(),
                block,
                "size {size}"
            );
            assert_eq!(capacity_within(block), block - FOOTER, "size {size}");
        }
    }
}
