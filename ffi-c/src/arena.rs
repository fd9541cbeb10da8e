//! `ExpRsArena`: the bump arena expressions are compiled into.

use alloc::boxed::Box;
use core::cell::UnsafeCell;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use bumpalo::Bump;

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
}

impl ExpRsArena {
    /// The bump arena, shared.
    pub(crate) fn bump(&self) -> &Bump {
        // SAFETY: the only `&mut Bump` is made in `exp_rs_arena_reset` while
        // `users == 0`, inside that call, when no `&Bump` is alive.
        unsafe { &*self.bump.get() }
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

/// Creates an arena with room for `size` bytes, allocated now (one block
/// from the global allocator: C `malloc` on bare metal).
///
/// With `size > 0` the arena is **fixed**: it never grows, and a compile
/// that needs more fails with `EXP_RS_STATUS_ARENA_FULL` (see
/// `exp_rs_arena_estimate` for the size an expression set needs, and
/// `exp_rs_arena_set_limit` to allow growth). With `size == 0` it starts
/// empty and grows without limit (convenient on hosts).
///
/// Returns NULL if the memory cannot be allocated. Free with
/// `exp_rs_arena_free`.
#[unsafe(no_mangle)]
pub extern "C" fn exp_rs_arena_new(size: usize) -> *mut ExpRsArena {
    boundary(core::ptr::null_mut(), || {
        let Ok(bump) = Bump::try_with_capacity(size) else {
            return core::ptr::null_mut();
        };
        if size > 0 {
            bump.set_allocation_limit(Some(bump.allocated_bytes()));
        }
        Box::into_raw(Box::new(ExpRsArena {
            bump: UnsafeCell::new(bump),
            users: AtomicUsize::new(0),
            released: AtomicBool::new(false),
        }))
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
/// cap. A cap below the current capacity stops growth. Allowed while
/// builders use the arena. No allocation.
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
        let limit = (limit != usize::MAX).then_some(limit);
        a.bump().set_allocation_limit(limit);
        exp_rs_status::Ok
    })
}
