//! Zero heap allocations per evaluation, proven with a counting global
//! allocator over 100,000 evaluations of a varied set of expressions
//! (natives, variadics, expression functions with recursion, arrays,
//! short-circuit, conditionals), for `Expr::eval` and `Batch::eval`, in
//! both precisions; and for the seed's `eval_ast` loop.
#![allow(clippy::unwrap_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use exp_rs::bumpalo::Bump;
use exp_rs::{Arity, Batch, Context, Expr, Real};

/// Counts every allocation and reallocation, per thread: the test
/// harness's own threads allocate now and then, and only what evaluation
/// does on the measuring thread is in question.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: during thread teardown the counter may be gone.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: forwards every call unchanged to `System`; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

/// Expressions over x, y, z covering every instruction family.
const SET: &[&str] = &[
    "x * sin(y) + z",
    "sum(x, y, z, 1, 2) + add3(x, 1, z)",
    "max(x, y, z, 0.5) - min(x, -y) + clamp(z, 0, 1)",
    "hyp(x, y) + fact(4) + fib(6)",
    "lut[abs(x) % 4] + lut[1] * cal.gain",
    "x > 0 && y < 100 || z == 3 ? x^2 : -y",
    "!(x - x) + (y, z) + (x != x ? 1 : 0)",
    "atan2(y, x) + hypot(x, z) + fmod(z, 0.7) + pow(2, x / 10)",
];

fn context<R: Real>() -> Context<R> {
    let mut ctx = Context::<R>::new();
    ctx.add_function("add3", Arity::Exact(3), |a: &[R]| a[0] + a[1] + a[2]);
    ctx.add_function("sum", Arity::AtLeast(1), |a: &[R]| {
        a.iter().fold(R::ZERO, |s, &v| s + v)
    });
    ctx.add_expression_function("hyp(a, b) = sqrt(a^2 + b^2)")
        .unwrap();
    ctx.add_expression_function("fact(n) = n <= 1 ? 1 : n * fact(n - 1)")
        .unwrap();
    ctx.add_expression_function("fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)")
        .unwrap();
    let lut: Vec<R> = [1.0, 2.0, 4.0, 8.0]
        .iter()
        .map(|&v| R::from_f64(v))
        .collect();
    ctx.add_array("lut", &lut);
    ctx.add_object("cal", &[("gain", R::from_f64(1.5))]);
    ctx
}

/// Evaluations per measurement (fewer under Miri, which is far slower).
const N: usize = if cfg!(miri) { 200 } else { 100_000 };

fn expr_eval_allocates_nothing<R: Real>() {
    let ctx = context::<R>();
    let arena = Bump::new();
    let exprs: Vec<Expr<'_, R>> = SET
        .iter()
        .map(|s| Expr::compile(s, &["x", "y", "z"], &ctx, &arena).unwrap())
        .collect();
    let before = allocations();
    let mut checksum = R::ZERO;
    for i in 0..N {
        let v = [
            R::from_f64(i as f64 * 0.001),
            R::from_f64(2.0 - i as f64 * 0.002),
            R::from_f64(3.0),
        ];
        let e = &exprs[i % exprs.len()];
        checksum = checksum + e.eval(&v).unwrap();
    }
    let during = allocations() - before;
    assert!(checksum.to_f64().is_finite());
    assert_eq!(
        during,
        0,
        "{during} allocations in {N} Expr::eval calls ({})",
        R::NAME
    );
}

fn batch_eval_allocates_nothing<R: Real>() {
    let ctx = context::<R>();
    let arena = Bump::new();
    let mut batch = Batch::new(&ctx, &arena);
    for s in SET {
        batch.add_expression(s).unwrap();
    }
    assert_eq!(batch.param_names(), ["x", "y", "z"]);
    let before = allocations();
    for i in 0..N / SET.len() {
        batch.set_param(0, R::from_f64(i as f64 * 0.001));
        batch.set_param(1, R::from_f64(2.0 - i as f64 * 0.002));
        batch.set_param(2, R::from_f64(3.0));
        batch.eval().unwrap();
    }
    let during = allocations() - before;
    assert!(batch.results().iter().all(|r| r.to_f64().is_finite()));
    assert_eq!(
        during,
        0,
        "{during} allocations in {} Batch::eval calls ({})",
        N / SET.len(),
        R::NAME
    );
}

/// The seed's loop: `eval_ast` over a tree, variables in the context.
fn seed_eval_ast_allocates_nothing() {
    let mut ctx = Context::<f64>::new();
    for name in ["x", "y", "z"] {
        ctx.set_constant(name, 0.0);
    }
    let arena = Bump::new();
    let ast =
        exp_rs::parse_expression_arena("x * sin(y) + z + max(x, y, z) + (x > 1 ? y : z)", &arena)
            .unwrap();
    let before = allocations();
    for i in 0..N {
        ctx.set_var("x", i as f64);
        ctx.set_var("z", 1.0);
        exp_rs::eval_ast(ast, &ctx).unwrap();
    }
    let during = allocations() - before;
    assert_eq!(during, 0, "{during} allocations in {N} eval_ast calls");
}

#[test]
fn zero_allocations_per_evaluation() {
    let probe = allocations();
    drop(Vec::<u8>::with_capacity(16));
    assert!(
        allocations() > probe,
        "the counting allocator is not installed"
    );
    expr_eval_allocates_nothing::<f64>();
    expr_eval_allocates_nothing::<f32>();
    batch_eval_allocates_nothing::<f64>();
    batch_eval_allocates_nothing::<f32>();
    seed_eval_ast_allocates_nothing();
    #[cfg(feature = "symbolic")]
    {
        derivative_eval_allocates_nothing::<f64>();
        derivative_eval_allocates_nothing::<f32>();
    }
}

/// Derivatives (issue 17) compile like any expression and evaluate with
/// zero allocations too: every differentiable expression of [`SET`],
/// with respect to each parameter.
#[cfg(feature = "symbolic")]
fn derivative_eval_allocates_nothing<R: Real>() {
    let ctx = context::<R>();
    let arena = Bump::new();
    let mut derivatives = Vec::new();
    for src in SET {
        let e = Expr::compile(src, &["x", "y", "z"], &ctx, &arena).unwrap();
        for p in ["x", "y", "z"] {
            // `sum`, `add3` (natives) and `fact` (recursive) are not
            // differentiable.
            if let Ok(d) = e.derivative(p) {
                derivatives.push(d);
            }
        }
    }
    assert!(derivatives.len() >= 12, "{} derivatives", derivatives.len());
    let before = allocations();
    let mut checksum = R::ZERO;
    for i in 0..N {
        let v = [
            R::from_f64(0.5 + i as f64 * 0.001),
            R::from_f64(2.0 - i as f64 * 0.002),
            R::from_f64(3.0),
        ];
        let d = &derivatives[i % derivatives.len()];
        checksum = checksum + d.eval(&v).unwrap();
    }
    let during = allocations() - before;
    std::hint::black_box(checksum);
    assert_eq!(
        during,
        0,
        "{during} allocations in {N} derivative evaluations ({})",
        R::NAME
    );
}
