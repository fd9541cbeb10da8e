//! Canonical source for a tree: `Display` for [`Ast`] (SPEC.md
//! "Derivatives and printing").
//!
//! Minimal parentheses: a child gets them only where the parser would
//! otherwise build a different tree (looser precedence, the wrong side of
//! an associative operator, a prefix operator left of `^`, a `,` inside a
//! call's arguments or an index). Numbers print in the shortest form that
//! parses back to the same value in both precisions. Binary operators are
//! spaced (`3 * x^2`), `^` is not. Printing keeps its work list on the heap,
//! so a tree of any height prints on a small stack.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write};

use crate::ast::{Ast, AstKind, BinaryOp};
use crate::decimal::Shortest;
use crate::error::{Error, ErrorKind, Span};
use crate::literal::FromLiteral;
use crate::parser::Limits;

/// Binding strength of a node as the parser sees it: higher binds tighter.
/// The numbers are the parser's left binding powers.
fn prec(node: &Ast<'_>) -> u8 {
    match node.kind {
        AstKind::Binary(op, _, _) => match op {
            BinaryOp::Seq => 1,
            BinaryOp::Or => 5,
            BinaryOp::And => 7,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => 9,
            BinaryOp::Add | BinaryOp::Sub => 11,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 13,
            BinaryOp::Pow => POW,
        },
        AstKind::Conditional(..) => COND,
        AstKind::Unary(..) => PREFIX,
        _ => ATOM,
    }
}

const COND: u8 = 3;
const PREFIX: u8 = 15;
const POW: u8 = 18;
const ATOM: u8 = 30;

/// One step of the printer's work list.
enum Job<'r, 'a> {
    /// Print a node, in parentheses when the flag says so.
    Node(&'r Ast<'a>, bool),
    /// Print fixed text.
    Text(&'static str),
}

/// Writes `node` as canonical source.
pub(crate) fn write_ast(node: &Ast<'_>, out: &mut dyn Write) -> fmt::Result {
    let mut jobs: Vec<Job<'_, '_>> = Vec::new();
    jobs.push(Job::Node(node, false));
    while let Some(job) = jobs.pop() {
        let (node, parens) = match job {
            Job::Text(text) => {
                out.write_str(text)?;
                continue;
            }
            Job::Node(node, parens) => (node, parens),
        };
        if parens {
            out.write_str("(")?;
            jobs.push(Job::Text(")"));
        }
        match node.kind {
            AstKind::Number(text) => write_number(text, out)?,
            AstKind::Name(name) => out.write_str(name)?,
            AstKind::Field { object, field, .. } => {
                out.write_str(object)?;
                out.write_str(".")?;
                out.write_str(field)?;
            }
            AstKind::Unary(op, operand) => {
                out.write_str(op.symbol())?;
                jobs.push(Job::Node(operand, prec(operand) < PREFIX));
            }
            AstKind::Binary(op, left, right) => {
                let p = prec(node);
                let (lp, rp) = (prec(left), prec(right));
                let (left_parens, right_parens) = if op == BinaryOp::Pow {
                    // Right-associative, and a prefix operator on its left
                    // would take the whole power: `(-a)^b`, `a^-b`.
                    (lp <= POW, rp < PREFIX)
                } else {
                    (lp < p, rp <= p)
                };
                jobs.push(Job::Node(right, right_parens));
                jobs.push(Job::Text(match op {
                    BinaryOp::Seq => ", ",
                    BinaryOp::Or => " || ",
                    BinaryOp::And => " && ",
                    BinaryOp::Eq => " == ",
                    BinaryOp::Ne => " != ",
                    BinaryOp::Lt => " < ",
                    BinaryOp::Le => " <= ",
                    BinaryOp::Gt => " > ",
                    BinaryOp::Ge => " >= ",
                    BinaryOp::Add => " + ",
                    BinaryOp::Sub => " - ",
                    BinaryOp::Mul => " * ",
                    BinaryOp::Div => " / ",
                    BinaryOp::Rem => " % ",
                    BinaryOp::Pow => "^",
                }));
                jobs.push(Job::Node(left, left_parens));
            }
            AstKind::Conditional(cond, then, other) => {
                jobs.push(Job::Node(other, prec(other) < COND));
                jobs.push(Job::Text(" : "));
                jobs.push(Job::Node(then, prec(then) < COND));
                jobs.push(Job::Text(" ? "));
                jobs.push(Job::Node(cond, prec(cond) <= COND));
            }
            AstKind::Call { name, args, .. } => {
                out.write_str(name)?;
                out.write_str("(")?;
                jobs.push(Job::Text(")"));
                for (i, arg) in args.iter().enumerate().rev() {
                    jobs.push(Job::Node(arg, is_seq(arg)));
                    if i > 0 {
                        jobs.push(Job::Text(", "));
                    }
                }
            }
            AstKind::Index { name, index, .. } => {
                out.write_str(name)?;
                out.write_str("[")?;
                jobs.push(Job::Text("]"));
                jobs.push(Job::Node(index, is_seq(index)));
            }
        }
    }
    Ok(())
}

fn is_seq(node: &Ast<'_>) -> bool {
    matches!(node.kind, AstKind::Binary(BinaryOp::Seq, _, _))
}

/// `tree` as source, at most `limits.max_len` bytes
/// ([`ErrorKind::ArenaFull`] past that).
pub(crate) fn to_source(tree: &Ast<'_>, limits: &Limits) -> Result<String, Error> {
    struct Capped {
        text: String,
        max: usize,
    }
    impl Write for Capped {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            if self.text.len() + s.len() > self.max {
                return Err(fmt::Error);
            }
            self.text.push_str(s);
            Ok(())
        }
    }
    let mut out = Capped {
        text: String::new(),
        max: limits.max_len as usize,
    };
    write_ast(tree, &mut out).map_err(|_| Error::new(ErrorKind::ArenaFull, Span::default()))?;
    Ok(out.text)
}

/// Writes a number literal in its shortest form that parses back to the
/// same `f64` and the same `f32`; the literal as written when there is
/// none (it overflows, or the shortest `f64` form rounds differently in
/// `f32`).
fn write_number(text: &str, out: &mut dyn Write) -> fmt::Result {
    match shortest(text) {
        Some(short) => out.write_str(&short),
        None => out.write_str(text),
    }
}

/// The shortest spelling of the literal `text`, if it keeps both
/// precisions' values.
pub(crate) fn shortest(text: &str) -> Option<String> {
    let value = f64::from_literal(text)?;
    if !value.is_finite() {
        return None;
    }
    let short = shortest_f64(value);
    let as_f32 = |t: &str| f32::from_literal(t).map(f32::to_bits);
    (as_f32(text) == as_f32(&short) && as_f32(text).is_some()).then_some(short)
}

/// The shortest decimal spelling of a finite, non-negative `value` that
/// parses back to it: plain (`0.001`) or with an exponent (`1e-7`),
/// whichever is shorter (see [`crate::decimal`]).
pub(crate) fn shortest_f64(value: f64) -> String {
    let mut text = String::new();
    // Writing to a `String` cannot fail.
    let _ = write!(text, "{}", Shortest(value));
    text
}

impl fmt::Display for Ast<'_> {
    /// Canonical source: minimal parentheses, shortest numbers; parsing it
    /// gives the same tree (see [`Ast::same_tree`]).
    ///
    /// ```
    /// let arena = bumpalo::Bump::new();
    /// let ast = exp_rs::parse_expression_arena("(((x)))*-(2.50)^(y+1)", &arena).unwrap();
    /// assert_eq!(ast.to_string(), "x * -2.5^(y + 1)");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_ast(self, f)
    }
}

impl Ast<'_> {
    /// True when both trees have the same shape, operators, names and
    /// number values (in `f64` and in `f32`), whatever their spans and
    /// however their numbers are spelled. Walks with a heap work list.
    pub fn same_tree(&self, other: &Ast<'_>) -> bool {
        let mut pending: Vec<(&Ast<'_>, &Ast<'_>)> = Vec::new();
        pending.push((self, other));
        while let Some((a, b)) = pending.pop() {
            let same = match (a.kind, b.kind) {
                (AstKind::Number(x), AstKind::Number(y)) => same_number(x, y),
                (AstKind::Name(x), AstKind::Name(y)) => x == y,
                (AstKind::Unary(p, _), AstKind::Unary(q, _)) => p == q,
                (AstKind::Binary(p, _, _), AstKind::Binary(q, _, _)) => p == q,
                (AstKind::Conditional(..), AstKind::Conditional(..)) => true,
                (
                    AstKind::Call {
                        name: x, args: p, ..
                    },
                    AstKind::Call {
                        name: y, args: q, ..
                    },
                ) => x == y && p.len() == q.len(),
                (AstKind::Index { name: x, .. }, AstKind::Index { name: y, .. }) => x == y,
                (
                    AstKind::Field {
                        object: o1,
                        field: f1,
                        ..
                    },
                    AstKind::Field {
                        object: o2,
                        field: f2,
                        ..
                    },
                ) => o1 == o2 && f1 == f2,
                _ => false,
            };
            if !same {
                return false;
            }
            pending.extend(a.children().zip(b.children()));
        }
        true
    }
}

fn same_number(x: &str, y: &str) -> bool {
    let f64_bits = |t: &str| f64::from_literal(t).map(f64::to_bits);
    let f32_bits = |t: &str| f32::from_literal(t).map(f32::to_bits);
    f64_bits(x) == f64_bits(y) && f32_bits(x) == f32_bits(y)
}
