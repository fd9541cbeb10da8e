//! Shared by the integration tests: the conformance table reader and the
//! fixture context every row is evaluated in (see the table's header).
#![allow(dead_code, clippy::unwrap_used)]

use exp_rs::{Arity, CallbackError, Context, ErrorKind, Real};

/// The table, embedded so the tests need no working directory.
pub const TABLE: &str = include_str!("../conformance.txt");

/// What a row expects.
#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    /// A value for f64 and, when it differs, for f32.
    Value { f64: f64, f32: Option<f64> },
    /// An error kind, with a span unless the row leaves it open.
    Error {
        kind: String,
        span: Option<(u32, u32)>,
    },
}

/// One binding of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Binding {
    Scalar(String, f64),
    Array(String, Vec<f64>),
    Field(String, String, f64),
}

/// One row of the table.
#[derive(Clone, Debug)]
pub struct Case {
    pub line: usize,
    pub expected: Expected,
    pub bindings: Vec<Binding>,
    pub source: String,
}

fn number(s: &str) -> f64 {
    match s.trim() {
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        "nan" => f64::NAN,
        t => t
            .parse()
            .unwrap_or_else(|_| panic!("bad number `{t}` in the table")),
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            other => panic!("bad escape \\{other:?}"),
        }
    }
    out
}

fn bindings(s: &str) -> Vec<Binding> {
    let s = s.trim();
    if s == "-" {
        return Vec::new();
    }
    // Split at commas outside brackets.
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&s[start..]);
    items
        .into_iter()
        .map(|item| {
            let (name, value) = item.trim().split_once('=').unwrap();
            let value = value.trim();
            if let Some(list) = value.strip_prefix('[') {
                let list = list.strip_suffix(']').unwrap();
                let values = list
                    .split(',')
                    .filter(|v| !v.trim().is_empty())
                    .map(number)
                    .collect();
                Binding::Array(name.to_string(), values)
            } else if let Some((obj, field)) = name.split_once('.') {
                Binding::Field(obj.to_string(), field.to_string(), number(value))
            } else {
                Binding::Scalar(name.to_string(), number(value))
            }
        })
        .collect()
}

fn expected(s: &str) -> Expected {
    let s = s.trim();
    if let Some(err) = s.strip_prefix('!') {
        let (kind, span) = match err.split_once('@') {
            Some((kind, span)) => {
                let (a, b) = span.split_once("..").unwrap();
                (kind, Some((a.parse().unwrap(), b.parse().unwrap())))
            }
            None => (err, None),
        };
        return Expected::Error {
            kind: kind.to_string(),
            span,
        };
    }
    let mut parts = s.split_whitespace();
    let f64 = number(parts.next().unwrap());
    let f32 = parts
        .next()
        .map(|p| number(p.strip_prefix("f32=").unwrap()));
    Expected::Value { f64, f32 }
}

/// Every row of the table.
pub fn cases() -> Vec<Case> {
    TABLE
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, line)| {
            let mut parts = line.splitn(3, " ;; ");
            let exp = parts.next().unwrap();
            let binds = parts
                .next()
                .unwrap_or_else(|| panic!("line {}: no bindings", i + 1));
            let source = parts
                .next()
                .unwrap_or_else(|| panic!("line {}: no source", i + 1));
            Case {
                line: i + 1,
                expected: expected(exp),
                bindings: bindings(binds),
                source: unescape(source.trim()),
            }
        })
        .collect()
}

/// The fixture context of the table's header, plus a row's arrays and
/// objects.
pub fn fixture<R: Real>(bindings: &[Binding]) -> Context<R> {
    let mut ctx = Context::<R>::new();
    for def in [
        "hyp(a, b) = sqrt(a^2 + b^2)",
        "sq(x) = x * x",
        "fact(n) = n <= 1 ? 1 : n * fact(n - 1)",
        "fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)",
        "forever(n) = forever(n + 1)",
        "outer(x) = sq(x) + 1",
        "shadow_idx(a) = a[0]",
        "shadow_fld(p) = p.x",
        "shadow_val(pi) = pi * 2",
        "shadow_call(sq) = sq(sq)",
    ] {
        ctx.add_expression_function(def).unwrap();
    }
    ctx.add_function("add3", Arity::Exact(3), |a: &[R]| a[0] + a[1] + a[2]);
    ctx.add_function("sum", Arity::AtLeast(1), |a: &[R]| {
        a.iter().fold(R::ZERO, |s, &x| s + x)
    });
    ctx.add_fallible_function("fail", Arity::Exact(1), |_: &[R]| Err(CallbackError));
    let mut objects: Vec<(String, Vec<(String, R)>)> = Vec::new();
    for b in bindings {
        match b {
            Binding::Array(name, values) => {
                let values: Vec<R> = values.iter().map(|&v| R::from_f64(v)).collect();
                ctx.add_array(name, &values);
            }
            Binding::Field(obj, field, v) => match objects.iter_mut().find(|o| o.0 == *obj) {
                Some(o) => o.1.push((field.clone(), R::from_f64(*v))),
                None => objects.push((obj.clone(), vec![(field.clone(), R::from_f64(*v))])),
            },
            Binding::Scalar(..) => {}
        }
    }
    for (name, fields) in &objects {
        let fields: Vec<(&str, R)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        ctx.add_object(name, &fields);
    }
    ctx
}

/// The scalar bindings: parameter names and values, in row order.
pub fn scalars<R: Real>(bindings: &[Binding]) -> (Vec<&str>, Vec<R>) {
    bindings
        .iter()
        .filter_map(|b| match b {
            Binding::Scalar(n, v) => Some((n.as_str(), R::from_f64(*v))),
            _ => None,
        })
        .unzip()
}

/// Does `got` match the row's value within the table's tolerance?
pub fn value_matches<R: Real>(got: R, f64_expected: f64, f32_expected: Option<f64>) -> bool {
    let (exp, tol) = if R::NAME == "f32" {
        (f32_expected.unwrap_or(f64_expected), 1e-5)
    } else {
        (f64_expected, 1e-12)
    };
    let got = got.to_f64();
    if exp.is_nan() {
        return got.is_nan();
    }
    if exp.is_infinite() || got.is_infinite() {
        return got == exp;
    }
    (got - exp).abs() <= tol * exp.abs().max(1.0)
}

/// The kind's table name.
pub fn kind_name(kind: ErrorKind) -> &'static str {
    kind.name()
}
