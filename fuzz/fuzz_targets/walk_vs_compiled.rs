//! The tree walker (`eval_ast`) against the compiled path (`Expr`): SPEC's
//! name resolution is one rule for both, so for any source and values they
//! give the same bits, or the same error kind and span.
//!
//! Input: the source, then optionally a NUL byte and up to four f64 values
//! (8 bytes each, little-endian) for the parameters `x y z w`; missing
//! values keep defaults. Plain text inputs are therefore whole sources.
#![no_main]

use exp_rs::bumpalo::Bump;
use exp_rs::{Arity, Context, Error, Expr, Limits, Real, eval_ast, parse_expression_arena};
use libfuzzer_sys::fuzz_target;

const PARAMS: [&str; 4] = ["x", "y", "z", "w"];

/// Arrays, an object, natives and expression functions, including
/// parameters that hide context names (`a`, `p`, `pi`, `sq`).
fn context<R: Real>() -> Context<R> {
    let mut ctx = Context::<R>::new();
    // Call nesting small enough that the walker's recursion (bodies of a
    // few levels, 64 calls deep, plus at most 256 levels of tree) stays
    // under WALK_LEVELS, where it would stop and the program would not;
    // and a call budget that keeps each input fast.
    let mut limits = Limits::DEFAULT;
    limits.max_calls = 64;
    limits.max_total_calls = 20_000;
    ctx.set_limits(limits);
    ctx.add_array("a", &[R::from_f64(1.0), R::from_f64(2.0), R::from_f64(3.0)]);
    ctx.add_array("t", &[R::from_f64(-0.5)]);
    ctx.add_object("p", &[("x", R::from_f64(4.0)), ("y", R::from_f64(-0.0))]);
    ctx.add_function("add3", Arity::Exact(3), |v: &[R]| v[0] + v[1] + v[2]);
    ctx.add_function("sum", Arity::AtLeast(1), |v: &[R]| {
        v.iter().fold(R::ZERO, |s, &x| s + x)
    });
    for def in [
        "f(n) = n <= 0 ? 0 : 1 + f(n - 1)",
        "fact(n) = n <= 1 ? 1 : n * fact(n - 1)",
        "sq(x) = x * x",
        "g(i) = 1 + a[i] * f(i)",
        "h(p) = p.x",
        "shadow_idx(a) = a[0]",
        "shadow_val(pi) = pi * 2",
        "shadow_call(sq) = sq(sq)",
        "uses_p(n) = p.x + p.y * n",
        "r(x) = x.y",
        "twice(n) = n < 1 ? 0 : twice(n - 1) + twice(n - 1)",
    ] {
        ctx.add_expression_function(def).unwrap();
    }
    ctx
}

fn same<R: Real>(a: &Result<R, Error>, b: &Result<R, Error>) -> bool {
    match (a, b) {
        (Ok(x), Ok(y)) => {
            let (x, y) = (x.to_f64(), y.to_f64());
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Err(x), Err(y)) => (x.kind, x.span) == (y.kind, y.span),
        _ => false,
    }
}

fn check<R: Real>(src: &str, values: &[f64]) {
    let values: Vec<R> = values.iter().map(|&v| R::from_f64(v)).collect();
    let ctx = context::<R>();
    let arena = Bump::new();
    let compiled = Expr::compile(src, &PARAMS, &ctx, &arena).and_then(|e| e.eval(&values));
    let mut walk_ctx = context::<R>();
    for (name, v) in PARAMS.iter().zip(&values) {
        walk_ctx.set_constant(name, *v);
    }
    let walk_arena = Bump::new();
    let walked = parse_expression_arena(src, &walk_arena).and_then(|ast| eval_ast(ast, &walk_ctx));
    assert!(
        same(&compiled, &walked),
        "{} `{src}` at {values:?}: compiled {compiled:?}, walker {walked:?}",
        R::NAME
    );
}

fuzz_target!(|data: &[u8]| {
    let (src, tail) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(src) = std::str::from_utf8(src) else {
        return;
    };
    let mut values = [1.5, -2.0, 0.25, 3.0];
    for (v, c) in values.iter_mut().zip(tail.chunks(8)) {
        let mut b = [0u8; 8];
        b[..c.len()].copy_from_slice(c);
        *v = f64::from_le_bytes(b);
    }
    check::<f64>(src, &values);
    check::<f32>(src, &values);
});
