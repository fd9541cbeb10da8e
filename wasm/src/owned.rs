//! The only module with `unsafe` code, for two things safe Rust cannot say:
//!
//! 1. [`OwnedExpr`]: a compiled [`Expr`] together with the arena it
//!    borrows, in one value a wasm-bindgen class can hold (a JS object
//!    cannot carry Rust lifetimes).
//! 2. The counting global allocator behind `stats().allocationsLastEval`
//!    (wasm32 only, so the host unit tests keep the system allocator).

use std::mem::ManuallyDrop;
use std::ptr::NonNull;

use exp_rs::bumpalo::Bump;
use exp_rs::{Context, Error, Expr};

/// A compiled expression together with the arena it borrows. (It holds
/// what it uses of the context itself.)
///
/// Invariants, which every `unsafe` block below relies on:
/// * `arena` comes from `Box::leak` in [`OwnedExpr::compile`] and is freed
///   only in `Drop`, after `expr` was dropped; nothing ever takes a
///   `&mut Bump` to it, so the shared borrows inside `expr` stay valid.
/// * `expr` is declared with `'static` but really borrows `*arena`; it is
///   only ever handed out through [`OwnedExpr::with`], whose higher-ranked
///   closure cannot smuggle a reference out, and it is dropped first.
pub(crate) struct OwnedExpr {
    expr: ManuallyDrop<Expr<'static, f64>>,
    arena: NonNull<Bump>,
}

impl OwnedExpr {
    /// Parses and compiles `src` against `ctx` into a fresh arena.
    /// `params: None` makes the free names parameters (in order of first
    /// appearance), as [`Expr::compile_auto`]. `arena_limit` caps the
    /// arena's bytes (exceeding it is `ArenaFull`).
    pub(crate) fn compile(
        src: &str,
        params: Option<&[&str]>,
        ctx: &Context<f64>,
        arena_limit: Option<usize>,
    ) -> Result<OwnedExpr, Error> {
        let bump = Bump::new();
        bump.set_allocation_limit(arena_limit);
        let arena = NonNull::from(Box::leak(Box::new(bump)));
        // SAFETY: `arena` is a live, leaked box (first invariant); the
        // reference is shared and ends before the box is freed: on failure
        // below, and otherwise in `Drop` after `expr` is gone.
        let arena_ref: &'static Bump = unsafe { arena.as_ref() };
        let result = match params {
            Some(params) => Expr::compile(src, params, ctx, arena_ref),
            None => Expr::compile_auto(src, ctx, arena_ref),
        };
        match result {
            Ok(expr) => Ok(OwnedExpr {
                expr: ManuallyDrop::new(expr),
                arena,
            }),
            Err(e) => {
                // SAFETY: the failed compile left no borrow of the arena
                // (`Error` is `Copy` and borrows nothing); freed once, here.
                drop(unsafe { Box::from_raw(arena.as_ptr()) });
                Err(e)
            }
        }
    }

    /// Runs `f` on the expression. The closure is generic over the
    /// lifetime, so nothing borrowed from the expression can outlive the
    /// call.
    pub(crate) fn with<T>(&self, f: impl for<'a> FnOnce(&Expr<'a, f64>) -> T) -> T {
        f(&self.expr)
    }
}

impl Drop for OwnedExpr {
    fn drop(&mut self) {
        // SAFETY: dropped exactly once, here, while the arena is alive.
        unsafe { ManuallyDrop::drop(&mut self.expr) };
        // SAFETY: the box leaked in `compile`; `expr`, the only holder of
        // borrows into it, is gone; freed exactly once.
        drop(unsafe { Box::from_raw(self.arena.as_ptr()) });
    }
}

/// Heap allocations made so far and the bytes they asked for (both
/// wrapping). Differences of two readings count what happened in between.
/// Off wasm32 there is no counting allocator and this reads `(0, 0)`.
pub(crate) fn allocation_counters() -> (usize, usize) {
    #[cfg(target_arch = "wasm32")]
    {
        counting::read()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        (0, 0)
    }
}

/// A global allocator that counts calls and bytes, then defers to the
/// system allocator (dlmalloc on wasm32).
#[cfg(target_arch = "wasm32")]
mod counting {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
    static BYTES: AtomicUsize = AtomicUsize::new(0);

    pub(super) fn read() -> (usize, usize) {
        (ALLOCATIONS.load(Relaxed), BYTES.load(Relaxed))
    }

    fn count(bytes: usize) {
        // wasm32 without the atomics feature: these are plain loads and
        // stores, no locking.
        ALLOCATIONS.fetch_add(1, Relaxed);
        BYTES.fetch_add(bytes, Relaxed);
    }

    struct Counting;

    // SAFETY: every method forwards to `System` with the caller's
    // arguments unchanged; counting touches only two atomics.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            count(layout.size());
            // SAFETY: forwarded contract.
            unsafe { System.alloc(layout) }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            count(layout.size());
            // SAFETY: forwarded contract.
            unsafe { System.alloc_zeroed(layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // A reallocation is an allocation of `new_size` bytes.
            count(new_size);
            // SAFETY: forwarded contract.
            unsafe { System.realloc(ptr, layout, new_size) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: forwarded contract.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[global_allocator]
    static GLOBAL: Counting = Counting;
}

#[cfg(test)]
mod tests {
    use super::*;

    // These exercise every unsafe block above; `cargo +nightly miri test -p
    // exp-rs-wasm owned` checks them for undefined behaviour.

    #[test]
    fn compiles_evaluates_and_drops_in_any_order() {
        let mut ctx = Context::<f64>::new();
        ctx.add_function("twice", exp_rs::Arity::Exact(1), |a| 2.0 * a[0]);
        ctx.add_expression_function("sq(x) = x * x")
            .map_err(|e| e.kind)
            .expect("defines");
        ctx.add_array("lut", &[1.0, 2.0, 3.0]);
        let a = OwnedExpr::compile("twice(sq(x)) + lut[y]", None, &ctx, None)
            .map_err(|e| e.kind)
            .expect("compiles");
        let b = OwnedExpr::compile("x + 1", Some(&["x"]), &ctx, None)
            .map_err(|e| e.kind)
            .expect("compiles");
        // The context goes first: the expressions keep what they use.
        drop(ctx);
        assert_eq!(a.with(|e| e.eval(&[3.0, 1.0])), Ok(20.0));
        assert_eq!(a.with(|e| e.params().len()), 2);
        // Moving the owner moves no borrowed memory.
        let moved = Box::new(a);
        assert_eq!(moved.with(|e| e.eval(&[1.0, 2.0])), Ok(5.0));
        assert_eq!(b.with(|e| e.eval(&[1.0])), Ok(2.0));
        drop(b);
        drop(moved);
    }

    #[test]
    fn a_failed_compile_frees_its_arena() {
        let ctx = Context::<f64>::new();
        for src in ["1 +", "y", "(((", "sin(1, 2)"] {
            let err = OwnedExpr::compile(src, Some(&["x"]), &ctx, None);
            assert!(err.is_err(), "{src}");
        }
        let capped = OwnedExpr::compile("1 + 2 + 3 + x", None, &ctx, Some(64));
        assert_eq!(
            capped.err().map(|e| e.kind),
            Some(exp_rs::ErrorKind::ArenaFull)
        );
    }
}
