//! Differential testing: random valid expressions, evaluated by the engine
//! (parse, compile, run) and by a deliberately simple tree-walking oracle
//! written here from SPEC.md alone, sharing no code with the compiler or
//! the evaluator. The generator owns the tree: it renders it to source with
//! only the parentheses SPEC.md's precedence needs, so the parser is tested
//! too. Both sides call the same math functions (the public `Real` trait),
//! so results must agree bit for bit (NaN with NaN, and 0 with -0), `%` and
//! `fmod` included: no allowance anywhere. Native calls count their
//! invocations, so short-circuiting is compared as well.
//!
//! Every random expression, and every row of the conformance table, is also
//! run through the tree walker (`eval_ast`, the variables as constants):
//! it must give the compiled path's bits, or its error kind and span.
#![allow(clippy::unwrap_used)]

mod common;

use std::cell::Cell;
use std::fmt::Write as _;
use std::rc::Rc;

use exp_rs::bumpalo::Bump;
use exp_rs::{Arity, Context, Error, ErrorKind, Expr, Real, eval_ast, parse_expression_arena};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// The test's own expression tree.
#[derive(Clone, Debug)]
enum E {
    Num(f64),
    Var(usize),
    Neg(Box<E>),
    Not(Box<E>),
    Bin(Op, Box<E>, Box<E>),
    Cond(Box<E>, Box<E>, Box<E>),
    F1(&'static str, Box<E>),
    F2(&'static str, Box<E>, Box<E>),
    MinMax(bool, Vec<E>),
    /// `tick(x)`: a native that counts its calls and returns `x`.
    Tick(Box<E>),
    /// `t[i]`: the array `T`.
    Index(Box<E>),
    /// `f(a, b)` = `a * b - a`, an expression function.
    UserF(Box<E>, Box<E>),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Seq,
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
}

const VARS: [&str; 3] = ["x", "y", "z"];
const T: [f64; 4] = [1.5, -2.0, 0.25, 8.0];
const F1S: [&str; 14] = [
    "abs", "sign", "floor", "ceil", "trunc", "round", "sqrt", "exp", "ln", "sin", "cos", "atan",
    "tanh", "cbrt",
];
const F2S: [&str; 4] = ["atan2", "pow", "hypot", "fmod"];

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Seq => ",",
            Op::Or => "||",
            Op::And => "&&",
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
            Op::Rem => "%",
            Op::Pow => "^",
        }
    }

    /// SPEC.md's precedence level (higher binds tighter).
    fn level(self) -> u8 {
        match self {
            Op::Seq => 1,
            Op::Or => 3,
            Op::And => 4,
            Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => 5,
            Op::Add | Op::Sub => 6,
            Op::Mul | Op::Div | Op::Rem => 7,
            Op::Pow => 9,
        }
    }
}

const ATOM: u8 = 10;
const PREFIX: u8 = 8;

impl E {
    fn level(&self) -> u8 {
        match self {
            E::Bin(op, ..) => op.level(),
            E::Cond(..) => 2,
            E::Neg(_) | E::Not(_) => PREFIX,
            E::Num(v) if *v < 0.0 => PREFIX,
            _ => ATOM,
        }
    }

    /// Renders with only the parentheses precedence requires.
    fn render(&self, out: &mut String, min: u8) {
        let paren = self.level() < min;
        if paren {
            out.push('(');
        }
        match self {
            E::Num(v) => {
                let _ = write!(out, "{v:?}");
            }
            E::Var(i) => out.push_str(VARS[*i]),
            E::Neg(a) => {
                out.push('-');
                a.render(out, PREFIX);
            }
            E::Not(a) => {
                out.push('!');
                a.render(out, PREFIX);
            }
            E::Bin(op, a, b) => {
                let l = op.level();
                // Left-associative: the right side must bind tighter; `^` is
                // right-associative, its left side must be an atom (a prefix
                // operator there would swallow the power) and its right side
                // may carry prefix operators.
                let (lmin, rmin) = if *op == Op::Pow {
                    (ATOM, PREFIX)
                } else {
                    (l, l + 1)
                };
                a.render(out, lmin);
                let _ = write!(out, " {} ", op.symbol());
                b.render(out, rmin);
            }
            E::Cond(c, a, b) => {
                c.render(out, 3);
                out.push_str(" ? ");
                a.render(out, 2);
                out.push_str(" : ");
                b.render(out, 2);
            }
            E::F1(name, a) => call(out, name, &[a]),
            E::F2(name, a, b) => call(out, name, &[a, b]),
            E::MinMax(is_min, args) => {
                let args: Vec<&E> = args.iter().collect();
                call(out, if *is_min { "min" } else { "max" }, &args)
            }
            E::Tick(a) => call(out, "tick", &[a]),
            E::Index(i) => {
                out.push_str("t[");
                i.render(out, 2);
                out.push(']');
            }
            E::UserF(a, b) => call(out, "f", &[a, b]),
        }
        if paren {
            out.push(')');
        }
    }
}

fn call(out: &mut String, name: &str, args: &[&E]) {
    out.push_str(name);
    out.push('(');
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        a.render(out, 2);
    }
    out.push(')');
}

/// The oracle: SPEC.md, evaluated directly over the test's tree.
struct Oracle<'v> {
    vars: &'v [f64],
    ticks: usize,
}

fn truth(v: f64) -> bool {
    v != 0.0
}

fn b(v: bool) -> f64 {
    if v { 1.0 } else { 0.0 }
}

impl Oracle<'_> {
    fn eval(&mut self, e: &E) -> Result<f64, ErrorKind> {
        Ok(match e {
            E::Num(v) => *v,
            E::Var(i) => self.vars[*i],
            E::Neg(a) => -self.eval(a)?,
            E::Not(a) => b(!truth(self.eval(a)?)),
            E::Bin(Op::Seq, x, y) => {
                self.eval(x)?;
                self.eval(y)?
            }
            E::Bin(Op::And, x, y) => b(truth(self.eval(x)?) && truth(self.eval(y)?)),
            E::Bin(Op::Or, x, y) => b(truth(self.eval(x)?) || truth(self.eval(y)?)),
            E::Bin(op, x, y) => {
                let (x, y) = (self.eval(x)?, self.eval(y)?);
                match op {
                    Op::Eq => b(x == y),
                    Op::Ne => b(x != y),
                    Op::Lt => b(x < y),
                    Op::Le => b(x <= y),
                    Op::Gt => b(x > y),
                    Op::Ge => b(x >= y),
                    Op::Add => x + y,
                    Op::Sub => x - y,
                    Op::Mul => x * y,
                    Op::Div => x / y,
                    Op::Rem => Real::fmod(x, y),
                    Op::Pow => Real::pow(x, y),
                    Op::Seq | Op::And | Op::Or => unreachable!(),
                }
            }
            E::Cond(c, x, y) => {
                if truth(self.eval(c)?) {
                    self.eval(x)?
                } else {
                    self.eval(y)?
                }
            }
            E::F1(name, a) => {
                let x = self.eval(a)?;
                match *name {
                    "abs" => Real::abs(x),
                    "sign" => {
                        if x > 0.0 {
                            1.0
                        } else if x < 0.0 {
                            -1.0
                        } else {
                            x
                        }
                    }
                    "floor" => Real::floor(x),
                    "ceil" => Real::ceil(x),
                    "trunc" => Real::trunc(x),
                    "round" => Real::round(x),
                    "sqrt" => Real::sqrt(x),
                    "exp" => Real::exp(x),
                    "ln" => Real::ln(x),
                    "sin" => Real::sin(x),
                    "cos" => Real::cos(x),
                    "atan" => Real::atan(x),
                    "tanh" => Real::tanh(x),
                    "cbrt" => Real::cbrt(x),
                    other => unreachable!("{other}"),
                }
            }
            E::F2(name, a, c) => {
                let (x, y) = (self.eval(a)?, self.eval(c)?);
                match *name {
                    "atan2" => Real::atan2(x, y),
                    "pow" => Real::pow(x, y),
                    "hypot" => Real::hypot(x, y),
                    "fmod" => Real::fmod(x, y),
                    other => unreachable!("{other}"),
                }
            }
            E::MinMax(is_min, args) => {
                let mut acc = self.eval(&args[0])?;
                for a in &args[1..] {
                    let v = self.eval(a)?;
                    acc = if *is_min {
                        Real::fmin(acc, v)
                    } else {
                        Real::fmax(acc, v)
                    };
                }
                acc
            }
            E::Tick(a) => {
                let v = self.eval(a)?;
                self.ticks += 1;
                v
            }
            E::Index(i) => {
                let i = Real::trunc(self.eval(i)?);
                if i >= 0.0 && i < T.len() as f64 {
                    T[i as usize]
                } else {
                    return Err(ErrorKind::IndexOutOfBounds);
                }
            }
            E::UserF(a, c) => {
                let (a, c) = (self.eval(a)?, self.eval(c)?);
                a * c - a
            }
        })
    }
}

fn expr() -> impl Strategy<Value = E> {
    let leaf = prop_oneof![
        prop::sample::select(vec![
            0.0, 1.0, 2.0, 3.0, 0.5, 0.25, 10.0, 1e-3, 7.0, 100.0, 2.5
        ])
        .prop_map(E::Num),
        (0..VARS.len()).prop_map(E::Var),
    ];
    leaf.prop_recursive(6, 48, 4, |inner| {
        let bin_ops = prop::sample::select(vec![
            Op::Seq,
            Op::Or,
            Op::And,
            Op::Eq,
            Op::Ne,
            Op::Lt,
            Op::Le,
            Op::Gt,
            Op::Ge,
            Op::Add,
            Op::Sub,
            Op::Mul,
            Op::Div,
            Op::Rem,
            Op::Pow,
            Op::Add,
            Op::Mul,
            Op::Sub,
        ]);
        prop_oneof![
            4 => (bin_ops, inner.clone(), inner.clone()).prop_map(|(op, a, b)| E::Bin(op, Box::new(a), Box::new(b))),
            1 => inner.clone().prop_map(|a| E::Neg(Box::new(a))),
            1 => inner.clone().prop_map(|a| E::Not(Box::new(a))),
            1 => (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| E::Cond(Box::new(c), Box::new(a), Box::new(b))),
            1 => (prop::sample::select(F1S.to_vec()), inner.clone()).prop_map(|(f, a)| E::F1(f, Box::new(a))),
            1 => (prop::sample::select(F2S.to_vec()), inner.clone(), inner.clone())
                .prop_map(|(f, a, b)| E::F2(f, Box::new(a), Box::new(b))),
            1 => (any::<bool>(), prop::collection::vec(inner.clone(), 1..4)).prop_map(|(m, v)| E::MinMax(m, v)),
            1 => inner.clone().prop_map(|a| E::Tick(Box::new(a))),
            1 => inner.clone().prop_map(|a| E::Index(Box::new(a))),
            1 => (inner.clone(), inner).prop_map(|(a, b)| E::UserF(Box::new(a), Box::new(b))),
        ]
    })
}

fn values() -> impl Strategy<Value = Vec<f64>> {
    let v = prop_oneof![
        8 => -10.0..10.0f64,
        1 => prop::sample::select(vec![0.0, -0.0, 1.0, -1.0, 2.0, 3.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300]),
    ];
    prop::collection::vec(v, VARS.len())
}

fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// The context of the random expressions: `tick`, the array `t`, `f`.
fn random_context(ticks: &Rc<Cell<usize>>) -> Context<f64> {
    let mut ctx = Context::<f64>::new();
    let counter = ticks.clone();
    ctx.add_function("tick", Arity::Exact(1), move |a| {
        counter.set(counter.get() + 1);
        a[0]
    });
    ctx.add_array("t", &T);
    ctx.add_expression_function("f(a, b) = a * b - a").unwrap();
    ctx
}

/// Same bits (any NaN matches any NaN), or the same error kind and span.
fn identical<R: Real>(a: &Result<R, Error>, b: &Result<R, Error>) -> bool {
    match (a, b) {
        (Ok(x), Ok(y)) => {
            let (x, y) = (x.to_f64(), y.to_f64());
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Err(x), Err(y)) => (x.kind, x.span) == (y.kind, y.span),
        _ => false,
    }
}

/// How many random expressions each run checks (at least 100,000; a token
/// number under Miri, which is some thousand times slower).
const CASES: u32 = if cfg!(miri) { 20 } else { 100_000 };

#[test]
fn engine_agrees_with_the_oracle_on_random_expressions() {
    let ticks = Rc::new(Cell::new(0usize));
    let ctx = random_context(&ticks);
    // The walker's context: the same, plus the variables as constants
    // (rebound through `set_var` for every case).
    let mut walk_ctx = random_context(&ticks);
    for name in VARS {
        walk_ctx.set_constant(name, 0.0);
    }
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&(expr(), values()), |(e, vals)| {
        let mut src = String::new();
        e.render(&mut src, 0);
        let arena = Bump::new();
        let compiled = Expr::compile(&src, &VARS, &ctx, &arena);
        let compiled = match compiled {
            Ok(c) => c,
            Err(err) => {
                return Err(TestCaseError::fail(format!(
                    "`{src}` does not compile: {err}"
                )));
            }
        };
        ticks.set(0);
        let evaluated = compiled.eval(&vals);
        let got = evaluated.map_err(|e| e.kind);
        let engine_ticks = ticks.get();
        let mut oracle = Oracle {
            vars: &vals,
            ticks: 0,
        };
        let want = oracle.eval(&e);
        let agree = match (got, want) {
            (Ok(g), Ok(w)) => same(g, w),
            (Err(g), Err(w)) => g == w,
            _ => false,
        };
        prop_assert!(
            agree,
            "`{src}` at {vals:?}: engine {got:?}, oracle {want:?}"
        );
        prop_assert_eq!(engine_ticks, oracle.ticks, "`{}`: native calls differ", src);
        // The tree walker, on the same tree and values.
        for (name, v) in VARS.iter().zip(&vals) {
            walk_ctx.set_var(name, *v);
        }
        // (the compiled expression's own tree: the parse is the same).
        ticks.set(0);
        let walked = eval_ast(compiled.ast(), &walk_ctx);
        prop_assert!(
            identical(&evaluated, &walked),
            "`{src}` at {vals:?}: compiled {evaluated:?}, walker {walked:?}"
        );
        prop_assert_eq!(
            engine_ticks,
            ticks.get(),
            "`{}`: walker's native calls differ",
            src
        );
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// One conformance row, compiled (`Expr::compile` with the row's scalars as
/// parameters) and walked (`eval_ast` with them as constants).
fn both_paths<R: Real>(case: &common::Case) -> (Result<R, Error>, Result<R, Error>) {
    let ctx = common::fixture::<R>(&case.bindings);
    let (names, values) = common::scalars::<R>(&case.bindings);
    let arena = Bump::new();
    let compiled = Expr::compile(&case.source, &names, &ctx, &arena).and_then(|e| e.eval(&values));
    let mut walk_ctx = common::fixture::<R>(&case.bindings);
    for (n, v) in names.iter().zip(&values) {
        walk_ctx.set_constant(n, *v);
    }
    let walked =
        parse_expression_arena(&case.source, &arena).and_then(|ast| eval_ast(ast, &walk_ctx));
    (compiled, walked)
}

fn rows_agree<R: Real>() {
    let step = if cfg!(miri) { 40 } else { 1 };
    let cases = common::cases();
    let failures: Vec<String> = cases
        .iter()
        .step_by(step)
        .filter_map(|case| {
            let (compiled, walked) = both_paths::<R>(case);
            (!identical(&compiled, &walked)).then(|| {
                format!(
                    "line {} [{}] `{}`: compiled {compiled:?}, walker {walked:?}",
                    case.line,
                    R::NAME,
                    case.source
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} rows differ between the paths:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn walker_agrees_with_compiled_on_every_conformance_row_f64() {
    rows_agree::<f64>();
}

#[test]
fn walker_agrees_with_compiled_on_every_conformance_row_f32() {
    rows_agree::<f32>();
}
