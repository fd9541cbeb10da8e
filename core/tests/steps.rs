//! The work budget of SPEC "Limits and errors": `Limits::max_steps` counts
//! executed instructions (default 10,000,000); past it an evaluation stops
//! with `ErrorKind::StepLimit` (number 22). The call budget
//! `max_total_calls` (default 1,000,000) stays, with `RecursionLimit`.
//! The compiled `Expr` counts instructions, the tree walker `eval_ast`
//! counts nodes: on inputs well inside one budget and past the other, both
//! stop with the same kind (near both limits they may not).
#![allow(clippy::unwrap_used)]

use exp_rs::bumpalo::Bump;
use exp_rs::{Context, Error, ErrorKind, Expr, Limits, eval_ast, parse_expression_arena};

/// `twice(n)` makes 2^(n+1) - 1 calls, none nested deeper than n + 1.
const TWICE: &str = "twice(n) = n < 1 ? 0 : twice(n - 1) + twice(n - 1)";

fn context(limits: Limits) -> Context<f64> {
    let mut ctx = Context::<f64>::new();
    ctx.set_limits(limits);
    ctx.add_expression_function(TWICE).unwrap();
    ctx
}

/// Compiled with `params`, evaluated at `values`.
fn compiled(src: &str, params: &[&str], values: &[f64], ctx: &Context<f64>) -> Result<f64, Error> {
    let arena = Bump::new();
    Expr::compile(src, params, ctx, &arena)?.eval(values)
}

/// Walked, with `params` bound as constants.
fn walked(src: &str, params: &[&str], values: &[f64], ctx: &Context<f64>) -> Result<f64, Error> {
    let mut ctx_copy = Context::<f64>::new();
    ctx_copy.set_limits(*ctx.limits());
    ctx_copy.add_expression_function(TWICE).unwrap();
    for (n, v) in params.iter().zip(values) {
        ctx_copy.set_constant(n, *v);
    }
    let arena = Bump::new();
    eval_ast(parse_expression_arena(src, &arena)?, &ctx_copy)
}

fn kind(r: Result<f64, Error>) -> Option<ErrorKind> {
    r.err().map(|e| e.kind)
}

#[test]
fn step_limit_is_kind_22() {
    assert_eq!(ErrorKind::StepLimit.code(), 22);
    assert_eq!(ErrorKind::StepLimit.name(), "StepLimit");
}

#[test]
fn the_defaults_and_the_setters() {
    const L: Limits = Limits::DEFAULT
        .with_max_depth(4)
        .with_max_len(30)
        .with_max_calls(2)
        .with_max_total_calls(7)
        .with_max_steps(99);
    assert_eq!(Limits::DEFAULT.max_steps, 10_000_000);
    assert_eq!(Limits::DEFAULT.max_total_calls, 1_000_000);
    assert_eq!(
        (
            L.max_depth,
            L.max_len,
            L.max_calls,
            L.max_total_calls,
            L.max_steps
        ),
        (4, 30, 2, 7, 99)
    );
    assert_eq!(Limits::default(), Limits::DEFAULT);
}

#[test]
fn exponential_recursion_under_a_small_step_budget_is_step_limit() {
    // Calls are plentiful; the steps run out first.
    let ctx = context(
        Limits::DEFAULT
            .with_max_total_calls(u32::MAX)
            .with_max_steps(10_000),
    );
    for src in ["twice(40)", "1 + twice(40)", "0 || twice(40)"] {
        let c = compiled(src, &[], &[], &ctx);
        assert_eq!(kind(c), Some(ErrorKind::StepLimit), "{src}");
        assert_eq!(kind(walked(src, &[], &[], &ctx)), kind(c), "walker, {src}");
    }
    // Within the budget the same function computes.
    assert_eq!(compiled("twice(3)", &[], &[], &ctx).unwrap(), 0.0);
    assert_eq!(walked("twice(3)", &[], &[], &ctx).unwrap(), 0.0);
}

#[test]
fn exponential_recursion_under_a_small_call_budget_is_recursion_limit() {
    // Steps are plentiful; the calls run out first.
    let ctx = context(
        Limits::DEFAULT
            .with_max_total_calls(1_000)
            .with_max_steps(u32::MAX),
    );
    let c = compiled("1 + twice(40)", &[], &[], &ctx).unwrap_err();
    assert_eq!(
        (c.kind, c.span.start, c.span.end),
        (ErrorKind::RecursionLimit, 4, 13)
    );
    assert_eq!(walked("1 + twice(40)", &[], &[], &ctx).unwrap_err(), c);
}

#[test]
fn the_step_budget_bounds_work_without_calls() {
    // A long sum of parameters (nothing to fold) needs more than 10 steps.
    let terms = vec!["x"; 100].join(" + ");
    let tight = context(Limits::DEFAULT.with_max_steps(10));
    let roomy = context(Limits::DEFAULT);
    assert_eq!(
        kind(compiled(&terms, &["x"], &[1.0], &tight)),
        Some(ErrorKind::StepLimit)
    );
    assert_eq!(
        kind(walked(&terms, &["x"], &[1.0], &tight)),
        Some(ErrorKind::StepLimit)
    );
    assert_eq!(compiled(&terms, &["x"], &[1.0], &roomy).unwrap(), 100.0);
    assert_eq!(walked(&terms, &["x"], &[1.0], &roomy).unwrap(), 100.0);
}

#[test]
fn the_step_count_has_one_threshold_and_restarts_every_evaluation() {
    // Find the least budget that runs `twice(4)`; one less stops, every time.
    let src = "twice(n) + n * 2";
    let runs = |steps: u32| {
        let ctx = context(Limits::DEFAULT.with_max_steps(steps));
        let arena = Bump::new();
        let e = Expr::compile(src, &["n"], &ctx, &arena).unwrap();
        (0..3)
            .map(|_| e.eval(&[4.0]).map_err(|e| e.kind))
            .collect::<Vec<_>>()
    };
    let need = (1..100_000).find(|&s| runs(s)[0].is_ok()).unwrap();
    assert_eq!(runs(need), vec![Ok(8.0); 3]);
    assert_eq!(runs(need - 1), vec![Err(ErrorKind::StepLimit); 3]);
    // A larger budget changes nothing but the ceiling.
    assert_eq!(runs(need * 10), vec![Ok(8.0); 3]);
}

#[test]
fn after_a_step_limit_the_expression_still_works() {
    let ctx = context(Limits::DEFAULT.with_max_steps(1_000));
    let arena = Bump::new();
    let e = Expr::compile("twice(n)", &["n"], &ctx, &arena).unwrap();
    for _ in 0..2 {
        assert_eq!(e.eval(&[30.0]).unwrap_err().kind, ErrorKind::StepLimit);
        assert_eq!(e.eval(&[2.0]).unwrap(), 0.0);
    }
}
