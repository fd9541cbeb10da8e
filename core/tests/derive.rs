//! Symbolic derivatives (SPEC.md "Derivatives and printing"): golden
//! simplifications with the node counts of issue 17, every construct's
//! rule, `NotDifferentiable` where SPEC says so, numeric checks against
//! central differences on random smooth expressions (both precisions),
//! and hostile inputs on a small stack.
#![cfg(feature = "symbolic")]
#![allow(clippy::unwrap_used)]

use exp_rs::bumpalo::Bump;
use exp_rs::{Arity, Context, ErrorKind, Expr, Limits, Real, Span};
use proptest::prelude::*;

/// `(f, d/dx f printed, at most this many nodes)`, in x and y.
const GOLDEN: &[(&str, &str, usize)] = &[
    // The table of issue 17.
    ("x * 2", "2", 1),
    ("sin(x)", "cos(x)", 2),
    ("x^3", "3 * x^2", 5),
    ("exp(x)", "exp(x)", 2),
    ("x * y", "y", 1),
    // More of every construct.
    ("x", "1", 1),
    ("y", "0", 1),
    ("5 + pi", "0", 1),
    ("-x", "-1", 2),
    ("+x", "1", 1),
    ("x^2", "2 * x", 3),
    ("x**2 + 3*x + 1", "2 * x + 3", 5),
    ("(x + 1)^2", "2 * (x + 1)", 5),
    ("x^-1", "-x^-2", 5),
    ("2^x", "2^x * ln(2)", 6),
    ("x^y", "y * x^(y - 1)", 7),
    ("x^x", "x^x * (ln(x) + x / x)", 11),
    ("x / 2", "0.5", 1),
    ("2 / x", "-2 / x^2", 6),
    ("x / y", "1 / y", 3),
    ("y / x", "-(y / x^2)", 6),
    ("x % 3", "1", 1),
    ("7 % x", "-trunc(7 / x)", 5),
    ("fmod(x, y)", "1", 1),
    ("sqrt(x)", "1 / (2 * sqrt(x))", 6),
    ("cbrt(x)", "1 / (3 * cbrt(x)^2)", 8),
    ("ln(x)", "1 / x", 3),
    ("log(x)", "1 / x", 3),
    ("log10(x)", "1 / (x * ln(10))", 6),
    ("log2(x)", "1 / (x * ln(2))", 6),
    ("cos(x)", "-sin(x)", 3),
    ("tan(x)", "1 / cos(x)^2", 6),
    ("asin(x)", "1 / sqrt(1 - x^2)", 8),
    ("acos(x)", "-(1 / sqrt(1 - x^2))", 9),
    ("atan(x)", "1 / (1 + x^2)", 7),
    ("sinh(x)", "cosh(x)", 2),
    ("cosh(x)", "sinh(x)", 2),
    ("tanh(x)", "1 / cosh(x)^2", 6),
    ("asinh(x)", "1 / sqrt(x^2 + 1)", 8),
    ("acosh(x)", "1 / sqrt(x^2 - 1)", 8),
    ("atanh(x)", "1 / (1 - x^2)", 7),
    ("abs(x)", "sign(x)", 2),
    ("floor(x) + ceil(x) + round(x) + trunc(x) + sign(x)", "0", 1),
    ("sin(2 * x)", "2 * cos(2 * x)", 6),
    ("exp(x^2)", "2 * exp(x^2) * x", 8),
    ("atan2(y, x)", "-(y / (x^2 + y^2))", 10),
    ("atan2(x, y)", "y / (y^2 + x^2)", 9),
    ("hypot(x, y)", "x / hypot(x, y)", 5),
    ("pow(x, 3)", "3 * x^2", 5),
    ("min(x, y)", "y < x ? 0 : 1", 6),
    (
        "max(x, 2 * x, y)",
        "y > max(x, 2 * x) ? 0 : 2 * x > x ? 2 : 1",
        17,
    ),
    ("clamp(x, 0, 1)", "1 < max(x, 0) ? 0 : 0 > x ? 0 : 1", 15),
    ("x > 1 ? x^2 : -x", "x > 1 ? 2 * x : -1", 9),
    ("x > 1 ? 2 : y", "0", 1),
    ("x < y", "0", 1),
    ("!x + (x && y) + (x || y) + (x == y)", "0", 1),
    ("(y, x^2)", "2 * x", 3),
    ("(x, y)", "0", 1),
    ("x * y * x", "y * x + x * y", 7),
    ("0 * x + x * 1", "1", 1),
    ("-(-x)", "1", 1),
];

fn context() -> Context<f64> {
    let mut ctx = Context::new();
    ctx.add_expression_function("hyp(a, b) = sqrt(a^2 + b^2)")
        .unwrap();
    ctx.add_expression_function("sq(t) = t * t").unwrap();
    ctx.add_expression_function("fact(n) = n <= 1 ? 1 : n * fact(n - 1)")
        .unwrap();
    ctx.add_expression_function("ping(n) = n <= 0 ? 0 : pong(n - 1)")
        .unwrap();
    ctx.add_expression_function("pong(n) = ping(n) + 1")
        .unwrap();
    ctx.set_constant("k", 2.5);
    ctx.add_object("pt", &[("a", 4.0)]);
    ctx.add_expression_function("scaled(t) = k * t + pt.a")
        .unwrap();
    ctx.add_function("native", Arity::Exact(1), |a| a[0] * 3.0);
    ctx
}

fn derive(src: &str, var: &str) -> Result<(String, usize), ErrorKind> {
    let ctx = context();
    let arena = Bump::new();
    let f = Expr::compile(src, &["x", "y"], &ctx, &arena).map_err(|e| e.kind)?;
    let df = f.derivative(var).map_err(|e| e.kind)?;
    Ok((df.to_string(), df.ast().node_count()))
}

#[test]
fn golden_derivatives_are_simplified() {
    let mut failures = Vec::new();
    for &(src, want, nodes) in GOLDEN {
        match derive(src, "x") {
            Ok((got, n)) if got == want && n <= nodes => {}
            other => failures.push(format!(
                "d/dx `{src}`: want `{want}` (≤ {nodes} nodes), got {other:?}"
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn expression_functions_are_differentiated_through_their_bodies() {
    assert_eq!(derive("sq(x)", "x").unwrap().0, "x + x");
    assert_eq!(
        derive("sq(sin(x))", "x").unwrap().0,
        "cos(x) * sin(x) + sin(x) * cos(x)"
    );
    // The body's constant and field are put in as numbers.
    assert_eq!(derive("scaled(x^2)", "x").unwrap().0, "5 * x");
    assert_eq!(
        derive("hyp(x, 3)", "x").unwrap().0,
        "2 * x / (2 * sqrt(x^2 + 3^2))"
    );
    // A call whose arguments do not depend on x is a constant.
    assert_eq!(derive("fact(3) * x", "x").unwrap().0, "fact(3)");
    assert_eq!(derive("native(y) + x", "x").unwrap().0, "1");
}

#[test]
fn recursion_and_natives_are_not_differentiable_at_the_call() {
    let ctx = context();
    let arena = Bump::new();
    for (src, span) in [
        ("1 + fact(x)", Span::new(4, 11)),
        ("2 * native(x)", Span::new(4, 13)),
        ("ping(x)", Span::new(0, 7)),
        ("sq(native(x))", Span::new(3, 12)),
    ] {
        let f = Expr::compile(src, &["x"], &ctx, &arena).unwrap();
        let err = f.derivative("x").err().unwrap();
        assert_eq!(
            (err.kind, err.span),
            (ErrorKind::NotDifferentiable, span),
            "`{src}`"
        );
    }
    // Not a parameter.
    let f = Expr::compile("x", &["x"], &ctx, &arena).unwrap();
    assert_eq!(
        f.derivative("z").err().unwrap().kind,
        ErrorKind::UnknownVariable
    );
}

#[test]
fn natives_differentiate_through_registered_derivatives() {
    let mut ctx = context();
    ctx.add_function("mul2", Arity::Exact(2), |a| a[0] * a[1]);
    ctx.set_derivative_expression("mul2", 0, "mul2_a(a, b) = b")
        .unwrap();
    ctx.add_function("first", Arity::Exact(2), |a| a[0]);
    ctx.set_derivative("mul2", 1, "first");
    ctx.set_derivative_expression("native", 0, "native_d(t) = 3")
        .unwrap();
    let arena = Bump::new();
    let f = Expr::compile("mul2(x, sin(x)) + native(x^2)", &["x"], &ctx, &arena).unwrap();
    let df = f.derivative("x").unwrap();
    assert_eq!(
        df.to_string(),
        "mul2_a(x, sin(x)) + first(x, sin(x)) * cos(x) + 2 * native_d(x^2) * x"
    );
    let x: f64 = 0.7;
    let want = x.sin() + x * x.cos() + 3.0 * 2.0 * x;
    assert!((df.eval(&[x]).unwrap() - want).abs() < 1e-12);
    // Only the partials that are needed must exist.
    ctx.add_function("half", Arity::Exact(2), |a| a[0] / 2.0);
    ctx.set_derivative("half", 1, "first");
    let f = Expr::compile("half(3, x)", &["x"], &ctx, &arena).unwrap();
    assert_eq!(f.derivative("x").unwrap().to_string(), "first(3, x)");
    let f = Expr::compile("half(x, 3)", &["x"], &ctx, &arena).unwrap();
    assert_eq!(
        f.derivative("x").err().unwrap().kind,
        ErrorKind::NotDifferentiable
    );
}

#[test]
fn derivatives_compile_with_the_same_parameters_and_differentiate_again() {
    let ctx = context();
    let arena = Bump::new();
    let f = Expr::compile_auto("y * x^4", &ctx, &arena).unwrap();
    let d2 = f.derivative("x").unwrap().derivative("x").unwrap();
    assert_eq!(d2.params(), ["y", "x"]);
    assert_eq!(d2.to_string(), "12 * y * x^2");
    assert_eq!(d2.source(), d2.to_string());
    assert_eq!(d2.eval(&[2.0, 3.0]).unwrap(), 216.0);
    let dy = f.derivative("y").unwrap();
    assert_eq!(dy.to_string(), "x^4");
}

#[test]
fn the_tree_level_functions_work_without_an_expr() {
    let ctx = Context::<f64>::new();
    let arena = Bump::new();
    let ast = exp_rs::parse_expression_arena("x * sensor.gain + y", &arena).unwrap();
    let d =
        exp_rs::derivative(ast, "sensor.gain", &["x", "sensor.gain", "y"], &ctx, &arena).unwrap();
    assert_eq!(d.to_string(), "x");
    let d = exp_rs::derivative(ast, "q", &["x"], &ctx, &arena).unwrap();
    assert_eq!(d.to_string(), "0");
    let ast = exp_rs::parse_expression_arena("(x + 0) * 1 - -y + 2 * 3", &arena).unwrap();
    let s = exp_rs::simplify(ast, &arena, &Limits::DEFAULT).unwrap();
    assert_eq!(s.to_string(), "x + y + 6");
}

/// Smooth random expressions in x and y, defined near the sample points
/// (x, y in [0.5, 2]).
fn smooth() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("x".to_string()),
        Just("y".to_string()),
        prop::sample::select(vec!["2", "0.5", "3", "1.25", "pi"]).prop_map(String::from),
    ];
    leaf.prop_recursive(5, 40, 2, |inner| {
        prop_oneof![
            3 => (inner.clone(), prop::sample::select(vec!["+", "-", "*"]), inner.clone())
                .prop_map(|(a, o, b)| format!("({a} {o} {b})")),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} / (2 + sin({b})))")),
            1 => (inner.clone(), 1..4u32).prop_map(|(a, n)| format!("({a})^{n}")),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("(1.5 + cos({a}))^(sin({b}))")),
            2 => (prop::sample::select(vec!["sin", "cos", "atan", "tanh", "asinh"]), inner.clone())
                .prop_map(|(f, a)| format!("{f}({a})")),
            1 => inner.clone().prop_map(|a| format!("exp(sin({a}))")),
            1 => inner.clone().prop_map(|a| format!("sqrt(1 + ({a})^2)")),
            1 => inner.clone().prop_map(|a| format!("ln(2 + sin({a}))")),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("hypot(1 + ({a})^2, {b})")),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("atan2({a}, 2 + cos({b}))")),
            1 => inner.clone().prop_map(|a| format!("hyp({a}, 1)")),
            1 => inner.prop_map(|a| format!("sq({a})")),
        ]
    })
}

/// Central difference with a step scaled to the point.
fn central<R: Real>(f: &Expr<'_, R>, x: f64, y: f64, wrt_x: bool) -> f64 {
    let h = 1e-5 * x.abs().max(1.0);
    let at = |dx: f64| {
        let (a, b) = if wrt_x { (x + dx, y) } else { (x, y + dx) };
        f.eval(&[R::from_f64(a), R::from_f64(b)]).unwrap().to_f64()
    };
    (at(h) - at(-h)) / (2.0 * h)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn derivatives_match_central_differences(src in smooth(), x in 0.5f64..2.0, y in 0.5f64..2.0) {
        let ctx = context();
        let arena = Bump::new();
        let f = Expr::compile(&src, &["x", "y"], &ctx, &arena).unwrap();
        for (var, wrt_x) in [("x", true), ("y", false)] {
            let df = match f.derivative(var) {
                Ok(df) => df,
                // A huge derivative may pass the limits; that is an error, not a blow-up.
                Err(e) => {
                    prop_assert!(matches!(e.kind, ErrorKind::TooDeep | ErrorKind::ArenaFull), "{:?}", e);
                    continue;
                }
            };
            let got = df.eval(&[x, y]).unwrap();
            let want = central(&f, x, y, wrt_x);
            let tol = 1e-5 * want.abs().max(1.0);
            prop_assert!((got - want).abs() <= tol, "d/d{} `{}` = `{}` at ({}, {}): {} vs {}", var, src, df, x, y, got, want);
        }
    }

    #[test]
    fn f32_derivatives_agree_with_f64(src in smooth(), x in 0.5f64..2.0, y in 0.5f64..2.0) {
        let mut ctx32 = Context::<f32>::new();
        ctx32.add_expression_function("hyp(a, b) = sqrt(a^2 + b^2)").unwrap();
        ctx32.add_expression_function("sq(t) = t * t").unwrap();
        let (arena, arena32) = (Bump::new(), Bump::new());
        let f = Expr::compile(&src, &["x", "y"], &context(), &arena).unwrap();
        let f32e = Expr::compile(&src, &["x", "y"], &ctx32, &arena32).unwrap();
        if let (Ok(d), Ok(d32)) = (f.derivative("x"), f32e.derivative("x")) {
            prop_assert_eq!(d.to_string(), d32.to_string());
            let a = d.eval(&[x, y]).unwrap();
            let b = f64::from(d32.eval(&[x as f32, y as f32]).unwrap());
            prop_assert!((a - b).abs() <= 1e-3 * a.abs().max(1.0), "`{}`: {} vs {}", d, a, b);
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
fn hostile_derivatives_are_bounded_errors_on_a_small_stack() {
    small_stack(|| {
        let ctx = context();
        let arena = Bump::new();
        let ok_or_limit = |src: &str| {
            let f = Expr::compile_auto(src, &ctx, &arena).unwrap();
            let x = f
                .params()
                .iter()
                .position(|p| *p == "x")
                .map(|_| "x")
                .unwrap();
            match f.derivative(x) {
                Ok(d) => {
                    let _ = d.to_string();
                    None
                }
                Err(e) => Some(e.kind),
            }
        };
        // 250 levels of each kind.
        let deep = [
            format!("{}x{}", "(".repeat(250), ")".repeat(250)),
            format!("{}x", "-".repeat(250)),
            format!("{}x{}", "(1+".repeat(120), ")".repeat(120)),
            format!("{}x{}", "(2*".repeat(120), ")".repeat(120)),
            format!("{}x{}", "sin(".repeat(250), ")".repeat(250)),
            format!("{}x{}", "sq(".repeat(250), ")".repeat(250)),
            format!("{}2", "x^".repeat(120)),
            vec!["x"; 250].join(" * "),
            vec!["x"; 250].join(" + "),
            vec!["sin(x)"; 120].join(" / "),
        ];
        for src in &deep {
            let outcome = ok_or_limit(src);
            assert!(
                matches!(
                    outcome,
                    None | Some(ErrorKind::TooDeep | ErrorKind::ArenaFull)
                ),
                "`{}…`: {outcome:?}",
                &src[..20]
            );
        }
        // A long chain through nested squares grows as 2^n: stopped by the
        // budget, fast.
        let start = std::time::Instant::now();
        let src = format!("{}x{}", "sq(".repeat(60), ")".repeat(60));
        assert_eq!(ok_or_limit(&src), Some(ErrorKind::ArenaFull));
        assert!(start.elapsed().as_secs() < 10);
        // The chain sums stay linear.
        assert_eq!(ok_or_limit(&vec!["x"; 250].join(" + ")), None);
    });
}

#[test]
fn a_capped_arena_is_arena_full_not_an_abort() {
    let ctx = context();
    for limit in [64usize, 256, 1024, 4096] {
        let arena = Bump::new();
        let Ok(f) = Expr::compile("sin(x) * exp(x^2) / (1 + x^2)", &["x"], &ctx, &arena) else {
            continue;
        };
        arena.set_allocation_limit(Some(exp_rs::arena_used(&arena) + limit));
        if let Err(e) = f.derivative("x") {
            assert_eq!(e.kind, ErrorKind::ArenaFull);
        }
    }
}

/// The committed SymPy table (derive_reference.py): 300 random smooth
/// expressions, both partial derivatives at a random point, to 1e-8
/// relative.
#[test]
fn derivatives_match_an_independent_symbolic_reference() {
    let table = include_str!("derive_reference.txt");
    let ctx = Context::<f64>::new();
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let cols: Vec<&str> = line.splitn(5, " ;; ").collect();
        let num = |i: usize| cols[i].parse::<f64>().unwrap();
        let (x, y, src) = (num(0), num(1), cols[4]);
        let arena = Bump::new();
        let f = Expr::compile(src, &["x", "y"], &ctx, &arena).unwrap();
        for (var, want) in [("x", num(2)), ("y", num(3))] {
            let got = f.derivative(var).and_then(|d| d.eval(&[x, y]));
            match got {
                Ok(v) if (v - want).abs() <= 1e-8 * want.abs().max(1.0) => {}
                other => failures.push(format!(
                    "d/d{var} `{src}` at ({x}, {y}): {other:?}, SymPy {want}"
                )),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 600);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn removing_a_function_removes_its_registered_derivatives() {
    let mut ctx = context();
    ctx.set_derivative_expression("native", 0, "native_d(t) = 3")
        .unwrap();
    assert_eq!(ctx.derivative_of("native", 0), Some("native_d"));
    assert!(ctx.remove("native"));
    assert_eq!(ctx.derivative_of("native", 0), None);
    ctx.add_function("native", Arity::Exact(1), |a| a[0]);
    let arena = Bump::new();
    let f = Expr::compile("native(x)", &["x"], &ctx, &arena).unwrap();
    assert_eq!(
        f.derivative("x").err().unwrap().kind,
        ErrorKind::NotDifferentiable
    );
}
