//! Every row of `conformance.txt` through the compiled path (`Expr`) in f64
//! and f32, and through the tree walker (`eval_ast`) in f64.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Case, Expected, cases, fixture, scalars, value_matches};
use exp_rs::{Error, Expr, Real, bumpalo::Bump, eval_ast, parse_expression_arena};

/// Compares one outcome with the row; returns a failure description.
fn check<R: Real>(
    case: &Case,
    how: &str,
    got: Result<R, Error>,
    check_span: bool,
) -> Option<String> {
    let ok = match (&case.expected, &got) {
        (Expected::Value { f64, f32 }, Ok(v)) => value_matches(*v, *f64, *f32),
        (Expected::Error { kind, span }, Err(e)) => {
            e.kind.name() == kind
                && (!check_span || span.is_none_or(|(s, t)| (e.span.start, e.span.end) == (s, t)))
        }
        _ => false,
    };
    let got = match got {
        Ok(v) => format!("{v:?}"),
        Err(e) => format!("!{}@{}", e.kind.name(), e.span),
    };
    (!ok).then(|| {
        format!(
            "line {} [{how} {}] `{}`: expected {:?}, got {got}",
            case.line,
            R::NAME,
            case.source,
            case.expected
        )
    })
}

fn compiled<R: Real>(case: &Case) -> Result<R, Error> {
    let ctx = fixture::<R>(&case.bindings);
    let (names, values) = scalars::<R>(&case.bindings);
    let arena = Bump::new();
    Expr::compile(&case.source, &names, &ctx, &arena)?.eval(&values)
}

fn walked(case: &Case) -> Result<f64, Error> {
    let mut ctx = fixture::<f64>(&case.bindings);
    let (names, values) = scalars::<f64>(&case.bindings);
    for (n, v) in names.iter().zip(values) {
        ctx.set_constant(n, v);
    }
    let arena = Bump::new();
    let ast = parse_expression_arena(&case.source, &arena)?;
    eval_ast(ast, &ctx)
}

fn run(f: impl Fn(&Case) -> Option<String>) {
    let cases = cases();
    assert!(cases.len() >= 300, "the table has {} rows", cases.len());
    // Under Miri (thousands of times slower) a sample of the rows.
    let step = if cfg!(miri) { 40 } else { 1 };
    let failures: Vec<String> = cases.iter().step_by(step).filter_map(f).collect();
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn table_f64_compiled() {
    run(|c| check(c, "compiled", compiled::<f64>(c), true));
}

#[test]
fn table_f32_compiled() {
    run(|c| check(c, "compiled", compiled::<f32>(c), true));
}

#[test]
fn table_f64_tree_walker() {
    // The walker reports name errors when it meets them, so only kinds are
    // compared for rows whose error a compile would find first.
    run(|c| check(c, "walker", walked(c), true));
}
