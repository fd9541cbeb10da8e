//! Printing (SPEC.md "Derivatives and printing"): canonical source with
//! minimal parentheses and shortest numbers, checked by the round trip
//! `parse(print(t))`: the same tree ([`Ast::same_tree`]), the same text when
//! printed again, and the same bits (or the same error kind) when compiled
//! and evaluated, in both precisions. Over the whole conformance table,
//! over random trees, and on hostile heights with a small stack.
#![cfg(feature = "symbolic")]
#![allow(clippy::unwrap_used)]

mod common;

use common::{cases, fixture, scalars};
use exp_rs::bumpalo::Bump;
use exp_rs::{Ast, Context, Error, Expr, Real, parse_expression_arena};
use proptest::prelude::*;

/// Golden prints: input → canonical source.
const GOLDEN: &[(&str, &str)] = &[
    ("1+2*3", "1 + 2 * 3"),
    ("(1+2)*3", "(1 + 2) * 3"),
    ("a-(b-c)", "a - (b - c)"),
    ("(a-b)-c", "a - b - c"),
    ("a+(b+c)", "a + (b + c)"),
    ("a/(b*c)", "a / (b * c)"),
    ("2^3^2", "2^3^2"),
    ("(2^3)^2", "(2^3)^2"),
    ("-2^2", "-2^2"),
    ("(-2)^2", "(-2)^2"),
    ("2^-2", "2^-2"),
    ("2^(-2)^2", "2^(-2)^2"),
    ("2^-2^2", "2^-2^2"),
    ("2**x", "2^x"),
    ("-(a*b)", "-(a * b)"),
    ("(-a)*b", "-a * b"),
    ("--a", "--a"),
    ("a - -b", "a - -b"),
    ("!(a && b)", "!(a && b)"),
    ("(a < b) < c", "a < b < c"),
    ("a < (b < c)", "a < (b < c)"),
    ("a || b && c", "a || b && c"),
    ("(a || b) && c", "(a || b) && c"),
    ("a ? b : c ? d : e", "a ? b : c ? d : e"),
    ("(a ? b : c) ? d : e", "(a ? b : c) ? d : e"),
    ("a ? (b ? c : d) : e", "a ? b ? c : d : e"),
    ("(a, b) ? c : (d, e)", "(a, b) ? c : (d, e)"),
    ("a, (b, c)", "a, (b, c)"),
    ("(a, b), c", "a, b, c"),
    ("f((a, b), c)", "f((a, b), c)"),
    ("t[(1, 2)]", "t[(1, 2)]"),
    ("1 + (a ? b : c)", "1 + (a ? b : c)"),
    ("p.x*2", "p.x * 2"),
    ("1.50", "1.5"),
    ("1e3", "1e3"),
    ("1000", "1e3"),
    ("100", "100"),
    ("100.0", "100"),
    ("1e21", "1e21"),
    ("0.0000001", "1e-7"),
    (".5", "0.5"),
    ("00012", "12"),
    ("1e400", "1e400"),
    ("0.1", "0.1"),
    ("123456789012345678901234567890", "1.2345678901234568e29"),
];

fn printed(src: &str) -> String {
    let arena = Bump::new();
    parse_expression_arena(src, &arena).unwrap().to_string()
}

#[test]
fn golden_prints() {
    for (src, want) in GOLDEN {
        assert_eq!(printed(src), *want, "printing `{src}`");
    }
}

/// Checks the round trip of one source; `None` when it holds, else what
/// went wrong. Sources that do not parse are skipped.
fn round_trip(src: &str) -> Option<String> {
    let arena = Bump::new();
    let ast = parse_expression_arena(src, &arena).ok()?;
    let text = ast.to_string();
    let again = match parse_expression_arena(&text, &arena) {
        Ok(t) => t,
        Err(e) => return Some(format!("`{src}` printed `{text}`, which fails: {e}")),
    };
    if !ast.same_tree(again) {
        return Some(format!("`{src}` printed `{text}`, a different tree"));
    }
    let twice = again.to_string();
    (twice != text).then(|| format!("`{src}`: `{text}` prints again as `{twice}`"))
}

fn outcome<R: Real>(
    src: &str,
    names: &[&str],
    values: &[R],
    ctx: &Context<R>,
) -> Result<u64, exp_rs::ErrorKind> {
    let arena = Bump::new();
    let r: Result<R, Error> = Expr::compile(src, names, ctx, &arena).and_then(|e| e.eval(values));
    r.map(|v| v.to_f64().to_bits()).map_err(|e| e.kind)
}

fn same_bits<R: Real>(case: &common::Case) -> Option<String> {
    let arena = Bump::new();
    let text = parse_expression_arena(&case.source, &arena)
        .ok()?
        .to_string();
    let ctx = fixture::<R>(&case.bindings);
    let (names, values) = scalars::<R>(&case.bindings);
    let a = outcome(&case.source, &names, &values, &ctx);
    let b = outcome(&text, &names, &values, &ctx);
    // A NaN's payload may differ; any NaN is the same value.
    let nan = |r: &Result<u64, _>| matches!(r, Ok(bits) if f64::from_bits(*bits).is_nan());
    (a != b && !(nan(&a) && nan(&b))).then(|| {
        format!(
            "line {} [{}] `{}` printed `{text}`: {a:?} then {b:?}",
            case.line,
            R::NAME,
            case.source
        )
    })
}

#[test]
fn every_conformance_row_round_trips_to_the_same_tree_and_bits() {
    let cases = cases();
    let mut checked = 0;
    let mut failures = Vec::new();
    for case in &cases {
        if parse_expression_arena(&case.source, &Bump::new()).is_err() {
            continue;
        }
        checked += 1;
        failures.extend(round_trip(&case.source));
        failures.extend(same_bits::<f64>(case));
        failures.extend(same_bits::<f32>(case));
    }
    assert!(checked >= 250, "only {checked} rows parse");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Random source text: every operator and construct, numbers spelled in
/// many ways, and random extra parentheses.
fn source() -> impl Strategy<Value = String> {
    let number = prop_oneof![
        prop::sample::select(vec![
            "0",
            "1",
            "2",
            "0.5",
            ".25",
            "1.",
            "1e3",
            "2.5E-3",
            "1e-7",
            "0.1",
            "007",
            "1e300",
            "3.14159265358979323846",
            "1e400",
            "4.9e-324",
            "16777217",
            "0.30000000000000004",
        ])
        .prop_map(String::from),
        any::<f64>()
            .prop_filter("finite", |v| v.is_finite())
            .prop_map(|v| format!("{:e}", v.abs())),
        any::<f32>()
            .prop_filter("finite", |v| v.is_finite())
            .prop_map(|v| format!("{}", v.abs())),
    ];
    let name =
        prop::sample::select(vec!["x", "y", "pi", "p.a", "t[x]", "t[1]"]).prop_map(String::from);
    let leaf = prop_oneof![number, name];
    leaf.prop_recursive(6, 64, 3, |inner| {
        let op = prop::sample::select(vec![
            ",", "||", "&&", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "^", "**",
        ]);
        prop_oneof![
            4 => (inner.clone(), op, inner.clone()).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            2 => inner.clone().prop_map(|a| format!("({a})")),
            2 => (prop::sample::select(vec!["-", "+", "!"]), inner.clone()).prop_map(|(o, a)| format!("{o}{a}")),
            1 => (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| format!("{c} ? {a} : {b}")),
            1 => (prop::sample::select(vec!["sin", "max", "atan2", "clamp"]), prop::collection::vec(inner.clone(), 1..4))
                .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
            1 => inner.prop_map(|a| format!("t[{a}]")),
        ]
    })
}

fn random_context<R: Real>() -> Context<R> {
    let mut ctx = Context::<R>::new();
    ctx.add_array(
        "t",
        &[R::from_f64(1.5), R::from_f64(-2.0), R::from_f64(3.0)],
    );
    ctx.add_object("p", &[("a", R::from_f64(0.75))]);
    ctx
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn random_trees_round_trip(src in source(), x in -3.0f64..3.0, y in -3.0f64..3.0) {
        if let Some(problem) = round_trip(&src) {
            prop_assert!(false, "{}", problem);
        }
        let arena = Bump::new();
        if let Ok(ast) = parse_expression_arena(&src, &arena) {
            let text = ast.to_string();
            let f64s = (
                outcome(&src, &["x", "y"], &[x, y], &random_context::<f64>()),
                outcome(&text, &["x", "y"], &[x, y], &random_context::<f64>()),
            );
            let (xf, yf) = (x as f32, y as f32);
            let f32s = (
                outcome(&src, &["x", "y"], &[xf, yf], &random_context::<f32>()),
                outcome(&text, &["x", "y"], &[xf, yf], &random_context::<f32>()),
            );
            for (a, b) in [f64s, f32s] {
                let nan = |r: &Result<u64, _>| matches!(r, Ok(bits) if f64::from_bits(*bits).is_nan());
                prop_assert!(a == b || (nan(&a) && nan(&b)), "`{}` printed `{}`: {:?} then {:?}", src, text, a, b);
            }
        }
    }
}

/// Runs `f` on a thread with a 64 KiB stack.
fn small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn trees_at_the_height_limit_print_on_a_small_stack() {
    small_stack(|| {
        let deep = [
            format!("{}x{}", "(".repeat(250), ")".repeat(250)),
            format!("{}x", "-".repeat(250)),
            format!("{}x{}", "(1+".repeat(250), ")".repeat(250)),
            format!("{}x{}", "sin(".repeat(250), ")".repeat(250)),
            format!("{}2", "2^".repeat(250)),
            format!("{}2{}", "(".repeat(250), "^2)".repeat(250)),
            vec!["x"; 250].join(" - "),
            vec!["x"; 250].join(" ? 1 : "),
        ];
        for src in deep {
            assert_eq!(round_trip(&src), None);
        }
    });
}

#[test]
fn expressions_print_their_tree() {
    let ctx = Context::<f64>::new();
    let arena = Bump::new();
    let e = Expr::compile("x*(y+1)^2", &["x", "y"], &ctx, &arena).unwrap();
    assert_eq!(e.to_string(), "x * (y + 1)^2");
    let ast: &Ast<'_> = e.ast();
    assert_eq!(ast.to_string(), e.to_string());
}
