//! Arbitrary bytes as source and variable values: compile (with free names
//! as parameters), evaluate, render any error. Nothing may panic, and every
//! error's span lies inside the source. Printing round-trips (same tree,
//! same text, same bits), and so does the derivative along each of the
//! first two parameters.
#![no_main]

use exp_rs::bumpalo::Bump;
use exp_rs::{Batch, Context, Error, ErrorKind, Expr};
use libfuzzer_sys::fuzz_target;

/// An error's span is a range of `src` (errors inside an expression
/// function are reported at the call, not at offsets into its body).
fn check_span(err: &Error, src: &str) {
    let (s, e) = (err.span.start as usize, err.span.end as usize);
    assert!(s <= e && e <= src.len(), "{err:?} outside {} bytes", src.len());
}

/// Printing round-trips: the printed source parses to the same tree,
/// prints the same again, and evaluates to the same bits.
fn round_trip(e: &Expr<'_>, values: &[f64], ctx: &Context<f64>) {
    let text = e.to_string();
    if text.len() > exp_rs::Limits::DEFAULT.max_len as usize {
        return; // spaces around operators can take it past the limit
    }
    let arena = Bump::new();
    let again = Expr::compile(&text, e.params(), ctx, &arena)
        .unwrap_or_else(|err| panic!("`{}` printed `{text}`, which fails: {err}", e.source()));
    assert!(e.ast().same_tree(again.ast()), "`{}` printed `{text}`", e.source());
    assert_eq!(again.to_string(), text);
    let (a, b) = (e.eval(values), again.eval(values));
    let same = match (a, b) {
        (Ok(x), Ok(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        (Err(x), Err(y)) => x.kind == y.kind,
        _ => false,
    };
    assert!(same, "`{}` printed `{text}`: {a:?} then {b:?}", e.source());
    // The derivative along each parameter: a simplified expression whose
    // text round-trips, or a limit / NotDifferentiable error, never a panic.
    for &p in e.params().iter().take(2) {
        match e.derivative(p) {
            Ok(d) => {
                assert_eq!(d.source(), d.to_string());
                let _ = d.eval(values);
            }
            Err(err) => assert!(
                matches!(
                    err.kind,
                    ErrorKind::NotDifferentiable | ErrorKind::TooDeep | ErrorKind::ArenaFull
                ),
                "d/d{p} `{}`: {err:?}",
                e.source()
            ),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    // The first 32 bytes are four variable values, the rest is the source.
    let (head, tail) = data.split_at(data.len().min(32));
    let values: Vec<f64> = head
        .chunks(8)
        .map(|c| {
            let mut b = [0u8; 8];
            b[..c.len()].copy_from_slice(c);
            f64::from_le_bytes(b)
        })
        .collect();
    let Ok(src) = std::str::from_utf8(tail) else {
        return;
    };
    let mut ctx = Context::<f64>::new();
    ctx.add_expression_function("f(n) = n <= 0 ? 0 : 1 + f(n - 1)")
        .unwrap();
    ctx.add_array("a", &[1.0, 2.0, 3.0]);
    ctx.add_expression_function("g(i) = 1 + a[i] * f(i)").unwrap();
    let arena = Bump::new();
    arena.set_allocation_limit(Some(1 << 20));
    match Expr::compile_auto(src, &ctx, &arena) {
        Ok(e) => {
            let mut v = values.clone();
            v.resize(e.params().len(), 0.5);
            for _ in 0..2 {
                if let Err(err) = e.eval(&v) {
                    check_span(&err, src);
                }
            }
            let _ = e.program().to_string();
            let _ = e.ast().sexpr().to_string();
            round_trip(&e, &v, &ctx);
        }
        Err(err) => {
            check_span(&err, src);
            let _ = err.render(src).to_string();
        }
    }
    // The same source through a batch, and through f32.
    let mut batch = Batch::new(&ctx, &arena);
    if batch.add_expression(src).is_ok() {
        batch.set_params(&values);
        let _ = batch.eval();
    }
    let ctx32 = Context::<f32>::new();
    let arena32 = Bump::new();
    if let Ok(e) = Expr::compile_auto(src, &ctx32, &arena32) {
        let v = vec![1.5f32; e.params().len()];
        let _ = e.eval(&v);
    }
});
