//! The shared `Context`: clones, copy on write, and what compiled
//! expressions and batches keep.
#![allow(clippy::unwrap_used)]

use bumpalo::Bump;
use exp_rs::{Arity, Batch, Context, ErrorKind, Expr};

#[test]
fn a_clone_does_not_change_with_the_original() {
    let mut ctx = Context::<f64>::new();
    ctx.set_constant("k", 1.0);
    let copy = ctx.clone();
    assert!(ctx.set_var("k", 2.0));
    ctx.add_array("a", &[1.0]);
    assert_eq!(copy.constant("k"), Some(1.0));
    assert_eq!(ctx.constant("k"), Some(2.0));
    assert!(copy.array("a").is_none());
}

#[test]
fn an_expression_keeps_the_context_as_it_was_when_compiled() {
    let mut ctx = Context::<f64>::new();
    ctx.add_function("f", Arity::Exact(1), |a| a[0] + 1.0);
    ctx.add_array("lut", &[10.0, 20.0]);
    let arena = Bump::new();
    let e = Expr::compile("f(x) + lut[x]", &["x"], &ctx, &arena).unwrap();
    ctx.add_function("f", Arity::Exact(1), |a| a[0] - 1.0);
    ctx.add_array("lut", &[0.0]);
    ctx.remove("f");
    drop(ctx);
    assert_eq!(e.eval(&[1.0]).unwrap(), 22.0);
}

#[test]
fn a_batch_keeps_the_context_it_was_bound_to() {
    let mut ctx = Context::<f64>::new();
    ctx.set_constant("k", 1.0);
    let arena = Bump::new();
    let mut batch = Batch::new(&ctx, &arena);
    ctx.set_var("k", 5.0);
    ctx.set_constant("later", 3.0);
    let i = batch.add_expression("k").unwrap();
    batch.eval().unwrap();
    assert_eq!(batch.result(i), Some(1.0));
    // `later` is not in the batch's context: it becomes a parameter.
    batch.add_expression("later").unwrap();
    assert_eq!(batch.param_names(), ["later"]);
}

#[test]
fn an_unbound_batch_compiles_when_bound_and_a_failure_keeps_indices() {
    let ctx = Context::<f64>::new();
    let arena = Bump::new();
    let mut batch = Batch::unbound(&arena);
    assert_eq!(batch.add_expression("x + 1").unwrap(), 0);
    assert_eq!(batch.add_expression("nope(x)").unwrap(), 1);
    assert_eq!(batch.add_expression("x * 2").unwrap(), 2);
    assert_eq!(
        batch.add_expression("1 +").unwrap_err().kind,
        ErrorKind::ExpectedOperand
    );
    assert!(batch.set_param(0, 4.0));
    let (at, e) = batch.bind(&ctx).unwrap_err();
    assert_eq!((at, e.kind), (1, ErrorKind::UnknownFunction));
    assert_eq!(batch.len(), 3);
    assert_eq!(batch.source(2), Some("x * 2"));
    assert_eq!(batch.eval().unwrap_err().kind, ErrorKind::UnknownFunction);
    assert_eq!(
        batch.add_expression("x").unwrap_err().kind,
        ErrorKind::UnknownFunction
    );
    assert_eq!(batch.bind_error().map(|b| b.0), Some(1));

    let mut good = Batch::unbound(&arena);
    good.add_expression("x + 1").unwrap();
    assert!(good.set_param(0, 4.0));
    good.bind(&ctx).unwrap();
    good.eval().unwrap();
    assert_eq!(good.result(0), Some(5.0));
}
