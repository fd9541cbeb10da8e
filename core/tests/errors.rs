//! Every error kind with its span, and the caret rendering.
#![allow(clippy::unwrap_used)]

use exp_rs::bumpalo::Bump;
use exp_rs::{
    Arity, Batch, CallbackError, Context, Error, ErrorKind, Expr, Limits, eval_ast,
    parse_expression_arena,
};

fn context() -> Context<f64> {
    let mut ctx = Context::new();
    ctx.add_array("a", &[1.0, 2.0, 3.0]);
    ctx.add_object("p", &[("x", 1.0)]);
    ctx.add_fallible_function("fail", Arity::Exact(1), |_| Err(CallbackError));
    ctx.add_expression_function("down(n) = down(n - 1)")
        .unwrap();
    ctx.add_expression_function("at(i) = 1 + a[i]").unwrap();
    ctx.add_expression_function("failing(i) = 2 * fail(i)")
        .unwrap();
    ctx
}

/// The error `src` gives, compiled with the parameter `x` = 1; an
/// evaluation error must be the same, span included, from the tree walker.
fn error(src: &str) -> Error {
    let mut ctx = context();
    let arena = Bump::new();
    let compiled = match Expr::compile(src, &["x"], &ctx, &arena) {
        Ok(e) => e.eval(&[1.0]).unwrap_err(),
        Err(e) => return e,
    };
    ctx.set_constant("x", 1.0);
    let walked = eval_ast(parse_expression_arena(src, &arena).unwrap(), &ctx).unwrap_err();
    assert_eq!(walked, compiled, "{src}: the walker disagrees");
    compiled
}

#[track_caller]
fn check(src: &str, kind: ErrorKind, span: (u32, u32)) {
    let e = error(src);
    assert_eq!((e.kind, (e.span.start, e.span.end)), (kind, span), "{src}");
}

#[test]
fn every_kind_has_its_span() {
    use ErrorKind::*;
    check("1 # 2", InvalidCharacter, (2, 3));
    check("1 + é", InvalidCharacter, (4, 6));
    check("1.2.3 + 1", InvalidNumber, (0, 5));
    check("2x", InvalidNumber, (0, 2));
    check("sin(x +* 2)", ExpectedOperand, (7, 8));
    check("1 +", ExpectedOperand, (3, 3));
    check("", ExpectedOperand, (0, 0));
    check("1 2", UnexpectedToken, (2, 3));
    check("(1 + 2", UnclosedDelimiter, (0, 1));
    check("a[1", UnclosedDelimiter, (1, 2));
    check("p.", ExpectedName, (2, 2));
    check("y + 1", UnknownVariable, (0, 1));
    check("foo(1)", UnknownFunction, (0, 3));
    check("sin(1, 2)", Arity, (0, 9));
    check("p.y", UnknownField, (2, 3));
    check("sin + 1", NotAValue, (0, 3));
    check("x[0]", NotAnArray, (0, 1));
    check("a[x + 2]", IndexOutOfBounds, (0, 8));
    check("down(1)", RecursionLimit, (0, 7));
    check("1 + fail(x)", Callback, (4, 11));
    // Inside an expression function: at the call, not in its body.
    check("1 + at(x + 5)", IndexOutOfBounds, (4, 13));
    check("1 + failing(x)", Callback, (4, 14));
    // Inlined (the arguments are names or literals): still at the call.
    check("1 + at(7)", IndexOutOfBounds, (4, 9));
    check("1 + failing(2)", Callback, (4, 14));
}

#[test]
fn limits_are_errors() {
    let mut ctx = Context::<f64>::new();
    let mut limits = Limits::DEFAULT;
    limits.max_depth = 4;
    limits.max_len = 30;
    limits.max_calls = 2;
    ctx.set_limits(limits);
    let arena = Bump::new();
    let e = Expr::compile("((((1))))", &[], &ctx, &arena).err().unwrap();
    assert_eq!(e.kind, ErrorKind::TooDeep);
    let e = Expr::compile("1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1", &[], &ctx, &arena)
        .err()
        .unwrap();
    assert_eq!(
        (e.kind, e.span.start, e.span.end),
        (ErrorKind::TooLong, 30, 31)
    );
    ctx.add_expression_function("f(n) = n > 0 ? f(n - 1) : 7")
        .unwrap();
    let e = Expr::compile("f(1)", &[], &ctx, &arena).unwrap();
    assert_eq!(e.eval(&[]).unwrap(), 7.0);
    let e = Expr::compile("f(5)", &[], &ctx, &arena).unwrap();
    assert_eq!(e.eval(&[]).unwrap_err().kind, ErrorKind::RecursionLimit);
}

#[test]
fn api_misuse_is_an_error() {
    let ctx = Context::<f64>::new();
    let arena = Bump::new();
    let e = Expr::compile("x + y", &["x", "y"], &ctx, &arena).unwrap();
    assert_eq!(e.eval(&[1.0]).unwrap_err().kind, ErrorKind::ParamCount);
    let e = Expr::compile("x", &["x", "x"], &ctx, &arena).err().unwrap();
    assert_eq!(e.kind, ErrorKind::DuplicateName);
    // Both ways of finding repeats (pairwise for a few names, a sorted
    // index past eight): every pair of positions, on either side of it.
    for n in 2..=12 {
        let names: Vec<String> = (0..n).map(|i| format!("p{i}")).collect();
        let distinct: Vec<&str> = names.iter().map(String::as_str).collect();
        assert!(Expr::compile("1", &distinct, &ctx, &arena).is_ok());
        for (i, j) in (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))) {
            let mut refs = distinct.clone();
            refs[j] = refs[i];
            let e = Expr::compile("1", &refs, &ctx, &arena).err().unwrap();
            assert_eq!(e.kind, ErrorKind::DuplicateName, "{n} names, {i} = {j}");
        }
    }
    let mut ctx = Context::<f64>::new();
    let e = ctx.add_expression_function("f(a, a) = a").unwrap_err();
    assert_eq!((e.kind, e.span.start), (ErrorKind::DuplicateName, 5));
    let e = ctx.add_expression_function("g(a) = a + b").unwrap_err();
    assert_eq!(
        (e.kind, e.span.start, e.span.end),
        (ErrorKind::UnknownVariable, 11, 12)
    );
}

#[test]
fn reentrant_evaluation_is_an_error() {
    use std::cell::Cell;
    use std::rc::Rc;
    // A native that evaluates the expression that calls it.
    let slot: Rc<Cell<Option<&'static Expr<'static, f64>>>> = Rc::new(Cell::new(None));
    let inner = slot.clone();
    // What the inner evaluation failed with.
    let seen: Rc<Cell<Option<ErrorKind>>> = Rc::new(Cell::new(None));
    let record = seen.clone();
    let mut ctx = Context::<f64>::new();
    ctx.add_fallible_function("again", Arity::Exact(0), move |_| match inner.get() {
        Some(e) => e.eval(&[]).map_err(|err| {
            record.set(Some(err.kind));
            CallbackError
        }),
        None => Ok(0.0),
    });
    // The expression must be reachable from its own context, so the three
    // live on the heap behind raw pointers, freed at the end (Miri checks).
    let ctx = Box::into_raw(Box::new(ctx));
    let arena = Box::into_raw(Box::new(Bump::new()));
    // SAFETY: `ctx` and `arena` stay valid until freed below, after `e`.
    let (c, a): (&'static Context<f64>, &'static Bump) = unsafe { (&*ctx, &*arena) };
    let e = Box::into_raw(Box::new(Expr::compile("again()", &[], c, a).unwrap()));
    // SAFETY: as above; `e` is freed below, after its last use.
    let expr: &'static Expr<'static, f64> = unsafe { &*e };
    slot.set(Some(expr));
    // The inner call fails with Reentrant, which the native turns into a
    // callback error; the outer evaluation reports that.
    assert_eq!(expr.eval(&[]).unwrap_err().kind, ErrorKind::Callback);
    assert_eq!(seen.get(), Some(ErrorKind::Reentrant));
    slot.set(None);
    assert_eq!(expr.eval(&[]).unwrap(), 0.0);
    // SAFETY: each pointer came from `Box::into_raw` and is freed once, the
    // expression first (it borrows the other two); nothing uses them after.
    unsafe {
        drop(Box::from_raw(e));
        drop(Box::from_raw(arena));
        drop(Box::from_raw(ctx));
    }
}

#[test]
fn a_failing_batch_expression_does_not_stop_the_others() {
    let ctx = context();
    let arena = Bump::new();
    let mut batch = Batch::new(&ctx, &arena);
    let ok = batch.add_expression("x * 2").unwrap();
    let bad = batch.add_expression("a[x]").unwrap();
    batch.set_param(0, 5.0);
    assert_eq!(batch.eval().unwrap_err().kind, ErrorKind::IndexOutOfBounds);
    assert_eq!(batch.result(ok), Some(10.0));
    assert!(batch.result(bad).unwrap().is_nan());
    assert_eq!(batch.error(bad).unwrap().kind, ErrorKind::IndexOutOfBounds);
    batch.set_param(0, 1.0);
    batch.eval().unwrap();
    assert_eq!(batch.result(bad), Some(2.0));
    assert_eq!(batch.error(bad), None);
    // A bad expression adds no parameters.
    assert_eq!(
        batch.add_expression("q + sin").unwrap_err().kind,
        ErrorKind::NotAValue
    );
    assert_eq!(batch.param_names(), ["x"]);
}

#[test]
fn caret_rendering() {
    let render = |src: &str| error(src).render(src).to_string();
    assert_eq!(
        render("sin(x +* 2)"),
        "sin(x +* 2)\n       ^ expected an operand, found `*`"
    );
    assert_eq!(
        render("1 +"),
        "1 +\n   ^ expected an operand, found end of input"
    );
    assert_eq!(render("(1 + 2"), "(1 + 2\n^ unclosed `(`");
    assert_eq!(
        render("x +\n  foo(1)"),
        "  foo(1)\n  ^ unknown function `foo`"
    );
    assert_eq!(
        render("\tsin(1, 2)"),
        "\tsin(1, 2)\n\t^ wrong number of arguments"
    );
    assert_eq!(render("y"), "y\n^ unknown variable `y`");
    assert_eq!(format!("{}", error("y")), "unknown variable at 0..1");
    // A caret past a trailing CR (found by fuzzing: this panicked once).
    assert_eq!(render("\r"), "\n^ expected an operand, found end of input");
    assert_eq!(
        render("1 +\r"),
        "1 +\n   ^ expected an operand, found end of input"
    );
    // A long line is cut to a window around the caret.
    let long = format!("{}1 +* 2{}", "x + ".repeat(100), " + x".repeat(100));
    let text = render(&long);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with('…') && first.ends_with('…') && first.chars().count() < 130,
        "{first}"
    );
    let caret = text.lines().nth(1).unwrap();
    let column = |s: &str, c: char| s.chars().position(|x| x == c);
    assert_eq!(column(caret, '^'), column(first, '*'), "\n{text}");
}

#[test]
fn kinds_have_stable_numbers_and_names() {
    for (i, kind) in ErrorKind::ALL.iter().enumerate() {
        assert_eq!(*kind as u8 as usize, i + 1);
        assert!(!kind.name().is_empty() && !kind.message().is_empty());
    }
    assert!(ErrorKind::NotAValue.is_syntax());
    assert!(ErrorKind::IndexOutOfBounds.is_evaluation());
}

#[test]
fn a_batch_expression_that_fills_the_arena_adds_no_parameters() {
    let mut ctx = Context::<f64>::new();
    ctx.add_expression_function("fact(n) = n <= 1 ? 1 : n * fact(n - 1)")
        .unwrap();
    // Every cap below what the expression needs fails somewhere (parse,
    // compile or the evaluation scratch) and leaves the batch as it was.
    let needed = {
        let arena = Bump::new();
        Batch::new(&ctx, &arena)
            .add_expression("a + fact(b)")
            .unwrap();
        arena.allocated_bytes()
    };
    let mut failed = 0;
    for cap in (0..needed).step_by(64) {
        let arena = Bump::new();
        arena.set_allocation_limit(Some(cap));
        let mut batch = Batch::new(&ctx, &arena);
        match batch.add_expression("a + fact(b)") {
            Err(e) => {
                failed += 1;
                assert_eq!(e.kind, ErrorKind::ArenaFull, "cap {cap}");
                assert!(
                    batch.param_names().is_empty(),
                    "cap {cap}: {:?}",
                    batch.param_names()
                );
                assert!(batch.is_empty());
            }
            Ok(_) => {
                assert_eq!(batch.param_names(), ["a", "b"]);
                assert!(batch.set_param(1, 4.0));
                batch.eval().unwrap();
                assert_eq!(batch.result(0), Some(24.0));
            }
        }
    }
    assert!(failed > 0);
}
