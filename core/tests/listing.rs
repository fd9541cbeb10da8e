//! Golden listings: what the compiler makes of small expressions, one test
//! per optimisation, in the style of the parser's S-expression tests. Each
//! fails when its optimisation stops firing (or fires where it must not).

#![allow(clippy::unwrap_used)]

use exp_rs::{Arity, Context, Expr};

/// The context every listing compiles against: the built-ins plus an
/// array, an object, a native and two expression functions.
fn context() -> Context<f64> {
    let mut ctx = Context::new();
    ctx.add_array("lut", &[0.0, 10.0, 20.0]);
    ctx.add_object("cal", &[("gain", 2.0)]);
    ctx.add_function("twice", Arity::Exact(1), |a| 2.0 * a[0]);
    ctx.add_expression_function("sq(v) = v * v").unwrap();
    ctx.add_expression_function("fact(n) = n <= 1 ? 1 : n * fact(n - 1)")
        .unwrap();
    ctx
}

/// Compiles `src` with parameters `x` and `y` and compares the listing
/// (without its size line) with `expected`.
#[track_caller]
fn check_program(src: &str, expected: &str) {
    let ctx = context();
    let arena = bumpalo::Bump::new();
    let e = Expr::compile(src, &["x", "y"], &ctx, &arena).unwrap();
    let listing = e.program().to_string();
    let code: Vec<&str> = listing.lines().filter(|l| !l.starts_with(';')).collect();
    let expected: Vec<&str> = expected
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let code: Vec<String> = code
        .iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(code, expected, "{src}\n{listing}");
}

#[test]
fn constants_fold() {
    check_program("2 * 3 + x", "0 + x, 6");
    check_program("pi * x", "0 * x, 3.141592653589793");
    check_program("cal.gain * x", "0 * x, 2");
    check_program("lut[1] + x", "0 + x, 10");
    check_program("-(1 + 2)", "0 const -3");
}

#[test]
fn constant_chains_multiply_out_when_exact() {
    check_program("x * 2 * 3", "0 * x, 6");
    check_program("(x + y) * 4 * 3", "0 + x, y\n1 * acc, 12");
    // 3 is not a power of two, 0.5 is below one: rounding could differ.
    check_program("x * 3 * 2", "0 * x, 3\n1 * acc, 2");
    check_program("x * 0.5 * 4", "0 * x, 0.5\n1 * acc, 4");
}

#[test]
fn operands_fuse_into_the_instruction() {
    check_program("x + y", "0 + x, y");
    check_program("2 - x", "0 - 2, x");
    check_program("x - 2", "0 - x, 2");
    check_program("2 * x", "0 * x, 2");
    check_program("sin(x)", "0 call sin, x");
    check_program("sin(x + 1)", "0 + x, 1\n1 call sin, acc");
    check_program("2 + x * (y + 1)", "0 + y, 1\n1 * x, acc\n2 + 2, acc");
    check_program(
        "(x + 1) * (y + 1)",
        "0 + x, 1\n1 push\n2 + y, 1\n3 * pop, acc",
    );
    check_program(
        "min(x, y, 3)",
        "0 load x\n1 push\n2 load y\n3 call fmin, pop, acc\n4 call fmin, acc, 3",
    );
    check_program(
        "clamp(x, 0, 1)",
        "0 load x\n1 call fmax, acc, 0\n2 call fmin, acc, 1",
    );
}

#[test]
fn powers_and_divisions_are_rewritten_exactly() {
    check_program("x ^ 2", "0 * x, x");
    check_program("x ^ 1", "0 load x");
    check_program("x ^ -1", "0 / 1, x");
    check_program("x ^ 0", "0 const 1");
    check_program("x ^ 3", "0 ^ x, 3");
    // Only SPEC.md's exact rewrites: x^0.5 stays pow (its -0 and -inf
    // cases differ from sqrt's), x^-2 too (1/(x*x) rounds twice).
    check_program("x ^ 0.5", "0 ^ x, 0.5");
    check_program("x ^ -2", "0 ^ x, -2");
    check_program("x / 4", "0 * x, 0.25");
    check_program("x / 3", "0 / x, 3");
}

#[test]
fn logic_and_conditionals_jump() {
    check_program("x < 1 && y > 2", "0 < x, 1\n1 and 3\n2 > y, 2");
    check_program("x || y", "0 load x\n1 or 4\n2 load y\n3 bool");
    check_program(
        "x ? 1 : 2",
        "0 load x\n1 jfalse 4\n2 const 1\n3 jump 5\n4 const 2",
    );
    check_program("!x", "0 load x\n1 not");
    check_program("!(x < 1)", "0 < x, 1\n1 not");
}

#[test]
fn constant_conditions_drop_the_dead_side() {
    check_program("1 ? x : y", "0 load x");
    check_program("0 ? x : y", "0 load y");
    check_program("0 && y", "0 const 0");
    check_program("1 || y", "0 const 1");
    check_program("1 && y", "0 load y\n1 bool");
}

#[test]
fn calls_arrays_and_functions() {
    check_program("lut[x]", "0 load x\n1 index lut, acc");
    check_program("twice(x)", "0 load x\n1 push\n2 native twice/1");
    // A call whose argument must be computed stays a call.
    check_program(
        "sq(x + 1)",
        "0 + x, 1\n1 push\n2 call sq/1\n3 ret\nsq/1:\n4 arg v\n5 push\n6 arg v\n7 * pop, acc\n8 ret",
    );
}

#[test]
fn small_functions_are_inlined_when_nothing_can_tell() {
    // Arguments that are names or literals: the body is lowered in place,
    // its parameters standing for them (and then it folds and fuses).
    check_program("sq(x) + 1", "0 * x, x\n1 + acc, 1");
    check_program("sq(2) + x", "0 + x, 4");
    // Not beside a real call: the call budgets would count differently.
    check_program(
        "sq(x) + fact(y)",
        "0 load x\n1 push\n2 call sq/1\n3 push\n4 load y\n5 push\n6 call fact/1\n7 + pop, acc\n8 ret\n\
         sq/1:\n9 arg v\n10 push\n11 arg v\n12 * pop, acc\n13 ret\n\
         fact/1:\n14 arg n\n15 <= acc, 1\n16 jfalse 19\n17 const 1\n18 jump 26\n19 arg n\n20 push\n21 arg n\n22 - acc, 1\n23 push\n24 call fact/1\n25 * pop, acc\n26 ret",
    );
}

#[test]
fn the_program_view_names_spans_and_folds() {
    let ctx = context();
    let arena = bumpalo::Bump::new();
    let src = "2 * 3 + sin(x)";
    let e = Expr::compile(src, &["x", "y"], &ctx, &arena).unwrap();
    let p = e.program();
    let insns: Vec<_> = p.instructions().collect();
    assert_eq!(insns.len(), 2);
    assert_eq!(insns[0].opcode, "call");
    assert_eq!(insns[0].span.text(src), "sin(x)");
    assert_eq!(insns[1].opcode, "+");
    assert_eq!(insns[1].span.text(src), src);
    let folded: Vec<&str> = p.folded().iter().map(|s| s.text(src)).collect();
    assert_eq!(folded, ["2 * 3"]);
    let e = Expr::compile("sq(x + 1)", &["x"], &ctx, &arena).unwrap();
    let f = e.program().functions().next().unwrap();
    assert_eq!(
        (f.name, f.params, f.source),
        ("sq", &["v"][..], "sq(v) = v * v")
    );
    let body: Vec<_> = e
        .program()
        .instructions()
        .filter(|i| i.function == Some(0))
        .collect();
    assert_eq!(body.first().map(|i| i.span.text(f.source)), Some("v * v"));
}
