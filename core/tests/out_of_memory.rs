//! The heap running dry: every `try_` method of `Context` and every
//! `Batch` and compile path, with one allocation failing at a time (a
//! global allocator that fails on demand). Each failure must come back as
//! an error with nothing changed, never an abort, and the same call again
//! must succeed. The C door's test (`test_out_of_memory` in
//! ffi-c/tests/test_api.c) does the same through `malloc`.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use exp_rs::bumpalo::Bump;
use exp_rs::{AllocError, Arity, Batch, CallbackError, Context, DefineError, ErrorKind, Expr};

/// Fails the allocation `FAIL_AT` from now on this thread: once, or with
/// `PERSIST` every one after it too until `step!` retries (a heap that
/// stays full); other threads (the test harness) are never failed.
struct FailOnDemand;

thread_local! {
    static FAIL_AT: Cell<i64> = const { Cell::new(-1) };
    static PERSIST: Cell<bool> = const { Cell::new(false) };
    static FAILING: Cell<bool> = const { Cell::new(false) };
    static INJECTED: Cell<bool> = const { Cell::new(false) };
}

fn fail_now() -> bool {
    if FAILING.try_with(Cell::get).unwrap_or(false) {
        return true;
    }
    FAIL_AT
        .try_with(|at| match at.get() {
            n if n < 0 => false,
            0 => {
                at.set(-1);
                INJECTED.with(|i| i.set(true));
                FAILING.with(|f| f.set(PERSIST.with(Cell::get)));
                true
            }
            n => {
                at.set(n - 1);
                false
            }
        })
        .unwrap_or(false)
}

// SAFETY: forwards to `System`, or returns null (a failed allocation).
unsafe impl GlobalAlloc for FailOnDemand {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if fail_now() {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        if fail_now() {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract.
        unsafe { System.realloc(ptr, layout, size) }
    }
}

#[global_allocator]
static GLOBAL: FailOnDemand = FailOnDemand;

/// Whether a failure was injected since the last call; the heap works
/// again from now.
fn took_injection() -> bool {
    FAILING.with(|f| f.set(false));
    INJECTED.with(|i| i.replace(false))
}

/// A heap failure from a `try_` method or a compile (`ArenaFull`).
trait OutOfMemory {
    fn out_of_memory(&self) -> bool;
}

impl<T> OutOfMemory for Result<T, AllocError> {
    fn out_of_memory(&self) -> bool {
        self.is_err()
    }
}

impl<T> OutOfMemory for Result<T, DefineError> {
    fn out_of_memory(&self) -> bool {
        matches!(self, Err(DefineError::OutOfMemory))
    }
}

impl<T> OutOfMemory for Result<T, exp_rs::Error> {
    fn out_of_memory(&self) -> bool {
        matches!(self, Err(e) if e.kind == ErrorKind::ArenaFull)
    }
}

impl<T> OutOfMemory for Result<T, (usize, exp_rs::Error)> {
    fn out_of_memory(&self) -> bool {
        matches!(self, Err((_, e)) if e.kind == ErrorKind::ArenaFull)
    }
}

/// Runs `$call`; if it ran out of memory, that must be the injected
/// failure, and running it again must succeed.
macro_rules! step {
    ($call:expr) => {{
        let mut r = $call;
        if r.out_of_memory() {
            assert!(
                took_injection(),
                "{} failed without an injected failure",
                stringify!($call)
            );
            r = $call;
        }
        match r {
            Ok(v) => v,
            Err(e) => panic!("{} failed on the retry: {e:?}", stringify!($call)),
        }
    }};
}

/// Every set-up path with allocation `at` failing (with `persist`, and
/// every later one until the retry); returns whether it was reached.
fn scenario(at: i64, persist: bool) -> bool {
    INJECTED.with(|i| i.set(false));
    PERSIST.with(|p| p.set(persist));
    FAIL_AT.with(|f| f.set(at));

    let mut ctx: Context<f64> = step!(Context::try_new());
    step!(ctx.try_set_constant("k", 2.0));
    step!(ctx.try_add_function("twice", Arity::Exact(1), |a| 2.0 * a[0]));
    step!(ctx.try_add_fallible_function("half", Arity::Exact(1), |a| {
        if a[0].is_nan() {
            Err(CallbackError)
        } else {
            Ok(a[0] / 2.0)
        }
    }));
    step!(ctx.try_add_expression_function("hyp(a, b) = sqrt(a^2 + b^2)"));
    step!(ctx.try_add_expression_function("f(n) = n <= 1 ? 1 : n * f(n - 1)"));
    step!(ctx.try_add_array("lut", &[1.0, 2.0, 3.0]));
    step!(ctx.try_add_object("cal", &[("gain", 2.0), ("offset", 0.5)]));
    let limits = ctx.limits().with_max_steps(100_000);
    step!(ctx.try_set_limits(limits));

    // A clone shares the tables: changing it copies them (which may fail)
    // and never changes the original.
    let mut other = step!(ctx.try_clone());
    step!(other.try_add_array("lut", &[7.0]));
    assert_eq!(ctx.array("lut"), Some(&[1.0, 2.0, 3.0][..]));
    assert_eq!(other.array("lut"), Some(&[7.0][..]));
    assert!(step!(other.try_remove("cal")));
    assert!(ctx.object("cal").is_some());
    drop(other);
    assert!(step!(ctx.try_remove("k")));
    step!(ctx.try_set_constant("k", 3.0));

    // A batch in a growable arena.
    let arena = Bump::new();
    let mut batch = step!(Batch::try_new(&ctx, &arena));
    let x = step!(batch.add_param("x", 3.0));
    let e0 = step!(batch.add_expression("hyp(x, 4) + twice(lut[1]) + cal.gain * half(x) - k"));
    let e1 = step!(batch.add_expression("x * k - y + f(4)"));
    batch.set_param(x + 1, 5.0);
    batch.eval().unwrap();
    assert_eq!(batch.result(e0), Some(5.0 + 4.0 + 2.0 * 1.5 - 3.0));
    assert_eq!(batch.result(e1), Some(9.0 - 5.0 + 24.0));

    // A batch bound later: a parameter declared and set before binding
    // keeps its value, and a failed bind can be tried again.
    let later = Bump::new();
    let mut unbound = Batch::unbound(&later);
    let z = step!(unbound.add_param("z", 0.0));
    step!(unbound.add_expression("hyp(3, 4) * k + z + w"));
    assert!(unbound.set_param(z, 1.0));
    assert!(unbound.set_param(z + 1, 2.0));
    step!(unbound.bind(&ctx));
    unbound.eval().unwrap();
    assert_eq!(unbound.result(0), Some(15.0 + 1.0 + 2.0));

    // One expression in a fixed arena (room for two compiles: a failed
    // one may keep its bytes): a failed compile is an error.
    let fixed = step!(Bump::try_with_capacity(16 * 1024).map_err(|_| AllocError));
    fixed.set_allocation_limit(Some(fixed.allocated_bytes()));
    let e = step!(Expr::compile("hyp(x, 4) + twice(x)", &["x"], &ctx, &fixed));
    assert_eq!(e.eval(&[3.0]).unwrap(), 11.0);

    let reached = FAIL_AT.with(|f| f.get()) < 0;
    FAIL_AT.with(|f| f.set(-1));
    FAILING.with(|f| f.set(false));
    reached
}

#[test]
fn every_allocation_can_fail_without_an_abort() {
    for persist in [false, true] {
        let mut runs = 0;
        while scenario(runs, persist) {
            runs += 1;
        }
        let how = if persist {
            "the heap full from one allocation on"
        } else {
            "one failing allocation"
        };
        println!("out of memory: {runs} runs, each with {how}");
        assert!(runs >= 100, "only {runs} allocations in the scenario");
    }
}
